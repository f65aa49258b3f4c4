"""Loading of the MNIST-format data sets (four IDX files) shared by mnist and fashion_mnist."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from neuroflow.datasets._content import DataFile, sha256_hex
from neuroflow.datasets._errors import ChecksumError
from neuroflow.datasets._home import get_data_home
from neuroflow.datasets._idx import idx_bytes, parse_idx
from neuroflow.datasets._parse_cache import load_cached, save_cached
from neuroflow.datasets._resolve import Dataset, as_folder, download_folder, fetch_content

ROLES = ("x_train", "y_train", "x_test", "y_test")

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def idx_file(name: str, sha256: str, size: int) -> DataFile:
    """Describe an IDX file: looked for gzipped, plain, or under LeCun's dotted name."""
    dotted = name.replace("-idx", ".idx", 1)
    return DataFile(
        name=name,
        sha256=sha256,
        size=size,
        file_names=(f"{name}.gz", name, f"{dotted}.gz", dotted),
        download_name=f"{name}.gz",
    )


def _load_one(
    spec: DataFile, dataset: Dataset, mirrors: Sequence[str], given: Path | None
) -> np.ndarray:
    cache = download_folder(dataset, given)
    cached = load_cached(cache, spec)
    if cached is not None and "array" in cached:
        return cached["array"]
    urls = [mirror.rstrip("/") + "/" + spec.download_name for mirror in mirrors]
    content, source = fetch_content(spec, dataset, urls, given=given, arg_name="path=")
    array = parse_idx(content, str(source))
    save_cached(cache, spec, {"array": array})
    return array


def _load_keras_npz(file: Path, files: Mapping[str, DataFile]) -> Arrays:
    """Load a Keras-style ``mnist.npz`` (x_train, y_train, x_test, y_test), verified."""
    with np.load(file, allow_pickle=False) as npz:
        missing = [role for role in ROLES if role not in npz.files]
        if missing:
            raise ValueError(
                f"'{file}' is not a data set archive: expected arrays {list(ROLES)}, "
                f"missing {missing}."
            )
        arrays = {role: npz[role] for role in ROLES}
    for role, spec in files.items():
        digest = sha256_hex(idx_bytes(arrays[role]))
        if digest != spec.sha256:
            raise ChecksumError(
                f"File '{file}' is corrupted or holds other data: its array {role!r} "
                f"hashes to {digest}, expected {spec.sha256} (the content of {spec.name}).",
                str(file),
                expected=spec.sha256,
                actual=digest,
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def load_idx_dataset(
    dataset: Dataset,
    files: Mapping[str, DataFile],
    mirrors: Sequence[str],
    path: str | os.PathLike[str] | None,
) -> Arrays:
    """Return ``(x_train, y_train), (x_test, y_test)`` of an MNIST-format data set.

    ``path`` is a folder searched first (directly and in its ``<dataset.key>/``) and used
    for downloads and the parse cache. A path ending in ``.npz`` is read as Keras's
    cache-file argument instead: that file (relative to the user cache unless absolute)
    is loaded when it exists and its arrays match the known digests, otherwise the
    usual sources are searched.
    """
    missing = [role for role in ROLES if role not in files]
    if missing:
        raise ValueError(f"files for {dataset.title} lack the roles {missing}.")
    given = as_folder(path)
    if path is not None and str(path).endswith(".npz"):
        keras_file = Path(path).expanduser()
        if not keras_file.is_absolute():
            keras_file = get_data_home() / keras_file
        if keras_file.is_file():
            return _load_keras_npz(keras_file, files)
        given = None
    arrays = {role: _load_one(files[role], dataset, mirrors, given) for role in ROLES}
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if len(x) != len(y):
            raise ValueError(
                f"{dataset.title} {split} files disagree: {len(x)} images but {len(y)} labels."
            )
    return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])
