"""The summary functions of tf.summary: scalar, histogram, image, text, audio, write, flush.

Each writes through this thread's default writer and returns True, or returns False
without looking at its data when there is none (or recording is off), as in TensorFlow.
Values are stored in TensorFlow 2's layout for each TensorBoard plugin.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from neuroflow.summary import _state
from neuroflow.summary._encode import png_bytes, wav_bytes
from neuroflow.summary._writer import SummaryWriter, parse_metadata, plugin_metadata

__all__ = ["audio", "flush", "histogram", "image", "scalar", "text", "write"]

DEFAULT_BUCKET_COUNT = 30
# AudioPluginData(version=0, encoding=WAV): field 2 (varint) = 11, serialized by hand
_AUDIO_WAV_CONTENT = b"\x10\x0b"


def _writer_if_recording() -> SummaryWriter | None:
    writer = _state.default_writer()
    if writer is None or not writer.records or not _state.is_recording():
        return None
    return writer


def _check_name(function: str, name: Any) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"summary.{function}: name must be a non-empty string, "
                         f"received {name!r}")


def _numbers(function: str, name: str, data: Any) -> np.ndarray:
    array = np.asarray(data)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"summary.{function} {name!r}: data must be numeric, received "
                        f"dtype {array.dtype}")
    return array


def _positive_int(function: str, arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"summary.{function}: {arg} must be a positive integer, "
                         f"received {value!r}")
    return int(value)


def _emit(writer: SummaryWriter, name: str, array: np.ndarray, step: Any,
          metadata: Any) -> bool:
    writer.write(name, array, _state.resolve_step(step), metadata)
    return True


def scalar(name: str, data: Any, step: Any = None, description: str | None = None) -> bool:
    """Write a scalar (a loss, an accuracy, a learning rate) at ``step``."""
    _check_name("scalar", name)
    writer = _writer_if_recording()
    if writer is None:
        return False
    array = _numbers("scalar", name, data)
    if array.ndim != 0:
        raise ValueError(f"summary.scalar {name!r}: data must be a scalar, received shape "
                         f"{array.shape}")
    return _emit(writer, name, array.astype(np.float32), step,
                 plugin_metadata("scalars", description=description))


def histogram_buckets(data: np.ndarray, buckets: int) -> np.ndarray:
    """Return ``buckets`` rows of (left edge, right edge, count) covering ``data``.

    Equal-width buckets from the minimum to the maximum, the last one closed; all
    values equal: every edge is that value and the last bucket counts them all; no
    data: zeros. This is TensorBoard's histogram layout.
    """
    values = data.reshape(-1).astype(np.float64)
    if buckets == 0 or values.size == 0:
        return np.zeros((buckets, 3))
    low, high = values.min(), values.max()
    if low == high:
        counts = np.zeros(buckets)
        counts[-1] = values.size
        return np.stack([np.full(buckets, low), np.full(buckets, low), counts], axis=1)
    edges = np.linspace(low, high, buckets + 1)
    index = np.minimum(np.floor((values - low) / ((high - low) / buckets)).astype(np.int64),
                       buckets - 1)
    counts = np.bincount(index, minlength=buckets).astype(np.float64)
    return np.stack([edges[:-1], edges[1:], counts], axis=1)


def histogram(name: str, data: Any, step: Any = None, buckets: int | None = None,
              description: str | None = None) -> bool:
    """Write the distribution of ``data`` (any shape) in ``buckets`` equal-width buckets."""
    _check_name("histogram", name)
    writer = _writer_if_recording()
    if writer is None:
        return False
    count = DEFAULT_BUCKET_COUNT if buckets is None else buckets
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or count < 0:
        raise ValueError(f"summary.histogram {name!r}: buckets must be a non-negative "
                         f"integer, received {buckets!r}")
    array = _numbers("histogram", name, data)
    if array.size and not np.isfinite(array).all():
        raise ValueError(f"summary.histogram {name!r}: data holds NaN or infinite values")
    return _emit(writer, name, histogram_buckets(array, int(count)), step,
                 plugin_metadata("histograms", description=description))


def _to_uint8(name: str, array: np.ndarray) -> np.ndarray:
    if array.dtype == np.uint8:
        return array
    if array.dtype.kind != "f":
        raise TypeError(f"summary.image {name!r}: pixels must be uint8 (0-255) or floats in "
                        f"[0, 1], received dtype {array.dtype}")
    if np.isnan(array).any():
        raise ValueError(f"summary.image {name!r}: pixels hold NaN values")
    # TensorFlow's float-to-uint8 conversion: scale by 255.5, truncate, saturate
    return np.clip(array.astype(np.float64) * 255.5, 0, 255).astype(np.uint8)


def image(name: str, data: Any, step: Any = None, max_outputs: int = 3,
          description: str | None = None) -> bool:
    """Write up to ``max_outputs`` images; ``data`` has shape [k, height, width, channels].

    Channels are 1 (grayscale), 3 (RGB) or 4 (RGBA); pixels are uint8, or floats in
    [0, 1] (values outside are clipped).
    """
    _check_name("image", name)
    max_outputs = _positive_int("image", "max_outputs", max_outputs)
    writer = _writer_if_recording()
    if writer is None:
        return False
    array = _numbers("image", name, data)
    if array.ndim != 4 or array.shape[-1] not in (1, 3, 4):
        raise ValueError(f"summary.image {name!r}: data must have shape [k, height, width, "
                         f"channels] with 1, 3 or 4 channels, received shape {array.shape}")
    pixels = _to_uint8(name, array[:max_outputs])
    height, width = array.shape[1:3]
    encoded = np.empty(2 + len(pixels), dtype=object)
    encoded[:2] = [str(width).encode(), str(height).encode()]
    encoded[2:] = [png_bytes(one) for one in pixels]
    return _emit(writer, name, encoded, step, plugin_metadata("images", description=description))


def _utf8_array(function: str, name: str, data: Any) -> np.ndarray:
    array = np.asarray(data, dtype=object)
    encoded = np.empty(array.shape, dtype=object)
    for index, value in np.ndenumerate(array):
        if isinstance(value, str):
            value = value.encode("utf-8")
        elif not isinstance(value, bytes):
            raise TypeError(f"summary.{function} {name!r}: data must be strings, received "
                            f"{type(value).__name__} {value!r}")
        encoded[index] = value
    return encoded


def text(name: str, data: Any, step: Any = None, description: str | None = None) -> bool:
    """Write a string, or an array of strings (TensorBoard shows it as a table; Markdown)."""
    _check_name("text", name)
    writer = _writer_if_recording()
    if writer is None:
        return False
    return _emit(writer, name, _utf8_array("text", name, data), step,
                 plugin_metadata("text", description=description))


def audio(name: str, data: Any, sample_rate: int, step: Any = None, max_outputs: int = 3,
          encoding: str | None = None, description: str | None = None) -> bool:
    """Write up to ``max_outputs`` clips; ``data`` has shape [k, frames, channels].

    Samples are floats in [-1, 1] (clipped), stored as 16-bit WAV at ``sample_rate`` Hz.
    """
    _check_name("audio", name)
    max_outputs = _positive_int("audio", "max_outputs", max_outputs)
    if encoding not in (None, "wav"):
        raise ValueError(f"summary.audio {name!r}: encoding must be None or 'wav', received "
                         f"{encoding!r}")
    writer = _writer_if_recording()
    if writer is None:
        return False
    rate = _state.as_int_step(sample_rate, "audio's sample_rate")
    if rate < 1:
        raise ValueError(f"summary.audio {name!r}: sample_rate must be positive, received "
                         f"{sample_rate!r}")
    array = _numbers("audio", name, data)
    if array.ndim != 3:
        raise ValueError(f"summary.audio {name!r}: data must have shape [k, frames, channels], "
                         f"received shape {array.shape}")
    clips = array[:max_outputs].astype(np.float32)
    if np.isnan(clips).any():
        raise ValueError(f"summary.audio {name!r}: samples hold NaN values")
    encoded = np.empty((len(clips), 2), dtype=object)
    for i, clip in enumerate(clips):
        encoded[i] = [wav_bytes(clip, rate), b""]
    return _emit(writer, name, encoded, step,
                 plugin_metadata("audio", _AUDIO_WAV_CONTENT, description))


def write(tag: str, tensor: Any, step: Any = None, metadata: Any = None,
          name: str | None = None) -> bool:
    """Write a tensor with its plugin ``metadata`` (a SummaryMetadata or its bytes).

    The building block of custom summaries; ``tensor`` may be a callable, called only
    when the summary is recorded.
    """
    _check_name("write", tag)
    writer = _writer_if_recording()
    if writer is None:
        return False
    value = tensor() if callable(tensor) else tensor
    array = np.asarray(value)
    if array.dtype.kind in "USO":
        array = _utf8_array("write", tag, array)
    if isinstance(metadata, (bytes, bytearray)):
        metadata = parse_metadata(bytes(metadata))
    return _emit(writer, tag, array, step, metadata)


def flush(writer: SummaryWriter | None = None, name: str | None = None) -> None:
    """Write the pending events of ``writer`` (default: this thread's default writer)."""
    writer = writer if writer is not None else _state.default_writer()
    if writer is not None:
        writer.flush()
