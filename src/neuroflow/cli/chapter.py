"""The chapter's data splits and models, shared by `neuroflow demo` and the results script."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from neuroflow.datasets import ChecksumError, DatasetNotFoundError

__all__ = [
    "Split", "load_fashion_mnist", "load_mnist", "load_california",
    "fashion_mlp", "california_mlp", "wide_and_deep",
]


@dataclass
class Split:
    """Training, validation and test sets, and where they came from."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_valid: np.ndarray
    y_valid: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str

    def head(self, max_train: int | None) -> Split:
        """The same split with at most `max_train` training rows (and as many others)."""
        if max_train is None:
            return self
        n = max(int(max_train), 1)
        return Split(self.x_train[:n], self.y_train[:n], self.x_valid[:n], self.y_valid[:n],
                     self.x_test[:n], self.y_test[:n], self.source)

    def describe(self) -> str:
        """One line with the sizes and the source."""
        return (f"{self.source}: {len(self.x_train):,} training, {len(self.x_valid):,} "
                f"validation, {len(self.x_test):,} test rows")


def _images(load: Callable, name: str, n_valid: int) -> Split:
    (x_train_full, y_train_full), (x_test, y_test) = load()
    x_train_full = x_train_full.astype(np.float32) / 255.0
    x_test = x_test.astype(np.float32) / 255.0
    return Split(x_train_full[n_valid:], y_train_full[n_valid:], x_train_full[:n_valid],
                 y_train_full[:n_valid], x_test, y_test, name)


def load_fashion_mnist(allow_sample: bool = True, say: Callable[[str], None] = print) -> Split:
    """The chapter's Fashion-MNIST split (55,000/5,000/10,000, pixels scaled to 0-1).

    When the data set cannot be found and `allow_sample` is true, the 1,000-image sample
    shipped with neuroflow is split 750/83/167 instead, and `say` is told so.
    """
    from neuroflow.datasets import fashion_mnist

    try:
        return _images(fashion_mnist.load_data, "Fashion-MNIST", 5000)
    except (DatasetNotFoundError, ChecksumError) as err:
        if not allow_sample:
            raise
        say(f"Fashion-MNIST is not available here, so the demo is training on the "
            f"1,000-image sample shipped with neuroflow instead.\n{err}")
    x, y = fashion_mnist.load_sample()
    x = x.astype(np.float32) / 255.0
    return Split(x[83:833], y[83:833], x[:83], y[:83], x[833:], y[833:],
                 "the Fashion-MNIST sample shipped with neuroflow")


def load_mnist() -> Split:
    """MNIST split as Fashion-MNIST is (55,000/5,000/10,000, pixels scaled to 0-1)."""
    from neuroflow.datasets import mnist

    return _images(mnist.load_data, "MNIST", 5000)


def load_california(seed: int = 42) -> Split:
    """California housing split as the chapter does: 75% then 75% again for training.

    That is 11,610 training, 3,870 validation and 5,160 test rows, shuffled with `seed`.
    """
    from neuroflow.datasets import fetch_california_housing

    x, y = fetch_california_housing(return_X_y=True)
    x, y = x.astype(np.float32), y.astype(np.float32)
    order = np.random.default_rng(seed).permutation(len(x))
    n_test = int(np.ceil(len(x) * 0.25))
    test, full = order[:n_test], order[n_test:]
    n_valid = int(np.ceil(len(full) * 0.25))
    valid, train = full[:n_valid], full[n_valid:]
    return Split(x[train], y[train], x[valid], y[valid], x[test], y[test],
                 "California housing")


def fashion_mlp():
    """The chapter's classifier: Flatten, Dense 300 relu, Dense 100 relu, Dense 10 softmax."""
    import neuroflow as keras

    return keras.Sequential([
        keras.layers.Input(shape=[28, 28]),
        keras.layers.Flatten(),
        keras.layers.Dense(300, activation="relu"),
        keras.layers.Dense(100, activation="relu"),
        keras.layers.Dense(10, activation="softmax"),
    ])


def tuned_fashion_mlp(hp):
    """The chapter's keras_tuner build function: depth, width, learning rate, optimizer."""
    import neuroflow as keras

    n_hidden = hp.Int("n_hidden", min_value=0, max_value=8, default=2)
    n_neurons = hp.Int("n_neurons", min_value=16, max_value=256)
    learning_rate = hp.Float("learning_rate", min_value=1e-4, max_value=1e-2, sampling="log")
    optimizer = hp.Choice("optimizer", values=["sgd", "adam"])
    if optimizer == "sgd":
        optimizer = keras.optimizers.SGD(learning_rate=learning_rate)
    else:
        optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    model = keras.Sequential([keras.layers.Input(shape=[28, 28]), keras.layers.Flatten()])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(10, activation="softmax"))
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    return model


def california_mlp(x_train: np.ndarray, hidden: tuple[int, ...] = (50, 50, 50)):
    """The chapter's regression MLP: Normalization (adapted to `x_train`), ReLU layers, Dense 1."""
    import neuroflow as keras

    norm_layer = keras.layers.Normalization()
    model = keras.Sequential(
        [keras.layers.Input(shape=x_train.shape[1:]), norm_layer]
        + [keras.layers.Dense(units, activation="relu") for units in hidden]
        + [keras.layers.Dense(1)])
    norm_layer.adapt(x_train)
    return model


def wide_and_deep(x_train: np.ndarray):
    """The chapter's Wide & Deep network: the normalized inputs also skip the two hidden layers."""
    import neuroflow as keras

    normalization_layer = keras.layers.Normalization()
    input_ = keras.layers.Input(shape=x_train.shape[1:])
    normalized = normalization_layer(input_)
    hidden1 = keras.layers.Dense(30, activation="relu")(normalized)
    hidden2 = keras.layers.Dense(30, activation="relu")(hidden1)
    concat = keras.layers.Concatenate()([normalized, hidden2])
    output = keras.layers.Dense(1)(concat)
    model = keras.Model(inputs=[input_], outputs=[output])
    normalization_layer.adapt(x_train)
    return model
