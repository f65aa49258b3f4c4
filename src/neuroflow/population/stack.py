"""K Dense stacks as one network with a leading model axis, over flat buffers.

Every member's weights live in one (K, P) array (each Dense kernel a (K, in, out) view,
each bias a (K, 1, out) view), its gradients in another of the same layout, so that the
optimizer updates the whole pack with a few whole-buffer calls. Narrower members are
padded to the widest: their padding starts at zero and gets no gradient (exactly zero,
or zeroed by `mask`), so padded units output a constant that the next layer's zero rows
ignore, and each member computes exactly its own narrower network.

Members of different depths pack when their hidden layers are alike: deepest first, so
that the members having Dense position j are the first `counts[j]` rows, every hidden
position is padded to one width, and each hidden layer runs on those rows only; a
shallower member's last hidden output goes straight to the output layer (position -1).
No arithmetic is spent on a layer a member does not have, and no identity layer is
added to it: it computes exactly its own network.

The math is the library's: activation kernels from `nn_ops.KERNELS`, the compiled loss
(its per-sample values and their VJPs), each member's own Dropout layer and
regularizers. Only the leading model axis is new. The passes themselves are compiled
per batch signature by `population.compiled.PackSteps`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.autodiff import math_ops, nn_ops, reduce_ops
from neuroflow.autodiff.tensor import GradientTape, Tensor, Variable
from neuroflow.backend.random import using_generator
from neuroflow.losses.loss import as_prediction, as_target, squeeze_or_expand_to_same_rank
from neuroflow.population.members import MemberSpec

__all__ = ["StackedNetwork"]

_LINEAR = nn_ops.KERNELS["linear"]


class StackedNetwork:
    """The weights, gradients and forward/backward passes of a pack of members."""

    def __init__(self, specs: list[MemberSpec]):
        self.specs = list(specs)
        ref = specs[0]
        depths = [s.hidden for s in specs]
        if any(a < b for a, b in zip(depths, depths[1:], strict=False)):
            raise ValueError(f"StackedNetwork: members must come deepest first, received "
                             f"hidden depths {depths}")
        self.flatten = ref.flatten
        self.kinds = ["dropout" if not hasattr(layer, "units") else "dense" for layer in ref.layers]
        self.activations = [d._kernel_fn for d in ref.dense]
        self.use_bias = [bool(d.use_bias) for d in ref.dense]
        self.dtype = ref.dense[0].kernel.dtype
        self.member_widths = [s.widths for s in specs]
        self.mixed = len(set(depths)) > 1  # members of several depths
        if self.mixed:
            hidden = max(max(w[1:-1]) for w in self.member_widths)
            self.widths = np.array([ref.widths[0]] + [hidden] * ref.hidden + [ref.widths[-1]])
        else:
            self.widths = np.array(self.member_widths).max(axis=0)
        self.loss = ref.model.compiled_loss.losses[0]
        # the (layer position, attribute) pairs that carry a regularizer (members of a pack
        # share which do): `penalties` is a no-op, called every step, without them
        self.regularized = [(j, attr) for j, layer in enumerate(ref.dense)
                            for attr in ("kernel_regularizer", "bias_regularizer")
                            if getattr(layer, attr) is not None]
        # each member's own generator for its Dropout draws (None: the global one)
        self.generators: list | None = None
        self._count_rows()
        self._layout()
        self._load()

    def _count_rows(self) -> None:
        """`counts[j]`: how many members (the first rows) have Dense position j."""
        depths = [s.hidden for s in self.specs]
        last = len(self.activations) - 1
        self.counts = [sum(d > j for d in depths) for j in range(last)] + [len(self.specs)]

    def layer_at(self, spec: MemberSpec, position: int) -> Any:
        """The member's Dense layer at a position of the pack (None: it has none there)."""
        if position == len(self.activations) - 1:
            return spec.dense[-1]
        return spec.dense[position] if position < spec.hidden else None

    def positions(self, spec: MemberSpec) -> list[int]:
        """The pack position of each of the member's Dense layers."""
        return list(range(spec.hidden)) + [len(self.activations) - 1]

    # ---- buffers ------------------------------------------------------------------
    def _layout(self) -> None:
        offsets, p = [], 0
        for j in range(len(self.activations)):
            n_in, n_out = int(self.widths[j]), int(self.widths[j + 1])
            kernel = (p, n_in, n_out)
            p += n_in * n_out
            bias = None
            if self.use_bias[j]:
                bias = (p, n_out)
                p += n_out
            offsets.append((kernel, bias))
        self.offsets = offsets
        self.size = p

    def _views(self, flat: np.ndarray) -> tuple[list, list]:
        k = flat.shape[0]
        kernels, biases = [], []
        for (off, n_in, n_out), bias in self.offsets:
            kernels.append(flat[:, off:off + n_in * n_out].reshape(k, n_in, n_out))
            biases.append(None if bias is None else flat[:, bias[0]:bias[0] + bias[1]]
                          .reshape(k, 1, bias[1]))
        for view in kernels + [b for b in biases if b is not None]:
            if not np.shares_memory(view, flat):
                raise RuntimeError("population: a weight view does not share the flat buffer")
        return kernels, biases

    def _load(self) -> None:
        """Copy each member's weights into its corner of the padded flat buffer."""
        k = len(self.specs)
        self.params = Variable(np.zeros((k, self.size), dtype=self.dtype), name="population")
        self._bind(np.zeros((k, self.size), dtype=self.dtype))
        mask = np.zeros((k, self.size), dtype=self.dtype)
        mask_kernels, mask_biases = self._views(mask)
        for m, spec in enumerate(self.specs):
            for j, layer in zip(self.positions(spec), spec.dense, strict=True):
                n_in, n_out = layer.kernel.shape
                self.kernels[j][m, :n_in, :n_out] = layer.kernel.data
                mask_kernels[j][m, :n_in, :n_out] = 1
                if layer.bias is not None:
                    self.biases[j][m, 0, :n_out] = layer.bias.data
                    mask_biases[j][m, 0, :n_out] = 1
        self.mask = None if mask.all() else mask

    def _bind(self, grads: np.ndarray) -> None:
        self.grads = grads
        self.kernels, self.biases = self._views(self.params.data)
        self.grad_kernels, self.grad_biases = self._views(grads)

    def store(self, members: list[int] | None = None) -> None:
        """Write the pack's weights back into the member models (all, or those listed)."""
        for m in range(len(self.specs)) if members is None else members:
            spec = self.specs[m]
            for j, layer in zip(self.positions(spec), spec.dense, strict=True):
                n_in, n_out = layer.kernel.shape
                layer.kernel.data[...] = self.kernels[j][m, :n_in, :n_out]
                if layer.bias is not None:
                    layer.bias.data[...] = self.biases[j][m, 0, :n_out]

    def keep(self, members: list[int]) -> None:
        """Drop every member not listed (their weights should be stored first)."""
        self.specs = [self.specs[m] for m in members]
        self.member_widths = [self.member_widths[m] for m in members]
        self._count_rows()
        if self.generators is not None:
            self.generators = [self.generators[m] for m in members]
        self.params.data = np.ascontiguousarray(self.params.data[members])
        if self.mask is not None:
            self.mask = np.ascontiguousarray(self.mask[members])
        self._bind(np.zeros_like(self.params.data))

    def nbytes_per_member(self, batch_size: int, slots: int) -> int:
        """Bytes one member holds: weights, gradients, mask, optimizer slots, activations."""
        item = np.dtype(self.dtype).itemsize
        weights = self.size * (3 + slots)
        activations = 3 * batch_size * int(self.widths.sum())
        return item * (weights + activations)

    # ---- passes -------------------------------------------------------------------
    def _dropout_mask(self, position: int, batch: int, width: int) -> np.ndarray:
        """Each member's own Dropout layer draws its own mask (its rate, its seed)."""
        dense_before = self.kinds[:position].count("dense")
        out = np.zeros((len(self.specs), batch, width), dtype=self.dtype)
        for m, spec in enumerate(self.specs):
            true_width = int(self.member_widths[m][dense_before])
            ones = Tensor(np.ones((batch, true_width), dtype=self.dtype))
            with using_generator(None if self.generators is None else self.generators[m]):
                out[m, :, :true_width] = spec.layers[position](ones, training=True).data
        return out

    def loss_values(self, logits: np.ndarray, y: np.ndarray, with_gradient: bool,
                    per_member: bool = False
                    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray]:
        """(per-member mean loss (K,), its gradient w.r.t. the logits or None, predictions).

        The eager form, through the tape, for losses a plan cannot trace (see
        `population.compiled`). The compiled loss computes the per-sample values of
        every member at once (its own math, its own VJP); the mean over the batch is
        taken per member. With
        `per_member`, `y` holds each member's own targets, (K, batch, ...).
        """
        k, batch = logits.shape[0], logits.shape[1]
        kernel = self.activations[-1]
        shape = logits.shape if per_member else logits.shape[1:]
        if not self.loss._raw_labels:  # align ranks per member, as the loss does for one
            y, _ = squeeze_or_expand_to_same_rank(
                np.asarray(y), np.broadcast_to(self.dtype.type(0), shape))
        target = y if per_member else np.broadcast_to(y, (k, *np.shape(y)))
        with GradientTape() as tape:
            z = Tensor(logits)
            tape.watch(z)
            if kernel is _LINEAR:
                out = z
            else:
                out = nn_ops.activation(z, kernel)
                if kernel.name in ("softmax", "sigmoid"):
                    out._keras_logits = z
            y_pred = as_prediction(out)
            y_true = target if self.loss._raw_labels else as_target(target, y_pred.dtype)
            values, _ = self.loss._values_and_mask(y_true, y_pred)
            per_member = values.data.reshape(k, -1).sum(axis=1, dtype=np.float64) / batch
            if not with_gradient:
                return per_member, None, out.data
            total = math_ops.multiply(reduce_ops.sum(values), 1.0 / batch)
        return per_member, tape.gradient(total, z).data, out.data

    def penalties(self, with_gradient: bool) -> np.ndarray | None:
        """Each member's regularization loss (K,), its gradient added to `grads`."""
        if not self.regularized:
            return None
        out = np.zeros(len(self.specs))
        for j, attr in self.regularized:
            views, grad_views = ((self.kernels, self.grad_kernels) if attr[0] == "k"
                                 else (self.biases, self.grad_biases))
            for m, spec in enumerate(self.specs):
                layer = self.layer_at(spec, j)
                if layer is None:
                    continue
                n_in, n_out = layer.kernel.shape
                corner = (m, slice(0, n_in), slice(0, n_out)) if attr[0] == "k" else (
                    m, 0, slice(0, n_out))
                with GradientTape() as tape:
                    w = Tensor(views[j][corner])
                    tape.watch(w)
                    penalty = getattr(layer, attr)(w)
                out[m] += float(penalty.data)
                if with_gradient:
                    grad_views[j][corner] += tape.gradient(penalty, w).data
        return out

    def metrics_update(self, y: Any, predictions: np.ndarray, members: list[int],
                       per_member: bool = False) -> None:
        """Update each member's own compiled metrics with its predictions."""
        for m in members:
            metrics = self.specs[m].model.compiled_metrics
            if metrics.has_metrics:
                metrics.update_state(y[m] if per_member else y, predictions[m])
