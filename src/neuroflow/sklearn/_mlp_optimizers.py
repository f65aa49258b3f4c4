"""scikit-learn's MLP optimizers (SGD with momentum, Adam) on flat vectors, in place.

Each update is scikit-learn's expression evaluated in the same order and dtypes, but
written through preallocated buffers over the whole flat parameter vector at once
(elementwise arithmetic does not care how the elements are grouped). The learning
rate schedules (`iteration_ends`, `trigger_stopping`) are scikit-learn's too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Adam", "SGD"]


class _Optimizer:
    """The learning rate and the stopping rule every optimizer shares."""

    def __init__(self, learning_rate_init: float) -> None:
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = self.learning_rate_init

    def iteration_ends(self, time_step: int) -> None:
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
        self._scaled_grad = np.empty(size, dtype=dtype)
        self._update = np.empty(size, dtype=dtype) if self.nesterov else None

    def update_params(self, params: np.ndarray, grad: np.ndarray) -> None:
        """velocity = momentum * velocity - lr * grad; params += velocity (Nesterov:
        params += momentum * velocity - lr * grad)."""
        scaled = np.multiply(grad, self.learning_rate, out=self._scaled_grad)
        velocity = np.multiply(self.velocity, self.momentum, out=self.velocity)
        np.subtract(velocity, scaled, out=velocity)
        update = self._update
        if update is not None:
            np.multiply(velocity, self.momentum, out=update)
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
        self._scratch = np.empty(size, dtype=dtype)
        self._update = np.empty(size, dtype=np.result_type(np.float64, dtype))

    def update_params(self, params: np.ndarray, grad: np.ndarray) -> None:
        """m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g^2;
        params += -lr m / (sqrt(v) + epsilon), lr = lr0 sqrt(1 - b2^t) / (1 - b1^t)."""
        self.t = t = self.t + 1
        m, v, scratch, update = self.m, self.v, self._scratch, self._update
        m *= self.beta_1
        m += np.multiply(grad, self._one_minus_beta_1, out=scratch)
        v *= self.beta_2
        squared = np.square(grad, out=scratch)
        v += np.multiply(squared, self._one_minus_beta_2, out=squared)
        # a NumPy float64, as scikit-learn's: the update is float64 whatever the dtype
        self.learning_rate = learning_rate = (
            self.learning_rate_init * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t))
        np.multiply(m, -learning_rate, out=update)
        denominator = np.sqrt(v, out=scratch)
        denominator += self.epsilon
        params += np.divide(update, denominator, out=update)
