"""Reshape, RepeatVector and Permute."""

import numpy as np
import pytest

from neuroflow.layers import Input, Permute, RepeatVector, Reshape

X = np.arange(24, dtype="float32").reshape(2, 12)


def test_reshape_resolves_minus_one():
    out = Reshape((3, -1))(X)
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out.data, X.reshape(2, 3, 4))


def test_reshape_symbolic_shape():
    assert Reshape((4, 3))(Input(shape=[12])).shape == (None, 4, 3)


def test_reshape_of_wrong_size_names_the_layer():
    with pytest.raises(ValueError, match="reshape_here"):
        Reshape((5, 5), name="reshape_here")(Input(shape=[12]))


def test_repeat_vector_repeats_along_a_new_axis():
    out = RepeatVector(3)(X).data
    assert out.shape == (2, 3, 12)
    np.testing.assert_array_equal(out[:, 1], X)


def test_repeat_vector_needs_2d_inputs():
    with pytest.raises(ValueError, match="2 axes"):
        RepeatVector(2)(Input(shape=[3, 4]))


def test_permute_swaps_axes():
    x = X.reshape(2, 3, 4)
    out = Permute((2, 1))(x).data
    np.testing.assert_array_equal(out, x.transpose(0, 2, 1))


def test_permute_rejects_a_non_permutation():
    with pytest.raises(ValueError, match="permutation"):
        Permute((1, 1))
