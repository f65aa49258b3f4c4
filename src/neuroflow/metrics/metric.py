"""The stateful `Metric` base class: variables updated batch by batch, a result on demand."""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend, initializers
from neuroflow.autodiff.tensor import Variable
from neuroflow.backend.naming import snake_case

__all__ = ["Metric"]


class Metric:
    """Base class of metrics: state in non-trainable variables, NumPy work per batch.

    Args:
        dtype: float type of the state and the result (default `backend.floatx()`).
        name: name of the metric (default: the snake_case class name).

    Subclasses create their state with `add_variable` in `__init__` and implement
    `update_state(...)` and `result()`; `reset_state()` zeroes every variable.
    Metrics never record graph nodes: tensors are read through their `.data`.
    """

    def __init__(self, dtype: Any = None, name: str | None = None):
        self.name = name or snake_case(type(self).__name__)
        self._dtype = np.dtype(dtype or backend.floatx())
        self._variables: list[Variable] = []

    @property
    def dtype(self) -> str:
        """The float type of the state and result, as a string."""
        return str(self._dtype)

    @property
    def variables(self) -> list[Variable]:
        """The state variables, in creation order."""
        return list(self._variables)

    def add_variable(self, shape: tuple[int, ...] = (), initializer: Any = "zeros",
                     dtype: Any = None, aggregation: str = "sum",
                     name: str | None = None) -> Variable:
        """Create a non-trainable state variable and track it."""
        dtype = np.dtype(dtype or self._dtype)
        init = initializers.get(initializer) if isinstance(initializer, (str, dict)) \
            else initializer
        value = init(tuple(shape), dtype=dtype) if callable(init) else np.full(shape, init)
        var = Variable(value, trainable=False, name=name or f"variable_{len(self._variables)}",
                       dtype=dtype)
        var.path = f"{self.name}/{var.name}"
        self._variables.append(var)
        return var

    def add_weight(self, shape: tuple[int, ...] = (), initializer: Any = "zeros",
                   dtype: Any = None, name: str | None = None) -> Variable:
        """Alias of `add_variable`, as in Keras."""
        return self.add_variable(shape=shape, initializer=initializer, dtype=dtype, name=name)

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Accumulate a batch; implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state()")

    def result(self) -> Any:
        """The current value; implemented by subclasses."""
        raise NotImplementedError(f"{type(self).__name__} must implement result()")

    def reset_state(self) -> None:
        """Zero every state variable."""
        for v in self._variables:
            v.data[...] = 0

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update with one batch and return the result."""
        self.update_state(*args, **kwargs)
        return self.result()

    def _value(self, x: Any) -> Any:
        """`x` as a NumPy scalar (or array) of the metric's dtype."""
        return np.asarray(x, dtype=self._dtype)[()]

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-friendly dict."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """Rebuild a metric (with fresh state) from the output of `get_config()`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r}>"
