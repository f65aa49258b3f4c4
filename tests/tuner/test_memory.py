"""Memory stays flat across trials (keras_tuner's grows: keras-team/keras-tuner #395, #873)."""

import sys

import pytest
from tuner_helpers import tiny_build_model

import neuroflow.tuner as kt

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not sys.platform.startswith("linux"),
                                 reason="reads the resident set size from /proc")]


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


class Measured(kt.RandomSearch):
    def on_trial_end(self, trial):
        self.rss.append(_rss_bytes())


def test_fifty_trials_keep_resident_memory_within_twenty_percent(tmp_path, data):
    x, y, xv, yv = data
    tuner = Measured(tiny_build_model, objective="val_loss", max_trials=50, seed=0,
                     directory=str(tmp_path), project_name="memory")
    tuner.rss = []
    tuner.search(x, y, epochs=1, validation_data=(xv, yv), verbose=0)
    assert len(tuner.rss) == 50
    assert tuner.rss[-1] <= 1.2 * tuner.rss[4], [r // 2**20 for r in tuner.rss]
