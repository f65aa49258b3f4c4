"""Population: train, evaluate and predict K compiled models in one call.

Members whose structure packs (see `members.describe`) are trained as one stacked
network per pack; the others train alone with their own `fit`. Each member keeps its
own History, callbacks and optimizer hyperparameters, and ends with the weights it would
have had trained alone on the same batches (the equivalence tests prove it).
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from typing import Any

import numpy as np

from neuroflow.backend import random as backend_random
from neuroflow.backend.blas_threads import WIDE_WEIGHTS, ThreadChooser
from neuroflow.backend.random import using_generator
from neuroflow.callbacks.callback import CallbackList
from neuroflow.callbacks.history import History
from neuroflow.population.compiled import SECONDS_PER_FLOP, PackSteps, loss_targets
from neuroflow.population.data import MemberRows
from neuroflow.population.members import MemberSpec, describe
from neuroflow.population.optimizer import StackedOptimizer
from neuroflow.population.processes import Remote, can_fork, run_in_processes
from neuroflow.population.stack import StackedNetwork
from neuroflow.trainers import data_adapter as da

__all__ = ["Population"]


def _slots_per_parameter(model: Any) -> int:
    """How many slot buffers the member's optimizer keeps per weight (probed on 1 weight)."""
    from neuroflow.autodiff.tensor import Variable

    probe = type(model.optimizer).from_config(model.optimizer.get_config())
    variable = Variable(np.zeros((1, 1), dtype=np.float32))
    probe.build([variable])
    return sum(v.data.shape == (1, 1) for v in probe.variables)


# The cost model that decides where a group is cut into packs, in seconds per training
# step (measured on this 2-core machine, one BLAS thread, the California search's packs):
# a fixed cost per pack (the loss plan, the optimizer update, the epoch loop's
# bookkeeping), about eight NumPy calls per Dense layer, the elementwise passes over each
# hidden layer's (rows, batch, units) activations (bias, activation, its derivative, the
# bias gradient), and the stacked products, padding included (`compiled.SECONDS_PER_FLOP`;
# a pack's width classes make its products cheaper than this counts). Fitted to the
# steps of 60 packs cut from that search, plus the epoch loop's own cost per step; end to
# end, splits into more and smaller packs than this model picks were 10-20% slower, fewer
# and larger ones no faster.
_STEP_OVERHEAD_S = 1e-4
_LAYER_OVERHEAD_S = 1e-5
_SECONDS_PER_ELEMENT = 2.5e-9
# A pack whose widest layer's activations outgrow this many bytes leaves the core's cache
# on every step (measured: 8-30-1 members, 6.7 ms per member and epoch at K = 32 or 64,
# 12.8 ms at K = 128): larger groups are cut into several packs.
_CACHE_BYTES = 256 << 10
# Validation inside fit replays the forward pass on blocks of rows this large (bytes of one
# layer's activations for the whole pack): within the cache, as for training steps
# (measured on one thread: blocks of 4 MiB took about 1.4x the time per row of 512 KiB).
_VALIDATION_BLOCK_BYTES = 512 << 10
# Beyond this many weights per member a step is arithmetic, which batching does not save:
# such members train alone (the 784-300-100-10 classifier has 266,610).
_COMPUTE_BOUND_PARAMETERS = 50_000


def _parameters(widths: Any) -> int:
    """Weights of a Dense stack with these layer widths (input first)."""
    return int(sum(int(a) * int(b) + int(b) for a, b in zip(widths[:-1], widths[1:],
                                                           strict=True)))


class _Padding:
    """The widths of a pack grown one member at a time, as `StackedNetwork` lays them out
    (per-position maxima; with depths mixed, one hidden width): O(depth) per member, so
    that the split's dynamic programme stays cheap for hundreds of members."""

    def __init__(self, widths: list[int]):
        self.layout = list(widths)
        self.k, self.mixed = 1, False
        self.hidden = max(widths[1:-1], default=0)
        self.depths = len(widths) - 2  # hidden layers, summed over the members

    def add(self, widths: list[int]) -> None:
        self.k += 1
        self.hidden = max(self.hidden, max(widths[1:-1], default=0))
        self.depths += len(widths) - 2
        if not self.mixed and len(widths) == len(self.layout):
            self.layout = [max(a, b) for a, b in zip(self.layout, widths, strict=True)]
            return
        self.mixed = True
        deepest = max(len(self.layout), len(widths))
        self.layout = [self.layout[0]] + [self.hidden] * (deepest - 2) + [self.layout[-1]]

    def work(self) -> int:
        """The weights the pack's steps multiply: each member its own layers, padded."""
        if not self.mixed:
            return self.k * _parameters(self.layout)
        n_in, n_out, w = self.layout[0], self.layout[-1], self.hidden
        return (self.k * (n_in * w + w + w * n_out + n_out)
                + (self.depths - self.k) * (w * w + w))  # each member's hidden-to-hidden

    def elements(self) -> int:
        """Hidden units the pack's steps compute per row of a batch, padding included."""
        if not self.mixed:
            return self.k * sum(self.layout[1:-1])
        return self.depths * self.hidden


def _step_seconds(padding: _Padding, batch_size: int) -> float:
    """The cost model's time of one training step of the pack `padding` describes."""
    return (_STEP_OVERHEAD_S + _LAYER_OVERHEAD_S * (len(padding.layout) - 1)
            + _SECONDS_PER_ELEMENT * batch_size * padding.elements()
            + SECONDS_PER_FLOP * 6 * batch_size * padding.work())


def _sorted(logs: dict) -> dict:
    return dict(sorted(logs.items()))


def _padding(pack: list[MemberSpec]) -> _Padding:
    padding = _Padding(pack[0].widths)
    for spec in pack[1:]:
        padding.add(spec.widths)
    return padding


def _wide(widths: Any) -> bool:
    """Whether a Dense stack of these widths has a product wide enough for BLAS threads
    to pay (a pack of such layers times its first steps both ways)."""
    return any(int(a) * int(b) >= WIDE_WEIGHTS for a, b in zip(widths[:-1], widths[1:],
                                                               strict=True))


def _narrow(job: list[MemberSpec] | int) -> bool:
    """Whether the job is a pack whose products are all narrow: it trains on one BLAS
    thread, so that several such packs can train at once, one per core (in worker
    processes, or on threads)."""
    return not isinstance(job, int) and len(job) > 1 and not _wide(_padding(job).layout)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS, Windows
        return os.cpu_count() or 1


def _run_threads(run: Callable[[int], None], numbers: list[int], workers: int,
                 abort: threading.Event) -> None:
    """`run(n)` for each job number on `workers` threads, in the order given (each thread
    takes the next job when it is free), under one BLAS thread. NumPy lets go of the
    interpreter lock inside its products and ufuncs, so packs overlap there; the Python
    between those calls holds it (on this 2-core VM the chapter's packs train 1.2-1.3x
    faster on two threads than one after the other). An error
    (or an interrupt) sets `abort`, which ends every other pack at the end of its epoch
    (and the jobs not started yet at once), and is raised here."""
    if not numbers:
        return
    chooser = ThreadChooser(trial=False)
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="neuroflow-pack")
    try:
        futures = [pool.submit(run, n) for n in numbers]
        try:
            done, _ = wait(futures, return_when=FIRST_EXCEPTION)
            failed = [f for f in futures if f in done and f.exception() is not None]
            if failed:
                raise failed[0].exception()
        except BaseException:
            abort.set()
            raise
    finally:
        pool.shutdown(wait=True)
        chooser.close()


class _Running:
    """Bytes the packs training right now hold, and the most they held at once."""

    def __init__(self):
        self._lock = threading.Lock()
        self.now = self.peak = 0

    @contextlib.contextmanager
    def holding(self, nbytes: int) -> Iterator[None]:
        with self._lock:
            self.now += nbytes
            self.peak = max(self.peak, self.now)
        try:
            yield
        finally:
            with self._lock:
                self.now -= nbytes


class Population:
    """K compiled models of compatible structure trained together, each its own model.

    Args:
        models: compiled models. Members that pack (Sequential stacks of Dense and Dropout
            layers with the same depth, activations, loss and optimizer class) train as
            one batched network; hidden widths and per-member hyperparameters (learning
            rate, momentum, weight decay, epsilon, ..., regularization factors, dropout
            rates and seeds) may differ. The others train one at a time.
        memory_budget: bytes one pack may hold (weights, gradients, optimizer slots,
            activations); larger groups are split into several packs. None: no bound.
        workers: how many packs may train at once, each on its own core (packs whose
            products are all narrow; the others, and members that train alone, train
            one after the other): in forked worker processes, whose callbacks still run
            in this process on the members' own models (see `population.processes`), or
            on threads where the platform cannot fork or a callback wants batch events.
            None: one per CPU core. The numbers do not depend on it: every pack draws
            from its own generator.

    After `fit`, `peak_bytes` is the most bytes the packs training at once held, and
    `packs` lists the member indices of each pack trained (alone members appear as
    packs of one).
    """

    def __init__(self, models: list, memory_budget: int | None = None,
                 workers: int | None = None):
        models = list(models)
        if not models:
            raise ValueError("Population: expected at least one model, received none")
        for i, m in enumerate(models):
            if not getattr(m, "compiled", False):
                raise ValueError(f"Population: model {i} ('{getattr(m, 'name', m)}') is not "
                                 "compiled; call compile() on every member first")
        if memory_budget is not None and (isinstance(memory_budget, bool) or not isinstance(
                memory_budget, (int, np.integer)) or memory_budget <= 0):
            raise ValueError("Population: memory_budget must be a positive number of bytes or "
                             f"None, received {memory_budget!r}")
        if workers is not None and (isinstance(workers, bool) or not isinstance(
                workers, (int, np.integer)) or workers < 1):
            raise ValueError(f"Population: workers must be a positive number of packs "
                             f"training at once, or None, received {workers!r}")
        self.models = models
        self.memory_budget = memory_budget
        self.workers = workers
        self.peak_bytes = 0
        self.packs: list[list[int]] = []

    def __len__(self) -> int:
        return len(self.models)

    # ---- grouping -----------------------------------------------------------------
    def groups(self, lengths: list[int] | None = None
               ) -> tuple[list[list[MemberSpec]], list[tuple[int, str]]]:
        """(packable groups of member specs, (index, reason) of members that train alone).

        With `lengths` (each member's number of training rows), members pack only with
        members that take as many steps."""
        by_key: dict[tuple, list[MemberSpec]] = {}
        alone = []
        for i, model in enumerate(self.models):
            spec = describe(model)
            if isinstance(spec, str):
                alone.append((i, spec))
            else:
                spec.index = i
                key = spec.key if lengths is None else (spec.key, lengths[i])
                by_key.setdefault(key, []).append(spec)
        return list(by_key.values()), alone

    def _split(self, group: list[MemberSpec], batch_size: int) -> list[list[MemberSpec]]:
        """The group cut into packs: members sorted by hidden width (then size), then cut
        where padding the small ones to the big ones would cost more than another pack's
        per-step overhead (a cost model, solved exactly by dynamic programming), within
        the memory budget and a pack's activations within the cache. Each pack lists its
        deepest members first."""
        if len(group) == 1:
            return [group]
        group = sorted(group, key=lambda s: (max(s.widths[1:-1], default=0),
                                             _parameters(np.array(s.widths))))
        n = len(group)
        slots = _slots_per_parameter(group[0].model)
        item = np.dtype(group[0].dense[0].kernel.dtype).itemsize
        dims = [s.widths for s in group]
        best = [0.0] + [math.inf] * n  # best[j]: cost of packing the first j members
        cut = [0] * (n + 1)
        for j in range(1, n + 1):
            padding = _Padding(dims[j - 1])
            for i in range(j - 1, -1, -1):
                if i < j - 1:
                    padding.add(dims[i])
                k, layout = j - i, padding.layout
                size = _parameters(layout)
                nbytes = k * item * (size * (3 + slots) + 3 * batch_size * sum(layout))
                activations = k * batch_size * max(layout[1:]) * item
                if k > 1 and (size > _COMPUTE_BOUND_PARAMETERS or activations > _CACHE_BYTES
                              or (self.memory_budget is not None
                                  and nbytes > self.memory_budget)):
                    break
                cost = best[i] + _step_seconds(padding, batch_size)
                if cost < best[j]:
                    best[j], cut[j] = cost, i
        packs, j = [], n
        while j:
            packs.append(sorted(group[cut[j]:j], key=lambda s: -s.hidden))
            j = cut[j]
        return packs[::-1]

    # ---- fit ----------------------------------------------------------------------
    def fit(self, x: Any = None, y: Any = None, batch_size: int | None = None, epochs: int = 1,
            verbose: Any = 0, callbacks: list | None = None, validation_split: float = 0.0,
            validation_data: Any = None, shuffle: bool = True, initial_epoch: int = 0,
            validation_batch_size: int | None = None, validation_freq: int = 1,
            rows: list | None = None, generators: list | None = None) -> list[History]:
        """Train every member on the same data; returns one History per member.

        `callbacks` is a list of callbacks copied for each member (deep copies), or a list
        of K lists, one per member, used as given. Every pack sees the same batches in
        the same order: each draws its shuffles from a copy of the global generator as
        this fit found it (the batches each member would see trained alone after the
        same seed).

        `rows` (K integer index arrays) trains member k on `x[rows[k]], y[rows[k]]` only
        (its cross-validation fold); `generators` (K NumPy generators) shuffles member
        k's batches and draws its dropout masks from `generators[k]`, as `model.fit`
        would from the global generator. With either, each member sees exactly the
        batches it would see trained alone, and members pack with those of as many rows.
        """
        from neuroflow.trainers.trainer import _check_fit_args, _verbosity

        _verbosity(verbose)
        if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 0:
            raise ValueError(f"Population.fit: epochs must be a non-negative integer, "
                             f"received {epochs!r}")
        _check_fit_args(initial_epoch, validation_data, validation_freq)
        per_member = self._member_callbacks(callbacks)
        first = self.models[0]
        x, y, _ = first._prepare(x, y, None, "Population.fit", check=True)
        if y is None:
            raise ValueError("Population.fit: y is required (the targets), received None")
        val = None
        if validation_data is not None:
            vx, vy, vsw = da.unpack_x_y_sample_weight(tuple(validation_data))
            if vsw is not None:
                raise ValueError("Population.fit: validation sample weights are not supported")
            val = first._prepare(vx, vy, None, "Population.fit: validation_data", check=True)[:2]
        elif validation_split:
            (x, y, _), (vx, vy, _) = da.split_validation(x, y, None, validation_split)
            val = (vx, vy)
        data = da.ArrayData(x, y, None, batch_size, shuffle=bool(shuffle), what="fit")
        rows, generators = self._member_rows(rows, generators, len(x), validation_split)
        for i, model in enumerate(self.models):  # weights drawn as the member's own fit would
            with using_generator(None if generators is None else generators[i]):
                model._ensure_built(x)
        histories: list[History | None] = [None] * len(self.models)
        groups, alone = self.groups(None if rows is None else [len(r) for r in rows])

        def fit_alone(i: int) -> History:
            own = slice(None) if rows is None else rows[i]
            with using_generator(None if generators is None else generators[i]):
                return self.models[i].fit(
                    x[own], y[own], batch_size=data.batch_size, epochs=epochs,
                    verbose=verbose, callbacks=per_member[i], validation_data=val,
                    shuffle=shuffle, initial_epoch=initial_epoch,
                    validation_batch_size=validation_batch_size,
                    validation_freq=validation_freq)

        jobs: list[list[MemberSpec] | int] = [i for i, _reason in alone]
        for group in groups:
            jobs.extend(self._split(group, data.batch_size))
        self.packs = [[job] if isinstance(job, int) else [s.index for s in job]
                      for job in jobs]
        # every job (a pack, or a member trained alone) draws from the generator as it was
        # when this fit began, so that each member sees the batches it would see trained
        # alone after the same seed, and no job's draws depend on another's (or on the
        # thread it ran on); the first job draws from the global generator itself, which
        # then goes on from where a fit of these epochs leaves it
        start = copy.deepcopy(backend_random.global_rng())
        running = _Running()
        abort = threading.Event()  # set when a pack training on another thread failed

        def trainer_for(job: list[MemberSpec]) -> _PackTrainer:
            return _PackTrainer(
                job, x, y, data.batch_size, bool(shuffle),
                None if rows is None else [rows[s.index] for s in job],
                None if generators is None else [generators[s.index] for s in job],
                val, validation_batch_size or data.batch_size, validation_freq)

        def generator_for(number: int) -> np.random.Generator | None:
            return None if number == 0 else copy.deepcopy(start)

        def run(number: int) -> None:
            if abort.is_set():
                return
            job = jobs[number]
            with using_generator(generator_for(number)):
                if isinstance(job, int) or len(job) == 1:  # its own fit, its fastest path
                    i = job if isinstance(job, int) else job[0].index
                    histories[i] = fit_alone(i)
                    return
                trainer = trainer_for(job)
                with running.holding(trainer.nbytes):
                    trained = trainer.fit(epochs, initial_epoch,
                                          [per_member[s.index] for s in job], abort)
            for s, h in zip(job, trained, strict=True):
                histories[s.index] = h

        together = [n for n, job in enumerate(jobs) if _narrow(job)]
        workers = min(self.workers or _cores(), len(together))
        if workers < 2:
            together = []
        for number in range(len(jobs)):
            if number not in together:
                run(number)
        order = sorted(together, key=lambda n: -_step_seconds(_padding(jobs[n]),
                                                                data.batch_size))
        batch_hooks = any(CallbackList(per_member[s.index]).has_batch_hooks(hook)
                          for n in together for s in jobs[n]
                          for hook in ("on_train_batch_begin", "on_train_batch_end"))
        if order and can_fork() and not batch_hooks:
            trainers: dict[int, _PackTrainer] = {}

            def prepare(number: int) -> tuple[list, list, Callable[[], None]]:
                job = jobs[number]
                trainer = trainers[number] = trainer_for(job)
                lists = [CallbackList(list(per_member[s.index]), model=s.model,
                                      params=trainer.callback_params(epochs)) for s in job]
                for s in job:
                    s.model.stop_training = False
                holding = running.holding(trainer.nbytes)
                holding.__enter__()

                def release() -> None:
                    trainers.pop(number, None)
                    holding.__exit__(None, None, None)
                return [s.model for s in job], lists, release

            def train(number: int, connection: Any, stop: threading.Event) -> dict:
                job = jobs[number]
                remotes = [[Remote(connection, m, stop)] for m in range(len(job))]
                with using_generator(generator_for(number)):
                    trained = trainers[number].fit(epochs, initial_epoch, remotes, stop)
                return {"histories": [(h.history, h.epoch, h.params) for h in trained],
                        "global": (backend_random.global_rng().bit_generator.state
                                   if number == 0 else None),
                        "members": None if generators is None else [
                            generators[s.index].bit_generator.state for s in job]}

            def finish(number: int, result: dict) -> None:
                job = jobs[number]
                for s, (log, epoch_list, params) in zip(job, result["histories"],
                                                         strict=True):
                    history = History()
                    history.set_model(s.model)
                    history.set_params(params)
                    history.history, history.epoch = log, epoch_list
                    s.model.history = histories[s.index] = history
                if result["global"] is not None:
                    backend_random.global_rng().bit_generator.state = result["global"]
                for s, state in zip(job, result["members"] or (), strict=False):
                    generators[s.index].bit_generator.state = state
                for message, category in result["warnings"]:
                    warnings.warn(message, category, stacklevel=4)

            chooser = ThreadChooser(trial=False)  # one BLAS thread in every child
            try:
                run_in_processes(order, workers, abort, prepare, train, finish)
            finally:
                chooser.close()
        else:
            _run_threads(run, order, workers, abort)
        self.peak_bytes = running.peak
        return histories

    def _member_rows(self, rows: Any, generators: Any, n: int,
                     validation_split: float) -> tuple[list | None, list | None]:
        """`rows` and `generators` checked (one per member); rows default to all of them
        when only generators are given."""
        k = len(self.models)
        if rows is None and generators is None:
            return None, None
        if validation_split and rows is not None:  # rows index x before the split
            raise ValueError("Population.fit: validation_split cannot be combined with rows; "
                             "pass validation_data")
        if generators is not None:
            generators = list(generators)
            if len(generators) != k or not all(isinstance(g, np.random.Generator)
                                               for g in generators):
                raise ValueError(f"Population.fit: generators must be {k} numpy Generators "
                                 f"(one per member), received {generators!r:.200}")
        if rows is None:
            return [np.arange(n) for _ in range(k)], generators
        rows = [np.asarray(r) for r in rows]
        if len(rows) != k:
            raise ValueError(f"Population.fit: rows must hold one index array per member "
                             f"({k}), received {len(rows)}")
        for i, r in enumerate(rows):
            if r.ndim != 1 or r.size == 0 or not np.issubdtype(r.dtype, np.integer) or (
                    r.min() < -n or r.max() >= n):
                raise ValueError(f"Population.fit: rows[{i}] must be a non-empty 1-D array "
                                 f"of row indices into x's {n} rows, received "
                                 f"{r.dtype} of shape {r.shape}")
        return rows, generators

    def _member_callbacks(self, callbacks: Any) -> list[list]:
        k = len(self.models)
        if callbacks is None:
            return [[] for _ in range(k)]
        callbacks = list(callbacks)
        if callbacks and all(isinstance(c, (list, tuple)) for c in callbacks):
            if len(callbacks) != k:
                raise ValueError(f"Population.fit: callbacks has {len(callbacks)} lists for "
                                 f"{k} members; pass one list per member or one flat list")
            return [list(c) for c in callbacks]
        if any(isinstance(c, (list, tuple)) for c in callbacks):
            raise ValueError("Population.fit: callbacks must be a list of callbacks or a list "
                             "of one list per member, not a mix")
        return [[copy.deepcopy(c) for c in callbacks] for _ in range(k)]

    # ---- evaluate / predict -------------------------------------------------------
    def evaluate(self, x: Any = None, y: Any = None, batch_size: int | None = None,
                 return_dict: bool = False) -> list:
        """Each member's loss (and metrics): a list of K scalars, lists or dicts."""
        first = self.models[0]
        x, y, _ = first._prepare(x, y, None, "Population.evaluate", check=False)
        if y is None:
            raise ValueError("Population.evaluate: y is required (the targets), received None")
        bs = da.check_batch_size(batch_size, "Population.evaluate")
        out: list = [None] * len(self.models)
        groups, alone = self.groups()
        for i, _reason in alone:
            out[i] = self.models[i].evaluate(x, y, batch_size=bs, verbose=0, return_dict=True)
        for group in groups:
            for pack in self._split(group, bs):
                steps = PackSteps(StackedNetwork(pack))
                for s, logs in zip(pack, _evaluate(steps, x, _targets(steps.net, y), bs),
                                   strict=True):
                    out[s.index] = logs
        if return_dict:
            return out
        return [next(iter(d.values())) if len(d) == 1 else list(d.values()) for d in out]

    def predict(self, x: Any, batch_size: int | None = None) -> np.ndarray:
        """Every member's outputs for `x`, stacked: shape (K, samples, ...)."""
        if x is None:
            raise ValueError("Population.predict: x is required, received None")
        x = da.to_array_structure(x, "Population.predict: x", cast_float=True)
        bs = da.check_batch_size(batch_size, "Population.predict")
        out: list = [None] * len(self.models)
        groups, alone = self.groups()
        for i, _reason in alone:
            out[i] = np.asarray(self.models[i].predict(x, batch_size=bs, verbose=0))
        for group in groups:
            for pack in self._split(group, bs):
                preds = _predict(PackSteps(StackedNetwork(pack)), x, bs)
                for m, s in enumerate(pack):
                    out[s.index] = preds[m]
        return np.stack(out)


def _batches(n: int, bs: int):
    for start in range(0, n, bs):
        yield slice(start, min(start + bs, n))


def _targets(net: StackedNetwork, y: np.ndarray) -> np.ndarray:
    """The targets as the pack's loss reads them (see `compiled.loss_targets`)."""
    return loss_targets(net, y, (int(net.widths[-1]),))


def _predict(steps: PackSteps, x: np.ndarray, bs: int) -> np.ndarray:
    out = None
    for s in _batches(len(x), bs):
        preds = steps.predict(x[s])
        if out is None:
            out = np.empty((preds.shape[0], len(x), *preds.shape[2:]), dtype=preds.dtype)
        out[:, s] = preds
    return out


def _evaluate(steps: PackSteps, x: np.ndarray, y: np.ndarray, bs: int,
              members: list[int] | None = None) -> list[dict]:
    """Each member's loss and metrics on (x, y), as `Model.evaluate` computes them;
    `y` as `_targets` gives it."""
    net = steps.net
    members = list(range(len(net.specs))) if members is None else members
    for m in members:
        net.specs[m].model.compiled_metrics.reset_state()
    total = np.zeros(len(net.specs))
    penalty = net.penalties(with_gradient=False)
    metrics = any(net.specs[m].model.compiled_metrics.has_metrics for m in members)
    for s in _batches(len(x), bs):
        values, preds = steps.test(x[s], y[s])
        if penalty is not None:
            values = values + penalty
        total += values * (s.stop - s.start)
        if metrics:
            net.metrics_update(y[s], preds, members)
    out = []
    for m in members:
        logs = {"loss": float(total[m] / len(x))}
        metrics = net.specs[m].model.compiled_metrics
        if metrics.built:
            logs.update(metrics.result())
        out.append(_sorted(logs))
    return out


class _PackTrainer:
    """The epoch loop of one pack: stacked steps, per-member logs and callbacks."""

    def __init__(self, pack: list[MemberSpec], x: np.ndarray, y: np.ndarray,
                 batch_size: int, shuffle: bool, rows: list | None,
                 generators: list | None, val: tuple | None, val_batch_size: int,
                 validation_freq: Any):
        self.net = StackedNetwork(pack)
        self.net.generators = generators
        self.opt = StackedOptimizer([s.model for s in pack], self.net.params)
        self.steps = PackSteps(self.net, self.opt.optimizer.scale_loss(1.0))
        y = _targets(self.net, y)
        self.per_member = rows is not None
        self.data: da.ArrayData | MemberRows
        if rows is None:
            self.data = da.ArrayData(x, y, None, batch_size, shuffle=shuffle, what="fit")
        else:
            self.data = MemberRows(x, y, rows, generators if shuffle else None, batch_size)
        self.val = None if val is None else (val[0], _targets(self.net, val[1]))
        self.val_batch_size, self.validation_freq = val_batch_size, validation_freq
        self.nbytes = len(pack) * self.net.nbytes_per_member(batch_size,
                                                             self.opt.slot_count())
        self.layouts = [self._layout(s) for s in pack]
        self.wide = _wide(self.net.widths)
        self.opt.load(self.layouts)
        self._by_member = dict(enumerate(pack))

    def _layout(self, spec: MemberSpec) -> list:
        """(offset, padded shape, corner) of each of the member's trainable variables."""
        where = {}
        for j, layer in zip(self.net.positions(spec), spec.dense, strict=True):
            (k_off, n_in, n_out), bias = self.net.offsets[j]
            a, b = layer.kernel.shape
            where[id(layer.kernel)] = (k_off, (n_in, n_out), (slice(0, a), slice(0, b)))
            if bias is not None:
                where[id(layer.bias)] = (bias[0], (bias[1],), (slice(0, b),))
        return [where[id(v)] for v in spec.model._train_variables()]

    def callback_params(self, epochs: int) -> dict:
        """The `params` the members' callbacks see, as a member's own fit gives them."""
        return {"verbose": 0, "epochs": epochs, "steps": self.data.steps}

    def fit(self, epochs: int, initial_epoch: int, callbacks: list[list],
            abort: threading.Event | None = None) -> list[History]:
        """Train the pack; every member stops at the end of an epoch once `abort` is set
        (another pack of the same fit failed)."""
        from neuroflow.trainers.trainer import _should_validate

        net, opt, steps, per_member = self.net, self.opt, self.steps, self.per_member
        specs = list(net.specs)
        histories = [History() for _ in specs]
        lists = [CallbackList(list(cbs) + [h], model=s.model,
                              params=self.callback_params(epochs))
                 for s, cbs, h in zip(specs, callbacks, histories, strict=True)]
        active = list(range(len(specs)))  # member number of each row of the pack
        finals: dict[int, dict] = {}
        for s in specs:
            s.model._prepare_train_step()
            s.model.stop_training = False
        for cbs in lists:
            cbs.on_train_begin()
        hooks = any(c.has_batch_hooks("on_train_batch_begin")
                    or c.has_batch_hooks("on_train_batch_end") for c in lists)
        metrics = any(s.model.compiled_metrics.has_metrics for s in specs)
        for epoch in range(initial_epoch, epochs):
            for m in active:
                specs[m].model.reset_metrics()
                lists[m].on_epoch_begin(epoch)
            opt.refresh_rates()
            sums, count = np.zeros(len(active)), 0
            # the BLAS threads: one when every member's products are narrow (a stacked
            # product is one small product per member, too small to share), else one or
            # the default, whichever runs this epoch's first steps faster; validation
            # keeps them (with the default threads on a busy machine, the stacked
            # products of a validation block ran 30x slower)
            chooser = ThreadChooser(trial=self.wide)
            threads = chooser if chooser.trying else None
            # validated at the epoch's end as Model.fit does, also when the loss went NaN
            validate = self.val is not None and _should_validate(epoch, self.validation_freq)
            try:
                for step, (xb, yb, _) in enumerate(self.data.batches()):
                    if hooks:
                        for m in active:
                            lists[m].batch_hook("on_train_batch_begin", step)
                    if threads is not None:
                        threads.start()
                    values, preds = steps.train(xb, yb, per_member)
                    penalty = net.penalties(with_gradient=True)
                    if penalty is not None:
                        values = values + penalty
                    opt.apply(net.grads)
                    if threads is not None:
                        threads.stop()
                        threads = threads if threads.trying else None
                    rows_in_batch = xb.shape[1] if per_member else len(xb)
                    sums += values * rows_in_batch
                    count += rows_in_batch
                    if metrics:
                        net.metrics_update(yb, preds, list(range(len(active))), per_member)
                    bad = np.flatnonzero(~np.isfinite(values)) if not math.isfinite(
                        float(values.sum())) else ()
                    if hooks:
                        net.store()
                        for row, m in enumerate(active):
                            lists[m].batch_hook("on_train_batch_end", step,
                                                self._logs(specs[m], sums[row] / count))
                    if len(bad):
                        active, sums = self._fail(epoch, step, specs, lists, active, sums,
                                                  count, bad.tolist(), finals, validate)
                        if not active:
                            break
                if active:  # validated under the threads the epoch's steps chose
                    self._end_epoch(epoch, specs, lists, active, sums / max(count, 1),
                                    finals, validate=validate)
            finally:
                chooser.close()
            if not active:
                break
            aborted = abort is not None and abort.is_set()
            stopped = [m for m in active if aborted or specs[m].model.stop_training]
            if stopped:
                self._leave(specs, lists, stopped, finals)
                rows = [r for r, m in enumerate(active) if m not in stopped]
                active = [active[r] for r in rows]
                if not active:
                    break
                self._compact(rows)
        self._leave(specs, lists, active, finals)
        return histories

    def _fail(self, epoch: int, step: int, specs: list, lists: list, active: list[int],
              sums: np.ndarray, count: int, bad: list[int], finals: dict,
              validate: bool) -> tuple[list[int], np.ndarray]:
        """Members whose loss went NaN or inf leave at this batch, their epoch ended (and
        validated when due) as Model.fit ends it; (the rows still training, their sums)."""
        failed = [active[r] for r in bad]
        for m in failed:
            warnings.warn(
                f"Population.fit: member {specs[m].index}'s loss became NaN or inf at epoch "
                f"{epoch + 1}, batch {step + 1}; it stops training", RuntimeWarning,
                stacklevel=4)
        self._end_epoch(epoch, specs, lists, failed, sums[bad] / count, finals, validate)
        self._leave(specs, lists, failed, finals)
        rows = [r for r in range(len(active)) if r not in set(bad)]
        if rows:
            self._compact(rows)
        return [active[r] for r in rows], sums[rows]

    def _logs(self, spec: MemberSpec, loss: float) -> dict:
        logs = {"loss": float(loss)}
        metrics = spec.model.compiled_metrics
        if metrics.built:
            logs.update(metrics.result())
        return _sorted(logs)

    def _end_epoch(self, epoch: int, specs: list, lists: list, members: list[int],
                   losses: np.ndarray, finals: dict, validate: bool) -> None:
        net = self.net
        rows = [self._row(m) for m in members]
        logs = {m: self._logs(specs[m], loss) for m, loss in zip(members, losses, strict=True)}
        if validate:
            vx, vy = self.val
            for m, val_logs in zip(members, _evaluate(self.steps, vx, vy,
                                                      self._validation_block(), rows),
                                   strict=True):
                logs[m].update({f"val_{k}": v for k, v in val_logs.items()})
        net.store(rows)
        for m in members:
            lists[m].on_epoch_end(epoch, logs[m])
            finals[m] = logs[m]

    def _validation_block(self) -> int:
        """Rows per validation replay: at least the validation batch size, more while a
        layer's activations stay within `_VALIDATION_BLOCK_BYTES` (fewer, larger replays;
        each row's loss does not depend on the rows beside it)."""
        net = self.net
        row_bytes = len(net.specs) * int(net.widths.max()) * np.dtype(net.dtype).itemsize
        return max(self.val_batch_size, _VALIDATION_BLOCK_BYTES // max(row_bytes, 1))

    def _row(self, member: int) -> int:
        """The member's current row in the pack (rows shift as members leave)."""
        return next(r for r, s in enumerate(self.net.specs) if s is self._by_member[member])

    def _leave(self, specs: list, lists: list, members: list[int], finals: dict) -> None:
        """Store the leaving members' weights and optimizer state and end their training."""
        for m in members:
            row = self._row(m)
            self.net.store([row])
            self.opt.store(row, self.layouts[m])
            lists[m].on_train_end(finals.get(m, {}))

    def _compact(self, rows: list[int]) -> None:
        self.net.keep(rows)
        self.opt.keep(rows)
        self.steps.reset()
        if self.per_member:
            self.data.keep(rows)

