"""An axis out of range is an error naming the op, never silently another axis."""

import numpy as np
import pytest

from neuroflow.autodiff import Tensor, extra_ops, nn_ops, reduce_ops

X = np.arange(6, dtype=np.float32).reshape(2, 3)


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "logsumexp"])
@pytest.mark.parametrize("axis", [2, 3, -3, (0, 2)])
def test_reductions_refuse_an_axis_out_of_range(op, axis):
    message = rf"{op}: axis -?\d is out of bounds for a tensor of rank 2"
    with pytest.raises(ValueError, match=message):
        getattr(reduce_ops, op)(Tensor(X), axis=axis)


@pytest.mark.parametrize("op", ["sum", "mean", "max", "min", "logsumexp"])
@pytest.mark.parametrize("axis", [0, 1, -1, -2, (0, 1), None])
def test_reductions_keep_every_axis_in_range(op, axis):
    reference = {"sum": np.sum, "mean": np.mean, "max": np.max, "min": np.min,
                 "logsumexp": lambda a, axis: np.log(np.sum(np.exp(a), axis=axis))}[op]
    got = getattr(reduce_ops, op)(Tensor(X), axis=axis).numpy()
    np.testing.assert_allclose(got, reference(X, axis=axis), rtol=1e-6)


def test_a_repeated_axis_is_refused():
    with pytest.raises(ValueError, match="names the same axis twice"):
        reduce_ops.sum(Tensor(X), axis=(1, -1))


def test_tensor_method_sum_refuses_axis_three_of_a_matrix():
    with pytest.raises(ValueError, match="axis 3 is out of bounds"):
        Tensor(X).sum(axis=3)


def test_prod_refuses_an_axis_out_of_range():
    with pytest.raises(ValueError, match="prod: axis 2 is out of bounds"):
        extra_ops.prod(Tensor(X), axis=2)
    np.testing.assert_array_equal(extra_ops.prod(Tensor(X), axis=-1).numpy(), X.prod(axis=-1))


@pytest.mark.parametrize("fn", [nn_ops.softmax, nn_ops.log_softmax])
def test_softmax_refuses_an_axis_out_of_range_with_its_name(fn):
    with pytest.raises(ValueError, match=rf"{fn.__name__}: axis 5 is out of bounds"):
        fn(Tensor(X), axis=5)
    assert fn(Tensor(X), axis=0).shape == (2, 3)
