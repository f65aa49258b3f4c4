"""LambdaCallback calls the functions it was given, with the hook's arguments."""

from __future__ import annotations

import pytest

from neuroflow.callbacks import LambdaCallback


def test_epoch_hooks_receive_epoch_and_logs(make_model, data):
    seen = []
    cb = LambdaCallback(on_epoch_end=lambda epoch, logs: seen.append((epoch, "loss" in logs)))
    make_model().fit(*data, epochs=2, verbose=0, callbacks=[cb])
    assert seen == [(0, True), (1, True)]


def test_batch_hook_is_called_per_batch(make_model, data):
    batches = []
    cb = LambdaCallback(on_train_batch_end=lambda batch, logs: batches.append(batch))
    make_model().fit(*data, epochs=1, batch_size=8, verbose=0, callbacks=[cb])
    assert batches == [0, 1, 2, 3]


def test_tf_keras_batch_end_spelling_works(make_model, data):
    batches = []
    cb = LambdaCallback(on_batch_end=lambda batch, logs: batches.append(batch))
    make_model().fit(*data, epochs=1, batch_size=16, verbose=0, callbacks=[cb])
    assert batches == [0, 1]


def test_train_begin_and_end_are_called(make_model, data):
    calls = []
    cb = LambdaCallback(on_train_begin=lambda logs: calls.append("begin"),
                        on_train_end=lambda logs: calls.append("end"))
    make_model().fit(*data, epochs=1, verbose=0, callbacks=[cb])
    assert calls == ["begin", "end"]


def test_unknown_hook_is_refused():
    with pytest.raises(ValueError, match="on_epoch_finish"):
        LambdaCallback(on_epoch_finish=print)
