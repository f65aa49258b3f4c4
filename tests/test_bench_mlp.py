"""benchmarks/bench_mlp.py --quick: every target of issue 14 prints its ratio line (a smoke
run on tiny data without the other frameworks; the figures themselves are not checked)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_mlp.py"
RATIO = r"ratio\b[^0-9]*\d+\.\d+"


@pytest.fixture(scope="module")
def output() -> str:
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--no-references"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("line", [
    "case 1 sgd:", "case 1 adam:", "case 2 sgd:", "case 2 adam:",
    "Wide & Deep (Normalization, concatenate), Adam:",
    "two-output Wide & Deep, loss_weights (0.9, 0.1), Adam:",
    "subclassed two-output Wide & Deep, Adam:",
    "predict on one row:", "evaluate (forward-only plan)", "fit verbose=1 (progress bar)",
    "calls per step, case 2 SGD:",
])
def test_every_target_prints_its_ratio(output, line):
    matches = [row for row in output.splitlines() if row.startswith(line)]
    assert len(matches) == 1, output
    assert re.search(RATIO, matches[0]), matches[0]


def test_the_hand_written_loops_compute_the_same_networks(output):
    """Each NumPy loop is the model's math: the weights after one epoch agree."""
    diffs = [float(d) for d in re.findall(r"max \|weight diff\| (\S+)", output)]
    assert len(diffs) == 7
    assert max(diffs) < 1e-4, output
