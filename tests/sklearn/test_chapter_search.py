"""Hands-On ML chapter 10: fine-tuning a Keras regressor with RandomizedSearchCV, as written
for tf.keras 2 (`keras.wrappers.scikit_learn.KerasRegressor`), on neuroflow."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from scipy.stats import reciprocal  # noqa: E402
from sklearn.model_selection import RandomizedSearchCV  # noqa: E402

import neuroflow as keras  # noqa: E402


def build_model(n_hidden=1, n_neurons=30, learning_rate=3e-3, input_shape=[8]):  # noqa: B006
    model = keras.models.Sequential()
    model.add(keras.layers.InputLayer(input_shape=input_shape))
    for _layer in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # `lr` is tf.keras 2's spelling
        optimizer = keras.optimizers.SGD(lr=learning_rate)
    model.compile(loss="mse", optimizer=optimizer)
    return model


def _data(n_samples, seed):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n_samples, 8))
    y = X[:, 0] - 0.5 * X[:, 1] + 0.1 * rng.standard_normal(n_samples)
    return X, y


X_train, y_train = _data(200, 0)
X_valid, y_valid = _data(60, 1)
X_test, y_test = _data(60, 2)


def test_keras_regressor_fits_and_scores_the_negative_mse():
    keras_reg = keras.wrappers.scikit_learn.KerasRegressor(build_model)
    keras_reg.fit(X_train, y_train, epochs=5, verbose=0, validation_data=(X_valid, y_valid),
                  callbacks=[keras.callbacks.EarlyStopping(patience=10)])
    mse_test = keras_reg.score(X_test, y_test)
    mse = keras_reg.model.evaluate(X_test.astype(np.float32), y_test, verbose=0)
    assert mse_test == pytest.approx(-mse, rel=1e-5)
    assert keras_reg.predict(X_test[:3]).shape == (3,)


def test_build_function_defaults_are_parameters():
    params = keras.wrappers.scikit_learn.KerasRegressor(build_model).get_params()
    assert params["n_hidden"] == 1
    assert params["n_neurons"] == 30
    assert params["learning_rate"] == 3e-3


def test_randomized_search_runs_as_in_the_chapter():
    keras_reg = keras.wrappers.scikit_learn.KerasRegressor(build_model, verbose=0)
    param_distribs = {"n_hidden": [0, 1, 2, 3], "n_neurons": np.arange(1, 100),
                      "learning_rate": reciprocal(3e-4, 3e-2)}
    rnd_search_cv = RandomizedSearchCV(keras_reg, param_distribs, n_iter=3, cv=2,
                                       random_state=42)
    rnd_search_cv.fit(X_train, y_train, epochs=5, validation_data=(X_valid, y_valid),
                      callbacks=[keras.callbacks.EarlyStopping(patience=10)])
    assert set(rnd_search_cv.best_params_) == {"n_hidden", "n_neurons", "learning_rate"}
    assert rnd_search_cv.best_score_ <= 0.0  # a negative MSE
    best = rnd_search_cv.best_estimator_
    assert len(best.model_.layers) == rnd_search_cv.best_params_["n_hidden"] + 1
    assert best.model is best.model_
