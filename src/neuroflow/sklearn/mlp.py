"""scikit-learn's MLPClassifier and MLPRegressor: its numbers, computed faster.

Same random_state and input dtype, same `coefs_`, `loss_curve_`, `n_iter_` and
predictions as scikit-learn (its op order, see `_mlp_network`), in less time.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import accuracy_score, r2_score
from sklearn.preprocessing import LabelBinarizer
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import _check_partial_fit_first_call, type_of_target, unique_labels
from sklearn.utils.validation import column_or_1d

from neuroflow.sklearn._mlp_base import BaseMLP
from neuroflow.sklearn._validation import Options, validate_data

__all__ = ["MLPClassifier", "MLPRegressor"]

_PARAMETERS_DOC = """
    Parameters (scikit-learn's names and defaults):
        hidden_layer_sizes: units of each hidden layer, an int or a sequence. Default (100,).
        activation: hidden activation, 'identity', 'logistic', 'tanh' or 'relu' (default).
        solver: 'adam' (default), 'sgd' or 'lbfgs' (scipy's L-BFGS-B on the whole
            training set; no minibatches, no loss_curve_).
        alpha: L2 penalty strength; the loss gains 0.5 * alpha * sum ||W||^2 / n_samples
            (weights only, per batch). Default 0.0001.
        batch_size: minibatch size, or 'auto' (default) for min(200, n_samples).
        learning_rate: sgd schedule: 'constant' (default), 'invscaling'
            (learning_rate_init / (t + 1) ** power_t, t the samples seen) or 'adaptive'
            (divided by 5 each time the loss stops improving; stops below 1e-6).
        learning_rate_init: initial step size (sgd and adam). Default 0.001.
        power_t: exponent of 'invscaling'. Default 0.5.
        max_iter: maximum number of epochs. Default 200.
        shuffle: shuffle the samples every epoch. Default True.
        random_state: seeds the weights, the shuffling and the early-stopping split.
        tol: an epoch improves when the loss drops (or the validation score rises) by at
            least tol. Default 1e-4.
        verbose: print the loss every epoch. Default False.
        warm_start: `fit` continues from the previous weights. Default False.
        momentum, nesterovs_momentum: sgd momentum (default 0.9) and Nesterov's (True).
        early_stopping: hold out validation_fraction (default 0.1) of the data and stop
            when its score stops improving; the best weights are kept. Default False.
        beta_1, beta_2, epsilon: Adam's (defaults 0.9, 0.999, 1e-8).
        n_iter_no_change: epochs without improvement before stopping. Default 10.
        max_fun: 'lbfgs' only: the most loss evaluations. Default 15000.

    Attributes:
        coefs_, intercepts_: weight matrices and bias vectors, one per layer, float32
            for float32 input and float64 otherwise (as scikit-learn; 'lbfgs' float64).
        loss_, loss_curve_: last and per-epoch training loss (penalty included).
        best_loss_, validation_scores_, best_validation_score_: as scikit-learn's.
        n_iter_: epochs run by the last fit; t_: samples seen in training.
        n_layers_, n_outputs_, out_activation_, n_features_in_, feature_names_in_.

    Reaching max_iter without converging warns with a ConvergenceWarning. No
    sample_weight and no sparse input. `partial_fit` exists for 'sgd' and 'adam' only.
"""


class MLPClassifier(ClassifierMixin, BaseMLP):
    """Multi-layer perceptron classifier minimizing the log-loss, as scikit-learn computes it.

    Binary, multiclass (softmax output) and multilabel (indicator `y`, logistic
    outputs) classification.
    """

    __doc__ = (__doc__ or "") + _PARAMETERS_DOC + """
    Classifier attributes: classes_ (the labels, or output indices for multilabel).
    """

    _loss = "log_loss"

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    def fit(self, X, y) -> MLPClassifier:
        """Train on `X` (n_samples, n_features) and labels `y` (1-d, or a label indicator
        matrix for multilabel). Returns self."""
        return self._fit(X, y, incremental=False)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y, classes=None) -> MLPClassifier:
        """One epoch over `X`, `y`; `classes` (every label) is required on the first call."""
        if _check_partial_fit_first_call(self, classes):
            self._label_binarizer = LabelBinarizer()
            if type_of_target(y).startswith("multilabel"):
                self._label_binarizer.fit(y)
            else:
                self._label_binarizer.fit(classes)
        return self._fit(X, y, incremental=True)

    def _validate_input(self, X, y, incremental: bool, reset: bool):
        X, y = validate_data(self, X, y, multi_output=True, dtype=(np.float64, np.float32),
                             reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._label_binarizer = LabelBinarizer()
            self._label_binarizer.fit(y)
            self.classes_ = self._label_binarizer.classes_
        else:
            classes = unique_labels(y)
            if self.warm_start:
                if set(classes) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same classes as in the "
                        f"previous call to fit. Previously got {self.classes_}, `y` has "
                        f"{classes}"
                    )
            elif len(np.setdiff1d(classes, self.classes_, assume_unique=True)):
                raise ValueError(
                    f"`y` has classes not in `self.classes_`. `self.classes_` has "
                    f"{self.classes_}. 'y' has {classes}."
                )
        return X, self._label_binarizer.transform(y).astype(bool)

    def _output_activation(self) -> str:
        return "softmax" if self._label_binarizer.y_type_ == "multiclass" else "logistic"

    def _validation_targets(self, y_val):
        return self._label_binarizer.inverse_transform(y_val)

    def _score_function(self, y_true, y_pred) -> float:
        return accuracy_score(y_true, y_pred)

    def _predict(self, X):
        y_pred = self._forward(X)
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
        return self._label_binarizer.inverse_transform(y_pred)

    def predict(self, X) -> np.ndarray:
        """Predicted labels, shape (n_samples,) or (n_samples, n_classes) for multilabel."""
        return self._predict(self._check_fitted_input(X))

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in `classes_` order."""
        y_pred = self._forward(self._check_fitted_input(X))
        if self.n_outputs_ == 1:
            y_pred = y_pred.ravel()
            return np.vstack([1 - y_pred, y_pred]).T
        return y_pred

    def predict_log_proba(self, X) -> np.ndarray:
        """Logarithm of `predict_proba`."""
        y_prob = self.predict_proba(X)
        return np.log(y_prob, out=y_prob)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor, single or multi-output, as scikit-learn computes it.

    loss: 'squared_error' (default; half the mean squared error, identity output) or
    'poisson' (half the Poisson deviance, exponential output; y must be >= 0).
    """

    __doc__ = (__doc__ or "") + _PARAMETERS_DOC

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [Options({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        loss="squared_error",
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.loss = loss
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun

    @property
    def _loss(self) -> str:
        return self.loss

    def fit(self, X, y) -> MLPRegressor:
        """Train on `X` (n_samples, n_features) and targets `y` (1-d or 2-d). Returns self."""
        return self._fit(X, y, incremental=False)

    @available_if(lambda est: est._check_solver())
    def partial_fit(self, X, y) -> MLPRegressor:
        """One epoch over `X`, `y`, continuing from the current weights."""
        return self._fit(X, y, incremental=True)

    def _validate_input(self, X, y, incremental: bool, reset: bool):
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "Some value(s) of y are negative which is not allowed for Poisson regression."
            )
        return X, y

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _validation_targets(self, y_val):
        return y_val

    def _score_function(self, y_true, y_pred) -> float:
        return r2_score(y_true, y_pred)

    def _predict(self, X):
        y_pred = self._forward(X)
        return y_pred.ravel() if y_pred.shape[1] == 1 else y_pred

    def predict(self, X) -> np.ndarray:
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs)."""
        return self._predict(self._check_fitted_input(X))
