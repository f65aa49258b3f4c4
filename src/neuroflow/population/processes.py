"""Packs trained in forked worker processes, their members' callbacks run here.

Threads overlap only inside NumPy's calls (the interpreter lock holds the Python between
them), so two of the chapter search's packs on two threads trained 1.05-1.45x faster
than one after the other on the 2-core machine; in two forked processes 1.4-1.8x. A
child trains one pack (a `_PackTrainer` built here, inherited by the fork) with each
member's callbacks replaced by a `_Remote` that sends every callback event to this
process, where the member's own callbacks run on the member's own model: given the
member's weights at each epoch's end, and its weights and optimizer state at its end,
as the pack would have left them on a thread. The answer carries back what the pack
reads: whether the member stops, its learning rate, and whether the fit is aborted.
Histories, the generators' states and the warnings come back when the pack is done.

Callbacks that want batch events keep the packs on threads (a round trip per batch
would cost more than the processes save), as do platforms other than Linux.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import sys
import threading
import traceback
import warnings
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

import numpy as np

from neuroflow.autodiff.tensor import Variable
from neuroflow.callbacks.callback import Callback, CallbackList

__all__ = ["can_fork", "run_in_processes", "Remote"]


def can_fork() -> bool:
    """Whether packs can train in forked processes here: on Linux. (macOS's system
    libraries are not safe to use in a forked child, which is why CPython spawns there;
    Windows has no fork.)"""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _rate(optimizer: Any) -> float | None:
    lr = getattr(optimizer, "_learning_rate", None)
    return float(np.asarray(lr.data)) if isinstance(lr, Variable) else None


def _optimizer_state(model: Any) -> list[np.ndarray]:
    return [np.array(v.data) for v in model.optimizer.variables]


def _load_optimizer_state(model: Any, state: list[np.ndarray]) -> None:
    optimizer = model.optimizer
    if not optimizer.built:
        optimizer.build(model._train_variables())
    variables = optimizer.variables
    if len(variables) != len(state):
        raise RuntimeError(f"Population.fit: member '{model.name}' came back from its worker "
                           f"process with {len(state)} optimizer variables, expected "
                           f"{len(variables)}")
    for v, value in zip(variables, state, strict=True):
        v.data[...] = value


class Remote(Callback):
    """A member's callbacks, in the child: each event is answered by the parent."""

    def __init__(self, connection: Connection, member: int, abort: threading.Event):
        super().__init__()
        self.connection, self.member, self.abort = connection, member, abort

    def _ask(self, event: str, logs: dict | None, *args: Any) -> None:
        self.connection.send(("event", self.member, event, (logs, *args)))
        stop, rate, abort, changed = self.connection.recv()
        if abort:
            self.abort.set()
        self.model.stop_training = stop
        if rate is not None and rate != _rate(self.model.optimizer):
            self.model.optimizer.learning_rate = rate
        if logs is not None and changed is not None:  # what the callbacks added (History
            logs.clear()  # comes after them and records it, as on a thread)
            logs.update(changed)

    def on_train_begin(self, logs=None):
        self._ask("on_train_begin", logs)

    def on_epoch_begin(self, epoch, logs=None):
        self._ask("on_epoch_begin", logs, epoch)

    def on_epoch_end(self, epoch, logs=None):
        self._ask("on_epoch_end", logs, epoch, self.model.get_weights())

    def on_train_end(self, logs=None):
        self._ask("on_train_end", logs, self.model.get_weights(), _optimizer_state(self.model))


class _Job:
    """One pack's child: its process, its members' models and callback lists."""

    def __init__(self, number: int, pid: int, models: list, lists: list[CallbackList],
                 release: Callable[[], None]):
        self.number, self.pid = number, pid
        self.models, self.lists, self.release = models, lists, release
        self.failed = False  # one of its callbacks raised: its events are not answered


def _answer(job: _Job, member: int, event: str, args: tuple) -> dict | None:
    """Run the member's callbacks for one event; the logs as they left them."""
    model, callbacks = job.models[member], job.lists[member]
    logs = args[0]
    if event == "on_train_begin":
        callbacks.on_train_begin(logs)
    elif event == "on_epoch_begin":
        callbacks.on_epoch_begin(args[1], logs)
    elif event == "on_epoch_end":
        model.set_weights(args[2])
        callbacks.on_epoch_end(args[1], logs)
    else:  # on_train_end
        model.set_weights(args[1])
        _load_optimizer_state(model, args[2])
        callbacks.on_train_end(logs)
    return logs


def run_in_processes(numbers: list[int], workers: int, abort: threading.Event,
                     prepare: Callable[[int], tuple[list, list[CallbackList],
                                                    Callable[[], None]]],
                     train: Callable[[int, Connection, threading.Event], dict],
                     finish: Callable[[int, dict], None]) -> None:
    """Train the jobs `numbers` (in that order) in at most `workers` forked processes.

    `prepare(n)` runs here before job n's fork: it returns the pack's member models,
    their callback lists and a function to call when the job ends (its memory released).
    `train(n, connection, abort)` runs in the child and returns the job's results
    (picklable); `finish(n, results)` takes them here. The first error (a callback's
    here, or the child's) aborts the others at their next epoch and is raised once every
    child has ended.
    """
    pending = list(numbers)
    running: dict[Connection, _Job] = {}
    error: BaseException | None = None
    context = multiprocessing.get_context("fork")
    try:
        while pending or running:
            while pending and len(running) < workers and not abort.is_set():
                number = pending.pop(0)
                models, lists, release = prepare(number)
                ours, theirs = context.Pipe()
                with warnings.catch_warnings():
                    # Python 3.12+ warns that forking a process with threads may deadlock
                    # the child on a lock another thread held; this child takes none of
                    # theirs (it trains on NumPy arrays, talks over its pipe and leaves
                    # with os._exit)
                    warnings.simplefilter("ignore", DeprecationWarning)
                    pid = os.fork()
                if pid == 0:  # the child: train, report, and leave without cleanup
                    ours.close()
                    _child(number, theirs, abort, train)
                theirs.close()
                running[ours] = _Job(number, pid, models, lists, release)
            if abort.is_set():
                pending.clear()
            if not running:
                break
            for connection in wait(list(running)):
                job = running[connection]
                try:
                    message = connection.recv()
                except EOFError:
                    message = ("error", RuntimeError(
                        f"Population.fit: the worker process of pack {job.number} ended "
                        "without its results"), "")
                if message[0] == "event":
                    _, member, event, args = message
                    logs = None
                    try:
                        if not job.failed:  # the others' callbacks run until they stop
                            logs = _answer(job, member, event, args)
                    except BaseException as err:  # a callback's error ends the fit
                        job.failed = True
                        error = error or err
                        abort.set()
                    model = job.models[member]
                    connection.send((bool(model.stop_training), _rate(model.optimizer),
                                     abort.is_set(), logs))
                    continue
                _end(job, running, connection)
                if message[0] == "done":
                    if error is None:
                        finish(job.number, message[1])
                elif error is None:
                    error = message[1]
                    abort.set()
    except BaseException as err:
        abort.set()
        error = error or err
        for connection, job in list(running.items()):
            _end(job, running, connection, kill=True)
    if error is not None:
        raise error


def _end(job: _Job, running: dict, connection: Connection, kill: bool = False) -> None:
    if kill:
        try:
            os.kill(job.pid, 9)
        except ProcessLookupError:  # pragma: no cover - it had just ended
            pass
    os.waitpid(job.pid, 0)
    connection.close()
    running.pop(connection, None)
    job.release()


def _child(number: int, connection: Connection, abort: threading.Event,
           train: Callable[[int, Connection, threading.Event], dict]) -> None:
    code = 0
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = train(number, connection, abort)
        result["warnings"] = [(str(w.message), w.category) for w in caught]
        connection.send(("done", result))
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which raises
        code = 1
        try:
            pickle.dumps(err)
            reported: BaseException = err
        except Exception:  # noqa: BLE001 - an exception that does not pickle
            reported = RuntimeError(f"{type(err).__name__}: {err}")
        try:
            connection.send(("error", reported, traceback.format_exc()))
        except Exception:  # noqa: BLE001 - the parent is gone
            pass
    finally:
        connection.close()
        os._exit(code)
