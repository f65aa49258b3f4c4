"""Keras 3's type promotion and tensor conversion, for every op of neuroflow.ops.

Promotion follows Keras' (and JAX's) lattice: bool < weak int < unsigned/signed ints
< weak float < float16 < float32 < float64, where Python scalars are *weak* and take
the type of the tensor they meet (int8 + 1 stays int8, int32 + 0.5 becomes floatx).
One deliberate difference: 64-bit types stay 64-bit, as in Keras' TensorFlow backend,
where Keras' JAX, NumPy and PyTorch backends narrow them to 32 bits; neuroflow is a
NumPy engine, float64 is how its gradients are checked, and floatx may be float64.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff import math_ops
from neuroflow.autodiff.primitive import untraceable
from neuroflow.autodiff.tensor import Tensor
from neuroflow.backend import tree

__all__ = [
    "standardize_dtype", "result_type", "dtype_of", "to_tensor", "to_array", "cast_to",
    "promote", "float_tensor", "values",
]

_LATTICE = {
    "bool": ("int",),
    "int": ("uint8", "int8"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": ("float",),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": ("float",),
    "float": ("float16",),
    "float16": ("float32",),
    "float32": ("float64",),
    "float64": (),
}


def _upper_bounds() -> dict[str, frozenset[str]]:
    bounds = {}
    for node in _LATTICE:
        seen, stack = {node}, [node]
        while stack:
            for up in _LATTICE[stack.pop()]:
                if up not in seen:
                    seen.add(up)
                    stack.append(up)
        bounds[node] = frozenset(seen)
    return bounds


_UB = _upper_bounds()


_NAMES: dict[Any, str] = {}  # np.dtype -> name (NumPy's dtype.name is slow to compute)


def _name(dtype: np.dtype) -> str:
    try:
        return _NAMES[dtype]
    except KeyError:
        _NAMES[dtype] = name = dtype.name
        return name


def standardize_dtype(dtype: Any) -> str:
    """A dtype (NumPy, str, Python type, Tensor dtype) as Keras' string name."""
    if isinstance(dtype, np.dtype) and dtype in _NAMES:
        return _NAMES[dtype]
    if dtype is None:
        return backend.floatx()
    if dtype is int:
        return "int" + backend.floatx()[-2:]
    if dtype is float:
        return backend.floatx()
    if dtype is bool:
        return "bool"
    try:
        name = _name(np.dtype(dtype))
    except TypeError as exc:
        raise ValueError(f"neuroflow.ops: {dtype!r} is not a dtype") from exc
    if name not in _LATTICE:
        raise ValueError(
            f"neuroflow.ops: dtype {name!r} is not supported; expected one of "
            f"{sorted(k for k in _LATTICE if k not in ('int', 'float'))}"
        )
    return name


@functools.lru_cache(maxsize=512)
def _lub(nodes: frozenset[str]) -> str:
    common = frozenset.intersection(*(_UB[n] for n in nodes))
    return next(c for c in common if common <= _UB[c])


def _resolve(dtype: str) -> str:
    precision = backend.floatx()[-2:]
    return {"int": f"int{precision}", "float": backend.floatx()}.get(dtype, dtype)


def dtype_of(x: Any) -> tuple[str, bool]:
    """(dtype name, weak) of an op argument: Python int/float scalars are weak."""
    if isinstance(x, (Tensor, np.ndarray, np.generic)):
        return standardize_dtype(x.dtype), False
    if isinstance(x, bool):
        return "bool", False
    if isinstance(x, int):
        return "int", True
    if isinstance(x, float):
        return "float", True
    return standardize_dtype(to_array(x).dtype), False


def result_type(*args: Any) -> str:
    """The dtype Keras' promotion gives `args` (values, dtypes, or int/float for weak)."""
    nodes = []
    for a in args:
        if a is int or a is float:
            nodes.append(("int" if a is int else "float", True))
        elif isinstance(a, (str, np.dtype, type)):
            nodes.append((standardize_dtype(a), False))
        else:
            nodes.append(dtype_of(a))
    if not nodes:
        return backend.floatx()
    return _resolve(_lub(frozenset(d for d, _ in nodes)))


def to_array(x: Any, dtype: Any = None) -> np.ndarray:
    """A raw array, converting Python data the Keras way (ints int32, floats floatx)."""
    if isinstance(x, Tensor):
        data = values(x)
    elif isinstance(x, (np.ndarray, np.generic)):
        data = np.asarray(x)
    else:
        data = np.asarray(tree.map_structure(_raw, x))
        if data.dtype.kind == "f":
            data = data.astype(backend.floatx())
        elif data.dtype.kind in "iu":
            data = data.astype(_resolve("int"))
        elif data.dtype.kind not in "b":
            raise TypeError(
                f"neuroflow.ops: cannot convert {type(x).__name__} of dtype {data.dtype} to "
                "a tensor; expected numbers, booleans, arrays or tensors"
            )
    if dtype is not None:
        data = data.astype(standardize_dtype(dtype), copy=False)
    return data


def values(t: Tensor) -> np.ndarray:
    """The raw values of a tensor, read to compute a constant (a mask, indices, a result
    without gradient). A traced plan could not replay that, so the step runs eagerly.
    """
    untraceable("a keras.ops op read tensor values outside the engine's primitives")
    return t.data


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def to_tensor(x: Any, dtype: Any = None) -> Tensor:
    """`x` as a Tensor; tensors pass through (cast, on the tape, when dtype differs)."""
    if isinstance(x, Tensor):
        return x if dtype is None else cast_to(x, standardize_dtype(dtype))
    return Tensor(to_array(x, dtype))


def cast_to(x: Any, dtype: str) -> Tensor:
    """`x` as a Tensor of `dtype`; a differentiable cast only when the type changes."""
    t = x if isinstance(x, Tensor) else Tensor(to_array(x))
    if _name(t.data.dtype) == dtype:
        return t
    if isinstance(x, (int, float, bool)) or not isinstance(x, Tensor):
        return Tensor(t.data.astype(dtype))
    return math_ops.cast(t, dtype)


def promote(*args: Any) -> tuple[list[Tensor], str]:
    """All arguments as tensors of their promoted dtype."""
    first = getattr(args[0], "dtype", None) if args else None
    if first is not None and all(isinstance(a, (Tensor, np.ndarray)) and a.dtype == first
                                 for a in args):  # the common case: nothing to promote
        return [a if isinstance(a, Tensor) else Tensor(a) for a in args], _name(first)
    dtype = result_type(*args)
    return [cast_to(a, dtype) for a in args], dtype


def float_tensor(x: Any) -> Tensor:
    """`x` as a float tensor: ints and bools become floatx (Keras' result_type(x, float))."""
    t = to_tensor(x)
    return cast_to(t, result_type(t.dtype, float))
