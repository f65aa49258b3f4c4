"""Time the same MLP runs with Keras and PyTorch, when they are installed (for reproduce_chapter).

An `MLPSpec` describes a plain MLP run (layer sizes, loss, SGD settings, batch size); each
function here trains it for a few epochs and returns the median wall time per epoch
(training plus the validation pass), or raises ImportError when the framework is missing.
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass

import numpy as np


@dataclass
class MLPSpec:
    """A Sequential MLP run: Flatten, Dense(units, relu) per hidden layer, Dense(outputs)."""

    hidden: tuple[int, ...]
    outputs: int  # classes for classification (softmax), 1 for regression
    classification: bool
    learning_rate: float
    momentum: float = 0.0
    batch_size: int = 32


def keras_seconds_per_epoch(spec: MLPSpec, x, y, x_valid, y_valid,
                            epochs: int) -> tuple[float, str]:
    """Median seconds per epoch with Keras 3; and the name of its backend."""
    import keras

    layers = [keras.Input(x.shape[1:]), keras.layers.Flatten()]
    layers += [keras.layers.Dense(units, activation="relu") for units in spec.hidden]
    layers.append(keras.layers.Dense(spec.outputs,
                                     activation="softmax" if spec.classification else None))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=spec.learning_rate,
                                                 momentum=spec.momentum),
                  loss="sparse_categorical_crossentropy" if spec.classification else "mse")
    model.fit(x[:256], y[:256], batch_size=spec.batch_size, epochs=1, verbose=0)  # tracing

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    times: list[float] = []
    model.fit(x, y, batch_size=spec.batch_size, epochs=epochs, verbose=0,
              validation_data=(x_valid, y_valid), callbacks=[Timer()])
    return statistics.median(times), f"Keras {keras.__version__} ({keras.backend.backend()})"


def torch_seconds_per_epoch(spec: MLPSpec, x, y, x_valid, y_valid,
                            epochs: int) -> tuple[float, str]:
    """Median seconds per epoch with a plain PyTorch loop (shuffled batches, SGD)."""
    import torch

    torch.set_num_threads(os.cpu_count() or 1)
    nn = torch.nn
    sizes = [int(np.prod(x.shape[1:])), *spec.hidden]
    modules: list = [nn.Flatten()]
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        modules += [nn.Linear(n_in, n_out), nn.ReLU()]
    modules.append(nn.Linear(sizes[-1], spec.outputs))
    net = nn.Sequential(*modules)
    loss_fn = nn.CrossEntropyLoss() if spec.classification else nn.MSELoss()
    opt = torch.optim.SGD(net.parameters(), lr=spec.learning_rate, momentum=spec.momentum)
    xt, xv = torch.from_numpy(np.asarray(x, np.float32)), torch.from_numpy(
        np.asarray(x_valid, np.float32))
    if spec.classification:
        yt, yv = torch.from_numpy(y.astype(np.int64)), torch.from_numpy(y_valid.astype(np.int64))
    else:
        yt = torch.from_numpy(y.astype(np.float32).reshape(-1, 1))
        yv = torch.from_numpy(y_valid.astype(np.float32).reshape(-1, 1))
    times = []
    for _ in range(epochs):
        start = time.perf_counter()
        perm = torch.randperm(len(xt))
        for s in range(0, len(xt), spec.batch_size):
            idx = perm[s:s + spec.batch_size]
            opt.zero_grad()
            loss = loss_fn(net(xt[idx]), yt[idx])
            loss.backward()
            opt.step()
            loss.item()
        with torch.no_grad():
            for s in range(0, len(xv), 32):
                loss_fn(net(xv[s:s + 32]), yv[s:s + 32]).item()
        times.append(time.perf_counter() - start)
    return statistics.median(times), f"PyTorch {torch.__version__}"
