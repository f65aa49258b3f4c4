"""Functional models: `Model(inputs=..., outputs=...)` over a graph of layer calls.

The graph is walked once, when the model is created: it is checked (every output can be
computed from the inputs, every input reaches an output), ordered by depth as Keras
orders it, and compiled into a flat plan of steps over numbered value slots. Calling the
model runs that plan on concrete tensors, with no graph walk per call.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.backend import tree
from neuroflow.backend.keras_tensor import KerasTensor, Node
from neuroflow.layers.input_layer import InputLayer
from neuroflow.layers.layer import Layer
from neuroflow.models.model import Model

__all__ = ["Functional", "walk_graph"]


# ---- graph analysis ---------------------------------------------------------------
def walk_graph(outputs: list[KerasTensor]) -> tuple[list[Node], dict[int, int], list[Layer]]:
    """Every node the outputs depend on, in topological order; node depths (outputs 0);
    layers ordered as Keras lists them (deepest first, then by discovery order)."""
    post: list[Node] = []
    seen: set[int] = set()
    layer_rank: dict[int, int] = {}
    layers: list[Layer] = []
    for out in outputs:
        stack: list[tuple[Node, bool]] = [(out.node, False)]
        while stack:
            node, done = stack.pop()
            if done:
                post.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            if id(node.layer) not in layer_rank:
                layer_rank[id(node.layer)] = len(layer_rank)
                layers.append(node.layer)
            stack.append((node, True))
            for t in reversed(node.input_tensors):
                if id(t.node) not in seen:
                    stack.append((t.node, False))
    depth: dict[int, int] = {id(n): 0 for n in post}
    for node in reversed(post):
        d = depth[id(node)] + 1
        for t in node.input_tensors:
            if depth[id(t.node)] < d:
                depth[id(t.node)] = d
    layer_depth: dict[int, int] = {}
    for node in post:
        key = id(node.layer)
        layer_depth[key] = max(layer_depth.get(key, 0), depth[id(node)])
    layers.sort(key=lambda la: (-layer_depth[id(la)], layer_rank[id(la)]))
    order = sorted(post, key=lambda n: -depth[id(n)])  # stable: ties keep topological order
    return order, depth, layers


def _flatten_io(structure: Any, what: str) -> tuple[list[KerasTensor], str, Any]:
    """Flat tensors, the kind of structure ('single', 'list', 'dict') and the dict keys."""
    if isinstance(structure, KerasTensor):
        return [structure], "single", None
    if isinstance(structure, dict):
        flat = list(structure.values())
        kind, keys = "dict", list(structure.keys())
    elif isinstance(structure, (list, tuple)):
        flat = list(structure)
        kind, keys = ("single" if len(flat) == 1 else "list"), None
    else:
        raise TypeError(
            f"Model: {what} must be a KerasTensor (from Input() or a layer call), a list or a "
            f"dict of them, received {type(structure).__name__}"
        )
    if not flat:
        raise ValueError(f"Model: {what} is empty")
    for i, t in enumerate(flat):
        if not isinstance(t, KerasTensor):
            raise TypeError(
                f"Model: {what}[{i}] must be a KerasTensor (from Input() or a layer call), "
                f"received {type(t).__name__}; build the graph with symbolic tensors"
            )
    return flat, kind, keys


class _Slot:
    __slots__ = ("index",)

    def __init__(self, index: int):
        self.index = index


def _template(structure: Any, slot_of: dict[int, int]) -> Any:
    return tree.map_structure(
        lambda t: _Slot(slot_of[id(t)]) if isinstance(t, KerasTensor) else t, structure)


def _fill(template: Any, values: list) -> Any:
    return tree.map_structure(
        lambda s: values[s.index] if isinstance(s, _Slot) else s, template)


def _shape_ok(shape: tuple, spec: tuple) -> bool:
    return len(shape) == len(spec) and all(
        s is None or s == d for s, d in zip(spec, shape, strict=True))


class Functional(Model):
    """A model defined by a graph of layers called on symbolic tensors.

    >>> inp = Input(shape=[8]); h = Dense(30, activation="relu")(inp)
    >>> model = Model(inputs=[inp], outputs=[Dense(1)(concatenate([inp, h]))])
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None,
                 trainable: bool = True, **kwargs: Any):
        Layer.__init__(self, name=name, trainable=True, dtype=kwargs.pop("dtype", None), **kwargs)
        self._init_trainer()
        flat_in, in_kind, in_keys = _flatten_io(inputs, "inputs")
        flat_out, out_kind, out_keys = _flatten_io(outputs, "outputs")
        for i, t in enumerate(flat_in):
            if not isinstance(t.node.layer, InputLayer):
                raise ValueError(
                    f"Model '{self.name}': inputs[{i}] must come from Input(); received the "
                    f"output of layer '{t.node.layer.name}' ({type(t.node.layer).__name__})"
                )
        if len({id(t) for t in flat_in}) != len(flat_in):
            raise ValueError(f"Model '{self.name}': the same Input is given twice in inputs")
        order, _, layers = walk_graph(flat_out)
        self._check_connected(flat_in, order)
        names = [layer.name for layer in layers]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(
                f"Model '{self.name}': layer names must be unique within a model (weights are "
                f"saved and found by name), but {repeated} name several layers"
            )
        object.__setattr__(self, "inputs", flat_in)
        object.__setattr__(self, "outputs", flat_out)
        object.__setattr__(self, "_in_kind", in_kind)
        object.__setattr__(self, "_in_keys", in_keys)
        object.__setattr__(self, "_out_kind", out_kind)
        object.__setattr__(self, "_out_keys", out_keys)
        object.__setattr__(self, "_nodes", order)
        object.__setattr__(self, "_node_ids", {id(n) for n in order})
        object.__setattr__(self, "_graph_layers", layers)
        object.__setattr__(self, "input_names", [t.node.layer.name for t in flat_in])
        if out_kind == "dict":
            names = [str(k) for k in out_keys]
        else:
            names = [t.node.layer.name for t in flat_out]
        object.__setattr__(self, "output_names", names)
        for layer in layers:
            self._track(layer)
        self._compile_plan()
        self.built = True
        self._build_input_shape = [t.shape for t in flat_in] if len(flat_in) > 1 \
            else flat_in[0].shape
        if not trainable:
            self.trainable = False

    # ---- construction -------------------------------------------------------------
    def _check_connected(self, flat_in: list[KerasTensor], order: list[Node]) -> None:
        given = {id(t) for t in flat_in}
        reached: set[int] = set()
        for node in order:
            if isinstance(node.layer, InputLayer):
                out = node.outputs
                if id(out) not in given:
                    users = [n.layer.name for n in order
                             if any(t is out for t in n.input_tensors)]
                    raise ValueError(
                        f"Model '{self.name}': graph disconnected: the outputs need the value "
                        f"of Input '{node.layer.name}' (used by layer(s) {users}), which is not "
                        f"one of the model's inputs {[t.node.layer.name for t in flat_in]}"
                    )
                reached.add(id(out))
        for t in flat_in:
            if id(t) not in reached:
                raise ValueError(
                    f"Model '{self.name}': input '{t.node.layer.name}' is not connected to the "
                    "outputs: no output depends on it. Remove it from inputs or use it"
                )

    def _compile_plan(self) -> None:
        slot_of: dict[int, int] = {id(t): i for i, t in enumerate(self.inputs)}
        plan = []
        for node in self._nodes:
            if isinstance(node.layer, InputLayer):
                continue
            ins = node.inputs
            if isinstance(ins, KerasTensor):
                kind, spec = 0, slot_of[id(ins)]
            elif isinstance(ins, list) and all(isinstance(t, KerasTensor) for t in ins):
                kind, spec = 1, [slot_of[id(t)] for t in ins]
            else:
                kind, spec = 2, _template(ins, slot_of)
            outs = []
            for t in tree.flatten(node.outputs):
                slot_of[id(t)] = len(slot_of)
                outs.append(slot_of[id(t)])
            single = isinstance(node.outputs, KerasTensor)
            plan.append((node.layer, kind, spec, tuple(node.args), dict(node.kwargs),
                         outs[0] if single else outs))
        object.__setattr__(self, "_plan", plan)
        object.__setattr__(self, "_n_slots", len(slot_of))
        object.__setattr__(self, "_output_slots", [slot_of[id(t)] for t in self.outputs])
        object.__setattr__(self, "_input_specs", [t.shape[1:] for t in self.inputs])

    # ---- inputs -------------------------------------------------------------------
    def _flat_inputs(self, inputs: Any, what: str) -> list:
        names = self.input_names
        n = len(names)
        if isinstance(inputs, dict):
            missing = [k for k in names if k not in inputs]
            extra = sorted(str(k) for k in inputs if k not in names)
            if missing or extra:
                parts = []
                if missing:
                    parts.append(f"missing input(s) {missing}")
                if extra:
                    parts.append(f"unknown key(s) {extra}")
                raise ValueError(
                    f"{what}: the dict of inputs of model '{self.name}' has "
                    f"{' and '.join(parts)}; the model's inputs are {names}"
                )
            return [inputs[k] for k in names]
        if isinstance(inputs, (list, tuple)):
            if len(inputs) != n:
                raise ValueError(
                    f"{what}: model '{self.name}' expects {n} input(s) {names}, received a "
                    f"{type(inputs).__name__} of {len(inputs)} array(s)"
                )
            return list(inputs)
        if n != 1:
            raise ValueError(
                f"{what}: model '{self.name}' expects {n} inputs {names} (as a list in this "
                f"order or a dict keyed by name), received a single {type(inputs).__name__}"
            )
        return [inputs]

    def _check_shapes(self, flat: list, what: str) -> None:
        for x, spec, name in zip(flat, self._input_specs, self.input_names, strict=False):
            shape = tuple(np.shape(x))[1:] if not hasattr(x, "shape") else tuple(x.shape)[1:]
            if not _shape_ok(shape, spec):
                raise ValueError(
                    f"{what}: input '{name}' of model '{self.name}' is incompatible with the "
                    f"model: expected shape {(None,) + tuple(spec)}, received shape "
                    f"{tuple(np.shape(x))}"
                )

    def _check_input_structure(self, x: Any, what: str) -> None:
        self._check_shapes(self._flat_inputs(x, what), what)

    # ---- calling ------------------------------------------------------------------
    def call(self, inputs: Any, training=None, mask=None):
        flat = self._flat_inputs(inputs, f"Model '{self.name}'")
        for x, spec, name in zip(flat, self._input_specs, self.input_names, strict=False):
            if x.shape[1:] != spec and not _shape_ok(x.shape[1:], spec):
                raise ValueError(
                    f"Input '{name}' of model '{self.name}' is incompatible with the model: "
                    f"expected shape {(None,) + tuple(spec)}, received shape {tuple(x.shape)}"
                )
        values: list = flat + [None] * (self._n_slots - len(flat))
        for layer, kind, spec, args, kwargs, out in self._plan:
            if kind == 0:
                x = values[spec]
            elif kind == 1:
                x = [values[i] for i in spec]
            else:
                x = _fill(spec, values)
            y = layer(x, *args, **kwargs)
            if isinstance(out, int):
                values[out] = y
            else:
                for slot, v in zip(out, tree.flatten(y), strict=False):
                    values[slot] = v
        slots = self._output_slots
        if self._out_kind == "single":
            return values[slots[0]]
        if self._out_kind == "dict":
            return {k: values[s] for k, s in zip(self._out_keys, slots, strict=False)}
        return [values[s] for s in slots]

    call.replays_layer_graph = True  # the trainer may cache its forward plan

    def compute_output_shape(self, input_shape: Any) -> Any:
        if isinstance(input_shape, dict):
            shapes = self._flat_inputs(input_shape, f"Model '{self.name}'")
        elif len(self.inputs) == 1 and input_shape and \
                not isinstance(input_shape[0], (list, tuple)):
            shapes = [input_shape]
        else:
            shapes = self._flat_inputs(list(input_shape), f"Model '{self.name}'")
        for shape, spec, name in zip(shapes, self._input_specs, self.input_names, strict=False):
            if not _shape_ok(tuple(shape)[1:], spec) and not any(d is None for d in shape[1:]):
                raise ValueError(
                    f"Input '{name}' of model '{self.name}' is incompatible with the model: "
                    f"expected shape {(None,) + tuple(spec)}, received shape {tuple(shape)}"
                )
        batch = tuple(shapes[0])[0] if len(shapes[0]) else None
        out = [(batch,) + tuple(t.shape[1:]) for t in self.outputs]
        return out[0] if len(out) == 1 else out

    def build(self, input_shape: Any = None) -> None:
        """A Functional model is built when it is created."""
        self.built = True

    # ---- structure ----------------------------------------------------------------
    @property
    def layers(self) -> list[Layer]:
        """Every layer of the graph, the InputLayers included, deepest first."""
        return list(self._graph_layers)

    @property
    def input(self) -> Any:
        if self._in_kind == "dict":
            return dict(zip(self._in_keys, self.inputs, strict=True))
        return self.inputs[0] if self._in_kind == "single" else list(self.inputs)

    @property
    def output(self) -> Any:
        return self.outputs[0] if self._out_kind == "single" else (
            dict(zip(self._out_keys, self.outputs, strict=False)) if self._out_kind == "dict"
            else list(self.outputs))

    @property
    def input_shape(self) -> Any:
        shapes = [t.shape for t in self.inputs]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [t.shape for t in self.outputs]
        return shapes[0] if len(shapes) == 1 else shapes

    def _node_index(self, node: Node) -> int:
        """Index of `node` among the nodes of its layer that belong to this model."""
        own = [n for n in node.layer._inbound_nodes if id(n) in self._node_ids]
        for i, n in enumerate(own):
            if n is node:
                return i
        return 0

    def _tensor_ref(self, t: KerasTensor) -> list:
        return [t.node.layer.name, self._node_index(t.node), t.index]

    # ---- config -------------------------------------------------------------------
    def get_config(self) -> dict:
        """The graph, Keras-style: each layer's config with its inbound nodes, and the
        (layer, node index, tensor index) references of the model's inputs and outputs."""
        from neuroflow.saving.serialization import serialize_layer

        def ref_structure(kind: str, keys, flat: list) -> Any:
            refs = [self._tensor_ref(t) for t in flat]
            if kind == "dict":
                return dict(zip(keys, refs, strict=False))
            if kind == "single":
                return refs[0]
            return refs

        def tensor_config(value: Any) -> Any:
            if isinstance(value, KerasTensor):
                return {"class_name": "__keras_tensor__",
                        "config": {"shape": list(value.shape), "dtype": str(value.dtype),
                                   "keras_history": self._tensor_ref(value)}}
            if isinstance(value, dict):
                return {k: tensor_config(v) for k, v in value.items()}
            if isinstance(value, (list, tuple)):
                return [tensor_config(v) for v in value]
            return value

        layer_configs = []
        for layer in self._graph_layers:
            entry = serialize_layer(layer)
            entry["name"] = layer.name
            nodes = [n for n in layer._inbound_nodes if id(n) in self._node_ids]
            entry["inbound_nodes"] = [] if isinstance(layer, InputLayer) else [
                {"args": [tensor_config(n.inputs)] + [tensor_config(a) for a in n.args],
                 "kwargs": tensor_config(n.kwargs)}
                for n in nodes
            ]
            layer_configs.append(entry)
        return {
            "name": self.name,
            "trainable": self.trainable,
            "layers": layer_configs,
            "input_layers": ref_structure(self._in_kind, self._in_keys, self.inputs),
            "output_layers": ref_structure(self._out_kind, self._out_keys, self.outputs),
        }

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Functional:
        """Rebuild the graph from `get_config()`: recreate each layer, then replay its calls
        once the tensors they need exist."""
        from neuroflow.saving.serialization import deserialize_layer

        name = config.get("name", "model")
        try:
            layer_configs = list(config["layers"])
            in_refs, out_refs = config["input_layers"], config["output_layers"]
        except (KeyError, TypeError):
            raise ValueError(
                f"Functional.from_config: model '{name}' config must have 'layers', "
                "'input_layers' and 'output_layers'"
            ) from None
        layers: dict[str, Layer] = {}
        produced: dict[tuple[str, int], list] = {}
        pending: list[tuple[Layer, int, dict, str]] = []
        for entry in layer_configs:
            layer = deserialize_layer({k: v for k, v in entry.items() if k != "inbound_nodes"},
                                      custom_objects=custom_objects)
            lname = entry.get("name", layer.name)
            layers[lname] = layer
            if isinstance(layer, InputLayer):
                produced[(lname, 0)] = [layer._inbound_nodes[0].outputs]
            for i, node_config in enumerate(entry.get("inbound_nodes") or []):
                pending.append((layer, i, node_config, lname))

        def ready(value: Any) -> bool:
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                lname, idx, _ = value["config"]["keras_history"]
                return (lname, idx) in produced
            if isinstance(value, dict):
                return all(ready(v) for v in value.values())
            if isinstance(value, (list, tuple)):
                return all(ready(v) for v in value)
            return True

        def resolve(value: Any) -> Any:
            if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
                lname, idx, t_idx = value["config"]["keras_history"]
                return produced[(lname, idx)][t_idx]
            if isinstance(value, dict):
                return {k: resolve(v) for k, v in value.items()}
            if isinstance(value, list):
                return [resolve(v) for v in value]
            return value

        while pending:
            progress = False
            rest = []
            for item in pending:
                layer, idx, node_config, lname = item
                if (lname, idx - 1) not in produced and idx > 0 or not ready(node_config):
                    rest.append(item)
                    continue
                args = resolve(list(node_config.get("args", [])))
                kwargs = resolve(dict(node_config.get("kwargs", {})))
                out = layer(*args, **kwargs)
                produced[(lname, idx)] = tree.flatten(out)
                progress = True
            if not progress:
                waiting = sorted({lname for _, _, _, lname in rest})
                raise ValueError(
                    f"Functional.from_config: model '{name}': the inputs of layer(s) {waiting} "
                    "can never be computed (they refer to layers or nodes missing from the config)"
                )
            pending = rest

        def tensors(refs: Any) -> Any:
            if isinstance(refs, dict):
                return {k: tensors(v) for k, v in refs.items()}
            if isinstance(refs, list) and refs and isinstance(refs[0], str):
                lname, idx, t_idx = refs[:3]
                if (lname, idx) not in produced:
                    raise ValueError(
                        f"Functional.from_config: model '{name}' refers to layer '{lname}' node "
                        f"{idx}, which the config does not define"
                    )
                return produced[(lname, idx)][t_idx]
            return [tensors(r) for r in refs]

        return cls(inputs=tensors(in_refs), outputs=tensors(out_refs), name=name,
                   trainable=config.get("trainable", True))
