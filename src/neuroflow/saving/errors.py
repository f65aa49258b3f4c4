"""Errors raised when a file cannot be saved or loaded."""

from __future__ import annotations

__all__ = ["FileFormatError", "UnsafeConfigError"]


class FileFormatError(ValueError):
    """The file is not a neuroflow model/weights file, is damaged, or is too new."""


class UnsafeConfigError(ValueError):
    """A config names something that loading may not create (refused, never executed)."""
