"""Packs trained at once on several threads: the same numbers as one after the other."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from population_helpers import (
    assert_same_training,
    mlp,
    regression_data,
    twin,
)

import neuroflow as keras
from neuroflow.population import Population

O = keras.optimizers


def _member(widths, optimizer, seed, loss="mse", **kwargs):
    model = mlp(widths, seed=seed, **kwargs)
    model.compile(optimizer=optimizer, loss=loss)
    return model


def _stopper():
    return keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=0.05)


# members that form several packs (activations, optimizer classes and losses group them),
# with every per-member feature a pack has: padded widths, depths, dropout, regularizers,
# early stopping, a diverging member, validation
CASES = {
    "sgd_and_adam_groups": lambda: [
        _member((5,), O.SGD(0.05), 0), _member((9, 4), O.SGD(0.01), 1),
        _member((3,), O.SGD(0.02), 2), _member((6,), O.Adam(0.01), 3),
        _member((4,), O.Adam(0.003), 4)],
    "activations_and_depths": lambda: [
        _member((6, 6), O.SGD(0.02, momentum=0.9), 0, activation="tanh"),
        _member((3,), O.SGD(0.02, momentum=0.5), 1, activation="tanh"),
        _member((7, 2), O.SGD(0.02, momentum=0.9), 2),
        _member((4, 4, 4), O.SGD(0.01, momentum=0.9), 3)],
    "dropout_and_regularizers": lambda: [
        _member((6,), O.RMSprop(0.01), 0, dropout=(0.3, None)),
        _member((5,), O.RMSprop(0.003), 1, dropout=(0.1, None)),
        _member((5,), O.SGD(0.05), 2, kernel_regularizer=keras.regularizers.l2(0.01)),
        _member((8,), O.SGD(0.01), 3, kernel_regularizer=keras.regularizers.l2(0.1))],
}


def _fit(members, workers, **fit):
    keras.backend.set_seed(11)
    population = Population(members, workers=workers)
    histories = population.fit(*regression_data(), batch_size=16, **fit)
    after = keras.random.uniform((3,))  # where the global generator went on from
    return population, histories, np.asarray(after)


@pytest.mark.parametrize("case", sorted(CASES))
@pytest.mark.parametrize("fit", [
    {"epochs": 3},
    {"epochs": 4, "validation_data": regression_data(n=20, seed=1), "callbacks": [_stopper()]},
], ids=["plain", "validated_early_stopping"])
def test_threads_give_the_numbers_of_one_pack_at_a_time(case, fit):
    one, one_histories, one_after = _fit(CASES[case](), workers=1, **fit)
    two, two_histories, two_after = _fit(CASES[case](), workers=2, **fit)
    assert one.packs == two.packs and len([p for p in one.packs if len(p) > 1]) >= 2
    for a, b, ha, hb in zip(one.models, two.models, one_histories, two_histories,
                            strict=True):
        for wa, wb in zip(a.get_weights(), b.get_weights(), strict=True):
            np.testing.assert_array_equal(wa, wb)
        assert ha.history == hb.history
    np.testing.assert_array_equal(one_after, two_after)


def test_a_diverging_member_leaves_its_pack_the_same_way_on_threads():
    def members():
        return [_member((4, 4), O.SGD(lr), i, activation="linear")
                for i, lr in enumerate([1.0, 1e-4])] + [
            _member((5,), O.Adam(0.01), 2), _member((3,), O.Adam(0.02), 3)]
    x, y = regression_data()
    runs = []
    for workers in (1, 2):
        keras.backend.set_seed(5)
        population = Population(members(), workers=workers)
        with pytest.warns(RuntimeWarning, match="NaN or inf"):
            runs.append(population.fit(x * 10, y, batch_size=16, epochs=3))
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a.history["loss"], b.history["loss"])
    assert not np.isfinite(runs[1][0].history["loss"][-1])


def test_every_pack_sees_the_batches_its_members_see_trained_alone():
    # two groups (two packs): each member equals its twin trained alone after the same seed
    members = [_member((5,), O.SGD(0.05), 0), _member((7,), O.SGD(0.01), 1),
               _member((4,), O.Adam(0.01), 2), _member((6,), O.Adam(0.003), 3)]
    twins = [twin(m) for m in members]
    x, y = regression_data()
    keras.backend.set_seed(21)
    population = Population(members, workers=2)
    histories = population.fit(x, y, batch_size=16, epochs=3)
    assert sorted(len(p) for p in population.packs) == [2, 2]
    for m, t, h in zip(members, twins, histories, strict=True):
        keras.backend.set_seed(21)
        assert_same_training(m, t, h, t.fit(x, y, batch_size=16, epochs=3, verbose=0))


class _Meet(keras.callbacks.Callback):
    """Waits at the start of training until a member of the other pack has started too."""

    def __init__(self, barrier):
        super().__init__()
        self.barrier = barrier

    def on_train_begin(self, logs=None):
        self.barrier.wait(timeout=30)


def test_packs_train_at_once_and_the_peak_counts_them_together():
    members = [_member((5,), O.SGD(0.05), 0), _member((7,), O.SGD(0.01), 1),
               _member((4,), O.Adam(0.01), 2), _member((6,), O.Adam(0.003), 3)]
    barrier = threading.Barrier(2)  # one member of each pack: both packs started at once
    callbacks = [[_Meet(barrier)], [], [_Meet(barrier)], []]
    x, y = regression_data()
    together = Population(members, workers=2)
    together.fit(x, y, batch_size=16, epochs=1, callbacks=callbacks)
    assert not barrier.broken
    assert sorted(len(p) for p in together.packs) == [2, 2]
    each = []
    for pair in (members[:2], members[2:]):  # each pack's own bytes
        population = Population([twin(m) for m in pair])
        population.fit(x, y, batch_size=16, epochs=1)
        each.append(population.peak_bytes)
    assert together.peak_bytes == sum(each)


class _Fails(keras.callbacks.Callback):
    def __init__(self, failed):
        super().__init__()
        self.failed = failed

    def on_epoch_end(self, epoch, logs=None):
        self.failed.set()
        raise RuntimeError("callback failed at the end of an epoch")


class _WaitsForTheStop(keras.callbacks.Callback):
    """Ends its first epoch only once the other pack has failed."""

    def __init__(self, failed):
        super().__init__()
        self.failed = failed
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1
        assert self.failed.wait(timeout=30)
        time.sleep(0.2)  # the fit has seen the error and asked the packs to stop


def test_an_error_in_one_pack_stops_the_others_and_is_raised():
    members = [_member((5,), O.SGD(0.05), 0), _member((7,), O.SGD(0.01), 1),
               _member((4,), O.Adam(0.01), 2), _member((6,), O.Adam(0.003), 3)]
    failed = threading.Event()
    waiting = _WaitsForTheStop(failed)
    callbacks = [[_Fails(failed)], [], [waiting], []]
    with pytest.raises(RuntimeError, match="callback failed"):
        Population(members, workers=2).fit(*regression_data(), batch_size=16, epochs=50,
                                           callbacks=callbacks)
    assert waiting.epochs <= 1  # the other pack stopped at the end of that epoch (or never ran)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_workers_is_refused(bad):
    with pytest.raises(ValueError, match="workers must be a positive number"):
        Population([_member((3,), O.SGD(0.1), 0)], workers=bad)
