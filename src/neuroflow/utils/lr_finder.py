"""find_learning_rate: grow the learning rate exponentially and watch the loss.

As chapter 10 describes: train for a few hundred steps while the learning rate grows from
`min_lr` to `max_lr` by a constant factor per step, record the loss of each step, stop when
the loss explodes, and pick about a tenth of the rate where the loss stops falling. The
model's weights and its optimizer are left exactly as they were.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

__all__ = ["LearningRateFinderResult", "find_learning_rate"]


class LearningRateFinderResult:
    """The curve of a learning-rate sweep.

    Attributes: `learning_rates`, `losses` (per step), `smoothed_losses` (exponential moving
    average), `best_learning_rate` (where the smoothed loss is lowest) and
    `suggested_learning_rate` (a tenth of it). Unpacks as
    `learning_rates, losses, suggested_learning_rate`.
    """

    def __init__(self, learning_rates: list[float], losses: list[float],
                 smoothed_losses: list[float]):
        self.learning_rates = np.asarray(learning_rates, dtype=np.float64)
        self.losses = np.asarray(losses, dtype=np.float64)
        self.smoothed_losses = np.asarray(smoothed_losses, dtype=np.float64)
        finite = np.where(np.isfinite(self.smoothed_losses), self.smoothed_losses, np.inf)
        best = int(np.argmin(finite))
        self.best_learning_rate = float(self.learning_rates[best])
        self.suggested_learning_rate = self.best_learning_rate / 10.0

    def __iter__(self):
        return iter((self.learning_rates, self.losses, self.suggested_learning_rate))

    def plot(self, ax: Any = None, smoothed: bool = True) -> Any:
        """Draw loss vs learning rate on a log axis (needs matplotlib); returns the axes."""
        try:
            import matplotlib.pyplot as plt
        except ImportError as err:
            raise ImportError("plot() needs matplotlib: pip install 'neuroflow[plot]'") from err
        if ax is None:
            _, ax = plt.subplots()
        ax.plot(self.learning_rates, self.losses, alpha=0.4 if smoothed else 1.0, label="loss")
        if smoothed:
            ax.plot(self.learning_rates, self.smoothed_losses, label="smoothed loss")
        ax.axvline(self.suggested_learning_rate, linestyle="--", color="gray",
                   label=f"suggested {self.suggested_learning_rate:.2g}")
        ax.set_xscale("log")
        ax.set_xlabel("Learning rate")
        ax.set_ylabel("Loss")
        ax.legend()
        ax.grid(True)
        return ax

    def __repr__(self) -> str:
        return (f"LearningRateFinderResult(steps={len(self.losses)}, "
                f"suggested_learning_rate={self.suggested_learning_rate:.3g})")


def _check(min_lr: float, max_lr: float, steps: int, batch_size: int, beta: float,
           explode_factor: float) -> None:
    if not (0 < min_lr < max_lr) or not math.isfinite(max_lr):
        raise ValueError(f"find_learning_rate: need 0 < min_lr < max_lr, received "
                         f"min_lr={min_lr!r}, max_lr={max_lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 2:
        raise ValueError(f"find_learning_rate: steps must be an integer >= 2, received {steps!r}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError("find_learning_rate: batch_size must be a positive integer, received "
                         f"{batch_size!r}")
    if not 0 <= beta < 1:
        raise ValueError(f"find_learning_rate: beta must be in [0, 1), received {beta!r}")
    if not explode_factor > 1:
        raise ValueError("find_learning_rate: explode_factor must be above 1, received "
                         f"{explode_factor!r}")


def find_learning_rate(model: Any, x: Any, y: Any, min_lr: float = 1e-5, max_lr: float = 10.0,
                       steps: int = 500, batch_size: int = 32, beta: float = 0.98,
                       explode_factor: float = 4.0) -> LearningRateFinderResult:
    """Sweep the learning rate of a compiled model from `min_lr` to `max_lr`.

    Args:
        model: a compiled model whose optimizer has a float learning rate.
        x, y: training data (arrays); batches of `batch_size` are drawn in a shuffled order,
            cycling through the data as often as needed.
        min_lr, max_lr: the first and the last learning rate (default 1e-5 and 10).
        steps: the number of training steps (default 500).
        beta: the smoothing of the moving average of the loss (default 0.98).
        explode_factor: stop once the smoothed loss exceeds this many times its minimum.

    Returns:
        A LearningRateFinderResult: the curve, the suggested rate, and `plot()`.
    """
    from neuroflow import backend, optimizers

    _check(min_lr, max_lr, steps, batch_size, beta, explode_factor)
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise ValueError("find_learning_rate: compile the model (optimizer and loss) first")
    x = np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y) or len(x) == 0:
        raise ValueError(f"find_learning_rate: x and y need the same, non-zero number of "
                         f"samples, received {len(x)} and {len(y)}")
    original = model.optimizer
    sweeper = optimizers.deserialize(optimizers.serialize(original))
    if not hasattr(sweeper.learning_rate, "data"):
        raise TypeError("find_learning_rate: the optimizer must have a float learning_rate, "
                        "not a schedule")
    if not model.built:
        model(x[:1])  # create the weights, so that they can be restored afterwards
    weights = model.get_weights()
    rng = backend.global_rng()
    factor = (max_lr / min_lr) ** (1.0 / (steps - 1))
    order = rng.permutation(len(x))
    rates, losses, smoothed = [], [], []
    average, lowest, position = 0.0, math.inf, 0
    model.optimizer = sweeper
    try:
        for step in range(steps):
            if position + batch_size > len(x) and position > 0:
                order, position = rng.permutation(len(x)), 0
            index = order[position:position + batch_size]
            position += batch_size
            lr = min_lr * factor ** step
            sweeper.learning_rate = lr
            result = model.train_on_batch(x[index], y[index])
            loss = float(result[0] if isinstance(result, (list, tuple)) else result)
            average = beta * average + (1 - beta) * loss
            value = average / (1 - beta ** (step + 1))
            rates.append(lr)
            losses.append(loss)
            smoothed.append(value)
            if not math.isfinite(loss) or value > explode_factor * lowest:
                break
            lowest = min(lowest, value)
    finally:
        model.optimizer = original
        model.set_weights(weights)
        model.reset_metrics()
    return LearningRateFinderResult(rates, losses, smoothed)
