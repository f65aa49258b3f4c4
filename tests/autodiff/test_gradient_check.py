"""The gradient checker itself must catch a wrong VJP, or no gradient test means anything."""

import numpy as np
import pytest

from neuroflow.autodiff import Tensor, check_gradients
from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import record

_WRONG_SQUARE = Primitive("square", lambda x: (x**2, x), lambda g, x, needs: (g * x,))
_RIGHT_SQUARE = Primitive("square", lambda x: (x**2, x), lambda g, x, needs: (2 * g * x,))


def _square_with_wrong_vjp(x: Tensor) -> Tensor:
    return _WRONG_SQUARE.bind(x)  # the VJP should be 2 * x


def _square_with_right_vjp(x: Tensor) -> Tensor:
    return _RIGHT_SQUARE.bind(x)


def test_check_gradients_rejects_a_wrong_vjp():
    with pytest.raises(AssertionError, match="differs from finite differences"):
        check_gradients(_square_with_wrong_vjp, np.array([1.0, -2.0]))


def test_check_gradients_accepts_a_right_vjp():
    check_gradients(_square_with_right_vjp, np.array([1.0, -2.0]))


def test_check_gradients_rejects_a_missing_gradient():
    def ignores_second(a: Tensor, b: Tensor) -> Tensor:
        return record(a.data * b.data, (a, b), lambda g: (g * b.data, None))

    with pytest.raises(AssertionError, match="input 1"):
        check_gradients(ignores_second, np.array([1.0, 2.0]), np.array([3.0, 4.0]))
