"""A Gaussian-process sampler (Bayesian optimization with an upper confidence bound).

After `num_initial_points` random trials, it fits a GP with a Matern 5/2 kernel to the
completed trials (hyperparameters scaled to [0, 1], log-scaled where sampled so) and picks,
among random candidates, the one maximizing mean + beta * std of the predicted score.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers import BaseSampler
from optuna.search_space import IntersectionSearchSpace
from optuna.trial import TrialState

from neuroflow.tuner.samplers import sample_distribution, trial_rng

__all__ = ["GPSampler"]

_LENGTH_SCALES = (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 1.0, 1.5, 2.5)


def _encode_value(dist: Any, value: Any) -> list[float]:
    if isinstance(dist, CategoricalDistribution):
        choices = list(dist.choices)
        if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in choices):
            order = sorted(choices)
            return [order.index(value) / max(len(order) - 1, 1)]
        return [1.0 if c == value else 0.0 for c in choices]
    lo, hi, v = float(dist.low), float(dist.high), float(value)
    if dist.log:
        lo, hi, v = math.log(lo), math.log(hi), math.log(v)
    return [0.5 if hi == lo else (v - lo) / (hi - lo)]


def _perturb(dist: Any, value: Any, rng: np.random.Generator, scale: float) -> Any:
    """A value near `value` (a Gaussian step of `scale` on the [0, 1] scale)."""
    if isinstance(dist, CategoricalDistribution):
        if rng.random() < scale:
            return dist.choices[int(rng.integers(len(dist.choices)))]
        return value
    lo, hi, v = float(dist.low), float(dist.high), float(value)
    if dist.log:
        lo, hi, v = math.log(lo), math.log(hi), math.log(v)
    u = min(max((v - lo) / (hi - lo) + rng.normal(0.0, scale), 0.0), 1.0) if hi > lo else 0.0
    out = lo + u * (hi - lo)
    if dist.log:
        out = math.exp(out)
    out = min(max(out, float(dist.low)), float(dist.high))
    step = getattr(dist, "step", None)
    if step is not None:
        out = float(dist.low) + round((out - float(dist.low)) / step) * step
        out = min(out, float(dist.high))
    if isinstance(dist, IntDistribution):
        return int(round(out))
    return float(out)


def _matern52(a: np.ndarray, b: np.ndarray, length: float) -> np.ndarray:
    d = np.sqrt(np.maximum(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1), 0.0)) / length
    s5 = math.sqrt(5.0) * d
    return (1.0 + s5 + 5.0 / 3.0 * d * d) * np.exp(-s5)


class _GP:
    """GP regression on standardized targets; the length scale maximizes the evidence."""

    def __init__(self, x: np.ndarray, y: np.ndarray, alpha: float):
        self.x = x
        self.mean, self.std = float(y.mean()), float(y.std()) or 1.0
        z = (y - self.mean) / self.std
        best = None
        for length in _LENGTH_SCALES:
            k = _matern52(x, x, length) + (alpha + 1e-8) * np.eye(len(x))
            try:
                chol = np.linalg.cholesky(k)
            except np.linalg.LinAlgError:
                continue
            w = np.linalg.solve(chol.T, np.linalg.solve(chol, z))
            evidence = -0.5 * z @ w - np.log(np.diag(chol)).sum()
            if best is None or evidence > best[0]:
                best = (evidence, length, chol, w)
        if best is None:
            raise np.linalg.LinAlgError("the GP kernel matrix is singular")
        _, self.length, self.chol, self.weights = best

    def predict(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ks = _matern52(xs, self.x, self.length)
        mu = ks @ self.weights
        v = np.linalg.solve(self.chol, ks.T)
        var = np.maximum(1.0 - (v * v).sum(0), 1e-12)
        return mu * self.std + self.mean, np.sqrt(var) * self.std


class GPSampler(BaseSampler):
    """Bayesian optimization over the hyperparameters every completed trial shares.

    Args:
        seed: makes the initial random trials and the candidates reproducible.
        num_initial_points: random trials before the GP takes over (default: 3 times the
            number of hyperparameters, at least 2).
        alpha: the noise added to the kernel's diagonal (default 1e-4).
        beta: how much the upper confidence bound rewards uncertainty (default 2.6).
        num_candidates: random candidates scored per trial.
    """

    def __init__(self, seed: int | None = None, num_initial_points: int | None = None,
                 alpha: float = 1e-4, beta: float = 2.6, num_candidates: int = 2000):
        if num_initial_points is not None and num_initial_points < 1:
            raise ValueError(f"num_initial_points must be positive, received {num_initial_points}")
        if alpha < 0 or beta < 0:
            raise ValueError(f"alpha and beta must be non-negative, received {alpha}, {beta}")
        self.seed = seed
        self.num_initial_points = num_initial_points
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.num_candidates = int(num_candidates)
        self._space = IntersectionSearchSpace()

    def infer_relative_search_space(self, study: Any, trial: Any) -> dict:
        space = self._space.calculate(study)
        return {k: d for k, d in space.items()
                if isinstance(d, (FloatDistribution, IntDistribution, CategoricalDistribution))
                and not d.single()}

    def sample_relative(self, study: Any, trial: Any, search_space: dict) -> dict:
        if not search_space:
            return {}
        names = sorted(search_space)
        done = [t for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                if t.value is not None and math.isfinite(t.value)
                and all(n in t.params for n in names)]
        initial = self.num_initial_points or max(2, 3 * len(names))
        if len(done) < initial:
            return {}

        def encode(params: dict) -> list[float]:
            row: list[float] = []
            for n in names:
                row.extend(_encode_value(search_space[n], params[n]))
            return row

        x = np.array([encode(t.params) for t in done], dtype=np.float64)
        sign = 1.0 if study.direction.name == "MAXIMIZE" else -1.0
        y = sign * np.array([t.value for t in done], dtype=np.float64)
        try:
            gp = _GP(x, y, self.alpha)
        except np.linalg.LinAlgError:
            return {}
        rng = trial_rng(self.seed, trial.number, "gp-candidates")
        candidates = [{n: sample_distribution(search_space[n], rng) for n in names}
                      for _ in range(self.num_candidates)]
        sign_sorted = sorted(zip(y, range(len(done)), strict=True), reverse=True)
        for _, index in sign_sorted[:3]:
            for scale in (0.02, 0.05, 0.15):
                candidates.extend(
                    {n: _perturb(search_space[n], done[index].params[n], rng, scale)
                     for n in names}
                    for _ in range(self.num_candidates // 20))
        mu, sd = gp.predict(np.array([encode(c) for c in candidates], dtype=np.float64))
        return candidates[int(np.argmax(mu + self.beta * sd))]

    def sample_independent(self, study: Any, trial: Any, param_name: str,
                           param_distribution: Any) -> Any:
        return sample_distribution(param_distribution,
                                   trial_rng(self.seed, trial.number, param_name))
