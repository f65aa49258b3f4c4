"""tf.keras 2's `KerasRegressor(build_fn, **sk_params)` and `KerasClassifier`, on top of the
one implementation of the Keras wrappers (`keras_wrappers`); the public spelling is
`neuroflow.wrappers.scikit_learn` (`keras.wrappers.scikit_learn` in tf.keras 2).

For code written against tf.keras 2 (the first edition of Hands-On ML):

- the build function is `build_fn`, also the first positional argument;
- every other keyword argument (`**sk_params`) is a parameter of the estimator, routed
  by name to the build function (its own arguments, whose defaults `get_params` lists,
  so that searches over them work) and to the model's `fit`, `predict` and `evaluate`;
  other names are rejected at fit. `random_state=<int>` seeds the building and training
  (a neuroflow addition);
- the fitted model is at `.model` as well as `.model_`;
- `KerasRegressor.score` is the NEGATIVE loss of `model.evaluate` (so "mse_test" in the
  book is -MSE) and `KerasClassifier.score` the model's accuracy metric.

New code should use `neuroflow.sklearn.KerasRegressor` / `KerasClassifier` (scikeras
style), whose `score` is R^2 / accuracy as scikit-learn defines them.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.utils.validation import check_is_fitted

from neuroflow.models import Model
from neuroflow.sklearn import keras_wrappers
from neuroflow.sklearn._validation import validate_data

__all__ = ["KerasClassifier", "KerasRegressor"]


def _argument_names(function) -> set[str]:
    return {
        name for name, p in inspect.signature(function).parameters.items()
        if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL) and name != "self"
    }


_FIT_ARGS = _argument_names(Model.fit)
_PREDICT_ARGS = _argument_names(Model.predict)
_EVALUATE_ARGS = _argument_names(Model.evaluate)


class _LegacyWrapper:
    """tf.keras 2 behaviour on top of the scikeras-style wrappers."""

    warm_start = False  # every fit builds a new model, as in tf.keras 2

    def __init__(self, build_fn=None, **sk_params):
        self.build_fn = build_fn
        vars(self).update(sk_params)

    @property
    def model(self):
        """The fitted neuroflow model (tf.keras 2 name of `model_`)."""
        check_is_fitted(self, "model_")
        return self.model_

    def _build_function(self):
        return self.build_fn

    def _sk_params(self) -> dict:
        params = self.get_params(deep=False)
        params.pop("build_fn")
        return params

    def _check_params(self) -> None:
        if not callable(self.build_fn):
            raise TypeError(
                f"{type(self).__name__}: build_fn must be a function that returns a compiled "
                f"neuroflow model, got {self.build_fn!r}"
            )
        legal = (_argument_names(self.build_fn) | _FIT_ARGS | _PREDICT_ARGS | _EVALUATE_ARGS
                 | {"random_state"})
        for name in self._sk_params():
            if name not in legal:
                raise ValueError(f"{name} is not a legal parameter")

    def _seed(self):
        return vars(self).get("random_state")

    def _compile_kwargs(self, params: dict) -> dict:
        return {"optimizer": "rmsprop", "loss": None}

    def _fit_kwargs(self, kwargs: dict) -> dict:
        out = {k: v for k, v in self._sk_params().items() if k in _FIT_ARGS}
        out.update(kwargs)
        return out

    def _routed(self, prefix: str, params: dict | None = None) -> dict:
        if prefix == "predict":
            return {k: v for k, v in self._sk_params().items() if k == "batch_size"}
        return super()._routed(prefix, params)

    def _evaluate(self, X, y, sample_weight, **kwargs) -> dict:
        check_is_fitted(self, "model_")
        X = validate_data(self, X, dtype=(np.float32, np.float64), reset=False)
        y = self._encode_for(self.model_, self._process_targets(np.asarray(y), reset=False))
        options = {k: v for k, v in self._sk_params().items() if k in _EVALUATE_ARGS}
        options.update(kwargs, verbose=0, return_dict=True)
        return self.model_.evaluate(np.asarray(X, dtype=np.float32), y,
                                    sample_weight=sample_weight, **options)


class KerasRegressor(_LegacyWrapper, keras_wrappers.KerasRegressor):
    """tf.keras 2's KerasRegressor: `score` is the negative loss (see the module doc)."""

    def score(self, X, y, sample_weight=None, **kwargs) -> float:
        """The negative loss of the model on `X`, `y` (tf.keras 2 semantics)."""
        return -float(self._evaluate(X, y, sample_weight, **kwargs)["loss"])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.regressor_tags.poor_score = True  # score is -loss, not R^2
        return tags


class KerasClassifier(_LegacyWrapper, keras_wrappers.KerasClassifier):
    """tf.keras 2's KerasClassifier: `score` is the model's accuracy metric."""

    def score(self, X, y, sample_weight=None, **kwargs) -> float:
        """The accuracy metric the model was compiled with (tf.keras 2 semantics)."""
        logs = self._evaluate(X, y, sample_weight, **kwargs)
        for name in ("accuracy", "acc"):
            if name in logs:
                return float(logs[name])
        raise ValueError(
            "The model is not configured to compute accuracy. You should pass "
            '`metrics=["accuracy"]` to the `model.compile()` method.'
        )
