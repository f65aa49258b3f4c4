"""HyperParameters: the search space a build function declares, and the values of one trial.

`hp.Int(...)`, `hp.Float(...)`, `hp.Choice(...)`, `hp.Boolean(...)` and `hp.Fixed(...)`
register a hyperparameter and return its value for the current trial: the value the tuner
chose, a preset value, or the default when no tuner is involved. Inside an inactive
`conditional_scope` they return None.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["HyperParameter", "HyperParameters"]

_SAMPLINGS = ("linear", "log")


@dataclass(frozen=True)
class Condition:
    """Active when the parent hyperparameter's value is one of `values`."""

    name: str
    values: tuple

    def get_config(self) -> dict:
        return {"name": self.name, "values": list(self.values)}


@dataclass
class HyperParameter:
    """One entry of the search space. `kind` is 'Int', 'Float', 'Choice', 'Boolean' or 'Fixed'."""

    kind: str
    name: str
    default: Any
    min_value: Any = None
    max_value: Any = None
    step: Any = None
    sampling: str = "linear"
    values: tuple = ()
    ordered: bool = False
    conditions: tuple[Condition, ...] = field(default_factory=tuple)

    def get_config(self) -> dict:
        """The settings as a plain dict (as `search_space_summary` prints them)."""
        config: dict = {"default": self.default,
                        "conditions": [c.get_config() for c in self.conditions]}
        if self.kind in ("Int", "Float"):
            config.update(min_value=self.min_value, max_value=self.max_value, step=self.step,
                          sampling=self.sampling)
        elif self.kind == "Choice":
            config.update(values=list(self.values), ordered=self.ordered)
        elif self.kind == "Fixed":
            config = {"value": self.default,
                      "conditions": [c.get_config() for c in self.conditions]}
        return config

    def grid_values(self, samples: int = 10) -> list:
        """Every value a grid search visits (`samples` evenly spaced ones without a step)."""
        if self.kind in ("Choice", "Boolean", "Fixed"):
            return list(self.values)
        lo, hi = self.min_value, self.max_value
        if self.step is not None and self.sampling == "linear":
            count = int(math.floor((hi - lo) / self.step + 1e-9)) + 1
            out = [lo + i * self.step for i in range(count)]
        elif self.step is not None:
            out, v = [], lo
            while v <= hi * (1 + 1e-9):
                out.append(v)
                v = v * self.step
        elif self.kind == "Int" and self.sampling == "linear":
            out = list(range(lo, hi + 1))
        elif self.sampling == "log":
            out = list(np.geomspace(lo, hi, samples))
        else:
            out = list(np.linspace(lo, hi, samples))
        if self.kind == "Int":
            return sorted({int(round(v)) for v in out})
        return [float(v) for v in out]


def _check_name(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"a hyperparameter name must be a non-empty string, received {name!r}")
    return name


def _check_sampling(name: str, sampling: Any, lo: float) -> str:
    sampling = "linear" if sampling is None else str(sampling).lower()
    if sampling not in _SAMPLINGS:
        raise ValueError(f"hyperparameter {name!r}: sampling must be one of {_SAMPLINGS}, "
                         f"received {sampling!r}")
    if sampling == "log" and lo <= 0:
        raise ValueError(f"hyperparameter {name!r}: sampling='log' needs min_value > 0, "
                         f"received {lo!r}")
    return sampling


def _check_range(name: str, lo: Any, hi: Any, kind: type) -> None:
    for label, v in (("min_value", lo), ("max_value", hi)):
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
            raise TypeError(f"hyperparameter {name!r}: {label} must be a number, received {v!r}")
        if kind is int and float(v) != int(v):
            raise ValueError(f"hyperparameter {name!r}: {label} must be an integer, received {v!r}")
    if lo > hi:
        raise ValueError(f"hyperparameter {name!r}: min_value ({lo}) is greater than "
                         f"max_value ({hi})")


def _plain(value: Any) -> Any:
    """NumPy scalars to Python ones (so values store as JSON and compare by value)."""
    return value.item() if isinstance(value, np.generic) else value


class HyperParameters:
    """Container for a hyperparameter space and the current values (`hp.values`).

    A tuner binds it to a trial through `source`, a function that picks the value of a
    newly registered hyperparameter; without one every hyperparameter takes its default.
    """

    def __init__(self, source: Callable[[HyperParameter], Any] | None = None):
        self.space: list[HyperParameter] = []
        self.values: dict[str, Any] = {}
        self._by_name: dict[str, HyperParameter] = {}
        self._scopes: list[Condition] = []
        self._source = source

    # ---- registration ---------------------------------------------------------------
    def Int(self, name: str, min_value: int, max_value: int, step: int | None = None,
            sampling: str = "linear", default: int | None = None, parent_name: str | None = None,
            parent_values: Sequence | None = None) -> int | None:
        """An integer in [min_value, max_value] (with `step`; 'log' sampling for scales)."""
        _check_name(name)
        _check_range(name, min_value, max_value, int)
        lo, hi = int(min_value), int(max_value)
        sampling = _check_sampling(name, sampling, lo)
        if step is not None:
            if isinstance(step, bool) or int(step) != step or step < 1 or (
                    sampling == "log" and step < 2):
                raise ValueError(f"hyperparameter {name!r}: step must be a positive integer "
                                 f"(at least 2 with sampling='log'), received {step!r}")
            step = int(step)
            if sampling == "linear" and step == 1:
                step = None
        default = lo if default is None else int(default)
        if not lo <= default <= hi:
            raise ValueError(f"hyperparameter {name!r}: default {default} is outside "
                             f"[{lo}, {hi}]")
        hp = HyperParameter("Int", name, default, lo, hi, step, sampling)
        return self._register(hp, parent_name, parent_values)

    def Float(self, name: str, min_value: float, max_value: float, step: float | None = None,
              sampling: str = "linear", default: float | None = None,
              parent_name: str | None = None, parent_values: Sequence | None = None
              ) -> float | None:
        """A float in [min_value, max_value]; 'log' sampling for learning rates and the like."""
        _check_name(name)
        _check_range(name, min_value, max_value, float)
        lo, hi = float(min_value), float(max_value)
        sampling = _check_sampling(name, sampling, lo)
        if step is not None:
            if isinstance(step, bool) or not step > 0 or (sampling == "log" and step <= 1):
                raise ValueError(f"hyperparameter {name!r}: step must be positive (above 1 "
                                 f"with sampling='log'), received {step!r}")
            step = float(step)
        default = lo if default is None else float(default)
        if not lo <= default <= hi:
            raise ValueError(f"hyperparameter {name!r}: default {default} is outside "
                             f"[{lo}, {hi}]")
        hp = HyperParameter("Float", name, default, lo, hi, step, sampling)
        return self._register(hp, parent_name, parent_values)

    def Choice(self, name: str, values: Sequence, ordered: bool | None = None,
               default: Any = None, parent_name: str | None = None,
               parent_values: Sequence | None = None) -> Any:
        """One of `values` (all ints, all floats, all strings or all booleans)."""
        _check_name(name)
        if isinstance(values, (str, bytes)) or not isinstance(values, Sequence) or not values:
            raise ValueError(f"hyperparameter {name!r}: values must be a non-empty list, "
                             f"received {values!r}")
        values = tuple(_plain(v) for v in values)
        types = {bool if isinstance(v, bool) else type(v) for v in values}
        if len(types) == 2 and types == {int, float}:
            types = {float}
        if len(types) != 1 or not types <= {int, float, str, bool}:
            raise TypeError(f"hyperparameter {name!r}: values must all be ints, floats, strings "
                            f"or booleans, received {values!r}")
        if len(set(values)) != len(values):
            raise ValueError(f"hyperparameter {name!r}: values contain duplicates: {values!r}")
        numeric = types <= {int, float}
        if ordered is None:
            ordered = numeric
        elif ordered and not numeric:
            raise ValueError(f"hyperparameter {name!r}: ordered=True needs numeric values")
        default = values[0] if default is None else _plain(default)
        if default not in values:
            raise ValueError(f"hyperparameter {name!r}: default {default!r} is not one of "
                             f"{values!r}")
        hp = HyperParameter("Choice", name, default, values=values, ordered=bool(ordered))
        return self._register(hp, parent_name, parent_values)

    def Boolean(self, name: str, default: bool = False, parent_name: str | None = None,
                parent_values: Sequence | None = None) -> bool | None:
        """True or False."""
        _check_name(name)
        if not isinstance(default, (bool, np.bool_)):
            raise TypeError(f"hyperparameter {name!r}: default must be a bool, "
                            f"received {default!r}")
        hp = HyperParameter("Boolean", name, bool(default), values=(False, True))
        return self._register(hp, parent_name, parent_values)

    def Fixed(self, name: str, value: Any, parent_name: str | None = None,
              parent_values: Sequence | None = None) -> Any:
        """A value that is not tuned but recorded with the trial."""
        _check_name(name)
        value = _plain(value)
        if not isinstance(value, (bool, int, float, str)):
            raise TypeError(f"hyperparameter {name!r}: a Fixed value must be a bool, int, "
                            f"float or string, received {value!r}")
        hp = HyperParameter("Fixed", name, value, values=(value,))
        return self._register(hp, parent_name, parent_values)

    # ---- conditions -----------------------------------------------------------------
    @contextlib.contextmanager
    def conditional_scope(self, parent_name: str, parent_values: Any) -> Iterator[None]:
        """Hyperparameters registered inside are active only when `parent_name` takes one
        of `parent_values` (they return None otherwise)."""
        condition = self._condition(parent_name, parent_values)
        self._scopes.append(condition)
        try:
            yield
        finally:
            self._scopes.pop()

    def _condition(self, parent_name: str, parent_values: Any) -> Condition:
        if parent_name not in self._by_name:
            raise ValueError(f"conditional_scope: the parent hyperparameter {parent_name!r} "
                             "must be registered before its conditional children")
        if isinstance(parent_values, (str, bool, int, float)):
            parent_values = [parent_values]
        return Condition(parent_name, tuple(_plain(v) for v in parent_values))

    def is_active(self, hp: HyperParameter | str) -> bool:
        """Whether every condition of `hp` (a name or a HyperParameter) holds now."""
        conditions = (self._by_name[hp] if isinstance(hp, str) else hp).conditions
        return self._conditions_hold(conditions)

    def _conditions_hold(self, conditions: Sequence[Condition]) -> bool:
        for c in conditions:
            if c.name not in self.values or self.values[c.name] not in c.values:
                return False
        return True

    # ---- values ---------------------------------------------------------------------
    def _register(self, hp: HyperParameter, parent_name: str | None,
                  parent_values: Sequence | None) -> Any:
        conditions = list(self._scopes)
        if parent_name is not None:
            if parent_values is None:
                raise ValueError(f"hyperparameter {hp.name!r}: parent_name needs parent_values")
            conditions.append(self._condition(parent_name, parent_values))
        hp.conditions = tuple(conditions)
        existing = self._by_name.get(hp.name)
        if existing is None:
            self._by_name[hp.name] = hp
            self.space.append(hp)
        elif existing.kind != hp.kind:
            raise ValueError(f"hyperparameter {hp.name!r} is already registered as "
                             f"{existing.kind}, not {hp.kind}")
        if not self._conditions_hold(hp.conditions):
            return None
        if hp.name not in self.values:
            value = self._source(hp) if self._source is not None else hp.default
            self.values[hp.name] = _plain(value)
        return self.values[hp.name]

    def get(self, name: str) -> Any:
        """The current value of an active hyperparameter."""
        if name in self.values:
            return self.values[name]
        if name in self._by_name:
            raise ValueError(f"hyperparameter {name!r} is inactive (its conditions do not hold)")
        raise KeyError(f"unknown hyperparameter {name!r}; registered: {sorted(self._by_name)}")

    def __getitem__(self, name: str) -> Any:
        return self.get(name)

    def __contains__(self, name: str) -> bool:
        return name in self._by_name

    def copy(self) -> HyperParameters:
        """An independent copy of the space and the values."""
        new = HyperParameters(self._source)
        new.space = list(self.space)
        new._by_name = dict(self._by_name)
        new.values = dict(self.values)
        return new

    @classmethod
    def from_values(cls, values: dict) -> HyperParameters:
        """Preset values: building with it reproduces a trial's model."""
        hp = cls()
        hp.values = {k: _plain(v) for k, v in values.items()}
        return hp

    def __repr__(self) -> str:
        return f"HyperParameters(values={self.values!r})"
