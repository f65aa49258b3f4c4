"""`model.summary()`: the Keras table of layers, output shapes and parameter counts."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["print_summary", "format_size"]


def format_size(n_bytes: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.2f} {unit}"
        n_bytes /= 1024
    return f"{n_bytes:.2f} GB"


def _shape_text(layer) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    if not nodes or nodes[0].outputs is None:
        return "?"
    out = nodes[0].outputs
    if isinstance(out, (list, tuple)):
        return ", ".join(str(t.shape) for t in out)
    return str(out.shape)


def _params(layer) -> int:
    return int(sum(v.size for v in layer.weights)) if layer.built else 0


def _connected_to(layer, model) -> str:
    nodes = getattr(layer, "_inbound_nodes", [])
    own = getattr(model, "_node_ids", None)
    if own is not None:  # a Functional model: every call of the layer inside this graph
        nodes = [n for n in nodes if id(n) in own]
    sources = []
    for node in nodes if own is not None else nodes[:1]:
        for t in node.input_tensors:
            src = t.node.layer
            if own is not None:
                idx = model._node_index(t.node)
            else:
                idx = src._inbound_nodes.index(t.node) if t.node in src._inbound_nodes else 0
            sources.append(f"{src.name}[{idx}][{t.index}]")
    return ", ".join(sources) if sources else "-"


def print_summary(
    model,
    line_length: int | None = None,
    print_fn: Callable | None = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
) -> None:
    """Print (or pass to `print_fn`, line by line) the summary table of `model`."""
    print_fn = print_fn or print
    functional = type(model).__name__ == "Functional"
    layers = (
        list(getattr(model, "_graph_layers", None) or model.layers) if functional else model.layers
    )
    headers = ["Layer (type)", "Output Shape", "Param #"]
    widths = [33, 26, 12]
    if functional:
        headers.append("Connected to")
        widths.append(30)
    if show_trainable:
        headers.append("Trainable")
        widths.append(10)
    if line_length:
        scale = line_length / sum(widths)
        widths = [max(8, int(w * scale)) for w in widths]
    total = sum(widths)

    def row(cells):
        text = ""
        for cell, w in zip(cells, widths, strict=False):
            text += (str(cell) + " ")[: max(w, len(str(cell)) + 1)].ljust(w)
        return text.rstrip()

    def rows_for(layer, prefix=""):
        cells = [
            f"{prefix}{layer.name} ({type(layer).__name__})",
            _shape_text(layer),
            f"{_params(layer):,}",
        ]
        if functional:
            cells.append(_connected_to(layer, model))
        if show_trainable:
            cells.append("Y" if layer.trainable else "N")
        yield row(cells)
        if expand_nested and hasattr(layer, "layers") and layer is not model:
            for inner in layer.layers:
                yield from rows_for(inner, prefix + "  ")

    print_fn(f'Model: "{model.name}"')
    print_fn("_" * total)
    print_fn(row(headers))
    print_fn("=" * total)
    for i, layer in enumerate(layers):
        for line in rows_for(layer):
            print_fn(line)
        print_fn(("=" if i == len(layers) - 1 else "_") * total)
    if not layers:
        print_fn("=" * total)
    weights = model.weights if model.built else []
    trainable = {id(v) for v in model.trainable_weights} if model.built else set()
    n_total = sum(v.size for v in weights)
    n_train = sum(v.size for v in weights if id(v) in trainable)
    bytes_total = sum(v.data.nbytes for v in weights)
    bytes_train = sum(v.data.nbytes for v in weights if id(v) in trainable)
    print_fn(f"Total params: {n_total:,} ({format_size(bytes_total)})")
    print_fn(f"Trainable params: {n_train:,} ({format_size(bytes_train)})")
    print_fn(
        f"Non-trainable params: {n_total - n_train:,} ({format_size(bytes_total - bytes_train)})"
    )
    print_fn("_" * total)
