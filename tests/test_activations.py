import math

import numpy as np
import pytest

from neuroflow import activations
from neuroflow.autodiff import GradientTape, Tensor, check_gradients
from neuroflow.autodiff.nn_ops import KERNELS

X = np.array([[-2.5, -0.7, 0.0, 0.3, 1.9, 7.0]], dtype=np.float32)
# Points away from kinks, for finite differences.
XG = np.array([[-2.5, -0.7, 0.3, 1.9, 4.0]])


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def _erf(x):
    return np.vectorize(math.erf)(x)


SELU_A, SELU_S = 1.6732632423543772, 1.0507009873554805

REFERENCE = {
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "leaky_relu": lambda x: np.where(x > 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "selu": lambda x: SELU_S * np.where(x > 0, x, SELU_A * np.expm1(x)),
    "sigmoid": _sigmoid,
    "tanh": np.tanh,
    "softmax": lambda x: np.exp(x) / np.exp(x).sum(-1, keepdims=True),
    "log_softmax": lambda x: x - np.log(np.exp(x).sum(-1, keepdims=True)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "gelu": lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2))),
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "exponential": np.exp,
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1),
    "mish": lambda x: x * np.tanh(np.log1p(np.exp(x))),
    "linear": lambda x: x,
}


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_matches_numpy_formula(name):
    out = activations.get(name)(Tensor(X))
    expected = REFERENCE[name](X.astype(np.float64))
    np.testing.assert_allclose(out.data, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_activation_keeps_float32(name):
    assert activations.get(name)(Tensor(X)).dtype == np.float32


@pytest.mark.parametrize("name", sorted(set(REFERENCE) - {"linear"}))
def test_activation_gradient_matches_finite_differences(name):
    check_gradients(activations.get(name), XG, rtol=1e-4, atol=1e-6)


def test_activation_accepts_numpy_array():
    out = activations.relu(np.array([-1.0, 2.0]))
    assert isinstance(out, Tensor)
    np.testing.assert_array_equal(out.data, [0.0, 2.0])


def test_relu_with_negative_slope_max_value_and_threshold_follows_keras():
    x = np.array([-3.0, 0.5, 1.5, 4.0, 9.0])
    out = activations.relu(x, negative_slope=0.1, max_value=5.0, threshold=1.0)
    expected = np.where(x > 1.0, np.clip(x, 0, 5.0), 0.1 * (x - 1.0))
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)


def test_relu_with_parameters_has_gradients():
    check_gradients(lambda x: activations.relu(x, negative_slope=0.1, max_value=5.0, threshold=1.0),
                    np.array([-3.0, 0.5, 1.5, 4.0, 9.0]))


def test_relu_with_max_value_caps_the_output():
    np.testing.assert_allclose(activations.relu(np.array([-1.0, 3.0, 8.0]), max_value=2.5).data,
                               [0.0, 2.5, 2.5])


def test_relu_rejects_negative_max_value():
    with pytest.raises(ValueError, match="max_value"):
        activations.relu(np.ones(2), max_value=-1.0)


def test_leaky_relu_with_custom_slope():
    out = activations.leaky_relu(np.array([-2.0, 3.0]), negative_slope=0.5)
    np.testing.assert_allclose(out.data, [-1.0, 3.0])


def test_elu_with_custom_alpha():
    np.testing.assert_allclose(activations.elu(np.array([-1.0, 2.0]), alpha=2.0).data,
                               [2.0 * np.expm1(-1.0), 2.0], rtol=1e-6)


def test_gelu_approximate_uses_tanh_formula():
    x = np.array([-1.5, 0.4, 2.0])
    expected = 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))
    np.testing.assert_allclose(activations.gelu(x, approximate=True).data, expected, rtol=1e-6)


def test_softmax_over_first_axis():
    x = np.array([[1.0, 2.0], [3.0, 0.0]])
    expected = np.exp(x) / np.exp(x).sum(0, keepdims=True)
    np.testing.assert_allclose(activations.softmax(x, axis=0).data, expected, rtol=1e-6)


def test_softmax_output_carries_its_logits():
    x = Tensor(X)
    assert activations.softmax(x)._keras_logits is x


def test_softmax_over_other_axis_carries_no_logits():
    assert activations.softmax(np.ones((2, 3)), axis=0)._keras_logits is None


def test_sigmoid_output_carries_its_logits():
    x = Tensor(X)
    assert activations.sigmoid(x)._keras_logits is x


def test_softmax_gradient_flows_to_input():
    x = Tensor(X, requires_grad=True)
    with GradientTape() as tape:
        y = (activations.softmax(x) * np.arange(6.0, dtype=np.float32)).sum()
    assert tape.gradient(y, x).shape == X.shape


def test_get_none_is_linear():
    assert activations.get(None) is activations.linear


def test_get_callable_returns_it():
    def custom(x):
        return x

    assert activations.get(custom) is custom


def test_get_swish_is_silu():
    assert activations.get("swish") is activations.silu


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown activation: 'relux'.*relu"):
        activations.get("relux")


def test_get_rejects_non_callable():
    with pytest.raises(ValueError, match="activation name"):
        activations.get(3)


@pytest.mark.parametrize("name", sorted(set(REFERENCE) - {"swish"}))
def test_serialize_round_trips_through_get(name):
    assert activations.serialize(activations.get(name)) == name


def test_serialize_custom_function_gives_its_name():
    def my_act(x):
        return x

    assert activations.serialize(my_act) == "my_act"


def test_deserialize_keras_style_dict():
    config = {"module": "keras.activations", "class_name": "function", "config": "tanh"}
    assert activations.deserialize(config) is activations.tanh


def test_kernel_for_builtin_default_activation():
    assert activations.kernel_for(activations.relu) is KERNELS["relu"]


def test_kernel_for_none_is_linear():
    assert activations.kernel_for(None) is KERNELS["linear"]


def test_kernel_for_custom_callable_is_none():
    assert activations.kernel_for(lambda x: x) is None


@pytest.mark.parametrize("name", sorted(REFERENCE))
def test_kernel_for_every_builtin_matches_the_function(name):
    fn = activations.get(name)
    kernel = activations.kernel_for(fn)
    np.testing.assert_allclose(kernel.forward(X.copy()), fn(X).data, rtol=1e-6)
