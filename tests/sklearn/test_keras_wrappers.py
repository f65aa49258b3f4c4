"""KerasClassifier and KerasRegressor (scikeras style) around neuroflow models."""

from __future__ import annotations

import pytest

pytest.importorskip("sklearn")

from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from neuroflow.layers import Dense, InputLayer  # noqa: E402
from neuroflow.models import Sequential  # noqa: E402
from neuroflow.optimizers import Adam  # noqa: E402
from neuroflow.sklearn import KerasClassifier, KerasRegressor  # noqa: E402


def adaptive_model(meta):
    """A small MLP shaped by the data: one hidden layer, the right output layer."""
    model = Sequential([InputLayer(shape=(meta["n_features_in_"],)),
                        Dense(32, activation="relu")])
    if "n_classes_" in meta:
        model.add(Dense(meta["n_classes_"], activation="softmax"))
        model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(0.02))
    else:
        model.add(Dense(meta["n_outputs_"]))
        model.compile(loss="mse", optimizer=Adam(0.02))
    return model


def build_regressor(n_hidden=1, n_neurons=8, meta=None):
    """tf.keras 2 style: the wrapper's parameters are this function's arguments."""
    model = Sequential([InputLayer(shape=(meta["n_features_in_"],))])
    for _ in range(n_hidden):
        model.add(Dense(n_neurons, activation="relu"))
    model.add(Dense(1))
    model.compile(loss="mse", optimizer="sgd")
    return model


def uncompiled_classifier(meta, units=8):
    return Sequential([InputLayer(shape=(meta["n_features_in_"],)),
                       Dense(units, activation="relu"),
                       Dense(meta["n_classes_"], activation="softmax")])


@parametrize_with_checks(
    [
        KerasClassifier(adaptive_model, epochs=40, batch_size=32, verbose=0, random_state=0),
        KerasRegressor(adaptive_model, epochs=40, batch_size=32, verbose=0, random_state=0),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)
