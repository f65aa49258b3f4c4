"""scikit-learn's Perceptron, reimplemented on neuroflow's own perceptron-rule solver."""

from __future__ import annotations

import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score
from sklearn.model_selection import StratifiedShuffleSplit
from sklearn.utils import check_random_state
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import check_classification_targets, unique_labels
from sklearn.utils.validation import check_is_fitted

from neuroflow.sklearn._perceptron_sgd import SGDSettings, train_binary
from neuroflow.sklearn._validation import Interval, Options, check_params, validate_data

__all__ = ["Perceptron"]

_MAX_INT = np.iinfo(np.int32).max


class Perceptron(ClassifierMixin, BaseEstimator):
    """Linear perceptron classifier trained with Rosenblatt's rule, one instance at a time.

    A drop-in replacement for `sklearn.linear_model.Perceptron`: the same parameters,
    the same training procedure (per-epoch shuffling seeded by `random_state`, the same
    stopping rule, one-vs-rest for more than two classes) and, for the same settings,
    the same predictions. For each training instance x with label y in {-1, +1} that
    is misclassified (y * (x . w + b) <= 0), the weights move by `eta0 * y * x` and the
    intercept by `eta0 * y`.

    Parameters:
        penalty: regularization: None (default), 'l2', 'l1' or 'elasticnet'.
        alpha: strength of the penalty (>= 0). Default 0.0001.
        l1_ratio: elastic-net mixing, 0 (L2) to 1 (L1); only with 'elasticnet'. Default 0.15.
        fit_intercept: learn the intercept; if False it stays 0. Default True.
        max_iter: maximum number of epochs of `fit` (>= 1). Default 1000.
        tol: stop when the mean training loss (or the validation accuracy, with
            early stopping) fails to improve on the best one by `tol` for
            `n_iter_no_change` epochs in a row; None never stops early. Default 1e-3.
        shuffle: shuffle the training data at each epoch. Default True.
        verbose: print progress every epoch when > 0. Default 0.
        eta0: learning rate, the constant multiplying the updates (> 0). Default 1.
        n_jobs: number of threads fitting the one-vs-rest problems; None means 1.
        random_state: int, `numpy.random.RandomState` or None; seeds the shuffling and
            the validation split. Default 0.
        early_stopping: hold out a stratified `validation_fraction` of the training
            data and stop when its accuracy stops improving. Default False.
        validation_fraction: fraction held out for early stopping, in (0, 1). Default 0.1.
        n_iter_no_change: number of epochs without improvement before stopping. Default 5.
        class_weight: None, 'balanced' or a dict {class label: weight} scaling the
            updates made on instances of each class. Default None.
        warm_start: start `fit` from the previous solution. Default False.

    Attributes:
        classes_: the class labels.
        coef_: weights, shape (1, n_features) for two classes, else (n_classes, n_features).
        intercept_: intercepts, shape (1,) or (n_classes,).
        n_iter_: number of epochs run (the largest over one-vs-rest problems).
        t_: number of weight updates performed, plus one: `n_iter_ * n_samples + 1`.
        n_features_in_: number of features seen in `fit`.
        feature_names_in_: feature names, when `X` was a DataFrame with string column names.

    Unlike scikit-learn's, `fit` and `partial_fit` take no `sample_weight`: for an
    online perceptron an integer weight is not equivalent to repeating the instance,
    which scikit-learn's estimator checks require; weight whole classes with
    `class_weight` instead. Sparse input is not supported.
    """

    _parameter_constraints: dict = {
        "penalty": [Options({"l2", "l1", "elasticnet"}), None],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "l1_ratio": [Interval(Real, 0, 1, closed="both")],
        "fit_intercept": ["boolean"],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "shuffle": ["boolean"],
        "verbose": ["verbose"],
        "eta0": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "class_weight": [Options({"balanced"}), dict, None],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        *,
        penalty=None,
        alpha=0.0001,
        l1_ratio=0.15,
        fit_intercept=True,
        max_iter=1000,
        tol=1e-3,
        shuffle=True,
        verbose=0,
        eta0=1.0,
        n_jobs=None,
        random_state=0,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=5,
        class_weight=None,
        warm_start=False,
    ):
        self.penalty = penalty
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.tol = tol
        self.shuffle = shuffle
        self.verbose = verbose
        self.eta0 = eta0
        self.n_jobs = n_jobs
        self.random_state = random_state
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.class_weight = class_weight
        self.warm_start = warm_start

    # ------------------------------------------------------------------ training

    def fit(self, X, y, coef_init=None, intercept_init=None) -> Perceptron:
        """Fit the perceptron on `X` (n_samples, n_features) and class labels `y`.

        Args:
            X: training data.
            y: class labels, shape (n_samples,).
            coef_init: initial weights, shape (n_classes, n_features) (or (1, n_features)
                for two classes); default zeros, or the previous ones with `warm_start`.
            intercept_init: initial intercepts, shape (n_classes,) (or (1,)).

        Returns:
            self
        """
        check_params(self)
        self.__dict__.pop("classes_", None)
        if not self.warm_start:
            self.__dict__.pop("coef_", None)
            self.__dict__.pop("intercept_", None)
        X, y = validate_data(self, X, y, dtype=[np.float64, np.float32], order="C", reset=True)
        check_classification_targets(y)
        self.classes_ = unique_labels(y)
        if self.warm_start and getattr(self, "coef_", None) is not None:
            coef_init = self.coef_ if coef_init is None else coef_init
            intercept_init = self.intercept_ if intercept_init is None else intercept_init
        self.t_ = 1.0
        self._train(X, y, self.max_iter, coef_init, intercept_init)
        if self.tol is not None and self.n_iter_ == self.max_iter:
            warnings.warn(
                "Maximum number of iteration reached before convergence. Consider increasing "
                "max_iter to improve the fit.",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def partial_fit(self, X, y, classes=None) -> Perceptron:
        """Run one epoch of the perceptron rule on `X`, `y`, continuing from the current state.

        Args:
            X: a batch of training data.
            y: its class labels.
            classes: every class label, required on the first call (for example
                `np.unique(y_all)`); may be omitted afterwards.

        Returns:
            self
        """
        first_call = not hasattr(self, "classes_")
        check_params(self)
        if first_call:
            if self.early_stopping:
                raise ValueError("early_stopping should be False with partial_fit")
            if self.class_weight == "balanced":
                raise ValueError(
                    "class_weight 'balanced' is not supported for partial_fit: compute the "
                    "weights once with sklearn.utils.class_weight.compute_class_weight('balanced',"
                    " classes=classes, y=y) on a large enough sample of the targets and pass them "
                    "as a dict to `class_weight`."
                )
            if classes is None:
                raise ValueError("classes must be passed on the first call to partial_fit.")
        X, y = validate_data(
            self, X, y, dtype=[np.float64, np.float32], order="C", reset=first_call
        )
        check_classification_targets(y)
        if first_call:
            self.classes_ = unique_labels(classes)
            self.t_ = 1.0
        elif classes is not None and not np.array_equal(unique_labels(classes), self.classes_):
            raise ValueError(
                f"`classes={unique_labels(classes)!r}` is not the same as on the first call to "
                f"partial_fit, was: {self.classes_!r}"
            )
        unseen = np.setdiff1d(unique_labels(y), self.classes_)
        if unseen.size:
            raise ValueError(
                f"`y` has labels {unseen.tolist()} that are not in `classes` "
                f"{self.classes_.tolist()}"
            )
        if hasattr(self, "coef_"):
            X = X.astype(self.coef_.dtype, copy=False)
        self._train(X, y, 1, None, None)
        return self

    def _settings(self, max_iter: int) -> SGDSettings:
        return SGDSettings(
            penalty=self.penalty, alpha=float(self.alpha), l1_ratio=float(self.l1_ratio),
            eta0=float(self.eta0), fit_intercept=bool(self.fit_intercept), max_iter=int(max_iter),
            tol=None if self.tol is None else float(self.tol),
            n_iter_no_change=int(self.n_iter_no_change), shuffle=bool(self.shuffle),
            early_stopping=bool(self.early_stopping), verbose=int(self.verbose),
        )

    def _allocate(self, n_features: int, dtype, coef_init, intercept_init) -> None:
        """Set coef_ and intercept_ to zeros or to the given initial values."""
        n_classes = len(self.classes_)
        rows = 1 if n_classes == 2 else n_classes
        coef = np.zeros((rows, n_features), dtype=dtype)
        intercept = np.zeros(rows, dtype=dtype)
        if coef_init is not None:
            coef_init = np.asarray(coef_init, dtype=dtype)
            if coef_init.size != coef.size or (rows > 1 and coef_init.shape != coef.shape):
                raise ValueError(
                    f"Provided `coef_init` does not match the data: expected shape "
                    f"{coef.shape}, received {coef_init.shape}"
                )
            coef[:] = coef_init.reshape(coef.shape)
        if intercept_init is not None:
            intercept_init = np.asarray(intercept_init, dtype=dtype)
            if intercept_init.size != rows or (rows > 1 and intercept_init.shape != (rows,)):
                raise ValueError(
                    f"Provided `intercept_init` does not match the data: expected shape "
                    f"({rows},), received {intercept_init.shape}"
                )
            intercept[:] = intercept_init.reshape(rows)
        self.coef_, self.intercept_ = coef, intercept

    def _train(self, X, y, max_iter: int, coef_init, intercept_init) -> None:
        n_classes = len(self.classes_)
        if n_classes < 2:
            raise ValueError(
                f"The number of classes has to be greater than one; got {n_classes} class"
            )
        class_weight = compute_class_weight(self.class_weight, classes=self.classes_, y=y)
        if getattr(self, "coef_", None) is None or coef_init is not None:
            self._allocate(X.shape[1], X.dtype, coef_init, intercept_init)
        settings = self._settings(max_iter)
        if n_classes == 2:
            coef, intercept, n_iter = self._fit_one(
                X, y, 1, settings, class_weight[1], class_weight[0], None, self.random_state
            )
            self.coef_ = coef.reshape(1, -1)
            self.intercept_ = np.atleast_1d(intercept)
        else:
            # the validation split of early stopping is stratified on all the classes
            mask = self._validation_mask(y)
            seeds = check_random_state(self.random_state).randint(_MAX_INT, size=n_classes)
            results = Parallel(n_jobs=self.n_jobs, prefer="threads")(
                delayed(self._fit_one)(X, y, i, settings, class_weight[i], 1.0, mask, seed)
                for i, seed in enumerate(seeds)
            )
            for i, (coef, intercept, _) in enumerate(results):
                self.coef_[i], self.intercept_[i] = coef, intercept
            n_iter = max(result[2] for result in results)
        self.n_iter_ = n_iter
        self.t_ += n_iter * X.shape[0]

    def _fit_one(self, X, y, i, settings, weight_pos, weight_neg, mask, random_state):
        """Train class `classes_[i]` against the rest; returns (coef, intercept, n_iter)."""
        labels = np.where(y == self.classes_[i], 1.0, -1.0).astype(X.dtype)
        row = 0 if len(self.classes_) == 2 else i
        rng = check_random_state(random_state)
        rng.randint(1, _MAX_INT)  # scikit-learn draws a dataset seed it never uses
        if mask is None:
            mask = self._validation_mask(labels)
        seed = rng.randint(_MAX_INT)
        score = None
        if self.early_stopping:
            X_val, y_val = X[mask], labels[mask]

            def score(coef, intercept):
                # like scikit-learn, this sees the weight array without its L2 scale
                decision = (X_val @ coef.reshape(1, -1).T + np.atleast_1d(intercept)).ravel()
                return accuracy_score(y_val, np.where(decision > 0, 1.0, -1.0).astype(X.dtype))

        return train_binary(
            self.coef_[row].copy(), float(self.intercept_[row]), X, labels, settings, seed,
            weight_pos=float(weight_pos), weight_neg=float(weight_neg),
            validation_mask=mask, validation_score=score,
        )

    def _validation_mask(self, y) -> np.ndarray:
        """Rows held out for early stopping: a stratified split seeded by random_state."""
        mask = np.zeros(len(y), dtype=bool)
        if not self.early_stopping:
            return mask
        split = StratifiedShuffleSplit(
            test_size=self.validation_fraction, random_state=self.random_state
        )
        train, validation = next(split.split(np.zeros((len(y), 1)), y))
        if len(train) == 0 or len(validation) == 0:
            raise ValueError(
                f"Splitting {len(y)} samples into a train set and a validation set with "
                f"validation_fraction={self.validation_fraction!r} led to an empty set "
                f"({len(train)} and {len(validation)} samples). Please either change "
                "validation_fraction, increase number of samples, or disable early_stopping."
            )
        mask[validation] = True
        return mask

    # ---------------------------------------------------------------- prediction

    def decision_function(self, X) -> np.ndarray:
        """Signed distance to the hyperplane(s): `X @ coef_.T + intercept_`.

        Shape (n_samples,) for two classes (positive means `classes_[1]`), else
        (n_samples, n_classes).
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        return scores.ravel() if scores.shape[1] == 1 else scores

    def predict(self, X) -> np.ndarray:
        """Predicted class label of each row of `X`."""
        scores = self.decision_function(X)
        indices = (scores > 0).astype(int) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[indices]
