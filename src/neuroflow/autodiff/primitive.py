"""Primitive ops: the one place where the engine's math is written down.

A primitive is a pair of kernels on raw NumPy arrays, written once:

- `forward(*arrays, **params) -> (out, residuals)`: the output array, and whatever the
  VJP will need (inputs, intermediate arrays, shapes; None when nothing).
- `vjp(g, residuals, needs) -> tuple`: one gradient (or None) per input, for the
  upstream gradient `g`; `needs[i]` says whether input `i` wants one, so unused
  gradients are never computed. A primitive built with `vjp_out=True` also accepts
  `vjp(g, residuals, needs, out)`, `out` holding per input an array to write that
  gradient into (or None): a traced plan passes the views of a flat gradient buffer,
  so a variable's gradient is computed in place, without a copy.

`arrays` are the op's data inputs (anything that may change from one batch to the
next); `params` are static (axes, shapes, activation kernels, dtypes). Defining a new
op is three lines:

>>> def _cube_fwd(x):
...     return x ** 3, x
>>> def _cube_vjp(g, x, needs):
...     return (3 * g * x * x,)
>>> CUBE = Primitive("cube", _cube_fwd, _cube_vjp)
>>> def cube(x):
...     return CUBE.bind(convert_to_tensor(x))

`bind` runs the forward kernel and, while a `GradientTape` records and an input needs a
gradient, links the output to the node (primitive, inputs, residuals) that the tape
walks backwards. While a trace is active (see `neuroflow.trainers.plan`) every bind is
also appended to it as (primitive, inputs, params, output), which is all a traced plan
needs to replay the same kernels on other batches.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow.autodiff.thread_cell import ThreadCell

__all__ = ["Primitive", "active_trace", "tracing", "untraceable"]

# The trace that bind appends to in this thread (None when none is being taken).
_trace = ThreadCell(None)


class Primitive:
    """An op of the engine: a forward kernel and its VJP kernel on raw arrays."""

    __slots__ = ("name", "forward", "vjp", "vjp_out")

    def __init__(self, name: str, forward: Callable[..., tuple], vjp: Callable[..., tuple],
                 vjp_out: bool = False):
        self.name = name
        self.forward = forward
        self.vjp = vjp
        self.vjp_out = vjp_out  # whether vjp takes `out` (see the module docstring)

    def bind(self, *inputs: Tensor, **params: Any) -> Tensor:
        """Apply the op to tensors: compute the output, record the node when needed."""
        return self.bind_with_residuals(*inputs, **params)[0]

    def bind_with_residuals(self, *inputs: Tensor, **params: Any) -> tuple[Tensor, Any]:
        """`bind`, also returning the forward kernel's residuals (e.g. batch statistics)."""
        data, res = self.forward(*[t.data for t in inputs], **params)
        out = Tensor.__new__(Tensor)
        out.data = data
        out._keras_logits = None
        out.requires_grad = False
        out._parents = ()
        out._prim = None
        out._res = None
        if _recording[0]:
            for p in inputs:
                if p.requires_grad:
                    out.requires_grad = True
                    out._parents = inputs
                    out._prim = self
                    out._res = res
                    break
        trace = _trace[0]
        if trace is not None:
            trace.append((self, inputs, params, out))
        return out, res

    def __repr__(self) -> str:
        return f"<Primitive {self.name}>"


def active_trace() -> list | None:
    """The list that binds are appended to right now, if a trace is being taken."""
    return _trace[0]


class tracing:
    """Context manager: append every bind inside it to `nodes` (traces do not nest)."""

    def __init__(self, nodes: list):
        self.nodes = nodes

    def __enter__(self) -> list:
        if _trace[0] is not None:
            raise RuntimeError("a trace is already being taken; traces do not nest")
        _trace[0] = self.nodes
        return self.nodes

    def __exit__(self, *exc) -> None:
        _trace[0] = None


def untraceable(reason: str) -> None:
    """Mark the trace being taken (if any) as unusable: the step then runs eagerly.

    Code that computes on raw arrays outside primitives (an old-style `record` op, a
    side effect) calls this so that a traced plan never bakes its result in.
    """
    trace = _trace[0]
    if trace is not None:
        trace.append((None, (), {"reason": reason}, None))


def as_array(x: Any) -> np.ndarray:
    """The raw array of a tensor or array-like."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)


# tensor.py imports the ops, which import this module: Tensor comes last
from neuroflow.autodiff.tensor import Tensor, _recording  # noqa: E402
