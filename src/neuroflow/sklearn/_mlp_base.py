"""What MLPClassifier and MLPRegressor share: parameters, the training loops, prediction.

The loops are scikit-learn's (same random draws, batches, learning-rate schedules,
stopping rules, early stopping and L-BFGS call), over the kernels of `_mlp_network` and
`_mlp_optimizers`, so that a fit gives scikit-learn's numbers. Training follows
scikit-learn's dtype rule: float32 input trains float32 weights, anything else float64.
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

from neuroflow.backend.blas_threads import WIDE_WEIGHTS, ThreadChooser
from neuroflow.sklearn._mlp_lbfgs import minimize_lbfgs
from neuroflow.sklearn._mlp_network import (
    Backprop,
    ForwardScratch,
    ParameterLayout,
    forward_pass,
    init_parameters,
    take_rows,
)
from neuroflow.sklearn._mlp_optimizers import SGD, Adam
from neuroflow.sklearn._validation import Interval, Options, check_params, validate_data

__all__ = ["BaseMLP"]

_STOCHASTIC_SOLVERS = ("sgd", "adam")
_EPOCH_GATHER_BYTES = 16 * 2**20  # the largest epoch copy of (X, y) a fit keeps
_FLOAT_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))
# products (rows x weights) from which BLAS threads may pay: a batch of 200 rows (the
# MLPs' default) through the weights from which Model.fit tries threads
_SHARED_PRODUCT = 200 * WIDE_WEIGHTS


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
        "solver": [Options({"lbfgs", "sgd", "adam"})],
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
        "max_fun": [Interval(Integral, 1, None, closed="left")],
    }

    _loss = "squared_error"  # overridden by the subclasses

    # ------------------------------------------------------------------ checks

    def _check_params(self) -> None:
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

    def _check_solver(self) -> bool:
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                f"partial_fit is only available for stochastic optimizers. {self.solver} is "
                "not stochastic."
            )
        return True

    def _hidden_sizes(self) -> list[int]:
        return [int(s) for s in np.atleast_1d(self.hidden_layer_sizes)]

    # ---------------------------------------------------------------- training

    def _fit(self, X, y, incremental: bool):
        self._check_params()
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, y = self._validate_input(X, y, incremental, reset=first_pass)
        if y.ndim == 1:
            y = y.reshape(-1, 1)
        layer_units = [X.shape[1], *self._hidden_sizes(), y.shape[1]]
        self._random_state = check_random_state(self.random_state)
        if first_pass:
            self._initialize(y, layer_units, X.dtype)
        else:
            fitted = [self.coefs_[0].shape[0]] + [c.shape[1] for c in self.coefs_]
            if fitted != layer_units:
                raise ValueError(
                    f"The fitted network has layer sizes {fitted} but the data and "
                    f"hidden_layer_sizes need {layer_units}: set warm_start=False to refit."
                )
        layout = ParameterLayout(layer_units)
        threads = ThreadChooser(trial_steps=2, trial=self._shared_products(X.shape[0]))
        try:
            if self.solver in _STOCHASTIC_SOLVERS:
                self._fit_stochastic(X, y, layout, incremental, threads)
            else:
                self._fit_lbfgs(X, y, layout, threads)
        finally:
            threads.close()
        if getattr(self, "_forward_scratch", None) is None:
            self._forward_scratch = ForwardScratch()
        if not all(np.isfinite(w).all() for w in (*self.coefs_, *self.intercepts_)):
            raise ValueError(
                "Solver produced non-finite parameter weights. The input data may contain "
                "large values and need to be preprocessed."
            )
        return self

    def _shared_products(self, n_samples: int) -> bool:
        """Whether a step's widest product (rows x weights) is large enough for BLAS
        threads to pay; smaller ones run on one thread, which is never slower and, on
        a busy machine, much faster."""
        rows = n_samples
        if self.solver in _STOCHASTIC_SOLVERS:
            rows = min(n_samples, 200 if self.batch_size == "auto" else self.batch_size)
        return rows * max(c.size for c in self.coefs_) >= _SHARED_PRODUCT

    def _initialize(self, y, layer_units: list[int], dtype) -> None:
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation()
        self.coefs_, self.intercepts_ = init_parameters(
            layer_units, self.activation, self._random_state, dtype)
        self._best_coefs = [c.copy() for c in self.coefs_]
        self._best_intercepts = [b.copy() for b in self.intercepts_]
        if self.solver in _STOCHASTIC_SOLVERS:
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

    def _flat_parameters(self, layout: ParameterLayout) -> np.ndarray:
        """The flat vector that `coefs_` and `intercepts_` are views of, made (and the
        attributes pointed at it) if they are not, e.g. after unpickling or assignment."""
        flat = getattr(self, "_flat", None)
        views = getattr(self, "_flat_views", ())
        current = [*self.coefs_, *self.intercepts_]
        if flat is None or len(views) != len(current) or any(
            a is not b for a, b in zip(views, current, strict=True)
        ):
            flat = layout.pack(self.coefs_, self.intercepts_)
            self._set_flat(flat, layout)
        return flat

    def _set_flat(self, flat: np.ndarray, layout: ParameterLayout) -> None:
        self._flat = flat
        self.coefs_, self.intercepts_ = layout.views(flat)
        self._flat_views = (*self.coefs_, *self.intercepts_)

    def _loss_name(self) -> str:
        if self._loss == "log_loss" and self.out_activation_ == "logistic":
            return "binary_log_loss"
        return self._loss

    def _backprop(self, layout, X, y, batch_size: int, param_dtype) -> Backprop:
        return Backprop(layout, self.activation, self.out_activation_, self._loss_name(),
                        float(self.alpha), batch_size, X.dtype, param_dtype, y.dtype,
                        y.shape[1])

    def _make_optimizer(self, size: int, dtype):
        if self.solver == "sgd":
            return SGD(size, dtype, self.learning_rate_init, self.learning_rate,
                       self.momentum, self.nesterovs_momentum, self.power_t)
        return Adam(size, dtype, self.learning_rate_init, self.beta_1, self.beta_2,
                    self.epsilon)

    def _fit_lbfgs(self, X, y, layout: ParameterLayout, threads: ThreadChooser) -> None:
        packed = self._flat_parameters(layout)
        x, self.n_iter_, self.loss_ = minimize_lbfgs(
            lambda dtype: self._backprop(layout, X, y, X.shape[0], dtype), packed, X, y,
            max_iter=self.max_iter, max_fun=self.max_fun, tol=self.tol, threads=threads)
        self._set_flat(x, layout)

    def _fit_stochastic(self, X, y, layout: ParameterLayout, incremental: bool,
                        threads: ThreadChooser) -> None:
        flat = self._flat_parameters(layout)
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        early_stopping = self.early_stopping
        X_val = y_val = None
        if early_stopping:
            stratify = y if is_classifier(self) and self.n_outputs_ == 1 else None
            X, X_val, y, y_val = train_test_split(
                X, y, random_state=self._random_state, test_size=self.validation_fraction,
                stratify=stratify,
            )
            if X_val.shape[0] < 2:
                raise ValueError(
                    "The validation set is too small. Increase 'validation_fraction' or the "
                    "size of your dataset."
                )
            y_val = self._validation_targets(y_val)
        n_samples = X.shape[0]
        batch_size = self._batch_size(n_samples)
        backprop = self._backprop(layout, X, y, int(batch_size), flat.dtype)
        if not incremental or getattr(self, "_optimizer", None) is None:
            self._optimizer = self._make_optimizer(layout.size, backprop.grad_dtype)
        optimizer = self._optimizer
        sample_idx = np.arange(n_samples, dtype=int)
        batches = list(gen_batches(n_samples, batch_size))
        sizes = [batch.stop - batch.start for batch in batches]
        # the shuffled rows of a whole epoch gathered at once (when that copy is small),
        # so that each batch is a view; otherwise each batch gathered on its own
        epoch = (np.empty(X.shape, X.dtype), np.empty(y.shape, y.dtype)) \
            if self.shuffle and X.nbytes + y.nbytes <= _EPOCH_GATHER_BYTES else None
        # the optimizer finishes the gradient chunk by chunk as it updates
        step, update, grad = backprop, optimizer.update_params, backprop.grad
        finish = backprop.finish_gradient
        trying = False  # the thread trials start after the first (cold) step
        try:
            self.n_iter_ = 0
            for epoch_index in range(self.max_iter):
                if epoch_index and not threads.trying:
                    threads.restart()  # the load may have changed: choose again
                X_rows, y_rows = X, y
                if self.shuffle:
                    sample_idx = shuffle(sample_idx, random_state=self._random_state)
                    if epoch is not None:
                        X_rows = take_rows(X, sample_idx, epoch[0])
                        y_rows = take_rows(y, sample_idx, epoch[1])
                gather = self.shuffle and epoch is None
                accumulated_loss = 0.0
                for batch, size in zip(batches, sizes, strict=True):
                    if gather:
                        X_batch, y_batch = backprop.batch(X, y, sample_idx[batch])
                    else:
                        X_batch, y_batch = X_rows[batch], y_rows[batch]
                    if trying:
                        threads.start()
                    batch_loss = step(flat, X_batch, y_batch, finish=False)
                    update(flat, grad, finish)
                    if trying:
                        threads.stop()
                    trying = threads.trying
                    accumulated_loss += batch_loss * size
                self.n_iter_ += 1
                self.loss_ = accumulated_loss / n_samples
                self.t_ += n_samples
                self.loss_curve_.append(self.loss_)
                if self.verbose:
                    print(f"Iteration {self.n_iter_}, loss = {self.loss_:.8f}")
                self._update_no_improvement_count(early_stopping, X_val, y_val)
                optimizer.iteration_ends(self.t_)
                if self._no_improvement_count > self.n_iter_no_change:
                    what = "Validation score" if early_stopping else "Training loss"
                    message = (
                        f"{what} did not improve more than tol={self.tol:f} for "
                        f"{self.n_iter_no_change} consecutive epochs."
                    )
                    if optimizer.trigger_stopping(message, self.verbose):
                        break
                    self._no_improvement_count = 0
                if incremental:
                    break
                if self.n_iter_ == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                        "and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=4,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=4)
        if early_stopping:
            # the best weights become the weights; like scikit-learn, the record of the
            # best then is the weights themselves (a later warm start trains it along)
            for target, best in zip([*self.coefs_, *self.intercepts_],
                                    [*self._best_coefs, *self._best_intercepts], strict=True):
                target[...] = best
            self._best_coefs, self._best_intercepts = self.coefs_, self.intercepts_

    def _batch_size(self, n_samples: int):
        if self.batch_size == "auto":
            return min(200, n_samples)
        if self.batch_size > n_samples:
            warnings.warn(
                "Got `batch_size` less than 1 or larger than sample size. It is going to be "
                "clipped",
                stacklevel=5,
            )
        return np.clip(self.batch_size, 1, n_samples)

    def _update_no_improvement_count(self, early_stopping: bool, X_val, y_val) -> None:
        if early_stopping:
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
            if self.loss_curve_[-1] < self.best_loss_:
                self.best_loss_ = self.loss_curve_[-1]

    def _score(self, X, y) -> float:
        y_pred = self._predict(X)
        if np.issubdtype(y_pred.dtype, np.floating) and not np.isfinite(y_pred).all():
            return np.nan
        return self._score_function(y, y_pred)

    # -------------------------------------------------------------- prediction

    def _forward(self, X) -> np.ndarray:
        """The network's outputs for validated `X`, shape (n_samples, n_outputs)."""
        return forward_pass(X, self.coefs_, self.intercepts_, self.activation,
                            self.out_activation_, getattr(self, "_forward_scratch", None))

    def _check_fitted_input(self, X):
        """`X` validated for prediction. A float ndarray of the fitted width, all finite,
        for an estimator fitted without feature names, needs none of the conversions,
        so it is returned as it is after those checks; anything else goes through
        scikit-learn's validation (and its errors and warnings)."""
        if (type(X) is np.ndarray and X.ndim == 2 and X.dtype in _FLOAT_DTYPES
                and X.shape[0] > 0 and X.shape[1] == getattr(self, "n_features_in_", None)
                and not hasattr(self, "feature_names_in_") and hasattr(self, "coefs_")
                and np.isfinite(np.add.reduce(X, axis=None))):
            return X
        check_is_fitted(self)
        return validate_data(self, X, dtype=(np.float64, np.float32), reset=False)

    def __getstate__(self) -> dict:
        """Pickle without the flat buffer (`coefs_` are pickled as arrays of their own, and
        training packs them into a new one)."""
        state = dict(super().__getstate__())
        for name in ("_flat", "_flat_views"):
            state.pop(name, None)
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        return tags
