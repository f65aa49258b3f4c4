"""neuroflow.random: Keras 3's `keras.random`, reproducible under set_random_seed.

Every function takes `seed` as Keras does:

- an int: the same values on every call (the generator is seeded with [seed, 0]);
- a `SeedGenerator`: a new, reproducible draw on every call (its state advances);
- None: a draw from neuroflow's global generator, which
  `keras.utils.set_random_seed` re-seeds.

`normal(shape, seed=42)` equals the first draw of `SeedGenerator(42)`, as in Keras.
Draws use NumPy's PCG64 generator, so the values are neuroflow's own (not Keras').
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow import backend
from neuroflow.autodiff import math_ops, shape_ops
from neuroflow.autodiff.tensor import Tensor, Variable, convert_to_tensor

__all__ = [
    "SeedGenerator", "normal", "uniform", "truncated_normal", "randint", "categorical",
    "dropout", "shuffle", "gamma", "beta", "binomial", "draw_rng",
]

_names: dict[str, int] = {}


class SeedGenerator:
    """A seed state that advances on every draw, so a layer's noise is reproducible.

    `seed=None` takes a starting seed from the global generator (so it, too, is
    reproducible after `set_random_seed`).
    """

    def __init__(self, seed: int | None = None, name: str | None = None, **kwargs):
        if kwargs:
            raise ValueError(f"SeedGenerator: unrecognized keyword arguments {sorted(kwargs)}")
        if name is None:
            count = _names.get("seed_generator", 0)
            _names["seed_generator"] = count + 1
            name = "seed_generator" if count == 0 else f"seed_generator_{count}"
        self.name = name
        self._initial_seed = seed
        if seed is None:
            seed = int(backend.global_rng().integers(1, 10**9))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise ValueError(
                f"SeedGenerator: seed must be a non-negative integer or None, received {seed!r}"
            )
        self.state = Variable(np.array([int(seed), 0], dtype=np.int64), trainable=False,
                              name="seed_generator_state", dtype="int64")

    def next(self, ordered: bool = True) -> np.ndarray:
        """The current [seed, counter] state; the state then moves on."""
        current = self.state.data.copy()
        if ordered:
            self.state.assign(current + np.array([0, 1]))
        else:
            self.state.assign((current + 1) * 5387 % 933199)
        return current

    def get_config(self) -> dict[str, Any]:
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SeedGenerator:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<SeedGenerator name={self.name} state={self.state.data.tolist()}>"


def draw_rng(seed: int | SeedGenerator | None) -> np.random.Generator:
    """The NumPy generator for one draw with Keras' `seed` argument."""
    if isinstance(seed, SeedGenerator):
        return np.random.default_rng([int(v) for v in seed.next()])
    if seed is None:
        return backend.global_rng()
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ValueError(
            "seed must be a non-negative int, a keras.random.SeedGenerator or None; "
            f"received {seed!r}"
        )
    return np.random.default_rng([int(seed), 0])


def _shape(shape, op: str) -> tuple[int, ...]:
    if isinstance(shape, (int, np.integer)):
        shape = (shape,)
    try:
        out = tuple(int(n) for n in shape)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"random.{op}: shape must be a tuple of ints, received {shape!r}") \
            from exc
    if any(n < 0 for n in out):
        raise ValueError(f"random.{op}: shape must not have negative sizes, received {out}")
    return out


def _float_dtype(dtype, op: str) -> np.dtype:
    dt = np.dtype(dtype or backend.floatx())
    if dt.kind != "f":
        raise ValueError(f"random.{op} requires a floating point dtype, received dtype={dt}")
    return dt


def _value(x) -> np.ndarray:
    return np.asarray(x.data if isinstance(x, Tensor) else x)


def _require(ok, op: str, what: str, **received) -> None:
    """One clear error for a distribution parameter out of its domain (NumPy's own says
    only 'low >= high' or 'shape < 0')."""
    if not np.all(ok):
        got = ", ".join(f"{k}={v!r}" for k, v in received.items())
        raise ValueError(f"random.{op}: {what}, received {got}")


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Samples from N(mean, stddev**2)."""
    dt = _float_dtype(dtype, "normal")
    rng = draw_rng(seed)
    values = rng.standard_normal(_shape(shape, "normal")) * _value(stddev) + _value(mean)
    return Tensor(values.astype(dt))


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None) -> Tensor:
    """Samples from U[minval, maxval)."""
    dt = _float_dtype(dtype, "uniform")
    rng = draw_rng(seed)
    return Tensor(rng.uniform(_value(minval), _value(maxval), _shape(shape, "uniform"))
                  .astype(dt))


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None) -> Tensor:
    """Normal samples, redrawn until each lies within two standard deviations of the mean."""
    dt = _float_dtype(dtype, "truncated_normal")
    rng = draw_rng(seed)
    size = int(np.prod(_shape(shape, "truncated_normal")))
    z = rng.standard_normal(size)
    bad = np.abs(z) > 2
    while bad.any():
        z[bad] = rng.standard_normal(int(bad.sum()))
        bad = np.abs(z) > 2
    values = z.reshape(_shape(shape, "truncated_normal")) * _value(stddev) + _value(mean)
    return Tensor(values.astype(dt))


def randint(shape, minval, maxval, dtype="int32", seed=None) -> Tensor:
    """Integers drawn uniformly from [minval, maxval)."""
    dt = np.dtype(dtype)
    if dt.kind not in "iu":
        raise ValueError(f"random.randint requires an integer dtype, received dtype={dt}")
    low, high = _value(minval), _value(maxval)
    _require(low < high, "randint", "minval must be less than maxval", minval=minval,
             maxval=maxval)
    rng = draw_rng(seed)
    return Tensor(rng.integers(low, high, _shape(shape, "randint"))
                  .astype(dt))


def categorical(logits, num_samples: int, dtype="int32", seed=None) -> Tensor:
    """`num_samples` class indices per row of `logits` (batch, classes), drawn by softmax."""
    z = np.asarray(_value(logits), dtype=np.float64)
    if z.ndim != 2:
        raise ValueError(
            f"random.categorical: logits must be 2-D (batch, classes), received shape {z.shape}"
        )
    p = np.exp(z - z.max(axis=1, keepdims=True))
    cdf = np.cumsum(p / p.sum(axis=1, keepdims=True), axis=1)
    u = draw_rng(seed).random((z.shape[0], int(num_samples)))
    idx = (u[:, :, None] >= cdf[:, None, :-1]).sum(axis=-1)
    return Tensor(idx.astype(np.dtype(dtype)))


def dropout(inputs, rate: float, noise_shape=None, seed=None) -> Tensor:
    """Zero each entry with probability `rate`, scale the rest by 1 / (1 - rate).

    Differentiable in `inputs`: the gradient passes through the kept entries, scaled.
    """
    x = inputs if isinstance(inputs, Tensor) else convert_to_tensor(inputs)
    if not 0.0 <= float(rate) <= 1.0:
        raise ValueError(f"random.dropout: rate must lie in [0, 1], received {rate!r}")
    if rate == 0:
        return x
    if rate == 1:
        return math_ops.multiply(x, np.zeros((), x.dtype))
    shape = x.shape if noise_shape is None else tuple(
        x.shape[i] if n is None else int(n) for i, n in enumerate(noise_shape))
    keep = 1.0 - float(rate)
    mask = draw_rng(seed).random(shape) < keep
    scale = np.where(mask, 1.0 / keep, 0.0).astype(x.dtype)
    return math_ops.multiply(x, np.broadcast_to(scale, np.broadcast_shapes(shape, x.shape)))


def shuffle(x, axis: int = 0, seed=None) -> Tensor:
    """A random permutation of `x` along `axis` (differentiable in x)."""
    t = x if isinstance(x, Tensor) else convert_to_tensor(x)
    axis = int(axis) % max(t.ndim, 1)
    perm = draw_rng(seed).permutation(t.shape[axis])
    return shape_ops.getitem(t, (slice(None),) * axis + (perm,))


def gamma(shape, alpha, dtype=None, seed=None) -> Tensor:
    """Samples from Gamma(alpha, 1)."""
    dt = _float_dtype(dtype, "gamma")
    _require(_value(alpha) > 0, "gamma", "alpha must be positive", alpha=alpha)
    rng = draw_rng(seed)
    return Tensor(rng.standard_gamma(_value(alpha), _shape(shape, "gamma")).astype(dt))


def beta(shape, alpha, beta, dtype=None, seed=None) -> Tensor:
    """Samples from Beta(alpha, beta)."""
    dt = _float_dtype(dtype, "beta")
    _require((_value(alpha) > 0) & (_value(beta) > 0), "beta", "alpha and beta must be "
             "positive", alpha=alpha, beta=beta)
    rng = draw_rng(seed)
    return Tensor(rng.beta(_value(alpha), _value(beta), _shape(shape, "beta")).astype(dt))


def binomial(shape, counts, probabilities, dtype=None, seed=None) -> Tensor:
    """Numbers of successes in `counts` trials of probability `probabilities` (floats)."""
    dt = _float_dtype(dtype, "binomial")
    p = _value(probabilities)
    _require((_value(counts) >= 0) & (p >= 0) & (p <= 1), "binomial", "counts must be "
             "non-negative and probabilities in [0, 1]", counts=counts,
             probabilities=probabilities)
    rng = draw_rng(seed)
    n = _value(counts).astype(np.int64)
    return Tensor(rng.binomial(n, p, _shape(shape, "binomial")).astype(dt))
