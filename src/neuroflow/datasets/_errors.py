"""Exceptions raised by the data set loaders."""

from __future__ import annotations


class DatasetNotFoundError(FileNotFoundError):
    """No location held a data set file and it could not be downloaded.

    The message lists every location tried and how to provide the file offline.
    """


class ChecksumError(ValueError):
    """A data set file is corrupted or truncated: its content failed verification.

    ``path`` is the offending file, ``expected`` and ``actual`` are SHA-256 hex digests
    of its decompressed content (``actual`` is None when it could not be decompressed).
    """

    def __init__(self, message: str, path: str, expected: str, actual: str | None) -> None:
        super().__init__(message)
        self.path = path
        self.expected = expected
        self.actual = actual
