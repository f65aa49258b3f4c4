"""The activations added for Keras 3 parity: values against Keras (numpy backend),
gradients against finite differences, lookup by name."""

import json
from pathlib import Path

import numpy as np
import pytest

from neuroflow import activations
from neuroflow.autodiff import check_gradients

REF = json.loads((Path(__file__).parent / "data" / "keras_reference.json").read_text())
X = np.asarray(REF["x"], dtype="float32")


def _fn(key):
    return getattr(activations, key.split("_a2")[0].split("_t1")[0].split("_b1")[0])


@pytest.mark.parametrize("key", sorted(REF["activations"]))
def test_activation_matches_keras(key):
    case = REF["activations"][key]
    out = _fn(key)(X, **case["kwargs"])
    assert out.dtype == np.float32
    np.testing.assert_allclose(out.numpy(), case["y"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", sorted(REF["activations"]))
def test_activation_gradient_matches_finite_differences(key):
    kwargs = REF["activations"][key]["kwargs"]
    x = X.astype("float64") + 0.013  # off the kinks
    check_gradients(lambda t: _fn(key)(t, **kwargs), x, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name", ["celu", "glu", "hard_shrink", "hard_silu", "hard_swish",
                                  "hard_tanh", "log_sigmoid", "soft_shrink", "sparse_plus",
                                  "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink"])
def test_activation_is_found_by_name(name):
    fn = activations.get(name)
    assert fn is getattr(activations, name)
    assert activations.get(activations.serialize(fn)) is fn


def test_sparsemax_is_the_projection_onto_the_simplex():
    """Martins & Astudillo (2016): [1, 0.5, -1] has support {0, 1} and tau 0.25.
    (Keras 3.15 computes tau from the sum of the cumulative sums, so its rows do not sum
    to 1; neuroflow follows the paper.)"""
    np.testing.assert_allclose(activations.sparsemax(np.array([[1.0, 0.5, -1.0]])).numpy(),
                               [[0.75, 0.25, 0.0]])
    out = activations.sparsemax(X).numpy()
    np.testing.assert_allclose(out.sum(axis=-1), 1.0, rtol=1e-6)
    assert (out == 0).any() and (out >= 0).all()
    np.testing.assert_allclose(activations.sparsemax(X.T, axis=0).numpy(), out.T, rtol=1e-6)
    check_gradients(activations.sparsemax, X.astype("float64") + 0.013)


def test_glu_refuses_odd_axis():
    with pytest.raises(ValueError, match="divisible by 2"):
        activations.glu(np.ones((2, 3)))
