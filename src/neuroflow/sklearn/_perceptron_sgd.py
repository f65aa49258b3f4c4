"""The perceptron rule as plain stochastic gradient descent, for `neuroflow.sklearn.Perceptron`.

One binary problem (labels -1/+1) is learned one instance at a time:

    p = x . w + b;  if y * p <= 0:  w <- w + eta * y * x,  b <- b + eta * y

with optional L2 (weight decay before each step), L1 (truncated gradient, Tsuruoka et
al. 2009) or elastic-net penalties, class weights, per-epoch shuffling and the
stopping rule of scikit-learn's `SGDClassifier(loss="perceptron")`: stop after
`n_iter_no_change` epochs whose mean loss (or validation accuracy, with early
stopping) did not improve on the best one by `tol`.

The arithmetic follows scikit-learn's order of operations (sequential dot products in
float64, the weight vector stored as a scale times an array, the same xorshift
shuffle) so that, for the same settings, the fitted coefficients agree with
scikit-learn's. Weights only change on mistakes when there is no penalty or an L2
penalty, so those cases check a whole block of upcoming instances at once and step
through the mistakes only; the result is identical to the instance-by-instance loop.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["SGDSettings", "shuffle_permutation", "train_binary"]

_UINT32 = 0xFFFFFFFF
_RAND_R_MAX = 2**31  # xorshift draws are reduced modulo 2**31
_RESET_THRESHOLD = {np.dtype(np.float64): 1e-9, np.dtype(np.float32): 1e-6}
_MIN_BLOCK, _MAX_BLOCK = 8, 2048


@dataclass(frozen=True)
class SGDSettings:
    """Hyperparameters of one run of `train_binary`."""

    penalty: str | None
    alpha: float
    l1_ratio: float
    eta0: float
    fit_intercept: bool
    max_iter: int
    tol: float | None
    n_iter_no_change: int
    shuffle: bool
    early_stopping: bool
    verbose: int


def shuffle_permutation(seed: int, n: int) -> np.ndarray:
    """The permutation one xorshift Fisher-Yates pass with `seed` applies to `n` positions.

    Shuffling an index array `order` with that pass gives `order[perm]`. The same seed
    restarts the pass at every epoch, so the permutation is computed once per fit.
    """
    perm = list(range(n))
    state = int(seed) & _UINT32
    for i in range(n - 1):
        if state == 0:
            state = 1
        state ^= (state << 13) & _UINT32
        state ^= state >> 17
        state ^= (state << 5) & _UINT32
        j = i + (state % _RAND_R_MAX) % (n - i)
        perm[i], perm[j] = perm[j], perm[i]
    return np.asarray(perm, dtype=np.intp)


class _WeightVector:
    """Weights stored as `wscale * w`, so that L2 shrinkage is one multiplication.

    The array has the data's float type (`cast` rounds to it); the scale and the
    norms are float64, as in scikit-learn.
    """

    def __init__(self, w: np.ndarray, track_norms: bool) -> None:
        self.w = w
        self.cast = float if w.dtype == np.float64 else np.float32
        self.wscale = 1.0
        self.threshold = _RESET_THRESHOLD[w.dtype]
        self.track_norms = track_norms
        self.sq_norm = float(self.cast(np.dot(w, w))) if track_norms else 0.0
        self.l1_norm = float(self.cast(np.abs(w).sum())) if track_norms else 0.0

    def dot(self, X: np.ndarray) -> np.ndarray:
        """Sequential float64 dot products of the rows of `X` with the weights (unscaled)."""
        return np.cumsum(X * self.w, axis=-1, dtype=np.float64)[..., -1]

    def scaled(self, inner, wscale):
        """`inner * wscale` in float64, rounded to the data's float type."""
        if self.cast is float:
            return inner * wscale
        rounded = (np.asarray(inner, dtype=np.float64) * wscale).astype(np.float32)
        return float(rounded) if rounded.ndim == 0 else rounded.astype(np.float64)

    def add(self, x: np.ndarray, c: float) -> None:
        """w += c * x (through the scale)."""
        wscale = self.cast(self.wscale)
        factor = self.cast(self.cast(c) / wscale)
        if self.cast is float:
            self.w += x * factor
        else:
            self.w[:] = self.w.astype(np.float64) + x.astype(np.float64) * float(factor)
        if self.track_norms:
            squares = np.cumsum(self.w * self.w, dtype=np.float64)[-1]
            absolute = np.cumsum(np.abs(self.w), dtype=np.float64)[-1]
            self.sq_norm = float(squares * float(self.cast(wscale * wscale)))
            self.l1_norm = float(absolute * float(wscale))

    def scale(self, c: float) -> None:
        """w *= c; fold the scale into the array when it gets tiny."""
        c = self.cast(c)
        self.wscale *= float(c)
        self.sq_norm *= float(self.cast(c * c))
        self.l1_norm *= abs(float(c))
        if self.wscale < self.threshold:
            self.reset_wscale()

    def reset_wscale(self) -> None:
        self.w *= self.cast(self.wscale)
        self.wscale = 1.0

    def norm(self) -> float:
        return float(self.cast(math.sqrt(self.sq_norm)))

    def l1norm(self) -> float:
        return float(self.cast(self.l1_norm))


class _State:
    """Mutable training state shared by the instance-by-instance and block steps."""

    def __init__(self, weights: _WeightVector, intercept: float, settings: SGDSettings,
                 weight_pos: float, weight_neg: float) -> None:
        self.w = weights
        self.intercept = float(intercept)
        self.s = settings
        self.weight_pos = float(weights.cast(weight_pos))
        self.weight_neg = float(weights.cast(weight_neg))
        self.l1_ratio = {None: 0.0, "l2": 0.0, "l1": 1.0}.get(settings.penalty, settings.l1_ratio)
        self.shrink = max(0.0, 1.0 - ((1.0 - self.l1_ratio) * settings.eta0 * settings.alpha))
        self.q = np.zeros_like(weights.w) if settings.penalty in ("l1", "elasticnet") else None
        self.u = 0.0
        self.track_loss = bool(settings.verbose) or not settings.early_stopping
        weights.track_norms = weights.track_norms and self.track_loss
        self.sumloss = 0.0
        self.objective = 0.0
        self.count = 0

    def penalty_term(self, norm: float | np.ndarray, l1_norm) -> float | np.ndarray:
        s = self.s
        return s.alpha * ((1 - self.l1_ratio) * 0.5 * np.square(norm) + self.l1_ratio * l1_norm)

    def step(self, x: np.ndarray, y: float) -> None:
        """One instance of the perceptron rule, exactly as scikit-learn orders it."""
        w = self.w
        self._learn(x, y, (w.scaled(float(w.dot(x)), w.wscale) + self.intercept) * y)

    def _learn(self, x: np.ndarray, y: float, z: float) -> None:
        """The rest of `step` once the margin z = y * (x . w + b) is known."""
        w, s = self.w, self.s
        if self.track_loss:
            loss = 0.0 - z if z <= 0.0 else 0.0
            self.sumloss += loss
            self.objective += loss
            if s.penalty is not None:
                self.objective += self.penalty_term(w.norm(), w.l1norm())
        update = s.eta0 * y if z <= 0.0 else 0.0
        update *= float(self.weight_pos if y > 0.0 else self.weight_neg)
        if s.penalty in ("l2", "elasticnet"):
            w.scale(self.shrink)
        if update != 0.0:
            w.add(x, update)
            if s.fit_intercept:
                self.intercept += update
        if self.q is not None:
            self.u += self.l1_ratio * s.eta0 * s.alpha
            self._l1_truncate()
        self.count += 1

    def _l1_truncate(self) -> None:
        """Cumulative L1 penalty with truncation at zero (Tsuruoka et al., 2009)."""
        w, q, u = self.w, self.q, self.u
        wscale = float(w.wscale)
        old = w.w.astype(np.float64)
        scaled = wscale * old
        new = old.copy()
        pos, neg = scaled > 0.0, scaled < 0.0
        new[pos] = np.maximum(0.0, old[pos] - (u + q[pos].astype(np.float64)) / wscale)
        new[neg] = np.minimum(0.0, old[neg] + (u - q[neg].astype(np.float64)) / wscale)
        w.w[:] = new
        q[:] = q.astype(np.float64) + wscale * (w.w.astype(np.float64) - old)

    def block(self, X: np.ndarray, y: np.ndarray, active: np.ndarray) -> int:
        """Run the rule over the rows of X up to and including the first weight change.

        Valid without penalty or with an L2 penalty, where the array only changes on a
        mistake (or when the scale is folded into it): the margins of all the rows up
        to that change are computed at once. `active` tells which rows have a nonzero
        class weight. Returns the number of rows processed.
        """
        w, s = self.w, self.s
        n = len(y)
        l2 = s.penalty == "l2"
        if l2:  # the scale before each row, then after the last one
            shrink = w.cast(self.shrink)
            scales = _chain(w.wscale, float(shrink), n)
            before = scales[:-1]
        else:
            before = w.wscale
        z = (w.scaled(w.dot(X), before) + self.intercept) * y
        mistakes = z <= 0.0
        events = mistakes & active
        if l2:
            events |= scales[1:] < w.threshold
        stop = int(np.argmax(events)) if events.any() else n
        if stop and self.track_loss:
            losses = np.where(mistakes[:stop], 0.0 - z[:stop], 0.0)
            if l2:
                sq = _chain(w.sq_norm, float(w.cast(shrink * shrink)), stop)
                l1 = _chain(w.l1_norm, abs(float(shrink)), stop)
                terms = np.empty(2 * stop)
                terms[0::2] = losses
                terms[1::2] = self.penalty_term(
                    _round(np.sqrt(sq[:-1]), w.w.dtype), _round(l1[:-1], w.w.dtype)
                )
                w.sq_norm, w.l1_norm = float(sq[-1]), float(l1[-1])
                self.objective = _sequential_sum(self.objective, terms)
            elif mistakes[:stop].any():
                self.objective = _sequential_sum(self.objective, losses)
            if mistakes[:stop].any():
                self.sumloss = _sequential_sum(self.sumloss, losses)
        if l2:
            w.wscale = float(scales[stop])
        self.count += stop
        if stop == n:
            return n
        self._learn(X[stop], float(y[stop]), float(z[stop]))
        return stop + 1


def _chain(start: float, factor: float, steps: int) -> np.ndarray:
    """[start, start*factor, start*factor*factor, ...] (steps + 1 values) in float64,
    rounded after every product as repeated in-place multiplication would be."""
    chain = np.empty(steps + 1)
    chain[0], chain[1:] = start, factor
    return np.cumprod(chain, out=chain)


def _round(values: np.ndarray, dtype) -> np.ndarray:
    """float64 values rounded to `dtype` and back."""
    return values.astype(dtype).astype(np.float64)


def _sequential_sum(start: float, values: np.ndarray) -> float:
    """start + values[0] + values[1] + ..., added left to right in float64."""
    return float(np.cumsum(np.concatenate(([start], values)))[-1])


def train_binary(
    coef: np.ndarray,
    intercept: float,
    X: np.ndarray,
    y: np.ndarray,
    settings: SGDSettings,
    seed: int,
    weight_pos: float = 1.0,
    weight_neg: float = 1.0,
    validation_mask: np.ndarray | None = None,
    validation_score: Callable[[np.ndarray, float], float] | None = None,
) -> tuple[np.ndarray, float, int]:
    """Train one binary perceptron on labels `y` in {-1, +1}.

    Args:
        coef: initial weights, shape (n_features,), in X's float type (updated in place).
        intercept: initial intercept.
        X: training data, C-contiguous float64 or float32 array.
        y: labels -1.0/+1.0 in X's float type.
        settings: the hyperparameters.
        seed: seed of the xorshift shuffle (used when `settings.shuffle`).
        weight_pos, weight_neg: class weights of the positive and negative class.
        validation_mask: rows held out for early stopping (not trained on).
        validation_score: called with (unscaled weights, intercept) after each epoch
            when `settings.early_stopping`; higher is better.

    Returns:
        (coef, intercept, n_iter): the weights, the intercept and the number of epochs run.
    """
    s = settings
    n = X.shape[0]
    mask = np.zeros(n, dtype=bool) if validation_mask is None else validation_mask
    train_count = n - int(mask.sum())
    weights = _WeightVector(coef, track_norms=s.penalty is not None)
    state = _State(weights, intercept, s, weight_pos, weight_neg)
    fast = s.penalty in (None, "l2")
    active = np.where(y > 0.0, state.weight_pos, state.weight_neg) != 0.0
    perm = shuffle_permutation(seed, n) if s.shuffle else None
    order = np.arange(n)
    tol = -math.inf if s.tol is None else s.tol
    best_objective, best_score, no_improvement = math.inf, -math.inf, 0
    start = time.time()
    epoch = 0
    for epoch in range(s.max_iter):  # noqa: B007 - the last epoch number is returned
        state.sumloss = state.objective = 0.0
        if s.verbose:
            print(f"-- Epoch {epoch + 1}")
        if perm is not None:
            order = order[perm]
        rows = order[~mask[order]]
        if fast:
            _run_blocks(state, X, y, active, rows)
        else:
            for index in rows:
                state.step(X[index], float(y[index]))
        if not (math.isfinite(state.intercept) and np.isfinite(weights.w).all()):
            raise ValueError(
                f"Floating-point under-/overflow occurred at epoch #{epoch + 1}. Scaling input "
                "data with StandardScaler or MinMaxScaler might help."
            )
        if s.early_stopping:
            score = validation_score(weights.w, state.intercept)
            no_improvement = no_improvement + 1 if tol > -math.inf and \
                score < best_score + tol else 0
            best_score = max(best_score, score)
        else:
            mean = state.objective / train_count
            no_improvement = no_improvement + 1 if tol > -math.inf and \
                mean > best_objective - tol else 0
            best_objective = min(best_objective, mean)
        if s.verbose:
            print(
                f"Norm: {np.linalg.norm(weights.w) * float(weights.wscale):.2f}, "
                f"NNZs: {np.count_nonzero(weights.w)}, Bias: {state.intercept:.6f}, "
                f"T: {state.count}, Avg. loss: {state.sumloss / train_count:.6f}"
            )
        if no_improvement >= s.n_iter_no_change:
            if s.verbose:
                elapsed = time.time() - start
                print(f"Convergence after {epoch + 1} epochs took {elapsed:.2f} seconds")
            break
    weights.reset_wscale()
    return weights.w, state.intercept, epoch + 1


def _run_blocks(state: _State, X: np.ndarray, y: np.ndarray, active: np.ndarray,
                rows: np.ndarray) -> None:
    """One epoch over `rows`, looking ahead a growing block of rows between weight changes."""
    position, size = 0, _MIN_BLOCK
    while position < len(rows):
        chunk = rows[position:position + size]
        done = state.block(X[chunk], y[chunk], active[chunk])
        position += done
        size = min(_MAX_BLOCK, 2 * size) if done == len(chunk) else max(_MIN_BLOCK, 2 * done)
