"""float32 stays float32: the value and the gradient of every op, Python scalars included."""

from functools import partial

import numpy as np
import pytest

from neuroflow import backend
from neuroflow.autodiff import GradientTape, Tensor, Variable
from neuroflow.autodiff import math_ops as m
from neuroflow.autodiff import nn_ops as n
from neuroflow.autodiff import reduce_ops as r
from neuroflow.autodiff import shape_ops as s

COND = np.array([[True, False, True], [False, True, True]])
LABELS64 = np.array([[0.0, 1.0, 0.0], [0.2, 0.3, 0.5]])  # float64 on purpose
BINARY = ["add", "subtract", "multiply", "divide", "power", "maximum", "minimum"]
UNARY = ["negative", "exp", "log", "log1p", "expm1", "sqrt", "square", "abs", "sign", "sin",
         "cos", "tanh"]



def _binary(op, a, b):
    return getattr(m, op)(a, b)


def _unary(op, a, b):
    return getattr(m, op)(a)


def _reduce(op, a, b):
    return getattr(r, op)(a, axis=-1)


def _activation(name, a, b):
    return n.activation(a, n.KERNELS[name])


# name -> function of two float32 variables a (2, 3) and b (3,), both with positive values.
CASES = {
    **{op: partial(_binary, op) for op in BINARY},
    **{op: partial(_unary, op) for op in UNARY},
    "x*2": lambda a, b: a * 2,
    "x*2.0": lambda a, b: a * 2.0,
    "2*x": lambda a, b: 2 * a,
    "x/3": lambda a, b: a / 3,
    "3/x": lambda a, b: 3 / a,
    "x**2": lambda a, b: a**2,
    "x**0.5": lambda a, b: a**0.5,
    "2**x": lambda a, b: 2**a,
    "x-1": lambda a, b: a - 1,
    "1-x": lambda a, b: 1 - a,
    "x+True": lambda a, b: a + True,
    "x*np.float64": lambda a, b: a * np.float64(1.5),
    "maximum(x,0)": lambda a, b: m.maximum(a, 0),
    "minimum(1,x)": lambda a, b: m.minimum(1, a),
    "where(c,x,0)": lambda a, b: m.where(COND, a, 0),
    "where(c,0.5,x)": lambda a, b: m.where(COND, 0.5, a),
    "clip_int_bounds": lambda a, b: m.clip(a, 0, 1),
    "clip_float64_bound": lambda a, b: m.clip(a, np.float64(0.7), None),
    "matmul": lambda a, b: a @ s.reshape(b, (3, 1)),
    "cast_float32": lambda a, b: m.cast(a, np.float32),
    **{op: partial(_reduce, op) for op in ["sum", "mean", "max", "min", "logsumexp"]},
    "mean_all": lambda a, b: r.mean(a),
    "reshape": lambda a, b: s.reshape(a, (3, 2)),
    "transpose": lambda a, b: s.transpose(a),
    "getitem_slice": lambda a, b: a[:, 1:],
    "getitem_repeats": lambda a, b: a[[0, 0, 1]],
    "getitem_mask": lambda a, b: a[COND],
    "concatenate": lambda a, b: s.concatenate([a, s.expand_dims(b, 0)], axis=0),
    "stack": lambda a, b: s.stack([a[0], b]),
    "squeeze": lambda a, b: s.squeeze(s.expand_dims(a, 0)),
    **{f"act_{k}": partial(_activation, k) for k in n.KERNELS},
    "softmax_axis0": lambda a, b: n.softmax(a, axis=0),
    "log_softmax": lambda a, b: n.log_softmax(a),
    "dense": lambda a, b: n.dense(a, s.transpose(a), b[:2], n.KERNELS["gelu"]),
    "dense_3d": lambda a, b: n.dense(s.expand_dims(a, 0), s.transpose(a), None, n.KERNELS["relu"]),
    "sparse_xent": lambda a, b: n.sparse_softmax_cross_entropy(a, np.array([2, 0])),
    "softmax_xent_float64_labels": lambda a, b: n.softmax_cross_entropy(a, LABELS64),
    "sigmoid_xent_float64_labels": lambda a, b: n.sigmoid_cross_entropy(a, LABELS64),
    "np.exp": lambda a, b: np.exp(a),
    "np.add_scalar": lambda a, b: np.add(a, 1),
    "np.maximum": lambda a, b: np.maximum(a, 0),
    "ndarray*x": lambda a, b: np.ones(3, dtype=np.float32) * a,
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_float32_value_and_gradients_stay_float32(name):
    a = Variable(np.array([[0.5, 1.5, 2.0], [1.2, 0.8, 1.7]]))
    b = Variable(np.array([0.9, 1.1, 1.3]))
    with GradientTape() as tape:
        out = CASES[name](a, b)
    grads = tape.gradient(out, [a, b])
    dtypes = [out.dtype] + [g.dtype for g in grads if g is not None]
    assert dtypes == [np.float32] * len(dtypes) and any(g is not None for g in grads)


def test_default_float_type_is_float32():
    assert backend.floatx() == "float32" and Tensor([1.0, 2.0]).dtype == np.float32


def test_python_float_list_follows_floatx():
    backend.set_floatx("float64")
    try:
        dtype = Tensor([1.0, 2.0]).dtype
    finally:
        backend.set_floatx("float32")
    assert dtype == np.float64


def test_python_scalar_takes_a_float64_tensor_dtype():
    x = Tensor(np.array([1.0], dtype=np.float64))
    assert (x * 0.1).numpy()[0] == 0.1


def test_float64_array_keeps_its_dtype():
    assert Tensor(np.zeros(2)).dtype == np.float64


def test_numpy_float64_scalar_keeps_its_dtype():
    assert Tensor(np.float64(0.1)).dtype == np.float64


def test_integers_stay_integers():
    assert Tensor([1, 2]).dtype.kind == "i" and (Tensor([1, 2]) * 2).dtype.kind == "i"


def test_variable_defaults_to_floatx():
    assert Variable(np.zeros(2, dtype=np.float64)).dtype == np.float32
