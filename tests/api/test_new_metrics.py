"""Keras 3 metrics of part B (F-scores, IoU family, R2, correlations, metrics at a
threshold) against Keras' numbers over two batches, one weighted
(data/keras_reference_b.json); config round trips; use inside compile/fit/save."""

import contextlib
import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import metrics

REF = json.loads((Path(__file__).parent / "data" / "keras_reference_b.json").read_text())
CASES = {k: v for k, v in REF["metrics"].items() if not k.startswith("_")}


def _arrays(case):
    t, p = np.asarray(case["y_true"]), np.asarray(case["y_pred"])
    w = None if case["weights"] is None else np.asarray(case["weights"], dtype="float32")
    return t, p, w


@pytest.mark.parametrize("key", sorted(CASES))
def test_metric_matches_keras_over_two_batches(key):
    case = CASES[key]
    metric = getattr(metrics, case["class"])(**case["kwargs"])
    t, p, w = _arrays(case)
    half = len(t) // 2
    metric.update_state(t[:half], p[:half])
    np.testing.assert_allclose(metric.result(), case["first"], rtol=2e-5, atol=1e-6)
    truncated = w is not None and "IoU" in case["class"]  # int confusion matrix, as Keras
    with pytest.warns(UserWarning, match="truncated") if truncated else contextlib.nullcontext():
        metric.update_state(t[half:], p[half:], sample_weight=None if w is None else w[half:])
    np.testing.assert_allclose(metric.result(), case["result"], rtol=2e-5, atol=1e-6)


def test_iou_weights_by_fractions_with_a_float_dtype():
    metric = metrics.MeanIoU(num_classes=2, dtype="float32")
    metric.update_state([0, 1, 1], [0, 1, 0], sample_weight=[0.5, 1.5, 0.5])
    # class 0: 0.5 / (0.5 + 0.5), class 1: 1.5 / (1.5 + 0.5)
    np.testing.assert_allclose(metric.result(), (0.5 + 0.75) / 2, rtol=1e-6)


@pytest.mark.parametrize("key", sorted(CASES))
def test_reset_state_starts_over(key):
    case = CASES[key]
    metric = getattr(metrics, case["class"])(**case["kwargs"])
    t, p, _ = _arrays(case)
    metric.update_state(t[::-1], p)
    metric.reset_state()
    half = len(t) // 2
    metric.update_state(t[:half], p[:half])
    np.testing.assert_allclose(metric.result(), case["first"], rtol=2e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REF["metrics"]["_functions"]))
def test_metric_function_matches_keras(name):
    case = {"pearson_correlation": "PearsonCorrelation",
            "concordance_correlation": "ConcordanceCorrelation"}.get(name)
    if case:
        t, p, _ = _arrays(CASES[case])
    elif name == "huber":
        t, p, _ = _arrays(CASES["R2Score"])
    else:
        loss_case = REF["losses"]["BinaryFocalCrossentropy" if name.startswith("binary")
                                  else "CategoricalFocalCrossentropy"]
        t, p = np.asarray(loss_case["y_true"]), np.asarray(loss_case["y_pred"])
    out = getattr(metrics, name)(t.astype("float32"), p.astype("float32"))
    np.testing.assert_allclose(out, REF["metrics"]["_functions"][name], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", sorted({c["class"] for c in CASES.values()}))
def test_config_round_trip(key):
    case = next(c for c in CASES.values() if c["class"] == key)
    metric = getattr(metrics, key)(**case["kwargs"], name="mine")
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is type(metric) and again.get_config() == metric.get_config()


def test_new_metrics_work_in_compile_fit_and_reload(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(40, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-0.5], [0.2]], dtype="float32")).astype("float32")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse",
                  metrics=[metrics.R2Score(), metrics.PearsonCorrelation(axis=0)])
    history = model.fit(x, y, epochs=2, batch_size=40, verbose=0)
    assert {"r2_score", "pearson_correlation"} <= set(history.history)
    model.save(tmp_path / "m.keras")
    again = keras.models.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(again.evaluate(x, y, verbose=0), model.evaluate(x, y, verbose=0),
                               rtol=1e-6)


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="average must be one of"):
        metrics.F1Score(average="mean")
    with pytest.raises(ValueError, match="target_class_ids"):
        metrics.IoU(num_classes=3, target_class_ids=[3])
    with pytest.raises(ValueError, match="recall must be a number in"):
        metrics.PrecisionAtRecall(recall=1.5)
    with pytest.raises(ValueError, match=r"\(batch, classes\)"):
        metrics.F1Score().update_state(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match="class_aggregation"):
        metrics.R2Score(class_aggregation="median")
