"""HyperModel: builds a model from hyperparameters and (optionally) fits it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from neuroflow.tuner.hyperparameters import HyperParameters

__all__ = ["HyperModel", "get_hypermodel"]


class HyperModel:
    """Subclass it: `build(hp)` returns a compiled model; override `fit(hp, model, ...)` to
    tune how the model is trained (batch size, preprocessing, ...)."""

    def __init__(self, name: str | None = None, tunable: bool = True):
        self.name = name
        self.tunable = tunable

    def build(self, hp: HyperParameters) -> Any:
        """Return a compiled model for the values in `hp`."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement build(self, hp) returning a compiled model")

    def fit(self, hp: HyperParameters, model: Any, *args: Any, **kwargs: Any) -> Any:
        """Train `model`; the default calls `model.fit(*args, **kwargs)`.

        Return the History (or a dict of metrics, or the objective value as a float).
        """
        return model.fit(*args, **kwargs)

    def declare_hyperparameters(self, hp: HyperParameters) -> None:
        """Register hyperparameters ahead of `build` (optional)."""


class _FunctionHyperModel(HyperModel):
    def __init__(self, build_fn: Callable[[HyperParameters], Any]):
        super().__init__(name=getattr(build_fn, "__name__", None))
        self._build_fn = build_fn

    def build(self, hp: HyperParameters) -> Any:
        return self._build_fn(hp)


def get_hypermodel(hypermodel: Any) -> HyperModel:
    """A HyperModel from a HyperModel instance or a `build_model(hp)` function."""
    if isinstance(hypermodel, HyperModel):
        return hypermodel
    if isinstance(hypermodel, type) and issubclass(hypermodel, HyperModel):
        raise TypeError(f"pass an instance of {hypermodel.__name__} (e.g. "
                        f"{hypermodel.__name__}()), not the class")
    if callable(hypermodel):
        return _FunctionHyperModel(hypermodel)
    raise TypeError("hypermodel must be a HyperModel instance or a function build_model(hp) "
                    f"returning a compiled model, received {hypermodel!r}")
