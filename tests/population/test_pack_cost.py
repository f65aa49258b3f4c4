"""The pack split's cost model and the BLAS threads a pack trains and validates on."""

from __future__ import annotations

import numpy as np
import pytest
from population_helpers import assert_same_training, mlp, regression_data, twin

import neuroflow as keras
import neuroflow.population.population as population_module
from neuroflow.population import Population, describe
from neuroflow.population.compiled import PackSteps, loss_targets, width_classes
from neuroflow.population.population import _Padding, _step_seconds
from neuroflow.population.stack import StackedNetwork


def _member(widths, seed=0):
    model = mlp(widths, seed=seed)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    return model


def _packs(widths: list[tuple]) -> list[list[int]]:
    population = Population([_member(w, seed=i) for i, w in enumerate(widths)])
    groups, alone = population.groups()
    assert not alone
    return [sorted(s.index for s in pack) for g in groups
            for pack in population._split(g, 32)]


@pytest.mark.parametrize("widths", [
    [(3,), (5,)], [(7, 7), (2, 9), (4, 4)], [(6, 6, 6), (3,), (9, 2)], [(5,), (8, 8, 8), (2, 2)],
])
def test_the_padding_counts_what_the_stacked_network_multiplies(widths):
    """work() and elements() against the laid-out pack: every member's own Dense layers
    at the pack's padded widths (members of several depths share one hidden width)."""
    specs = [describe(_member(w, seed=i)) for i, w in enumerate(widths)]
    specs.sort(key=lambda s: -s.hidden)
    padding = _Padding(specs[0].widths)
    for s in specs[1:]:
        padding.add(s.widths)
    net = StackedNetwork(specs)
    weights = elements = 0
    for spec in specs:
        for j in net.positions(spec):
            n_in, n_out = int(net.widths[j]), int(net.widths[j + 1])
            weights += n_in * n_out + n_out
            elements += n_out if j < len(net.activations) - 1 else 0
    assert padding.work() == weights
    assert padding.elements() == elements
    assert len(padding.layout) == len(net.widths)


def test_a_step_costs_more_for_each_padded_unit_and_each_layer():
    narrow, wide = _Padding([8, 4, 1]), _Padding([8, 40, 1])
    deeper = _Padding([8, 4, 4, 1])
    assert _step_seconds(narrow, 32) < _step_seconds(wide, 32)
    assert _step_seconds(narrow, 32) < _step_seconds(deeper, 32)
    both = _Padding([8, 4, 1])
    both.add([8, 40, 1])  # the narrow member padded to 40 units
    assert _step_seconds(both, 32) > _step_seconds(wide, 32)


def test_narrow_members_of_every_depth_share_one_pack():
    # per-step overheads dominate: padding 4 to 64 units costs less than a second pack
    assert _packs([(4,)] * 6 + [(64,)] * 6) == [list(range(12))]
    assert _packs([(8, 8, 8)] * 4 + [(8,)] * 4) == [list(range(8))]


def test_deep_wide_members_leave_deep_narrow_ones_in_a_pack_of_their_own():
    # padding 16 to 120 units in two hidden-to-hidden layers would cost 8 x 2 x 120^2
    # weights per row, far more than one more pack's overhead
    assert _packs([(16, 16, 16)] * 8 + [(120, 120, 120)] * 8) == [list(range(8)),
                                                                  list(range(8, 16))]


class _RecordingChooser:
    """Stands in for ThreadChooser: records what the pack asks for, and when."""

    events: list = []

    def __init__(self, trial_steps: int = 4, *, trial: bool = True) -> None:
        self.events.append(("choose", trial))

    trying = False

    def close(self) -> None:
        self.events.append(("close",))


class _EpochEnd(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        _RecordingChooser.events.append(("epoch end", "val_loss" in (logs or {})))


@pytest.mark.parametrize("units, wide", [((8, 8), False), ((120, 120), True)])
def test_a_pack_trains_and_validates_under_the_threads_one_choice_made(units, wide, monkeypatch):
    """Narrow packs take one BLAS thread without trials, wide ones let the chooser time
    both; either way validation and callbacks run before the threads are given back."""
    monkeypatch.setattr(population_module, "ThreadChooser", _RecordingChooser)
    _RecordingChooser.events = []
    x, y = regression_data(n=32)
    members = [_member(units, seed=0), _member(units, seed=1)]
    Population(members).fit(x, y, batch_size=16, epochs=2, validation_data=(x, y),
                            callbacks=[_EpochEnd()])
    epoch = [("choose", wide), ("epoch end", True), ("epoch end", True), ("close",)]
    assert _RecordingChooser.events == epoch * 2
    assert np.isfinite(members[0].get_weights()[0]).all()


def test_width_classes_cut_where_padding_costs_more_than_the_calls():
    # widths 10 and 100 side by side: 99% of the small one's product is padding
    assert width_classes([100, 100], [10, 100], 32) == [(0, 1, 100, 10), (1, 2, 100, 100)]
    # alike widths: one product over all of them
    assert width_classes([60, 60, 62], [60, 62, 61], 32) == [(0, 3, 62, 62)]
    # every run of members covered once, in order, each with its widest widths
    widths_in = widths_out = [3, 5, 90, 99, 40, 41, 7, 100, 100]
    classes = width_classes(widths_in, widths_out, 32)
    assert [a for a, *_ in classes] == [0] + [b for _, b, *_ in classes[:-1]]
    assert classes[-1][1] == 9
    for a, b, w_in, w_out in classes:
        assert (w_in, w_out) == (max(widths_in[a:b]), max(widths_out[a:b]))
    assert 1 < len(classes) < 9


def test_a_pack_of_far_apart_widths_multiplies_per_class_and_trains_as_alone():
    x, y = regression_data(n=64)
    widths = [(96, 96), (12, 12), (90, 90), (16, 16)]
    members = [_member(w, seed=i) for i, w in enumerate(widths)]
    twins = [twin(m) for m in members]
    keras.backend.set_seed(3)
    population = Population(members)
    histories = population.fit(x, y, batch_size=32, epochs=2)
    assert population.packs == [[1, 3, 2, 0]]  # one pack, narrow members first
    pack = StackedNetwork(population.groups()[0][0])
    steps = PackSteps(pack)
    steps.train(x[:32], loss_targets(pack, y[:32], (1,)))
    source = next(iter(steps._steps.values())).source
    assert "W1_1" in source and "GW1_1" in source  # the hidden product per class
    for m, t, h in zip(members, twins, histories, strict=True):
        keras.backend.set_seed(3)
        assert_same_training(m, t, h, t.fit(x, y, batch_size=32, epochs=2, verbose=0))
