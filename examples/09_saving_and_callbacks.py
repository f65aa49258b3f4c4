"""Chapter 10, "Saving and Restoring a Model" and "Using Callbacks".

Files go to the current folder: my_keras_model.keras, my_weights.weights.h5,
my_checkpoints.weights.h5.

    python examples/09_saving_and_callbacks.py       # NEUROFLOW_FAST=1: few epochs
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
X_train_wide, X_train_deep = X_train[:, :5], X_train[:, 2:]
X_valid_wide, X_valid_deep = X_valid[:, :5], X_valid[:, 2:]
X_test_wide, X_test_deep = X_test[:, :5], X_test[:, 2:]
X_new_wide, X_new_deep = X_test_wide[:3], X_test_deep[:3]

keras.utils.set_random_seed(42)
input_wide = keras.layers.Input(shape=[5], name="input_wide")
input_deep = keras.layers.Input(shape=[6], name="input_deep")
norm_layer_wide = keras.layers.Normalization()
norm_layer_deep = keras.layers.Normalization()
hidden1 = keras.layers.Dense(30, activation="relu")(norm_layer_deep(input_deep))
hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
concat = keras.layers.concatenate([norm_layer_wide(input_wide), hidden2])
output = keras.layers.Dense(1)(concat)
model = keras.Model(inputs=[input_wide, input_deep], outputs=[output])
model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=1e-3),
              metrics=["RootMeanSquaredError"])
norm_layer_wide.adapt(X_train_wide)
norm_layer_deep.adapt(X_train_deep)
model.fit((X_train_wide, X_train_deep), y_train, epochs=2 if FAST else 10,
          validation_data=((X_valid_wide, X_valid_deep), y_valid))

# Saving and restoring a model
model.save("my_keras_model.keras")
y_before = model.predict((X_new_wide, X_new_deep))
model = keras.models.load_model("my_keras_model.keras")
y_after = model.predict((X_new_wide, X_new_deep))
assert abs(y_before - y_after).max() < 1e-6, "the reloaded model predicts differently"
model.save_weights("my_weights.weights.h5")
model.load_weights("my_weights.weights.h5")

# Callbacks: checkpoints, early stopping, and one of our own
checkpoint_cb = keras.callbacks.ModelCheckpoint("my_checkpoints.weights.h5",
                                                save_weights_only=True)
early_stopping_cb = keras.callbacks.EarlyStopping(patience=10, restore_best_weights=True)


class PrintValTrainRatioCallback(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs):
        ratio = logs["val_loss"] / logs["loss"]
        print(f"Epoch={epoch}, val/train={ratio:.2f}")


history = model.fit(
    (X_train_wide, X_train_deep), y_train, epochs=3 if FAST else 100,
    validation_data=((X_valid_wide, X_valid_deep), y_valid),
    callbacks=[checkpoint_cb, early_stopping_cb, PrintValTrainRatioCallback()])
print(f"Stopped after {len(history.epoch)} epochs; test MSE and RMSE:",
      model.evaluate((X_test_wide, X_test_deep), y_test))
