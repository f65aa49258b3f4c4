"""Oracle: hands out trials from an Optuna study shared by any number of workers.

Workers coordinate through the study alone. A trial claims its place by its number: it
runs only if fewer than `max_trials` unfailed trials (running, queued or complete) have a
smaller number, so concurrent workers never run more than `max_trials` trials together.
Workers count and create trials in turn, under the study's claim lock; on a storage
without one, a trial that loses the race is discarded (stored as failed, marked
surplus). Failed trials
give their place back, so a search ends with `max_trials` completed trials. A worker with
nothing left to start waits for the running trials of the others, so the failure of a
killed worker (noticed through its missing heartbeat) is made good before the search ends.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import logging
import math
import os
import socket
import time
import warnings
from typing import Any

from neuroflow.tuner.errors import FatalError
from neuroflow.tuner.hyperparameters import HyperParameters
from neuroflow.tuner.objective import Objective, get_objective
from neuroflow.tuner.samplers import PlannedSampler, SeededRandomSampler
from neuroflow.tuner.storage import (
    Requeue,
    check_project_study,
    default_storage_url,
    delete_study,
    make_storage,
    quiet,
    require_optuna,
)
from neuroflow.tuner.study_storage import StudyStorage
from neuroflow.tuner.trial import (
    ERROR_ATTR,
    HOST_ATTR,
    PLAN_ATTR,
    SURPLUS_ATTR,
    WORKER_ATTR,
    Trial,
)

__all__ = ["ORACLE_ARGUMENTS", "Oracle"]

ORACLE_ARGUMENTS = ("hyperparameters", "tune_new_entries", "allow_new_entries",
                    "max_retries_per_trial", "max_consecutive_failed_trials", "storage",
                    "heartbeat_interval", "grace_period")

INTERRUPTED_ATTR = "neuroflow:interrupted"
_OBJECTIVE_ATTR = "neuroflow:objective"


def _is_retry(t: Any) -> bool:
    return "failed_trial" in t.system_attrs


def _positive_or_none(name: str, value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"{name} must be a positive integer or None, received {value!r}")
    return value


class Oracle:
    """Decides which trials run; the study it keeps is the search's whole state.

    Args:
        objective: a metric name ('val_accuracy', 'val_loss', ...) or an Objective.
        max_trials: how many trials complete before the search ends (None: until the
            tuner's own schedule is exhausted).
        seed: makes the sampled values reproducible (per trial number).
        hyperparameters: a HyperParameters whose values are pinned in every trial.
        tune_new_entries: when False, hyperparameters not in `hyperparameters` keep their
            default value.
        max_retries_per_trial: how many times a failed trial is queued again with the same
            values (0: it is replaced by a new trial).
        max_consecutive_failed_trials: the search stops with an error after this many
            failures in a row.
        storage: a database URL Optuna accepts (default: SQLite in the project folder).
        heartbeat_interval, grace_period: seconds between a trial's heartbeats and before a
            silent trial counts as failed (default 10 and twice the interval).
    """

    def __init__(self, objective: Any = None, max_trials: int | None = None,
                 seed: int | None = None, hyperparameters: HyperParameters | None = None,
                 tune_new_entries: bool = True, allow_new_entries: bool = True,
                 max_retries_per_trial: int = 0, max_consecutive_failed_trials: int | None = 3,
                 storage: Any = None, heartbeat_interval: int = 10,
                 grace_period: int | None = None):
        self.objective: Objective = get_objective(objective)
        self.max_trials = _positive_or_none("max_trials", max_trials)
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise TypeError(f"seed must be an integer or None, received {seed!r}")
        self.seed = seed
        if hyperparameters is not None and not isinstance(hyperparameters, HyperParameters):
            raise TypeError("hyperparameters must be a neuroflow.tuner.HyperParameters")
        self.hyperparameters = hyperparameters
        self.tune_new_entries = bool(tune_new_entries)
        self.allow_new_entries = bool(allow_new_entries)
        if not isinstance(max_retries_per_trial, int) or max_retries_per_trial < 0:
            raise ValueError("max_retries_per_trial must be a non-negative integer, received "
                             f"{max_retries_per_trial!r}")
        self.max_retries_per_trial = max_retries_per_trial
        self.max_consecutive_failed_trials = _positive_or_none(
            "max_consecutive_failed_trials", max_consecutive_failed_trials)
        self.storage = storage
        self.heartbeat_interval = _positive_or_none("heartbeat_interval", heartbeat_interval)
        self.grace_period = _positive_or_none("grace_period", grace_period)
        self.poll_interval = 0.5
        self.project_dir: str | None = None
        self.study_name: str | None = None
        self._overwrite = False
        self._study = None
        self._started: _dt.datetime | None = None

    # ---- the study ------------------------------------------------------------------
    def _configure(self, project_dir: str, study_name: str, overwrite: bool) -> None:
        self.project_dir, self.study_name, self._overwrite = project_dir, study_name, overwrite

    def _base_sampler(self) -> Any:
        return SeededRandomSampler(self.seed)

    @property
    def study(self) -> Any:
        """The Optuna study (opened, or created, on first use)."""
        if self._study is None:
            self._study = self._open_study()
        return self._study

    def _open_study(self) -> Any:
        optuna = require_optuna()
        optuna.logging.set_verbosity(optuna.logging.WARNING)
        if self.study_name is None:
            raise RuntimeError("the oracle has no project yet: create it through a Tuner")
        url = self.storage if self.storage is not None else default_storage_url(self.project_dir)
        if self.storage is None and not self._overwrite:
            check_project_study(self.project_dir)
        storage = None
        for attempt in range(5):  # workers racing to create the tables may collide once
            try:
                storage = make_storage(url, self.heartbeat_interval, self.grace_period,
                                       self.max_retries_per_trial)
                break
            except Exception as err:  # noqa: BLE001
                if attempt == 4:
                    raise FatalError(f"cannot open the study {self.study_name!r} in {url} "
                                     f"({type(err).__name__}: {err}); pass overwrite=True to "
                                     "start a new search, or use another project_name") from err
                time.sleep(0.5 + attempt)
        if self._overwrite:
            delete_study(storage, self.study_name)
            self._overwrite = False
        study = optuna.create_study(
            storage=storage, study_name=self.study_name, load_if_exists=True,
            direction=self.objective.optuna_direction,
            sampler=PlannedSampler(self._base_sampler()),
        )
        if study.direction.name.lower() != self.objective.optuna_direction:
            raise FatalError(
                f"the study {self.study_name!r} in {url} was created to "
                f"{study.direction.name.lower()} its objective, not to "
                f"{self.objective.optuna_direction} {self.objective.name!r}; use another "
                "project_name or overwrite=True")
        recorded = study.user_attrs.get(_OBJECTIVE_ATTR)
        if recorded is None:
            study.set_user_attr(_OBJECTIVE_ATTR, self.objective.name)
        elif recorded != self.objective.name:
            raise FatalError(
                f"the study {self.study_name!r} optimizes {recorded!r}, not "
                f"{self.objective.name!r}; use another project_name or overwrite=True")
        return study

    def _frozen_trials(self) -> list:
        return self.study.get_trials(deepcopy=False)

    # ---- planning hooks (overridden by grid search and Hyperband) ---------------------
    def _prepare_search(self, tuner: Any) -> None:
        """Called by `Tuner.search` once the study is open (a grid discovers its space)."""

    def _schedule_size(self) -> int | None:
        """How many trials the tuner's schedule holds (None: no schedule)."""
        return None

    def _plan(self, trial: Any, slot: int) -> dict | None:
        """What trial number `slot` of the schedule runs: pinned `values`, `epochs`, ...
        None when there is nothing left for it to do."""
        return {}

    # ---- handing out trials -----------------------------------------------------------
    def _ready(self, slot: int) -> bool:
        """Whether schedule place `slot` can be planned now, without waiting (Hyperband:
        not before the round it continues has finished)."""
        return True

    def create_trials(self, count: int) -> list:
        """Up to `count` trials to train together as one pack: the first as `create_trial`
        hands it out, then as many more as can start now without waiting, all claimed
        under one hold of the claim lock. Empty when the search is over."""
        return self._hand_out(count, wait=True)

    def create_trial(self, wait: bool = True) -> Any:
        """An Optuna trial to run now, or None when the search is over (or, with
        `wait=False`, when only other running trials are left to wait for)."""
        trials = self._hand_out(1, wait=wait)
        return trials[0] if trials else None

    def _hand_out(self, count: int, wait: bool) -> list:
        if self._started is None:
            self._started = _dt.datetime.now()
        while True:
            with self._claims() as locked:
                frozen = self._read_study()
                trials: list = []
                try:
                    while len(trials) < count:
                        if trials and not self._ready(sum(not _is_retry(t) for t in frozen)):
                            break
                        trial, frozen = self._next_trial(frozen, bool(locked))
                        if trial is None:
                            break
                        trials.append(trial)
                finally:  # still under the lock: the next worker sees these plans
                    if locked:
                        self._commit_claims(trials)
            if trials or not wait or not any(t.state.name == "RUNNING" for t in frozen):
                return trials
            time.sleep(self.poll_interval)  # the others' running trials may still fail

    def _claims(self) -> Any:
        """The study's claim lock where the storage has one (see study_storage); it
        gives True while it holds a lock."""
        storage = self._own_storage()
        if storage is None:
            return contextlib.nullcontext()
        return storage.claims(self.study._study_id)

    def _own_storage(self) -> StudyStorage | None:
        storage = getattr(self.study._storage, "_backend", self.study._storage)
        return storage if isinstance(storage, StudyStorage) else None

    def _read_study(self) -> list:
        """Fail the trials of dead workers (queueing their retries), then read the study."""
        optuna = require_optuna()
        with quiet():
            optuna.storages.fail_stale_trials(self.study)
        return self._frozen_trials()

    def _next_trial(self, frozen: list, locked: bool) -> tuple[Any, list]:
        """(a claimed trial or None when nothing can start now, the study as it is now).
        `locked`: this worker holds the claim lock, so `frozen` is still the study."""
        while True:
            self._check_failures(frozen)
            waiting = sorted((t for t in frozen if t.state.name == "WAITING"),
                             key=lambda t: t.number)
            if not waiting and self._exhausted(frozen):
                return None, frozen
            storage = self._own_storage()
            trial = self._ask(waiting, storage) if locked else self._ask_unlocked(storage)
            if locked:  # no other worker created a trial since `frozen` was read
                mine = trial.study._storage.get_trial(trial._trial_id)
                frozen = [t for t in frozen if t.number != trial.number] + [mine]
            else:  # read after the ask: every trial numbered below this one is in it
                frozen = self._frozen_trials()
            plan = self._claim(trial, frozen)
            if plan is None:
                self._discard(trial)
                frozen = self._frozen_trials()
                continue
            trial.set_user_attr(PLAN_ATTR, plan)
            trial.set_user_attr(HOST_ATTR, socket.gethostname())
            trial.set_user_attr(WORKER_ATTR, f"{socket.gethostname()}:{os.getpid()}")
            if not locked:  # no lock to hold the others back: its claim is written now
                self._commit_claims([trial])
            return trial, frozen

    def _commit_claims(self, trials: list) -> None:
        """Write the claims (plans, hosts, workers, heartbeat rows) of trials this worker
        holds, in one transaction."""
        storage = self._own_storage()
        if storage is not None:
            storage.commit_claims([t._trial_id for t in trials],
                                  heartbeat=bool(self.heartbeat_interval))

    def commit_builds(self, trials: list) -> None:
        """Write the hyperparameter values the trials drew while their models were
        built, in one transaction, before they train (each trial's end writes any left)."""
        storage = self._own_storage()
        if storage is not None:
            storage.commit_params([t._trial_id for t in trials])

    def _ask_unlocked(self, storage: StudyStorage | None) -> Any:
        with quiet():
            trial = self.study.ask()
        if storage is not None:
            storage.hold(trial._trial_id, self.study._study_id)
        return trial

    def _ask(self, waiting: list, storage: StudyStorage | None) -> Any:
        """`study.ask` for a worker holding the claim lock, without re-reading the study
        (Optuna's ask reads every unfinished trial again, for each trial of a pack): the
        first of the `waiting` trials this worker can take, else a new trial."""
        optuna = require_optuna()
        study = self.study
        trial_id = None
        for t in waiting:
            try:
                if study._storage.set_trial_state_values(t._trial_id,
                                                         optuna.trial.TrialState.RUNNING):
                    trial_id = t._trial_id
                    break
            except optuna.exceptions.UpdateFinishedTrialError:
                continue
        if trial_id is None:
            trial_id = study._storage.create_new_trial(study._study_id)
        if storage is not None:
            storage.hold(trial_id, study._study_id)
        study._thread_local.cached_all_trials = None  # as ask: samplers see the new trial
        return optuna.Trial(study, trial_id)

    def _live(self, t: Any) -> bool:
        return t.state.name in ("RUNNING", "WAITING", "COMPLETE")

    def _exhausted(self, trials: list) -> bool:
        if self.max_trials is not None and sum(map(self._live, trials)) >= self.max_trials:
            return True
        size = self._schedule_size()
        return size is not None and sum(not _is_retry(t) for t in trials) >= size

    def _claim(self, trial: Any, frozen: list) -> dict | None:
        # `frozen` is read after the ask: every trial numbered below this one is in it
        below = [t for t in frozen if t.number < trial.number]
        if self.max_trials is not None and sum(map(self._live, below)) >= self.max_trials:
            return None
        existing = trial.user_attrs.get(PLAN_ATTR)
        if existing is not None:
            return existing
        slot = sum(not _is_retry(t) for t in below)
        size = self._schedule_size()
        if size is not None and slot >= size:
            return None
        return self._plan(trial, slot)

    def _discard(self, trial: Any) -> None:
        optuna = require_optuna()
        trial.set_user_attr(SURPLUS_ATTR, True)
        self._finish([(trial, optuna.trial.TrialState.FAIL, None)])

    def _finish(self, outcomes: list[tuple[Any, Any, float | None]]) -> None:
        """Record (trial, state, value) ends: in one transaction on our own storage (with
        the sampler's `after_trial`, as `study.tell` does), else one `tell` each."""
        log = logging.getLogger("neuroflow.tuner")
        storage = self._own_storage()
        if storage is None:
            for trial, state, value in outcomes:
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        self.study.tell(trial, value, state=state)
                except Exception as err:  # noqa: BLE001 - another worker failed it first
                    log.warning("could not record the end of trial %s: %s", trial.number, err)
            return
        optuna = require_optuna()
        ends = [(trial._trial_id, state, None if value is None else [value])
                for trial, state, value in outcomes]
        try:
            for trial_id, state, values in ends:
                frozen = storage.get_trial(trial_id)
                self.study.sampler.after_trial(optuna.pruners._filter_study(self.study, frozen),
                                               frozen, state, values)
        finally:
            try:
                finished = set(storage.finish_trials(ends))
            except Exception as err:  # noqa: BLE001 - the search goes on without them
                finished = set()
                log.warning("could not record the end of trials %s: %s",
                            [t.number for t, _, _ in outcomes], err)
            for trial, _, _ in outcomes:
                if trial._trial_id in finished:
                    log.warning("could not record the end of trial %s: another worker "
                                "declared it failed first", trial.number)

    def end_trial(self, trial: Any, value: float | None = None, error: str | None = None,
                  interrupted: bool = False) -> None:
        """Record a finished trial: its objective `value`, or a failure with `error`."""
        self.end_trials([(trial, value, error)], interrupted=interrupted)

    def end_trials(self, ends: list[tuple[Any, float | None, str | None]],
                   interrupted: bool = False) -> None:
        """Record the ends of trials trained together, in one transaction: each
        (trial, objective value, error) completes with its value, or fails with its error
        (or a NaN value); failed trials are queued again up to `max_retries_per_trial`."""
        optuna = require_optuna()
        outcomes = []
        for trial, value, error in ends:
            if value is not None and error is None and not math.isnan(float(value)):
                outcomes.append((trial, optuna.trial.TrialState.COMPLETE, float(value)))
                continue
            if error:
                trial.set_user_attr(ERROR_ATTR, error[-2000:])
            if interrupted:
                trial.set_user_attr(INTERRUPTED_ATTR, True)
            outcomes.append((trial, optuna.trial.TrialState.FAIL, None))
        self._finish(outcomes)
        failed = [t for t, state, _ in outcomes if state == optuna.trial.TrialState.FAIL]
        if self.max_retries_per_trial and not interrupted and failed:
            frozen = [self.study._storage.get_trial(t._trial_id) for t in failed]
            with self._claims():  # new trials, like a claim: one worker at a time
                for t in frozen:
                    Requeue(self.max_retries_per_trial)(self.study, t)

    def _check_failures(self, trials: list) -> None:
        limit = self.max_consecutive_failed_trials
        if not limit:
            return
        finished = [t for t in trials
                    if t.state.name in ("COMPLETE", "FAIL") and t.datetime_complete is not None
                    and t.datetime_complete >= self._started
                    and not t.user_attrs.get(SURPLUS_ATTR)
                    and not t.user_attrs.get(INTERRUPTED_ATTR)]
        finished.sort(key=lambda t: t.datetime_complete)
        last = finished[-limit:]
        if len(last) == limit and all(t.state.name == "FAIL" for t in last):
            unknown = "no error recorded (its worker stopped)"
            errors = "; ".join(
                f"trial {t.number}: "
                + str(t.user_attrs.get(ERROR_ATTR, unknown)).strip().splitlines()[-1][:300]
                for t in last)
            raise RuntimeError(f"{limit} consecutive failed trials; the search stops. Last "
                               f"errors: {errors}")

    # ---- results --------------------------------------------------------------------
    @property
    def trials(self) -> dict[str, Trial]:
        """Every trial of the study except discarded surplus ones, by trial_id."""
        out = {}
        for t in self._frozen_trials():
            if not t.user_attrs.get(SURPLUS_ATTR):
                trial = Trial(t)
                out[trial.trial_id] = trial
        return out

    def get_trial(self, trial_id: str | int) -> Trial:
        """The trial with this id (or number)."""
        key = f"{int(trial_id):04d}"
        trials = self.trials
        if key not in trials:
            raise KeyError(f"no trial {trial_id!r} in study {self.study_name!r}")
        return trials[key]

    def get_best_trials(self, num_trials: int = 1) -> list[Trial]:
        """The completed trials with the best scores, best first (across all workers)."""
        done = [t for t in self._frozen_trials()
                if t.state.name == "COMPLETE" and t.value is not None and t.value == t.value]
        sign = -1.0 if self.objective.direction == "max" else 1.0
        done.sort(key=lambda t: (sign * t.value, t.number))
        return [Trial(t) for t in done[:num_trials]]
