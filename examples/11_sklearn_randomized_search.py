"""Chapter 10, "Fine-Tuning Neural Network Hyperparameters" with scikit-learn.

A Keras model wrapped as a scikit-learn regressor (`neuroflow.sklearn.KerasRegressor`, in
the style of scikeras: the build function's arguments are parameters of the wrapper)
explored by `RandomizedSearchCV`. Its score is R^2, as for any scikit-learn regressor.

    python examples/11_sklearn_randomized_search.py  # NEUROFLOW_FAST=1: 2 iterations, 2 epochs
"""

import os

import numpy as np
from scipy.stats import loguniform
from sklearn.model_selection import RandomizedSearchCV, train_test_split
from sklearn.preprocessing import StandardScaler

import neuroflow as keras
from neuroflow.datasets import fetch_california_housing
from neuroflow.sklearn import KerasRegressor

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

housing = fetch_california_housing()
X_train_full, X_test, y_train_full, y_test = train_test_split(
    housing.data, housing.target, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(
    X_train_full, y_train_full, random_state=42)
scaler = StandardScaler()
X_train = scaler.fit_transform(X_train)
X_valid = scaler.transform(X_valid)
X_test = scaler.transform(X_test)
if FAST:
    X_train, y_train = X_train[:1500], y_train[:1500]


def build_model(n_hidden=1, n_neurons=30, learning_rate=3e-3, input_shape=(8,)):
    model = keras.Sequential()
    model.add(keras.layers.Input(shape=input_shape))
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(1))
    optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    model.compile(loss="mse", optimizer=optimizer)
    return model


keras.utils.set_random_seed(42)
keras_reg = KerasRegressor(build_model, random_state=42)
param_distribs = {
    "n_hidden": [0, 1, 2, 3],
    "n_neurons": np.arange(1, 100).tolist(),
    "learning_rate": loguniform(3e-4, 3e-2),
}
rnd_search_cv = RandomizedSearchCV(keras_reg, param_distribs, n_iter=2 if FAST else 10, cv=3,
                                   random_state=42, verbose=2)
rnd_search_cv.fit(X_train, y_train, epochs=2 if FAST else 100,
                  validation_data=(X_valid, y_valid),
                  callbacks=[keras.callbacks.EarlyStopping(patience=10)], verbose=0)
print("Best parameters:", rnd_search_cv.best_params_)
print("Best score (R^2, 3-fold cross-validation):", rnd_search_cv.best_score_)
model = rnd_search_cv.best_estimator_.model_
print("Test MSE of the best model:", model.evaluate(X_test, y_test, verbose=0))
