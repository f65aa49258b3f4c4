"""Chapter 11, "Better Activation Functions": LeakyReLU, PReLU, ELU, SELU, GELU, Swish, Mish.

Trains the same network with each, and a deep self-normalizing SELU network (LeCun
normal initialization, standardized inputs); prints each validation accuracy.

    python examples/14_activation_functions.py    # NEUROFLOW_FAST=1: 500 images, 1 epoch
"""

import os

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))
EPOCHS = 1 if FAST else 10

(X_train_full, y_train_full), _ = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:500], y_train[:500]
    X_valid, y_valid = X_valid[:250], y_valid[:250]
X_train, X_valid = X_train / 255.0, X_valid / 255.0


def train(hidden_layers, X=X_train, X_val=X_valid):
    model = keras.Sequential([keras.layers.Input(shape=[28, 28]), keras.layers.Flatten(),
                              *hidden_layers, keras.layers.Dense(10, activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                  optimizer=keras.optimizers.SGD(learning_rate=0.01))
    history = model.fit(X, y_train, epochs=EPOCHS, verbose=0, validation_data=(X_val, y_valid))
    return history.history["val_accuracy"][-1]


results = {}
keras.utils.set_random_seed(42)
leaky_relu = keras.layers.LeakyReLU(negative_slope=0.2)  # defaults to negative_slope=0.3
results["LeakyReLU(0.2)"] = train([
    keras.layers.Dense(100, kernel_initializer="he_normal"), leaky_relu,
    keras.layers.Dense(100, kernel_initializer="he_normal"),
    keras.layers.LeakyReLU(negative_slope=0.2)])

keras.utils.set_random_seed(42)
results["PReLU"] = train([keras.layers.Dense(100, kernel_initializer="he_normal"),
                          keras.layers.PReLU(),
                          keras.layers.Dense(100, kernel_initializer="he_normal"),
                          keras.layers.PReLU()])

for activation in ("relu", "elu", "gelu", "swish", "mish"):
    keras.utils.set_random_seed(42)
    results[activation] = train([keras.layers.Dense(100, activation=activation,
                                                    kernel_initializer="he_normal")
                                 for _ in range(2)])

# SELU: a deep stack of Dense layers self-normalizes with lecun_normal and standardized inputs
pixel_means = X_train.mean(axis=0, keepdims=True)
pixel_stds = X_train.std(axis=0, keepdims=True) + 1e-7
X_train_scaled = (X_train - pixel_means) / pixel_stds
X_valid_scaled = (X_valid - pixel_means) / pixel_stds
keras.utils.set_random_seed(42)
DEPTH = 8 if FAST else 50
results[f"selu ({DEPTH} layers)"] = train(
    [keras.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal")
     for _ in range(DEPTH)], X_train_scaled, X_valid_scaled)

print(f"Validation accuracy after {EPOCHS} epoch(s):")
for name, accuracy in results.items():
    print(f"  {name:18s} {accuracy:.4f}")
