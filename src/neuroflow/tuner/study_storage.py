"""The study's database: Optuna's RDBStorage with serialized claims and batched writes.

Three things Optuna's storage does not do for a search shared by many workers:

- **Claims in turn.** Deciding whether a new trial still has a place (count the live
  trials, then ask for one) is atomic across workers only under a lock: without it two
  workers that both saw one free place both created a trial and the loser was stored as
  a failed (surplus) trial. `claims(study_id)` is that lock: an exclusive transaction on
  a small lock database beside an SQLite study, a session advisory lock on PostgreSQL.
  Both are released by the operating system or the server when a worker dies.
- **One transaction per step of a pack.** A claimed trial is kept in memory (`hold`):
  its attribute writes wait there, and so do the hyperparameter values it draws while
  its model is built (each still checked against the study's distribution of that
  name when it is drawn). The claims of a pack are written in one transaction with
  their heartbeat rows (`commit_claims`, inside the claim lock), the values its builds
  drew in another (`commit_params`, before it trains), and its ends in a third
  (`finish_trials`: every trial's values, state, attributes and any values not written
  yet). Its own reads are answered from memory, and a read of the study sees the
  values a held trial has drawn but not written.
- **One heartbeat per worker.** A single daemon thread refreshes the heartbeat rows of
  every trial the worker holds in one UPDATE per interval (it was one thread and one
  transaction per trial). Liveness stays per trial, in Optuna's own table, so Optuna's
  reaper (`fail_stale_trials`) still fails exactly the trials of a dead worker.

Writes of a held trial that are lost with a killed worker belong to that trial alone,
which the reaper fails anyway; everything another worker needs (the trial, its plan, its
hyperparameter values and its heartbeat) is written before it trains. A trial between
its creation and its pack's `commit_claims` has no heartbeat row, which Optuna's reaper
skips: no other worker fails it in that window. A worker killed inside that window
would leave such trials running for ever, so the reaper here (`_get_stale_trial_ids`)
also fails a running trial it has seen without a heartbeat row for longer than the grace
period, timed on its own monotonic clock (no clock is compared across machines).
"""

from __future__ import annotations

import contextlib
import copy
import json
import sqlite3
import threading
import time
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy
from optuna import distributions
from optuna.exceptions import UpdateFinishedTrialError
from optuna.storages import RDBStorage
from optuna.storages._rdb import models
from optuna.storages._rdb.storage import _create_scoped_session
from optuna.trial import FrozenTrial, TrialState

__all__ = ["StudyStorage"]


class StudyStorage(RDBStorage):
    """An RDBStorage for a neuroflow search (see the module docstring for why)."""

    def __init__(self, url: str, **kwargs: Any):
        super().__init__(url, **kwargs)
        self._setup_local_state()

    def _setup_local_state(self) -> None:
        self._guard = threading.Lock()
        self._held: dict[int, FrozenTrial] = {}
        self._pending: dict[int, dict[str, Any]] = {}  # unwritten attributes
        self._pending_params: dict[int, dict[str, tuple[float, Any]]] = {}
        self._study_of: dict[int, int] = {}  # held trial -> its study
        self._beat_thread: threading.Thread | None = None
        self._created = threading.local()  # the trial this thread created last
        # study -> {running trial without a heartbeat row: when the reaper first saw it}
        self._unbeating: dict[int, dict[int, float]] = {}

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        for key in ("_guard", "_held", "_pending", "_pending_params", "_study_of",
                    "_beat_thread", "_created", "_unbeating"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        self._setup_local_state()

    # ---- claims ---------------------------------------------------------------------
    @contextlib.contextmanager
    def claims(self, study_id: int) -> Iterator[bool]:
        """Hold the study's claim lock (one worker at a time decides and creates trials);
        gives False where the database has no lock of ours."""
        name = self.engine.name
        database = self.engine.url.database
        if name == "sqlite" and database and database != ":memory:":
            with _sqlite_lock(Path(f"{database}-claims")):
                yield True
        elif name == "postgresql":
            key = zlib.crc32(f"neuroflow-claims:{study_id}".encode())
            with self.engine.connect() as connection:
                connection.execute(sqlalchemy.text("SELECT pg_advisory_lock(:k)"), {"k": key})
                try:
                    yield True
                finally:
                    connection.execute(sqlalchemy.text("SELECT pg_advisory_unlock(:k)"),
                                       {"k": key})
                    connection.commit()
        else:  # one process (in-memory SQLite) or a database without a lock of ours
            yield False

    # ---- a worker's own trials --------------------------------------------------------
    def _create_new_trial(self, study_id: int,
                          template_trial: FrozenTrial | None = None) -> FrozenTrial:
        frozen = super()._create_new_trial(study_id, template_trial)
        self._created.trial = frozen
        return frozen

    def hold(self, trial_id: int, study_id: int) -> None:
        """Keep trial `trial_id` of study `study_id` (just claimed by this worker) in
        memory: its attribute and parameter writes wait for `commit_claims`,
        `commit_params` or its end, its reads need no query (nor does holding a trial this
        thread has just created)."""
        created, self._created.trial = getattr(self._created, "trial", None), None
        if created is not None and created._trial_id == trial_id:
            frozen = copy.deepcopy(created)  # Optuna's cache keeps the original
        else:
            frozen = super().get_trial(trial_id)
        with self._guard:
            self._held[trial_id] = frozen
            self._pending[trial_id] = {}
            self._pending_params[trial_id] = {}
            self._study_of[trial_id] = study_id

    def commit_claims(self, trial_ids: Sequence[int], heartbeat: bool) -> None:
        """Write the held trials' attributes and (with `heartbeat`) their heartbeat rows
        in one transaction, and let the worker's heartbeat thread keep them alive."""
        if not trial_ids:
            return
        attrs = self._take(self._pending, trial_ids)
        try:
            with _create_scoped_session(self.scoped_session) as session:
                self._write_attrs(session, attrs)
                if heartbeat:
                    self._add_heartbeats(session, trial_ids)
        except BaseException:
            self._put_back(self._pending, attrs)
            raise
        if heartbeat:
            self._start_beating()

    @staticmethod
    def _add_heartbeats(session: Any, trial_ids: Sequence[int]) -> None:
        table = models.TrialHeartbeatModel
        now = session.execute(sqlalchemy.func.now()).scalar()
        beating = set(session.scalars(sqlalchemy.select(table.trial_id)
                                      .where(table.trial_id.in_(list(trial_ids)))))
        if beating:
            session.execute(sqlalchemy.update(table).where(table.trial_id.in_(list(beating)))
                            .values(heartbeat=now))
        new = [{"trial_id": trial_id, "heartbeat": now}
               for trial_id in dict.fromkeys(trial_ids) if trial_id not in beating]
        if new:
            session.execute(sqlalchemy.insert(table), new)

    def commit_params(self, trial_ids: Sequence[int]) -> None:
        """Write the hyperparameter values (and attributes) the held trials have set since
        their claim, in one transaction; none when there are none. A trial another
        worker has finished meanwhile (its reaper) is left as it is."""
        params = self._take(self._pending_params, trial_ids)
        attrs = self._take(self._pending, trial_ids)
        if not params and not attrs:
            return
        try:
            with _create_scoped_session(self.scoped_session) as session:
                table = models.TrialModel
                live = set(session.scalars(
                    sqlalchemy.select(table.trial_id)
                    .where(table.trial_id.in_(list({**params, **attrs})))
                    .where(table.state.not_in([s for s in TrialState if s.is_finished()]))
                    .with_for_update()))
                self._write_params(session, {i: v for i, v in params.items() if i in live})
                self._write_attrs(session, {i: v for i, v in attrs.items() if i in live})
        except BaseException:
            self._put_back(self._pending_params, params)
            self._put_back(self._pending, attrs)
            raise

    def _take(self, pending: dict[int, dict], trial_ids: Sequence[int]) -> dict[int, dict]:
        """The unwritten entries of held trials `trial_ids`, leaving none behind."""
        with self._guard:
            taken = {}
            for trial_id in trial_ids:
                values = pending.get(trial_id)
                if values:
                    taken[trial_id], pending[trial_id] = values, {}
            return taken

    def _put_back(self, pending: dict[int, dict], taken: dict[int, dict]) -> None:
        """Return entries `_take` gave out that were not written (newer ones win)."""
        with self._guard:
            for trial_id, values in taken.items():
                if trial_id in pending:
                    pending[trial_id] = {**values, **pending[trial_id]}

    def release(self, trial_id: int) -> None:
        """Forget a held trial (its end is recorded, or another worker failed it)."""
        with self._guard:
            self._held.pop(trial_id, None)
            self._pending.pop(trial_id, None)
            self._pending_params.pop(trial_id, None)
            self._study_of.pop(trial_id, None)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._guard:
            if trial_id in self._held:
                self._held[trial_id].user_attrs[key] = copy.deepcopy(value)
                self._pending[trial_id][key] = value
                return
        super().set_trial_user_attr(trial_id, key, value)

    def _set_trial_param(self, trial_id: int, param_name: str, param_value_internal: float,
                         distribution: Any, previous_distribution: Any) -> None:
        """A held trial's value waits in memory (written by `commit_params` or its end);
        its distribution is checked now, against the one the study already has for
        `param_name`, as Optuna checks it."""
        with self._guard:
            held = trial_id in self._held
        if not held:
            super()._set_trial_param(trial_id, param_name, param_value_internal,
                                     distribution, previous_distribution)
            return
        if previous_distribution is None:
            previous_distribution = self._known_distribution(trial_id, param_name)
        if previous_distribution is not None:
            distributions.check_distribution_compatibility(previous_distribution, distribution)
        with self._guard:
            frozen = self._held.get(trial_id)
            if frozen is None:  # released meanwhile: nothing of it is written any more
                return
            self._pending_params[trial_id][param_name] = (param_value_internal, distribution)
            frozen.params[param_name] = distribution.to_external_repr(param_value_internal)
            frozen.distributions[param_name] = distribution

    def _known_distribution(self, trial_id: int, param_name: str) -> Any:
        """The distribution the trial's study has for `param_name`: an unwritten one of
        another held trial, else the first one in the database (Optuna's own query)."""
        with self._guard:
            study_id = self._study_of[trial_id]
            for other, params in self._pending_params.items():
                if param_name in params and self._study_of.get(other) == study_id:
                    return params[param_name][1]
        with _create_scoped_session(self.scoped_session) as session:
            record = session.scalars(
                sqlalchemy.select(models.TrialParamModel.distribution_json)
                .join(models.TrialModel)
                .where(models.TrialModel.study_id == study_id)
                .where(models.TrialParamModel.param_name == param_name).limit(1)).first()
        return None if record is None else distributions.json_to_distribution(record)

    def get_trial_param(self, trial_id: int, param_name: str) -> float:
        with self._guard:
            pending = self._pending_params.get(trial_id, {}).get(param_name)
        return pending[0] if pending is not None else super().get_trial_param(trial_id,
                                                                               param_name)

    def _get_trials(self, study_id: int, states: Any, included_trial_ids: set[int],
                    trial_id_greater_than: int) -> list[FrozenTrial]:
        """Optuna's read of a study, with the values held trials have not written yet."""
        trials = super()._get_trials(study_id, states, included_trial_ids,
                                     trial_id_greater_than)
        with self._guard:
            if any(self._pending_params.values()):
                for trial in trials:
                    if trial.state.is_finished():  # another worker ended it: never written
                        continue
                    for name, (value, dist) in self._pending_params.get(trial._trial_id,
                                                                        {}).items():
                        trial.params[name] = dist.to_external_repr(value)
                        trial.distributions[name] = dist
        return trials
    def get_trial(self, trial_id: int) -> FrozenTrial:
        with self._guard:
            frozen = self._held.get(trial_id)
            if frozen is not None:
                return copy.deepcopy(frozen)
        return super().get_trial(trial_id)

    def set_trial_state_values(self, trial_id: int, state: TrialState,
                               values: Any = None) -> bool:
        """Record a held trial's end with its unwritten attributes, in one transaction."""
        with self._guard:
            held = trial_id in self._pending
        if not held or not state.is_finished():
            return super().set_trial_state_values(trial_id, state, values)
        if self.finish_trials([(trial_id, state, values)]):
            raise UpdateFinishedTrialError(f"trial {trial_id} has already finished")
        return True

    def finish_trials(self, ends: Sequence[tuple[int, TrialState, Sequence[float] | None]]
                      ) -> list[int]:
        """Record the ends of several trials (each its final state, values, unwritten
        attributes and hyperparameter values) in one transaction, and forget them.
        Returns the ids of the trials another worker had already finished (its reaper):
        those are left as they are."""
        ids = [trial_id for trial_id, _, _ in ends]
        with self._guard:
            attrs = {trial_id: self._pending.get(trial_id, {}) for trial_id in ids}
            params = {trial_id: self._pending_params.get(trial_id, {}) for trial_id in ids}
        finished = []
        try:
            with _create_scoped_session(self.scoped_session) as session:
                table = models.TrialModel
                rows = {row.trial_id: row for row in session.scalars(
                    sqlalchemy.select(table).where(table.trial_id.in_(ids)).with_for_update())}
                for trial_id, state, _values in ends:
                    trial = rows.get(trial_id)
                    if trial is None:
                        raise KeyError(f"no trial with id {trial_id} in the study database")
                    if trial.state.is_finished():
                        finished.append(trial_id)
                        continue
                    trial.state = state
                    trial.datetime_complete = datetime.now()  # Optuna's clock for it
                self._write_values(session, {trial_id: values for trial_id, _, values in ends
                                             if trial_id not in finished})
                self._write_params(session, {trial_id: values
                                             for trial_id, values in params.items()
                                             if trial_id not in finished})
                self._write_attrs(session, {trial_id: values for trial_id, values in attrs.items()
                                            if trial_id not in finished})
        finally:
            for trial_id in ids:
                self.release(trial_id)
        return finished

    @staticmethod
    def _write_values(session: Any, values: dict[int, Sequence[float] | None]) -> None:
        """Write objective values of trials the caller has checked are updatable (Optuna's
        own write reads each value, and flushes the session before each read)."""
        table = models.TrialValueModel
        rows = {}
        for trial_id, vs in values.items():
            for objective, value in enumerate(vs or ()):
                stored, kind = table.value_to_stored_repr(value)
                rows[trial_id, objective] = {"value": stored, "value_type": kind}
        _upsert(session, table, table.trial_value_id, table.objective, "objective", rows)

    @staticmethod
    def _write_params(session: Any, params: dict[int, dict[str, tuple[float, Any]]]) -> None:
        """Insert hyperparameter values of trials the caller has checked are updatable,
        in one INSERT (each was checked against its distribution when it was drawn)."""
        rows = [{"trial_id": trial_id, "param_name": name, "param_value": value,
                 "distribution_json": distributions.distribution_to_json(dist)}
                for trial_id, values in params.items() for name, (value, dist) in values.items()]
        if rows:
            session.execute(sqlalchemy.insert(models.TrialParamModel), rows)

    @staticmethod
    def _write_attrs(session: Any, attrs: dict[int, dict[str, Any]]) -> None:
        """Write user attributes of trials the caller has checked are updatable (Optuna's
        own write reads the trial and the attribute again for every key)."""
        table = models.TrialUserAttributeModel
        rows = {(trial_id, key): {"value_json": json.dumps(value)}
                for trial_id, values in attrs.items() for key, value in values.items()}
        _upsert(session, table, table.trial_user_attribute_id, table.key, "key", rows)

    # ---- the reaper ---------------------------------------------------------------------
    def _get_stale_trial_ids(self, study_id: int) -> list[int]:
        """Optuna's stale trials (heartbeat older than the grace period), and the running
        trials of other workers that this worker has seen without a heartbeat row for
        longer than the grace period: their worker died between creating them and
        writing its pack's claims."""
        stale = super()._get_stale_trial_ids(study_id)
        grace = (self.grace_period if self.grace_period is not None
                 else 2 * self.heartbeat_interval)
        table, beats = models.TrialModel, models.TrialHeartbeatModel
        with _create_scoped_session(self.scoped_session) as session:
            unbeating = session.scalars(
                sqlalchemy.select(table.trial_id)
                .where(table.study_id == study_id, table.state == TrialState.RUNNING)
                .where(~sqlalchemy.exists().where(beats.trial_id == table.trial_id))).all()
        now = time.monotonic()
        with self._guard:
            before = self._unbeating.get(study_id, {})
            seen = self._unbeating[study_id] = {t: before.get(t, now) for t in unbeating
                                                if t not in self._held}
        return stale + [t for t, first in seen.items() if now - first > grace]

    # ---- the worker's heartbeat ---------------------------------------------------------
    def _start_beating(self) -> None:
        with self._guard:
            if self._beat_thread is None:
                self._beat_thread = threading.Thread(target=self._beat_loop, daemon=True,
                                                     name="neuroflow-heartbeat")
                self._beat_thread.start()

    def _beat_loop(self) -> None:
        """Beat while the worker holds trials; the thread ends with its last trial (the
        next claim starts another). It needs only the GIL's turn, which training hands
        over every few milliseconds, and sleeps between beats."""
        interval = self.heartbeat_interval or 1
        while True:
            time.sleep(interval)
            with self._guard:
                if not self._held:
                    self._beat_thread = None
                    return
            try:
                self.beat()
            except Exception:  # noqa: BLE001 - a missed beat is retried at the next tick
                pass

    def beat(self) -> None:
        """Refresh the heartbeat of every trial this worker holds, in one statement."""
        with self._guard:
            ids = list(self._held)
        if not ids:
            return
        table = models.TrialHeartbeatModel
        with _create_scoped_session(self.scoped_session) as session:
            session.execute(sqlalchemy.update(table).where(table.trial_id.in_(ids))
                            .values(heartbeat=session.execute(sqlalchemy.func.now()).scalar()))


def _upsert(session: Any, table: Any, id_column: Any, key_column: Any, key_name: str,
            rows: dict[tuple[int, Any], dict[str, Any]]) -> None:
    """Write rows keyed by (trial id, key) into a per-trial table: one read of which
    exist (updated in place), the new ones in one INSERT."""
    if not rows:
        return
    trial_ids = list({trial_id for trial_id, _ in rows})
    existing = {(trial_id, key): row_id for row_id, trial_id, key in session.execute(
        sqlalchemy.select(id_column, table.trial_id, key_column)
        .where(table.trial_id.in_(trial_ids)))}
    new = []
    for (trial_id, key), columns in rows.items():
        row_id = existing.get((trial_id, key))
        if row_id is None:
            new.append({"trial_id": trial_id, key_name: key, **columns})
        else:
            session.execute(sqlalchemy.update(table).where(id_column == row_id)
                            .values(**columns))
    if new:
        session.execute(sqlalchemy.insert(table), new)


@contextlib.contextmanager
def _sqlite_lock(path: Path) -> Iterator[None]:
    """An exclusive transaction on a lock database: one holder across processes; the
    operating system drops it with a dead holder's file handles."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), timeout=5, isolation_level=None, check_same_thread=False)
    try:
        while True:  # a claim may wait long for another (Hyperband waits for its round)
            try:
                db.execute("BEGIN EXCLUSIVE")
                break
            except sqlite3.OperationalError as err:
                if "locked" not in str(err) and "busy" not in str(err):
                    raise
                time.sleep(0.01)
        try:
            yield
        finally:
            db.execute("COMMIT")
    finally:
        db.close()
