"""Summary writers: event files that TensorBoard reads, written through tensorboardX.

Each summary is stored as tf.summary (TensorFlow 2) stores it: a tensor with the
metadata of the TensorBoard plugin that displays it, so TensorBoard shows the same
scalars, histograms, images, text and audio as for TensorFlow's own event files.

Events are buffered and written synchronously, as TensorFlow's writer does: when more
than ``max_queue`` wait, when ``flush_millis`` have passed, and on ``flush()``; so after
``flush()`` every event is on disk (tensorboardX's own queue thread gives no such promise).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import numpy as np

from neuroflow.summary import _state

__all__ = ["SummaryWriter", "create_file_writer", "create_noop_writer"]

# TensorFlow's DataType enum (tensorflow/core/framework/types.proto), by NumPy dtype
_DTYPES = {"float16": 19, "float32": 1, "float64": 2, "int8": 6, "int16": 5, "int32": 3,
           "int64": 9, "uint8": 4, "uint16": 17, "uint32": 22, "uint64": 23, "bool": 10}
_DT_STRING = 7
_FILE_NUMBERS = itertools.count()


def _tensorboardx():
    try:
        from tensorboardX.proto import event_pb2, summary_pb2, tensor_pb2
        from tensorboardX.record_writer import RecordWriter
    except ImportError as err:
        raise ImportError("neuroflow.summary needs tensorboardX: pip install tensorboardX "
                          "(or neuroflow[tensorboard])") from err
    return RecordWriter, event_pb2, summary_pb2, tensor_pb2


def tensor_proto(array: np.ndarray) -> Any:
    """Return a TensorProto holding ``array`` (numbers, booleans, or bytes objects)."""
    *_, tensor_pb2 = _tensorboardx()
    proto = tensor_pb2.TensorProto()
    for size in array.shape:
        proto.tensor_shape.dim.add(size=size)
    if array.dtype == object:
        proto.dtype = _DT_STRING
        proto.string_val.extend(array.reshape(-1).tolist())
        return proto
    name = array.dtype.name
    if name not in _DTYPES:
        raise TypeError(f"summary: cannot write a tensor of dtype {array.dtype}; expected "
                        f"strings or one of {sorted(_DTYPES)}")
    proto.dtype = _DTYPES[name]
    proto.tensor_content = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))\
        .tobytes()
    return proto


def plugin_metadata(plugin_name: str, content: bytes = b"", description: str | None = None,
                    display_name: str | None = None) -> Any:
    """Return the SummaryMetadata naming the TensorBoard plugin that shows a summary."""
    _, _, summary_pb2, _ = _tensorboardx()
    return summary_pb2.SummaryMetadata(
        display_name=display_name or "", summary_description=description or "",
        plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin_name,
                                                           content=content))


def parse_metadata(serialized: bytes) -> Any:
    """Return the SummaryMetadata serialized in ``serialized``."""
    _, _, summary_pb2, _ = _tensorboardx()
    return summary_pb2.SummaryMetadata.FromString(serialized)


class SummaryWriter:
    """Writes summaries to the event file of one log folder (tf.summary.SummaryWriter).

    Made the default writer with :meth:`as_default` (a context manager) or
    :meth:`set_as_default`; the summary functions then write through it.
    """

    records = True

    def __init__(self, logdir: str | os.PathLike[str], max_queue: int = 10,
                 flush_millis: int = 120_000, filename_suffix: str = ".v2"):
        record_writer, self._event_pb2, self._summary_pb2, _ = _tensorboardx()
        self.logdir = os.fspath(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        name = (f"events.out.tfevents.{int(time.time())}.{socket.gethostname()}."
                f"{os.getpid()}.{next(_FILE_NUMBERS)}{filename_suffix}")
        self.path = os.path.join(self.logdir, name)
        self._records = record_writer(self.path)
        self._max_queue, self._flush_millis = max_queue, flush_millis
        self._pending: list[bytes] = []
        self._lock = threading.Lock()
        self._closed = False
        self._last_flush = time.monotonic()
        self._append(self._event_pb2.Event(wall_time=time.time(), file_version="brain.Event:2"))
        self.flush()

    def _append(self, event: Any) -> None:
        with self._lock:
            self._pending.append(event.SerializeToString())
            due = (len(self._pending) > self._max_queue
                   or (time.monotonic() - self._last_flush) * 1000 >= self._flush_millis)
        if due:
            self.flush()

    @contextlib.contextmanager
    def as_default(self, step: Any = None) -> Iterator[SummaryWriter]:
        """Make this the default writer (and ``step`` the default step) inside the block.

        The previous writer and step come back afterwards, and the writer is flushed.
        """
        self._check_open()
        old = _state.swap_default(self, step, set_step_too=step is not None)
        try:
            yield self
        finally:
            _state.restore_default(old)
            if not self._closed:
                self.flush()

    def set_as_default(self, step: Any = None) -> None:
        """Make this the default writer of the thread from now on (and ``step`` the step)."""
        self._check_open()
        _state.swap_default(self, step, set_step_too=step is not None)

    def flush(self) -> None:
        """Write every pending event to disk."""
        with self._lock:
            if self._closed:
                return
            for record in self._pending:
                self._records.write(record)
            self._pending.clear()
            self._records.flush()
            self._last_flush = time.monotonic()

    def close(self) -> None:
        """Flush and close the event file; writing afterwards raises RuntimeError."""
        if not self._closed:
            self.flush()
            with self._lock:
                self._records.close()
                self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError(f"summary: the writer of {self.logdir!r} is closed")

    def write(self, tag: str, array: np.ndarray, step: int, metadata: Any) -> None:
        """Append one summary value: ``array`` at ``step``, with plugin ``metadata`` (or none)."""
        self._check_open()
        summary = self._summary_pb2.Summary()
        value = summary.value.add(tag=tag, tensor=tensor_proto(array))
        if metadata is not None:
            value.metadata.CopyFrom(metadata)
        self._append(self._event_pb2.Event(wall_time=time.time(), step=step, summary=summary))


class _NoopSummaryWriter(SummaryWriter):
    """A writer that records nothing: a placeholder where code expects a writer."""

    records = False

    def __init__(self):
        self.logdir = ""
        self._closed = False

    def flush(self) -> None:
        """Nothing to write."""

    def close(self) -> None:
        """Nothing to close."""

    def write(self, tag: str, array: np.ndarray, step: int, metadata: Any) -> None:
        """Record nothing."""


def create_file_writer(logdir: str | os.PathLike[str], max_queue: int | None = None,
                       flush_millis: int | None = None, filename_suffix: str | None = None,
                       name: str | None = None, experimental_trackable: bool = False,
                       experimental_mesh: Any = None) -> SummaryWriter:
    """Return a writer of an event file in ``logdir`` (created if needed).

    Args:
        logdir: the run's folder, as given to ``tensorboard --logdir`` or one below it.
        max_queue: events held in memory before a write (default 10).
        flush_millis: the longest time between writes to disk (default 120,000 ms).
        filename_suffix: appended to the event file's name (default ``.v2``).
        name, experimental_trackable, experimental_mesh: accepted for compatibility.
    """
    if not isinstance(logdir, (str, os.PathLike)) or not os.fspath(logdir):
        raise ValueError(f"summary.create_file_writer: logdir must be a non-empty path, "
                         f"received {logdir!r}")
    for arg, value in (("max_queue", max_queue), ("flush_millis", flush_millis)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or value < 0):
            raise ValueError(f"summary.create_file_writer: {arg} must be a non-negative "
                             f"integer, received {value!r}")
    return SummaryWriter(logdir, max_queue=10 if max_queue is None else max_queue,
                         flush_millis=120_000 if flush_millis is None else flush_millis,
                         filename_suffix=".v2" if filename_suffix is None else filename_suffix)


def create_noop_writer() -> SummaryWriter:
    """Return a writer that records nothing (summaries written through it return False)."""
    return _NoopSummaryWriter()
