"""The study's database: Optuna's RDBStorage with serialized claims and batched writes.

Three things Optuna's storage does not do for a search shared by many workers:

- **Claims in turn.** Deciding whether a new trial still has a place (count the live
  trials, then ask for one) is atomic across workers only under a lock: without it two
  workers that both saw one free place both created a trial and the loser was stored as
  a failed (surplus) trial. `claims(study_id)` is that lock: an exclusive transaction on
  a small lock database beside an SQLite study, a session advisory lock on PostgreSQL.
  Both are released by the operating system or the server when a worker dies.
- **One transaction per step of a trial, one per pack's end.** A claimed trial's
  attributes are kept in memory (`hold`) and written together with its heartbeat row
  (`commit_claim`), and its results together with its final state; the trials of a pack
  end together (`finish_trials`: every trial's values, state and attributes in one
  transaction). Its own reads are answered from memory.
- **One heartbeat per worker.** A single daemon thread refreshes the heartbeat rows of
  every trial the worker holds in one UPDATE per interval (it was one thread and one
  transaction per trial). Liveness stays per trial, in Optuna's own table, so Optuna's
  reaper (`fail_stale_trials`) still fails exactly the trials of a dead worker.

Writes of a held trial that are lost with a killed worker belong to that trial alone,
which the reaper fails anyway; everything another worker needs (the trial, its plan, its
values and its heartbeat) is written before it trains.
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
        self._pending: dict[int, dict[str, Any]] = {}
        self._beat_thread: threading.Thread | None = None
        self._created = threading.local()  # the trial this thread created last

    def __getstate__(self) -> dict:
        state = super().__getstate__()
        for key in ("_guard", "_held", "_pending", "_beat_thread", "_created"):
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

    def hold(self, trial_id: int) -> None:
        """Keep trial `trial_id` (just claimed by this worker) in memory: its attribute
        writes wait for `commit_claim` or its end, its reads need no query (nor does
        holding a trial this thread has just created)."""
        created, self._created.trial = getattr(self._created, "trial", None), None
        if created is not None and created._trial_id == trial_id:
            frozen = copy.deepcopy(created)  # Optuna's cache keeps the original
        else:
            frozen = super().get_trial(trial_id)
        with self._guard:
            self._held[trial_id] = frozen
            self._pending[trial_id] = {}

    def commit_claim(self, trial_id: int, heartbeat: bool) -> None:
        """Write the held trial's attributes and (with `heartbeat`) its heartbeat row in
        one transaction, and let the worker's heartbeat thread keep it alive."""
        with self._guard:
            attrs = self._pending.get(trial_id, {})
            self._pending[trial_id] = {}
        with _create_scoped_session(self.scoped_session) as session:
            self._write_attrs(session, {trial_id: attrs})
            if heartbeat:
                now = session.execute(sqlalchemy.func.now()).scalar()
                row = models.TrialHeartbeatModel.where_trial_id(trial_id, session, True)
                if row is None:
                    session.add(models.TrialHeartbeatModel(trial_id=trial_id, heartbeat=now))
                else:
                    row.heartbeat = now
        if heartbeat:
            self._start_beating()

    def release(self, trial_id: int) -> None:
        """Forget a held trial (its end is recorded, or another worker failed it)."""
        with self._guard:
            self._held.pop(trial_id, None)
            self._pending.pop(trial_id, None)

    def set_trial_user_attr(self, trial_id: int, key: str, value: Any) -> None:
        with self._guard:
            if trial_id in self._held:
                self._held[trial_id].user_attrs[key] = copy.deepcopy(value)
                self._pending[trial_id][key] = value
                return
        super().set_trial_user_attr(trial_id, key, value)

    def _set_trial_param(self, trial_id: int, param_name: str, param_value_internal: float,
                         distribution: Any, previous_distribution: Any) -> None:
        super()._set_trial_param(trial_id, param_name, param_value_internal, distribution,
                                 previous_distribution)
        with self._guard:
            frozen = self._held.get(trial_id)
            if frozen is not None:
                frozen.params[param_name] = distribution.to_external_repr(param_value_internal)
                frozen.distributions[param_name] = distribution

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
        """Record the ends of several trials (each its final state, values and unwritten
        attributes) in one transaction, and forget them. Returns the ids of the trials
        another worker had already finished (its reaper): those are left as they are."""
        ids = [trial_id for trial_id, _, _ in ends]
        with self._guard:
            attrs = {trial_id: self._pending.get(trial_id, {}) for trial_id in ids}
        finished = []
        try:
            with _create_scoped_session(self.scoped_session) as session:
                table = models.TrialModel
                rows = {row.trial_id: row for row in session.scalars(
                    sqlalchemy.select(table).where(table.trial_id.in_(ids)).with_for_update())}
                for trial_id, state, values in ends:
                    trial = rows.get(trial_id)
                    if trial is None:
                        raise KeyError(f"no trial with id {trial_id} in the study database")
                    if trial.state.is_finished():
                        finished.append(trial_id)
                        continue
                    for objective, value in enumerate(values or ()):
                        self._set_trial_value_without_commit(session, trial, objective, value)
                    trial.state = state
                    trial.datetime_complete = datetime.now()  # Optuna's clock for it
                self._write_attrs(session, {trial_id: values for trial_id, values in attrs.items()
                                            if trial_id not in finished})
        finally:
            for trial_id in ids:
                self.release(trial_id)
        return finished

    def _write_attrs(self, session: Any, attrs: dict[int, dict[str, Any]]) -> None:
        """Write user attributes of trials the caller has checked are updatable: one read
        of which keys exist, the new ones in one INSERT (Optuna's own write reads the
        trial and the attribute again for every key)."""
        attrs = {trial_id: values for trial_id, values in attrs.items() if values}
        if not attrs:
            return
        table = models.TrialUserAttributeModel
        existing = {(trial_id, key): row_id for row_id, trial_id, key in session.execute(
            sqlalchemy.select(table.trial_user_attribute_id, table.trial_id, table.key)
            .where(table.trial_id.in_(list(attrs))))}
        new = []
        for trial_id, values in attrs.items():
            for key, value in values.items():
                row_id = existing.get((trial_id, key))
                if row_id is None:
                    new.append({"trial_id": trial_id, "key": key, "value_json": json.dumps(value)})
                else:
                    session.execute(sqlalchemy.update(table)
                                    .where(table.trial_user_attribute_id == row_id)
                                    .values(value_json=json.dumps(value)))
        if new:
            session.execute(sqlalchemy.insert(table), new)

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
