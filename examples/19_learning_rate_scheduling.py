"""Chapter 11, "Learning Rate Scheduling": power, exponential, piecewise constant,
performance scheduling and 1cycle.

Prints the learning rate of each epoch and the final validation accuracy of each
schedule; the schedule objects are checked against the formulas they implement.

    python examples/19_learning_rate_scheduling.py  # NEUROFLOW_FAST=1: 1,000 images
"""

import math
import os

import numpy as np

import neuroflow as keras

FAST = bool(os.environ.get("NEUROFLOW_FAST"))
EPOCHS = 3 if FAST else 25
BATCH_SIZE = 32

(X_train_full, y_train_full), _ = keras.datasets.fashion_mnist.load_data()
X_train, y_train = X_train_full[:-5000], y_train_full[:-5000]
X_valid, y_valid = X_train_full[-5000:], y_train_full[-5000:]
if FAST:
    X_train, y_train = X_train[:1000], y_train[:1000]
    X_valid, y_valid = X_valid[:500], y_valid[:500]
X_train, X_valid = X_train / 255.0, X_valid / 255.0
steps_per_epoch = math.ceil(len(X_train) / BATCH_SIZE)


def build_model():
    keras.utils.set_random_seed(42)
    return keras.Sequential([
        keras.layers.Input(shape=[28, 28]),
        keras.layers.Flatten(),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(100, activation="relu", kernel_initializer="he_normal"),
        keras.layers.Dense(10, activation="softmax"),
    ])


class LearningRateLogger(keras.callbacks.Callback):
    """Records the optimizer's learning rate at the end of each epoch."""

    def on_train_begin(self, logs=None):
        self.rates = []

    def on_epoch_end(self, epoch, logs=None):
        self.rates.append(float(np.asarray(self.model.optimizer.learning_rate)))


def train(optimizer, callbacks=()):
    model = build_model()
    model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer,
                  metrics=["accuracy"])
    logger = LearningRateLogger()
    history = model.fit(X_train, y_train, epochs=EPOCHS, batch_size=BATCH_SIZE, verbose=0,
                        validation_data=(X_valid, y_valid),
                        callbacks=[*callbacks, logger])
    history.history["lr_at_epoch_end"] = logger.rates
    return history, model


def report(name, history):
    rates = " ".join(f"{lr:.2e}" for lr in history.history["lr_at_epoch_end"])
    print(f"{name:22s} val accuracy {history.history['val_accuracy'][-1]:.4f}  "
          f"learning rate per epoch: {rates}")


# power scheduling: lr = lr0 / (1 + step / s)
power = keras.optimizers.schedules.InverseTimeDecay(initial_learning_rate=0.01,
                                                    decay_steps=10_000, decay_rate=1.0)
assert np.isclose(float(power(20_000)), 0.01 / 3)
report("power (InverseTimeDecay)", train(keras.optimizers.SGD(learning_rate=power))[0])


# exponential scheduling: lr = lr0 * 0.1 ** (epoch / s), by epoch with a callback...
def exponential_decay(lr0, s):
    def exponential_decay_fn(epoch):
        return lr0 * 0.1 ** (epoch / s)
    return exponential_decay_fn


exponential_decay_fn = exponential_decay(lr0=0.01, s=20)
lr_scheduler = keras.callbacks.LearningRateScheduler(exponential_decay_fn)
report("exponential (callback)", train(keras.optimizers.SGD(learning_rate=0.01),
                                       [lr_scheduler])[0])
# ...or by step with a schedule object
exponential = keras.optimizers.schedules.ExponentialDecay(0.01, 20 * steps_per_epoch, 0.1)
assert np.isclose(float(exponential(20 * steps_per_epoch)), 0.001)
report("exponential (schedule)", train(keras.optimizers.SGD(learning_rate=exponential))[0])


# piecewise constant scheduling
def piecewise_constant_fn(epoch):
    if epoch < 1 if FAST else epoch < 5:
        return 0.01
    elif epoch < 2 if FAST else epoch < 15:
        return 0.005
    return 0.001


report("piecewise (callback)", train(
    keras.optimizers.SGD(learning_rate=0.01),
    [keras.callbacks.LearningRateScheduler(piecewise_constant_fn)])[0])
piecewise = keras.optimizers.schedules.PiecewiseConstantDecay(
    boundaries=[5 * steps_per_epoch, 15 * steps_per_epoch], values=[0.01, 0.005, 0.001])
assert np.isclose(float(piecewise(10 * steps_per_epoch)), 0.005)
report("piecewise (schedule)", train(keras.optimizers.SGD(learning_rate=piecewise))[0])

# performance scheduling: halve the rate when the validation loss stops improving
lr_scheduler = keras.callbacks.ReduceLROnPlateau(factor=0.5, patience=1 if FAST else 5)
report("performance (plateau)", train(keras.optimizers.SGD(learning_rate=0.01),
                                      [lr_scheduler])[0])


class OneCycleScheduler(keras.callbacks.Callback):
    """1cycle: the rate rises linearly to max_lr, falls back, then drops to last_lr."""

    def __init__(self, iterations, max_lr=1e-3, start_lr=None, last_iterations=None,
                 last_lr=None):
        super().__init__()
        self.iterations = iterations
        self.max_lr = max_lr
        self.start_lr = start_lr or max_lr / 10
        self.last_iterations = last_iterations or iterations // 10 + 1
        self.half_iteration = (iterations - self.last_iterations) // 2
        self.last_lr = last_lr or self.start_lr / 1000
        self.iteration = 0
        self.rates = []

    def _interpolate(self, iter1, iter2, lr1, lr2):
        return (lr2 - lr1) * (self.iteration - iter1) / (iter2 - iter1) + lr1

    def on_batch_begin(self, batch, logs=None):
        if self.iteration < self.half_iteration:
            lr = self._interpolate(0, self.half_iteration, self.start_lr, self.max_lr)
        elif self.iteration < 2 * self.half_iteration:
            lr = self._interpolate(self.half_iteration, 2 * self.half_iteration,
                                   self.max_lr, self.start_lr)
        else:
            lr = self._interpolate(2 * self.half_iteration, self.iterations,
                                   self.start_lr, self.last_lr)
        self.iteration += 1
        self.model.optimizer.learning_rate = lr
        self.rates.append(lr)


onecycle = OneCycleScheduler(EPOCHS * steps_per_epoch, max_lr=0.1)
history, _ = train(keras.optimizers.SGD(), [onecycle])
report("1cycle", history)
print(f"1cycle: rate {onecycle.rates[0]:.4f} -> peak {max(onecycle.rates):.4f} -> "
      f"{onecycle.rates[-1]:.2e} over {len(onecycle.rates)} steps")
