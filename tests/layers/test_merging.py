"""Merging layers and their functional twins, on symbolic and concrete inputs."""

import numpy as np
import pytest

from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers import (
    Add,
    Average,
    Concatenate,
    Dot,
    Input,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    concatenate,
    dot,
    subtract,
)

A = np.array([[1.0, -2.0, 3.0], [0.5, 4.0, -1.0]], dtype="float32")
B = np.array([[2.0, 1.0, -3.0], [1.5, -4.0, 2.0]], dtype="float32")


@pytest.mark.parametrize("layer_cls, expected", [
    (Add, A + B), (Subtract, A - B), (Multiply, A * B), (Average, (A + B) / 2),
    (Maximum, np.maximum(A, B)), (Minimum, np.minimum(A, B)),
])
def test_elementwise_layer_matches_numpy(layer_cls, expected):
    out = layer_cls()([A, B])
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)


def test_concatenate_layer_joins_last_axis():
    out = Concatenate()([A, B[:, :2]])
    np.testing.assert_array_equal(out.data, np.concatenate([A, B[:, :2]], axis=-1))



def test_concatenate_function_on_symbolic_tensors_infers_shape():
    out = concatenate([Input(shape=[5]), Input(shape=[30])])
    assert out.shape == (None, 35)


def test_concatenate_mismatched_shapes_names_the_layer():
    with pytest.raises(ValueError, match="concat_here.*shapes"):
        Concatenate(name="concat_here")([Input(shape=[2, 3]), Input(shape=[4, 3])])


def test_add_of_incompatible_shapes_is_refused():
    with pytest.raises(ValueError, match="same shape"):
        Add()([Input(shape=[3]), Input(shape=[4])])


def test_subtract_needs_exactly_two_inputs():
    with pytest.raises(ValueError, match="exactly 2"):
        Subtract()([Input(shape=[3])] * 3)


def test_merge_layer_refuses_a_single_tensor():
    with pytest.raises(ValueError, match="list of inputs"):
        Add()(Input(shape=[3]))


def test_functional_add_and_subtract_on_concrete_arrays():
    np.testing.assert_allclose(add([A, B]).data, A + B)
    np.testing.assert_allclose(subtract([A, B]).data, A - B)


def test_dot_of_vectors_gives_one_value_per_sample():
    out = Dot(axes=1)([A, B])
    np.testing.assert_allclose(out.data, (A * B).sum(axis=1, keepdims=True), rtol=1e-6)


def test_dot_normalized_is_cosine_similarity():
    out = dot([A, B], axes=1, normalize=True)
    cos = (A * B).sum(1) / (np.linalg.norm(A, axis=1) * np.linalg.norm(B, axis=1))
    np.testing.assert_allclose(out.data[:, 0], cos, rtol=1e-5)


def test_dot_of_matrices_contracts_the_given_axes():
    x = np.arange(24, dtype="float32").reshape(2, 3, 4)
    y = np.arange(30, dtype="float32").reshape(2, 3, 5)
    out = Dot(axes=1)([x, y])
    np.testing.assert_allclose(out.data, np.einsum("bij,bik->bjk", x, y))
    assert Dot(axes=1).compute_output_shape([(None, 3, 4), (None, 3, 5)]) == (None, 4, 5)


def test_concatenate_gradient_flows_to_both_inputs():
    from neuroflow.autodiff.tensor import GradientTape
    a, b = Tensor(A, requires_grad=True), Tensor(B, requires_grad=True)
    with GradientTape() as tape:
        loss = (concatenate([a, b]) * 2.0).sum()
    ga, gb = tape.gradient(loss, [a, b])
    np.testing.assert_allclose(ga.data, np.full_like(A, 2.0))
    np.testing.assert_allclose(gb.data, np.full_like(B, 2.0))


def test_concatenate_config_round_trips():
    layer = Concatenate(axis=1, name="cat")
    clone = Concatenate.from_config(layer.get_config())
    assert clone.axis == 1 and clone.name == "cat"
