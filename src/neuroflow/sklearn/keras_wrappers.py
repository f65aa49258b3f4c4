"""KerasClassifier and KerasRegressor: scikit-learn estimators around a model-building
function, in the style of scikeras.

    def build(n_hidden=1, meta=None):
        model = neuroflow.Sequential([...])
        model.compile(loss="mse", optimizer="sgd")
        return model

    reg = KerasRegressor(model=build, epochs=20, model__n_hidden=2)
    reg.fit(X, y, validation_data=(X_val, y_val), callbacks=[...])
    reg.score(X, y)      # R^2 (accuracy for KerasClassifier)
    reg.model_           # the fitted neuroflow model

Parameters are routed by prefix: `model__<arg>` to the build function, `optimizer__<arg>`
and `loss__<arg>` to the optimizer and loss the wrapper compiles with (when the build
function returns an uncompiled model), `compile__<arg>` to `compile`, `fit__<arg>` and
`predict__<arg>` to the model's `fit` and `predict`. The build function's own keyword
arguments are parameters of the wrapper too (`get_params` lists them with their
defaults), so `RandomizedSearchCV(reg, {"n_hidden": [1, 2]})` works. A build function
argument named `meta` receives the fitted data attributes (`n_features_in_`,
`n_classes_`, `classes_`, `n_outputs_`, `target_type_`, ...), `compile_kwargs` the
compile arguments, and an argument named like one of them gets that value.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.utils.multiclass import check_classification_targets, type_of_target, unique_labels
from sklearn.utils.validation import check_is_fitted, column_or_1d

from neuroflow import optimizers as optimizers_module
from neuroflow.sklearn._keras_support import (
    META_NAMES,
    build_arguments,
    build_defaults,
    predict_float64,
    seeded,
)
from neuroflow.sklearn._validation import Interval, check_params, validate_data

__all__ = ["KerasClassifier", "KerasRegressor"]

_ROUTES = ("model", "fit", "predict", "compile", "optimizer", "loss", "metrics", "callbacks",
           "score")
_FIT_PARAMS = ("batch_size", "epochs", "verbose", "callbacks", "validation_split", "shuffle",
               "validation_batch_size")


def _routed_prefix(name: str) -> bool:
    return "__" in name and name.split("__", 1)[0] in _ROUTES


class BaseWrapper(BaseEstimator):
    """Shared machinery of the Keras wrappers (see the module docstring)."""

    _parameter_constraints: dict = {
        "warm_start": ["boolean"],
        "random_state": ["random_state"],
        "batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "validation_batch_size": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "validation_split": [Interval(Real, 0, 1, closed="left")],
        "shuffle": ["boolean"],
        "run_eagerly": ["boolean"],
        "epochs": [Interval(Integral, 0, None, closed="left")],
        "callbacks": [list, tuple, None],
    }

    def __init__(
        self,
        model=None,
        *,
        build_fn=None,
        warm_start=False,
        random_state=None,
        optimizer="rmsprop",
        loss=None,
        metrics=None,
        batch_size=None,
        validation_batch_size=None,
        verbose=1,
        callbacks=None,
        validation_split=0.0,
        shuffle=True,
        run_eagerly=False,
        epochs=1,
        **kwargs,
    ):
        self.model = model
        self.build_fn = build_fn
        self.warm_start = warm_start
        self.random_state = random_state
        self.optimizer = optimizer
        self.loss = loss
        self.metrics = metrics
        self.batch_size = batch_size
        self.validation_batch_size = validation_batch_size
        self.verbose = verbose
        self.callbacks = callbacks
        self.validation_split = validation_split
        self.shuffle = shuffle
        self.run_eagerly = run_eagerly
        self.epochs = epochs
        vars(self).update(kwargs)

    # ------------------------------------------------------------------ params

    def _build_function(self):
        return self.model if self.model is not None else self.build_fn

    def _extra_params(self) -> dict:
        """Parameters given as keyword arguments (routed or build-function ones)."""
        declared = set(self._get_param_names())
        return {
            key: value for key, value in vars(self).items()
            if key not in declared and not key.startswith("_") and not key.endswith("_")
        }

    def get_params(self, deep: bool = True) -> dict:
        """Declared parameters, the build function's keyword arguments (with their
        defaults unless set) and routed parameters such as `model__n_hidden`."""
        params = super().get_params(deep=deep)
        declared = set(params)
        params.update(build_defaults(self._build_function(), declared))
        params.update(self._extra_params())
        return params

    def set_params(self, **params) -> BaseWrapper:
        """Set parameters, routed (`model__n_hidden`) and build-function ones included."""
        accepted = set(build_defaults(self._build_function(), set())) | set(self._extra_params())
        plain = {}
        for key, value in params.items():
            if _routed_prefix(key) or key in accepted:
                setattr(self, key, value)
            else:
                plain[key] = value
        if plain:
            super().set_params(**plain)
        return self

    def _routed(self, prefix: str, params: dict | None = None) -> dict:
        params = self.get_params(deep=False) if params is None else params
        start = prefix + "__"
        return {key[len(start):]: value for key, value in params.items() if key.startswith(start)}

    # ------------------------------------------------------------------ model

    def _meta(self) -> dict:
        return {name: getattr(self, name) for name in META_NAMES if hasattr(self, name)}

    def _compile_kwargs(self, params: dict) -> dict:
        optimizer = self.optimizer
        optimizer_args = self._routed("optimizer", params)
        if isinstance(optimizer, str):
            optimizer = type(optimizers_module.get(optimizer))(**optimizer_args)
        elif inspect.isclass(optimizer):
            optimizer = optimizer(**optimizer_args)
        elif optimizer is not None:  # an instance: a fresh copy, never shared by clones
            optimizer = type(optimizer).from_config({**optimizer.get_config(), **optimizer_args})
        loss = self.loss
        if inspect.isclass(loss):
            loss = loss(**self._routed("loss", params))
        kwargs = {"optimizer": optimizer, "loss": loss, "metrics": self.metrics,
                  "run_eagerly": self.run_eagerly}
        kwargs.update(self._routed("compile", params))
        return kwargs

    def _build_keras_model(self):
        build_fn = self._build_function()
        if not callable(build_fn):
            raise TypeError(
                f"{type(self).__name__}: `model` must be a function that builds and returns a "
                f"neuroflow model (compiled, or compiled by the wrapper), got {build_fn!r}"
            )
        params = self.get_params(deep=False)
        compile_kwargs = self._compile_kwargs(params)
        arguments = build_arguments(build_fn, params, self._routed("model", params),
                                    self._meta(), compile_kwargs)
        model = build_fn(**arguments)
        if not hasattr(model, "fit") or not hasattr(model, "compile"):
            raise TypeError(
                f"{type(self).__name__}: the build function must return a neuroflow model, "
                f"got {type(model).__name__}"
            )
        if not getattr(model, "built", True):
            model.build((None, *self.X_shape_[1:]))
        if not model.compiled:
            if compile_kwargs["loss"] is None:
                compile_kwargs["loss"] = self._default_loss(model)
            model.compile(**compile_kwargs)
        return model

    # ------------------------------------------------------------------ fit

    def _fit_kwargs(self, kwargs: dict) -> dict:
        params = self.get_params(deep=False)
        fit_kwargs = {name: params[name] for name in _FIT_PARAMS}
        fit_kwargs["callbacks"] = list(fit_kwargs["callbacks"] or [])
        fit_kwargs.update(self._routed("fit", params))
        fit_kwargs.update(kwargs)
        return fit_kwargs

    def _seed(self):
        return self.random_state

    def _check_params(self) -> None:
        check_params(self)

    def fit(self, X, y, **kwargs) -> BaseWrapper:
        """Build (unless warm-starting) and train the model on `X`, `y`.

        Extra keyword arguments (`validation_data`, `callbacks`, `epochs`,
        `sample_weight`, ...) go to the model's `fit`, overriding the wrapper's
        parameters. `sample_weight` is not a named argument: one epoch of minibatch
        training on weighted samples is not equivalent to training on repeated ones,
        which scikit-learn's checks would require of it. Returns self.
        """
        with self._fit_context(X, y, kwargs) as (model, X, y, fit_kwargs):
            history = model.fit(X, y, **fit_kwargs)
        self._fitted(model, history)
        return self

    @contextlib.contextmanager
    def _fit_context(self, X, y, kwargs: dict) -> Iterator[tuple]:
        """Validate the data and build the model (unless warm-starting); yields (model,
        float32 X, encoded y, fit arguments) inside the estimator's seed, where `fit`
        (or a packed search training the model with others) draws its batch order."""
        self._check_params()
        warm = self.warm_start and hasattr(self, "model_")
        X, y = validate_data(self, X, y, dtype=(np.float32, np.float64), multi_output=True,
                             y_numeric=not isinstance(self, ClassifierMixin), reset=not warm)
        self.X_shape_ = X.shape
        self.X_dtype_ = X.dtype
        y = self._process_targets(y, reset=not warm)
        seed = self._seed()
        with seeded(None if seed is None else _int_seed(seed)):
            model = self.model_ if warm else self._build_keras_model()
            y = self._encode_for(model, y)
            yield model, np.asarray(X, dtype=np.float32), y, self._fit_kwargs(kwargs)

    def _fitted(self, model, history) -> None:
        """Keep the trained model and append its History to `history_`."""
        warm = self.warm_start and hasattr(self, "model_")
        self.model_ = model
        if not warm or not hasattr(self, "history_"):
            self.history_ = {}
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(values)

    def initialize(self, X, y=None) -> BaseWrapper:
        """Build the model for data like `X` (and `y`) without training it."""
        self.fit(X, y, epochs=0)
        return self

    # -------------------------------------------------------------- predict

    def _raw_predict(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=(np.float32, np.float64), reset=False)
        out = predict_float64(self.model_, X, **self._routed("predict"))
        return out.reshape(len(X), -1) if out.ndim == 1 else out

    # -------------------------------------------------------------- pickling

    def __getstate__(self) -> dict:
        """The fitted model travels as its weights; it is rebuilt when unpickled."""
        state = dict(super().__getstate__())
        model = state.pop("model_", None)
        if model is not None:
            state["_model_weights"] = [np.array(w) for w in model.get_weights()]
        return state

    def __setstate__(self, state: dict) -> None:
        weights = state.pop("_model_weights", None)
        super().__setstate__(state)
        if weights is not None:
            model = self._build_keras_model()
            model.set_weights(weights)
            self.model_ = model

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.non_deterministic = self._seed() is None
        return tags


def _int_seed(seed) -> int:
    if isinstance(seed, np.random.RandomState):
        return int(seed.randint(np.iinfo(np.int32).max))
    return int(seed)


def _loss_name(loss) -> str:
    if isinstance(loss, str):
        name = loss
    else:
        name = getattr(loss, "name", None) or getattr(loss, "__name__", type(loss).__name__)
    return str(name).lower().replace("_", "")


class KerasClassifier(ClassifierMixin, BaseWrapper):
    """scikit-learn classifier around a function building a neuroflow model.

    Binary and multiclass labels. The model's outputs are read as class probabilities:
    one sigmoid unit for two classes, or one unit per class. Targets reach the model
    as class indices (0 .. n_classes - 1), one-hot when it is compiled with a
    non-sparse categorical loss. An uncompiled model is compiled with the wrapper's
    `optimizer`, `loss` (default: binary_crossentropy for one output unit, else
    sparse_categorical_crossentropy) and `metrics`. `score` is the accuracy.
    """

    def _process_targets(self, y, reset: bool):
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if y.ndim != 1:
            raise ValueError(
                f"{type(self).__name__} supports binary and multiclass targets of shape "
                f"(n_samples,), got y of shape {y.shape}"
            )
        check_classification_targets(y)
        classes = unique_labels(y)
        if reset:
            if len(classes) < 2:
                raise ValueError(
                    f"Classifier can't train when only one class is present: got class "
                    f"{classes.tolist()}"
                )
            self.classes_ = classes
            self.n_classes_ = len(classes)
            self.target_type_ = type_of_target(y)
            self.n_outputs_ = 1
            self.y_dtype_ = y.dtype
        elif np.setdiff1d(classes, self.classes_).size:
            raise ValueError(
                f"`y` has classes not seen in the first fit: {np.setdiff1d(classes, self.classes_)}"
            )
        return np.searchsorted(self.classes_, y)

    def _default_loss(self, model) -> str:
        return "binary_crossentropy" if model.output_shape[-1] == 1 else (
            "sparse_categorical_crossentropy"
        )

    def _encode_for(self, model, codes: np.ndarray) -> np.ndarray:
        name = _loss_name(model.loss)
        if "categorical" in name and "sparse" not in name:
            return np.eye(self.n_classes_, dtype=np.float32)[codes]
        if model.output_shape[-1] == 1:
            return codes.astype(np.float32).reshape(-1, 1)
        return codes

    def predict_proba(self, X) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in `classes_` order."""
        proba = self._raw_predict(X)
        if proba.shape[1] == 1:
            proba = np.hstack([1.0 - proba, proba])
        if proba.shape[1] != self.n_classes_:
            raise ValueError(
                f"The model outputs {proba.shape[1]} values per sample but there are "
                f"{self.n_classes_} classes: end it with Dense({self.n_classes_}, "
                f"activation='softmax') (or one sigmoid unit for two classes)"
            )
        return proba

    def predict(self, X) -> np.ndarray:
        """The most probable class of each sample."""
        proba = self.predict_proba(X)
        return self.classes_[np.argmax(proba, axis=1)]


class KerasRegressor(RegressorMixin, BaseWrapper):
    """scikit-learn regressor around a function building a neuroflow model.

    Single or multiple outputs. An uncompiled model is compiled with the wrapper's
    `optimizer`, `loss` (default 'mse') and `metrics`. `score` is R^2, as scikit-learn
    expects (the tf.keras 2 spelling `neuroflow.wrappers.scikit_learn.KerasRegressor`
    returns the negative loss instead).
    """

    def _process_targets(self, y, reset: bool):
        if reset:
            self.n_outputs_ = 1 if y.ndim == 1 else y.shape[1]
            self.target_type_ = type_of_target(y)
            self.y_dtype_ = y.dtype
            self._y_ndim = y.ndim
        return np.asarray(y, dtype=np.float32).reshape(len(y), -1)

    def _default_loss(self, model) -> str:
        return "mse"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _encode_for(self, model, y: np.ndarray) -> np.ndarray:
        return y

    def predict(self, X) -> np.ndarray:
        """Predicted targets, shape (n_samples,) or (n_samples, n_outputs)."""
        out = self._raw_predict(X)
        return out.ravel() if self._y_ndim == 1 and out.shape[1] == 1 else out
