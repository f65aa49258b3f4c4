"""Chapter 11, "Gradient Clipping": clipvalue clips each component, clipnorm the whole vector.

The chapter's example: the gradient [0.9, 100.0] becomes [0.9, 1.0] with clipvalue=1.0
(its direction changes) and [0.00899964, 0.9999595] with clipnorm=1.0 (it does not).

    python examples/16_gradient_clipping.py       # NEUROFLOW_FAST=1: 1,000 images, 1 epoch
"""

import os

import numpy as np

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

for option in ("clipvalue", "clipnorm"):
    optimizer = keras.optimizers.SGD(learning_rate=1.0, **{option: 1.0})
    weights = keras.Variable(np.zeros(2, dtype="float32"))
    optimizer.apply_gradients([(np.array([0.9, 100.0], dtype="float32"), weights)])
    print(f"{option}=1.0 turns the gradient [0.9, 100.0] into", -np.asarray(weights))

(X_train_full, y_train_full), _ = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:1000], y_train[:1000]
    X_valid, y_valid = X_valid[:500], y_valid[:500]
X_train, X_valid = X_train / 255.0, X_valid / 255.0

for option in ("clipvalue", "clipnorm"):
    keras.utils.set_random_seed(42)
    model = keras.Sequential([
        keras.layers.Input(shape=[28, 28]),
        keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(10, activation="softmax"),
    ])
    optimizer = keras.optimizers.SGD(**{option: 1.0})
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    history = model.fit(X_train, y_train, epochs=1 if FAST else 10, verbose=0,
                        validation_data=(X_valid, y_valid))
    print(f"SGD({option}=1.0): validation accuracy {history.history['val_accuracy'][-1]:.4f}")
