"""Errors raised when a file cannot be saved or loaded.

Every failure of `load_model` / `load_weights` on a file that exists is a FileFormatError
(a ValueError) whose message names the file and what is wrong with it; UnsafeConfigError
is the FileFormatError of a config that names something loading may not create.
"""

from __future__ import annotations

__all__ = ["FileFormatError", "UnsafeConfigError", "SaveError"]


class FileFormatError(ValueError):
    """The file is not a neuroflow model/weights file, is damaged, hostile, or too new."""


class UnsafeConfigError(FileFormatError):
    """A config names something that loading may not create (refused, never executed)."""


class SaveError(OSError):
    """Writing a file failed (disk full, file-size limit, ...); the previous file is intact."""
