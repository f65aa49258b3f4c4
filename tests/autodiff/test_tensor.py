"""Tensor and Variable: NumPy interop, conversion, assignment."""

import numpy as np
import pytest

import neuroflow
from neuroflow.autodiff import GradientTape, Tensor, Variable, convert_to_tensor

from ._helpers import check_gradients, positive, rand


@pytest.mark.parametrize(
    "ufunc", [np.exp, np.log, np.sqrt, np.square, np.tanh, np.negative, np.abs, np.sin],
    ids=lambda u: u.__name__,
)
def test_numpy_unary_ufunc_on_a_tensor_records_a_gradient(ufunc):
    check_gradients(lambda x: ufunc(x), positive(2, 3))


@pytest.mark.parametrize(
    "ufunc", [np.add, np.subtract, np.multiply, np.divide, np.power, np.maximum, np.matmul],
    ids=lambda u: u.__name__,
)
def test_numpy_binary_ufunc_on_a_tensor_records_a_gradient(ufunc):
    check_gradients(lambda a, b: ufunc(a, b), positive(3, 3, seed=1), positive(3, 3, seed=2))


def test_ndarray_on_the_left_of_a_tensor_records_a_gradient():
    c = np.array([1.0, 2.0])
    check_gradients(lambda x: c * x - c, rand(2))


def test_numpy_ufunc_without_a_gradient_is_refused_under_a_tape():
    x = Variable([1.0, 2.0])
    with GradientTape(), pytest.raises(NotImplementedError, match="numpy.arctan has no gradient"):
        np.arctan(x)


def test_numpy_ufunc_without_a_gradient_works_outside_a_tape():
    np.testing.assert_allclose(np.arctan(Tensor(np.array([1.0]))), [np.pi / 4])


def test_numpy_comparison_ufunc_works_under_a_tape():
    x = Variable([1.0, -2.0])
    with GradientTape():
        mask = np.greater(x, 0)
    np.testing.assert_array_equal(mask, [True, False])


@pytest.mark.parametrize("fn", [np.sum, np.mean, np.max, np.min], ids=lambda f: f.__name__)
def test_numpy_reduction_function_on_a_tensor(fn):
    x = rand(2, 3)
    np.testing.assert_allclose(fn(Tensor(x), axis=0).numpy(), fn(x, axis=0))


def test_numpy_reduction_with_unsupported_arguments_is_an_error():
    with pytest.raises(TypeError, match=r"unsupported argument\(s\) \['dtype'\]"):
        np.sum(Tensor([1.0]), dtype=np.float64)


def test_np_array_of_a_tensor_is_a_copy():
    t = Tensor(np.zeros(2))
    np.array(t)[0] = 5.0
    assert t.numpy()[0] == 0.0


def test_np_asarray_of_a_tensor_shares_its_buffer():
    t = Tensor(np.zeros(2))
    assert np.asarray(t) is t.numpy()


def test_np_asarray_with_a_dtype_converts():
    assert np.asarray(Tensor(np.zeros(2)), dtype=np.float32).dtype == np.float32


def test_comparisons_give_boolean_constants():
    out = Variable([1.0, 3.0]) > 2.0
    assert out.dtype == bool and not out.requires_grad


def test_convert_to_tensor_passes_a_tensor_through():
    t = Tensor([1.0])
    assert convert_to_tensor(t) is t


def test_convert_to_tensor_with_a_new_dtype_keeps_the_gradient():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = convert_to_tensor(x, "float64") * 3.0
    assert y.dtype == np.float64 and tape.gradient(y, x).numpy().tolist() == [3.0, 3.0]


def test_convert_to_tensor_wraps_a_list_in_floatx():
    assert convert_to_tensor([1.0, 2.0]).dtype == np.float32


def test_tensor_astype_keeps_the_gradient():
    check_gradients(lambda x: x.astype(np.float64) * 2.0, rand(2))


def test_package_exports_the_engine():
    assert neuroflow.GradientTape is GradientTape and neuroflow.Variable is Variable


def test_variable_is_trainable_by_default():
    v = Variable([1.0])
    assert v.trainable and v.requires_grad


def test_variable_set_not_trainable_stops_its_gradient():
    v = Variable([1.0])
    v.trainable = False
    assert not v.requires_grad


def test_variable_accepts_an_initializer_callable():
    assert Variable(lambda: np.ones((2, 2))).shape == (2, 2)


def test_variable_assign_overwrites_in_place():
    v = Variable([1.0, 2.0])
    buffer = v.numpy()
    v.assign([3.0, 4.0])
    assert v.numpy() is buffer and buffer.tolist() == [3.0, 4.0]


def test_variable_assign_with_wrong_shape_is_a_value_error():
    v = Variable([1.0, 2.0], name="kernel")
    with pytest.raises(ValueError, match=r"'kernel'.*shape \(3,\).*shape \(2,\)"):
        v.assign([1.0, 2.0, 3.0])


def test_variable_assign_add_and_sub():
    v = Variable([1.0, 2.0])
    v.assign_add([1.0, 1.0]).assign_sub([0.5, 0.5])
    assert v.numpy().tolist() == [1.5, 2.5]
