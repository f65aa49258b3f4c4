"""Adafactor, Muon, ScheduleFreeAdamW and MultiOptimizer/OptimizerMap: three steps against
Keras 3's numbers (data/keras_reference_c.json), config round trips, training and saving
the optimizer state inside a model, and Keras' rules for which variable gets what."""

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import optimizers
from neuroflow.autodiff.tensor import Variable

REF = json.loads((Path(__file__).parent / "data" / "keras_reference_c.json").read_text())
OPT = REF["optimizers"]
SINGLE = sorted(k for k in OPT["cases"] if k != "MultiOptimizer")


def _variables():
    return [Variable(np.array(OPT[k], dtype="float32"), name=n)
            for k, n in (("w0", "kernel"), ("t0", "tall"), ("b0", "bias"))]


def _check_steps(opt, steps):
    vs = _variables()
    for grads, want in zip(OPT["grads"], steps, strict=True):
        opt.apply_gradients([(np.array(g, "float32"), v) for g, v in zip(grads, vs,
                                                                         strict=True)])
        for v, w in zip(vs, want, strict=True):
            np.testing.assert_allclose(v.numpy(), w, rtol=2e-5, atol=2e-6)


@pytest.mark.parametrize("key", SINGLE)
def test_optimizer_steps_match_keras(key):
    case = OPT["cases"][key]
    _check_steps(getattr(optimizers, key.split("_")[0])(**case["kwargs"]), case["steps"])


def test_multi_optimizer_steps_match_keras():
    multi = optimizers.MultiOptimizer(optimizers.OptimizerMap(
        optimizers.Adam(0.05), {"bias": optimizers.SGD(0.1, momentum=0.5),
                                "t.*": optimizers.Lion(0.01)}))
    _check_steps(multi, OPT["cases"]["MultiOptimizer"]["steps"])
    assert [type(o).__name__ for o in multi.optimizers] == ["SGD", "Lion", "Adam"]
    assert [o.iterations for o in multi.optimizers] == [3, 3, 3] and multi.iterations == 3


@pytest.mark.parametrize("key", SINGLE)
def test_config_round_trip(key):
    opt = getattr(optimizers, key.split("_")[0])(**OPT["cases"][key]["kwargs"])
    again = optimizers.deserialize(optimizers.serialize(opt))
    assert type(again) is type(opt) and again.get_config() == opt.get_config()
    assert type(optimizers.get(key.split("_")[0].lower())) is type(opt)


def test_muon_gives_adamw_to_vectors_embeddings_and_excluded_layers():
    opt = optimizers.Muon(exclude_layers=["head"])
    kernel, bias = Variable(np.ones((2, 3), "float32")), Variable(np.ones(3, "float32"))
    kernel.path, bias.path = "dense/kernel", "dense/bias"
    emb, head = Variable(np.ones((4, 2), "float32")), Variable(np.ones((3, 1), "float32"))
    emb.path, head.path = "embedding/embeddings", "head/kernel"
    use_adam = [opt._should_use_adamw(v) for v in (kernel, bias, emb, head)]
    assert use_adam == [False, True, True, True]
    opt.build([kernel, bias, emb, head])
    assert len(opt.variables) == 2 + 4 + 3  # iterations, rate; 4 momentums, 3 velocities


def test_schedule_free_adamw_starts_its_z_sequence_at_the_weights():
    opt = optimizers.ScheduleFreeAdamW()
    w = Variable(np.array([1.0, -2.0], "float32"), name="w")
    opt.build([w])
    np.testing.assert_array_equal(opt._momentums[0].numpy(), w.numpy())


def _fit_and_reload(optimizer, tmp_path, custom_objects=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], dtype="float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="body"),
                              keras.layers.Dense(1, name="head")])
    model.compile(optimizer=optimizer, loss="mse")
    before = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=5, batch_size=16, verbose=0)
    assert model.evaluate(x, y, verbose=0) < before
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras", custom_objects=custom_objects)
    assert type(again.optimizer) is type(model.optimizer)
    assert len(again.optimizer.variables) == len(model.optimizer.variables)
    for a, b in zip(again.optimizer.variables, model.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    return model, again


@pytest.mark.parametrize("name", ["adafactor", "muon", "schedule_free_adamw"])
def test_optimizer_trains_and_its_state_reloads(name, tmp_path):
    cls = {"adafactor": optimizers.Adafactor, "muon": optimizers.Muon,
           "schedule_free_adamw": optimizers.ScheduleFreeAdamW}[name]
    _fit_and_reload(cls(learning_rate=0.05), tmp_path)


def test_multi_optimizer_trains_and_reloads_inside_a_model(tmp_path):
    multi = optimizers.MultiOptimizer(optimizers.OptimizerMap(
        optimizers.SGD(0.01), {"head/.*": optimizers.Adam(0.05)}))
    model, again = _fit_and_reload(multi, tmp_path)
    assert [type(o).__name__ for o in again.optimizer.optimizers] == ["Adam", "SGD"]
    assert again.optimizer.get_config() == model.optimizer.get_config()


def pick(variable):
    return optimizers.Adam(0.05) if "head" in variable.path else optimizers.SGD(0.01)


def test_multi_optimizer_with_a_function_reloads_through_custom_objects(tmp_path):
    _fit_and_reload(optimizers.MultiOptimizer(pick), tmp_path, custom_objects={"pick": pick})


def test_optimizer_map_lookup_follows_keras():
    adam, sgd, rms = optimizers.Adam(), optimizers.SGD(), optimizers.RMSprop()
    table = optimizers.OptimizerMap(default_optimizer=rms)
    table["encoder/layer_0/dense"] = adam
    table["encoder/.*"] = sgd
    table["decoder"] = adam
    assert table["decoder"] is adam and table["encoder/layer_0/dense"] is adam
    assert table["encoder/layer_0/attention/query"] is sgd
    assert table["decoder/layer_0/dense"] is rms and len(table) == 3
    table["enc.*"] = rms
    with pytest.raises(ValueError, match="several patterns"):
        table["encoder/x"]
    with pytest.raises(ValueError, match="already maps"):
        table["decoder"] = sgd


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="beta_2_decay"):
        optimizers.Adafactor(beta_2_decay=0.5)
    with pytest.raises(ValueError, match="clip_threshold"):
        optimizers.Adafactor(clip_threshold=0)
    with pytest.raises(ValueError, match="ns_steps"):
        optimizers.Muon(ns_steps=0)
    with pytest.raises(ValueError, match="exclude_layers"):
        optimizers.Muon(exclude_layers="dense")
    with pytest.raises(ValueError, match="warmup_steps"):
        optimizers.ScheduleFreeAdamW(warmup_steps=-1)
    with pytest.raises(TypeError, match="default_optimizer"):
        optimizers.OptimizerMap("adam")
    with pytest.raises(ValueError, match="cannot be a MultiOptimizer"):
        optimizers.OptimizerMap(optimizers.SGD(), {"x": optimizers.MultiOptimizer(pick)})
    with pytest.raises(AttributeError, match="no learning rate"):
        _ = optimizers.MultiOptimizer(pick).learning_rate
