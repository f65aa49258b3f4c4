"""MNIST: 70,000 28x28 grayscale images of handwritten digits (LeCun, Cortes, Burges).

``load_data()`` returns the same arrays as ``keras.datasets.mnist.load_data()``.
"""

from __future__ import annotations

import os
from pathlib import Path

from neuroflow.datasets._idx_dataset import Arrays, idx_file, load_idx_dataset
from neuroflow.datasets._resolve import Dataset

__all__ = ["load_data"]

FILES = {
    "x_train": idx_file(
        "train-images-idx3-ubyte",
        "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        47_040_016,
    ),
    "y_train": idx_file(
        "train-labels-idx1-ubyte",
        "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        60_008,
    ),
    "x_test": idx_file(
        "t10k-images-idx3-ubyte",
        "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        7_840_016,
    ),
    "y_test": idx_file(
        "t10k-labels-idx1-ubyte",
        "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        10_008,
    ),
}
"""The four original files, with the SHA-256 of their decompressed content."""

MIRRORS: list[str] = [
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
]
"""Base URLs holding the four ``.gz`` files, tried in order."""

SYSTEM_DIRS: list[Path] = [
    Path("/usr/share/datasets/mnist"),  # the layout of Debian's dataset-* packages
    Path("/usr/local/share/datasets/mnist"),
]
"""Folders where a package manager may install the files."""


def load_data(path: str | os.PathLike[str] | None = None) -> Arrays:
    """Load the MNIST data set.

    Files are looked for in ``path``, then ``$NEUROFLOW_DATA/mnist/``, the user cache
    (``~/.neuroflow/datasets/mnist/`` or under ``NEUROFLOW_HOME``), system folders, and
    are finally downloaded into the cache. Each file is verified by the SHA-256 of its
    decompressed content; parsed arrays are cached as ``.npz`` for fast reloads.

    Args:
        path: an optional folder holding the original ``*-idx*-ubyte[.gz]`` files
            (directly or in an ``mnist/`` subfolder); downloads and the parse cache then
            go there. For Keras compatibility a name ending in ``.npz`` (such as Keras's
            default ``"mnist.npz"``) means Keras's archive of the four arrays, relative
            to the user cache unless absolute: it is used, verified, when it exists.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (60000, 28, 28)
        and (10000, 28, 28), uint8 labels 0-9 of shape (60000,) and (10000,).

    Raises:
        DatasetNotFoundError: no source holds the files and downloading failed.
        ChecksumError: a file given outside the cache is corrupted or truncated.
    """
    return load_idx_dataset(
        Dataset(key="mnist", title="MNIST", system_dirs=tuple(SYSTEM_DIRS)),
        FILES,
        MIRRORS,
        path,
    )
