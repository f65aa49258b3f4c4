"""Helpers of the Keras wrappers: calling a build function, seeding, float64 predictions."""

from __future__ import annotations

import contextlib
import inspect
import random
from collections.abc import Callable, Iterator

import numpy as np

from neuroflow import backend
from neuroflow.backend import random as backend_random

__all__ = ["build_arguments", "build_defaults", "seeded", "predict_float64", "META_NAMES"]

# fitted attributes a build function may ask for by name (or all at once with `meta`)
META_NAMES = (
    "n_features_in_", "X_shape_", "X_dtype_", "n_outputs_", "target_type_", "classes_",
    "n_classes_", "y_dtype_",
)
_SPECIAL = ("meta", "compile_kwargs", "params")
def _signature(build_fn: Callable) -> inspect.Signature:
    try:
        return inspect.signature(build_fn)
    except (TypeError, ValueError):  # pragma: no cover - builtins without a signature
        return inspect.Signature()


def build_defaults(build_fn: Callable | None, exclude: set[str]) -> dict:
    """The keyword arguments of `build_fn` with a default, except `exclude`, meta and
    the special ones: they become parameters of the wrapper (tf.keras 2 style)."""
    if not callable(build_fn):
        return {}
    out = {}
    for name, parameter in _signature(build_fn).parameters.items():
        if (
            parameter.default is not inspect.Parameter.empty
            and parameter.kind in (parameter.POSITIONAL_OR_KEYWORD, parameter.KEYWORD_ONLY)
            and name not in exclude and name not in _SPECIAL and name not in META_NAMES
        ):
            out[name] = parameter.default
    return out


def build_arguments(build_fn: Callable, params: dict, routed: dict, meta: dict,
                    compile_kwargs: dict) -> dict:
    """The arguments to call `build_fn` with.

    An argument named `meta`, `compile_kwargs` or `params` gets that dict; one named
    like a meta attribute (`n_features_in_`, ...) gets its value; any other gets the
    routed `model__<name>` value, else the wrapper parameter `<name>`. A `**kwargs`
    argument receives every routed `model__` parameter.
    """
    out: dict = {}
    for name, parameter in _signature(build_fn).parameters.items():
        if parameter.kind == parameter.VAR_KEYWORD:
            out.update({k: v for k, v in routed.items() if k not in out})
            continue
        if parameter.kind == parameter.VAR_POSITIONAL:
            continue
        if name == "meta":
            out[name] = dict(meta)
        elif name == "compile_kwargs":
            out[name] = dict(compile_kwargs)
        elif name == "params":
            out[name] = dict(params)
        elif name in meta:
            out[name] = meta[name]
        elif name in routed:
            out[name] = routed[name]
        elif name in params:
            out[name] = params[name]
    return out


@contextlib.contextmanager
def seeded(seed: int | None) -> Iterator[None]:
    """Seed neuroflow (and NumPy's and Python's global generators) inside the block, then
    put the caller's generators back as they were. Does nothing for None."""
    if seed is None:
        yield
        return
    saved = (dict(backend_random._state), np.random.get_state(), random.getstate())
    backend_random.set_seed(int(seed))
    try:
        yield
    finally:
        backend_random._state.update(saved[0])
        np.random.set_state(saved[1])
        random.setstate(saved[2])


def predict_float64(model, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
    """`model`'s outputs for `X` computed in float64 (with its float32 weights).

    float32 matrix products round differently depending on how many rows share a call,
    so float32 predictions of a row would change with the batch it is in; float64
    arithmetic makes them agree to ~1e-16. The default float type is switched to
    float64 for the call, under a lock (it is process-wide state).
    """
    X = np.asarray(X, dtype=np.float64)
    outputs = []
    with backend.floatx_scope("float64"):  # this thread only
        for start in range(0, max(len(X), 1), batch_size):
            out = model(X[start:start + batch_size], training=False)
            outputs.append(np.asarray(getattr(out, "data", out), dtype=np.float64))
    return np.concatenate(outputs) if len(outputs) > 1 else outputs[0]
