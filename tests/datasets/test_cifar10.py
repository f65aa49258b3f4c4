"""cifar10.load_data on a tiny archive in the real binary format (never a download of the
real one): Keras's arrays, the usual sources, verification, parse cache, mirror download."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
from dataclasses import dataclass

import numpy as np
import pytest

from neuroflow.datasets import ChecksumError, DatasetNotFoundError, cifar10
from neuroflow.datasets._content import DataFile

BATCHES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]


@dataclass
class ToyCifar:
    """Two images per batch: planes (n, 3, 32, 32), labels, the archive's bytes."""

    planes: dict[str, np.ndarray]
    labels: dict[str, np.ndarray]
    contents: dict[str, bytes]
    archive: bytes

    def expected(self, names):
        x = np.concatenate([self.planes[n].transpose(0, 2, 3, 1) for n in names])
        y = np.concatenate([self.labels[n] for n in names]).reshape(-1, 1)
        return x, y


def _tar(members: dict[str, bytes], compress: bool) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{cifar10.FOLDER}/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@pytest.fixture
def toy(monkeypatch, tmp_path) -> ToyCifar:
    rng = np.random.default_rng(0)
    planes, labels, contents = {}, {}, {}
    for i, name in enumerate(BATCHES):
        planes[name] = rng.integers(0, 256, (2, 3, 32, 32), dtype=np.uint8)
        labels[name] = np.array([i, 9 - i], dtype=np.uint8)
        contents[name] = b"".join(bytes([label]) + image.tobytes()
                                  for label, image in zip(labels[name], planes[name],
                                                          strict=True))
    specs = {name: cifar10.batch_file(name, hashlib.sha256(data).hexdigest(), records=2)
             for name, data in contents.items()}
    monkeypatch.setattr(cifar10, "TRAIN_FILES", [specs[n] for n in BATCHES[:5]])
    monkeypatch.setattr(cifar10, "TEST_FILE", specs["test_batch.bin"])
    monkeypatch.setattr(cifar10, "SYSTEM_DIRS", [])
    monkeypatch.setattr(cifar10, "MIRRORS", ["http://127.0.0.1:9/"])  # discard port: refused
    meta = "\n".join(cifar10.CLASS_NAMES).encode() + b"\n"
    return ToyCifar(planes, labels, contents,
                    _tar({**contents, "batches.meta.txt": meta}, compress=True))


def _assert_keras_arrays(toy: ToyCifar, loaded) -> None:
    (x_train, y_train), (x_test, y_test) = loaded
    assert (x_train.shape, y_train.shape, x_test.shape, y_test.shape) == (
        (10, 32, 32, 3), (10, 1), (2, 32, 32, 3), (2, 1))
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}
    for (x, y), names in (((x_train, y_train), BATCHES[:5]), ((x_test, y_test), BATCHES[5:])):
        expected_x, expected_y = toy.expected(names)
        np.testing.assert_array_equal(x, expected_x)
        np.testing.assert_array_equal(y, expected_y)


def test_the_archive_in_path_gives_keras_arrays(toy, tmp_path):
    (tmp_path / cifar10.ARCHIVE).write_bytes(toy.archive)
    _assert_keras_arrays(toy, cifar10.load_data(path=tmp_path))


def test_a_pixel_is_red_green_blue_of_its_planes(toy, tmp_path):
    (tmp_path / cifar10.ARCHIVE).write_bytes(toy.archive)
    (x_train, _), _ = cifar10.load_data(path=tmp_path)
    planes = toy.planes["data_batch_1.bin"][1]
    assert list(x_train[1, 4, 7]) == [planes[0, 4, 7], planes[1, 4, 7], planes[2, 4, 7]]


def test_the_gunzipped_tar_is_accepted(toy, tmp_path):
    (tmp_path / "cifar-10-binary.tar").write_bytes(gzip.decompress(toy.archive))
    _assert_keras_arrays(toy, cifar10.load_data(path=tmp_path))


def test_extracted_batches_under_neuroflow_data_are_found(toy, tmp_path, monkeypatch):
    folder = tmp_path / "data" / "cifar10" / cifar10.FOLDER
    folder.mkdir(parents=True)
    for name, data in toy.contents.items():
        (folder / name).write_bytes(data)
    monkeypatch.setenv("NEUROFLOW_DATA", str(tmp_path / "data"))
    _assert_keras_arrays(toy, cifar10.load_data())


def test_parsed_arrays_are_cached_and_reused_without_the_archive(toy, tmp_path, monkeypatch,
                                                                 cache_root):
    (tmp_path / "cifar10").mkdir()
    (tmp_path / "cifar10" / cifar10.ARCHIVE).write_bytes(toy.archive)
    monkeypatch.setenv("NEUROFLOW_DATA", str(tmp_path))
    first = cifar10.load_data()
    (tmp_path / "cifar10" / cifar10.ARCHIVE).unlink()
    assert len(list((cache_root / "cifar10").glob("*.npz"))) == 6
    _assert_keras_arrays(toy, cifar10.load_data())
    np.testing.assert_array_equal(first[0][0], cifar10.load_data()[0][0])


def test_the_archive_is_downloaded_once_into_the_cache(toy, http_server, monkeypatch,
                                                        cache_root):
    http_server.files["/kriz/" + cifar10.ARCHIVE] = toy.archive
    monkeypatch.setattr(cifar10, "MIRRORS", [http_server.url + "/kriz/"])
    _assert_keras_arrays(toy, cifar10.load_data())
    assert [path for path, _ in http_server.requests] == ["/kriz/" + cifar10.ARCHIVE]
    assert (cache_root / "cifar10" / cifar10.ARCHIVE).read_bytes() == toy.archive


def test_a_corrupted_batch_is_reported_with_its_file(toy, tmp_path):
    contents = dict(toy.contents)
    damaged = bytearray(contents["data_batch_3.bin"])
    damaged[100] ^= 0xFF
    contents["data_batch_3.bin"] = bytes(damaged)
    (tmp_path / cifar10.ARCHIVE).write_bytes(_tar(contents, compress=True))
    with pytest.raises(ChecksumError, match=r"cifar-10-binary\.tar\.gz.*data_batch_3\.bin"):
        cifar10.load_data(path=tmp_path)


def test_missing_files_list_the_places_tried_and_the_binary_version(toy, tmp_path):
    with pytest.raises(DatasetNotFoundError) as caught:
        cifar10.load_data(path=tmp_path)
    message = str(caught.value)
    assert "CIFAR-10" in message and "NEUROFLOW_DATA" in message
    assert "binary version" in message and "download from http://127.0.0.1:9/" in message


@pytest.mark.parametrize("content, message", [
    (b"\x00" * 3072, "not whole records of 3073 bytes"),
    (b"\x0a" + b"\x00" * 3072, "record 0 has label 10"),
])
def test_parse_batch_refuses_what_is_not_a_batch(content, message):
    with pytest.raises(ValueError, match=message):
        cifar10.parse_batch(content, "toy.bin")


def test_the_real_batches_are_ten_thousand_records_with_known_digests():
    specs: list[DataFile] = [*cifar10.TRAIN_FILES, cifar10.TEST_FILE]
    assert [spec.name for spec in specs] == BATCHES
    assert {spec.size for spec in specs} == {10_000 * 3073}
    assert len({spec.sha256 for spec in specs}) == 6
    assert all(spec.file_names[0] == "cifar-10-binary.tar.gz" for spec in specs)
