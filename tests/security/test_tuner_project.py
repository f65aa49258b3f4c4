"""Issue 18, item 14: a project folder whose study is missing, empty or damaged is not
silently reused (a new search would overwrite the old trial folders)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

pytest.importorskip("optuna")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tuner"))

from tuner_helpers import make_data, tiny_build_model  # noqa: E402

from neuroflow import tuner as kt  # noqa: E402
from neuroflow.tuner.errors import FatalError  # noqa: E402


def _search(folder: Path, overwrite: bool = False, trials: int = 2) -> kt.RandomSearch:
    x, y, xv, yv = make_data(48)
    search = kt.RandomSearch(tiny_build_model, objective="val_accuracy", max_trials=trials,
                             directory=str(folder), project_name="p", overwrite=overwrite,
                             seed=1)
    search.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    return search


@pytest.fixture(scope="module")
def searched(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("searched")
    _search(root)
    assert list((root / "p").glob("trial_*"))
    return root / "p"


@pytest.fixture
def project(searched, tmp_path) -> Path:
    """A copy of a finished project (two trials) to damage."""
    return Path(shutil.copytree(searched, tmp_path / "p"))


def _damage(study: Path, how: str) -> None:
    if how == "missing":
        study.unlink()
    elif how == "empty":
        study.write_bytes(b"")
    elif how == "garbage":
        study.write_bytes(b"not a database at all" * 100)
    else:  # a good header over damaged pages
        raw = bytearray(study.read_bytes())
        raw[100:] = bytes(len(raw) - 100)
        study.write_bytes(bytes(raw))


@pytest.mark.parametrize("how", ["missing", "empty", "garbage", "damaged"])
def test_a_project_whose_study_is_lost_is_not_reused(project, how):
    study = project / "study.db"
    _damage(study, how)
    trials_before = sorted(p.name for p in project.glob("trial_*"))
    with pytest.raises(FatalError, match=f"{study}.*overwrite=True"):
        _search(project.parent)
    assert sorted(p.name for p in project.glob("trial_*")) == trials_before


def test_overwrite_starts_afresh(project):
    (project / "study.db").unlink()
    search = _search(project.parent, overwrite=True, trials=1)
    assert len(search.oracle.get_best_trials(1)) == 1


def test_a_healthy_project_resumes(project):
    search = _search(project.parent, trials=3)
    assert len(search.oracle.study.trials) == 3


def test_a_new_project_folder_starts(tmp_path):
    shutil.rmtree(tmp_path, ignore_errors=True)
    assert len(_search(tmp_path, trials=1).oracle.study.trials) == 1
