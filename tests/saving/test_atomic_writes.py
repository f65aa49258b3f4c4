"""A save killed in the middle (SIGKILL) leaves the previous file intact and loadable."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from neuroflow import models

SRC = str(Path(__file__).resolve().parents[2] / "src")

# The child saves a different model to the same path and stops half-way through the
# write (after the first part is on disk), where the parent kills it.
CHILD = textwrap.dedent("""
    import sys, time, zipfile
    from neuroflow import backend, layers, models
    from neuroflow.saving import h5_io
    path, marker = sys.argv[1], sys.argv[2]

    def hang():
        open(marker, "w").close()
        time.sleep(60)

    original_writestr = zipfile.ZipFile.writestr
    def writestr(self, *args, **kwargs):
        original_writestr(self, *args, **kwargs)
        hang()
    zipfile.ZipFile.writestr = writestr
    original_tree = h5_io.write_tree
    def write_tree(group, tree):
        original_tree(group, tree)
        if group.name == "/" and str(group.file.filename).endswith(".tmp"):
            hang()
    h5_io.write_tree = write_tree

    backend.set_seed(2)
    model = models.Sequential([layers.Dense(5, input_shape=(4,)), layers.Dense(3)])
    model.save(path)
""")


@pytest.mark.slow
@pytest.mark.parametrize("name", ["m.keras", "m.h5"])
def test_save_killed_mid_write_leaves_previous_file_loadable(tmp_path, trained, data, name):
    x, _ = data
    path = tmp_path / name
    trained.save(path)
    expected = trained.predict(x, verbose=0)
    marker = tmp_path / "writing"
    env = {**os.environ, "PYTHONPATH": SRC}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(marker)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the child process ended before writing"
            assert time.monotonic() < deadline, "the child never started writing"
            time.sleep(0.05)
        assert any(p.name.endswith(".tmp") for p in tmp_path.iterdir())
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=30)
    loaded = models.load_model(path)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), expected)
