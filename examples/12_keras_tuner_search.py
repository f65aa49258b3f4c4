"""Chapter 10, "Fine-Tuning Neural Network Hyperparameters" with a keras_tuner-style API.

`neuroflow.tuner` speaks keras_tuner: HyperParameters, RandomSearch, HyperModel, Hyperband.

    python examples/12_keras_tuner_search.py         # NEUROFLOW_FAST=1: 2 trials, 1 epoch
"""

import os

import numpy as np

import neuroflow as keras
import neuroflow.tuner as kt

FAST = bool(os.environ.get("NEUROFLOW_FAST"))
EPOCHS = 1 if FAST else 10

(X_train_full, y_train_full), (X_test, y_test) = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000] / 255., y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:] / 255., y_train_full[-5000:]
X_test = X_test / 255.
if FAST:
    X_train, y_train = X_train[:1000], y_train[:1000]
    X_valid, y_valid = X_valid[:500], y_valid[:500]


def build_model(hp):
    n_hidden = hp.Int("n_hidden", min_value=0, max_value=8, default=2)
    n_neurons = hp.Int("n_neurons", min_value=16, max_value=256)
    learning_rate = hp.Float("learning_rate", min_value=1e-4, max_value=1e-2,
                             sampling="log")
    optimizer = hp.Choice("optimizer", values=["sgd", "adam"])
    if optimizer == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    else:
        optimizer = keras.optimizers.Adam(learning_rate=learning_rate)

    model = keras.Sequential()
    model.add(keras.layers.Flatten())
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model


random_search_tuner = kt.RandomSearch(
    build_model, objective="val_accuracy", max_trials=2 if FAST else 5, overwrite=True,
    directory="my_fashion_mnist", project_name="my_rnd_search", seed=42)
random_search_tuner.search(X_train, y_train, epochs=EPOCHS,
                           validation_data=(X_valid, y_valid))

top3_models = random_search_tuner.get_best_models(num_models=3)
best_model = top3_models[0]
top3_params = random_search_tuner.get_best_hyperparameters(num_trials=3)
print("Best hyperparameters:", top3_params[0].values)
best_trial = random_search_tuner.oracle.get_best_trials(num_trials=1)[0]
best_trial.summary()
print("Best val_accuracy:", best_trial.metrics.get_last_value("val_accuracy"))


class MyClassificationHyperModel(kt.HyperModel):
    def build(self, hp):
        return build_model(hp)

    def fit(self, hp, model, X, y, **kwargs):
        if hp.Boolean("normalize"):
            norm_layer = keras.layers.Normalization()
            norm_layer.adapt(X)
            X = np.asarray(norm_layer(X))
        return model.fit(X, y, **kwargs)


hyperband_tuner = kt.Hyperband(
    MyClassificationHyperModel(), objective="val_accuracy", seed=42,
    max_epochs=2 if FAST else 10, factor=3, hyperband_iterations=1 if FAST else 2,
    overwrite=True, directory="my_fashion_mnist", project_name="hyperband")
early_stopping_cb = keras.callbacks.EarlyStopping(patience=2)
hyperband_tuner.search(X_train, y_train, epochs=EPOCHS, validation_data=(X_valid, y_valid),
                       callbacks=[early_stopping_cb])
print("Hyperband's best:", hyperband_tuner.get_best_hyperparameters()[0].values)

best_model.fit(X_train_full[:1000 if FAST else None] / 255.,
               y_train_full[:1000 if FAST else None], epochs=EPOCHS)
test_loss, test_accuracy = best_model.evaluate(X_test, y_test)
print(f"Test accuracy of the best model, retrained on the full training set: {test_accuracy:.4f}")
