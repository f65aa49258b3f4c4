"""CIFAR-10: 60,000 32x32 colour images in 10 classes (Krizhevsky, 2009).

``load_data()`` returns the same arrays as ``keras.datasets.cifar10.load_data()``, read
from the *binary* version of the data set (``cifar-10-binary.tar.gz``), not the Python
version Keras downloads: the Python version is a set of pickles, and unpickling an
untrusted file can run any code, while a binary batch is plain fixed-size records
(1 label byte, then 3,072 pixel bytes: the red, green and blue 32x32 planes, row-major)
holding the same images in the same order. Each batch is verified by the SHA-256 of its
content; the archive, a gunzipped ``.tar``, or the extracted ``.bin`` files are accepted.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from neuroflow.datasets._content import DataFile
from neuroflow.datasets._parse_cache import load_cached, save_cached
from neuroflow.datasets._resolve import Dataset, as_folder, download_folder, fetch_content

__all__ = ["CLASS_NAMES", "load_data"]

CLASS_NAMES: list[str] = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog",
                          "horse", "ship", "truck"]
"""The names of labels 0 to 9 (``batches.meta.txt``)."""

ARCHIVE = "cifar-10-binary.tar.gz"
FOLDER = "cifar-10-batches-bin"
IMAGE_SHAPE = (3, 32, 32)
RECORD_SIZE = 1 + 3 * 32 * 32
RECORDS_PER_BATCH = 10_000


def batch_file(name: str, sha256: str, records: int = RECORDS_PER_BATCH) -> DataFile:
    """Describe one batch: inside the archive (kept as is), or extracted."""
    return DataFile(
        name=name,
        sha256=sha256,
        size=records * RECORD_SIZE,
        file_names=(ARCHIVE, "cifar-10-binary.tar", f"{FOLDER}/{name}", name),
        download_name=ARCHIVE,
    )


TRAIN_FILES: list[DataFile] = [
    batch_file(f"data_batch_{number}.bin", sha256)
    for number, sha256 in enumerate([
        "cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5",
        "a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed",
        "bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67",
        "014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48",
        "755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add",
    ], start=1)
]
"""The five training batches, with the SHA-256 of their content."""

TEST_FILE: DataFile = batch_file(
    "test_batch.bin", "8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b")
"""The test batch."""

MIRRORS: list[str] = [
    "https://www.cs.toronto.edu/~kriz/",
    "https://cave.cs.toronto.edu/kriz/",
]
"""Base URLs holding ``cifar-10-binary.tar.gz``, tried in order."""

SYSTEM_DIRS: list[Path] = [
    Path("/usr/share/datasets/cifar10"),
    Path("/usr/local/share/datasets/cifar10"),
]
"""Folders where a package manager may install the files."""

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def parse_batch(content: bytes, source: str = "<bytes>") -> tuple[np.ndarray, np.ndarray]:
    """Return the images (n, 32, 32, 3) and labels (n, 1), uint8, of a binary batch.

    Raises:
        ValueError: the content is not whole records, or a label is not 0-9.
    """
    if len(content) % RECORD_SIZE:
        raise ValueError(f"{source} is not a CIFAR-10 binary batch: its {len(content)} bytes "
                         f"are not whole records of {RECORD_SIZE} bytes (1 label + 3072 "
                         "pixels).")
    records = np.frombuffer(content, dtype=np.uint8).reshape(-1, RECORD_SIZE)
    labels = records[:, :1].copy()
    if labels.size and labels.max() > 9:
        row = int(np.argmax(labels[:, 0] > 9))
        raise ValueError(f"{source} is not a CIFAR-10 batch: record {row} has label "
                         f"{int(labels[row, 0])}, expected 0-9.")
    planes = records[:, 1:].reshape(-1, *IMAGE_SHAPE)
    return np.ascontiguousarray(planes.transpose(0, 2, 3, 1)), labels


def _load_batch(spec: DataFile, dataset: Dataset, given: Path | None) -> tuple[np.ndarray,
                                                                               np.ndarray]:
    cache = download_folder(dataset, given)
    cached = load_cached(cache, spec)
    if cached is not None and {"x", "y"} <= cached.keys():
        return cached["x"], cached["y"]
    urls = [mirror.rstrip("/") + "/" + ARCHIVE for mirror in MIRRORS]
    content, source = fetch_content(spec, dataset, urls, given=given, arg_name="path=")
    x, y = parse_batch(content, f"{source} ({spec.name})")
    save_cached(cache, spec, {"x": x, "y": y})
    return x, y


def load_data(path: str | os.PathLike[str] | None = None) -> Arrays:
    """Load the CIFAR-10 data set.

    Files are looked for in ``path``, then ``$NEUROFLOW_DATA/cifar10/``, the user cache
    (``~/.neuroflow/datasets/cifar10/`` or under ``NEUROFLOW_HOME``), system folders, and
    the archive is finally downloaded into the cache. Each batch is verified by the
    SHA-256 of its content; parsed arrays are cached as ``.npz`` for fast reloads.

    Args:
        path: an optional folder holding ``cifar-10-binary.tar.gz`` (or the gunzipped
            ``.tar``, or the extracted ``cifar-10-batches-bin/*.bin`` files), directly or
            in a ``cifar10/`` subfolder; downloads and the parse cache then go there.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape
        (50000, 32, 32, 3) and (10000, 32, 32, 3), uint8 labels 0-9 of shape (50000, 1)
        and (10000, 1), as Keras returns them.

    Raises:
        DatasetNotFoundError: no source holds the files and downloading failed.
        ChecksumError: a file given outside the cache is corrupted or truncated.
    """
    dataset = Dataset(key="cifar10", title="CIFAR-10", system_dirs=tuple(SYSTEM_DIRS),
                      hint="The binary version is at https://www.cs.toronto.edu/~kriz/"
                           "cifar.html ('CIFAR-10 binary version (suitable for C programs)').")
    given = as_folder(path)
    train = [_load_batch(spec, dataset, given) for spec in TRAIN_FILES]
    x_test, y_test = _load_batch(TEST_FILE, dataset, given)
    x_train = np.concatenate([x for x, _ in train])
    y_train = np.concatenate([y for _, y in train])
    return (x_train, y_train), (x_test, y_test)
