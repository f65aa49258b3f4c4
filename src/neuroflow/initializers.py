"""Weight initializers: callables `init(shape, dtype=None) -> np.ndarray`.

Names follow Keras 3: classes (`GlorotUniform`, `HeNormal`, `RandomNormal(mean, stddev,
seed)`, ...) and their snake_case aliases (`glorot_uniform`, ...), which are the same
classes. An unseeded initializer draws from `neuroflow.backend.global_rng()` at call
time, so `backend.set_seed` makes weights reproducible; an initializer given an integer
`seed` returns the same values every time it is called, as in Keras 3 (give it a
`np.random.Generator` instead to get fresh values on each call).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.backend import _registry
from neuroflow.backend._registry import deserialize_config, serialize_instance

__all__ = [
    "Initializer", "Constant", "Zeros", "Ones", "Identity", "RandomNormal", "RandomUniform",
    "TruncatedNormal", "VarianceScaling", "GlorotUniform", "GlorotNormal", "HeNormal",
    "HeUniform", "LecunNormal", "LecunUniform", "Orthogonal", "compute_fans", "get",
    "serialize", "deserialize",
    "constant", "zeros", "ones", "identity", "random_normal", "random_uniform",
    "truncated_normal", "variance_scaling", "glorot_uniform", "glorot_normal", "he_normal",
    "he_uniform", "lecun_normal", "lecun_uniform", "orthogonal",
]


def _standardize_shape(shape: Any) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        dims = tuple(shape)
    except TypeError:
        raise ValueError(
            f"Initializer: expected `shape` to be a tuple of non-negative integers, "
            f"received {shape!r}"
        ) from None
    for d in dims:
        if not isinstance(d, (int, np.integer)) or isinstance(d, bool) or d < 0:
            raise ValueError(
                f"Initializer: expected `shape` to be a tuple of non-negative integers, "
                f"received {shape!r}"
            )
    return tuple(int(d) for d in dims)


def _standardize_dtype(dtype: Any) -> np.dtype:
    return np.dtype(backend.floatx() if dtype is None else dtype)


def _float_dtype(dtype: Any, who: str) -> np.dtype:
    dt = _standardize_dtype(dtype)
    if dt.kind != "f":
        raise ValueError(f"{who}: expected a floating-point `dtype`, received {dt}")
    return dt


def compute_fans(shape: tuple[int, ...], input_axes: Any = None,
                 output_axes: Any = None) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight shape: the products of `input_axes` and `output_axes`
    when both are given (EinsumDense kernels), else kernels of rank > 2 are conv kernels."""
    shape = tuple(shape)
    if input_axes is not None and output_axes is not None:
        try:
            return (int(math.prod(shape[a] for a in input_axes)),
                    int(math.prod(shape[a] for a in output_axes)))
        except (IndexError, TypeError):
            raise ValueError(f"compute_fans: input_axes={input_axes!r} and output_axes="
                             f"{output_axes!r} must be lists of axes of the shape "
                             f"{shape}") from None
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return int(shape[0]), int(shape[0])
    if len(shape) == 2:
        return int(shape[0]), int(shape[1])
    receptive = math.prod(shape[:-2])
    return int(shape[-2] * receptive), int(shape[-1] * receptive)


class Initializer:
    """Base class: subclasses implement `__call__(shape, dtype=None)` and `get_config()`."""

    def __call__(self, shape, dtype=None) -> np.ndarray:
        raise NotImplementedError(
            f"Initializer {type(self).__name__} must implement __call__(shape, dtype=None)"
        )

    def get_config(self) -> dict:
        """The constructor arguments, as a JSON-friendly dict."""
        return {}

    @classmethod
    def from_config(cls, config: dict) -> Initializer:
        """Rebuild an initializer from the output of `get_config()`."""
        return cls(**config)

    def clone(self) -> Initializer:
        """A new initializer with the same configuration."""
        return self.__class__.from_config(self.get_config())

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_config().items())
        return f"{type(self).__name__}({args})"


# ---- constant initializers ------------------------------------------------------------
class Constant(Initializer):
    """Fill with `value` (a scalar, or an array broadcastable to the shape)."""

    def __init__(self, value: Any = 0.0):
        if isinstance(value, (list, tuple)):
            value = np.asarray(value)
        if not isinstance(value, (int, float, np.number, np.ndarray)) or isinstance(value, bool):
            raise ValueError(
                f"Constant: expected `value` to be a number or an array, received {value!r}"
            )
        self.value = value

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape = _standardize_shape(shape)
        dt = _standardize_dtype(dtype)
        try:
            return np.array(np.broadcast_to(np.asarray(self.value, dtype=dt), shape))
        except ValueError:
            raise ValueError(
                f"Constant: `value` of shape {np.shape(self.value)} cannot fill a weight "
                f"of shape {shape}"
            ) from None

    def get_config(self) -> dict:
        value = self.value
        value = value.tolist() if isinstance(value, np.ndarray) else value
        if isinstance(value, np.generic):
            value = value.item()
        return {"value": value}


class Zeros(Initializer):
    """Fill with 0 (the default bias initializer)."""

    def __call__(self, shape, dtype=None) -> np.ndarray:
        return np.zeros(_standardize_shape(shape), dtype=_standardize_dtype(dtype))


class Ones(Initializer):
    """Fill with 1."""

    def __call__(self, shape, dtype=None) -> np.ndarray:
        return np.ones(_standardize_shape(shape), dtype=_standardize_dtype(dtype))


class Identity(Initializer):
    """`gain` times the identity matrix; 2D shapes only (rectangular ones allowed)."""

    def __init__(self, gain: float = 1.0):
        self.gain = gain

    def __call__(self, shape, dtype=None) -> np.ndarray:
        shape = _standardize_shape(shape)
        if len(shape) != 2:
            raise ValueError(
                f"Identity: can only initialize 2D matrices, received shape={shape} "
                f"of rank {len(shape)}"
            )
        return (self.gain * np.eye(*shape)).astype(_standardize_dtype(dtype))

    def get_config(self) -> dict:
        return {"gain": self.gain}


# ---- random initializers --------------------------------------------------------------
class RandomInitializer(Initializer):
    """Base of the random initializers: holds the `seed` and makes the generator."""

    def __init__(self, seed: int | np.random.Generator | None = None):
        if seed is not None and not isinstance(seed, np.random.Generator):
            if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
                raise ValueError(
                    f"{type(self).__name__}: expected `seed` to be None, a non-negative "
                    f"integer or a numpy Generator, received {seed!r}"
                )
            seed = int(seed)
        self.seed = seed

    def _rng(self) -> np.random.Generator:
        """A fresh generator for an int seed (same values every call), else a shared one."""
        if self.seed is None:
            return backend.global_rng()
        if isinstance(self.seed, np.random.Generator):
            return self.seed
        return np.random.default_rng(self.seed)

    def _seed_config(self) -> int | None:
        return self.seed if isinstance(self.seed, int) else None

    def get_config(self) -> dict:
        return {"seed": self._seed_config()}


def _normal(rng: np.random.Generator, shape, mean: float, stddev: float, dt: np.dtype):
    work = dt if dt in (np.float32, np.float64) else np.dtype(np.float32)
    out = rng.standard_normal(shape, dtype=work)
    out *= stddev
    out += mean
    return out.astype(dt, copy=False)


def _truncated_normal(rng: np.random.Generator, shape, mean: float, stddev: float, dt):
    """Normal values, those more than two standard deviations from 0 drawn again."""
    work = dt if dt in (np.float32, np.float64) else np.dtype(np.float32)
    out = rng.standard_normal(shape, dtype=work)
    bad = np.abs(out) > 2.0
    while bad.any():
        out[bad] = rng.standard_normal(int(bad.sum()), dtype=work)
        bad = np.abs(out) > 2.0
    out *= stddev
    out += mean
    return out.astype(dt, copy=False)


def _uniform(rng: np.random.Generator, shape, low: float, high: float, dt: np.dtype):
    work = dt if dt in (np.float32, np.float64) else np.dtype(np.float32)
    out = rng.random(shape, dtype=work)
    out *= high - low
    out += low
    return out.astype(dt, copy=False)


class RandomNormal(RandomInitializer):
    """Normal values with the given `mean` and `stddev`."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dt = _float_dtype(dtype, type(self).__name__)
        return _normal(self._rng(), _standardize_shape(shape), self.mean, self.stddev, dt)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class TruncatedNormal(RandomInitializer):
    """Normal values, those more than two `stddev` away from `mean` drawn again."""

    def __init__(self, mean: float = 0.0, stddev: float = 0.05, seed=None):
        self.mean = mean
        self.stddev = stddev
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dt = _float_dtype(dtype, type(self).__name__)
        shape = _standardize_shape(shape)
        return _truncated_normal(self._rng(), shape, self.mean, self.stddev, dt)

    def get_config(self) -> dict:
        return {"mean": self.mean, "stddev": self.stddev, **super().get_config()}


class RandomUniform(RandomInitializer):
    """Uniform values in [minval, maxval)."""

    def __init__(self, minval: float = -0.05, maxval: float = 0.05, seed=None):
        self.minval = minval
        self.maxval = maxval
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dt = _float_dtype(dtype, type(self).__name__)
        return _uniform(self._rng(), _standardize_shape(shape), self.minval, self.maxval, dt)

    def get_config(self) -> dict:
        return {"minval": self.minval, "maxval": self.maxval, **super().get_config()}


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("truncated_normal", "untruncated_normal", "uniform")
# Standard deviation of a unit normal truncated to [-2, 2]; dividing by it restores
# the requested variance after truncation.
_TRUNCATED_STD = 0.87962566103423978


class VarianceScaling(RandomInitializer):
    """Values whose variance is `scale / n`, n being fan_in, fan_out or their mean.

    `distribution` is 'truncated_normal' (alias 'normal'), 'untruncated_normal' or
    'uniform' (limit `sqrt(3 * scale / n)`).
    """

    def __init__(
        self,
        scale: float = 1.0,
        mode: str = "fan_in",
        distribution: str = "truncated_normal",
        seed=None,
        input_axes: list[int] | None = None,
        output_axes: list[int] | None = None,
    ):
        if not isinstance(scale, (int, float, np.number)) or not scale > 0:
            raise ValueError(
                f"VarianceScaling: expected `scale` to be a positive number, received {scale!r}"
            )
        if mode not in _MODES:
            raise ValueError(
                f"VarianceScaling: expected `mode` to be one of {_MODES}, received {mode!r}"
            )
        dist = distribution.lower() if isinstance(distribution, str) else distribution
        dist = "truncated_normal" if dist == "normal" else dist
        if dist not in _DISTRIBUTIONS:
            raise ValueError(
                f"VarianceScaling: expected `distribution` to be one of {_DISTRIBUTIONS}, "
                f"received {distribution!r}"
            )
        self.scale = scale
        self.mode = mode
        self.distribution = dist
        self.input_axes = None if input_axes is None else [int(a) for a in input_axes]
        self.output_axes = None if output_axes is None else [int(a) for a in output_axes]
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dt = _float_dtype(dtype, type(self).__name__)
        shape = _standardize_shape(shape)
        fan_in, fan_out = compute_fans(shape, self.input_axes, self.output_axes)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}
        variance = self.scale / max(1.0, n[self.mode])
        rng = self._rng()
        if self.distribution == "truncated_normal":
            std = math.sqrt(variance) / _TRUNCATED_STD
            return _truncated_normal(rng, shape, 0.0, std, dt)
        if self.distribution == "untruncated_normal":
            return _normal(rng, shape, 0.0, math.sqrt(variance), dt)
        limit = math.sqrt(3.0 * variance)
        return _uniform(rng, shape, -limit, limit, dt)

    def get_config(self) -> dict:
        return {
            "scale": self.scale, "mode": self.mode, "distribution": self.distribution,
            "input_axes": self.input_axes, "output_axes": self.output_axes,
            **super().get_config(),
        }


class _FixedVarianceScaling(VarianceScaling):
    """A VarianceScaling preset whose only argument is the seed."""

    _preset: tuple[float, str, str] = (1.0, "fan_in", "truncated_normal")

    def __init__(self, seed=None, input_axes: list[int] | None = None,
                 output_axes: list[int] | None = None):
        scale, mode, distribution = self._preset
        super().__init__(scale=scale, mode=mode, distribution=distribution, seed=seed,
                         input_axes=input_axes, output_axes=output_axes)

    def get_config(self) -> dict:
        return {"seed": self._seed_config(), "input_axes": self.input_axes,
                "output_axes": self.output_axes}


class GlorotUniform(_FixedVarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(6 / (fan_in + fan_out)) (default kernel)."""

    _preset = (1.0, "fan_avg", "uniform")


class GlorotNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(2 / (fan_in + fan_out))."""

    _preset = (1.0, "fan_avg", "truncated_normal")


class HeNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(2 / fan_in)."""

    _preset = (2.0, "fan_in", "truncated_normal")


class HeUniform(_FixedVarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(6 / fan_in)."""

    _preset = (2.0, "fan_in", "uniform")


class LecunNormal(_FixedVarianceScaling):
    """Truncated normal with stddev sqrt(1 / fan_in)."""

    _preset = (1.0, "fan_in", "truncated_normal")


class LecunUniform(_FixedVarianceScaling):
    """Uniform in [-limit, limit], limit = sqrt(3 / fan_in)."""

    _preset = (1.0, "fan_in", "uniform")


class Orthogonal(RandomInitializer):
    """`gain` times a random orthogonal matrix (rank >= 2; leading axes are flattened)."""

    def __init__(self, gain: float = 1.0, seed=None):
        self.gain = gain
        super().__init__(seed=seed)

    def __call__(self, shape, dtype=None) -> np.ndarray:
        dt = _float_dtype(dtype, "Orthogonal")
        shape = _standardize_shape(shape)
        if len(shape) < 2:
            raise ValueError(
                f"Orthogonal: the weight must be at least two-dimensional, received "
                f"shape={shape} of rank {len(shape)}"
            )
        rows, cols = math.prod(shape[:-1]), shape[-1]
        a = self._rng().standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(a)
        q *= np.sign(np.diag(r))
        if rows < cols:
            q = q.T
        return (self.gain * q.reshape(shape)).astype(dt)

    def get_config(self) -> dict:
        return {"gain": self.gain, **super().get_config()}


# Keras 3 exposes the snake_case names as aliases of the classes.
constant = Constant
zeros = Zeros
ones = Ones
identity = Identity
random_normal = RandomNormal
random_uniform = RandomUniform
truncated_normal = TruncatedNormal
variance_scaling = VarianceScaling
glorot_uniform = GlorotUniform
glorot_normal = GlorotNormal
he_normal = HeNormal
he_uniform = HeUniform
lecun_normal = LecunNormal
lecun_uniform = LecunUniform
orthogonal = Orthogonal
OrthogonalInitializer = Orthogonal
IdentityInitializer = Identity

_CLASSES = (
    Constant, Zeros, Ones, Identity, RandomNormal, RandomUniform, TruncatedNormal,
    VarianceScaling, GlorotUniform, GlorotNormal, HeNormal, HeUniform, LecunNormal,
    LecunUniform, Orthogonal,
)
_SNAKE = {
    Constant: "constant", Zeros: "zeros", Ones: "ones", Identity: "identity",
    RandomNormal: "random_normal", RandomUniform: "random_uniform",
    TruncatedNormal: "truncated_normal", VarianceScaling: "variance_scaling",
    GlorotUniform: "glorot_uniform", GlorotNormal: "glorot_normal", HeNormal: "he_normal",
    HeUniform: "he_uniform", LecunNormal: "lecun_normal", LecunUniform: "lecun_uniform",
    Orthogonal: "orthogonal",
}
ALL_OBJECTS: dict[str, type[Initializer]] = {cls.__name__: cls for cls in _CLASSES}
ALL_OBJECTS.update({name: cls for cls, name in _SNAKE.items()})
ALL_OBJECTS.update({
    "OrthogonalInitializer": Orthogonal, "IdentityInitializer": Identity,
    "uniform": RandomUniform, "normal": RandomNormal, "one": Ones, "zero": Zeros,
})


def serialize(initializer: Initializer) -> dict:
    """`{"class_name", "config", ...}` for an initializer instance."""
    return serialize_instance(initializer, Initializer, "keras.initializers",
                              "initializers.serialize")


def deserialize(config: dict | str, custom_objects: dict | None = None) -> Initializer:
    """Rebuild an initializer from `serialize()` output or from a bare name."""
    return deserialize_config(config, ALL_OBJECTS, "initializer", "initializers.deserialize",
                              custom_objects)


def get(identifier: Any) -> Callable | None:
    """An initializer from None, a name, a config dict, an instance, a class or a callable."""
    return _registry.get(identifier, deserialize, "initializer")
