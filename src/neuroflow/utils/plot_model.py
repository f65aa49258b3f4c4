"""plot_model: draw a Sequential or Functional model as a graph of layers.

The graph is written in Graphviz's DOT language here and rendered by the `dot` program
(no pydot); the output format follows the file extension (.png, .svg, .pdf, ...).
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
from typing import Any

__all__ = ["model_to_dot", "plot_model"]

_INSTALL_HINT = (
    "plot_model needs Graphviz's `dot` program, which was not found on the PATH. Install "
    "Graphviz (Debian/Ubuntu: `apt-get install graphviz`; macOS: `brew install graphviz`; "
    "conda: `conda install graphviz`; Windows: https://graphviz.org/download/) and try again"
)


def _shape_text(tensors: list) -> str:
    shapes = [tuple(t.shape) for t in tensors]
    if not shapes:
        return "?"
    text = ", ".join(str(s) for s in shapes)
    return f"[{text}]" if len(shapes) > 1 else text


class _DotWriter:
    """Accumulates DOT statements for a model (and, with expand_nested, its sub-models)."""

    def __init__(self, options: dict):
        self.options = options
        self.lines: list[str] = []
        self.count = 0

    def new_id(self) -> str:
        self.count += 1
        return f"n{self.count}"

    def label(self, layer, node) -> str:
        from neuroflow.backend import tree

        opts = self.options
        title = f"{type(layer).__name__}"
        if opts["show_layer_names"]:
            title = f"<b>{html.escape(layer.name)}</b> ({title})"
        activation = getattr(layer, "activation", None)
        if opts["show_layer_activations"] and callable(activation):
            title += f"<br/>activation: {html.escape(getattr(activation, '__name__', 'custom'))}"
        if opts["show_trainable"]:
            title += f"<br/>trainable: {'yes' if layer.trainable else 'no'}"
        rows = [f'<tr><td colspan="2" bgcolor="#e8eef7">{title}</td></tr>']
        if opts["show_shapes"] or opts["show_dtype"]:
            ins = node.input_tensors if node is not None else []
            outs = tree.flatten(node.outputs) if node is not None else []
            cells = []
            for what, tensors in (("Input", ins), ("Output", outs)):
                if what == "Input" and not tensors:
                    continue
                parts = []
                if opts["show_shapes"]:
                    parts.append(f"{what} shape: {html.escape(_shape_text(tensors))}")
                if opts["show_dtype"]:
                    parts.append(f"{what} dtype: {html.escape(str(tensors[0].dtype))}")
                cells.append(f"<td>{'<br/>'.join(parts)}</td>")
            rows.append(f"<tr>{''.join(cells)}</tr>")
        table = ('<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
                 + "".join(rows) + "</table>")
        return f"<{table}>"

    def add_node(self, layer, node, indent: str) -> str:
        nid = self.new_id()
        self.lines.append(f'{indent}{nid} [label={self.label(layer, node)}];')
        return nid

    def add_edge(self, src: str, dst: str, indent: str = "  ") -> None:
        self.lines.append(f"{indent}{src} -> {dst};")

    # ---- models -------------------------------------------------------------------
    def model(self, model, indent: str = "  ") -> tuple[list[str], list[str]]:
        """Emit `model`'s layers; return the DOT ids of its entry and exit nodes."""
        from neuroflow.backend import tree
        from neuroflow.models.functional import walk_graph
        from neuroflow.models.model import Model

        outputs = list(getattr(model, "outputs", None) or [])
        if not outputs:  # an unbuilt Sequential: a plain chain without shapes
            ids = [self.add_node(layer, None, indent) for layer in model.layers]
            for a, b in zip(ids, ids[1:], strict=False):
                self.add_edge(a, b, indent)
            return ids[:1], ids[-1:]
        order, _, _ = walk_graph(outputs)
        produced: dict[int, str] = {}  # id(KerasTensor) -> DOT id of the node that makes it
        entries: dict[int, str] = {}
        for node in order:
            layer = node.layer
            ins = node.input_tensors
            if isinstance(layer, Model) and self.options["expand_nested"] and layer.built \
                    and getattr(layer, "outputs", None):
                self.lines.append(f'{indent}subgraph cluster_{self.new_id()} {{')
                self.lines.append(f'{indent}  label="{html.escape(layer.name)}";')
                inner_in, inner_out = self.model(layer, indent + "  ")
                self.lines.append(f"{indent}}}")
                for t, dst in zip(ins, inner_in, strict=False):
                    if id(t) in produced:
                        self.add_edge(produced[id(t)], dst, indent)
                outs = tree.flatten(node.outputs)
                for k, t in enumerate(outs):
                    produced[id(t)] = inner_out[min(k, len(inner_out) - 1)]
                continue
            nid = self.add_node(layer, node, indent)
            if not ins:
                entries[id(tree.flatten(node.outputs)[0])] = nid
            for t in ins:
                if id(t) in produced:
                    self.add_edge(produced[id(t)], nid, indent)
            for t in tree.flatten(node.outputs):
                produced[id(t)] = nid
        inputs = list(getattr(model, "inputs", None) or [])
        entry_ids = [entries[id(t)] for t in inputs if id(t) in entries]
        return entry_ids, [produced[id(t)] for t in outputs]


def model_to_dot(model: Any, show_shapes: bool = False, show_dtype: bool = False,
                 show_layer_names: bool = True, rankdir: str = "TB", expand_nested: bool = False,
                 dpi: int = 200, subgraph: bool = False, show_layer_activations: bool = False,
                 show_trainable: bool = False, **kwargs: Any) -> str:
    """The DOT source (a string) of the graph of `model`'s layers."""
    from neuroflow.models.functional import Functional
    from neuroflow.models.sequential import Sequential

    if kwargs:
        raise TypeError(f"model_to_dot: unexpected keyword argument(s) {sorted(kwargs)}")
    if not isinstance(model, (Functional, Sequential)):
        raise ValueError(
            f"plot_model: model '{getattr(model, 'name', model)}' ({type(model).__name__}) is "
            "not a Sequential or Functional model; a subclassed model has no graph of layers "
            "to draw"
        )
    if rankdir not in ("TB", "LR", "BT", "RL"):
        raise ValueError(
            f"plot_model: rankdir must be 'TB', 'LR', 'BT' or 'RL', received {rankdir!r}")
    writer = _DotWriter({
        "show_shapes": show_shapes, "show_dtype": show_dtype,
        "show_layer_names": show_layer_names, "expand_nested": expand_nested,
        "show_layer_activations": show_layer_activations, "show_trainable": show_trainable,
    })
    writer.model(model)
    head = [
        f'digraph "{html.escape(model.name)}" {{',
        f'  graph [rankdir={rankdir}, dpi={int(dpi)}, concentrate=true, fontname="Helvetica"];',
        '  node [shape=plaintext, fontname="Helvetica", fontsize=11];',
    ]
    return "\n".join(head + writer.lines + ["}"]) + "\n"


def plot_model(model: Any, to_file: str | os.PathLike = "model.png", show_shapes: bool = False,
               show_dtype: bool = False, show_layer_names: bool = False, rankdir: str = "TB",
               expand_nested: bool = False, dpi: int = 200,
               show_layer_activations: bool = False, show_trainable: bool = False,
               **kwargs: Any):
    """Draw `model` to `to_file` (PNG, SVG, PDF, ... by extension) with Graphviz's `dot`.

    Returns an `IPython.display.Image` of a PNG when IPython is installed, else None.
    """
    dot_source = model_to_dot(model, show_shapes=show_shapes, show_dtype=show_dtype,
                              show_layer_names=show_layer_names, rankdir=rankdir,
                              expand_nested=expand_nested, dpi=dpi,
                              show_layer_activations=show_layer_activations,
                              show_trainable=show_trainable, **kwargs)
    dot = shutil.which("dot")
    if dot is None:
        raise ImportError(_INSTALL_HINT)
    to_file = os.fspath(to_file)
    ext = os.path.splitext(to_file)[1].lstrip(".").lower() or "png"
    from neuroflow.saving.atomic import atomic_path

    with atomic_path(to_file) as tmp:
        result = subprocess.run([dot, f"-T{ext}", "-o", tmp], input=dot_source.encode("utf-8"),
                                capture_output=True, check=False)
        if result.returncode != 0:
            message = result.stderr.decode("utf-8", "replace").strip()
            raise ValueError(
                f"plot_model: Graphviz could not write {to_file!r} (format {ext!r}): {message}"
            )
    if ext == "png":
        try:
            from IPython import display
        except ImportError:
            return None
        return display.Image(filename=to_file)
    return None
