"""Keras 3 op names that have no meaning for neuroflow's dense, real-valued tensors.

Each name exists (so Keras code that imports it loads) and raises NotImplementedError,
with the reason, when called.
"""

from __future__ import annotations

from typing import NoReturn

__all__ = ["UNSUPPORTED", "unsupported_op", "UnsupportedNamespace"]

_CONV = "convolutions are outside neuroflow's scope: it trains dense (fully-connected) networks"
_POOL = "pooling over spatial axes belongs to convolutional networks, outside neuroflow's scope"
_PATCH = "patch and block rearrangements of images and sequences belong to convolutional networks"
_SPECTRAL = "spectral transforms produce complex tensors; neuroflow's tensors are real-valued"
_COMPLEX = "neuroflow's tensors are real-valued: there are no complex dtypes"
_CTC = "CTC belongs to sequence (recurrent) models, which neuroflow does not train"

UNSUPPORTED: dict[str, str] = {
    "conv": _CONV, "conv_transpose": _CONV, "depthwise_conv": _CONV, "separable_conv": _CONV,
    "average_pool": _POOL, "max_pool": _POOL, "adaptive_average_pool": _POOL,
    "adaptive_max_pool": _POOL,
    "depth_to_space": _PATCH, "space_to_depth": _PATCH, "fold": _PATCH, "unfold": _PATCH,
    "extract_sequences": _PATCH,
    "fft": _SPECTRAL, "fft2": _SPECTRAL, "ifft2": _SPECTRAL, "rfft": _SPECTRAL,
    "irfft": _SPECTRAL, "stft": _SPECTRAL, "istft": _SPECTRAL,
    "view_as_complex": _COMPLEX, "view_as_real": _COMPLEX, "polar": _COMPLEX,
    "ctc_loss": _CTC, "ctc_decode": _CTC,
    "jvp": "forward-mode differentiation: neuroflow's engine is reverse-mode only "
           "(use GradientTape)",
    "image": "keras.ops.image works on images (resize, affine transforms, crops); neuroflow "
             "trains dense networks on flat features",
}


def _error(namespace: str, name: str) -> NotImplementedError:
    return NotImplementedError(
        f"keras.ops.{namespace + '.' if namespace else ''}{name} is not supported by "
        f"neuroflow: {UNSUPPORTED[name]}"
    )


def unsupported_op(name: str, namespace: str = ""):
    """A stand-in for the Keras op `name` that raises, with the reason, when called."""

    def op(*args, **kwargs) -> NoReturn:
        raise _error(namespace, name)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Not supported by neuroflow: {UNSUPPORTED[name]}."
    return op


class UnsupportedNamespace:
    """A stand-in for a Keras sub-namespace (keras.ops.image): any attribute raises."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str) -> NoReturn:
        if attr.startswith("__"):
            raise AttributeError(attr)
        raise _error("", self._name)

    def __repr__(self) -> str:
        return f"<unsupported namespace keras.ops.{self._name}>"

