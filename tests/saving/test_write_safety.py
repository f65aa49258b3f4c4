"""Issue 18, items 5-7: temporary files are recognisable and cleaned up, saved files get a
normal mode, and a failed write names the target and leaves the old file intact."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from neuroflow import models
from neuroflow.saving import SaveError, atomic

SRC = str(Path(__file__).resolve().parents[2] / "src")


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _stray(target: Path, pid: int, age_s: float = 0.0) -> Path:
    name = Path(atomic.temporary_name(str(target))).name
    parts = name.split("-")
    parts[2] = str(pid)
    path = target.parent / "-".join(parts)
    path.write_bytes(b"half a model")
    if age_s:
        then = time.time() - age_s
        os.utime(path, (then, then))
    return path


def test_temporary_files_say_whose_write_they_belong_to(tmp_path):
    name = Path(atomic.temporary_name(str(tmp_path / "m.keras"))).name
    assert name.startswith(".m.keras.nf-") and name.endswith(".tmp")
    assert f"-{os.getpid()}-" in name


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m.weights.h5"])
def test_the_next_write_removes_stale_temporaries(tmp_path, trained, name):
    target = tmp_path / name
    dead = _stray(target, _dead_pid())
    old = _stray(target, os.getppid(), age_s=2 * 86400)
    live = _stray(target, os.getppid())
    other_target = _stray(tmp_path / "other.keras", _dead_pid())
    if name.endswith(".weights.h5"):
        trained.save_weights(target)
    else:
        trained.save(target)
    assert not dead.exists() and not old.exists()
    assert live.exists() and other_target.exists()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == sorted(
        [live.name, other_target.name])


def test_a_new_file_honours_the_umask(tmp_path, trained):
    previous = os.umask(0o027)
    try:
        trained.save(tmp_path / "m.keras")
    finally:
        os.umask(previous)
    assert (tmp_path / "m.keras").stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o600])
def test_a_replaced_file_keeps_its_mode(tmp_path, trained, mode):
    target = tmp_path / "m.h5"
    trained.save(target)
    os.chmod(target, mode)
    trained.save(target)
    assert target.stat().st_mode & 0o777 == mode


# The child saves a model bigger than its file-size limit over an existing, smaller one.
FSIZE_CHILD = textwrap.dedent("""
    import resource, sys
    import numpy as np
    from neuroflow import layers, models
    from neuroflow.saving import SaveError
    path = sys.argv[1]
    big = models.Sequential([layers.Input((400,)), layers.Dense(400)])
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
    try:
        if path.endswith(".weights.h5"):
            big.save_weights(path)
        else:
            big.save(path)
    except SaveError as err:
        print("SaveError:", err)
    except BaseException as err:
        print("other:", type(err).__name__, err)
""")


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m.weights.h5"])
def test_a_file_size_limit_names_the_target_and_keeps_the_old_file(tmp_path, trained, name):
    target = tmp_path / name
    if name.endswith(".weights.h5"):
        trained.save_weights(target)
    else:
        trained.save(target)
    before = target.read_bytes()
    env = {**os.environ, "PYTHONPATH": SRC, "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", FSIZE_CHILD, str(target)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.stdout.startswith("SaveError:"), out.stdout + out.stderr
    assert repr(str(target)) in out.stdout and "file-size limit" in out.stdout
    assert target.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_full_disk_names_the_target_and_keeps_the_old_file(tmp_path, trained, monkeypatch,
                                                             data):
    target = tmp_path / "m.keras"
    trained.save(target)
    before = target.read_bytes()

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", full)
    with pytest.raises(SaveError, match=r"m\.keras.*disk is full.*unchanged") as info:
        trained.save(target)
    assert info.value.errno == errno.ENOSPC
    monkeypatch.undo()
    assert target.read_bytes() == before
    np.testing.assert_allclose(models.load_model(target).predict(data[0], verbose=0),
                               trained.predict(data[0], verbose=0))
