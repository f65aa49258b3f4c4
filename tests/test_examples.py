"""Every script in examples/ runs to the end in its fast mode (NEUROFLOW_FAST=1)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import neuroflow

SRC = Path(neuroflow.__file__).parents[1]
EXAMPLES = sorted((Path(__file__).parents[1] / "examples").glob("[0-9]*.py"))


def test_the_chapter_examples_are_all_there():
    assert len(EXAMPLES) >= 20  # chapter 10, then chapter 11 from 13_initialization


@pytest.mark.slow
@pytest.mark.parametrize("script", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs_in_fast_mode(script, tmp_path):
    env = {**os.environ, "NEUROFLOW_FAST": "1", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{script.name} failed:\n{done.stderr[-3000:]}"
