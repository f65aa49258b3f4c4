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

__all__ = ["Plan", "Untraceable", "trace", "leaves_of", "pack_leaves"]

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


def pack_leaves(structure: Any, leaves: list) -> Any:
    """The inverse of `leaves_of`: `leaves` put back into the structure of `structure`."""
    if structure is None:
        return None
    if not isinstance(structure, (dict, list, tuple)):
        return leaves[0]
    it = iter(leaves)

    def pack(s):
        if isinstance(s, dict):
            by_key = {k: pack(s[k]) for k in sorted(s)}
            return {k: by_key[k] for k in s}
        if isinstance(s, (list, tuple)):
            return type(s)(pack(v) for v in s)
        return next(it)

    return pack(structure)


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
    for a train or test step), in that order. `plan.run(batch_leaves, seed=None)` is the
    compiled replay (see `_compile`): it returns (the output arrays, the gradients of
    `variables`, or None without a seed).
    """

    def __init__(self, nodes: list, batch_leaves: list[np.ndarray], outputs: list[Tensor],
                 loss: Tensor | None = None, variables: list[Variable] | None = None,
                 grad_views: list[np.ndarray] | None = None):
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
                values.append(t)
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
        backward = []
        self.grad_slots: list[int | None] = []
        if loss is not None and variables is not None:
            backward = _backward_program(program, slots[id(loss)])
            self.grad_slots = [slots.get(id(v)) for v in variables]
        self.backward = backward
        assigned = {s for _, _, ins, needs in backward
                    for s, need in zip(ins, needs, strict=True) if need}
        # every variable gets its gradient: write them into the flat gradient buffer
        self.flat = bool(backward and grad_views is not None
                         and all(s in assigned for s in self.grad_slots))
        self._code = _compile(program, backward, values, self.n_inputs, self._views,
                              self.output_slots, slots.get(id(loss)), self.grad_slots,
                              grad_views if self.flat else None)
        self.run = self._code.run
        self._runners: dict[tuple[bool, bool, bool], Any] = {}

    def steps_runner(self, gather: bool, periodic: bool, training: bool) -> Any:
        """Many batches of this plan's signature replayed by one generated function.

        `run_steps(sources, order, first, last, bs, seed, update, total, count, clock,
        due)` replays steps `first` to `last - 1` of an epoch: step `k`'s batch is rows
        `k * bs` to `(k + 1) * bs` of each array of `sources` (in `leaves_of` order), or,
        with `gather`, the rows `order[k * bs:(k + 1) * bs]` of them (taken into buffers
        reused from batch to batch). After a train step's kernels (the loss seeded with
        `seed`, the gradients in the flat buffer) it calls `update()`. It sums each
        step's loss times `bs` into `total` and `bs` into `count` (a loss tracker's
        float32 scalars, the additions `update_state` makes), and returns
        `(next step, total, count, nan)` after step `last - 1`; with `training`, right
        after a step whose loss is not finite (`nan` True); with `periodic`, after the
        first step that ends at or past `due` on `clock`. The variables are read once:
        nothing but `update` may touch them in between. Train plans must be flat (their
        gradients in the flat buffer); built on first use, one per (gather, periodic,
        training).
        """
        key = (gather, periodic, training)
        runner = self._runners.get(key)
        if runner is None:
            if self.backward and not self.flat:
                raise ValueError("steps_runner: a train plan must write its gradients into "
                                 "flat buffers (Plan(..., grad_views=...)) to replay many steps")
            runner = self._runners[key] = self._code.steps_runner(gather, periodic, training)
        return runner


def _backward_program(program: list, loss_slot: int) -> list:
    """The VJPs on a path from a trainable variable to the loss, in reverse order:
    (node index, output slot, input slots, which inputs need a gradient)."""
    wanted = {loss_slot}
    backward = []
    for k in range(len(program) - 1, -1, -1):
        prim, ins, params, o, inputs, out = program[k]
        if o not in wanted or not out.requires_grad:
            continue
        needs = tuple(t.requires_grad for t in inputs)
        if not any(needs):
            continue
        wanted.update(s for s, need in zip(ins, needs, strict=True) if need)
        backward.append((k, o, ins, needs))
    return backward


def _accumulate(total, part):
    """Sum two gradient contributions, either of which may be missing (None)."""
    if total is None:
        return part
    return total if part is None else total + part


def _in_place_gradients(program: list, backward: list, grad_slots: list,
                        grad_views: list | None) -> dict[int, np.ndarray]:
    """Variable slots whose gradient one VJP can write straight into its flat-buffer view:
    slot -> view. A variable qualifies when exactly one VJP input receives its gradient
    (no sum of contributions) and that primitive takes `out` (`Primitive.vjp_out`)."""
    if grad_views is None:
        return {}
    count: dict[int, int] = {}
    writer_takes_out: dict[int, bool] = {}
    for k, _o, ins, needs in backward:
        for s, need in zip(ins, needs, strict=True):
            if need:
                count[s] = count.get(s, 0) + 1
                writer_takes_out[s] = program[k][0].vjp_out
    return {s: view for s, view in zip(grad_slots, grad_views, strict=True)
            if count.get(s) == 1 and writer_takes_out[s]}


def _compile(program: list, backward: list, values: list, n_inputs: int, views: list,
             output_slots: list, loss_slot: int | None, grad_slots: list,
             grad_views: list | None) -> _Source:
    """The plan as generated Python source: a flat list of bound kernel calls.

    Every kernel, parameter and constant is a name bound once in the function's
    namespace, every intermediate array a local variable, so a replay does no lookups,
    no dict or list work and no `**params` unpacking: what remains per node is the
    kernel call itself. Variables are read through `.data` when the function starts,
    so in-place updates and rebinding (flat parameter buffers) are both seen. With
    `grad_views` (views into a `FlatBuffers.grads`), the variables' gradients are
    written there and the function returns None for them: the optimizer reads the flat
    buffer. The pieces are kept (`_Source`) so that `Plan.steps_runner` can put the same
    lines inside a loop over batches.
    """
    env: dict[str, Any] = {"_accumulate": _accumulate, "_copyto": np.copyto}
    binds = []
    for s in range(n_inputs, len(values)):
        value = values[s]
        if isinstance(value, Variable):
            env[f"V{s}"] = value
            binds.append(f"v{s} = V{s}.data")
        elif value is not None:
            env[f"v{s}"] = value
    forward = []
    for src, shape, out in views:
        env[f"shape{out}"] = shape
        forward.append(f"v{out} = v{src}.reshape(shape{out})")
    needs_residuals = {k for k, *_ in backward}
    for k, (prim, ins, params, o, _inputs, _out) in enumerate(program):
        env[f"f{k}"] = prim.forward
        args = [f"v{i}" for i in ins]
        for key, value in params.items():
            env[f"p{k}_{key}"] = value
            args.append(f"{key}=p{k}_{key}")
        res = f"r{k}" if k in needs_residuals else "_"
        forward.append(f"v{o}, {res} = f{k}({', '.join(args)})")
    grads_out = []
    if backward:
        grads = sorted({s for _, _, ins, needs in backward
                        for s, need in zip(ins, needs, strict=True) if need})
        grads_out.append(" = ".join(f"g{s}" for s in grads) + " = None")
        grads_out.append(f"g{loss_slot} = seed")
        in_place = _in_place_gradients(program, backward, grad_slots, grad_views)
        assigned = {loss_slot}
        for k, o, ins, needs in backward:
            env[f"b{k}"] = program[k][0].vjp
            env[f"n{k}"] = needs
            grads_out.append(f"if g{o} is not None:")
            outs = tuple(in_place.get(s) if need else None
                         for s, need in zip(ins, needs, strict=True))
            if any(view is not None for view in outs):
                env[f"o{k}"] = outs
                grads_out.append(f"    t = b{k}(g{o}, r{k}, n{k}, o{k})")
            else:
                grads_out.append(f"    t = b{k}(g{o}, r{k}, n{k})")
            for j, (s, need) in enumerate(zip(ins, needs, strict=True)):
                if not need:
                    continue
                if s in assigned:
                    grads_out.append(f"    g{s} = _accumulate(g{s}, t[{j}])")
                else:
                    grads_out.append(f"    g{s} = t[{j}]")
                    assigned.add(s)
        if grad_views is not None:
            for k, (s, view) in enumerate(zip(grad_slots, grad_views, strict=True)):
                if s in in_place:
                    continue  # its VJP wrote it there
                env[f"G{k}"] = view
                grads_out.append(f"_copyto(G{k}, g{s})")
            result = "None"
        else:
            result = "[" + ", ".join("None" if s is None or s not in assigned else f"g{s}"
                                     for s in grad_slots) + "]"
    code = _Source(env, n_inputs, binds, forward, grads_out,
                   [f"v{s}" for s in output_slots], loss_slot)
    lines = ["def run(batch, seed=None):"]
    if n_inputs:
        lines.append("    " + ", ".join(f"v{i}" for i in range(n_inputs)) + ", = batch")
    lines += _indent(binds + forward, 1)
    lines.append(f"    outputs = [{', '.join(code.outputs)}]")
    if backward:
        lines.append("    if seed is None:")
        lines.append("        return outputs, None")
        lines += _indent(grads_out, 1)
        lines.append(f"    return outputs, {result}")
    else:
        lines.append("    return outputs, None")
    code.run = _define(env, lines, "run")
    return code


def _indent(lines: list[str], depth: int) -> list[str]:
    return ["    " * depth + line for line in lines]


def _define(env: dict, lines: list[str], name: str) -> Any:
    """Compile generated source into `env` and return the function `name` it defines."""
    source = "\n".join(lines) + "\n"
    exec(compile(source, f"<neuroflow traced plan: {name}>", "exec"), env)  # noqa: S102
    fn = env[name]
    fn.source = source
    return fn


class _Source:
    """A compiled plan's pieces of generated code (see `_compile`), and its `run`."""

    def __init__(self, env: dict, n_inputs: int, binds: list, forward: list,
                 backward: list, outputs: list, loss_slot: int | None):
        self.env, self.n_inputs = env, n_inputs
        self.binds, self.forward, self.backward = binds, forward, backward
        self.outputs, self.loss_slot = outputs, loss_slot
        self.run: Any = None

    def steps_runner(self, gather: bool, periodic: bool, training: bool) -> Any:
        """The replay of many batches in one generated function (see `Plan.steps_runner`)."""
        n = self.n_inputs
        sources = ", ".join(f"S{i}" for i in range(n))
        lines = ["def run_steps(sources, order, first, last, bs, seed, update, total, count,",
                 "              clock=None, due=None):",
                 f"    {sources}, = sources"]
        if gather:  # rows gathered per batch into buffers reused from batch to batch
            lines += [f"    B{i} = _empty((bs,) + S{i}.shape[1:], S{i}.dtype)" for i in range(n)]
        lines += _indent(self.binds, 1)
        lines += ["    for step in range(first, last):", "        s = step * bs"]
        if gather:
            lines.append("        idx = order[s:s + bs]")
            lines += [f"        v{i} = S{i}.take(idx, 0, B{i}, 'clip')" for i in range(n)]
        else:
            lines += [f"        v{i} = S{i}[s:s + bs]" for i in range(n)]
        lines += _indent(self.forward, 2)
        if self.backward:
            lines += _indent(self.backward, 2)
            lines.append("        update()")
        lines += [f"        value = float({self.outputs[0]})",
                  "        total += value * bs",
                  "        count += bs"]
        if training:  # a training step stops at a loss that is not finite
            lines += ["        if value - value != 0.0:",
                      "            return step + 1, total, count, True"]
        if periodic:
            lines += ["        if due <= clock():",
                      "            return step + 1, total, count, False"]
        lines.append("    return last, total, count, False")
        self.env["_empty"] = np.empty
        return _define(self.env, lines, "run_steps")
