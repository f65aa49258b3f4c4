"""Grouping, per-member callbacks, evaluate/predict, memory budget and deep ensembles."""

from __future__ import annotations

import numpy as np
import pytest
from population_helpers import mlp, regression_data

import neuroflow as keras
from neuroflow.population import DeepEnsemble, Population, describe

O = keras.optimizers


def _member(widths, lr=0.02, optimizer=None, seed=0, **kwargs):
    model = mlp(widths, seed=seed, **kwargs)
    model.compile(optimizer=optimizer or O.SGD(lr), loss="mse")
    return model


def test_what_cannot_pack_forms_other_groups_or_trains_alone():
    wide_deep = keras.Sequential([keras.layers.Input(shape=(6,)), keras.layers.Dense(3),
                                  keras.layers.BatchNormalization(), keras.layers.Dense(1)])
    wide_deep.compile(optimizer="sgd", loss="mse")
    members = [_member((4,)), _member((9,)), _member((4, 4)),
               _member((4,), optimizer=O.Adam(0.01)), _member((4,), optimizer=O.SGD(0.1,
                                                                                  clipnorm=1.0)),
               wide_deep, _member((4, 4), activation="tanh"), _member((5,), dropout=(0.2, 1))]
    groups, alone = Population(members).groups()
    # depths pack together when every hidden layer is alike and there is no Dropout
    assert sorted(sorted(s.index for s in g) for g in groups) == [[0, 1, 2], [3], [6], [7]]
    reasons = dict(alone)
    assert set(reasons) == {4, 5}
    assert "clipnorm" in reasons[4] and "Dense" in reasons[5]
    x, y = regression_data()
    histories = Population(members).fit(x, y, batch_size=16, epochs=2)
    assert all(len(h.history["loss"]) == 2 for h in histories)


def test_describe_names_why_a_model_does_not_pack():
    model = mlp((3,))
    assert describe(model) == "the model is not compiled"


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid"])
def test_padding_stays_zero_and_gets_no_gradient(activation):
    from neuroflow.population.compiled import PackSteps, loss_targets
    from neuroflow.population.stack import StackedNetwork

    members = [_member((2, 3), seed=0, activation=activation),
               _member((6, 5), seed=1, activation=activation)]
    net = StackedNetwork([describe(m) for m in members])
    steps = PackSteps(net)
    assert steps.exact_padding == (activation != "sigmoid")  # sigmoid(0) = 0.5 is masked
    x, y = regression_data()
    steps.train(x[:8], loss_targets(net, y[:8], (1,)))
    assert net.mask is not None and np.any(net.grads[net.mask == 1])
    assert not np.any(net.grads[net.mask == 0]) and not np.any(net.params.data[net.mask == 0])


def test_model_checkpoint_saves_one_member(tmp_path):
    members = [_member((4,), lr, seed=i) for i, lr in enumerate([0.01, 0.05])]
    x, y = regression_data()
    paths = [tmp_path / f"m{i}.weights.h5" for i in range(2)]
    callbacks = [[keras.callbacks.ModelCheckpoint(str(p), save_weights_only=True)]
                 for p in paths]
    Population(members).fit(x, y, batch_size=16, epochs=2, callbacks=callbacks)
    for member, path in zip(members, paths, strict=True):
        restored = mlp((4,))
        restored.load_weights(str(path))
        for a, b in zip(restored.get_weights(), member.get_weights(), strict=True):
            np.testing.assert_array_equal(a, b)


def test_flat_callback_list_is_copied_per_member():
    members = [_member((4,), lr, seed=i) for i, lr in enumerate([0.5, 0.001])]
    x, y = regression_data()
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=0.1)
    histories = Population(members).fit(x, y, batch_size=16, epochs=6, callbacks=[stop])
    assert len(histories[1].history["loss"]) < 6  # the slow one stops, the other goes on
    assert stop.model is None  # the original was never used


def test_mismatched_callback_lists_are_refused():
    members = [_member((4,)), _member((5,))]
    x, y = regression_data()
    with pytest.raises(ValueError, match="one list per member"):
        Population(members).fit(x, y, callbacks=[[], [], []])


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_evaluate_and_predict_equal_each_members_own(activation):
    members = [_member((4,), seed=0, activation=activation),
               _member((7, 2), seed=1, activation=activation),
               _member((5,), seed=2, activation=activation)]
    x, y = regression_data()
    pop = Population(members)
    predictions = pop.predict(x, batch_size=10)
    assert predictions.shape == (3, len(x), 1)
    for m, p, loss in zip(members, predictions, pop.evaluate(x, y, batch_size=10), strict=True):
        np.testing.assert_allclose(p, m.predict(x, verbose=0), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(loss, m.evaluate(x, y, verbose=0), rtol=1e-5)


def test_memory_budget_bounds_the_pack_size_and_reports_the_peak():
    members = [_member((8,), seed=i) for i in range(5)]
    x, y = regression_data()
    unbounded = Population(members)
    unbounded.fit(x, y, batch_size=16, epochs=1)
    assert unbounded.packs == [[0, 1, 2, 3, 4]]
    per_member = unbounded.peak_bytes // 5
    budget = int(2.5 * per_member)
    pop = Population(members, memory_budget=budget, workers=1)  # one pack at a time
    pop.fit(x, y, batch_size=16, epochs=1)
    assert [len(p) for p in pop.packs] == [2, 2, 1]
    assert pop.peak_bytes == 2 * per_member <= budget


@pytest.mark.parametrize("bad", [0, -5, 1.5, True])
def test_bad_memory_budget_is_refused(bad):
    with pytest.raises(ValueError, match="memory_budget"):
        Population([_member((3,))], memory_budget=bad)


def test_uncompiled_member_is_refused():
    with pytest.raises(ValueError, match="model 0 .* not compiled"):
        Population([mlp((3,))])


def test_deep_ensemble_predicts_mean_and_spread_in_one_call():
    def build():
        model = keras.Sequential(
            [keras.layers.Input(shape=(6,)), keras.layers.Dense(6, activation="relu"),
             keras.layers.Dense(1)])
        model.compile(optimizer=O.SGD(0.02), loss="mse")
        return model

    ensemble = DeepEnsemble(build, seeds=4)
    first = [m.get_weights()[0] for m in ensemble.models]
    assert not np.allclose(first[0], first[1])  # each seed its own initial weights
    x, y = regression_data()
    ensemble.fit(x, y, batch_size=16, epochs=2)
    assert len(ensemble.population.packs) == 1
    mean, std = ensemble.predict(x, return_std=True)
    each = np.stack([m.predict(x, verbose=0) for m in ensemble.models])
    np.testing.assert_allclose(mean, each.mean(axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(std, each.std(axis=0), rtol=1e-4, atol=1e-6)
    assert np.all(std > 0)


def test_deep_ensemble_refuses_duplicate_seeds():
    with pytest.raises(ValueError, match="distinct"):
        DeepEnsemble(lambda: None, seeds=[1, 1])


def test_a_group_is_cut_where_padding_costs_more_than_another_pack():
    small = [_member((2,), seed=i) for i in range(3)]
    large = [_member((500,), seed=i) for i in range(2)]
    tiny_deep = [_member((3, 2), seed=i) for i in range(2)]
    pop = Population(small + large + tiny_deep)
    groups, _ = pop.groups()
    packs = [sorted(s.index for s in p) for g in groups for p in pop._split(g, 32)]
    assert sorted(packs) == [[0, 1, 2, 5, 6], [3, 4]]  # the deeper narrow ones join
    similar = Population([_member((w,), seed=w) for w in (20, 24, 30)])
    groups, _ = similar.groups()
    assert [len(p) for p in similar._split(groups[0], 32)] == [3]


def test_a_group_whose_activations_outgrow_the_cache_is_cut():
    members = [_member((30,), seed=i) for i in range(70)]  # 70 x 32 x 30 floats > 256 KiB
    population = Population(members)
    groups, _ = population.groups()
    packs = population._split(groups[0], 32)
    assert len(packs) == 2 and all(len(p) * 32 * 30 * 4 <= 256 << 10 for p in packs)


def test_hidden_softmax_layers_of_different_widths_do_not_pack():
    members = [_member((4,), activation="softmax"), _member((6,), activation="softmax"),
               _member((4,), seed=1, activation="softmax")]
    groups, _ = Population(members).groups()
    assert sorted(sorted(s.index for s in g) for g in groups) == [[0, 2], [1]]
