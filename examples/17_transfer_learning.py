"""Chapter 11, "Reusing Pretrained Layers": transfer learning with Keras.

Model A learns the 8 Fashion-MNIST classes other than T-shirt/top and pullover; task B
(T-shirt/top or pullover?) gets only 200 training images. Model B on A reuses A's
hidden layers: frozen for 4 epochs, then unfrozen (recompiling each time) for 16.
Prints both test accuracies and how much of B's error rate the transfer removed.

    python examples/17_transfer_learning.py       # NEUROFLOW_FAST=1: fewer images and epochs
"""

import os

import numpy as np

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:3000], y_train[:3000]
    X_valid, y_valid = X_valid[:500], y_valid[:500]
    X_test, y_test = X_test[:1000], y_test[:1000]
X_train, X_valid, X_test = X_train / 255.0, X_valid / 255.0, X_test / 255.0

class_names = keras.datasets.fashion_mnist.CLASS_NAMES
pos_class_id = class_names.index("Pullover")
neg_class_id = class_names.index("T-shirt/top")


def split_dataset(X, y):
    y_for_B = (y == pos_class_id) | (y == neg_class_id)
    y_A = y[~y_for_B]
    y_B = (y[y_for_B] == pos_class_id).astype(np.float32)
    old_class_ids = list(set(range(10)) - {neg_class_id, pos_class_id})
    for old_class_id, new_class_id in zip(old_class_ids, range(8), strict=True):
        y_A[y_A == old_class_id] = new_class_id  # reorder class ids for A
    return (X[~y_for_B], y_A), (X[y_for_B], y_B)


(X_train_A, y_train_A), (X_train_B, y_train_B) = split_dataset(X_train, y_train)
(X_valid_A, y_valid_A), (X_valid_B, y_valid_B) = split_dataset(X_valid, y_valid)
(X_test_A, y_test_A), (X_test_B, y_test_B) = split_dataset(X_test, y_test)
X_train_B, y_train_B = X_train_B[:200], y_train_B[:200]
EPOCHS_A, FROZEN, UNFROZEN = (2, 2, 4) if FAST else (20, 4, 16)


def hidden_layers():
    return [keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal")
            for _ in range(3)]


keras.utils.set_random_seed(42)
model_A = keras.Sequential([keras.layers.Input(shape=[28, 28]), keras.layers.Flatten(),
                            *hidden_layers(), keras.layers.Dense(8, activation="softmax")])
model_A.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                optimizer=keras.optimizers.SGD(learning_rate=0.001))
model_A.fit(X_train_A, y_train_A, epochs=EPOCHS_A, verbose=0,
            validation_data=(X_valid_A, y_valid_A))
model_A.save("my_model_A.keras")

keras.utils.set_random_seed(42)
model_B = keras.Sequential([keras.layers.Input(shape=[28, 28]), keras.layers.Flatten(),
                            *hidden_layers(), keras.layers.Dense(1, activation="sigmoid")])
model_B.compile(loss="binary_crossentropy", metrics=["accuracy"],
                optimizer=keras.optimizers.SGD(learning_rate=0.001))
model_B.fit(X_train_B, y_train_B, epochs=FROZEN + UNFROZEN, verbose=0,
            validation_data=(X_valid_B, y_valid_B))

model_A = keras.models.load_model("my_model_A.keras")
model_B_on_A = keras.Sequential(model_A.layers[:-1])
model_B_on_A.add(keras.layers.Dense(1, activation="sigmoid"))

# model_B_on_A shares A's layers: train a clone if A itself must stay as it is
model_A_clone = keras.models.clone_model(model_A)
model_A_clone.set_weights(model_A.get_weights())

for layer in model_B_on_A.layers[:-1]:
    layer.trainable = False
optimizer = keras.optimizers.SGD(learning_rate=0.001)
model_B_on_A.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
model_B_on_A.fit(X_train_B, y_train_B, epochs=FROZEN, verbose=0,
                 validation_data=(X_valid_B, y_valid_B))

for layer in model_B_on_A.layers[:-1]:
    layer.trainable = True
optimizer = keras.optimizers.SGD(learning_rate=0.001)
model_B_on_A.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
model_B_on_A.fit(X_train_B, y_train_B, epochs=UNFROZEN, verbose=0,
                 validation_data=(X_valid_B, y_valid_B))

accuracy_B = model_B.evaluate(X_test_B, y_test_B, verbose=0)[1]
accuracy_B_on_A = model_B_on_A.evaluate(X_test_B, y_test_B, verbose=0)[1]
print(f"Task B test accuracy: model B {accuracy_B:.4f}, model B on A {accuracy_B_on_A:.4f}")
print(f"Error rate divided by {(1 - accuracy_B) / max(1 - accuracy_B_on_A, 1e-9):.2f}")
same = all(np.array_equal(a, b) for a, b in zip(model_A_clone.get_weights(),
                                                keras.models.load_model("my_model_A.keras")
                                                .get_weights(), strict=True))
print("The clone kept model A's weights:", same)
