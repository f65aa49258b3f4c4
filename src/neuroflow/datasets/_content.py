"""Data set file specifications and the verification of their decompressed content.

A file is identified by the SHA-256 of its *decompressed* content, so that the same
data compressed differently (Debian's re-packed gzip files, a gunzipped copy, the
file inside a ``.tgz``) is accepted, while a corrupted or truncated copy is not.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from neuroflow.datasets._errors import ChecksumError

_TAR_SUFFIXES = (".tar", ".tgz", ".tar.gz")


@dataclass(frozen=True)
class DataFile:
    """What one data set file must contain and the names it may be found under.

    Attributes:
        name: the name of the decompressed content, e.g. ``"train-images-idx3-ubyte"``;
            inside a tar archive, the member with this base name is used.
        sha256: hex SHA-256 digest of the decompressed content.
        size: length of the decompressed content in bytes.
        file_names: names looked for in each folder, in order (compressed or not, or a
            tar archive holding ``name``). The first is the canonical name: a download
            saved under another name is stored under it, decompressed, and removed.
        download_name: the name a download is saved under before it is verified.
    """

    name: str
    sha256: str
    size: int
    file_names: tuple[str, ...]
    download_name: str


def sha256_hex(data: bytes) -> str:
    """Return the hex SHA-256 digest of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _is_tar(path: Path, data: bytes) -> bool:
    return path.name.endswith(_TAR_SUFFIXES) or data[257:262] == b"ustar"


def _tar_member(path: Path, data: bytes, spec: DataFile) -> bytes:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
        for member in archive.getmembers():
            if member.isfile() and Path(member.name).name == spec.name:
                handle = archive.extractfile(member)
                if handle is not None:
                    return handle.read()
    raise ChecksumError(
        f"Archive '{path}' holds no file named {spec.name!r}.",
        str(path),
        expected=spec.sha256,
        actual=None,
    )


def decompressed_content(path: Path, spec: DataFile) -> bytes:
    """Return the content of ``path`` after gunzip and/or tar extraction as needed.

    Raises:
        ChecksumError: the file cannot be decompressed (truncated or corrupted).
    """
    data = path.read_bytes()
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        if _is_tar(path, data):
            data = _tar_member(path, data, spec)
    except (OSError, EOFError, zlib.error, tarfile.TarError) as exc:
        raise ChecksumError(
            f"File '{path}' is corrupted or truncated: it cannot be decompressed "
            f"({type(exc).__name__}: {exc}).",
            str(path),
            expected=spec.sha256,
            actual=None,
        ) from exc
    return data


def verify_content(content: bytes, spec: DataFile, path: Path) -> None:
    """Check the length and SHA-256 of decompressed ``content`` against ``spec``.

    Raises:
        ChecksumError: naming ``path``, the expected and the received size or digest.
    """
    if len(content) != spec.size:
        raise ChecksumError(
            f"File '{path}' is corrupted or truncated: its decompressed content has "
            f"{len(content)} bytes, expected {spec.size} for {spec.name}.",
            str(path),
            expected=spec.sha256,
            actual=sha256_hex(content),
        )
    digest = sha256_hex(content)
    if digest != spec.sha256:
        raise ChecksumError(
            f"File '{path}' is corrupted: the SHA-256 of its decompressed content is "
            f"{digest}, expected {spec.sha256} for {spec.name}.",
            str(path),
            expected=spec.sha256,
            actual=digest,
        )


def read_verified(path: Path, spec: DataFile) -> bytes:
    """Return the decompressed content of ``path`` once it matches ``spec``.

    Raises:
        ChecksumError: the file is truncated, corrupted or holds other data.
    """
    content = decompressed_content(path, spec)
    verify_content(content, spec, path)
    return content
