"""Reproduce the results chapter 10 states, and write them to docs/results.md.

Each experiment trains what the chapter trains, on the real data sets (found through
$NEUROFLOW_DATA or the user cache), and reports what neuroflow measures beside the
chapter's figure, with the wall time per epoch of neuroflow and, when they are installed,
of Keras and PyTorch on the same run (same layers, optimizer, batch size and data; timed
over the first few epochs). A result that could not be measured says so and why.

    python benchmarks/reproduce_chapter.py                 # full run (several minutes)
    python benchmarks/reproduce_chapter.py --fast          # smoke run: little data, 1 epoch
    python benchmarks/reproduce_chapter.py --only mnist    # some experiments only
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.insert(0, str(HERE))

from chapter_frameworks import (  # noqa: E402
    MLPSpec,
    keras_seconds_per_epoch,
    torch_seconds_per_epoch,
)
from epoch_timer import EpochTimer  # noqa: E402

import neuroflow as keras  # noqa: E402
from neuroflow.cli import chapter  # noqa: E402

SCRIPT = "python benchmarks/reproduce_chapter.py"
FRAMEWORK_EPOCHS = 3
"""Epochs timed for Keras and PyTorch (the median is reported)."""


@dataclass
class Settings:
    """How much to train: the chapter's settings, or a smoke run (--fast)."""

    fast: bool
    seed: int = 42

    def epochs(self, n: int) -> int:
        return 1 if self.fast else n

    def rows(self, n: int | None) -> int | None:
        return 1000 if self.fast else n


@dataclass
class Row:
    """One line of the table."""

    result: str
    chapter: str
    measured: str
    command: str
    times: dict[str, str] = field(default_factory=dict)


def _seconds(s: float) -> str:
    return f"{s:.2f} s" if s >= 0.1 else f"{s * 1000:.0f} ms"


def _pct(x: float) -> str:
    return f"{100 * x:.2f}%"


def _seed(settings: Settings) -> None:
    keras.utils.set_random_seed(settings.seed)


def _others(spec: MLPSpec, data: chapter.Split, settings: Settings) -> dict[str, str]:
    """Per-epoch times of Keras and PyTorch on the same run, or why there are none."""
    out = {}
    epochs = settings.epochs(FRAMEWORK_EPOCHS)
    for key, fn in (("keras", keras_seconds_per_epoch), ("pytorch", torch_seconds_per_epoch)):
        try:
            seconds, name = fn(spec, data.x_train, data.y_train, data.x_valid, data.y_valid,
                               epochs)
            out[key] = f"{_seconds(seconds)} ({name})"
        except ImportError:
            out[key] = "not installed"
        except Exception as err:  # noqa: BLE001 - a failing framework is reported, not fatal
            out[key] = f"failed: {type(err).__name__}: {err}"[:120]
    return out


def _fit_mlp(spec: MLPSpec, data: chapter.Split, epochs: int, callbacks=()):
    """Train the Sequential MLP of `spec` with neuroflow; (model, history, EpochTimer)."""
    layers = [keras.layers.Input(shape=data.x_train.shape[1:]), keras.layers.Flatten()]
    layers += [keras.layers.Dense(units, activation="relu") for units in spec.hidden]
    layers.append(keras.layers.Dense(spec.outputs,
                                     activation="softmax" if spec.classification else None))
    model = keras.Sequential(layers)
    model.compile(
        loss="sparse_categorical_crossentropy" if spec.classification else "mse",
        optimizer=keras.optimizers.SGD(learning_rate=spec.learning_rate, momentum=spec.momentum),
        metrics=["accuracy"] if spec.classification else [])
    timer = EpochTimer()
    history = model.fit(data.x_train, data.y_train, epochs=epochs, batch_size=spec.batch_size,
                        validation_data=(data.x_valid, data.y_valid), verbose=0,
                        callbacks=[timer, *callbacks])
    return model, history, timer


# ---------------------------------------------------------------------------- experiments
def parameter_counts(settings: Settings) -> list[Row]:
    _seed(settings)
    mlp = chapter.fashion_mlp()
    wide_deep = chapter.wide_and_deep(np.zeros((2, 8), np.float32))
    trainable = sum(int(np.prod(w.shape)) for w in wide_deep.trainable_weights)
    return [
        Row("Parameters of the Fashion-MNIST MLP (784-300-100-10)", "266,610",
            f"{mlp.count_params():,}", f"{SCRIPT} --only parameter_counts"),
        Row("Trainable parameters of Wide & Deep (California housing)", "1,239",
            f"{trainable:,}", f"{SCRIPT} --only parameter_counts"),
    ]


def fashion_mnist(settings: Settings) -> list[Row]:
    data = chapter.load_fashion_mnist(allow_sample=False).head(settings.rows(None))
    epochs = settings.epochs(30)
    spec = MLPSpec(hidden=(300, 100), outputs=10, classification=True, learning_rate=0.01)
    _seed(settings)
    model, history, timer = _fit_mlp(spec, data, epochs)
    _, test_accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    times = {"neuroflow": _seconds(timer.median), **_others(spec, data, settings)}
    command = f"{SCRIPT} --only fashion_mnist"
    return [
        Row(f"Fashion-MNIST MLP, validation accuracy after {epochs} epochs of SGD (lr 0.01)",
            "about 89%", _pct(history.history["val_accuracy"][-1]), command, times),
        Row("Fashion-MNIST MLP, test accuracy", "slightly below validation",
            _pct(test_accuracy), command, times),
    ]


def fashion_mnist_linear(settings: Settings) -> list[Row]:
    data = chapter.load_fashion_mnist(allow_sample=False).head(settings.rows(None))
    epochs = settings.epochs(30)
    spec = MLPSpec(hidden=(), outputs=10, classification=True, learning_rate=0.01)
    _seed(settings)
    model, history, timer = _fit_mlp(spec, data, epochs)
    _, test_accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
    times = {"neuroflow": _seconds(timer.median), **_others(spec, data, settings)}
    return [Row(f"Linear model (softmax regression) on Fashion-MNIST, {epochs} epochs of SGD, "
                "test accuracy (validation)", "about 83%",
                f"{_pct(test_accuracy)} ({_pct(history.history['val_accuracy'][-1])})",
                f"{SCRIPT} --only fashion_mnist_linear", times)]


def california_30(settings: Settings) -> list[Row]:
    data = chapter.load_california(seed=settings.seed).head(settings.rows(None))
    mean, std = data.x_train.mean(axis=0), data.x_train.std(axis=0)
    data.x_train, data.x_valid, data.x_test = [(x - mean) / std for x in
                                               (data.x_train, data.x_valid, data.x_test)]
    epochs = settings.epochs(20)
    spec = MLPSpec(hidden=(30,), outputs=1, classification=False, learning_rate=1e-3)
    _seed(settings)
    model, history, timer = _fit_mlp(spec, data, epochs)
    mse = model.evaluate(data.x_test, data.y_test, verbose=0)
    mse = float(mse[0] if isinstance(mse, list | tuple) else mse)
    times = {"neuroflow": _seconds(timer.median), **_others(spec, data, settings)}
    return [Row(f"California housing, one hidden layer of 30 (SGD lr 1e-3, {epochs} epochs), "
                "test MSE", "a test MSE is printed (no figure in the text)",
                f"{mse:.4f} (RMSE {mse ** 0.5:.4f})", f"{SCRIPT} --only california_30", times)]


def mlp_regressor(settings: Settings) -> list[Row]:
    from sklearn.model_selection import train_test_split
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from neuroflow.datasets import fetch_california_housing
    from neuroflow.sklearn import MLPRegressor

    # the book's own split and dtype (train_test_split twice, seed 42, float64): the
    # estimator computes scikit-learn's numbers, so this reproduces the book's 0.505
    housing = fetch_california_housing()
    x_full, _, y_full, _ = train_test_split(housing.data, housing.target, random_state=42)
    x_train, x_valid, y_train, y_valid = train_test_split(x_full, y_full, random_state=42)
    rows = settings.rows(None)
    x_train, y_train = x_train[:rows], y_train[:rows]
    reg = MLPRegressor(hidden_layer_sizes=[50, 50, 50], random_state=42,
                       max_iter=3 if settings.fast else 200)
    pipeline = make_pipeline(StandardScaler(), reg)
    start = time.perf_counter()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pipeline.fit(x_train, y_train)
    elapsed = time.perf_counter() - start
    rmse = float(np.sqrt(np.mean((pipeline.predict(x_valid) - y_valid) ** 2)))
    per_epoch = elapsed / max(int(reg.n_iter_), 1)
    times = {"neuroflow": f"{_seconds(per_epoch)} ({reg.n_iter_} epochs)",
             "keras": "n/a (scikit-learn API)", "pytorch": "n/a (scikit-learn API)"}
    return [Row("neuroflow.sklearn.MLPRegressor [50, 50, 50] in a StandardScaler pipeline, "
                "validation RMSE", "about 0.505", f"{rmse:.4f}",
                f"{SCRIPT} --only mlp_regressor", times)]


def mnist(settings: Settings) -> list[Row]:
    data = chapter.load_mnist().head(settings.rows(None))
    epochs = settings.epochs(20)
    rows = []
    for hidden, target in (((300,), "above 97%"), ((300, 100), "above 98%")):
        spec = MLPSpec(hidden=hidden, outputs=10, classification=True, learning_rate=0.01,
                       momentum=0.9)
        _seed(settings)
        stop = keras.callbacks.EarlyStopping(monitor="val_accuracy", patience=5,
                                             restore_best_weights=True)
        model, history, timer = _fit_mlp(spec, data, epochs, callbacks=[stop])
        _, test_accuracy = model.evaluate(data.x_test, data.y_test, verbose=0)
        times = {"neuroflow": _seconds(timer.median), **_others(spec, data, settings)}
        layers = " and ".join(str(h) for h in hidden)
        rows.append(Row(
            f"MNIST, hidden layer{'s' if len(hidden) > 1 else ''} of {layers} ReLU units, "
            f"SGD lr 0.01 momentum 0.9, up to {epochs} epochs with early stopping "
            f"({len(history.epoch)} run), test accuracy", target, _pct(test_accuracy),
            f"{SCRIPT} --only mnist", times))
    return rows


def random_search(settings: Settings) -> list[Row]:
    import neuroflow.tuner as kt

    data = chapter.load_fashion_mnist(allow_sample=False).head(settings.rows(None))
    trials, epochs = (2, 1) if settings.fast else (5, 10)
    _seed(settings)
    with tempfile.TemporaryDirectory() as folder:
        tuner = kt.RandomSearch(chapter.tuned_fashion_mlp, objective="val_accuracy",
                                max_trials=trials,
                                overwrite=True, directory=folder, project_name="rnd",
                                seed=settings.seed)
        start = time.perf_counter()
        tuner.search(data.x_train, data.y_train, epochs=epochs,
                     validation_data=(data.x_valid, data.y_valid), verbose=0)
        elapsed = time.perf_counter() - start
        best = tuner.oracle.get_best_trials(num_trials=1)[0]
    values = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}"
                       for k, v in best.hyperparameters.values.items())
    return [Row(f"Random search (keras_tuner style), {trials} trials of {epochs} epochs on "
                "Fashion-MNIST, best val_accuracy", "the best trial's val_accuracy is printed",
                f"{_pct(best.score)} ({values})", f"{SCRIPT} --only random_search",
                {"neuroflow": f"{_seconds(elapsed / (trials * epochs))} (mean over trials)",
                 "keras": "not timed (search)", "pytorch": "n/a"})]


EXPERIMENTS: dict[str, Callable[[Settings], list[Row]]] = {
    "parameter_counts": parameter_counts,
    "fashion_mnist": fashion_mnist,
    "fashion_mnist_linear": fashion_mnist_linear,
    "california_30": california_30,
    "mlp_regressor": mlp_regressor,
    "mnist": mnist,
    "random_search": random_search,
}
EXPECTED_ROWS = {"fashion_mnist": 2, "mnist": 2, "parameter_counts": 2}


# ---------------------------------------------------------------------------- report
def run(names: list[str], settings: Settings, log=print) -> list[Row]:
    """Run the experiments; a failing one gives rows saying it was not measured, and why."""
    rows: list[Row] = []
    for name in names:
        log(f"[{name}] ...")
        start = time.perf_counter()
        try:
            new = EXPERIMENTS[name](settings)
        except Exception as err:  # noqa: BLE001 - reported in the table, never replaced by a guess
            reason = " ".join(f"{type(err).__name__}: {err}".split())[:160]
            log(traceback.format_exc())
            new = [Row(f"{name} (one of {EXPECTED_ROWS.get(name, 1)} rows)", "see the script",
                       f"not measured: {reason}", f"{SCRIPT} --only {name}")]
        log(f"[{name}] done in {time.perf_counter() - start:.1f} s")
        rows.extend(new)
    return rows


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _load() -> float | None:
    try:
        return os.getloadavg()[1]
    except (AttributeError, OSError):
        return None


def render(rows: list[Row], settings: Settings, seconds: float, load: str = "unknown") -> str:
    """The Markdown page (`load`: the machine's load average during the run)."""
    mode = ("FAST SMOKE RUN (1,000 rows, 1 epoch): these figures do NOT reproduce the chapter"
            if settings.fast else "full run, the chapter's settings")
    lines = [
        "# Chapter 10's results, reproduced with neuroflow",
        "",
        f"Written by `{SCRIPT}{' --fast' if settings.fast else ''}` on "
        f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC ({mode}); the run took "
        f"{seconds / 60:.1f} minutes.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, NumPy {np.__version__}, neuroflow {keras.__version__}; "
        f"5-minute load average {load} (other work on the machine slows every framework "
        "alike).",
        "",
        "Data: Fashion-MNIST and MNIST split 55,000 / 5,000 / 10,000 (pixels / 255); "
        "California housing split 11,610 / 3,870 / 5,160 (75% then 75% for training, "
        "seed 42). Batch size 32 everywhere. Time per epoch is the median wall time of one "
        "epoch, training plus validation; Keras and PyTorch run the same layers, optimizer, "
        f"batch size and data for {FRAMEWORK_EPOCHS} epochs (PyTorch: a plain training loop).",
        "",
        "| Result | Chapter | neuroflow | Time per epoch: neuroflow | Keras | PyTorch "
        "| Command |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        t = r.times
        lines.append("| " + " | ".join(_cell(c) for c in (
            r.result, r.chapter, r.measured, t.get("neuroflow", "-"), t.get("keras", "-"),
            t.get("pytorch", "-"), f"`{r.command}`")) + " |")
    lines += ["", "A row that reads *not measured* failed in this run; the reason is given, "
              "and no figure was put in its place.", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true",
                        help="smoke run: 1,000 rows, 1 epoch (figures are meaningless)")
    parser.add_argument("--only", nargs="+", choices=list(EXPERIMENTS), metavar="NAME",
                        help=f"run only these experiments: {', '.join(EXPERIMENTS)}")
    parser.add_argument("--output", default=str(HERE.parent / "docs" / "results.md"),
                        help="the Markdown file to write (default: docs/results.md)")
    args = parser.parse_args(argv)
    settings = Settings(fast=args.fast)
    start = time.perf_counter()
    loads = [_load()]
    rows = run(args.only or list(EXPERIMENTS), settings, log=lambda *a: (print(*a, flush=True),
                                                                         loads.append(_load())))
    known = [x for x in loads if x is not None]
    load = f"{min(known):.1f} to {max(known):.1f}" if known else "unknown"
    page = render(rows, settings, time.perf_counter() - start, load=load)
    out = Path(args.output)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(page, encoding="utf-8")
    print(page)
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
