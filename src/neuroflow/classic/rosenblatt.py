"""Rosenblatt's perceptron learning rule, one training instance at a time.

For each instance x with targets y, every output TLU j is corrected by

    w_ij <- w_ij + eta * (y_j - y_hat_j) * x_i        b_j <- b_j + eta * (y_j - y_hat_j)

where y_hat = step(x . W + b) is the current prediction. Connections that helped a
wrong prediction are weakened, those that would have helped are reinforced, and
nothing changes when the prediction is right.
"""

from __future__ import annotations

import numpy as np

from neuroflow import backend
from neuroflow.classic.step import StepFunction, get_step, heaviside, sign
from neuroflow.classic.tlu import TLU

__all__ = ["perceptron_update", "RosenblattPerceptron", "Perceptron"]

_TARGETS = {heaviside: (0, 1), sign: (-1, 0, 1)}


def perceptron_update(tlu: TLU, x, y, eta: float = 1.0) -> np.ndarray:
    """Apply Rosenblatt's rule to `tlu` in place for one instance; return the prediction.

    Args:
        tlu: a single TLU or a layer of TLUs (updated in place).
        x: one instance, shape `(n_inputs,)`.
        y: its target, a scalar for a single TLU or shape `(units,)` for a layer.
        eta: the learning rate (> 0). Default 1.

    Returns:
        The prediction `y_hat` made before the update.
    """
    if not isinstance(tlu, TLU):
        raise TypeError(f"perceptron_update: expected a TLU for `tlu`, received {tlu!r}")
    if not eta > 0:
        raise ValueError(f"perceptron_update: expected `eta` > 0, received {eta!r}")
    x = np.asarray(x, dtype=tlu.weights.dtype)
    if x.shape != (tlu.n_inputs,):
        raise ValueError(
            f"perceptron_update: expected one instance `x` of shape ({tlu.n_inputs},), "
            f"received shape {x.shape}"
        )
    y = np.asarray(y, dtype=tlu.weights.dtype)
    expected = () if tlu.units is None else (tlu.units,)
    if y.shape != expected:
        raise ValueError(
            f"perceptron_update: expected a target `y` of shape {expected}, received shape "
            f"{y.shape}"
        )
    y_hat = np.asarray(tlu(x), dtype=tlu.weights.dtype)
    error = eta * (y - y_hat)
    tlu.weights += np.multiply.outer(x, error).astype(tlu.weights.dtype, copy=False)
    tlu.bias += error.astype(tlu.weights.dtype, copy=False)
    return y_hat


class RosenblattPerceptron:
    """Rosenblatt's perceptron: a layer of TLUs trained with the perceptron rule.

    This is the plain NumPy perceptron of the chapter (`neuroflow.classic.Perceptron` is
    its earlier name); the scikit-learn estimator is `neuroflow.sklearn.Perceptron`.

    Args:
        eta: learning rate (> 0). Default 1.
        max_epochs: maximum number of passes over the training set. Default 100.
        step: 'heaviside' (default; targets in {0, 1}), 'sign' (targets in {-1, 1})
            or a callable.
        shuffle: visit the instances in a new random order at each epoch. Default True.
        random_state: seed (int) or `numpy.random.Generator` for the shuffling; None uses
            neuroflow's global generator.

    Training starts from zero weights and stops after the first epoch without a
    mistake (the perceptron convergence theorem guarantees one when the classes are
    linearly separable) or after `max_epochs`.

    Attributes (after `fit`):
        tlu_: the trained `TLU`; a layer of TLUs when `y` is 2-D.
        errors_: number of misclassified instances in each epoch.
        n_epochs_: number of epochs run.
        converged_: whether the last epoch made no mistake.
    """

    def __init__(
        self,
        eta: float = 1.0,
        max_epochs: int = 100,
        step: str | StepFunction = "heaviside",
        shuffle: bool = True,
        random_state: int | np.random.Generator | None = None,
    ) -> None:
        self.eta = eta
        self.max_epochs = max_epochs
        self.step = step
        self.shuffle = shuffle
        self.random_state = random_state

    def _check_data(self, X, y, step: StepFunction) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X)
        y = np.asarray(y)
        if X.dtype.kind not in "biuf" or X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise ValueError(
                "RosenblattPerceptron.fit: expected numeric `X` of shape (n_samples, "
                "n_features) with at least one sample and one feature, received shape "
                f"{X.shape} and dtype {X.dtype}"
            )
        if y.ndim not in (1, 2) or y.shape[0] != X.shape[0]:
            raise ValueError(
                f"RosenblattPerceptron.fit: expected `y` of shape ({X.shape[0]},) or "
                f"({X.shape[0]}, n_outputs) to match `X`, received shape {y.shape}"
            )
        X = X.astype(backend.floatx())
        if not np.isfinite(X).all():
            raise ValueError("RosenblattPerceptron.fit: `X` contains NaN or infinity")
        allowed = _TARGETS.get(step)
        if allowed is not None and not np.isin(y, allowed).all():
            raise ValueError(
                f"RosenblattPerceptron.fit: expected targets in {set(allowed)} for this step "
                f"function, received values {np.unique(y).tolist()[:10]}"
            )
        return X, y.astype(backend.floatx())

    def fit(self, X, y) -> RosenblattPerceptron:
        """Train on `X` (n_samples, n_features) and targets `y` (n_samples,) or
        (n_samples, n_outputs), one instance at a time."""
        if not self.eta > 0:
            raise ValueError(f"RosenblattPerceptron: expected `eta` > 0, received {self.eta!r}")
        if isinstance(self.max_epochs, bool) or not isinstance(self.max_epochs, int | np.integer) \
                or self.max_epochs < 1:
            raise ValueError(
                "RosenblattPerceptron: expected an integer `max_epochs` >= 1, received "
                f"{self.max_epochs!r}"
            )
        step = get_step(self.step)
        X, y = self._check_data(X, y, step)
        shape = (X.shape[1],) if y.ndim == 1 else (X.shape[1], y.shape[1])
        self.tlu_ = TLU(np.zeros(shape), np.zeros(shape[1:]), step=step)
        rng = backend.make_rng(self.random_state)
        self.errors_ = []
        for _ in range(self.max_epochs):
            order = rng.permutation(len(X)) if self.shuffle else np.arange(len(X))
            mistakes = 0
            for index in order:
                y_hat = perceptron_update(self.tlu_, X[index], y[index], self.eta)
                mistakes += int(np.any(y_hat != y[index]))
            self.errors_.append(mistakes)
            if mistakes == 0:
                break
        self.n_epochs_ = len(self.errors_)
        self.converged_ = self.errors_[-1] == 0
        return self

    def predict(self, X) -> np.ndarray:
        """Outputs of the trained TLU(s) for a batch `X`."""
        if not hasattr(self, "tlu_"):
            raise RuntimeError("RosenblattPerceptron: call `fit` before `predict`")
        return self.tlu_(X)

    def __repr__(self) -> str:
        return (
            f"RosenblattPerceptron(eta={self.eta!r}, max_epochs={self.max_epochs!r}, "
            f"step={self.step!r}, shuffle={self.shuffle!r}, random_state={self.random_state!r})"
        )


Perceptron = RosenblattPerceptron  # the name it was first published under
