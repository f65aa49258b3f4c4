"""Chapter 11, "Avoiding Overfitting Through Regularization": l1/l2 with functools.partial,
dropout, alpha dropout, Monte Carlo dropout and max-norm.

Reports what the book reports for MC Dropout: one image's probabilities from the model
and averaged over 100 stochastic passes, their standard deviation, and both accuracies.

    python examples/20_regularization.py          # NEUROFLOW_FAST=1: 500 images, 1 epoch
"""

import os
from functools import partial

import numpy as np

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))
EPOCHS = 1 if FAST else 10

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:500], y_train[:500]
    X_valid, y_valid = X_valid[:250], y_valid[:250]
    X_test, y_test = X_test[:200], y_test[:200]
X_train, X_valid, X_test = X_train / 255.0, X_valid / 255.0, X_test / 255.0


def fit(model, optimizer="sgd", X=X_train, X_val=X_valid):
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    history = model.fit(X, y_train, epochs=EPOCHS, verbose=0, validation_data=(X_val, y_valid))
    return history.history["val_accuracy"][-1]


# l2 regularization, the Dense arguments shared through functools.partial
keras.utils.set_random_seed(42)
layer = keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal",
                           kernel_regularizer=keras.regularizers.l2(0.01))
RegularizedDense = partial(keras.layers.Dense, activation="relu",
                           kernel_initializer="he_normal",
                           kernel_regularizer=keras.regularizers.l2(0.01))
model = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    RegularizedDense(100),
    RegularizedDense(100),
    RegularizedDense(10, activation="softmax"),
])
print(f"l2(0.01) with partial: validation accuracy {fit(model):.4f}")

# dropout
keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
    keras.layers.Dropout(rate=0.2),
    keras.layers.Dense(10, activation="softmax"),
])
optimizer = keras.optimizers.SGD(learning_rate=0.01, momentum=0.9)
print(f"Dropout(0.2): validation accuracy {fit(model, optimizer):.4f}")
print("train (dropout off) and validation loss, accuracy:",
      np.round(model.evaluate(X_train, y_train, verbose=0), 4),
      np.round(model.evaluate(X_valid, y_valid, verbose=0), 4))

# Monte Carlo dropout: average predictions with dropout on
y_probas = np.stack([model(X_test, training=True) for sample in range(100)])
y_proba = y_probas.mean(axis=0)
print("model.predict, first test image: ", model.predict(X_test[:1], verbose=0).round(3))
print("MC Dropout average, first image: ", y_proba[0].round(3))
print("MC Dropout std, first image:     ", y_probas[:, 0].std(axis=0).round(3))
y_pred = y_proba.argmax(axis=1)
print(f"accuracy: model {np.mean(model.predict(X_test, verbose=0).argmax(axis=1) == y_test):.4f}"
      f", MC Dropout {np.mean(y_pred == y_test):.4f}")


class MCDropout(keras.layers.Dropout):
    def call(self, inputs, training=None):
        return super().call(inputs, training=True)


mc_model = keras.Sequential([
    MCDropout(layer.rate) if isinstance(layer, keras.layers.Dropout) else layer
    for layer in model.layers
])
mc_model.set_weights(model.get_weights())
mc_probas = np.stack([mc_model.predict(X_test[:1], verbose=0) for _ in range(100)])
print("MCDropout layer, averaged:       ", mc_probas.mean(axis=0)[0].round(3))

# alpha dropout keeps a SELU network self-normalizing
keras.utils.set_random_seed(42)
model = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    keras.layers.AlphaDropout(rate=0.2),
    keras.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal"),
    keras.layers.AlphaDropout(rate=0.2),
    keras.layers.Dense(100, activation="selu", kernel_initializer="lecun_normal"),
    keras.layers.Dense(10, activation="softmax"),
])
pixel_means = X_train.mean(axis=0, keepdims=True)
pixel_stds = X_train.std(axis=0, keepdims=True) + 1e-7
X_train_scaled = (X_train - pixel_means) / pixel_stds
X_valid_scaled = (X_valid - pixel_means) / pixel_stds
accuracy = fit(model, "sgd", X_train_scaled, X_valid_scaled)
print(f"AlphaDropout(0.2) + SELU: validation accuracy {accuracy:.4f}")

# max-norm: each neuron's incoming weights keep an l2 norm of at most 1
keras.utils.set_random_seed(42)
MaxNormDense = partial(keras.layers.Dense, activation="relu", kernel_initializer="he_normal",
                       kernel_constraint=keras.constraints.max_norm(1.))
model = keras.Sequential([
    keras.layers.Input(shape=[28, 28]),
    keras.layers.Flatten(),
    MaxNormDense(100),
    MaxNormDense(100),
    keras.layers.Dense(10, activation="softmax"),
])
accuracy = fit(model)
largest = max(np.linalg.norm(w, axis=0).max() for w in model.get_weights()[0:4:2])
print(f"max_norm(1.): validation accuracy {accuracy:.4f}, largest column norm {largest:.4f}")
