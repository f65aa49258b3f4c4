"""mnist.load_data on tiny IDX files, including Keras's ``path="mnist.npz"`` argument."""

import numpy as np
import pytest

from neuroflow.datasets import ChecksumError, DatasetNotFoundError, mnist


@pytest.fixture
def toy(toy_idx, monkeypatch):
    monkeypatch.setattr(mnist, "FILES", toy_idx.files)
    return toy_idx


def test_load_data_reads_a_mnist_subfolder_of_path(toy, tmp_path):
    toy.folder.rename(tmp_path / "mnist")
    (x_train, y_train), (x_test, _) = mnist.load_data(path=tmp_path)
    assert x_train.shape == (3, 2, 2) and x_test.shape == (2, 2, 2)
    np.testing.assert_array_equal(y_train, [9, 0, 3])


def test_uncompressed_lecun_names_are_accepted(toy):
    import gzip

    for path in toy.folder.glob("*.gz"):
        dotted = path.name.removesuffix(".gz").replace("-idx", ".idx")
        (toy.folder / dotted).write_bytes(gzip.decompress(path.read_bytes()))
        path.unlink()
    (_, y_train), _ = mnist.load_data(path=toy.folder)
    np.testing.assert_array_equal(y_train, [9, 0, 3])


def test_keras_npz_in_the_cache_is_loaded_and_verified(toy, cache_root):
    cache_root.mkdir(parents=True)
    np.savez(cache_root / "mnist.npz", **toy.arrays)
    (_, y_train), _ = mnist.load_data(path="mnist.npz")
    np.testing.assert_array_equal(y_train, [9, 0, 3])


def test_keras_npz_with_other_data_is_rejected(toy, tmp_path):
    arrays = dict(toy.arrays, y_test=np.array([2, 1], dtype=np.uint8))
    np.savez(tmp_path / "mnist.npz", **arrays)
    with pytest.raises(ChecksumError, match="array 'y_test' hashes to"):
        mnist.load_data(path=tmp_path / "mnist.npz")


def test_keras_npz_missing_an_array_is_rejected(toy, tmp_path):
    np.savez(tmp_path / "mnist.npz", x_train=toy.arrays["x_train"])
    with pytest.raises(ValueError, match="missing"):
        mnist.load_data(path=tmp_path / "mnist.npz")


def test_absent_keras_npz_falls_back_to_the_usual_sources(toy, tmp_path, monkeypatch):
    monkeypatch.setattr(mnist, "SYSTEM_DIRS", [toy.folder])
    (_, y_train), _ = mnist.load_data(path="mnist.npz")
    np.testing.assert_array_equal(y_train, [9, 0, 3])
    assert not (tmp_path / "mnist.npz").exists()


def test_missing_files_name_mnist_in_the_error(toy):
    with pytest.raises(DatasetNotFoundError, match="Cannot find the MNIST file"):
        mnist.load_data()
