"""fashion_mnist.load_data on tiny IDX files, and the sample shipped in the package."""

import shutil

import numpy as np
import pytest

from neuroflow.datasets import ChecksumError, DatasetNotFoundError, fashion_mnist
from neuroflow.datasets._idx_dataset import idx_file


@pytest.fixture
def toy(toy_idx, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "FILES", toy_idx.files)
    return toy_idx


def test_load_data_returns_keras_tuples(toy):
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_data(path=toy.folder)
    np.testing.assert_array_equal(x_train, toy.arrays["x_train"])
    np.testing.assert_array_equal(y_test, toy.arrays["y_test"])
    assert x_train.dtype == y_train.dtype == x_test.dtype == np.uint8


def test_load_data_reads_neuroflow_data(toy, tmp_path, monkeypatch):
    shutil.copytree(toy.folder, tmp_path / "data" / "fashion_mnist")
    monkeypatch.setenv("NEUROFLOW_DATA", str(tmp_path / "data"))
    (_, y_train), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(y_train, [9, 0, 3])


def test_load_data_reads_the_system_folder(toy, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", [toy.folder])
    (_, y_train), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(y_train, [9, 0, 3])


def test_load_data_downloads_from_the_mirrors(toy, http_server, monkeypatch, cache_root):
    for path in toy.folder.iterdir():
        http_server.files[f"/fm/{path.name}"] = path.read_bytes()
    monkeypatch.setattr(fashion_mnist, "MIRRORS", [http_server.url + "/fm/"])
    (_, y_train), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(y_train, [9, 0, 3])
    assert (cache_root / "fashion_mnist" / "train-labels-idx1-ubyte.gz").is_file()


def test_second_load_uses_the_parse_cache(toy):
    fashion_mnist.load_data(path=toy.folder)
    for path in toy.folder.glob("*.gz"):
        path.unlink()
    (x_train, _), _ = fashion_mnist.load_data(path=toy.folder)
    np.testing.assert_array_equal(x_train, toy.arrays["x_train"])


def test_parse_cache_goes_in_the_user_cache_not_neuroflow_data(toy, tmp_path, monkeypatch):
    shutil.copytree(toy.folder, tmp_path / "data" / "fashion_mnist")
    monkeypatch.setenv("NEUROFLOW_DATA", str(tmp_path / "data"))
    fashion_mnist.load_data()
    assert not list((tmp_path / "data").rglob("*.npz"))
    assert len(list((tmp_path / "nf_home" / "datasets" / "fashion_mnist").glob("*.npz"))) == 4


def test_missing_files_raise_instead_of_returning_the_sample(toy):
    with pytest.raises(DatasetNotFoundError, match="Fashion-MNIST"):
        fashion_mnist.load_data()


def test_offline_error_suggests_the_debian_package(toy):
    with pytest.raises(DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"):
        fashion_mnist.load_data()


def test_image_and_label_counts_must_agree(toy, monkeypatch):
    files = dict(toy.files)
    files["y_test"] = toy.files["y_train"]
    monkeypatch.setattr(fashion_mnist, "FILES", files)
    with pytest.raises(ValueError, match="test files disagree: 2 images but 3 labels"):
        fashion_mnist.load_data(path=toy.folder)


def test_class_names_are_the_ten_names_in_label_order():
    assert fashion_mnist.CLASS_NAMES[0] == "T-shirt/top"
    assert fashion_mnist.CLASS_NAMES[9] == "Ankle boot"
    assert len(fashion_mnist.CLASS_NAMES) == 10


def test_real_file_specs_describe_the_original_sizes():
    assert fashion_mnist.FILES["x_train"] == idx_file(
        "train-images-idx3-ubyte", fashion_mnist.FILES["x_train"].sha256, 16 + 60000 * 28 * 28
    )


def test_sample_has_a_thousand_uint8_images():
    x, y = fashion_mnist.load_sample()
    assert x.shape == (1000, 28, 28) and y.shape == (1000,)
    assert x.dtype == y.dtype == np.uint8


def test_sample_covers_all_ten_classes():
    _, y = fashion_mnist.load_sample()
    assert set(np.unique(y)) == set(range(10))


def test_altered_sample_is_rejected(monkeypatch):
    monkeypatch.setitem(fashion_mnist._SAMPLE_SHA256, "y", "0" * 64)
    with pytest.raises(ChecksumError, match="packaged Fashion-MNIST sample"):
        fashion_mnist.load_sample()
