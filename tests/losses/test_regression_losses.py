import numpy as np
import pytest

from neuroflow import losses
from neuroflow.autodiff import GradientTape, Tensor, check_gradients

T = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])
P = np.array([[0.5, -1.0, 2.5], [0.3, 3.5, -4.0]])
EPS = 1e-7


def _huber(t, p, delta=1.0):
    e = np.abs(p - t)
    return np.where(e <= delta, 0.5 * e**2, delta * e - 0.5 * delta**2).mean(-1)


def _l2n(x):
    return x / np.sqrt(np.maximum((x**2).sum(-1, keepdims=True), EPS**2))


REFERENCE = {
    "mean_squared_error": lambda t, p: ((t - p) ** 2).mean(-1),
    "mean_absolute_error": lambda t, p: np.abs(t - p).mean(-1),
    "mean_absolute_percentage_error":
        lambda t, p: 100 * np.abs((t - p) / np.maximum(np.abs(t), EPS)).mean(-1),
    "mean_squared_logarithmic_error":
        lambda t, p: ((np.log1p(np.maximum(p, EPS)) - np.log1p(np.maximum(t, EPS))) ** 2).mean(-1),
    "huber": _huber,
    "log_cosh": lambda t, p: np.log(np.cosh(p - t)).mean(-1),
    "cosine_similarity": lambda t, p: -(_l2n(t) * _l2n(p)).sum(-1),
}

CLASSES = {
    "mean_squared_error": losses.MeanSquaredError,
    "mean_absolute_error": losses.MeanAbsoluteError,
    "mean_absolute_percentage_error": losses.MeanAbsolutePercentageError,
    "mean_squared_logarithmic_error": losses.MeanSquaredLogarithmicError,
    "huber": losses.Huber,
    "log_cosh": losses.LogCosh,
    "cosine_similarity": losses.CosineSimilarity,
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_function_matches_numpy_formula(name):
    out = getattr(losses, name)(T, P)
    np.testing.assert_allclose(out.data, REFERENCE[name](T, P), rtol=1e-5)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_class_reduces_to_mean_of_function(name):
    out = CLASSES[name]()(T, P)
    np.testing.assert_allclose(out.data, REFERENCE[name](T, P).mean(), rtol=1e-5)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_gradient_with_respect_to_y_pred(name):
    fn = getattr(losses, name)
    check_gradients(lambda p: fn(T, p), P, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("name", ["mean_squared_error", "mean_absolute_error", "huber",
                                  "log_cosh"])
def test_fused_error_loss_gradient_reaches_y_true(name):
    fn = getattr(losses, name)
    check_gradients(fn, T, P, rtol=1e-4, atol=1e-6)


def test_huber_with_delta():
    out = losses.huber(T, P, delta=0.5)
    np.testing.assert_allclose(out.data, _huber(T, P, 0.5), rtol=1e-6)


def test_huber_rejects_non_positive_delta():
    with pytest.raises(ValueError, match="delta"):
        losses.Huber(delta=0.0)


def test_log_cosh_stays_finite_for_large_errors():
    out = losses.log_cosh(np.zeros((1, 1)), np.array([[1000.0]]))
    np.testing.assert_allclose(out.data, [1000.0 - np.log(2.0)])


def test_mse_keeps_float32():
    out = losses.mean_squared_error(T, P.astype(np.float32))
    assert out.dtype == np.float32


def test_mse_of_y_true_shape_n_against_y_pred_n_by_1():
    out = losses.mean_squared_error(np.array([1.0, 2.0]), np.array([[0.0], [4.0]]))
    np.testing.assert_allclose(out.data, [1.0, 4.0])


def test_mse_of_y_true_n_by_1_against_y_pred_shape_n():
    out = losses.mean_squared_error(np.array([[1.0], [2.0]]), np.array([0.0, 4.0]))
    np.testing.assert_allclose(out.data, [1.0, 4.0])


def test_shape_mismatch_names_the_loss_and_both_shapes():
    with pytest.raises(ValueError, match=r"mean_squared_error.*\(2, 3\).*\(2, 2\)"):
        losses.mean_squared_error(np.zeros((2, 3)), np.zeros((2, 2)))


def test_cosine_similarity_of_aligned_vectors_is_minus_one():
    out = losses.cosine_similarity(np.array([[1.0, 2.0]]), np.array([[2.0, 4.0]]))
    np.testing.assert_allclose(out.data, [-1.0], rtol=1e-6)


def test_mse_on_linear_output_adds_two_graph_nodes():
    w = Tensor(np.ones((2, 1), dtype=np.float32), requires_grad=True)
    x = np.ones((4, 2), dtype=np.float32)
    with GradientTape():
        y_pred = Tensor(x) @ w
        loss = losses.MeanSquaredError()(np.zeros((4, 1), dtype=np.float32), y_pred)
    per_sample = loss._parents[0]
    assert per_sample._parents[1] is y_pred
