"""What MLPClassifier and MLPRegressor share: parameters, the stochastic training loop.

The loop is scikit-learn's (same random draws, batches, learning-rate schedules,
stopping rule and early stopping), each step a neuroflow forward pass, tape gradient
and optimizer update on the network of `_mlp_network`.
"""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state, gen_batches, shuffle
from sklearn.utils.validation import check_is_fitted

from neuroflow.optimizers import SGD, Adam
from neuroflow.sklearn._mlp_network import (
    DTYPE,
    build_network,
    forward,
    init_parameters,
    train_step,
)
from neuroflow.sklearn._validation import Interval, Options, check_params

__all__ = ["BaseMLP"]


class _Sizes:
    """A sequence of layer sizes (a list, tuple or 1-d array)."""

    def accepts(self, value) -> bool:
        return isinstance(value, list | tuple | np.ndarray)

    def __str__(self) -> str:
        return "an array-like"


class _Infinity:
    """The float infinity."""

    def accepts(self, value) -> bool:
        return isinstance(value, Real) and value == np.inf

    def __str__(self) -> str:
        return "inf"


class BaseMLP(BaseEstimator):
    """Parameters, training and prediction common to the MLP estimators."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [_Sizes(), Interval(Integral, 1, None, closed="left")],
        "activation": [Options({"identity", "logistic", "tanh", "relu"})],
        "solver": [Options({"sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [Options({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Options({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left"), _Infinity()],
    }

    _loss = "squared_error"  # overridden by the subclasses

    # ------------------------------------------------------------------ checks

    def _check_params(self) -> None:
        if self.solver == "lbfgs":
            raise ValueError(
                f"The 'solver' parameter of {type(self).__name__} must be 'adam' or 'sgd': "
                "neuroflow does not implement the 'lbfgs' solver. Got 'lbfgs' instead."
            )
        check_params(self)
        sizes = np.atleast_1d(self.hidden_layer_sizes)
        if sizes.ndim != 1 or not all(
            isinstance(s, Integral) and not isinstance(s, bool) for s in sizes.tolist()
        ):
            raise ValueError(
                f"hidden_layer_sizes must be an int or a 1-d sequence of ints, got "
                f"{self.hidden_layer_sizes!r}."
            )
        if np.any(sizes <= 0):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {list(sizes)}.")

    def _hidden_sizes(self) -> list[int]:
        return [int(s) for s in np.atleast_1d(self.hidden_layer_sizes)]

    # ---------------------------------------------------------------- training

    def _fit(self, X, y, incremental: bool):
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        layer_units = [X.shape[1], *self._hidden_sizes(), y.shape[1]]
        rng = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, rng)
        else:
            fitted = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
            if fitted != layer_units:
                raise ValueError(
                    f"The fitted network has layer sizes {fitted} but the data and "
                    f"hidden_layer_sizes need {layer_units}: set warm_start=False to refit."
                )
        self._fit_stochastic(X, y, rng, incremental)
        if not all(np.isfinite(w).all() for w in (*self.coefs_, *self.intercepts_)):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        return self

    def _initialize(self, y, layer_units: list[int], rng) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        coefs, intercepts = init_parameters(layer_units, self.activation, rng)
        self._set_network(build_network(coefs, intercepts, self.activation,
                                        self.out_activation_))
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.best_validation_score_ = None

    def _set_network(self, network) -> None:
        """Use `network`; `coefs_` and `intercepts_` become its weight arrays."""
        self._network = network
        self.coefs_ = [layer.kernel.data for layer in network.layers]
        self.intercepts_ = [layer.bias.data for layer in network.layers]

    def _get_network(self):
        """The network, rebuilt from `coefs_` and `intercepts_` if they are not its own."""
        network = getattr(self, "_network", None)
        if (
            network is None
            or len(network.layers) != len(self.coefs_)
            or any(
                layer.kernel.data is not coef or layer.bias.data is not intercept
                for layer, coef, intercept in zip(
                    network.layers, self.coefs_, self.intercepts_, strict=True
                )
            )
        ):
            self._set_network(build_network(self.coefs_, self.intercepts_, self.activation,
                                            self.out_activation_))
            self.__dict__.pop("_optimizer", None)
        return self._network

    def _make_optimizer(self):
        self._learning_rate_now = float(self.learning_rate_init)
        if self.solver == "sgd":
            return SGD(learning_rate=self._learning_rate_now, momentum=float(self.momentum),
                       nesterov=bool(self.nesterovs_momentum) and self.momentum > 0)
        return Adam(learning_rate=self._learning_rate_now, beta_1=float(self.beta_1),
                    beta_2=float(self.beta_2), epsilon=float(self.epsilon))

    def _loss_name(self) -> str:
        if self._loss == "log_loss" and self.out_activation_ == "logistic":
            return "binary_log_loss"
        return self._loss

    def _fit_stochastic(self, X, y, rng, incremental: bool) -> None:
        network = self._get_network()
        variables = network.trainable_weights
        if not incremental or not hasattr(self, "_optimizer"):
            self._optimizer = self._make_optimizer()
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        X_val = y_val = None
        if self.early_stopping:
            stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
            X, X_val, y, y_val = train_test_split(
                X, y, random_state=rng, test_size=self.validation_fraction, stratify=stratify
            )
            if X_val.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' or the "
                    "size of your dataset."
                )
            y_val = self._validation_targets(y_val)
        X_train = np.ascontiguousarray(X, dtype=DTYPE)
        y_train = np.ascontiguousarray(y, dtype=DTYPE)
        n_samples = X_train.shape[0]
        batch_size = self._batch_size(n_samples)
        loss, alpha = self._loss_name(), float(self.alpha)
        sample_idx = np.arange(n_samples)
        self.n_iter_ = 0
        for _ in range(self.max_iter):
            if self.shuffle:
                sample_idx = shuffle(sample_idx, random_state=rng)
            accumulated = 0.0
            for batch in gen_batches(n_samples, batch_size):
                rows = sample_idx[batch] if self.shuffle else batch
                accumulated += train_step(
                    network, variables, self._optimizer, loss, alpha, X_train[rows],
                    y_train[rows],
                ) * (batch.stop - batch.start)
            self.n_iter_ += 1
            self.loss_ = accumulated / n_samples
            self.t_ += n_samples
            self.loss_curve_.append(self.loss_)
            if self.verbose:
                print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
            self._update_no_improvement_count(X_val, y_val)
            self._iteration_ends()
            if self._no_improvement_count > self.n_iter_no_change:
                what = "Validation score" if self.early_stopping else "Training loss"
                message = (
                    f"{what} did not improve more than tol={self.tol:f} for "
                    f"{self.n_iter_no_change} consecutive epochs."
                )
                if self._trigger_stopping(message):
                    break
                self._no_improvement_count = 0
            if incremental:
                break
            if self.n_iter_ == self.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached and "
                    "the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=3,
                )
        if self.early_stopping:
            for layer, coef, intercept in zip(network.layers, self._best_coefs,
                                              self._best_intercepts, strict=True):
                layer.kernel.assign(coef)
                layer.bias.assign(intercept)

    def _batch_size(self, n_samples: int) -> int:
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be "
                "clipped",
                stacklevel=4,
            )
        return int(np.clip(self.batch_size, 1, n_samples))

    def _update_no_improvement_count(self, X_val, y_val) -> None:
        if self.early_stopping:
            score = self._score(X_val, y_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            if score < self.best_validation_score_ + self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_coefs = [c.copy() for c in self.coefs_]
                self._best_intercepts = [b.copy() for b in self.intercepts_]
        else:
            if self.loss_curve_[-1] > self.best_loss_ - self.tol:
                self._no_improvement_count += 1
            else:
                self._no_improvement_count = 0
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])

    def _iteration_ends(self) -> None:
        if self.solver == "sgd" and self.learning_rate == "invscaling":
            self._learning_rate_now = float(self.learning_rate_init) / (
                (self.t_ + 1) ** self.power_t
            )
            self._optimizer.learning_rate = self._learning_rate_now

    def _trigger_stopping(self, message: str) -> bool:
        """Whether to stop; with sgd and learning_rate='adaptive', divide the rate by 5 first."""
        if self.solver != "sgd" or self.learning_rate != "adaptive":
            if self.verbose:
                print(message + " Stopping.")
            return True
        if self._learning_rate_now <= 1e-6:
            if self.verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self._learning_rate_now /= 5.0
        self._optimizer.learning_rate = self._learning_rate_now
        if self.verbose:
            print(message + f" Setting learning rate to {self._learning_rate_now:f}")
        return False

    def _score(self, X, y) -> float:
        y_pred = self._predict(X)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._score_function(y, y_pred)

    # -------------------------------------------------------------- prediction

    def _forward(self, X) -> np.ndarray:
        """The network's outputs for validated `X`, shape (n_samples, n_outputs), float64."""
        return forward(self._get_network(), X)

    def _check_fitted_input(self, X):
        from neuroflow.sklearn._validation import validate_data

        check_is_fitted(self)
        return validate_data(self, X, dtype=(np.float64, np.float32), reset=False)

    def __getstate__(self) -> dict:
        """Pickle the arrays only; the network is rebuilt from `coefs_` when needed."""
        state = dict(super().__getstate__())
        state.pop("_network", None)
        state.pop("_optimizer", None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
