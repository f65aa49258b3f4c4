"""Chapter 11, "Faster Optimizers": momentum, Nesterov, AdaGrad, RMSProp, Adam, AdaMax,
Nadam and AdamW.

Trains the same network from the same initial weights with each optimizer and prints
the validation accuracy of each (the book plots their learning curves).

    python examples/18_optimizers.py              # NEUROFLOW_FAST=1: 1,000 images, 1 epoch
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

optimizers = {
    "SGD": keras.optimizers.SGD(learning_rate=0.001),
    "momentum": keras.optimizers.SGD(learning_rate=0.001, momentum=0.9),
    "Nesterov": keras.optimizers.SGD(learning_rate=0.001, momentum=0.9, nesterov=True),
    "AdaGrad": keras.optimizers.Adagrad(learning_rate=0.001),
    "RMSProp": keras.optimizers.RMSprop(learning_rate=0.001, rho=0.9),
    "Adam": keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
    "AdaMax": keras.optimizers.Adamax(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
    "Nadam": keras.optimizers.Nadam(learning_rate=0.001, beta_1=0.9, beta_2=0.999),
    "AdamW": keras.optimizers.AdamW(weight_decay=1e-5, learning_rate=0.001,
                                    beta_1=0.9, beta_2=0.999),
}


def build_model(seed=42):
    keras.utils.set_random_seed(seed)
    return keras.Sequential([
        keras.layers.Input(shape=[28, 28]),
        keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def build_and_train_model(optimizer):
    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model.fit(X_train, y_train, epochs=1 if FAST else 10, verbose=0,
                     validation_data=(X_valid, y_valid))


print("Validation accuracy per epoch:")
for name, optimizer in optimizers.items():
    history = build_and_train_model(optimizer)
    print(f"  {name:9s}", " ".join(f"{a:.4f}" for a in history.history["val_accuracy"]))
