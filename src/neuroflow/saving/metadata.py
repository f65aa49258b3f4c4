"""File metadata (format version, neuroflow version, date) and recognising file kinds."""

from __future__ import annotations

import datetime
import os
import stat
from typing import Any

from neuroflow.saving.errors import FileFormatError

__all__ = ["FORMAT_VERSION", "make_metadata", "check_metadata", "file_kind"]

FORMAT_VERSION = "1.0"
_ZIP_MAGIC = b"PK\x03\x04"
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"


def make_metadata() -> dict:
    """What every saved file records about itself."""
    import neuroflow

    return {
        "format": "neuroflow",
        "format_version": FORMAT_VERSION,
        "neuroflow_version": getattr(neuroflow, "__version__", "unknown"),
        "date_saved": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d@%H:%M:%S"),
    }


def check_metadata(metadata: Any, source: str) -> None:
    """Refuse files that are not neuroflow's or were written by a newer format version."""
    if not isinstance(metadata, dict) or metadata.get("format") != "neuroflow":
        raise FileFormatError(
            f"{source} was not written by neuroflow (no neuroflow metadata found); "
            "neuroflow loads only files written by model.save()/save_weights()"
        )
    version = str(metadata.get("format_version", ""))
    try:
        major = int(version.split(".")[0])
    except ValueError as err:
        raise FileFormatError(f"{source} has an invalid format version {version!r}") from err
    ours = int(FORMAT_VERSION.split(".")[0])
    if major > ours:
        raise FileFormatError(
            f"{source} uses format version {version}, written by neuroflow "
            f"{metadata.get('neuroflow_version', '?')}; this neuroflow reads format "
            f"versions up to {ours}.x. Upgrade neuroflow to load it"
        )


def _kind_of(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"),
                       (stat.S_ISBLK, "block device"), (stat.S_ISSOCK, "socket")):
        if test(mode):
            return name
    return "special file"


def file_kind(filepath: str) -> str:
    """'zip' or 'h5' from the file's first bytes; a clear error for anything else (a FIFO
    or device is refused before it is opened: reading it could block forever)."""
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such file: {filepath!r}")
    if os.path.isdir(filepath):
        raise FileFormatError(
            f"{filepath!r} is a folder; expected a .keras, .h5 or .weights.h5 file "
            "(TensorFlow SavedModel folders are not supported)"
        )
    # O_NONBLOCK: opening a FIFO must not wait for a writer before we can refuse it
    fd = os.open(filepath, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise FileFormatError(
                f"{filepath!r} is not a regular file (it is a {_kind_of(mode)}); a model "
                "file must be a regular file, so it is refused rather than read"
            )
        head = f.read(8)
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head == _HDF5_MAGIC:
        return "h5"
    if not head:
        raise FileFormatError(f"{filepath!r} is empty; expected a .keras zip archive or an "
                              "HDF5 file")
    raise FileFormatError(
        f"{filepath!r} is neither a .keras zip archive nor an HDF5 file (it starts with "
        f"{head!r}); it may be corrupted or of another format"
    )
