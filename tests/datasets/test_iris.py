import sys

import numpy as np
import pytest

from neuroflow.datasets import Bunch, load_iris


def test_iris_has_150_rows_of_4_features():
    bunch = load_iris()
    assert isinstance(bunch, Bunch)
    assert bunch.data.shape == (150, 4) and bunch.data.dtype == np.float64


def test_iris_has_50_flowers_per_species():
    np.testing.assert_array_equal(np.bincount(load_iris().target), [50, 50, 50])


def test_iris_first_row_is_fishers_first_setosa():
    bunch = load_iris()
    np.testing.assert_array_equal(bunch.data[0], [5.1, 3.5, 1.4, 0.2])
    assert bunch.target[0] == 0


def test_iris_names_features_and_species():
    bunch = load_iris()
    assert bunch.feature_names == [
        "sepal length (cm)",
        "sepal width (cm)",
        "petal length (cm)",
        "petal width (cm)",
    ]
    assert list(bunch.target_names) == ["setosa", "versicolor", "virginica"]


def test_iris_describes_itself():
    bunch = load_iris()
    assert "Fisher" in bunch.DESCR and bunch.frame is None
    assert (bunch.filename, bunch.data_module) == ("iris.csv", "neuroflow.datasets.data")


def test_iris_return_x_y_gives_a_pair():
    data, target = load_iris(return_X_y=True)
    assert data.shape == (150, 4) and target.shape == (150,)


def test_iris_as_frame_gives_pandas_objects():
    pytest.importorskip("pandas")
    bunch = load_iris(as_frame=True)
    assert list(bunch.frame.columns)[-1] == "target" and bunch.frame.shape == (150, 5)
    assert bunch.target.name == "target" and bunch.data.shape == (150, 4)


def test_iris_as_frame_without_pandas_raises_import_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match="as_frame=True requires pandas"):
        load_iris(as_frame=True)


def test_iris_matches_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets")
    reference = datasets.load_iris()
    np.testing.assert_array_equal(load_iris().data, reference.data)
    np.testing.assert_array_equal(load_iris().target, reference.target)
