"""Fuzz: damaged and hostile model files (.keras, .h5, .weights.h5) each get one clear
FileFormatError naming the file (or, for harmless damage, load the very same weights),
within an address-space limit, and never open a file outside the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("h5py")

HERE = Path(__file__).resolve().parent
SRC = str(HERE.parents[1] / "src")
AS_LIMIT = 1 * 2**30  # the child's whole address space: no attack may allocate gigabytes


@pytest.mark.slow
def test_damaged_and_hostile_files_get_clear_errors_in_bounded_memory(tmp_path):
    env = {**os.environ, "PYTHONPATH": SRC, "OPENBLAS_NUM_THREADS": "1",
           "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    run = subprocess.run(
        [sys.executable, str(HERE / "fuzz_child.py"), str(tmp_path), "18", "150", str(AS_LIMIT)],
        env=env, capture_output=True, text=True, timeout=300)
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    reports = [r for r in lines if "case" in r]
    assert run.returncode == 0, (run.stderr[-3000:], reports[-1:] if reports else None)
    assert len(reports) > 200
    for r in reports:
        assert r["outcome"] != "blocked", f"{r['case']} ({r['fmt']}) opened a file outside it"
        if r["outcome"] == "loaded":
            assert r["case"].startswith("random_") and r["same"], r
            continue
        assert r["file_format_error"], r
        assert repr(r["path"]) in r["message"], r
        assert "out of memory" not in r["message"], r
    hostile = [r for r in reports if not r["case"].startswith("random_")]
    assert all(r["outcome"] == "error" for r in hostile)
    assert {r["fmt"] for r in hostile} == {"keras", "h5", "weights"}
    peak = next(r["peak_rss"] for r in lines if "peak_rss" in r)
    assert peak < 600 * 2**20
