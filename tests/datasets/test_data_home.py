from pathlib import Path

from neuroflow.datasets import get_data_home
from neuroflow.datasets._home import data_root


def test_neuroflow_home_sets_the_cache(isolated):
    assert get_data_home() == isolated / "datasets"


def test_default_cache_is_under_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NEUROFLOW_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert get_data_home() == tmp_path / ".neuroflow" / "datasets"


def test_explicit_data_home_is_created(tmp_path):
    folder = get_data_home(tmp_path / "a" / "b")
    assert folder.is_dir() and folder == tmp_path / "a" / "b"


def test_data_root_is_none_when_unset():
    assert data_root() is None


def test_data_root_reads_neuroflow_data(monkeypatch, tmp_path):
    monkeypatch.setenv("NEUROFLOW_DATA", str(tmp_path))
    assert data_root() == Path(tmp_path)
