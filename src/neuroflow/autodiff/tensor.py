"""Tensors, variables and the gradient tape: define-by-run reverse-mode autodiff.

Every op is a `Primitive` (see `primitive.py`): its forward kernel computes the output
from raw arrays and, while a `GradientTape` is recording and some input requires a
gradient, the output remembers its node: the primitive, its inputs and the residuals
its VJP kernel needs. `GradientTape.gradient` walks those nodes backwards in reverse
topological order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff.thread_cell import ThreadCell

__all__ = ["Tensor", "Variable", "GradientTape", "convert_to_tensor", "record", "is_recording"]

# How many tapes are recording right now in this thread (tapes nest; stop_recording
# pauses one).
_recording = ThreadCell(0)


def is_recording() -> bool:
    """True while at least one `GradientTape` is recording."""
    return _recording[0] > 0


class Tensor:
    """An array with an optional link to the op that produced it.

    `data` is the NumPy array. A tensor `requires_grad` when it is a trainable
    variable, was watched by a tape, or was computed from such a tensor under a tape.
    """

    __slots__ = ("data", "requires_grad", "_parents", "_prim", "_res", "_keras_logits",
                 "__weakref__")
    __array_priority__ = 100.0

    def __init__(self, data: Any, dtype: Any = None, requires_grad: bool = False):
        if isinstance(data, Tensor):
            data = data.data
        if dtype is None and not isinstance(data, (np.ndarray, np.generic)):
            arr = np.asarray(data)
            if arr.dtype.kind == "f" and arr.dtype != backend.floatx():
                arr = arr.astype(backend.floatx())
            data = arr
        else:
            data = np.asarray(data, dtype=dtype)
        self.data = data
        self.requires_grad = requires_grad
        self._parents: tuple[Tensor, ...] = ()
        self._prim = None  # the Primitive that made this tensor, when it needs a gradient
        self._res = None  # the residuals that primitive's VJP reads
        self._keras_logits = None

    # ---- array protocol -------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    def numpy(self) -> np.ndarray:
        """The value as a NumPy array (the tensor's own buffer, not a copy)."""
        return self.data

    def __array__(self, dtype=None, copy=None):
        data = self.data if type(self.data) is np.ndarray else np.asarray(self.data)  # 0-d ops
        if dtype is None or data.dtype == dtype:
            return data.copy() if copy else data
        if copy is False:
            raise ValueError(f"Tensor of dtype {self.dtype} cannot become {dtype} without a copy")
        return data.astype(dtype)

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        from neuroflow.autodiff import math_ops

        op = math_ops.UFUNC_OPS.get(ufunc) if method == "__call__" and not kwargs else None
        if op is not None:
            return op(*inputs)
        raw = [x.data if isinstance(x, Tensor) else x for x in inputs]
        out = getattr(ufunc, method)(*raw, **kwargs)
        if (
            _recording[0]
            and any(isinstance(x, Tensor) and x.requires_grad for x in inputs)
            and np.asarray(out).dtype.kind in "fc"
        ):
            raise NotImplementedError(
                f"numpy.{ufunc.__name__}{'' if method == '__call__' else '.' + method} has no "
                "gradient in neuroflow; use the ops of neuroflow.autodiff on a Tensor that "
                "a GradientTape records"
            )
        return out

    def __len__(self) -> int:
        return len(self.data)

    def __iter__(self):
        for i in range(len(self.data)):
            yield self[i]

    def __repr__(self) -> str:
        return f"<Tensor shape={self.shape} dtype={self.dtype}\n{self.data}>"

    def __float__(self) -> float:
        return float(self.data)

    def __int__(self) -> int:
        return int(self.data)

    def __bool__(self) -> bool:
        return bool(self.data)

    def __hash__(self) -> int:
        return id(self)

    def item(self):
        return self.data.item()

    def astype(self, dtype) -> Tensor:
        from neuroflow.autodiff import math_ops

        return math_ops.cast(self, dtype)

    # ---- operators (defined in math_ops, shape_ops) ----------------------------------
    def __add__(self, other):
        return _m.add(self, other)

    def __radd__(self, other):
        return _m.add(other, self)

    def __sub__(self, other):
        return _m.subtract(self, other)

    def __rsub__(self, other):
        return _m.subtract(other, self)

    def __mul__(self, other):
        return _m.multiply(self, other)

    def __rmul__(self, other):
        return _m.multiply(other, self)

    def __truediv__(self, other):
        return _m.divide(self, other)

    def __rtruediv__(self, other):
        return _m.divide(other, self)

    def __neg__(self):
        return _m.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _m.abs(self)

    def __pow__(self, other):
        return _m.power(self, other)

    def __rpow__(self, other):
        return _m.power(other, self)

    def __matmul__(self, other):
        return _m.matmul(self, other)

    def __rmatmul__(self, other):
        return _m.matmul(other, self)

    def __getitem__(self, index):
        return _s.getitem(self, index)

    def __lt__(self, other):
        return Tensor(self.data < _raw(other))

    def __le__(self, other):
        return Tensor(self.data <= _raw(other))

    def __gt__(self, other):
        return Tensor(self.data > _raw(other))

    def __ge__(self, other):
        return Tensor(self.data >= _raw(other))

    @property
    def T(self) -> Tensor:
        return _s.transpose(self)

    def reshape(self, *shape) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _s.reshape(self, shape)

    # The extra keywords are those `np.sum(t)`, `np.mean(t)`, ... pass to the method.
    def sum(self, axis=None, keepdims=False, **numpy_kwargs) -> Tensor:
        _no_numpy_kwargs("sum", numpy_kwargs)
        return _r.sum(self, axis=axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False, **numpy_kwargs) -> Tensor:
        _no_numpy_kwargs("mean", numpy_kwargs)
        return _r.mean(self, axis=axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False, **numpy_kwargs) -> Tensor:
        _no_numpy_kwargs("max", numpy_kwargs)
        return _r.max(self, axis=axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False, **numpy_kwargs) -> Tensor:
        _no_numpy_kwargs("min", numpy_kwargs)
        return _r.min(self, axis=axis, keepdims=keepdims)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def _no_numpy_kwargs(name: str, kwargs: dict) -> None:
    bad = sorted(k for k, v in kwargs.items() if v is not None)
    if bad:
        raise TypeError(f"Tensor.{name}: unsupported argument(s) {bad}")


class Variable(Tensor):
    """A named, mutable tensor that holds a model weight or an optimizer slot.

    Every write is in place (`assign`, `assign_add`, `assign_sub`, `data[...] = ...`), so
    whoever holds `data` (a traced plan, a flat parameter buffer) sees the new value.
    When the storage is shared (`_share_storage`: a view into a flat buffer), rebinding
    `var.data = array` also writes in place if the shape matches (cast to the variable's
    dtype); an array of another shape detaches the variable and tells the storage's owner
    (`owner._release(var)`), which must then be rebuilt.
    """

    __slots__ = ("name", "trainable", "regularizer", "constraint", "path", "_storage_owner")

    def __init__(
        self,
        initial_value: Any,
        trainable: bool = True,
        name: str = "variable",
        dtype: Any = None,
        regularizer: Callable | None = None,
        constraint: Callable | None = None,
    ):
        value = initial_value() if callable(initial_value) else initial_value
        value = np.array(_raw(value), dtype=dtype or backend.floatx())
        super().__init__(value, requires_grad=bool(trainable))
        self.name = name
        self.path = name
        self.trainable = bool(trainable)
        self.regularizer = regularizer
        self.constraint = constraint

    def __setattr__(self, key, value):
        if key == "trainable":
            object.__setattr__(self, "requires_grad", bool(value))
        elif key == "data":
            owner = getattr(self, "_storage_owner", None)
            if owner is not None:
                if np.shape(value) == self.data.shape:
                    self.data[...] = value
                    return
                object.__setattr__(self, "_storage_owner", None)
                owner._release(self)
        object.__setattr__(self, key, value)

    def _share_storage(self, view: np.ndarray, owner: Any) -> None:
        """Make `view` (this variable's shape and dtype) its storage, owned by `owner`.

        The current value is copied into `view` first; a previous owner is released.
        """
        if view.shape != self.data.shape or view.dtype != self.data.dtype:
            raise ValueError(
                f"Variable '{self.path}': shared storage must have shape {self.data.shape} "
                f"and dtype {self.data.dtype}, received {view.shape} {view.dtype}"
            )
        view[...] = self.data
        previous = getattr(self, "_storage_owner", None)
        if previous is not None and previous is not owner:
            previous._release(self)
        object.__setattr__(self, "data", view)
        object.__setattr__(self, "_storage_owner", owner)

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"<Variable path={self.path} shape={self.shape} dtype={self.dtype}\n{self.data}>"

    @property
    def value(self) -> np.ndarray:
        return self.data

    def assign(self, value: Any) -> Variable:
        """Overwrite the value in place; the shape must stay the same."""
        value = np.asarray(_raw(value))
        if value.shape != self.data.shape:
            raise ValueError(
                f"Variable '{self.path}': cannot assign a value of shape {value.shape} "
                f"to a variable of shape {self.data.shape}"
            )
        self.data[...] = value
        return self

    def assign_add(self, delta: Any) -> Variable:
        self.data += np.asarray(_raw(delta), dtype=self.data.dtype)
        return self

    def assign_sub(self, delta: Any) -> Variable:
        self.data -= np.asarray(_raw(delta), dtype=self.data.dtype)
        return self


def convert_to_tensor(x: Any, dtype: Any = None) -> Tensor:
    """Wrap arrays, lists and scalars in a constant `Tensor` (tensors pass through)."""
    if isinstance(x, Tensor):
        return x if dtype is None or x.dtype == np.dtype(dtype) else _m.cast(x, dtype)
    return Tensor(x, dtype=dtype)


class _Closure:
    """The node kind of `record`: the VJP is a closure over the forward's arrays."""

    name = "closure"

    @staticmethod
    def vjp(g, closure, needs):
        return closure(g)


def record(data: np.ndarray, parents: tuple[Tensor, ...], vjp: Callable) -> Tensor:
    """An op defined by a closure instead of a `Primitive`: differentiable, not traceable.

    `vjp(g)` returns one gradient (or None) per parent. A traced plan cannot replay a
    closure, so a step that calls this runs eagerly; define a `Primitive` instead.
    """
    out = Tensor.__new__(Tensor)
    out.data = data
    out._keras_logits = None
    out._res = None
    trace = _p._trace[0]
    if trace is not None:
        trace.append((None, parents, {"reason": "an op defined with record()"}, out))
    if _recording[0]:
        for p in parents:
            if p.requires_grad:
                out.requires_grad = True
                out._parents = parents
                out._prim = _Closure
                out._res = vjp
                return out
    out.requires_grad = False
    out._parents = ()
    out._prim = None
    return out


def _flatten(structure) -> list:
    if isinstance(structure, dict):
        return [v for k in sorted(structure) for v in _flatten(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for item in structure for v in _flatten(item)]
    return [structure]


def _pack_like(structure, flat: list):
    it = iter(flat)

    def pack(s):
        if isinstance(s, dict):
            return {k: pack(s[k]) for k in sorted(s)}
        if isinstance(s, (list, tuple)):
            return type(s)(pack(v) for v in s)
        return next(it)

    return pack(structure)


def backward_pass(targets: list[Tensor], seeds: list[np.ndarray], keep: set[int]) -> dict:
    """Propagate `seeds` from `targets` to every tensor upstream; return grads by id.

    One pass counts, for every tensor that needs a gradient, how many recorded ops
    consume it; the second pass runs each op's VJP once all of its consumers have
    passed their gradients back (reverse topological order). Gradients of leaves and
    of tensors whose id is in `keep` stay in the result; the rest are dropped once
    passed on, so intermediate buffers are freed early.
    """
    pending: dict[int, int] = {}
    stack = [t for t in targets if t.requires_grad]
    seen = {id(t) for t in stack}
    while stack:
        node = stack.pop()
        for parent in node._parents:
            if parent.requires_grad:
                pid = id(parent)
                pending[pid] = pending.get(pid, 0) + 1
                if pid not in seen:
                    seen.add(pid)
                    stack.append(parent)
    grads: dict[int, np.ndarray] = {}
    ready: list[Tensor] = []
    for target, seed in zip(targets, seeds, strict=True):
        if target.requires_grad:
            key = id(target)
            prev = grads.get(key)
            grads[key] = seed if prev is None else prev + seed
            if key not in pending and all(r is not target for r in ready):
                ready.append(target)
    while ready:
        node = ready.pop()
        prim = node._prim
        if prim is None:
            continue
        key = id(node)
        g = grads.get(key) if key in keep else grads.pop(key, None)
        parents = node._parents
        if g is None:
            parent_grads = (None,) * len(parents)
        else:
            parent_grads = prim.vjp(g, node._res, tuple(p.requires_grad for p in parents))
        for parent, pg in zip(parents, parent_grads, strict=True):
            if not parent.requires_grad:
                continue
            pid = id(parent)
            if pg is not None:
                prev = grads.get(pid)
                grads[pid] = pg if prev is None else prev + pg
            left = pending[pid] - 1
            pending[pid] = left
            if left == 0:
                ready.append(parent)
    return grads


class GradientTape:
    """Records operations so that `gradient()` can differentiate through them.

    >>> with GradientTape() as tape:
    ...     loss = (w * x).sum()
    >>> (dw,) = tape.gradient(loss, [w])
    """

    def __init__(self, persistent: bool = False):
        self.persistent = persistent
        self._active = False
        self._used = False
        self._watched: list[Tensor] = []  # switched on by watch(), off again on exit

    def __enter__(self) -> GradientTape:
        _recording[0] += 1
        self._active = True
        return self

    def __exit__(self, *exc) -> None:
        if self._active:
            _recording[0] -= 1
            self._active = False
            for t in self._watched:
                t.requires_grad = False

    @contextmanager
    def stop_recording(self):
        """Pause recording inside the `with` block."""
        if not self._active:
            raise RuntimeError(
                "GradientTape.stop_recording: the tape is not recording; call it inside the "
                "tape's `with` block"
            )
        _recording[0] -= 1
        try:
            yield
        finally:
            _recording[0] += 1

    def watch(self, tensor) -> None:
        """Track a non-trainable tensor, for this tape only, so that gradients exist for it."""
        if not self._active:
            raise RuntimeError(
                "GradientTape.watch: the tape is not recording; call it inside the tape's "
                "`with` block"
            )
        for t in _flatten(tensor):
            if not isinstance(t, Tensor):
                raise TypeError(
                    "GradientTape.watch: expected a neuroflow Tensor or Variable, received "
                    f"{type(t).__name__}; wrap arrays with neuroflow.convert_to_tensor first"
                )
            if not t.requires_grad:
                t.requires_grad = True
                self._watched.append(t)

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of `target` (a tensor or a list of them) with respect to `sources`.

        `sources` may be a tensor, a list/tuple or a dict of them; the result has the
        same structure. Sources not connected to the target get None (or zeros with
        `unconnected_gradients='zero'`). Gradients are first-order only: computed while
        a tape records, they raise NotImplementedError when differentiated again.
        """
        if self._used and not self.persistent:
            raise RuntimeError(
                "GradientTape.gradient can only be called once on a non-persistent tape; "
                "create the tape with persistent=True to call it several times"
            )
        if unconnected_gradients not in ("none", "zero"):
            raise ValueError(
                "GradientTape.gradient: unconnected_gradients must be 'none' or 'zero', "
                f"received {unconnected_gradients!r}"
            )
        self._used = True
        targets = _flatten(target)
        for t in targets:
            if not isinstance(t, Tensor):
                raise TypeError(
                    "GradientTape.gradient: the target must be a Tensor, received "
                    f"{type(t).__name__}"
                )
        if output_gradients is None:
            seeds = [np.ones_like(t.data) for t in targets]
        else:
            seeds = _seeds(targets, _flatten(output_gradients))
        flat_sources = _flatten(sources)
        keep = {id(s) for s in flat_sources}
        revived = [t for t in self._watched if not t.requires_grad]  # the tape has exited
        for t in revived:
            t.requires_grad = True
        try:
            grads = backward_pass(targets, seeds, keep)
        finally:
            for t in revived:
                t.requires_grad = False
        recording = _recording[0] > 0
        result = []
        owners: set[int] = set()  # buffers already handed out: no two gradients share one
        for s in flat_sources:
            g = grads.get(id(s)) if isinstance(s, Tensor) else None
            if g is None:
                zero = unconnected_gradients == "zero" and isinstance(s, Tensor)
                result.append(Tensor(np.zeros_like(s.data)) if zero else None)
                continue
            owner = id(g if g.base is None else g.base)
            if not g.flags.writeable or owner in owners:
                g = g.copy()
            owners.add(owner)
            grad = Tensor(g)
            if recording:  # a tape may try to differentiate this gradient: refuse clearly
                grad.requires_grad = True
                grad._prim = _NoHigherOrder
            result.append(grad)
        if not isinstance(sources, (list, tuple, dict)):
            return result[0]
        return _pack_like(sources, result)


def _seeds(targets: list[Tensor], output_gradients: list) -> list[np.ndarray]:
    if len(output_gradients) != len(targets):
        raise ValueError(
            f"GradientTape.gradient: {len(output_gradients)} output_gradients for "
            f"{len(targets)} targets"
        )
    seeds = []
    for g, t in zip(output_gradients, targets, strict=True):
        g = np.asarray(_raw(g), dtype=t.dtype)
        if g.shape != t.shape:
            raise ValueError(
                f"GradientTape.gradient: an output gradient of shape {g.shape} for a target "
                f"of shape {t.shape}; they must match"
            )
        seeds.append(g)
    return seeds


class _NoHigherOrder:
    """The node of a gradient computed under a recording tape: differentiating it fails."""

    name = "no_higher_order"

    @staticmethod
    def vjp(g, res, needs):
        raise NotImplementedError(
            "neuroflow computes first-order gradients only: a gradient returned by "
            "GradientTape.gradient cannot be differentiated again (VJPs run on raw arrays)"
        )


def stop_gradient(x: Iterable | Tensor) -> Tensor:
    """The same value, cut off from the graph."""
    return Tensor(_raw(x))


from neuroflow.autodiff import math_ops as _m  # noqa: E402
from neuroflow.autodiff import primitive as _p  # noqa: E402
from neuroflow.autodiff import reduce_ops as _r  # noqa: E402
from neuroflow.autodiff import shape_ops as _s  # noqa: E402
