"""Start search workers in subprocesses on a shared study (used by the distributed tests)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import neuroflow

SRC = str(Path(neuroflow.__file__).resolve().parents[1])

SEARCH_FILE = textwrap.dedent('''
    """A shared search: workers wait for each other, then split the trials."""
    import os
    import signal
    import time
    from pathlib import Path

    import numpy as np

    import neuroflow as keras
    import neuroflow.tuner as kt

    RUN = Path(os.environ["NF_RUN_DIR"])
    (RUN / f"ready-{os.getpid()}").touch()
    while len(list(RUN.glob("ready-*"))) < int(os.environ["NF_WORKERS"]):
        time.sleep(0.05)


    class HyperModel(kt.HyperModel):
        def build(self, hp):
            units = hp.Int("units", 2, 64)
            lr = hp.Float("learning_rate", 1e-3, 1e-1, sampling="log")
            model = keras.Sequential([keras.layers.Dense(units, activation="relu"),
                                      keras.layers.Dense(1)])
            model.compile(loss="mse", optimizer=keras.optimizers.Adam(learning_rate=lr))
            return model

        def fit(self, hp, model, *args, **kwargs):
            if os.environ.get("NF_KILL_ME") and not (RUN / "killed").exists():
                (RUN / "killed").write_text("1")
                os.kill(os.getpid(), signal.SIGKILL)
            time.sleep(0.2)  # long enough for the other workers to take their share
            return model.fit(*args, **kwargs)


    class Logged(kt.RandomSearch):
        def on_trial_begin(self, trial):
            with open(RUN / f"ran-{os.getpid()}", "a") as f:
                f.write(f"{trial.number}\\n")


    rng = np.random.default_rng(0)
    x = rng.random((64, 3), dtype=np.float32)
    y = x.sum(axis=1, keepdims=True)
    tuner = Logged(HyperModel(), objective="val_loss", max_trials=int(os.environ["NF_TRIALS"]),
                   seed=0, directory=os.environ["NF_PROJECT_DIR"], project_name="shared",
                   # a grace of several heartbeats: a live worker on a busy machine (the
                   # suite runs on every core) may beat late, and must not be taken for dead
                   heartbeat_interval=1, grace_period=8,
                   max_retries_per_trial=int(os.environ.get("NF_RETRIES", "0")))
    search_args = (x, y)
    search_kwargs = {"epochs": 2, "validation_data": (x, y), "verbose": 0}
''')


def start_workers(run_dir: Path, storage: str, workers: int, trials: int, kill_one=False,
                  retries: int = 0) -> list[subprocess.Popen]:
    """Start `workers` processes of `python -m neuroflow.tuner` on one study."""
    run_dir.mkdir(parents=True, exist_ok=True)
    search = run_dir / "search.py"
    search.write_text(SEARCH_FILE)
    procs = []
    for i in range(workers):
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
                   p for p in (SRC, os.environ.get("PYTHONPATH")) if p),
               "NF_RUN_DIR": str(run_dir), "NF_WORKERS": str(workers),
               "NF_TRIALS": str(trials), "NF_PROJECT_DIR": str(run_dir / "project"),
               "NF_RETRIES": str(retries)}
        if kill_one and i == 0:
            env["NF_KILL_ME"] = "1"
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "neuroflow.tuner", str(search), "--storage", storage],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True))
    return procs


def wait_all(procs: list[subprocess.Popen], timeout: float = 300) -> list[tuple[int, str, str]]:
    """(returncode, stdout, stderr) of each worker, killing them all on a timeout."""
    results = []
    try:
        for p in procs:
            out, err = p.communicate(timeout=timeout)
            results.append((p.returncode, out, err))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.communicate()
    return results


def ran_trials(run_dir: Path) -> list[int]:
    """Every trial number a worker started, over all workers."""
    out = []
    for log in run_dir.glob("ran-*"):
        out.extend(int(line) for line in log.read_text().split())
    return out


def load_study(storage: str):
    import optuna

    return optuna.load_study(study_name="shared", storage=storage)
