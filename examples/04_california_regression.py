"""Chapter 10, "Building a Regression MLP Using the Sequential API" (California housing).

    python examples/04_california_regression.py      # NEUROFLOW_FAST=1: 2 epochs
"""

import os

from sklearn.model_selection import train_test_split

import neuroflow as keras
from neuroflow.datasets import fetch_california_housing

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

housing = fetch_california_housing()
X_train_full, X_test, y_train_full, y_test = train_test_split(
    housing.data, housing.target, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(
    X_train_full, y_train_full, random_state=42)

keras.utils.set_random_seed(42)
norm_layer = keras.layers.Normalization(input_shape=X_train.shape[1:])
model = keras.Sequential([
    norm_layer,
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(50, activation="relu"),
    keras.layers.Dense(1),
])
optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])
norm_layer.adapt(X_train)
history = model.fit(X_train, y_train, epochs=2 if FAST else 20,
                    validation_data=(X_valid, y_valid))
mse_test, rmse_test = model.evaluate(X_test, y_test)
X_new = X_test[:3]
y_pred = model.predict(X_new)
print(f"Test RMSE {rmse_test:.3f}; predictions {y_pred.ravel().round(2)}, "
      f"truth {y_test[:3].round(2)}")
