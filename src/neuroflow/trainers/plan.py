"""The traced plan: one step traced into a list of kernel calls, replayed on every batch.

The rule (the same as `tf.function` and `jax.jit` tracing): the first train, test or
predict step on batches of a given structure, shapes and dtypes runs eagerly while every
primitive it binds is recorded (`primitive.tracing`). The recording becomes a plan: the
batch arrays, the model's variables and constants as inputs, then the forward kernels in
the order they ran, then, for a train step, the VJP kernels in reverse order (only those
on a path from a trainable variable to the loss, and only for the inputs that need a
gradient). Every later batch of the same signature replays the kernels on its own arrays;
a new signature (the ragged last batch, another `training` flag) traces a new plan, and
`fit`/`compile` drop the plans when the model may have changed.

Python in `call` runs only while tracing: a model whose `call` branches on tensor values,
or computes on raw arrays outside the ops, must be compiled with `run_eagerly=True`.
Steps that cannot be replayed are detected and run eagerly: layers that draw random
numbers or update state in `call` (Dropout, GaussianNoise, BatchNormalization in
training), ops defined with `record()`, and constants with the batch's number of rows
(data computed outside the ops).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff import tensor as tensor_module
from neuroflow.autodiff.primitive import Primitive, tracing
from neuroflow.autodiff.tensor import Tensor, Variable

__all__ = ["Plan", "Untraceable", "trace", "leaves_of"]

# A batch array seen through a view (labels of shape (n, 1) read as (n,), ...).
_VIEW = Primitive("view", lambda a, shape: (a.reshape(shape), None), lambda g, r, n: (None,))


class Untraceable(Exception):
    """Raised while building a plan from a trace that cannot be replayed."""


def leaves_of(structure: Any) -> list:
    """The arrays of a batch structure (an array, a list/tuple or a dict by sorted key)."""
    if structure is None:
        return []
    if isinstance(structure, dict):
        return [v for k in sorted(structure) for v in leaves_of(structure[k])]
    if isinstance(structure, (list, tuple)):
        return [v for item in structure for v in leaves_of(item)]
    return [structure]


def trace(fn, record_gradients: bool, nodes: list | None) -> Any:
    """Run `fn()` eagerly (under a recording tape for a train step), appending every
    primitive it binds to `nodes` unless that is None."""
    if record_gradients:
        tensor_module._recording[0] += 1
    try:
        if nodes is None:
            return fn()
        with tracing(nodes):
            return fn()
    finally:
        if record_gradients:
            tensor_module._recording[0] -= 1


class Plan:
    """Replays a traced step: forward kernels, then (for training) the VJP kernels.

    `outputs` are the tensors of the trace whose values `run` returns (the loss first
    for a train or test step), in that order.
    """

    def __init__(self, nodes: list, batch_leaves: list[np.ndarray], outputs: list[Tensor],
                 loss: Tensor | None = None, variables: list[Variable] | None = None):
        rows = len(batch_leaves[0]) if batch_leaves and np.ndim(batch_leaves[0]) else -1
        self.n_inputs = len(batch_leaves)
        slots: dict[int, int] = {}  # id(tensor or batch array) -> slot
        values: list = [None] * self.n_inputs  # the arrays the kernels read, by slot
        for i, leaf in enumerate(batch_leaves):
            slots.setdefault(id(leaf), i)
        keep_alive = list(batch_leaves)  # ids stay unique while the plan is built
        program: list = []  # (primitive, input slots, params, output slot, node)
        self._views: list = []

        def slot_of(t: Tensor) -> int:
            s = slots.get(id(t))
            if s is not None:
                return s
            data = t.data
            s = slots.get(id(data))
            if s is not None and not isinstance(t, Variable):
                slots[id(t)] = s
                return s
            if isinstance(t, Variable):  # read in place: optimizer updates are seen
                slots[id(t)] = len(values)
                values.append(t.data)
                keep_alive.append(t)
                return slots[id(t)]
            base = data.base if isinstance(data, np.ndarray) else None
            while isinstance(base, np.ndarray) and id(base) not in slots:
                base = base.base
            if (isinstance(base, np.ndarray) and slots[id(base)] < self.n_inputs
                    and base.size == data.size):
                out = len(values)
                values.append(None)
                self._views.append((slots[id(base)], data.shape, out))
                slots[id(t)] = out
                keep_alive.append(t)
                return out
            if data.ndim and rows > 1 and data.shape[0] == rows:
                raise Untraceable(
                    f"a constant of shape {data.shape} (computed from the batch outside the "
                    "ops?) would be baked into the plan"
                )
            slots[id(t)] = len(values)
            values.append(data)
            keep_alive.append(t)
            return slots[id(t)]

        for prim, inputs, params, out in nodes:
            if prim is None:
                raise Untraceable(params.get("reason", "an untraceable step"))
            ins = tuple(slot_of(t) for t in inputs)
            o = len(values)
            values.append(None)
            slots[id(out)] = o
            keep_alive.append(out)
            program.append([prim, ins, params, o, inputs, out])
        self.output_slots = [slot_of(t) for t in outputs]
        self._values = values
        self._forward = [(p[0].forward, p[1], p[2], p[3]) for p in program]
        self._n_res = len(program)
        self.backward: list = []
        self.grad_slots: list[int | None] = []
        if loss is not None and variables is not None:
            self._build_backward(program, slots, loss, variables)

    def _build_backward(self, program: list, slots: dict, loss: Tensor, variables: list) -> None:
        """Keep the VJPs on a path from a trainable variable to the loss, in reverse order."""
        wanted = {slots[id(loss)]}
        backward = []
        for k in range(len(program) - 1, -1, -1):
            prim, ins, params, o, inputs, out = program[k]
            if o not in wanted or not out.requires_grad:
                continue
            needs = tuple(t.requires_grad for t in inputs)
            if not any(needs):
                continue
            for s, need in zip(ins, needs, strict=True):
                if need:
                    wanted.add(s)
            backward.append((prim.vjp, k, o, ins, needs))
        self.backward = backward
        self.loss_slot = slots[id(loss)]
        self.grad_slots = [slots.get(id(v)) if id(v) in slots else None for v in variables]

    def run(self, batch_leaves: list[np.ndarray], seed: np.ndarray | None = None) -> tuple:
        """Replay on a batch: (the output arrays, the gradients of the variables or None)."""
        values = self._values
        values[: self.n_inputs] = batch_leaves
        for src, shape, out in self._views:
            values[out] = values[src].reshape(shape)
        residuals = [None] * self._n_res
        for k, (forward, ins, params, o) in enumerate(self._forward):
            values[o], residuals[k] = forward(*[values[i] for i in ins], **params)
        outputs = [values[s] for s in self.output_slots]
        if seed is None:
            return outputs, None
        grads: dict[int, np.ndarray] = {self.loss_slot: seed}
        for vjp, k, o, ins, needs in self.backward:
            g = grads.pop(o, None)
            if g is None:
                continue
            for s, pg in zip(ins, vjp(g, residuals[k], needs), strict=True):
                if pg is not None:
                    prev = grads.get(s)
                    grads[s] = pg if prev is None else prev + pg
        return outputs, [None if s is None else grads.get(s) for s in self.grad_slots]
