"""EinsumDense: a dense layer whose kernel contraction is an einsum equation (Keras 3),
e.g. 'ab,bc->ac' (Dense), 'abc,cd->abd' (per-step Dense) or 'abc,cde->abde' (heads)."""

from __future__ import annotations

import re
from typing import Any

from neuroflow import activations, constraints, initializers, ops, regularizers
from neuroflow.autodiff.tensor import Tensor
from neuroflow.layers.layer import Layer

__all__ = ["EinsumDense", "analyze_einsum"]

_FORMS = (
    (re.compile(r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$"), False),
    (re.compile(r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$"), True),
    (re.compile(r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$"), False),
)


def analyze_einsum(equation: str, bias_axes: str | None, input_shape: tuple,
                   output_shape: tuple, where: str = "EinsumDense") -> tuple:
    """(kernel shape, bias shape or None, full output shape) for `equation` on inputs of
    `input_shape`, `output_shape` being the output without its batch axis (Keras' rule:
    every kernel letter appears in the input or the output)."""
    eq = equation.replace("...", "0")
    found = [(m, left) for pattern, left in _FORMS if (m := pattern.match(eq))]
    if not found:
        raise ValueError(f"{where}: invalid einsum equation {equation!r}; equations must be "
                         "of the form [X],[Y]->[Z], ...[X],[Y]->...[Z] or [X]...,[Y]->[Z]...")
    match, left_elided = found[0]
    in_spec, w_spec, out_spec = match.groups()
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(in_spec)
    if elided < 0:
        raise ValueError(f"{where}: equation {equation!r} needs inputs of rank "
                         f"{len(in_spec)}, received input shape {input_shape}")
    full = [input_shape[0], *output_shape]
    if elided > 0 and left_elided:
        for i in range(1, elided):
            full.insert(1, input_shape[i])
    elif elided > 0:
        full.extend(input_shape[len(input_shape) - elided:])
    if left_elided:
        in_map = {d: i + elided - len(input_shape) for i, d in enumerate(in_spec)}
        out_map = {d: i + elided for i, d in enumerate(out_spec)}
    else:
        in_map = {d: i for i, d in enumerate(in_spec)}
        out_map = {d: i for i, d in enumerate(out_spec)}
    if len(output_shape) != (len(out_spec) if left_elided else len(out_spec) - 1):
        raise ValueError(f"{where}: output_shape {tuple(output_shape)} does not fit the "
                         f"output {out_spec!r} of equation {equation!r}")
    for d in in_spec:
        if d in out_map and full[out_map[d]] is not None \
                and full[out_map[d]] != input_shape[in_map[d]]:
            raise ValueError(f"{where}: input shape and output shape do not match at shared "
                             f"dimension {d!r}: input has {input_shape[in_map[d]]}, output "
                             f"{full[out_map[d]]}")
    for d in out_spec:
        if d not in in_spec and d not in w_spec:
            raise ValueError(f"{where}: dimension {d!r} of the output {out_spec!r} is in "
                             f"neither the input {in_spec!r} nor the weight {w_spec!r}")
    kernel = []
    for d in w_spec:
        if d in out_map:
            kernel.append(full[out_map[d]])
        elif d in in_map:
            kernel.append(input_shape[in_map[d]])
        else:
            raise ValueError(f"{where}: weight dimension {d!r} is in neither the input "
                             f"{in_spec!r} nor the output {out_spec!r}")
    if any(k is None for k in kernel):
        raise ValueError(f"{where}: every kernel axis must be known, received input shape "
                         f"{input_shape} and output_shape {tuple(output_shape)}")
    bias = None
    if bias_axes is not None:
        for c in bias_axes:
            if c not in out_spec:
                raise ValueError(f"{where}: bias dimension {c!r} is not part of the output "
                                 f"spec {out_spec!r}")
        shift = elided if left_elided else 0
        sizes = {c: full[i + shift] for i, c in enumerate(out_spec)}
        first = min(out_spec.find(c) for c in bias_axes)
        bias = [sizes[c] if c in bias_axes else 1 for c in out_spec[first:]]
        if not left_elided:
            bias.extend([1] * max(elided, 0))
    return tuple(int(k) for k in kernel), None if bias is None else tuple(bias), tuple(full)


class EinsumDense(Layer):
    """`activation(einsum(equation, inputs, kernel) + bias)`. `output_shape` is the
    output without its batch axis (None where it follows the input); `bias_axes` names
    the output letters the bias varies along."""

    def __init__(self, equation: str, output_shape: Any, activation: Any = None,
                 bias_axes: str | None = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", kernel_regularizer: Any = None,
                 bias_regularizer: Any = None, kernel_constraint: Any = None,
                 bias_constraint: Any = None, activity_regularizer: Any = None,
                 **kwargs: Any):
        super().__init__(**kwargs)
        if not isinstance(equation, str):
            raise ValueError(f"EinsumDense '{self.name}': equation must be a string such as "
                             f"'ab,bc->ac', received {equation!r}")
        self.equation = equation
        if isinstance(output_shape, int):
            self.partial_output_shape: tuple = (output_shape,)
        elif isinstance(output_shape, (list, tuple)):
            self.partial_output_shape = tuple(output_shape)
        else:
            raise ValueError(f"EinsumDense '{self.name}': output_shape must be an int or a "
                             f"list of ints, received {output_shape!r}")
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.kernel = None
        self.bias = None

    def build(self, input_shape: Any) -> None:
        kernel_shape, bias_shape, _ = analyze_einsum(
            self.equation, self.bias_axes, tuple(input_shape), self.partial_output_shape,
            f"EinsumDense '{self.name}'")
        self.kernel = self.add_weight(shape=kernel_shape, initializer=self.kernel_initializer,
                                      name="kernel", regularizer=self.kernel_regularizer,
                                      constraint=self.kernel_constraint)
        if bias_shape is not None:
            self.bias = self.add_weight(shape=bias_shape, initializer=self.bias_initializer,
                                        name="bias", regularizer=self.bias_regularizer,
                                        constraint=self.bias_constraint)
        self.built = True

    def call(self, inputs: Tensor) -> Tensor:
        out = ops.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            out = out + self.bias
        out = self.activation(out)
        if self.activity_regularizer is not None:
            self._add_activity_loss(self.activity_regularizer, out)
        return out

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """Keras' output shape, its axes that follow the input (None in `output_shape`)
        taken from the input, so that a Flatten or Dense after it can build."""
        input_shape = tuple(input_shape)
        full = analyze_einsum(self.equation, self.bias_axes, input_shape,
                              self.partial_output_shape, f"EinsumDense '{self.name}'")[2]
        out = list(full)
        in_spec, _, rest = self.equation.replace("...", "0").partition(",")
        out_spec = rest.split("->")[1]
        if "0" not in in_spec and "0" not in out_spec:
            for i, letter in enumerate(out_spec):
                if out[i] is None and letter in in_spec:
                    out[i] = input_shape[in_spec.index(letter)]
        return tuple(out)

    def get_config(self) -> dict:
        return {
            **super().get_config(), "output_shape": list(self.partial_output_shape),
            "equation": self.equation, "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }
