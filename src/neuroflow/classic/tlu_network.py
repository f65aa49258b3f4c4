"""Multilayer perceptrons of threshold logic units, and the chapter's XOR network."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neuroflow.classic.tlu import TLU

__all__ = ["TLUNetwork", "xor_mlp"]


class TLUNetwork:
    """A stack of TLU layers: each layer's outputs are the next layer's inputs.

    Args:
        layers: the TLUs, first to last. Every layer but the last must be a layer of
            TLUs (2-D weights); the last may be a single TLU (1-D weights).
    """

    def __init__(self, layers: Sequence[TLU]) -> None:
        layers = list(layers)
        if not layers or not all(isinstance(layer, TLU) for layer in layers):
            raise TypeError(
                f"TLUNetwork: expected a non-empty list of TLU objects, received {layers!r}"
            )
        for index, (layer, following) in enumerate(zip(layers[:-1], layers[1:], strict=True)):
            if layer.units is None or layer.units != following.n_inputs:
                raise ValueError(
                    f"TLUNetwork: layer {index} has {layer.units or 1} output(s) but layer "
                    f"{index + 1} expects {following.n_inputs} input(s); inner layers need "
                    "2-D weights of shape (n_inputs, units)"
                )
        self.layers = layers

    def __call__(self, X) -> np.ndarray:
        """Outputs of the last layer for a batch `X` of shape `(batch, n_inputs)`."""
        for layer in self.layers:
            X = layer(X)
        return X

    predict = __call__

    def __repr__(self) -> str:
        return f"TLUNetwork({self.layers!r})"


def xor_mlp() -> TLUNetwork:
    """The chapter's MLP computing XOR with fixed weights and Heaviside units.

    Inputs x1, x2 in {0, 1}. The hidden layer has two TLUs, both with weights (1, 1):
    an AND unit with bias -1.5 and an OR unit with bias -0.5. The output TLU has weight
    -1 from the AND unit, +1 from the OR unit and bias -0.5, so it fires when OR is on
    and AND is off: exactly XOR. No net input is ever 0, so the value heaviside(0) = 1
    plays no part.
    """
    hidden = TLU(weights=[[1.0, 1.0], [1.0, 1.0]], bias=[-1.5, -0.5], step="heaviside")
    output = TLU(weights=[-1.0, 1.0], bias=-0.5, step="heaviside")
    return TLUNetwork([hidden, output])
