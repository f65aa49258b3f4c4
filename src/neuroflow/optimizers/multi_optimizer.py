"""MultiOptimizer and OptimizerMap: a different optimizer for each group of variables
(Keras 3.15), e.g. Adam for a new head and SGD for a reused body."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping
from typing import Any

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.base import Optimizer

__all__ = ["MultiOptimizer", "OptimizerMap"]


def _check_inner(optimizer: Any, what: str) -> None:
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"{what} must be a neuroflow Optimizer instance, received "
                         f"{type(optimizer).__name__}: {optimizer!r}")
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError(f"{what} cannot be a MultiOptimizer")


def _serialize(optimizer: Optimizer) -> dict:
    """What `optimizers.serialize` gives (written here: this floor cannot import utils)."""
    return {"module": "keras.optimizers", "class_name": type(optimizer).__name__,
            "config": optimizer.get_config(), "registered_name": None}


def _deserialize(config: Any, custom_objects: dict | None) -> Optimizer:
    if isinstance(config, Optimizer):
        return config
    from neuroflow.optimizers import deserialize  # the family's table, same floor

    return deserialize(config, custom_objects=custom_objects)


class OptimizerMap(MutableMapping):
    """Variable path (or a regular expression matched in full against it) -> optimizer;
    variables no key matches get `default_optimizer`. An exact key wins over patterns;
    two matching patterns are an error."""

    def __init__(self, default_optimizer: Optimizer, optimizer_map: dict | None = None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError("OptimizerMap: default_optimizer must be an Optimizer instance, "
                            f"received {default_optimizer!r}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError("OptimizerMap: optimizer_map must be a dict of variable path "
                            f"patterns to optimizers, received {optimizer_map!r}")
        self._default_optimizer = default_optimizer
        self._optimizer_map: dict[str, Optimizer] = {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = [p for p in self._optimizer_map if re.fullmatch(p, key)]
        if len(matches) > 1:
            raise ValueError(f"OptimizerMap: variable {key!r} matches several patterns "
                             f"{matches}; make them exclusive")
        return self._optimizer_map[matches[0]] if matches else self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if not isinstance(key, str):
            raise ValueError(f"OptimizerMap: a key must be a string (a variable path or a "
                             f"regular expression), received {key!r}")
        if key in self._optimizer_map:
            raise ValueError(f"OptimizerMap: {key!r} already maps to "
                             f"{self._optimizer_map[key]!r}; keys must be unique")
        _check_inner(optimizer, f"OptimizerMap[{key!r}]")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._optimizer_map)

    def __call__(self, variable: Variable) -> Optimizer:
        return self[str(getattr(variable, "path", None) or variable.name)]

    def get_config(self) -> dict:
        return {"default_optimizer": _serialize(self._default_optimizer),
                "optimizer_map": {k: _serialize(v) for k, v in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> OptimizerMap:
        return cls(_deserialize(config["default_optimizer"], custom_objects),
                   {k: _deserialize(v, custom_objects)
                    for k, v in (config.get("optimizer_map") or {}).items()})


class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer `optimizer_map` gives for it (an
    `OptimizerMap` or a function of the variable). Each inner optimizer keeps its own
    learning rate, slots and iterations (see `optimizers`); this one has none of its own
    rate, so `learning_rate` raises. `loss_scale_factor` overrides the inner ones'."""

    _default_name = "multi_optimizer"

    def __init__(self, optimizer_map: OptimizerMap | Callable[[Variable], Optimizer],
                 loss_scale_factor: float | None = None, name: str | None = None):
        if not callable(optimizer_map):
            raise TypeError("MultiOptimizer: optimizer_map must be an OptimizerMap or a "
                            "function returning an optimizer for a variable, received "
                            f"{optimizer_map!r}")
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._inner_optimizers: list[Optimizer] = []
        if isinstance(optimizer_map, OptimizerMap):
            for optimizer in [*optimizer_map.values(), optimizer_map.default_optimizer]:
                self._adopt(optimizer)

    def _adopt(self, optimizer: Optimizer) -> int:
        if not any(optimizer is o for o in self._inner_optimizers):
            optimizer.loss_scale_factor = self.loss_scale_factor
            self._inner_optimizers.append(optimizer)
        return next(i for i, o in enumerate(self._inner_optimizers) if o is optimizer)

    @property
    def optimizers(self) -> list[Optimizer]:
        """The inner optimizers, in the order they were first met."""
        return list(self._inner_optimizers)

    @property
    def learning_rate(self) -> Any:
        raise AttributeError("A MultiOptimizer has no learning rate of its own: read it on "
                             "one of its `optimizers`")

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        raise AttributeError("A MultiOptimizer has no learning rate of its own: set it on "
                             "one of its `optimizers`")

    @property
    def loss_scale_factor(self) -> float | None:
        return getattr(self, "_loss_scale_factor", None)

    @loss_scale_factor.setter
    def loss_scale_factor(self, value: float | None) -> None:
        self._loss_scale_factor = value
        for optimizer in getattr(self, "_inner_optimizers", []):
            optimizer.loss_scale_factor = value

    def build(self, variables: list[Variable]) -> None:
        if self.built:
            return
        variables = list(variables)
        self._owner: dict[int, int] = {}
        for var in variables:
            optimizer = self._optimizer_map(var)
            _check_inner(optimizer, f"MultiOptimizer: the optimizer for variable "
                                    f"'{getattr(var, 'path', var.name)}'")
            self._owner[id(var)] = self._adopt(optimizer)
        for k, optimizer in enumerate(self._inner_optimizers):
            mine = [v for v in variables if self._owner[id(v)] == k]
            if mine:
                optimizer.build(mine)
        super().build(variables)

    @property
    def variables(self) -> list[Variable]:
        """Its own iterations and rate, then every inner optimizer's variables."""
        out = list(self._variables)
        for optimizer in self._inner_optimizers:
            out.extend(optimizer.variables)
        return out

    def _groups(self, variables: list) -> list[list[int]]:
        groups: list[list[int]] = [[] for _ in self._inner_optimizers]
        for k, var in enumerate(variables):
            owner = self._owner.get(id(var))
            if owner is None:
                raise ValueError(f"MultiOptimizer: unknown variable "
                                 f"'{getattr(var, 'path', var)}'; it was built with others")
            groups[owner].append(k)
        return groups

    def apply(self, grads: list, variables: list[Variable] | None = None) -> None:
        """Hand each (gradient, variable) pair to its optimizer, then count the step."""
        grads = list(grads)
        if not grads:
            return
        if variables is None:
            if not self.built:
                raise ValueError("MultiOptimizer.apply: without `variables` the optimizer "
                                 "must already be built; call build(trainable_variables)")
            variables = self._trainable_variables
        variables = list(variables)
        if len(grads) != len(variables):
            raise ValueError(f"MultiOptimizer.apply: expected one gradient per variable, "
                             f"received {len(grads)} gradients for {len(variables)} variables")
        self.build(variables)
        for optimizer, group in zip(self._inner_optimizers, self._groups(variables),
                                    strict=True):
            if group:
                optimizer.apply([grads[k] for k in group], [variables[k] for k in group])
        self._iterations.data[...] = int(self._iterations.data) + 1

    def finalize_variable_values(self, var_list: list[Variable]) -> None:
        var_list = list(var_list)
        for optimizer, group in zip(self._inner_optimizers, self._groups(var_list),
                                    strict=True):
            if group:
                optimizer.finalize_variable_values([var_list[k] for k in group])

    def set_weights(self, weights: list) -> None:
        if not self.built:
            raise ValueError("MultiOptimizer.set_weights: build the optimizer first "
                             "(optimizer.build(trainable_variables))")
        variables = self.variables
        if len(weights) != len(variables):
            raise ValueError(f"MultiOptimizer.set_weights: expected {len(variables)} arrays, "
                             f"received {len(weights)}")
        for var, value in zip(variables, weights, strict=True):
            var.assign(value)

    def save_own_variables(self, store: dict) -> None:
        for i, var in enumerate(self.variables):
            store[str(i)] = var.numpy()

    def load_own_variables(self, store: dict) -> None:
        variables = self.variables
        if len(store.keys()) != len(variables):
            raise ValueError(f"MultiOptimizer '{self.name}': it has {len(variables)} "
                             f"variables, the store holds {len(store.keys())}")
        for i, var in enumerate(variables):
            var.assign(store[str(i)])

    def get_config(self) -> dict:
        mapping = self._optimizer_map
        if isinstance(mapping, OptimizerMap):
            # a plain dict (no class name), so that loading resolves only optimizers
            serialized: Any = mapping.get_config()
        else:
            serialized = {"class_name": "function", "config": mapping.__name__,
                          "registered_name": None}
        return {"optimizer_map": serialized, "loss_scale_factor": self.loss_scale_factor,
                "name": self.name}

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> MultiOptimizer:
        config = dict(config)
        mapping = config.pop("optimizer_map")
        if isinstance(mapping, dict) and mapping.get("class_name") == "OptimizerMap":
            mapping = mapping.get("config") or {}  # Keras' form
        if isinstance(mapping, dict) and mapping.get("class_name") == "function":
            name = mapping.get("config")
            mapping = (custom_objects or {}).get(name)
            if not callable(mapping):
                raise ValueError(f"MultiOptimizer.from_config: the optimizer_map function "
                                 f"{name!r} must be given in custom_objects")
        elif isinstance(mapping, dict):
            mapping = OptimizerMap.from_config(mapping, custom_objects)
        return cls(mapping, **config)
