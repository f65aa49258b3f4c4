"""Chapter 11, "The Vanishing/Exploding Gradients Problems": Glorot, He and LeCun initialization.

A deep sigmoid network initialized with N(0, 1) weights gets tiny gradients in its lower
layers; ReLU with He initialization keeps them alive. Then the chapter's initializers.

    python examples/13_initialization.py          # NEUROFLOW_FAST=1: 500 images, 1 epoch
"""

import os

import numpy as np

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

(X_train_full, y_train_full), _ = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:500], y_train[:500]
    X_valid, y_valid = X_valid[:250], y_valid[:250]
X_train, X_valid = X_train / 255.0, X_valid / 255.0


def deep_model(activation, kernel_initializer, depth=10):
    keras.utils.set_random_seed(42)
    model = keras.Sequential([keras.layers.Input(shape=[28, 28]), keras.layers.Flatten()])
    for _ in range(depth):
        model.add(keras.layers.Dense(100, activation=activation,
                                     kernel_initializer=kernel_initializer))
    model.add(keras.layers.Dense(10, activation="softmax"))
    return model


def kernel_gradient_stds(model, X, y):
    """The standard deviation of the loss gradient of each hidden layer's kernel."""
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    with keras.GradientTape() as tape:
        loss = loss_fn(y, model(X, training=True))
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")][:-1]
    return [float(np.std(np.asarray(g))) for g in tape.gradient(loss, kernels)]


print("Std of the kernel gradients, from the lowest hidden layer to the highest:")
for activation, init in [("sigmoid", keras.initializers.RandomNormal(stddev=1.0)),
                         ("relu", "he_normal")]:
    stds = kernel_gradient_stds(deep_model(activation, init), X_train[:128], y_train[:128])
    print(f"  {activation:7s} {type(init).__name__ if not isinstance(init, str) else init:12s}",
          " ".join(f"{s:.1e}" for s in stds))

# the chapter's initializers
dense = keras.layers.Dense(50, activation="relu", kernel_initializer="he_normal")
he_avg_init = keras.initializers.VarianceScaling(scale=2., mode="fan_avg",
                                                 distribution="uniform")
dense = keras.layers.Dense(50, activation="sigmoid", kernel_initializer=he_avg_init)

for name, init in [("glorot_uniform", "glorot_uniform"), ("he_normal", "he_normal"),
                   ("lecun_normal", "lecun_normal"), ("VarianceScaling fan_avg", he_avg_init)]:
    model = deep_model("relu", init, depth=3)
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.SGD(learning_rate=0.01))
    history = model.fit(X_train, y_train, epochs=1 if FAST else 5, verbose=0,
                        validation_data=(X_valid, y_valid))
    print(f"{name:24s} validation accuracy {history.history['val_accuracy'][-1]:.4f}")
