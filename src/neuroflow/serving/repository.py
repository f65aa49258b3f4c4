"""The served models: each loaded once (in safe mode), versioned, and swappable on reload.

A reload loads the file in a thread and swaps the new version in only once it has loaded
and answered a warm-up call; requests already admitted finish on the version that
validated them, and a file that fails to load leaves the previous version serving. A
reload that takes longer than `reload_timeout_s` fails (its daemon thread is abandoned,
so it blocks neither later reloads nor shutdown), and only regular files are loaded.
With several workers, a worker that cannot catch up with a version another announced
logs it, keeps answering with the version it has, and tries again later (backing off),
so the workers converge once the file loads.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import stat
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from neuroflow.serving.errors import ModelNotFound, ReloadFailed
from neuroflow.serving.signature import Signature, model_signature

__all__ = ["ModelSource", "Servable", "ModelRepository", "load_model_file", "parse_model_args"]

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MAX_BACKOFF_S = 30.0
Loader = Callable[[str], Any]
logger = logging.getLogger("neuroflow.serving")


def _regular_file(path: str) -> None:
    """Refuse what is not a regular file (a FIFO would block the loading thread forever)."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise ValueError(f"{path!r} is not a regular file; only regular model files are "
                         "served")


def _in_daemon_thread(fn: Callable[[], Any]) -> asyncio.Future:
    """Run `fn` in a daemon thread of its own; a future for its result on this loop."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result: Any, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)

    def run() -> None:
        try:
            result, error = fn(), None
        except BaseException as err:  # noqa: BLE001 - handed to the awaiting coroutine
            result, error = None, err
        if not loop.is_closed():
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name="neuroflow-load", daemon=True).start()
    return future


def load_model_file(path: str) -> Any:
    """Load a saved model for inference: safe mode (no code from the file), not compiled;
    an `.onnx` file is served by ONNX Runtime instead (serving/onnx_backend.py)."""
    from neuroflow.serving.onnx_backend import OnnxModel, is_onnx_file

    _regular_file(path)
    if is_onnx_file(path):
        return OnnxModel(path)
    try:
        from neuroflow.models import load_model
    except ImportError:  # pragma: no cover - only before neuroflow.saving provides it
        from neuroflow.saving import load_model
    return load_model(path, compile=False, safe_mode=True)


@dataclass(frozen=True)
class ModelSource:
    """Where a served model comes from: a file `path`, or an in-memory `model`."""

    name: str
    path: str | None = None
    model: Any = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if not _NAME.match(self.name):
            raise ValueError(f"model name {self.name!r} is not valid: use letters, digits, "
                             "'.', '_' and '-', starting with a letter or digit")
        if (self.path is None) == (self.model is None):
            raise ValueError(f"model {self.name!r}: give either a file path or a model")


def parse_model_args(files: list[str], named: list[str],
                     name: str | None = None) -> list[ModelSource]:
    """Sources from `neuroflow serve` arguments: files (named after their stem, or `name`
    when there is one file) and `NAME=PATH` pairs."""
    if name is not None and len(files) != 1:
        raise ValueError("--name applies to a single MODEL_FILE; use --model NAME=PATH for several")
    sources = [ModelSource(name if name is not None else Path(f).stem, str(f)) for f in files]
    for item in named:
        key, sep, path = item.partition("=")
        if not sep or not key or not path:
            raise ValueError(f"--model expects NAME=PATH, received {item!r}")
        sources.append(ModelSource(key, path))
    if not sources:
        raise ValueError("give at least one model file (or --model NAME=PATH)")
    seen = [s.name for s in sources]
    duplicates = sorted({n for n in seen if seen.count(n) > 1})
    if duplicates:
        raise ValueError(f"several models are named {duplicates}: name them with --model NAME=PATH")
    return sources


@dataclass
class Servable:
    """One loaded version of a model."""

    name: str
    version: int
    model: Any
    signature: Signature
    path: str | None
    loaded_at: float

    def predict(self, arrays: list[np.ndarray]) -> dict[str, np.ndarray]:
        """Named outputs for validated input arrays (runs in a worker thread, under the
        floating-point error state the batcher chose); non-finite outputs are refused when
        encoded."""
        raw = self.model.predict_on_batch(self.signature.pack(arrays))
        return self.signature.name_outputs(raw)


def _make_servable(name: str, version: int, model: Any, path: str | None) -> Servable:
    servable = Servable(name, version, model, model_signature(model), path, time.time())
    probe = []
    for spec in servable.signature.inputs:
        if spec.shape is None or any(d is None for d in spec.shape[1:]):
            return servable  # no fixed shape to warm up with
        probe.append(np.zeros((1,) + tuple(spec.shape[1:]), dtype=np.float32))
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        servable.predict(probe)
    return servable


class ModelRepository:
    """The models a server answers for, by name, with their current versions."""

    def __init__(self, sources: list[ModelSource], loader: Loader = load_model_file,
                 sync_dir: str | None = None, reload_timeout_s: float = 60.0):
        """`sync_dir`, shared by the worker processes of one server, is where a worker that
        reloads a model announces its new version, so that every worker picks it up."""
        self.sync_dir = sync_dir
        self.reload_timeout_s = reload_timeout_s
        self._last_sync: dict[str, float] = {}
        self._failures: dict[str, int] = {}
        if not sources:
            raise ValueError("a model repository needs at least one model")
        self.loader = loader
        self._sources = {s.name: s for s in sources}
        if len(self._sources) != len(sources):
            raise ValueError("model names must be unique")
        self._current: dict[str, Servable] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        for source in sources:
            model = source.model if source.model is not None else self._load(source)
            self._current[source.name] = _make_servable(source.name, 1, model, source.path)

    def _load(self, source: ModelSource) -> Any:
        return self.loader(source.path)

    @property
    def names(self) -> list[str]:
        return list(self._sources)

    def get(self, name: str, version: int | None = None) -> Servable:
        """The current version of model `name` (which must equal `version` when given)."""
        servable = self._current.get(name)
        if servable is None:
            raise ModelNotFound(f"model '{name}' is not served here; served models: {self.names}")
        if version is not None and version != servable.version:
            raise ModelNotFound(f"version {version} of model '{name}' is not available; "
                                f"the served version is {servable.version}")
        return servable

    async def reload(self, name: str, executor: Executor | None = None,
                     version: int | None = None) -> Servable:
        """Load model `name` from its file again and swap it in as the next version (or as
        `version`, announced by another worker; nothing happens if that one is served).
        `executor` runs the load; by default a daemon thread of its own, given up after
        `reload_timeout_s`."""
        self.get(name)
        source = self._sources[name]
        if source.path is None:
            raise ReloadFailed(f"model '{name}' was given in memory, not as a file: "
                               "there is nothing to reload")
        lock = self._locks.setdefault(name, asyncio.Lock())
        async with lock:
            current = self._current[name]
            if version is not None and current.version >= version:
                return current
            number = version if version is not None else current.version + 1
            loop = asyncio.get_running_loop()

            def load() -> Servable:
                return _make_servable(name, number, self._load(source), source.path)

            work = _in_daemon_thread(load) if executor is None else \
                loop.run_in_executor(executor, load)
            try:
                new = await asyncio.wait_for(work, self.reload_timeout_s)
            except asyncio.TimeoutError as err:
                raise ReloadFailed(
                    f"could not reload model '{name}' from {source.path}: loading took longer "
                    f"than {self.reload_timeout_s:g} s; version {current.version} is still "
                    "serving") from err
            except Exception as err:  # noqa: BLE001 - any failure keeps the old version
                raise ReloadFailed(
                    f"could not reload model '{name}' from {source.path}: {err}; version "
                    f"{current.version} is still serving") from err
            self._current[name] = new
            if version is None:
                self._announce(name, new.version)
            return new

    def _announce(self, name: str, version: int) -> None:
        if self.sync_dir is None:
            return
        target = os.path.join(self.sync_dir, name)
        temporary = f"{target}.{os.getpid()}.tmp"
        with open(temporary, "w") as f:
            f.write(str(version))
        os.replace(temporary, target)

    async def catch_up(self, name: str, executor: Executor | None = None,
                       interval: float = 0.2) -> None:
        """Reload `name` if another worker announced a newer version (checked at most
        every `interval` seconds, backing off while catching up fails). A failure is
        logged, never raised: this worker keeps answering with the version it has."""
        if self.sync_dir is None or name not in self._current:
            return
        now = time.monotonic()
        wait = min(_MAX_BACKOFF_S, interval * 2 ** self._failures.get(name, 0))
        if now - self._last_sync.get(name, float("-inf")) < wait:
            return
        self._last_sync[name] = now
        try:
            with open(os.path.join(self.sync_dir, name)) as f:
                announced = int(f.read().strip() or 0)
        except (OSError, ValueError):
            return
        if announced <= self._current[name].version:
            return
        try:
            await self.reload(name, executor, version=announced)
        except ReloadFailed as err:
            self._failures[name] = self._failures.get(name, 0) + 1
            logger.warning("worker %d could not catch up with version %d of model %s (%s); "
                           "it keeps serving version %d and tries again later", os.getpid(),
                           announced, name, err.message, self._current[name].version)
        else:
            self._failures.pop(name, None)
