"""Opening the study: Optuna's RDB storage with heartbeats, from a database URL."""

from __future__ import annotations

import contextlib
import inspect
import os
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

__all__ = ["Requeue", "check_project_study", "default_storage_url", "delete_study",
           "make_storage", "quiet", "require_optuna"]

_SQLITE_MAGIC = b"SQLite format 3\x00"


def require_optuna() -> Any:
    """Import Optuna, or explain how to install it."""
    try:
        import optuna
    except ImportError as err:  # pragma: no cover - exercised only without the extra
        raise ImportError("neuroflow.tuner needs Optuna: pip install 'neuroflow[tuner]' "
                          "(or pip install optuna)") from err
    return optuna


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence Optuna's experimental-feature and heartbeat-with-ask warnings."""
    optuna = require_optuna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage")
        yield


def default_storage_url(project_dir: str | os.PathLike) -> str:
    """The embedded default: an SQLite file `study.db` in the project folder."""
    return f"sqlite:///{Path(project_dir).resolve() / 'study.db'}"


def check_project_study(project_dir: str | os.PathLike) -> None:
    """Refuse to reuse a project folder whose default study (`study.db`) cannot be the
    search that wrote its trial folders: missing or empty while trial folders exist (a new
    search would overwrite their checkpoints), or not a readable SQLite database. The
    error names the file; overwrite=True starts afresh instead."""
    from neuroflow.tuner.errors import FatalError

    folder = Path(project_dir)
    path = folder / "study.db"
    trials = sorted(p.name for p in folder.glob("trial_*") if p.is_dir())
    advice = "pass overwrite=True to start a new search there, or use another project_name"
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        size, head = None, b""
    except OSError as err:
        raise FatalError(f"the study file {str(path)!r} cannot be read ({err}); {advice}") from err
    if not size:
        if trials:
            state = "missing" if size is None else "empty (zero bytes)"
            raise FatalError(
                f"the study file {str(path)!r} is {state}, but the project folder holds "
                f"{len(trials)} trial folder(s) ({trials[0]}, ...) of an earlier search whose "
                f"checkpoints a new search would overwrite; {advice}")
        return
    if head != _SQLITE_MAGIC:
        raise FatalError(f"the study file {str(path)!r} is not an SQLite database (it may be "
                         f"damaged); {advice}")
    try:
        with contextlib.closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro",
                                                uri=True, timeout=120)) as db:
            verdict = db.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.Error as err:
        verdict = str(err)
    if verdict != "ok":
        raise FatalError(f"the study file {str(path)!r} is damaged ({verdict}); {advice}")


def make_storage(url: str | Any, heartbeat_interval: int | None, grace_period: int | None,
                 max_retries_per_trial: int) -> Any:
    """A StudyStorage (Optuna's RDBStorage, claims serialized, a trial's writes batched)
    for `url`; a storage object is returned as given.

    With a heartbeat, a trial whose worker stops beating for `grace_period` seconds is
    marked failed by the next worker that looks, and re-queued `max_retries_per_trial`
    times.
    """
    optuna = require_optuna()
    if not isinstance(url, str):
        return url
    if "://" not in url:
        raise ValueError(f"storage must be a database URL such as 'sqlite:///study.db' or "
                         f"'postgresql://user@host/db', received {url!r}")
    engine_kwargs: dict = {}
    if url.startswith("sqlite"):
        Path(url.split(":///", 1)[-1]).parent.mkdir(parents=True, exist_ok=True)
        engine_kwargs["connect_args"] = {"timeout": 120}
    else:
        engine_kwargs["pool_pre_ping"] = True
    kwargs: dict = {"engine_kwargs": engine_kwargs, "heartbeat_interval": heartbeat_interval,
                    "grace_period": grace_period}
    if max_retries_per_trial:
        params = inspect.signature(optuna.storages.RDBStorage).parameters
        key = ("heartbeat_stale_trial_callback" if "heartbeat_stale_trial_callback" in params
               else "failed_trial_callback")
        kwargs[key] = Requeue(max_retries_per_trial)
    from neuroflow.tuner.study_storage import StudyStorage

    with quiet():
        storage = StudyStorage(url, **kwargs)
    if url.startswith("sqlite"):
        _fast_sqlite(storage)
    return storage


def _fast_sqlite(storage: Any) -> None:
    """Write-ahead logging with `synchronous=NORMAL` on every connection of the study.

    SQLite's default journal syncs the disk on every commit (~15 ms; a trial makes about
    twenty), which dominated a packed search. In WAL mode with NORMAL sync a commit is
    an append to the log, still atomic and safe when a worker process is killed (only a
    power cut may lose the last commits); workers on one machine share the file as
    before.
    """
    from sqlalchemy import event

    def configure(connection: Any, _record: Any) -> None:
        cursor = connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        finally:
            cursor.close()

    event.listen(storage.engine, "connect", configure)
    storage.engine.dispose()  # connections opened before the listener are replaced


class Requeue:
    """Queue a failed trial again with the same values, at most `max_retries` times.

    The copy is a WAITING trial (the next worker to ask runs it) with the system attribute
    'failed_trial' (the number of the first failed try) and 'retry_history'.
    """

    def __init__(self, max_retries: int):
        self.max_retries = max_retries

    def __call__(self, study: Any, trial: Any) -> None:
        optuna = require_optuna()
        history = list(trial.system_attrs.get("retry_history", [])) + [trial.number]
        if len(history) > self.max_retries:
            return
        system_attrs = {**trial.system_attrs,
                        "failed_trial": trial.system_attrs.get("failed_trial", trial.number),
                        "retry_history": history}
        study.add_trial(optuna.trial.create_trial(
            state=optuna.trial.TrialState.WAITING, params=trial.params,
            distributions=trial.distributions, user_attrs=trial.user_attrs,
            system_attrs=system_attrs))


def delete_study(storage: Any, study_name: str) -> None:
    """Delete `study_name` from `storage` when it exists."""
    optuna = require_optuna()
    try:
        optuna.delete_study(study_name=study_name, storage=storage)
    except KeyError:
        pass
