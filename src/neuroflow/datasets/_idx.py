"""The IDX file format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/).

An IDX file is two zero bytes, a type code, the number of dimensions, one big-endian
uint32 per dimension, then the values in C order (big-endian for multi-byte types).
"""

from __future__ import annotations

import struct

import numpy as np

_TYPES: dict[int, str] = {
    0x08: "u1",
    0x09: "i1",
    0x0B: ">i2",
    0x0C: ">i4",
    0x0D: ">f4",
    0x0E: ">f8",
}
_CODES = {np.dtype(t).newbyteorder("=").str: c for c, t in _TYPES.items()}


def parse_idx(content: bytes, source: str = "<bytes>") -> np.ndarray:
    """Return the array stored in the (decompressed) IDX ``content``.

    Args:
        content: the bytes of an IDX file.
        source: the file name, used in error messages.

    Returns:
        A writable array in native byte order, e.g. uint8 of shape (60000, 28, 28).

    Raises:
        ValueError: the header is not IDX, or the data is shorter or longer than the
            dimensions announce.
    """
    if len(content) < 4 or content[0] != 0 or content[1] != 0 or content[2] not in _TYPES:
        raise ValueError(
            f"{source} is not an IDX file: expected the magic bytes 00 00 <type> <ndim> "
            f"with a type among {[hex(c) for c in _TYPES]}, got {content[:4].hex(' ')!r}."
        )
    ndim = content[3]
    header_size = 4 + 4 * ndim
    if len(content) < header_size:
        raise ValueError(
            f"{source} is truncated: its IDX header announces {ndim} dimensions "
            f"({header_size} header bytes) but the file has {len(content)} bytes."
        )
    shape = struct.unpack(f">{ndim}I", content[4:header_size])
    dtype = np.dtype(_TYPES[content[2]])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    received = len(content) - header_size
    if received != expected:
        raise ValueError(
            f"{source} has {received} data bytes after its IDX header, expected {expected} "
            f"for shape {shape} of {dtype.name}."
        )
    array = np.frombuffer(content, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="), copy=True)


def idx_bytes(array: np.ndarray) -> bytes:
    """Return the IDX file content holding ``array`` (the inverse of :func:`parse_idx`)."""
    array = np.asarray(array)
    native = array.dtype.newbyteorder("=").str
    if native not in _CODES:
        raise ValueError(
            f"IDX cannot store dtype {array.dtype}; expected one of "
            f"{sorted(np.dtype(t).name for t in _TYPES.values())}."
        )
    code = _CODES[native]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + np.ascontiguousarray(array, dtype=np.dtype(_TYPES[code])).tobytes()
