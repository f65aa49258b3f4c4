"""Chapter 10, "Using TensorBoard for Visualization": log two runs, compare them.

Then run `tensorboard --logdir my_logs` and open http://localhost:6006.

    python examples/10_tensorboard.py                # NEUROFLOW_FAST=1: 2 epochs
"""

import os
from pathlib import Path
from time import strftime

from sklearn.model_selection import train_test_split

import neuroflow as keras
from neuroflow.datasets import fetch_california_housing

FAST = bool(os.environ.get("NEUROFLOW_FAST"))


def get_run_logdir(root_logdir="my_logs"):
    return Path(root_logdir) / strftime("run_%Y_%m_%d_%H_%M_%S")


housing = fetch_california_housing()
X_train_full, X_test, y_train_full, y_test = train_test_split(
    housing.data, housing.target, random_state=42)
X_train, X_valid, y_train, y_valid = train_test_split(
    X_train_full, y_train_full, random_state=42)

for learning_rate in (1e-3, 2e-3):
    keras.utils.set_random_seed(42)
    norm_layer = keras.layers.Normalization(input_shape=X_train.shape[1:])
    model = keras.Sequential([
        norm_layer,
        keras.layers.Dense(30, activation="relu"),
        keras.layers.Dense(30, activation="relu"),
        keras.layers.Dense(1),
    ])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
    norm_layer.adapt(X_train)
    run_logdir = get_run_logdir() / f"lr_{learning_rate}"
    tensorboard_cb = keras.callbacks.TensorBoard(run_logdir, profile_batch=(100, 200))
    history = model.fit(X_train, y_train, epochs=2 if FAST else 20,
                        validation_data=(X_valid, y_valid), callbacks=[tensorboard_cb])
    print(f"learning rate {learning_rate}: logs in {run_logdir}")

print("Events written under", Path("my_logs").resolve())
