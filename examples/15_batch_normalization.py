"""Chapter 11, "Batch Normalization": after each hidden layer, then before the activation.

Prints the model summary (271,346 parameters, 2,368 of them non-trainable: the moving
means and variances), the first BN layer's variables, and each model's accuracy.

    python examples/15_batch_normalization.py     # NEUROFLOW_FAST=1: 1,000 images, 1 epoch
"""

import os

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

(X_train_full, y_train_full), _ = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:1000], y_train[:1000]
    X_valid, y_valid = X_valid[:500], y_valid[:500]
X_train, X_valid = X_train / 255.0, X_valid / 255.0

keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(300, activation="relu", kernel_initializer="he_normal"),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.BatchNormalization(),
    keras.layers.Dense(10, activation="softmax"),
])
model.summary()
print([(var.name, var.trainable) for var in model.layers[1].variables])

# BN before the activation: the Dense layers need no bias (BN's beta plays its part)
keras.utils.set_random_seed(42)
model_before = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    keras.layers.Dense(300, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(100, kernel_initializer="he_normal", use_bias=False),
    keras.layers.BatchNormalization(),
    keras.layers.Activation("relu"),
    keras.layers.Dense(10, activation="softmax"),
])

for name, m in [("BN after the activation", model), ("BN before the activation", model_before)]:
    m.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
    history = m.fit(X_train, y_train, epochs=1 if FAST else 10, verbose=0,
                    validation_data=(X_valid, y_valid))
    print(f"{name}: validation accuracy {history.history['val_accuracy'][-1]:.4f}")
