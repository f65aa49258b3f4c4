"""The `neuroflow` command: help, exit codes and one-line errors."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

import neuroflow
from neuroflow.cli import main
from neuroflow.cli.errors import BAD_INPUT, FAILURE, MISSING_DEPENDENCY, CliError, exit_code_for

SRC = str(Path(neuroflow.__file__).parents[1])


def test_python_dash_m_neuroflow_runs_the_command():
    env = {**os.environ, "PYTHONPATH": SRC}
    done = subprocess.run([sys.executable, "-m", "neuroflow", "--help"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "demo" in done.stdout


@pytest.mark.parametrize("command", ["demo", "summary", "predict", "evaluate"])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0 and "usage: neuroflow " + command in capsys.readouterr().out


def test_help_lists_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "exit codes" in capsys.readouterr().out


def test_unknown_command_exits_with_usage_code(capsys):
    with pytest.raises(SystemExit) as info:
        main(["bogus"])
    assert info.value.code == 2


def test_an_error_is_one_line_on_stderr(tmp_path, capsys):
    code = main(["summary", str(tmp_path / "missing.keras")])
    err = capsys.readouterr().err
    assert code == BAD_INPUT and err.count("\n") == 1
    assert err.startswith("neuroflow summary: error:") and "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path):
    with pytest.raises(CliError, match="no such model file"):
        main(["--debug", "summary", str(tmp_path / "missing.keras")])


def test_debug_after_the_command_shows_the_traceback(tmp_path):
    with pytest.raises(CliError, match="no such model file"):
        main(["summary", str(tmp_path / "missing.keras"), "--debug"])


def test_missing_optional_dependency_has_its_own_exit_code():
    assert exit_code_for(ImportError("no module named h5py")) == MISSING_DEPENDENCY


def test_missing_file_has_the_bad_input_exit_code():
    assert exit_code_for(FileNotFoundError("x")) == BAD_INPUT


def test_other_failures_exit_with_one():
    assert exit_code_for(RuntimeError("diverged")) == FAILURE
