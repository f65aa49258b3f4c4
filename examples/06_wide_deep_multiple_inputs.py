"""Chapter 10, Functional API: Wide & Deep with two inputs (features 0-4 wide, 2-7 deep).

    python examples/06_wide_deep_multiple_inputs.py  # NEUROFLOW_FAST=1: 2 epochs
"""

import os

from sklearn.model_selection import train_test_split

import neuroflow as keras
from neuroflow.datasets import fetch_california_housing

FAST = bool(os.environ.get("NEUROFLOW_FAST"))
EPOCHS = 2 if FAST else 20

housing = fetch_california_housing()
X_train_full, X_test, y_train_full, y_test = train_test_split(
    housing.data, housing.target, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(
    X_train_full, y_train_full, random_state=42)

keras.utils.set_random_seed(42)
input_wide = keras.layers.Input(shape=[5])  # features 0 to 4
input_deep = keras.layers.Input(shape=[6])  # features 2 to 7
norm_layer_wide = keras.layers.Normalization()
norm_layer_deep = keras.layers.Normalization()
norm_wide = norm_layer_wide(input_wide)
norm_deep = norm_layer_deep(input_deep)
hidden1 = keras.layers.Dense(30, activation="relu")(norm_deep)
hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
concat = keras.layers.concatenate([norm_wide, hidden2])
output = keras.layers.Dense(1)(concat)
model = keras.Model(inputs=[input_wide, input_deep], outputs=[output])
model.summary()

optimizer = keras.optimizers.Adam(learning_rate=1e-3)
model.compile(loss="mse", optimizer=optimizer, metrics=["RootMeanSquaredError"])

X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]

norm_layer_wide.adapt(X_train_wide)
norm_layer_deep.adapt(X_train_deep)
history = model.fit((X_train_wide, X_train_deep), y_train, epochs=EPOCHS,
                    validation_data=((X_valid_wide, X_valid_deep), y_valid))
mse_test = model.evaluate((X_test_wide, X_test_deep), y_test)
y_pred = model.predict((X_new_wide, X_new_deep))
print("Test MSE and RMSE:", mse_test, "predictions:", y_pred.ravel().round(2))

