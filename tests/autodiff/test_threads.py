"""Tapes, traces and the global generator are per thread: one thread never records,
traces or draws for another (a population trains packs on several threads at once)."""

from __future__ import annotations

import threading

import numpy as np

import neuroflow as keras
from neuroflow.autodiff import GradientTape, Variable, is_recording
from neuroflow.autodiff.primitive import active_trace, tracing
from neuroflow.backend.random import global_rng, using_generator


def _in_thread(body, inside: threading.Event, done: threading.Event) -> threading.Thread:
    """Run `body` in a thread that sets `inside` once in its block, then waits for `done`."""
    errors = []

    def target():
        try:
            body(inside, done)
        except BaseException as err:  # noqa: BLE001 - reported by the test
            errors.append(err)
            inside.set()

    thread = threading.Thread(target=target)
    thread.errors = errors
    thread.start()
    assert inside.wait(timeout=30)
    return thread


def test_a_tape_in_another_thread_does_not_record_this_threads_ops():
    def body(inside, done):
        with GradientTape():
            inside.set()
            done.wait(timeout=30)

    inside, done = threading.Event(), threading.Event()
    thread = _in_thread(body, inside, done)
    try:
        w = Variable(np.ones(3, dtype="float32"))
        out = w * 2.0
        assert not is_recording() and not out.requires_grad and out._parents == ()
        with GradientTape() as tape:  # this thread's own tape still records
            loss = (w * 2.0).sum()
        np.testing.assert_array_equal(tape.gradient(loss, w).data, [2.0, 2.0, 2.0])
    finally:
        done.set()
        thread.join()
    assert not thread.errors


def test_a_trace_in_another_thread_takes_none_of_this_threads_binds():
    theirs: list = []

    def body(inside, done):
        with tracing(theirs):
            inside.set()
            done.wait(timeout=30)

    inside, done = threading.Event(), threading.Event()
    thread = _in_thread(body, inside, done)
    try:
        assert active_trace() is None
        ours: list = []
        with tracing(ours):  # no "traces do not nest": the other trace is the other's
            Variable(np.ones(2, dtype="float32")) + 1.0
        assert len(ours) == 1
    finally:
        done.set()
        thread.join()
    assert not thread.errors and theirs == []


def test_a_threads_own_generator_leaves_the_global_draws_alone():
    keras.utils.set_random_seed(3)
    expected = global_rng().random(4)

    def body(inside, done):
        with using_generator(np.random.default_rng(99)):
            assert global_rng().random() == np.random.default_rng(99).random()
            inside.set()
            done.wait(timeout=30)

    keras.utils.set_random_seed(3)
    inside, done = threading.Event(), threading.Event()
    thread = _in_thread(body, inside, done)
    try:
        drawn = global_rng().random(4)
    finally:
        done.set()
        thread.join()
    assert not thread.errors
    np.testing.assert_array_equal(drawn, expected)
