"""The pack's steps compiled: one generated Python function per batch signature.

A pack trains for thousands of steps on batches of one or two shapes, so its step is
built once per signature (train, test or predict; the batch's shapes and dtypes) as
Python source, the way `trainers.plan` compiles a model's traced step: every weight,
gradient and activation buffer is a name bound once, every product writes into a
preallocated buffer (`np.matmul(..., out=)`), every bias gradient is one product of a
row of ones with the output gradient, written into the flat (K, P) gradient buffer
(3-5x faster than `np.add.reduce` over the batch axis of a (K, batch, units) array),
and no tape runs.

The loss is the compiled loss's own math and VJPs: its per-sample values on the last
layer's pre-activation (a Variable over that buffer) are traced once per signature and
compiled by `trainers.plan.Plan`; replaying that plan gives the values, the predictions
and the gradient that seeds the stacked backward pass. Its backward starts at the
per-sample values, seeded with the gradient of each member's batch mean (1/batch each,
times the loss scale), which is what the mean's own VJPs would hand down: the same
numbers, without replaying a sum and a product every step. A loss that cannot be traced
runs through the tape on every step (`StackedNetwork.loss_values`).

A hidden layer's products run per width class: members of similar widths (contiguous rows
of the pack) multiply only the corner of the padded buffers their widest one needs, so a
pack of widths 64 to 99 does not pay 99-wide products for all of them. The classes are
cut by dynamic programming on the cost of a product (`SECONDS_PER_FLOP`) against the
cost of three more calls a step (`_CLASS_SECONDS`); what a class leaves out is padding,
never written, so it stays exactly zero.

Padding needs no mask when every hidden activation maps 0 to 0: a padded unit's
pre-activation is then exactly 0, its output 0, and every gradient that reaches a
padded weight is a product with one of those zeros, so it is exactly 0 too (the mask
is applied otherwise, after every backward pass).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from neuroflow.autodiff import nn_ops
from neuroflow.autodiff.tensor import Variable
from neuroflow.losses.loss import as_prediction, as_target, squeeze_or_expand_to_same_rank
from neuroflow.trainers.plan import Plan, Untraceable, trace

__all__ = ["PackSteps", "SECONDS_PER_FLOP", "loss_targets", "width_classes"]

_LINEAR = nn_ops.KERNELS["linear"]

SECONDS_PER_FLOP = 2.5e-11
"""Seconds per floating-point operation of the batch-32 float32 stacked products of a
pack (about 40 GFLOP/s on one thread of the 2-core machine these were measured on)."""
_CLASS_SECONDS = 1.2e-5
"""What one more width class of a layer costs a training step: three more stacked
products (forward, kernel gradient, input gradient) and the views they slice, about
4 us each. Measured on the chapter search's packs (one thread): the 64-99 and 29-63
wide packs' steps took 7% and 6% less time with their classes; the 1-26 wide pack gets
none (with half this cost it got some, and its step took 3% longer)."""


def width_classes(widths_in: list[int], widths_out: list[int], batch: int,
                  products: int = 3) -> list[tuple[int, int, int, int]]:
    """The rows of a layer cut into width classes: (first, end, in, out) for contiguous
    runs of members whose products use the `in` x `out` corner (their widest widths).
    Minimises `products` products of each class against `_CLASS_SECONDS` a class."""
    n = len(widths_in)
    best = [0.0] + [math.inf] * n
    cut = [0] * (n + 1)
    for end in range(1, n + 1):
        wide_in = wide_out = 0
        for first in range(end - 1, -1, -1):
            wide_in = max(wide_in, widths_in[first])
            wide_out = max(wide_out, widths_out[first])
            cost = best[first] + _CLASS_SECONDS + (SECONDS_PER_FLOP * 2 * products * batch
                                                   * (end - first) * wide_in * wide_out)
            if cost < best[end]:
                best[end], cut[end] = cost, first
    classes, end = [], n
    while end:
        first = cut[end]
        classes.append((first, end, max(widths_in[first:end]), max(widths_out[first:end])))
        end = first
    return classes[::-1]


def loss_targets(net: Any, y: np.ndarray, out_shape: tuple[int, ...]) -> np.ndarray:
    """`y` as the loss reads it for predictions of shape (rows, *out_shape): the rank
    aligned as the loss aligns it for one member, cast to the predictions' dtype unless
    the loss reads raw labels. Done once for a whole array, then batches are slices."""
    y = np.asarray(y)
    if net.loss._raw_labels:
        return y
    y, _ = squeeze_or_expand_to_same_rank(y, np.broadcast_to(net.dtype.type(0),
                                                             (len(y), *out_shape)))
    return np.ascontiguousarray(y, dtype=net.dtype)


class PackSteps:
    """The compiled train, test and predict steps of a `StackedNetwork`, by signature.

    `train(x, y)` runs one step (forward, loss, backward into `net.grads`; the
    optimizer update is the caller's) and returns (each member's mean loss (K,),
    float64; the predictions (K, rows, ...)). `test(x, y)` returns the same without a
    gradient; `predict(x)` the predictions. Arrays returned may be buffers that the next
    call overwrites. Call `reset()` when the pack's members or buffers change.
    """

    def __init__(self, net: Any, loss_scale: float = 1.0):
        self.net = net
        self.loss_scale = loss_scale
        self._steps: dict[tuple, Any] = {}
        zero = np.zeros(1, dtype=net.dtype)
        hidden = net.activations[:-1]
        self.exact_padding = all(float(k.forward(zero.copy())[0]) == 0.0 for k in hidden)

    def reset(self) -> None:
        self._steps.clear()

    def train(self, x: np.ndarray, y: np.ndarray,
              per_member: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """One step on a batch every member sees, or with `per_member` on (K, rows, ...)
        arrays of each member's own batch."""
        key = ("train", per_member, x.shape, x.dtype, y.shape, y.dtype)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = self._compile("train", x, y, per_member)
        return step(x, y)

    def test(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        key = ("test", x.shape, x.dtype, y.shape, y.dtype)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = self._compile("test", x, y, False)
        return step(x, y)

    def predict(self, x: np.ndarray) -> np.ndarray:
        key = ("predict", x.shape, x.dtype)
        step = self._steps.get(key)
        if step is None:
            step = self._steps[key] = self._compile("predict", x, None, False)
        return step(x)

    # ---- compilation ----------------------------------------------------------------
    def _compile(self, kind: str, x: np.ndarray, y: np.ndarray | None,
                 per_member: bool) -> Any:
        net = self.net
        k = len(net.specs)
        batch = x.shape[1] if per_member else x.shape[0]
        training = kind == "train"
        env: dict[str, Any] = {"matmul": np.matmul, "add": np.add,
                               "multiply": np.multiply, "copyto": np.copyto, "f64": np.float64,
                               "add_reduce": np.add.reduce}
        lines = ["def step(x, y=None):"]
        if net.flatten:
            env["in_shape"] = (k, batch, -1) if per_member else (batch, -1)
            lines.append("    h = x.reshape(in_shape)")
        else:
            lines.append("    h = x")
        # forward: H{j} the input of dense layer j, Z{j} its pre-activation buffer,
        # A{j} its activation; layer j runs on the first counts[j] rows (all of them
        # unless depths differ: then HOUT gathers each member's last hidden output)
        drops: dict[int, str] = {}  # dense index -> the dropout mask applied to its input
        last = len(net.activations) - 1
        if net.mixed:
            env["HOUT"] = np.zeros((k, batch, int(net.widths[last])), dtype=net.dtype)
        # each hidden layer's width classes (None: one product), for both passes
        classes_of = {j: self._classes(j, batch) for j in range(last)}
        j = 0
        for position, kind_of in enumerate(net.kinds):
            if kind_of == "dropout":
                if training:
                    env["dropout"] = net._dropout_mask
                    width = int(net.widths[j])
                    lines.append(f"    M{position} = dropout({position}, {batch}, {width})")
                    lines.append(f"    h = h * M{position}")
                    drops[j] = f"M{position}"
                continue
            rows = net.counts[j]
            env[f"Z{j}"] = np.zeros((rows, batch, int(net.widths[j + 1])), dtype=net.dtype)
            env[f"W{j}"] = net.kernels[j][:rows]
            if j == last and net.mixed:
                lines.append(f"    h = H{j} = HOUT")
            elif rows < k and (j or per_member):
                lines.append(f"    h = H{j} = h[:{rows}]")
            else:
                lines.append(f"    H{j} = h")
            classes = classes_of.get(j)
            if classes is None:
                lines.append(f"    matmul(h, W{j}, out=Z{j})")
            flat = j == 0 and not per_member and j not in drops  # a 2-D input
            for c, (a, b, w_in, w_out) in enumerate(classes or ()):
                env[f"W{j}_{c}"] = net.kernels[j][a:b, :w_in, :w_out]
                env[f"Z{j}_{c}"] = env[f"Z{j}"][a:b, :, :w_out]
                src = f"h[:, :{w_in}]" if flat else f"h[{a}:{b}, :, :{w_in}]"
                lines.append(f"    matmul({src}, W{j}_{c}, out=Z{j}_{c})")
            if net.biases[j] is not None:
                env[f"B{j}"] = net.biases[j][:rows]
                lines.append(f"    add(Z{j}, B{j}, out=Z{j})")
            if j < last:
                kernel = net.activations[j]
                if kernel is _LINEAR:
                    lines.append(f"    h = A{j} = Z{j}")
                else:
                    env[f"act{j}"] = kernel.forward
                    lines.append(f"    h = A{j} = act{j}(Z{j})")
                ending = net.counts[j + 1] if j + 1 < last else 0
                if net.mixed and ending < rows:  # members whose last hidden layer is j
                    env[f"HOUT{j}"] = env["HOUT"][ending:rows]
                    lines.append(f"    copyto(HOUT{j}, A{j}[{ending}:{rows}])")
            j += 1
        if kind == "predict":
            kernel = net.activations[-1]
            if kernel is _LINEAR:
                lines.append(f"    return Z{last}")
            else:
                env["act_out"] = kernel.forward
                lines.append(f"    return act_out(Z{last})")
            return _build(lines, env)
        loss_plan, target, seed_shape = self._loss_plan(env[f"Z{last}"], y, per_member,
                                                        training)
        if loss_plan is None:  # the loss cannot be traced: the tape on every step
            env["eager_loss"] = net.loss_values
            lines.append(f"    per, dz, pred = eager_loss(Z{last}, y, {training}, "
                         f"{per_member})")
        else:
            env["loss"] = loss_plan.run
            if per_member:
                lines.append("    leaves = [y]")
            else:
                env["Y"], env["leaves"] = target
                lines.append("    copyto(Y, y)")
            if training:
                # the gradient of each member's mean loss (times the loss scale) with
                # respect to its per-sample values: the seed the mean's own VJPs would
                # pass down, computed once (the same float32 product); VJPs only read
                # their upstream gradient, as in every traced plan
                env["SEED"] = np.full(seed_shape, np.asarray(self.loss_scale, net.dtype)
                                      * (1.0 / batch), dtype=net.dtype)
            lines.append("    outs, grads = loss(leaves, SEED)" if training
                         else "    outs, grads = loss(leaves)")
            env["row_shape"] = (k, -1)
            lines.append(f"    per = add_reduce(outs[0].reshape(row_shape), 1, f64) / "
                         f"{batch}")
            lines.append("    pred = outs[1]")
            if training:
                lines.append("    dz = grads[0]")
        if training:
            self._backward(lines, env, drops, per_member, k, batch, classes_of)
        lines.append("    return per, pred")
        return _build(lines, env)

    def _backward(self, lines: list, env: dict, drops: dict, per_member: bool, k: int,
                  batch: int, classes_of: dict) -> None:
        """Gradients into `net.grads`, last layer first. Layer j's input gradient goes to
        G{j-1}; with depths mixed every hidden width is one and there is one buffer G:
        its first counts[j] rows take layer j's input gradient, the rows after them
        still hold the output layer's for the members whose last hidden layer is j-1.
        `classes_of` holds each hidden layer's width classes, as the forward pass used."""
        net = self.net
        last = len(net.activations) - 1
        if net.mixed:
            env["G"] = np.zeros((k, batch, int(net.widths[last])), dtype=net.dtype)
        lines.append("    g = dz")
        for j in range(last, -1, -1):
            rows = net.counts[j]
            env[f"GW{j}"] = net.grad_kernels[j][:rows]
            shared = j == 0 and not per_member and 0 not in drops  # a 2-D input
            classes = classes_of.get(j)
            if classes is None:
                transposed = "H0.T" if shared else f"H{j}.transpose(0, 2, 1)"
                lines.append(f"    matmul({transposed}, g, out=GW{j})")
            for c, (a, b, w_in, w_out) in enumerate(classes or ()):
                env[f"GW{j}_{c}"] = net.grad_kernels[j][a:b, :w_in, :w_out]
                transposed = (f"H0[:, :{w_in}].T" if shared
                              else f"H{j}[{a}:{b}, :, :{w_in}].transpose(0, 2, 1)")
                lines.append(f"    matmul({transposed}, g[{a}:{b}, :, :{w_out}], "
                             f"out=GW{j}_{c})")
            if net.grad_biases[j] is not None:  # a row of ones times g: the batch's sum
                env[f"GB{j}"] = net.grad_biases[j][:rows]
                env.setdefault("ONES", np.ones((1, batch), dtype=net.dtype))
                lines.append(f"    matmul(ONES, g, out=GB{j})")
            if j == 0:
                break
            env[f"WT{j}"] = net.kernels[j][:rows].transpose(0, 2, 1)
            # one output unit: the product is an outer product, one multiply per entry
            # (the same numbers; a stacked product with an inner size of 1 is 2.5x slower)
            product = "multiply" if int(net.widths[j + 1]) == 1 else "matmul"
            if net.mixed:
                env[f"G{j - 1}"] = env["G"][:rows]  # written by this product
                env[f"GIN{j - 1}"] = env["G"][:net.counts[j - 1]]  # read by layer j-1
            else:
                env[f"G{j - 1}"] = np.zeros((k, batch, int(net.widths[j])), dtype=net.dtype)
            if classes is None:
                lines.append(f"    {product}(g, WT{j}, out=G{j - 1})")
            for c, (a, b, w_in, w_out) in enumerate(classes or ()):
                env[f"WT{j}_{c}"] = net.kernels[j][a:b, :w_in, :w_out].transpose(0, 2, 1)
                env[f"G{j - 1}_{c}"] = env[f"G{j - 1}"][a:b, :, :w_in]
                lines.append(f"    matmul(g[{a}:{b}, :, :{w_out}], WT{j}_{c}, "
                             f"out=G{j - 1}_{c})")
            lines.append(f"    g = GIN{j - 1}" if net.mixed else f"    g = G{j - 1}")
            if j in drops:
                lines.append(f"    g = g * {drops[j]}")
            kernel = net.activations[j - 1]
            if kernel is not _LINEAR:
                env[f"dact{j - 1}"] = kernel.backward
                pre = "None" if kernel.in_place else f"Z{j - 1}"
                lines.append(f"    g = dact{j - 1}(g, {pre}, A{j - 1})")
            elif net.mixed:  # the next product writes into G: g must not be a view of it
                lines.append("    g = g.copy()")
        if net.mask is not None and not self.exact_padding:
            env["GRADS"], env["MASK"] = net.grads, net.mask
            lines.append("    multiply(GRADS, MASK, out=GRADS)")

    def _classes(self, j: int, batch: int) -> list[tuple[int, int, int, int]] | None:
        """The width classes of hidden layer j's products (see `width_classes`); None
        where one product over the whole padded buffer is what they come to."""
        net = self.net
        rows = net.counts[j]
        widths = net.member_widths[:rows]
        classes = width_classes([int(w[j]) for w in widths], [int(w[j + 1]) for w in widths],
                                batch, products=2 if j == 0 else 3)
        full = (0, rows, int(net.widths[j]), int(net.widths[j + 1]))
        return None if classes == [full] else classes

    def _loss_plan(self, logits: np.ndarray, y: np.ndarray, per_member: bool,
                   training: bool) -> tuple[Any, Any, tuple]:
        """(the per-sample loss values traced on the logits buffer and compiled, the
        shared-target buffer and the plan's leaves, the values' shape), or (None, None,
        ()) when the loss cannot be traced."""
        net = self.net
        k = logits.shape[0]
        if per_member:
            leaf = np.zeros(y.shape, dtype=y.dtype)
            target = None
        else:
            buffer = np.zeros(y.shape, dtype=y.dtype)
            leaf = np.broadcast_to(buffer, (k, *y.shape))
            target = (buffer, [leaf])
        z = Variable(np.zeros((), dtype=net.dtype), name="population_logits")
        z.data = logits
        kernel = net.activations[-1]

        def loss_fn():
            out = z if kernel is _LINEAR else nn_ops.activation(z, kernel)
            if kernel.name in ("softmax", "sigmoid"):
                out._keras_logits = z
            y_pred = as_prediction(out)
            y_true = leaf if net.loss._raw_labels else as_target(leaf, y_pred.dtype)
            values, _ = net.loss._values_and_mask(y_true, y_pred)
            return values, out

        nodes: list = []
        values, out = trace(loss_fn, training, nodes)
        try:  # trained from the per-sample values, seeded with `seed_values` (see below)
            plan = Plan(nodes, [leaf], [values, out], loss=values if training else None,
                        variables=[z] if training else None)
        except Untraceable:
            return None, None, ()
        if training and not plan.backward:
            return None, None, ()
        return plan, target, values.data.shape


def _build(lines: list[str], env: dict) -> Any:
    source = "\n".join(lines) + "\n"
    exec(compile(source, "<neuroflow pack step>", "exec"), env)  # noqa: S102 - our own code
    step = env["step"]
    step.source = source
    return step
