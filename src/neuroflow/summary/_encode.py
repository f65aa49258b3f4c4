"""PNG and WAV encoders for image and audio summaries (standard library and NumPy only)."""

from __future__ import annotations

import io
import struct
import wave
import zlib

import numpy as np

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_COLOR_TYPES = {1: 0, 3: 2, 4: 6}  # grayscale, RGB, RGBA


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def png_bytes(image: np.ndarray) -> bytes:
    """Return a PNG file holding ``image``: uint8 of shape (height, width, 1, 3 or 4)."""
    height, width, channels = image.shape
    header = struct.pack(">IIBBBBB", width, height, 8, _PNG_COLOR_TYPES[channels], 0, 0, 0)
    rows = np.zeros((height, 1 + width * channels), dtype=np.uint8)  # filter byte 0: none
    rows[:, 1:] = image.reshape(height, width * channels)
    return (_PNG_SIGNATURE + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows.tobytes(), 6)) + _png_chunk(b"IEND", b""))


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """Return a 16-bit PCM WAV file of ``samples``: floats in [-1, 1], shape (frames, channels).

    Values outside [-1, 1] are clipped, as TensorFlow's WAV encoder does.
    """
    scaled = np.rint(np.clip(samples, -1.0, 1.0) * 32768.0)
    pcm = np.clip(scaled, -32768, 32767).astype("<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(samples.shape[1])
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm.tobytes())
    return buffer.getvalue()
