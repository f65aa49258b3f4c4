"""fetch_california_housing on a two-row StatLib file, and the StatLib parser."""

import io
import sys
import tarfile

import numpy as np
import pytest

from neuroflow.datasets import Bunch, DatasetNotFoundError, _california, fetch_california_housing
from neuroflow.datasets._california import derive_features, parse_statlib

ROWS = (
    b"-122.230000,37.880000,41.000000,880.000000,129.000000,322.000000,126.000000,"
    b"8.325200,452600.000000\n"
    b"-122.220000,37.860000,21.000000,7099.000000,1106.000000,2401.000000,1138.000000,"
    b"8.301400,358500.000000\n"
)


@pytest.fixture
def two_rows(spec_for, monkeypatch, tmp_path):
    spec = spec_for(ROWS, name="cal_housing.data", download_name="cal_housing.tgz")
    spec = type(spec)(
        name=spec.name,
        sha256=spec.sha256,
        size=spec.size,
        file_names=("cal_housing.data", "cal_housing.tgz"),
        download_name="cal_housing.tgz",
    )
    monkeypatch.setattr(_california, "CAL_HOUSING", spec)
    folder = tmp_path / "statlib"
    folder.mkdir()
    (folder / "cal_housing.data").write_bytes(ROWS)
    return folder


def test_parse_statlib_reads_nine_columns():
    table = parse_statlib(ROWS)
    assert table.shape == (2, 9) and table.dtype == np.float64
    assert table[0, 0] == -122.23 and table[1, 8] == 358500.0


def test_parse_statlib_rejects_other_column_counts():
    with pytest.raises(ValueError, match=r"data\.csv .*9 columns, got an array of shape \(1, 3\)"):
        parse_statlib(b"1,2,3\n", source="data.csv")


def test_parse_statlib_rejects_text_values():
    with pytest.raises(ValueError, match="not in the StatLib cal_housing format"):
        parse_statlib(b"longitude,latitude\n")


def test_features_are_averages_per_household_in_sklearn_order():
    data, _ = derive_features(parse_statlib(ROWS))
    np.testing.assert_allclose(
        data[0], [8.3252, 41.0, 880 / 126, 129 / 126, 322.0, 322 / 126, 37.88, -122.23]
    )


def test_target_is_in_units_of_100000_dollars():
    _, target = derive_features(parse_statlib(ROWS))
    np.testing.assert_allclose(target, [4.526, 3.585])


def test_fetch_returns_the_bunch(two_rows):
    bunch = fetch_california_housing(data_home=two_rows)
    assert isinstance(bunch, Bunch) and bunch.data.shape == (2, 8)
    assert bunch.feature_names[0] == "MedInc" and bunch.target_names == ["MedHouseVal"]
    assert bunch.frame is None and "StatLib" in bunch.DESCR


def test_fetch_return_x_y_gives_a_pair(two_rows):
    data, target = fetch_california_housing(data_home=two_rows, return_X_y=True)
    assert data.shape == (2, 8) and target.shape == (2,)


def test_fetch_as_frame_gives_pandas_objects(two_rows):
    pytest.importorskip("pandas")
    bunch = fetch_california_housing(data_home=two_rows, as_frame=True)
    assert list(bunch.frame.columns)[-2:] == ["Longitude", "MedHouseVal"]
    assert bunch.target.name == "MedHouseVal" and bunch.data.shape == (2, 8)


def test_as_frame_without_pandas_says_how_to_install_it(two_rows, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"neuroflow\[pandas\]"):
        fetch_california_housing(data_home=two_rows, as_frame=True)


def test_fetch_without_download_names_data_home_in_the_error(two_rows, tmp_path):
    with pytest.raises(DatasetNotFoundError, match="data_home= argument") as info:
        fetch_california_housing(data_home=tmp_path / "nowhere", download_if_missing=False)
    assert "download_if_missing=False" in str(info.value)


def test_fetch_downloads_and_unpacks_the_archive(two_rows, http_server, monkeypatch, cache_root):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("CaliforniaHousing/cal_housing.data")
        info.size = len(ROWS)
        archive.addfile(info, io.BytesIO(ROWS))
    http_server.files["/files/5976036"] = buffer.getvalue()
    monkeypatch.setattr(_california, "MIRRORS", [http_server.url + "/files/5976036"])
    data, _ = fetch_california_housing(return_X_y=True)
    assert data.shape == (2, 8)
    folder = cache_root / "california_housing"
    assert (folder / "cal_housing.data").read_bytes() == ROWS
    assert not (folder / "cal_housing.tgz").exists()
