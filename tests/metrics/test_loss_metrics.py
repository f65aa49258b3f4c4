import numpy as np
import pytest

from neuroflow import metrics
from neuroflow.autodiff import GradientTape, Tensor

T = np.array([[1.0, 2.0], [3.0, 4.0]])
P = np.array([[1.5, 2.0], [2.0, 6.0]])


def test_mse_function_returns_numpy_per_sample():
    out = metrics.mean_squared_error(T, P)
    assert isinstance(out, np.ndarray)
    np.testing.assert_allclose(out, ((T - P) ** 2).mean(-1))


@pytest.mark.parametrize("metric,expected", [
    (metrics.MeanSquaredError(), ((T - P) ** 2).mean()),
    (metrics.MeanAbsoluteError(), np.abs(T - P).mean()),
    (metrics.MeanAbsolutePercentageError(), 100 * np.abs((T - P) / T).mean()),
    (metrics.MeanSquaredLogarithmicError(), ((np.log1p(T) - np.log1p(P)) ** 2).mean()),
    (metrics.RootMeanSquaredError(), np.sqrt(((T - P) ** 2).mean())),
    (metrics.LogCoshError(), np.log(np.cosh(P - T)).mean()),
])
def test_regression_metric_update_result_reset(metric, expected):
    metric.reset_state()
    metric.update_state(T, P)
    assert metric.result() == pytest.approx(expected, rel=1e-5)
    metric.reset_state()
    assert metric.result() == 0.0


def test_root_mean_squared_error_over_batches_is_global():
    m = metrics.RootMeanSquaredError()
    m.update_state([[0.0]], [[3.0]])
    m.update_state([[0.0]], [[1.0]])
    assert m.result() == pytest.approx(np.sqrt(5.0))


def test_root_mean_squared_error_with_sample_weight():
    m = metrics.RootMeanSquaredError()
    m.update_state([0.0, 0.0], [3.0, 1.0], sample_weight=[1.0, 0.0])
    assert m.result() == pytest.approx(3.0)


def test_cosine_similarity_is_positive_when_aligned():
    m = metrics.CosineSimilarity()
    m.update_state([[1.0, 0.0]], [[2.0, 0.0]])
    assert m.result() == pytest.approx(1.0)


def test_regression_metric_reads_tensor_predictions_without_recording():
    p = Tensor(P.astype(np.float32), requires_grad=True)
    m = metrics.MeanSquaredError()
    with GradientTape():
        m.update_state(T, p)
    assert m.result() == pytest.approx(((T - P) ** 2).mean())


def test_binary_crossentropy_metric_clips_like_keras():
    m = metrics.BinaryCrossentropy()
    m.update_state([[1.0], [0.0]], [[0.8], [0.4]])
    assert m.result() == pytest.approx(-(np.log(0.8) + np.log(0.6)) / 2, rel=1e-5)


def test_binary_crossentropy_metric_from_logits():
    m = metrics.BinaryCrossentropy(from_logits=True)
    m.update_state([[1.0]], [[0.0]])
    assert m.result() == pytest.approx(np.log(2.0), rel=1e-5)


def test_categorical_crossentropy_metric():
    m = metrics.CategoricalCrossentropy()
    m.update_state([[0.0, 1.0], [1.0, 0.0]], [[0.2, 0.8], [0.5, 0.5]])
    assert m.result() == pytest.approx(-(np.log(0.8) + np.log(0.5)) / 2, rel=1e-5)


def test_sparse_categorical_crossentropy_metric():
    m = metrics.SparseCategoricalCrossentropy()
    m.update_state([1, 0], [[0.2, 0.8], [0.5, 0.5]])
    assert m.result() == pytest.approx(-(np.log(0.8) + np.log(0.5)) / 2, rel=1e-5)


def test_kl_divergence_metric():
    m = metrics.KLDivergence()
    m.update_state([[0.5, 0.5]], [[0.25, 0.75]])
    expected = 0.5 * np.log(0.5 / 0.25) + 0.5 * np.log(0.5 / 0.75)
    assert m.result() == pytest.approx(expected, rel=1e-5)


def test_poisson_metric():
    m = metrics.Poisson()
    m.update_state([[2.0]], [[1.0]])
    assert m.result() == pytest.approx(1.0, rel=1e-5)


@pytest.mark.parametrize("metric,expected", [
    (metrics.Hinge(), (0.4 + 0.0) / 2),
    (metrics.SquaredHinge(), (0.16 + 0.0) / 2),
])
def test_hinge_metrics(metric, expected):
    metric.update_state([[1.0, 0.0]], [[0.6, -1.5]])
    assert metric.result() == pytest.approx(expected, rel=1e-5)


def test_categorical_hinge_metric():
    m = metrics.CategoricalHinge()
    m.update_state([[0.0, 1.0]], [[0.3, 0.6]])
    assert m.result() == pytest.approx(0.7, rel=1e-5)
