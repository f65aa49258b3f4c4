"""Reductions over axes: VJPs against finite differences, ties, keepdims."""

import numpy as np
import pytest

from neuroflow.autodiff import GradientTape, Tensor
from neuroflow.autodiff import reduce_ops as r

from ._helpers import check_gradients, rand

AXES = [None, 0, 1, -1, (0, 2), (-1, 0), ()]
REDUCTIONS = {"sum": r.sum, "mean": r.mean, "max": r.max, "min": r.min, "logsumexp": r.logsumexp}


@pytest.mark.parametrize("keepdims", [False, True], ids=["dropdims", "keepdims"])
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_gradient(name, axis, keepdims):
    op = REDUCTIONS[name]
    check_gradients(lambda x: op(x, axis=axis, keepdims=keepdims), rand(2, 3, 4))


@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("name", sorted(REDUCTIONS))
def test_reduction_value_matches_numpy(name, axis):
    x = rand(2, 3, 4)
    reference = {
        "sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
        "logsumexp": lambda a, axis, keepdims: np.log(np.exp(a).sum(axis=axis, keepdims=keepdims)),
    }[name]
    got = REDUCTIONS[name](Tensor(x), axis=axis, keepdims=True).numpy()
    np.testing.assert_allclose(got, reference(x, axis=axis, keepdims=True), rtol=1e-12)


@pytest.mark.parametrize("name", ["sum", "mean", "max", "min"])
def test_tensor_method_matches_function(name):
    x = rand(2, 3)
    got = getattr(Tensor(x), name)(axis=-1, keepdims=True).numpy()
    np.testing.assert_array_equal(got, REDUCTIONS[name](Tensor(x), axis=-1, keepdims=True).numpy())


@pytest.mark.parametrize(
    "op, values", [(r.max, [1.0, 3.0, 3.0]), (r.min, [2.0, 2.0, 5.0])], ids=["max", "min"]
)
def test_ties_share_the_gradient_equally(op, values):
    x = Tensor(np.array(values), requires_grad=True)
    with GradientTape() as tape:
        y = op(x)
    expected = np.array([0.0, 0.5, 0.5]) if op is r.max else np.array([0.5, 0.5, 0.0])
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), expected)


def test_ties_share_the_gradient_within_each_row():
    x = Tensor(np.array([[4.0, 4.0, 4.0], [1.0, 7.0, 7.0]]), requires_grad=True)
    with GradientTape() as tape:
        y = r.max(x, axis=1)
    expected = [[1 / 3, 1 / 3, 1 / 3], [0.0, 0.5, 0.5]]
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), expected)


def test_logsumexp_does_not_overflow():
    y = r.logsumexp(Tensor(np.array([1000.0, 1000.0])))
    np.testing.assert_allclose(y.numpy(), 1000.0 + np.log(2.0))


def test_reduction_of_a_scalar():
    check_gradients(lambda x: r.sum(x * 3.0), np.array(2.0))
