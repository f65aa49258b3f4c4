"""benchmarks/reproduce_chapter.py: the table of the chapter's results (--fast mode)."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

import neuroflow

ROOT = Path(__file__).parents[1]
SCRIPT = ROOT / "benchmarks" / "reproduce_chapter.py"


def load_script():
    sys.path.insert(0, str(SCRIPT.parent))
    spec = importlib.util.spec_from_file_location("reproduce_chapter", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_parameter_counts_match_the_chapter():
    script = load_script()
    rows = script.parameter_counts(script.Settings(fast=True))
    assert [(r.chapter, r.measured) for r in rows] == [("266,610", "266,610"), ("1,239", "1,239")]


def test_a_failing_experiment_is_reported_as_not_measured(monkeypatch):
    script = load_script()

    def broken(settings):
        raise RuntimeError("no data")

    monkeypatch.setitem(script.EXPERIMENTS, "broken", broken)
    (row,) = script.run(["broken"], script.Settings(fast=True), log=lambda *a: None)
    assert row.measured == "not measured: RuntimeError: no data"


def test_fast_mode_says_its_figures_do_not_reproduce_the_chapter():
    script = load_script()
    page = script.render([], script.Settings(fast=True), 1.0)
    assert "do NOT reproduce the chapter" in page


@pytest.mark.slow
def test_fast_run_writes_the_results_table(tmp_path):
    out = tmp_path / "results.md"
    env = {**os.environ, "PYTHONPATH": str(Path(neuroflow.__file__).parents[1])}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--fast", "--only", "parameter_counts", "california_30",
         "--output", str(out)], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    table = [line for line in out.read_text().splitlines() if line.startswith("| ")]
    assert len(table) == 1 + 3 and "| not measured:" not in out.read_text()
