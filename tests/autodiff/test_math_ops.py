"""Element-wise ops and matmul: VJPs against central finite differences in float64."""

import numpy as np
import pytest

from neuroflow.autodiff import GradientTape, Tensor
from neuroflow.autodiff import math_ops as m

from ._helpers import check_gradients, positive, rand

BROADCAST_SHAPES = [
    ((3, 4), (3, 4)),
    ((3, 1, 4), (2, 4)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((4,), (3, 4)),
    ((3, 1), (1, 4)),
]
BINARY_OPS = {
    "add": m.add,
    "subtract": m.subtract,
    "multiply": m.multiply,
    "divide": m.divide,
    "power": m.power,
    "maximum": m.maximum,
    "minimum": m.minimum,
}


@pytest.mark.parametrize("shapes", BROADCAST_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY_OPS))
def test_binary_op_gradient_with_broadcasting(name, shapes):
    a, b = positive(*shapes[0], seed=1), positive(*shapes[1], seed=2)
    check_gradients(BINARY_OPS[name], a, b)


@pytest.mark.parametrize(
    "fn",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: a**b,
        lambda a, b: 2.0 - a * 3 + b / 4,
        lambda a, b: 1 / a + 2**b,
        lambda a, b: -a + abs(b - 5.0),
    ],
    ids=["add", "sub", "mul", "div", "pow", "scalar_left_right", "rdiv_rpow", "neg_abs"],
)
def test_operator_overloads_have_gradients(fn):
    check_gradients(fn, positive(2, 3, seed=1), positive(3, seed=2))


@pytest.mark.parametrize(
    "shapes",
    [
        ((3, 4), (4, 2)),
        ((4,), (4, 2)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((1, 3, 4), (2, 4, 5)),
        ((4,), (2, 4, 5)),
        ((2, 3, 4), (4,)),
    ],
    ids=str,
)
def test_matmul_gradient(shapes):
    check_gradients(m.matmul, rand(*shapes[0], seed=1), rand(*shapes[1], seed=2))


def test_matmul_operator_gradient():
    check_gradients(lambda a, b: a @ b, rand(3, 4, seed=1), rand(4, 2, seed=2))


UNARY_OPS = {
    "negative": (m.negative, rand),
    "exp": (m.exp, rand),
    "log": (m.log, positive),
    "log1p": (m.log1p, positive),
    "expm1": (m.expm1, rand),
    "sqrt": (m.sqrt, positive),
    "square": (m.square, rand),
    "abs": (m.abs, rand),  # standard-normal draws are nowhere near the kink at 0
    "sin": (m.sin, rand),
    "cos": (m.cos, rand),
    "tanh": (m.tanh, rand),
}


@pytest.mark.parametrize("name", sorted(UNARY_OPS))
def test_unary_op_gradient(name):
    op, make = UNARY_OPS[name]
    check_gradients(op, make(2, 3))


def test_sign_has_zero_gradient():
    x = Tensor(np.array([-2.0, 3.0]), requires_grad=True)
    with GradientTape() as tape:
        y = m.sign(x)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 0.0])


def test_power_gradient_with_respect_to_a_tensor_exponent():
    check_gradients(lambda b: m.power(Tensor(np.array([1.5, 2.0, 3.0])), b), rand(3))


def test_power_with_integer_exponent_of_negative_base():
    check_gradients(lambda a: a**3, np.array([-1.5, -0.5, 2.0]))


@pytest.mark.parametrize("op", [m.maximum, m.minimum], ids=["maximum", "minimum"])
def test_tie_gives_gradient_to_first_argument(op):
    a = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    b = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with GradientTape() as tape:
        y = op(a, b)
    ga, gb = tape.gradient(y, [a, b])
    np.testing.assert_array_equal(ga.numpy(), [1.0, 1.0])
    np.testing.assert_array_equal(gb.numpy(), [0.0, 0.0])


def test_maximum_with_python_scalar_gradient():
    check_gradients(lambda a: m.maximum(a, 0), np.array([[-1.0, 2.0], [0.5, -0.3]]))


@pytest.mark.parametrize(
    "cond_shape, a_shape, b_shape",
    [((3, 4), (3, 4), (3, 4)), ((3, 1), (3, 4), (4,)), ((4,), (3, 1), ()), ((), (2, 2), (2, 2))],
    ids=str,
)
def test_where_gradient_with_broadcasting(cond_shape, a_shape, b_shape):
    cond = rand(*cond_shape, seed=3) > 0
    a, b = rand(*a_shape, seed=1), rand(*b_shape, seed=2)
    check_gradients(lambda a, b: m.where(cond, a, b), a, b)


def test_where_with_python_scalar_branch_gradient():
    cond = np.array([True, False, True])
    check_gradients(lambda a: m.where(cond, a, 0), rand(3))


def test_where_accepts_a_boolean_tensor_condition():
    x = Tensor(np.array([-1.0, 2.0]))
    np.testing.assert_array_equal(m.where(x > 0, x, 0).numpy(), [0.0, 2.0])


@pytest.mark.parametrize(
    "lo, hi", [(-0.5, 0.5), (None, 0.5), (-0.5, None)], ids=["both", "no_min", "no_max"]
)
def test_clip_gradient_away_from_the_bounds(lo, hi):
    x = np.array([-1.3, -0.2, 0.1, 0.9, 2.0])
    check_gradients(lambda a: m.clip(a, lo, hi), x)


def test_clip_gradient_is_zero_outside_the_range():
    x = Tensor(np.array([-2.0, 0.0, 2.0]), requires_grad=True)
    with GradientTape() as tape:
        y = m.clip(x, -1.0, 1.0)
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [0.0, 1.0, 0.0])


def test_cast_gradient_returns_to_the_input_dtype():
    x = Tensor(np.array([1.5, -2.0], dtype=np.float64), requires_grad=True)
    with GradientTape() as tape:
        y = m.cast(x, np.float32) * 2.0
    g = tape.gradient(y, x)
    assert (y.dtype, g.dtype) == (np.float32, np.float64)
    np.testing.assert_array_equal(g.numpy(), [2.0, 2.0])


def test_cast_gradient_matches_finite_differences():
    check_gradients(lambda a: m.cast(a, np.float64) ** 2, rand(3))


def test_unbroadcast_sums_added_and_stretched_axes():
    g = np.ones((2, 3, 4))
    np.testing.assert_array_equal(m.unbroadcast(g, (3, 1)), np.full((3, 1), 8.0))
