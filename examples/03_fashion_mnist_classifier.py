"""Chapter 10, "Building an Image Classifier Using the Sequential API" (Fashion-MNIST).

    python examples/03_fashion_mnist_classifier.py   # NEUROFLOW_FAST=1: 2 epochs, 2,000 images
"""

import os

import matplotlib.pyplot as plt
import numpy as np

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))

fashion_mnist = keras.datasets.fashion_mnist.load_data()
(X_train_full, y_train_full), (X_test, y_test) = fashion_mnist
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:2000], y_train[:2000]
print(X_train.shape, X_train.dtype)

X_train, X_valid, X_test = X_train / 255., X_valid / 255., X_test / 255.
class_names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
print(class_names[y_train[0]])
keras.utils.plot_images(X_train, y_train, class_names)
plt.show()

keras.utils.set_random_seed(42)
model = keras.Sequential()
model.add(keras.layers.Input(shape=[28, 28]))
model.add(keras.layers.Flatten())
model.add(keras.layers.Dense(300, activation="relu"))
model.add(keras.layers.Dense(100, activation="relu"))
model.add(keras.layers.Dense(10, activation="softmax"))
model.summary()  # 266,610 parameters

hidden1 = model.layers[1]
print(hidden1.name, model.get_layer("dense") is hidden1)
weights, biases = hidden1.get_weights()
print(weights.shape, biases.shape)

model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
history = model.fit(X_train, y_train, epochs=2 if FAST else 30,
                    validation_data=(X_valid, y_valid))

keras.utils.plot_history(history, shift_training=True)  # the learning curves
plt.show()

print("Test loss and accuracy:", model.evaluate(X_test, y_test))

X_new = X_test[:3]
y_proba = model.predict(X_new)
print(y_proba.round(2))
y_pred = y_proba.argmax(axis=-1)
print(np.array(class_names)[y_pred], "- truth:", np.array(class_names)[y_test[:3]])
