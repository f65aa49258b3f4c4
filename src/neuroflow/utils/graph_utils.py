"""Questions about symbolic tensors (the outputs of layers called on `Input`)."""

from __future__ import annotations

from typing import Any

from neuroflow.backend.keras_tensor import KerasTensor

__all__ = ["is_keras_tensor", "get_source_inputs"]


def is_keras_tensor(x: Any) -> bool:
    """True for a symbolic tensor (`Input(...)` or a layer called on one)."""
    return isinstance(x, KerasTensor)


def get_source_inputs(tensor: Any) -> list[KerasTensor]:
    """The `Input` tensors that `tensor` is computed from, in the order first met."""
    if not is_keras_tensor(tensor):
        raise ValueError(f"get_source_inputs: expected a symbolic tensor (KerasTensor), "
                         f"received {type(tensor).__name__}")
    sources: list[KerasTensor] = []
    seen: set[int] = set()
    stack = [tensor]
    while stack:
        t = stack.pop()
        if id(t) in seen:
            continue
        seen.add(id(t))
        node = t.node
        inputs = [] if node is None else node.input_tensors
        if not inputs:
            sources.append(t)
        stack.extend(reversed(inputs))
    return sources
