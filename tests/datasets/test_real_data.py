"""The real files, through NEUROFLOW_DATA (CI points it at the verified copies)."""

import os
from pathlib import Path

import numpy as np
import pytest

from neuroflow.datasets import _california, fashion_mnist, fetch_california_housing, mnist

REAL_DATA = os.environ.get("NEUROFLOW_DATA")

pytestmark = pytest.mark.skipif(
    not REAL_DATA,
    reason="NEUROFLOW_DATA is unset: the real data sets are not available "
    "(scripts/test.sh sets it to ../shared/datasets when that folder exists)",
)


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """Point NEUROFLOW_DATA at the real files, the cache at a temporary folder, no mirror."""
    home = str(tmp_path_factory.mktemp("real_home"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("NEUROFLOW_DATA", REAL_DATA)
        patch.setenv("NEUROFLOW_HOME", home)
        for module in (fashion_mnist, mnist, _california):
            patch.setattr(module, "MIRRORS", [])
            patch.setattr(module, "SYSTEM_DIRS", [])
        yield home


@pytest.fixture(scope="module")
def fashion(real):
    return fashion_mnist.load_data()


@pytest.fixture(scope="module")
def digits(real):
    return mnist.load_data()


@pytest.fixture(scope="module")
def housing(real):
    return fetch_california_housing()


@pytest.fixture(autouse=True)
def real_environment(real, monkeypatch):
    # The package-wide isolation fixture replaced both variables: put them back.
    monkeypatch.setenv("NEUROFLOW_DATA", REAL_DATA)
    monkeypatch.setenv("NEUROFLOW_HOME", real)


def test_fashion_mnist_shapes_and_dtypes(fashion):
    (x_train, y_train), (x_test, y_test) = fashion
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert {a.dtype for a in (x_train, y_train, x_test, y_test)} == {np.dtype(np.uint8)}


def test_fashion_mnist_first_training_label_is_an_ankle_boot(fashion):
    (_, y_train), _ = fashion
    assert y_train[0] == 9 and fashion_mnist.CLASS_NAMES[y_train[0]] == "Ankle boot"


def test_fashion_mnist_has_6000_training_images_per_class(fashion):
    (_, y_train), _ = fashion
    np.testing.assert_array_equal(np.bincount(y_train), [6000] * 10)


def test_fashion_mnist_sample_is_the_start_of_the_test_set(fashion):
    _, (x_test, y_test) = fashion
    x, y = fashion_mnist.load_sample()
    np.testing.assert_array_equal(x, x_test[:1000])
    np.testing.assert_array_equal(y, y_test[:1000])


def test_fashion_mnist_reload_from_the_parse_cache_is_identical(fashion, real):
    (x_train, _), _ = fashion
    assert list(Path(real, "datasets", "fashion_mnist").glob("train-images*.npz"))
    (again, _), _ = fashion_mnist.load_data()
    np.testing.assert_array_equal(again, x_train)


def test_mnist_shapes_dtypes_and_first_labels(digits):
    (x_train, y_train), (x_test, y_test) = digits
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert x_train.dtype == y_test.dtype == np.uint8
    np.testing.assert_array_equal(y_train[:5], [5, 0, 4, 1, 9])


def test_california_housing_shape_and_names(housing):
    assert housing.data.shape == (20640, 8) and housing.target.shape == (20640,)
    assert housing.feature_names[-2:] == ["Latitude", "Longitude"]


def test_california_housing_known_means(housing):
    assert housing.data[:, 0].mean() == pytest.approx(3.8707, abs=1e-4)
    assert housing.target.mean() == pytest.approx(2.0686, abs=1e-4)
    assert housing.data[:, 2].mean() == pytest.approx(5.4290, abs=1e-4)
