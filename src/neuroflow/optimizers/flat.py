"""Flat parameter and gradient buffers: an optimizer update in a few whole-buffer calls.

The per-variable update costs a handful of NumPy calls per variable per step; packing
every trainable variable into one contiguous buffer (and the gradients, and each kind
of optimizer slot, into buffers of the same layout) makes it a handful of calls per
step whatever the number of variables, as PyTorch's fused/foreach optimizers do. The
update rule is the optimizer's own `_kernel` (the per-variable path calls it once per
variable, the flat path once per step), so the two paths compute the same thing: the
same elementwise operations in the same order, bit-identical except for clipping by
norm, whose sums are computed in another order (agreement within float32 rounding).

How a training step uses it (the traced plan does this)::

    buffers = FlatBuffers(model.trainable_variables)   # before tracing: rebinds .data
    optimizer.build(buffers.variables)                 # or let apply_flat build it
    if optimizer.supports_flat:
        for batch in batches:
            ...  # the VJP kernels write into buffers.grad_views[k] (np.add(..., out=))
            optimizer.apply_flat(buffers)              # reads, and may overwrite, grads
    else:
        optimizer.apply(buffers.grad_views, buffers.variables)

Rules:

- `FlatBuffers(variables)` copies each variable's value into `params` and makes its
  `data` a view of it (`Variable._share_storage`). Every write to those variables stays
  in place (`assign`, `set_weights`, `load_weights`, even `var.data = array` of the same
  shape), so a plan traced after packing reads the live values. Arrays captured before
  packing are stale: pack first, then trace.
- The buffers hold one float dtype (floatx); `FlatBuffers.can_pack` says whether a list
  of variables qualifies (non-empty, distinct Variables, one float dtype), and
  `FlatBuffers.for_variables` returns the buffers already packing exactly that list
  (still valid) or packs it anew.
- `apply_flat(buffers)` updates every variable of `buffers`, which must be the list the
  optimizer was built with, in that order. A variable without a gradient would receive
  a zero gradient there (and an Adam step would still move it), whereas `apply` skips
  it: use `apply` for steps that leave a variable without a gradient.
- `apply_flat` works on `buffers.grads` in place (loss-scale division, accumulation,
  clipping), so fill it afresh before each call.
- The optimizer's slots are packed the same way the first time it meets `buffers`;
  the slot Variables stay in `optimizer.variables` as views, so saving, loading and the
  per-variable `apply` keep working on the same memory.
- When a variable is detached (its data replaced by an array of another shape, or
  packed by a newer `FlatBuffers`), `buffers.valid` turns False and `apply_flat`
  raises: build new buffers (and trace again).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Tensor, Variable

__all__ = ["FlatBuffers", "apply_flat", "updater"]


class FlatBuffers:
    """Trainable variables as views into one contiguous buffer, gradients into another.

    Attributes:
        variables: the packed variables, in order.
        params: the 1-D buffer whose views are the variables' `data`.
        grads: a zero-filled 1-D buffer of the same size and dtype.
        grad_views: per variable, a view into `grads` shaped like the variable.
        offsets: per variable, where its segment starts (int64).
        sizes: per variable, its number of elements (int64).
        shapes: per variable, its shape.
        dtype: the variables' (common) dtype.
    """

    def __init__(self, variables: Iterable[Variable]):
        variables = list(variables)
        problem = self._problem(variables)
        if problem:
            raise ValueError(f"FlatBuffers: {problem}")
        self.variables = variables
        self.dtype = variables[0].data.dtype
        self.shapes = [v.data.shape for v in variables]
        self.sizes = np.array([v.data.size for v in variables], dtype=np.int64)
        self.offsets = np.concatenate([[0], np.cumsum(self.sizes)[:-1]]).astype(np.int64)
        total = int(self.sizes.sum())
        self.params = np.empty(total, dtype=self.dtype)
        self.grads = np.zeros(total, dtype=self.dtype)
        self.views = self.segments(self.params)
        self.grad_views = self.segments(self.grads)
        self._starts = self.offsets[self.sizes > 0]  # np.add.reduceat needs non-empty rows
        self._nonempty = np.flatnonzero(self.sizes > 0).tolist()
        self._detached: str | None = None
        for v, view in zip(variables, self.views, strict=True):
            v._share_storage(view, self)

    @staticmethod
    def _problem(variables: list) -> str | None:
        if not variables:
            return "expected a non-empty list of Variables, received none"
        seen: set[int] = set()
        dtype = None
        for v in variables:
            if not isinstance(v, Variable):
                return f"expected Variables, received {type(v).__name__}"
            if id(v) in seen:
                return f"variable '{v.path}' is listed twice"
            seen.add(id(v))
            if v.data.dtype.kind != "f":
                return f"variable '{v.path}' has dtype {v.data.dtype}, expected a float dtype"
            if dtype is None:
                dtype = v.data.dtype
            elif v.data.dtype != dtype:
                return (f"every variable must have one dtype: '{variables[0].path}' is "
                        f"{dtype}, '{v.path}' is {v.data.dtype}")
        return None

    @classmethod
    def can_pack(cls, variables: Iterable[Any]) -> bool:
        """Whether `FlatBuffers(variables)` would succeed."""
        return cls._problem(list(variables)) is None

    @classmethod
    def for_variables(cls, variables: Iterable[Variable]) -> FlatBuffers:
        """The valid buffers already packing exactly `variables` (same order), else new
        ones: a second `fit` keeps the buffers (and the plans traced on them)."""
        variables = list(variables)
        current = getattr(variables[0], "_storage_owner", None) if variables else None
        if not (isinstance(current, cls) and current.valid
                and len(current.variables) == len(variables)):
            return cls(variables)
        same = all(a is b for a, b in zip(current.variables, variables, strict=True))
        return current if same else cls(variables)

    def segments(self, flat: np.ndarray) -> list[np.ndarray]:
        """Per-variable views into a 1-D array laid out like `params`."""
        return [flat[o:o + n].reshape(shape)
                for shape, o, n in zip(self.shapes, self.offsets, self.sizes, strict=True)]

    def pack(self, arrays: list[Any], out: np.ndarray | None = None) -> np.ndarray:
        """Copy one array per variable (None: zeros) into a flat array (`out` or new)."""
        if len(arrays) != len(self.variables):
            raise ValueError(f"FlatBuffers.pack: expected {len(self.variables)} arrays, "
                             f"received {len(arrays)}")
        flat = np.empty_like(self.params) if out is None else out
        for view, v, a in zip(self.segments(flat), self.variables, arrays, strict=True):
            if a is None:
                view[...] = 0
                continue
            a = a.data if isinstance(a, Tensor) else np.asarray(a)
            if a.shape != view.shape:
                raise ValueError(f"FlatBuffers.pack: array of shape {a.shape} for variable "
                                 f"'{v.path}' of shape {view.shape}")
            view[...] = a
        return flat

    def segment_norms(self, flat: np.ndarray, scratch: np.ndarray | None = None) -> list[float]:
        """Per-variable L2 norms of a flat array laid out like `params`: one pass to
        square (into `scratch` when given), one `np.add.reduceat` over the segments."""
        squares = np.square(flat, out=scratch)
        sums = np.add.reduceat(squares, self._starts).tolist() if len(self._starts) else []
        if len(sums) < len(self.variables):  # empty variables have no row in reduceat
            full = [0.0] * len(self.variables)
            for k, total in zip(self._nonempty, sums, strict=True):
                full[k] = total
            sums = full
        return [math.sqrt(total) for total in sums]

    @property
    def valid(self) -> bool:
        """False once a variable no longer lives in `params` (see the module notes)."""
        return self._detached is None

    def check(self) -> None:
        """Raise if the buffers are no longer the variables' storage."""
        if self._detached is not None:
            raise ValueError(f"FlatBuffers: {self._detached}; build new FlatBuffers for "
                             "these variables (and trace again)")

    def _release(self, variable: Variable) -> None:
        self._detached = (f"variable '{variable.path}' no longer lives in this buffer (its "
                          "data was replaced by an array of another shape, or packed again)")

    def __repr__(self) -> str:
        return (f"<FlatBuffers variables={len(self.variables)} size={self.params.size} "
                f"dtype={self.dtype}>")


class _SlotPack:
    """Owner of an optimizer's slot Variables packed into flat buffers (one per group)."""

    def __init__(self):
        self.valid = True

    def _release(self, variable: Variable) -> None:
        self.valid = False


class FlatState:
    """An optimizer's flat view of its state for one `FlatBuffers`.

    Each slot group (one slot per variable, e.g. Adam's momentums) becomes one flat
    array laid out like `buffers.params`, whose views are the slot Variables' data.
    """

    def __init__(self, optimizer: Any, buffers: FlatBuffers):
        self.buffers = buffers
        self._owner = _SlotPack()
        self._packed: set[int] = set()
        self.slots = [self._pack(group) for group in optimizer._slot_groups()]
        self.ema = self._pack(optimizer._ema_averages) if optimizer.use_ema else None
        steps = optimizer.gradient_accumulation_steps
        self.accumulator = self._pack(optimizer._accumulators) if steps else None
        self.scratch = [np.empty_like(buffers.params) for _ in range(optimizer._n_scratch)]
        self.decayed = self._decayed_runs(optimizer, buffers)
        self.flat_slots = [a for a in [*self.slots, self.ema, self.accumulator]
                           if a is not None]
        skip = self._packed | {id(optimizer._iterations), id(optimizer._learning_rate)}
        # tracked variables outside the flat arrays (Nadam's u_product, ...)
        self.other_slots = [v for v in optimizer._variables if id(v) not in skip]

    @staticmethod
    def _decayed_runs(optimizer: Any, buffers: FlatBuffers) -> list[np.ndarray]:
        """Views of `params` covering the variables weight decay applies to (adjacent
        ones merged): one view when nothing is excluded. A few contiguous multiplies are
        several times faster than one masked (`where=`) multiply."""
        runs: list[list[int]] = []
        for v, start, size in zip(buffers.variables, buffers.offsets.tolist(),
                                  buffers.sizes.tolist(), strict=True):
            if not optimizer._use_weight_decay(v) or not size:
                continue
            if runs and runs[-1][1] == start:
                runs[-1][1] = start + size
            else:
                runs.append([start, start + size])
        return [buffers.params[a:b] for a, b in runs]

    def _pack(self, group: list[Variable]) -> np.ndarray:
        flat = self.buffers.pack([v.data for v in group])
        for v, view in zip(group, self.buffers.segments(flat), strict=True):
            v._share_storage(view, self._owner)
            self._packed.add(id(v))
        return flat

    @property
    def valid(self) -> bool:
        return self._owner.valid and self.buffers.valid


def apply_flat(optimizer: Any, buffers: FlatBuffers) -> None:
    """One update of every variable of `buffers` from `buffers.grads` (see the module)."""
    state = optimizer._flat_state
    if state is None or state.buffers is not buffers or not state.valid:
        state = optimizer._flat_state = _bind(optimizer, buffers)
    grads = buffers.grads
    if optimizer.loss_scale_factor is not None:
        np.divide(grads, optimizer.loss_scale_factor, out=grads)
    steps = optimizer.gradient_accumulation_steps
    if steps:
        acc = state.accumulator
        if (int(optimizer._iterations.data) + 1) % steps == 0:
            np.add(grads, acc, out=grads)
            np.divide(grads, steps, out=grads)
            _step(optimizer, state, grads)
            acc[...] = 0
        else:
            acc += grads
    else:
        _step(optimizer, state, grads)
    params = buffers.params
    if optimizer.use_ema:
        done = optimizer._updates_done()
        momentum = optimizer.ema_momentum if done != 0 else 0.0
        state.ema *= momentum
        state.ema += np.multiply(params, 1.0 - momentum, out=state.scratch[0])
        freq = optimizer.ema_overwrite_frequency
        if freq and (done + 1) % freq == 0:
            params[...] = state.ema
    count = optimizer._iterations.data
    count[...] = done = int(count) + 1
    if done % optimizer._flush_every == 0:
        _flush_denormals(state)
    for v in buffers.variables:
        if v.constraint is not None:
            value = v.constraint(v.data)
            v.data[...] = value.data if isinstance(value, Tensor) else value


def updater(optimizer: Any, buffers: FlatBuffers) -> Callable[[], None]:
    """`apply_flat(optimizer, buffers)` as a function of no arguments, for a loop that
    makes many updates in a row with nothing else touching the optimizer (the trainer's
    multi-step replay): the state is bound once, the learning rate read once when it is
    a plain variable, and the branches this configuration never takes are left out.

    The same operations in the same order as `apply_flat`, so the same numbers. The
    step counter is kept in the closure and written through on every call: build a new
    updater after anything else has updated the optimizer (an `apply_flat`, `apply`,
    `set_weights`, a change of learning rate).
    """
    state = optimizer._flat_state
    if state is None or state.buffers is not buffers or not state.valid:
        state = optimizer._flat_state = _bind(optimizer, buffers)
    if (optimizer.loss_scale_factor is not None or optimizer.gradient_accumulation_steps
            or optimizer.use_ema or any(v.constraint is not None for v in buffers.variables)):
        return lambda: apply_flat(optimizer, buffers)
    grads, params = buffers.grads, buffers.params
    kernel, coefficients = optimizer._kernel, optimizer._coefficients
    slots, scratch, decayed = state.slots, state.scratch, state.decayed
    clips = bool(optimizer.clipnorm or optimizer.global_clipnorm or optimizer.clipvalue)
    weight_decay = optimizer.weight_decay
    fixed_rate = isinstance(optimizer._learning_rate, Variable) and not optimizer.decay
    rate = optimizer.current_learning_rate() if fixed_rate else None
    current_rate = optimizer.current_learning_rate
    count, flush_every = optimizer._iterations.data, optimizer._flush_every
    done = int(count)

    def update() -> None:
        nonlocal done
        if clips:
            _clip(optimizer, state, grads)
        lr = rate if fixed_rate else current_rate()
        if weight_decay:
            shrink = 1.0 - weight_decay * lr
            for run in decayed:
                run *= shrink
        kernel(params, grads, slots, scratch, coefficients(lr))
        done += 1
        count[...] = done
        if done % flush_every == 0:
            _flush_denormals(state)

    return update


def _bind(optimizer: Any, buffers: FlatBuffers) -> FlatState:
    buffers.check()
    name = type(optimizer).__name__
    if not optimizer.supports_flat:
        raise ValueError(f"{name}.apply_flat: this optimizer updates one variable at a time "
                         "(supports_flat is False); use apply(grads, variables)")
    if not optimizer.built:
        optimizer.build(buffers.variables)
    built = optimizer._trainable_variables
    if len(built) != len(buffers.variables) or any(
            a is not b for a, b in zip(built, buffers.variables, strict=False)):
        raise ValueError(
            f"{name}.apply_flat: the buffers hold the variables "
            f"{[v.path for v in buffers.variables]}, the optimizer was built with "
            f"{[v.path for v in built]}; they must be the same list, in the same order"
        )
    return FlatState(optimizer, buffers)


def _step(optimizer: Any, state: FlatState, grads: np.ndarray) -> None:
    """Clip, decay the weights, then the optimizer's kernel once over the whole buffer."""
    _clip(optimizer, state, grads)
    lr = optimizer.current_learning_rate()
    params = state.buffers.params
    if optimizer.weight_decay:
        shrink = 1.0 - optimizer.weight_decay * lr
        for run in state.decayed:
            run *= shrink
    coefficients = optimizer._coefficients(lr)
    optimizer._kernel(params, grads, state.slots, state.scratch, coefficients)


def _clip(optimizer: Any, state: FlatState, grads: np.ndarray) -> None:
    """The per-variable path's clipping, in place on the flat gradients."""
    if optimizer.clipnorm:
        buffers = state.buffers
        limit = optimizer.clipnorm
        norms = buffers.segment_norms(grads, scratch=state.scratch[0])
        for view, norm in zip(buffers.grad_views, norms, strict=True):
            if norm > limit:
                view *= limit / norm
    elif optimizer.global_clipnorm:
        norm = math.sqrt(float(np.vdot(grads, grads)))
        if not math.isfinite(norm):
            grads.fill(np.nan)
        elif norm > optimizer.global_clipnorm:
            grads *= optimizer.global_clipnorm / norm
    elif optimizer.clipvalue:
        np.clip(grads, -optimizer.clipvalue, optimizer.clipvalue, out=grads)


def _flush_denormals(state: FlatState) -> None:
    """The per-variable path's denormal flush, one call per flat slot array."""
    arrays = state.flat_slots + [v.data for v in state.other_slots]
    for data in arrays:
        if data.dtype.kind != "f" or not data.ndim:
            continue
        np.copyto(data, 0, where=np.abs(data) < np.finfo(data.dtype).tiny)
