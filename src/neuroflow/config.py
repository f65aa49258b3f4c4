"""keras.config: the process-wide settings Keras 3 code reads and changes
(`keras.config.set_floatx("float64")`, `keras.config.disable_interactive_logging()`).

One home each: the float type and epsilon live in `neuroflow.backend`, interactive
logging in `neuroflow.utils.io_utils`; this module only gathers them under Keras 3's names.
"""

from __future__ import annotations

import warnings

from neuroflow.backend import epsilon, floatx, set_epsilon, set_floatx
from neuroflow.utils.io_utils import (
    disable_interactive_logging,
    enable_interactive_logging,
    is_interactive_logging_enabled,
)

__all__ = [
    "backend", "disable_interactive_logging", "enable_interactive_logging",
    "enable_unsafe_deserialization", "epsilon", "floatx", "is_interactive_logging_enabled",
    "set_epsilon", "set_floatx",
]


def backend() -> str:
    """The engine running the Keras API: 'neuroflow' (its own autodiff over NumPy), so
    code that branches on 'tensorflow', 'jax' or 'torch' takes none of those branches."""
    return "neuroflow"


def enable_unsafe_deserialization() -> None:
    """Accepted for Keras 3 code, but nothing to enable: neuroflow never runs code from a
    file, in any mode. A Lambda layer loads by its function's name from `custom_objects`."""
    warnings.warn(
        "keras.config.enable_unsafe_deserialization(): neuroflow never loads code from a "
        "file, so this changes nothing; pass a Lambda layer's function to load_model("
        "..., custom_objects={'name': function}) instead",
        UserWarning, stacklevel=2,
    )
