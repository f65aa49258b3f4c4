"""Activation kernels, the fused dense op and the fused cross-entropies."""

import math

import numpy as np
import pytest

from neuroflow.autodiff import GradientTape, Tensor
from neuroflow.autodiff import nn_ops as n

from ._helpers import check_gradients, rand

# Away from every kink: relu/leaky_relu/elu/selu at 0, hard_sigmoid at +-3, relu6 at 6.
AWAY_FROM_KINKS = np.array([[-3.7, -1.2, -0.4], [0.3, 1.1, 2.6]])
_erfc = np.vectorize(math.erfc)
_selu_alpha, _selu_scale = 1.6732632423543772, 1.0507009873554805
REFERENCE = {  # float64 forward values at AWAY_FROM_KINKS, written from the definitions
    "linear": lambda z: z,
    "relu": lambda z: np.maximum(z, 0),
    "relu6": lambda z: np.minimum(np.maximum(z, 0), 6),
    "sigmoid": lambda z: 1 / (1 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True),
    "softplus": lambda z: np.log(1 + np.exp(z)),
    "softsign": lambda z: z / (1 + np.abs(z)),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1),
    "selu": lambda z: _selu_scale * np.where(z > 0, z, _selu_alpha * (np.exp(z) - 1)),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.2 * z),
    "gelu": lambda z: 0.5 * z * _erfc(-z / math.sqrt(2)),
    "gelu_tanh": lambda z: 0.5 * z * (1 + np.tanh(math.sqrt(2 / math.pi) * (z + 0.044715 * z**3))),
    "swish": lambda z: z / (1 + np.exp(-z)),
    "silu": lambda z: z / (1 + np.exp(-z)),
    "exponential": np.exp,
    "hard_sigmoid": lambda z: np.clip(z / 6 + 0.5, 0, 1),
    "mish": lambda z: z * np.tanh(np.log(1 + np.exp(z))),
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_kernel_forward_matches_its_definition(name):
    got = n.activation(Tensor(AWAY_FROM_KINKS), n.KERNELS[name]).numpy()
    np.testing.assert_allclose(got, REFERENCE[name](AWAY_FROM_KINKS), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", sorted(n.KERNELS))
def test_kernel_gradient(name):
    check_gradients(lambda x: n.activation(x, n.KERNELS[name]), AWAY_FROM_KINKS)


@pytest.mark.parametrize("name", sorted(n.KERNELS))
def test_kernel_does_not_modify_its_input(name):
    x = AWAY_FROM_KINKS.copy()
    n.activation(Tensor(x), n.KERNELS[name])
    np.testing.assert_array_equal(x, AWAY_FROM_KINKS)


def test_sigmoid_is_stable_for_large_inputs():
    out = n.activation(Tensor(np.array([-800.0, 800.0])), n.KERNELS["sigmoid"]).numpy()
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_leaky_relu_kernel_uses_its_slope():
    check_gradients(lambda x: n.activation(x, n.leaky_relu_kernel(0.05)), AWAY_FROM_KINKS)


def test_elu_kernel_uses_its_alpha():
    out = n.activation(Tensor(np.array([-1.0])), n.elu_kernel(2.0)).numpy()
    np.testing.assert_allclose(out, 2.0 * np.expm1([-1.0]))


@pytest.mark.parametrize("axis", [-1, 0, 1], ids=str)
def test_softmax_gradient(axis):
    check_gradients(lambda x: n.softmax(x, axis=axis), rand(3, 4))


@pytest.mark.parametrize("axis", [-1, 0], ids=str)
def test_log_softmax_gradient(axis):
    check_gradients(lambda x: n.log_softmax(x, axis=axis), rand(3, 4))


def test_log_softmax_is_the_log_of_softmax():
    x = Tensor(rand(2, 3))
    np.testing.assert_allclose(np.exp(n.log_softmax(x).numpy()), n.softmax(x).numpy())


@pytest.mark.parametrize("name", sorted(n.KERNELS))
def test_dense_gradient_with_bias(name):
    act = n.KERNELS[name]
    check_gradients(
        lambda x, w, b: n.dense(x, w, b, act), rand(4, 3, seed=1), rand(3, 2, seed=2),
        rand(2, seed=3),
    )


def test_dense_gradient_without_bias():
    act = n.KERNELS["tanh"]
    check_gradients(lambda x, w: n.dense(x, w, None, act), rand(4, 3, seed=1), rand(3, 2, seed=2))


@pytest.mark.parametrize("name", ["linear", "relu", "softmax"])
def test_dense_gradient_with_3d_input(name):
    act = n.KERNELS[name]
    check_gradients(
        lambda x, w, b: n.dense(x, w, b, act), rand(2, 3, 4, seed=1), rand(4, 5, seed=2),
        rand(5, seed=3),
    )


def test_dense_gradient_with_1d_input():
    act = n.KERNELS["sigmoid"]
    check_gradients(lambda x, w: n.dense(x, w, None, act), rand(3, seed=1), rand(3, 2, seed=2))


def test_dense_equals_its_unfused_ops():
    x, w, b = rand(2, 3, 4, seed=1), rand(4, 5, seed=2), rand(5, seed=3)
    fused = n.dense(Tensor(x), Tensor(w), Tensor(b), n.KERNELS["relu"]).numpy()
    np.testing.assert_allclose(fused, np.maximum(x @ w + b, 0), rtol=1e-12)


def test_dense_skips_gradients_of_constant_inputs():
    x = Tensor(rand(4, 3))
    w = Tensor(rand(3, 2), requires_grad=True)
    b = Tensor(rand(2))
    with GradientTape() as tape:
        y = n.dense(x, w, b, n.KERNELS["relu"])
    gx, gw, gb = tape.gradient(y, [x, w, b])
    assert (gx, gb) == (None, None) and gw.shape == (3, 2)


def test_sparse_softmax_cross_entropy_gradient():
    labels = np.array([2, 0, 1, 2])
    check_gradients(lambda z: n.sparse_softmax_cross_entropy(z, labels), rand(4, 3))


def test_sparse_softmax_cross_entropy_gradient_with_3d_logits():
    labels = np.array([[0, 3, 1], [2, 2, 0]])
    check_gradients(lambda z: n.sparse_softmax_cross_entropy(z, labels), rand(2, 3, 4))


def test_sparse_softmax_cross_entropy_value():
    z, labels = rand(4, 3), np.array([2, 0, 1, 2])
    expected = -np.log(REFERENCE["softmax"](z))[np.arange(4), labels]
    got = n.sparse_softmax_cross_entropy(Tensor(z), labels).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sparse_softmax_cross_entropy_accepts_column_labels():
    z, labels = rand(3, 4), np.array([[1], [0], [3]])
    assert n.sparse_softmax_cross_entropy(Tensor(z), labels).shape == (3,)


@pytest.mark.parametrize("label", [3, -1], ids=["too_large", "negative"])
def test_sparse_softmax_cross_entropy_rejects_labels_out_of_range(label):
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 3\)"):
        n.sparse_softmax_cross_entropy(Tensor(rand(2, 3)), np.array([0, label]))


def test_sparse_softmax_cross_entropy_rejects_a_wrong_number_of_labels():
    with pytest.raises(ValueError, match="3 labels for logits of shape"):
        n.sparse_softmax_cross_entropy(Tensor(rand(2, 3)), np.array([0, 1, 2]))


@pytest.mark.parametrize("soft", [False, True], ids=["one_hot", "unnormalised"])
@pytest.mark.parametrize("axis", [-1, 0], ids=str)
def test_softmax_cross_entropy_gradient(axis, soft):
    labels = np.eye(4)[[1, 3, 0, 2]] if not soft else np.abs(rand(4, 4, seed=9))
    check_gradients(lambda z: n.softmax_cross_entropy(z, labels, axis=axis), rand(4, 4))


def test_softmax_cross_entropy_value():
    z, labels = rand(3, 4), np.abs(rand(3, 4, seed=9))
    expected = -(labels * np.log(REFERENCE["softmax"](z))).sum(axis=-1)
    got = n.softmax_cross_entropy(Tensor(z), labels).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_softmax_cross_entropy_rejects_mismatched_labels():
    with pytest.raises(ValueError, match=r"labels of shape \(2, 4\) for logits of shape \(2, 3\)"):
        n.softmax_cross_entropy(Tensor(rand(2, 3)), np.ones((2, 4)))


def test_sigmoid_cross_entropy_gradient():
    labels = np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]])
    check_gradients(lambda z: n.sigmoid_cross_entropy(z, labels), rand(2, 3))


def test_sigmoid_cross_entropy_value():
    z, labels = rand(2, 3), np.array([[0.0, 1.0, 0.3], [1.0, 0.0, 0.8]])
    p = 1 / (1 + np.exp(-z))
    expected = -(labels * np.log(p) + (1 - labels) * np.log(1 - p))
    got = n.sigmoid_cross_entropy(Tensor(z), labels).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sigmoid_cross_entropy_rejects_labels_that_would_broadcast():
    with pytest.raises(ValueError, match=r"labels of shape \(3,\) for logits of shape \(3, 1\)"):
        n.sigmoid_cross_entropy(Tensor(rand(3, 1)), np.ones(3))


def test_gelu_is_accurate_deep_in_the_negative_tail():
    z = np.array([-7.0, -5.5, -4.0])
    got = n.activation(Tensor(z), n.KERNELS["gelu"]).numpy()
    np.testing.assert_allclose(got, REFERENCE["gelu"](z), rtol=1e-6)


def test_gelu_gradient_deep_in_the_negative_tail():
    check_gradients(lambda x: n.activation(x, n.KERNELS["gelu"]), np.array([-7.0, -5.5, -4.0]))
