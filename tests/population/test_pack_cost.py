"""The pack split's cost model and the BLAS threads a pack trains and validates on."""

from __future__ import annotations

import numpy as np
import pytest
from population_helpers import mlp, regression_data

import neuroflow as keras
import neuroflow.population.population as population_module
from neuroflow.population import Population, describe
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
