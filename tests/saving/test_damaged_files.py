"""Truncated, corrupted, foreign and too-new files get a clear FileFormatError."""

from __future__ import annotations

import json
import os
import zipfile

import pytest

from neuroflow import models
from neuroflow.saving import FileFormatError


@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_truncated_model_file_gets_clear_error(tmp_path, trained, name):
    path = tmp_path / name
    trained.save(path)
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        f.truncate(size // 2)
    with pytest.raises(FileFormatError, match="truncated or corrupted"):
        models.load_model(path)


def test_truncated_weights_file_gets_clear_error(tmp_path, trained):
    path = tmp_path / "w.weights.h5"
    trained.save_weights(path)
    with open(path, "r+b") as f:
        f.truncate(os.path.getsize(path) - 100)
    with pytest.raises(FileFormatError, match="w.weights.h5"):
        trained.load_weights(path)


def test_corrupted_archive_gets_clear_error(tmp_path, trained):
    path = tmp_path / "m.keras"
    trained.save(path)
    raw = bytearray(path.read_bytes())
    middle = len(raw) // 2
    raw[middle:middle + 64] = bytes(64)
    path.write_bytes(bytes(raw))
    with pytest.raises(FileFormatError, match="m.keras"):
        models.load_model(path)


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "w.weights.h5"])
def test_random_bytes_get_clear_error(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(os.urandom(2048).replace(b"PK", b"pk"))
    with pytest.raises(FileFormatError, match="neither a .keras zip archive nor an HDF5"):
        models.load_model(path)


def test_empty_file_gets_clear_error(tmp_path):
    path = tmp_path / "m.keras"
    path.write_bytes(b"")
    with pytest.raises(FileFormatError, match="empty"):
        models.load_model(path)


def test_zip_of_another_format_gets_clear_error(tmp_path):
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(FileFormatError, match="no metadata.json"):
        models.load_model(path)


def test_missing_file_gets_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.keras"):
        models.load_model(tmp_path / "nope.keras")


def test_newer_format_version_is_refused_in_archive(tmp_path, trained):
    path = tmp_path / "m.keras"
    trained.save(path)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    meta = json.loads(members["metadata.json"])
    meta["format_version"] = "2.0"
    members["metadata.json"] = json.dumps(meta).encode()
    with zipfile.ZipFile(path, "w") as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    with pytest.raises(FileFormatError, match="format version 2.0.*Upgrade"):
        models.load_model(path)


def test_newer_format_version_is_refused_in_h5(tmp_path, trained):
    import h5py

    path = tmp_path / "m.h5"
    trained.save(path)
    with h5py.File(path, "r+") as f:
        meta = json.loads(f.attrs["neuroflow_metadata"])
        meta["format_version"] = "7.1"
        f.attrs["neuroflow_metadata"] = json.dumps(meta)
    with pytest.raises(FileFormatError, match="format version 7.1"):
        models.load_model(path)


def test_foreign_hdf5_file_gets_clear_error(tmp_path):
    import h5py

    path = tmp_path / "other.h5"
    with h5py.File(path, "w") as f:
        f.create_dataset("x", data=[1, 2, 3])
    with pytest.raises(FileFormatError, match="not written by neuroflow"):
        models.load_model(path)
