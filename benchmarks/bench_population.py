"""Population training against one model at a time: every figure in one run.

1. The chapter's California search (n_hidden 0-3, n_neurons 1-100, learning rate
   log-uniform 3e-4..3e-2, SGD, batch 32, 20 epochs, validation each epoch, 64 trials),
   through `neuroflow.tuner.RandomSearch` one trial at a time and packed, and through
   keras_tuner on Keras 3 (JAX) in the reference interpreter (`--reference-python`).
2. The Fashion-MNIST 784-300-100-10 family (compute-bound): packed against one at a time.
3. Per-member time and memory of the 8-30-1 network as K grows (1, 8, 32, 128).

    NEUROFLOW_DATA=../shared/datasets python benchmarks/bench_population.py \
        --reference-python /work/refvenv/bin/python --repeats 2

On a shared machine every neuroflow figure is the best of `--repeats` runs, the packed
and one-at-a-time runs interleaved (one of each, then again), so that both meet the same
load. Narrow packs train at once, one per core; the packed search is also run with the
process held to one core (`os.sched_setaffinity`), where they train one after the other.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import tracemalloc

import numpy as np

import neuroflow as keras
from neuroflow.cli.chapter import load_california, load_fashion_mnist
from neuroflow.population import Population


def california_data():
    split = load_california()
    mean, std = split.x_train.mean(axis=0), split.x_train.std(axis=0)

    def scale(a):
        return ((a - mean) / std).astype(np.float32)

    return scale(split.x_train), split.y_train, scale(split.x_valid), split.y_valid


def chapter_build(hp):
    """The chapter's California search space, as a keras_tuner build function."""
    n_hidden = hp.Int("n_hidden", min_value=0, max_value=3)
    n_neurons = hp.Int("n_neurons", min_value=1, max_value=100)
    learning_rate = hp.Float("learning_rate", min_value=3e-4, max_value=3e-2, sampling="log")
    model = keras.Sequential([keras.layers.Input(shape=(8,))])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(1))
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
    return model


def tuner_search(data, trials: int, epochs: int, pack_trials: int, seed: int) -> dict:
    import neuroflow.tuner as kt

    x, y, xv, yv = data
    with tempfile.TemporaryDirectory() as folder:
        tuner = kt.RandomSearch(chapter_build, objective="val_loss", max_trials=trials,
                                seed=seed, directory=folder, project_name="california",
                                pack_trials=pack_trials)
        keras.utils.set_random_seed(seed)
        start = time.perf_counter()
        tuner.search(x, y, epochs=epochs, batch_size=32, validation_data=(xv, yv), verbose=0)
        seconds = time.perf_counter() - start
        best = tuner.oracle.get_best_trials(1)[0]
        return {"seconds": seconds, "trials_per_minute": 60 * trials / seconds,
                "best_val_loss": best.score, "best": best.hyperparameters.values,
                "peak_pack_bytes": tuner.peak_pack_bytes}


REFERENCE = textwrap.dedent('''
    import json, os, sys, tempfile, time
    os.environ.setdefault("KERAS_BACKEND", "jax")
    import numpy as np
    import keras
    import keras_tuner as kt
    data = np.load(sys.argv[1])
    trials, epochs = int(sys.argv[2]), int(sys.argv[3])
    def build(hp):
        n_hidden = hp.Int("n_hidden", min_value=0, max_value=3)
        n_neurons = hp.Int("n_neurons", min_value=1, max_value=100)
        lr = hp.Float("learning_rate", min_value=3e-4, max_value=3e-2, sampling="log")
        model = keras.Sequential([keras.layers.Input(shape=(8,))])
        for _ in range(n_hidden):
            model.add(keras.layers.Dense(n_neurons, activation="relu"))
        model.add(keras.layers.Dense(1))
        model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=lr))
        return model
    with tempfile.TemporaryDirectory() as folder:
        tuner = kt.RandomSearch(build, objective="val_loss", max_trials=trials, seed=42,
                                directory=folder, project_name="california")
        start = time.perf_counter()
        tuner.search(data["x"], data["y"], epochs=epochs, batch_size=32, verbose=0,
                     validation_data=(data["xv"], data["yv"]))
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "trials_per_minute": 60 * trials / seconds,
                      "backend": keras.backend.backend()}))
''')


def _lend_six(python: str, folder: str) -> None:
    """keras_tuner imports `six`; when the reference interpreter lacks it, the script's
    folder (first on its sys.path) gets a copy of this interpreter's one-file module."""
    import importlib.util
    import shutil

    if subprocess.run([python, "-c", "import six"], capture_output=True).returncode == 0:
        return
    spec = importlib.util.find_spec("six")
    if spec is not None and spec.origin:
        shutil.copy(spec.origin, folder)


def reference_search(python: str, data, trials: int, epochs: int) -> dict | None:
    x, y, xv, yv = data
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/data.npz"
        np.savez(path, x=x, y=y, xv=xv, yv=yv)
        script = f"{folder}/reference.py"
        with open(script, "w") as f:
            f.write(REFERENCE)
        _lend_six(python, folder)
        out = subprocess.run([python, script, path, str(trials), str(epochs)],
                             capture_output=True, text=True, timeout=3600)
    if out.returncode:
        print(f"  keras_tuner reference failed: {out.stderr.strip().splitlines()[-1:]}")
        return None
    return json.loads(out.stdout.strip().splitlines()[-1])


def fashion_family(k: int, rows: int, epochs: int, repeats: int = 1) -> dict:
    """K members of the 784-300-100-10 family (widths vary), packed and one at a time."""
    split = load_fashion_mnist(say=lambda s: print("  " + s))
    x, y = split.x_train[:rows], split.y_train[:rows]
    widths = [(300 - 20 * i, 100 - 5 * i) for i in range(k)]

    def members():
        keras.utils.set_random_seed(0)
        out = []
        for i, (a, b) in enumerate(widths):
            m = keras.Sequential([keras.layers.Input(shape=(28, 28)), keras.layers.Flatten(),
                                  keras.layers.Dense(a, activation="relu"),
                                  keras.layers.Dense(b, activation="relu"),
                                  keras.layers.Dense(10, activation="softmax")])
            m.compile(loss="sparse_categorical_crossentropy",
                      optimizer=keras.optimizers.SGD(0.01 * (1 + i % 3)))
            out.append(m)
        return out

    one_at_a_time = together = outside = float("inf")
    for _ in range(repeats):  # interleaved, the best of each kept
        alone = members()
        _SPANS.clear()
        start = time.perf_counter()
        for m in alone:
            m.fit(x, y, batch_size=32, epochs=epochs, verbose=0, callbacks=[_Span()])
        seconds = time.perf_counter() - start
        one_at_a_time = min(one_at_a_time, seconds)
        alone_outside = seconds - sum(_SPANS)  # each fit's own set-up, outside training
        population = Population(members())
        _SPANS.clear()
        start = time.perf_counter()
        population.fit(x, y, batch_size=32, epochs=epochs, callbacks=[_Span()])
        seconds = time.perf_counter() - start
        together = min(together, seconds)
        outside = min(outside, seconds - sum(_SPANS) - alone_outside)
    return {"one_at_a_time_s": one_at_a_time, "packed_s": together, "outside_s": outside,
            "pack_sizes": [len(p) for p in population.packs]}


_SPANS: list[float] = []  # seconds of each member's training, from on_train_begin to end


class _Span(keras.callbacks.Callback):
    """Times a member's own training (a module-level list: Population copies callbacks)."""

    def on_train_begin(self, logs=None):
        self.start = time.perf_counter()

    def on_train_end(self, logs=None):
        _SPANS.append(time.perf_counter() - self.start)


def _member(rate: float):
    m = keras.Sequential([keras.layers.Input(shape=(8,)),
                          keras.layers.Dense(30, activation="relu"), keras.layers.Dense(1)])
    m.compile(loss="mse", optimizer=keras.optimizers.SGD(rate))
    return m


def growth(data, sizes=(1, 8, 32, 128), repeats: int = 1) -> list[dict]:
    """Per-member time of one epoch of 8-30-1 members (SGD, batch 32) as K grows, against
    one model's `fit`: each the best of `repeats` epochs, model.fit's interleaved."""
    x, y, _, _ = data
    keras.utils.set_random_seed(0)
    single = _member(1e-3)
    populations = []
    for k in sizes:
        keras.utils.set_random_seed(0)
        populations.append(Population([_member(1e-3 * (1 + i % 10)) for i in range(k)]))
    best = {"model.fit": float("inf"), **{k: float("inf") for k in sizes}}
    for _ in range(repeats):
        start = time.perf_counter()
        single.fit(x, y, batch_size=32, epochs=1, verbose=0)
        best["model.fit"] = min(best["model.fit"], time.perf_counter() - start)
        for k, population in zip(sizes, populations, strict=True):
            start = time.perf_counter()
            population.fit(x, y, batch_size=32, epochs=1)
            best[k] = min(best[k], (time.perf_counter() - start) / k)
    rows = [{"k": "model.fit", "ms_per_member": 1000 * best["model.fit"]}]
    for k, population in zip(sizes, populations, strict=True):
        at_once = population.peak_bytes  # the timed fits': packs training at once
        # a separate, traced epoch (tracing slows the timed ones), its packs one after
        # the other in this process: a worker process's allocations are not traced here
        population.workers = 1
        tracemalloc.start()
        population.fit(x[:3200], y[:3200], batch_size=32, epochs=1)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rows.append({"k": k, "ms_per_member": 1000 * best[k], "pack_bytes": at_once,
                     "one_pack_bytes": population.peak_bytes, "traced_peak_bytes": peak,
                     "packs": len(population.packs)})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--reference-python", help="an interpreter with keras, jax and "
                        "keras-tuner (keras_tuner on Keras 3 with the JAX backend)")
    parser.add_argument("--reference-trials", type=int, default=4,
                        help="trials keras_tuner runs (its rate is per trial)")
    parser.add_argument("--fashion-rows", type=int, default=11000)
    parser.add_argument("--fashion-members", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=1,
                        help="runs of each neuroflow figure, interleaved; the best is shown")
    args = parser.parse_args(argv)

    data = california_data()
    print(f"1. California search: {args.trials} trials, {args.epochs} epochs, SGD, batch 32, "
          f"validation each epoch ({len(data[0]):,} training rows)")
    cores = sorted(os.sched_getaffinity(0))
    alone = packed = one_core = None
    for _ in range(args.repeats):  # interleaved, the best of each kept
        run = tuner_search(data, args.trials, args.epochs, pack_trials=1, seed=42)
        alone = run if alone is None or run["seconds"] < alone["seconds"] else alone
        run = tuner_search(data, args.trials, args.epochs, pack_trials=args.trials, seed=42)
        packed = run if packed is None or run["seconds"] < packed["seconds"] else packed
        if len(cores) > 1:  # the packs one after the other: the process held to one core
            os.sched_setaffinity(0, cores[:1])
            try:
                run = tuner_search(data, args.trials, args.epochs, pack_trials=args.trials,
                                   seed=42)
            finally:
                os.sched_setaffinity(0, cores)
            one_core = run if one_core is None or run["seconds"] < one_core["seconds"] \
                else one_core
    print(f"  neuroflow.tuner, one trial at a time: {alone['seconds']:.1f} s, "
          f"{alone['trials_per_minute']:.1f} trials/min, best val_loss "
          f"{alone['best_val_loss']:.4f} {alone['best']}")
    print(f"  neuroflow.tuner, packed:              {packed['seconds']:.1f} s, "
          f"{packed['trials_per_minute']:.1f} trials/min, best val_loss "
          f"{packed['best_val_loss']:.4f} {packed['best']}, peak (packs at once) "
          f"{packed['peak_pack_bytes'] / 2**20:.1f} MiB, {len(cores)} cores")
    if one_core is not None:
        print(f"  neuroflow.tuner, packed on one core:  {one_core['seconds']:.1f} s, "
              f"{one_core['trials_per_minute']:.1f} trials/min "
              f"({one_core['trials_per_minute'] / alone['trials_per_minute']:.1f}x one at a "
              f"time), best val_loss {one_core['best_val_loss']:.4f}")
    speedup = packed["trials_per_minute"] / alone["trials_per_minute"]
    verdict = "no worse" if packed["best_val_loss"] <= alone["best_val_loss"] else "WORSE"
    print(f"  packed / one at a time: {speedup:.1f}x the trials per minute (target >= 5x); "
          f"best val_loss {verdict} than one at a time")
    if args.reference_python:
        ref = reference_search(args.reference_python, data, args.reference_trials, args.epochs)
        if ref is not None:
            print(f"  keras_tuner on Keras 3 ({ref['backend']}), {args.reference_trials} trials: "
                  f"{ref['seconds']:.1f} s, {ref['trials_per_minute']:.1f} trials/min; packed "
                  f"neuroflow: {packed['trials_per_minute'] / ref['trials_per_minute']:.1f}x "
                  "(target >= 30x)")

    print(f"2. Fashion-MNIST 784-300-100-10 family: {args.fashion_members} members, "
          f"{args.fashion_rows:,} rows, 1 epoch")
    # three times the repeats: a few seconds each, and the two sides run the same fits
    # when every member trains alone, so only the machine's noise separates them
    fam = fashion_family(args.fashion_members, args.fashion_rows, 1, 3 * args.repeats)
    print(f"  one at a time {fam['one_at_a_time_s']:.2f} s, packed {fam['packed_s']:.2f} s "
          f"({fam['one_at_a_time_s'] / fam['packed_s']:.2f}x; target: packing never slower); "
          f"pack sizes {fam['pack_sizes']}")
    print(f"  Population.fit's own time beyond its members' fits: "
          f"{1000 * fam['outside_s']:.1f} ms ({100 * fam['outside_s'] / fam['packed_s']:.1f}% "
          "of it: every member trains alone, so the rest is the same fits and the "
          "machine's noise)")

    print("3. 8-30-1 members, one epoch (SGD, batch 32): time per member as K grows")
    for row in growth(data, repeats=args.repeats):
        extra = "" if "pack_bytes" not in row else (
            f", {row['packs']} pack(s): {row['pack_bytes'] / 2**20:.2f} MiB training at "
            f"once; one after the other {row['one_pack_bytes'] / 2**20:.2f} MiB, traced "
            f"peak {row['traced_peak_bytes'] / 2**20:.2f} MiB")
        print(f"  K={row['k']}: {row['ms_per_member']:.1f} ms per member{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
