"""Shape ops and indexing: VJPs against finite differences."""

import numpy as np
import pytest

from neuroflow.autodiff import GradientTape, Tensor
from neuroflow.autodiff import shape_ops as s

from ._helpers import check_gradients, rand


@pytest.mark.parametrize("shape", [(4, 6), (-1,), (2, -1, 3), (24,)], ids=str)
def test_reshape_gradient(shape):
    check_gradients(lambda x: s.reshape(x, shape), rand(2, 3, 4))


def test_reshape_method_accepts_separate_sizes():
    assert Tensor(rand(2, 3)).reshape(3, 2).shape == (3, 2)


@pytest.mark.parametrize("axes", [None, (2, 0, 1), (-1, 0, 1), (0, -1, -2)], ids=str)
def test_transpose_gradient(axes):
    check_gradients(lambda x: s.transpose(x, axes), rand(2, 3, 4))


def test_transpose_property_gradient():
    check_gradients(lambda x: x.T, rand(2, 3))


INDICES = {
    "int": 1,
    "negative_int": -1,
    "slice": slice(1, None),
    "slice_step": (slice(None), slice(None, None, 2)),
    "ellipsis_newaxis": (Ellipsis, None),
    "int_and_slice": (0, slice(1, 3)),
    "int_array_with_repeats": [0, 0, 2, 0],
    "int_arrays_per_axis": (np.array([0, 1, 1]), np.array([2, 2, 0])),
    "array_and_slice": (slice(None), np.array([3, 3, 1])),
    "boolean_mask": np.array([True, False, True]),
    "boolean_mask_full": rand(3, 4, seed=5) > 0,
}


@pytest.mark.parametrize("name", sorted(INDICES))
def test_getitem_gradient(name):
    index = INDICES[name]
    check_gradients(lambda x: x[index], rand(3, 4))


def test_repeated_integer_indices_accumulate_gradients():
    x = Tensor(np.zeros(3), requires_grad=True)
    with GradientTape() as tape:
        y = x[[0, 0, 2, 0]]
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [3.0, 0.0, 1.0])


def test_getitem_accepts_a_tensor_index():
    index = Tensor(np.array([2, 0]))
    check_gradients(lambda x: x[index], rand(3))


def test_getitem_accepts_a_tuple_of_tensor_indices():
    index = (Tensor(np.array([1, 0])), Tensor(np.array([2, 2])))
    check_gradients(lambda x: x[index], rand(2, 3))


def test_iterating_a_tensor_yields_differentiable_rows():
    check_gradients(lambda x: s.stack(list(x)[::-1]), rand(3, 2))


@pytest.mark.parametrize("axis", [0, 1, -1], ids=str)
def test_concatenate_gradient(axis):
    shapes = [(2, 3), (2, 3), (2, 3)]
    if axis == 0:
        shapes = [(1, 3), (2, 3), (3, 3)]
    elif axis in (1, -1):
        shapes = [(2, 1), (2, 2), (2, 4)]
    arrays = [rand(*shape, seed=i) for i, shape in enumerate(shapes)]
    check_gradients(lambda a, b, c: s.concatenate([a, b, c], axis=axis), *arrays)


def test_concatenate_of_nothing_is_an_error():
    with pytest.raises(ValueError, match="at least one tensor"):
        s.concatenate([])


def test_concatenate_with_a_constant_gives_gradient_to_the_tensor_only():
    c = np.ones((2, 1))
    check_gradients(lambda a: s.concatenate([c, a], axis=1), rand(2, 2))


@pytest.mark.parametrize("axis", [0, 1, -1, 2], ids=str)
def test_stack_gradient(axis):
    check_gradients(lambda a, b: s.stack([a, b], axis=axis), rand(2, 3, seed=1), rand(2, 3, seed=2))


@pytest.mark.parametrize("axis", [0, -1, 1], ids=str)
def test_expand_dims_gradient(axis):
    check_gradients(lambda x: s.expand_dims(x, axis), rand(2, 3))


@pytest.mark.parametrize("axis", [None, 1, -1], ids=str)
def test_squeeze_gradient(axis):
    check_gradients(lambda x: s.squeeze(x, axis), rand(2, 1, 1))


def test_flatten_batch_gradient():
    check_gradients(s.flatten_batch, rand(2, 3, 2))


def test_one_hot_is_a_constant_of_floatx():
    out = s.one_hot(np.array([2, 0]), 3)
    assert (out.dtype, out.requires_grad) == (np.float32, False)
    np.testing.assert_array_equal(out.numpy(), [[0, 0, 1], [1, 0, 0]])
