"""Predict latency of an exported model in ONNX Runtime beside model.predict's.

Cases: the chapter's Fashion-MNIST MLP (784-300-100-10) and the California housing
regressor (8-30-1), each on one row and on 10,000 rows; the median of `--repeats`
timed calls after a warm-up, both measured in this run on this machine.

    python benchmarks/bench_export.py [--repeats 50]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import neuroflow as nf  # noqa: E402


def _median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def _models():
    nf.utils.set_random_seed(0)
    mlp = nf.Sequential([nf.Input(shape=(28, 28)), nf.layers.Flatten(),
                         nf.layers.Dense(300, activation="relu"),
                         nf.layers.Dense(100, activation="relu"),
                         nf.layers.Dense(10, activation="softmax")])
    reg = nf.Sequential([nf.Input(shape=(8,)), nf.layers.Dense(30, activation="relu"),
                         nf.layers.Dense(1)])
    return [("784-300-100-10 classifier", mlp, (28, 28)), ("8-30-1 regressor", reg, (8,))]


def _format(seconds: float) -> str:
    return f"{seconds * 1e6:9.1f} us" if seconds < 1e-2 else f"{seconds * 1e3:9.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    args = parser.parse_args()
    import onnxruntime as ort

    print(f"onnxruntime {ort.__version__}, neuroflow {nf.__version__}; median of "
          f"{args.repeats} calls")
    print(f"{'case':<28}{'rows':>7}{'model.predict':>16}{'predict_on_batch':>19}"
          f"{'ONNX Runtime':>15}{'predict/ORT':>13}")
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as folder:
        for name, model, shape in _models():
            path = model.export(os.path.join(folder, "m.onnx"), verbose=False)
            session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
            feed_name = session.get_inputs()[0].name
            for rows in (1, 10_000):
                x = rng.random((rows, *shape), dtype=np.float32)
                t_predict = _median_seconds(
                    lambda m=model, x=x: m.predict(x, verbose=0), args.repeats)
                t_batch = _median_seconds(lambda m=model, x=x: m.predict_on_batch(x),
                                          args.repeats)
                t_ort = _median_seconds(
                    lambda s=session, n=feed_name, x=x: s.run(None, {n: x}), args.repeats)
                print(f"{name:<28}{rows:>7}{_format(t_predict):>16}{_format(t_batch):>19}"
                      f"{_format(t_ort):>15}{t_predict / t_ort:>12.2f}x")


if __name__ == "__main__":
    main()
