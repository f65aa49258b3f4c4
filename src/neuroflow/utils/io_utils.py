"""Interactive logging (Keras 3's io_utils): whether progress bars and messages are
drawn on stdout (the default) or sent to the `logging` module, for servers and jobs
whose stdout nobody reads."""

from __future__ import annotations

import logging
import sys
import threading

__all__ = ["disable_interactive_logging", "enable_interactive_logging",
           "is_interactive_logging_enabled", "print_msg"]

_state = threading.local()
_logger = logging.getLogger("neuroflow")


def enable_interactive_logging() -> None:
    """Draw progress bars and messages on stdout (the default)."""
    _state.enabled = True


def disable_interactive_logging() -> None:
    """Send progress bars and messages to the `logging` module ('neuroflow' logger, INFO)."""
    _state.enabled = False


def is_interactive_logging_enabled() -> bool:
    """True when messages go to stdout, False when they go to `logging`."""
    return getattr(_state, "enabled", True)


def print_msg(message: str, line_break: bool = True) -> None:
    """Write `message` on stdout, or log it when interactive logging is off."""
    if is_interactive_logging_enabled():
        sys.stdout.write(message + ("\n" if line_break else ""))
        sys.stdout.flush()
    else:
        _logger.info(message)
