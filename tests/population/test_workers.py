"""Packs trained at once, in forked processes or on threads: the same numbers as one after
the other."""

from __future__ import annotations

import multiprocessing
import os

import numpy as np
import pytest
from population_helpers import (
    assert_same_training,
    mlp,
    regression_data,
    twin,
)

import neuroflow as keras
import neuroflow.population.population as population_module
from neuroflow.backend.random import using_generator
from neuroflow.population import Population

O = keras.optimizers


@pytest.fixture(autouse=True, params=["processes", "threads"])
def mode(request, monkeypatch):
    """Every test in both ways packs train at once: forked worker processes (where the
    platform forks and no callback wants batch events) and threads (elsewhere)."""
    if request.param == "threads":
        monkeypatch.setattr(population_module, "can_fork", lambda: False)
    return request.param


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


def _meeting(monkeypatch, parties=2):
    """Every pack waits at the start of its training until `parties` packs have started
    (a barrier across processes and threads alike): a fit that trained them one after
    the other breaks it, and the pack's error is raised."""
    barrier = multiprocessing.get_context("fork").Barrier(parties)
    fit = population_module._PackTrainer.fit

    def meet(self, *args, **kwargs):
        barrier.wait(timeout=20)
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(population_module._PackTrainer, "fit", meet)


def test_packs_train_at_once_and_the_peak_counts_them_together(monkeypatch):
    members = [_member((5,), O.SGD(0.05), 0), _member((7,), O.SGD(0.01), 1),
               _member((4,), O.Adam(0.01), 2), _member((6,), O.Adam(0.003), 3)]
    x, y = regression_data()
    with monkeypatch.context() as patched:
        _meeting(patched)
        together = Population(members, workers=2)
        together.fit(x, y, batch_size=16, epochs=1)
    assert sorted(len(p) for p in together.packs) == [2, 2]
    each = []
    for pair in (members[:2], members[2:]):  # each pack's own bytes
        population = Population([twin(m) for m in pair])
        population.fit(x, y, batch_size=16, epochs=1)
        each.append(population.peak_bytes)
    assert together.peak_bytes == sum(each)


class _Fails(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        raise RuntimeError("callback failed at the end of an epoch")


class _Counts(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def on_epoch_end(self, epoch, logs=None):
        self.epochs += 1


def test_an_error_in_one_pack_stops_the_others_and_is_raised(monkeypatch):
    members = [_member((5,), O.SGD(0.05), 0), _member((7,), O.SGD(0.01), 1),
               _member((4,), O.Adam(0.01), 2), _member((6,), O.Adam(0.003), 3)]
    counts = _Counts()
    _meeting(monkeypatch)  # both packs are training when the first one fails
    with pytest.raises(RuntimeError, match="callback failed"):
        Population(members, workers=2).fit(*regression_data(), batch_size=16, epochs=200,
                                           callbacks=[[_Fails()], [], [counts], []])
    assert 0 < counts.epochs < 200  # the other pack stopped at the end of an epoch


class _Records(keras.callbacks.Callback):
    """Runs where the fit was called: what it sees lands in the caller's list."""

    def __init__(self, seen):
        super().__init__()
        self.seen = seen

    def on_epoch_end(self, epoch, logs=None):
        self.seen.append((os.getpid(), epoch, float(self.model.get_weights()[0][0, 0]),
                          float(self.model.optimizer.learning_rate.data)))


def test_callbacks_run_in_the_callers_process_on_the_members_own_models(mode):
    members = [_member((5,), O.SGD(0.05), 0), _member((7,), O.SGD(0.01), 1),
               _member((4,), O.Adam(0.01), 2), _member((6,), O.Adam(0.003), 3)]
    twins = [twin(m) for m in members]
    seen: list = []
    schedule = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
    stopper = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=10.0,
                                            restore_best_weights=True)
    callbacks = [[_Records(seen), schedule], [stopper], [], []]
    keras.backend.set_seed(5)
    histories = Population(members, workers=2).fit(*regression_data(), batch_size=16,
                                                   epochs=4, callbacks=callbacks)
    assert [pid for pid, *_ in seen] == [os.getpid()] * 4  # every epoch, in the caller
    assert [rate for *_, rate in seen] == pytest.approx([0.025, 0.0125, 0.00625, 0.003125])
    assert len(histories[1].history["loss"]) == 2  # stopped after its second epoch
    assert members[1].stop_training and stopper.stopped_epoch == 1
    alone_callbacks = [[_Records([]), keras.callbacks.LearningRateScheduler(
        lambda epoch, lr: lr * 0.5)], [keras.callbacks.EarlyStopping(
            monitor="loss", patience=0, min_delta=10.0, restore_best_weights=True)], [], []]
    for i, (m, t) in enumerate(zip(members, twins, strict=True)):
        keras.backend.set_seed(5)
        alone = t.fit(*regression_data(), batch_size=16, epochs=4, verbose=0,
                      callbacks=alone_callbacks[i])
        assert_same_training(m, t, histories[i], alone)
        for a, b in zip(m.optimizer.variables, t.optimizer.variables, strict=True):
            np.testing.assert_allclose(a.data, b.data, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_bad_workers_is_refused(bad):
    with pytest.raises(ValueError, match="workers must be a positive number"):
        Population([_member((3,), O.SGD(0.1), 0)], workers=bad)


def test_each_members_generator_goes_on_from_where_its_training_left_it():
    members = [_member((5,), O.SGD(0.05), 0, dropout=(0.2, None)),
               _member((7,), O.SGD(0.01), 1, dropout=(0.1, None)),
               _member((4,), O.Adam(0.01), 2, dropout=(0.2, None)),
               _member((6,), O.Adam(0.003), 3, dropout=(0.3, None))]
    twins = [twin(m) for m in members]
    x, y = regression_data()
    generators = [np.random.default_rng(40 + i) for i in range(4)]
    population = Population(members, workers=2)
    population.fit(x, y, batch_size=16, epochs=2, generators=generators)
    assert sorted(len(p) for p in population.packs) == [2, 2]
    for i, t in enumerate(twins):
        alone = np.random.default_rng(40 + i)
        with using_generator(alone):
            t.fit(x, y, batch_size=16, epochs=2, verbose=0)
        assert generators[i].random() == alone.random()


def test_a_worker_process_that_dies_is_an_error_not_a_hang(mode, monkeypatch):
    if mode == "threads":
        pytest.skip("a thread cannot die on its own")
    members = [_member((5,), O.SGD(0.05), 0), _member((7,), O.SGD(0.01), 1),
               _member((4,), O.Adam(0.01), 2), _member((6,), O.Adam(0.003), 3)]
    parent = os.getpid()
    fit = population_module._PackTrainer.fit

    def dies(self, *args, **kwargs):
        if os.getpid() != parent and len(self.net.specs) and self.net.specs[0].index == 0:
            os._exit(3)  # killed: no result, no error sent
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(population_module._PackTrainer, "fit", dies)
    with pytest.raises(RuntimeError, match="ended without its results"):
        Population(members, workers=2).fit(*regression_data(), batch_size=16, epochs=2)
