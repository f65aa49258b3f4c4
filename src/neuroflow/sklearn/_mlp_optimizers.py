"""scikit-learn's MLP optimizers (SGD with momentum, Adam) on flat vectors, in place.

Each update is scikit-learn's expression evaluated in the same order and dtypes, but
written through preallocated buffers over the flat parameter vector, one cache-sized
chunk at a time (elementwise arithmetic does not care how the elements are grouped):
an update is a dozen passes, and over a vector of megabytes each pass would go to
memory. The same loop can finish the gradient chunk by chunk first (`finish`), so
the penalty and the division by the batch size are done while the chunk is in cache.
The learning rate schedules (`iteration_ends`, `trigger_stopping`) are scikit-learn's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

import numpy as np

__all__ = ["Adam", "CHUNK", "SGD"]

CHUNK = 65536
"""Elements an update handles at a time: its five to seven vectors' chunks (512 KiB
each in float64) stay in cache through the dozen passes. The update is bound by its
operations, not by memory: on Fashion-MNIST's [300, 100] network (266,610 float64
parameters) Adam with the gradient's finish took 1.86 ms in chunks of 64K or 32K
elements, 2.04 ms in 16K, 2.31 ms in 8K, 2.93 ms in 4K (the calls' overhead outgrows
what L2-sized chunks save) and 2.12 ms as whole vectors, against 0.09 ms for one
`np.add(p, g, out=p)` pass; each of its 15 elementwise passes costs about 0.3 ns per
element from cache, the square root 1.5 ns. Halves updated by two threads at once
(numpy's loops release the GIL) won alone (2.04 -> 1.25 ms on a quiet machine) but not
inside training: after a product OpenBLAS's worker keeps spinning on the second core
(2.65 -> 2.89 ms with 2 BLAS threads; 2.74 -> 2.40 with one, which the fit only picks
when the machine is busy), and 2-epoch Fashion-MNIST fits with a per-epoch choice of
the faster way were no faster (4.36 against 4.21 s), so the update runs on the
caller's thread."""


class _Optimizer(ABC):
    """The learning rate and the stopping rule every optimizer shares."""

    def __init__(self, learning_rate_init: float) -> None:
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = self.learning_rate_init

    def update_params(self, params: np.ndarray, grad: np.ndarray,
                      finish: Callable[[int, int], None] | None = None) -> None:
        """params += the step for `grad`, chunk by chunk; `finish(start, stop)`, when
        given, first completes `grad[start:stop]` in place."""
        size = params.shape[0]
        for start in range(0, size, CHUNK):
            stop = min(start + CHUNK, size)
            if finish is not None:
                finish(start, stop)
            self._update(params[start:stop], grad[start:stop], start, stop)

    @abstractmethod
    def _update(self, params: np.ndarray, grad: np.ndarray, start: int, stop: int) -> None:
        """The update of the elements `start:stop` (`params` and `grad` are their views)."""

    def iteration_ends(self, time_step: int) -> None:  # noqa: B027 - a hook, often a no-op
        """Called after each epoch with the number of samples seen so far."""

    def trigger_stopping(self, message: str, verbose: bool) -> bool:
        """Whether training stops now that the loss (or score) stopped improving."""
        if verbose:
            print(message + " Stopping.")
        return True


class SGD(_Optimizer):
    """Stochastic gradient descent with (Nesterov's) momentum and a learning rate schedule:
    'constant', 'invscaling' (learning_rate_init / (t + 1) ** power_t after each epoch)
    or 'adaptive' (divided by 5 each time the loss stalls, stopping below 1e-6)."""

    def __init__(self, size: int, dtype, learning_rate_init: float, lr_schedule: str,
                 momentum: float, nesterov: bool, power_t: float) -> None:
        super().__init__(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.power_t = float(power_t)
        self.velocity = np.zeros(size, dtype=dtype)
        chunk = min(size, CHUNK)
        self._scaled_grad = np.empty(chunk, dtype=dtype)
        self._update_buffer = np.empty(chunk, dtype=dtype) if self.nesterov else None

    def _update(self, params: np.ndarray, grad: np.ndarray, start: int, stop: int) -> None:
        """velocity = momentum * velocity - lr * grad; params += velocity (Nesterov:
        params += momentum * velocity - lr * grad)."""
        n = stop - start
        scaled = np.multiply(grad, self.learning_rate, out=self._scaled_grad[:n])
        velocity = self.velocity[start:stop]
        np.multiply(velocity, self.momentum, out=velocity)
        np.subtract(velocity, scaled, out=velocity)
        if self._update_buffer is not None:
            update = np.multiply(velocity, self.momentum, out=self._update_buffer[:n])
            params += np.subtract(update, scaled, out=update)
        else:
            params += velocity

    def iteration_ends(self, time_step: int) -> None:
        if self.lr_schedule == "invscaling":
            self.learning_rate = self.learning_rate_init / (time_step + 1) ** self.power_t

    def trigger_stopping(self, message: str, verbose: bool) -> bool:
        if self.lr_schedule != "adaptive":
            return super().trigger_stopping(message, verbose)
        if self.learning_rate <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(message + f" Setting learning rate to {self.learning_rate:f}")
        return False


class Adam(_Optimizer):
    """Adam (Kingma and Ba) with scikit-learn's bias-corrected step size; its updates are
    float64, as scikit-learn's (the step size is a NumPy float64)."""

    def __init__(self, size: int, dtype, learning_rate_init: float, beta_1: float,
                 beta_2: float, epsilon: float) -> None:
        super().__init__(learning_rate_init)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self._one_minus_beta_1, self._one_minus_beta_2 = 1 - self.beta_1, 1 - self.beta_2
        self.t = 0
        self.m = np.zeros(size, dtype=dtype)
        self.v = np.zeros(size, dtype=dtype)
        chunk = min(size, CHUNK)
        self._scratch = np.empty(chunk, dtype=dtype)
        self._update_buffer = np.empty(chunk, dtype=np.result_type(np.float64, dtype))

    def update_params(self, params: np.ndarray, grad: np.ndarray,
                      finish: Callable[[int, int], None] | None = None) -> None:
        """m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
        params += -lr m / (sqrt(v) + epsilon), lr = lr0 sqrt(1 - b2^t) / (1 - b1^t)."""
        self.t = t = self.t + 1
        # a NumPy float64, as scikit-learn's: the update is float64 whatever the dtype
        self.learning_rate = (
            self.learning_rate_init * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t))
        super().update_params(params, grad, finish)

    def _update(self, params: np.ndarray, grad: np.ndarray, start: int, stop: int) -> None:
        n = stop - start
        m, v = self.m[start:stop], self.v[start:stop]
        scratch, update = self._scratch[:n], self._update_buffer[:n]
        m *= self.beta_1
        m += np.multiply(grad, self._one_minus_beta_1, out=scratch)
        v *= self.beta_2
        squared = np.square(grad, out=scratch)
        v += np.multiply(squared, self._one_minus_beta_2, out=squared)
        np.multiply(m, -self.learning_rate, out=update)
        denominator = np.sqrt(v, out=scratch)
        denominator += self.epsilon
        params += np.divide(update, denominator, out=update)
