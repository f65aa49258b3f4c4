"""Exit codes of the `neuroflow` command, and the error that carries one."""

from __future__ import annotations

__all__ = [
    "OK", "FAILURE", "USAGE", "BAD_INPUT", "MISSING_DEPENDENCY", "INTERRUPTED", "BROKEN_PIPE",
    "CliError", "exit_code_for",
]

OK = 0
"""The command did what it was asked."""
FAILURE = 1
"""Something failed while running (training diverged, a bug, ...)."""
USAGE = 2
"""The command line itself is wrong (unknown command or option, bad value): argparse's code."""
BAD_INPUT = 3
"""A file or data set could not be found or read, or its content does not fit the model."""
MISSING_DEPENDENCY = 4
"""An optional dependency the command needs is not installed (the message names it)."""
INTERRUPTED = 130
"""Stopped with Ctrl-C."""
BROKEN_PIPE = 141
"""The reader of the output went away early (`neuroflow predict ... | head`), as for SIGPIPE."""


class CliError(Exception):
    """An error reported in one line, with the given exit code."""

    def __init__(self, message: str, code: int = FAILURE) -> None:
        super().__init__(message)
        self.code = code


def exit_code_for(error: BaseException) -> int:
    """The exit code that reports `error`."""
    if isinstance(error, CliError):
        return error.code
    if isinstance(error, ImportError):
        return MISSING_DEPENDENCY
    if isinstance(error, OSError):  # missing or unreadable files, data sets not found
        return BAD_INPUT
    return FAILURE
