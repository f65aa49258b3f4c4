"""Fashion-MNIST: 70,000 28x28 grayscale images of clothing in 10 classes.

By Zalando Research (https://github.com/zalandoresearch/fashion-mnist), MIT License.
``load_data()`` returns the full data set, exactly as ``keras.datasets.fashion_mnist``;
``load_sample()`` returns the 1,000-image sample shipped inside neuroflow, for machines
with neither the files nor a network. ``load_data()`` never substitutes the sample.
"""

from __future__ import annotations

import io
import os
from importlib import resources
from pathlib import Path

import numpy as np

from neuroflow.datasets._content import sha256_hex
from neuroflow.datasets._errors import ChecksumError
from neuroflow.datasets._idx_dataset import Arrays, idx_file, load_idx_dataset
from neuroflow.datasets._resolve import Dataset

__all__ = ["CLASS_NAMES", "load_data", "load_sample"]

CLASS_NAMES: list[str] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
"""The names of labels 0 to 9."""

FILES = {
    "x_train": idx_file(
        "train-images-idx3-ubyte",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        47_040_016,
    ),
    "y_train": idx_file(
        "train-labels-idx1-ubyte",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        60_008,
    ),
    "x_test": idx_file(
        "t10k-images-idx3-ubyte",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        7_840_016,
    ),
    "y_test": idx_file(
        "t10k-labels-idx1-ubyte",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        10_008,
    ),
}
"""The four original files, with the SHA-256 of their decompressed content."""

MIRRORS: list[str] = [
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
]
"""Base URLs holding the four ``.gz`` files, tried in order."""

SYSTEM_DIRS: list[Path] = [
    Path("/usr/share/datasets/fashion-mnist"),  # Debian/Ubuntu: dataset-fashion-mnist
    Path("/usr/local/share/datasets/fashion-mnist"),
]
"""Folders where a package manager installs the files."""

_SAMPLE_SHA256 = {
    "x": "8d46efb2efae7259de048298adb99140d06082b91c430833a54d7ce30f21c9c9",
    "y": "86fea14d645de73ec2f8e0e859add59c557ccdf73e3e419692220b128c15ec47",
}


def _dataset() -> Dataset:
    return Dataset(
        key="fashion_mnist",
        title="Fashion-MNIST",
        system_dirs=tuple(SYSTEM_DIRS),
        hint="On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` installs the files.",
    )


def load_data(path: str | os.PathLike[str] | None = None) -> Arrays:
    """Load the Fashion-MNIST data set.

    Files are looked for in ``path``, then ``$NEUROFLOW_DATA/fashion_mnist/``, the user
    cache (``~/.neuroflow/datasets/fashion_mnist/`` or under ``NEUROFLOW_HOME``), Debian's
    ``/usr/share/datasets/fashion-mnist/``, and are finally downloaded into the cache.
    Each file is verified by the SHA-256 of its decompressed content; parsed arrays are
    cached as ``.npz`` so that the next call is fast.

    Args:
        path: an optional folder holding the original files (directly or in a
            ``fashion_mnist/`` subfolder); downloads and the parse cache then go there.

    Returns:
        ``(x_train, y_train), (x_test, y_test)``: uint8 images of shape (60000, 28, 28)
        and (10000, 28, 28), uint8 labels 0-9 of shape (60000,) and (10000,).

    Raises:
        DatasetNotFoundError: no source holds the files and downloading failed.
        ChecksumError: a file given outside the cache is corrupted or truncated.
    """
    return load_idx_dataset(_dataset(), FILES, MIRRORS, path)


def load_sample() -> tuple[np.ndarray, np.ndarray]:
    """Return the Fashion-MNIST sample shipped with neuroflow (no file or network needed).

    The sample is the first 1,000 images and labels of the Fashion-MNIST test set, in
    file order (every class is present). Use it as a documented, explicit fallback;
    :func:`load_data` never returns it in place of the full data set.

    Returns:
        ``(x, y)``: uint8 images of shape (1000, 28, 28) and uint8 labels of shape (1000,).

    Raises:
        ChecksumError: the sample inside the installed package was altered.
    """
    sample = resources.files("neuroflow.datasets.data").joinpath("fashion_mnist_sample.npz")
    with np.load(io.BytesIO(sample.read_bytes()), allow_pickle=False) as npz:
        x, y = npz["x"], npz["y"]
    for key, array in (("x", x), ("y", y)):
        digest = sha256_hex(array.tobytes())
        if digest != _SAMPLE_SHA256[key]:
            raise ChecksumError(
                f"The packaged Fashion-MNIST sample ({sample}) is corrupted: array {key!r} "
                f"hashes to {digest}, expected {_SAMPLE_SHA256[key]}. Reinstall neuroflow.",
                str(sample),
                expected=_SAMPLE_SHA256[key],
                actual=digest,
            )
    return x, y
