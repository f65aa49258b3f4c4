"""Train the same MLPs with neuroflow and with a hand-written NumPy loop; print ratios.

Both start from the same weights, see the same batches in the same order and do the
same float32 math, so the final weights agree too (checked and printed). Cases:

1. 784-300-100-10 ReLU/softmax, batch 32, SGD, 55,000 samples, one epoch
   (target: neuroflow within 1.15x of the NumPy loop);
2. 8-30-1 regression MLP, batch 32, SGD, 11,610 samples (target: time per step
   within 2x);
3. model.predict on one row of case 2's model vs the bare forward pass (target: 3x).

When Keras, PyTorch or scikit-learn are importable, the same cases are timed with them.

    python benchmarks/bench_mlp.py [--repeats 3] [--quick]
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import neuroflow as nf  # noqa: E402


def make_data(n: int, shape: tuple, classes: int | None, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.random((n, *shape), dtype=np.float32)
    if classes:
        y = rng.integers(0, classes, n).astype(np.uint8)
    else:
        y = (x.reshape(n, -1) @ rng.standard_normal(int(np.prod(shape)))).astype(np.float32)[
            :, None
        ]
    return x, y


def build_classifier():
    return nf.Sequential(
        [
            nf.Input(shape=[28, 28]),
            nf.layers.Flatten(),
            nf.layers.Dense(300, activation="relu"),
            nf.layers.Dense(100, activation="relu"),
            nf.layers.Dense(10, activation="softmax"),
        ]
    )


def build_regressor():
    return nf.Sequential(
        [
            nf.Input(shape=[8]),
            nf.layers.Dense(30, activation="relu"),
            nf.layers.Dense(1),
        ]
    )


def numpy_classifier_epoch(weights, x, y, perm, lr, batch_size):
    w1, b1, w2, b2, w3, b3 = [w.copy() for w in weights]
    x = x.reshape(len(x), -1)
    n = len(x)
    for start in range(0, n, batch_size):
        idx = perm[start : start + batch_size]
        xb, yb = x[idx], y[idx]
        m = len(idx)
        rows = np.arange(m)
        a1 = xb @ w1
        a1 += b1
        np.maximum(a1, 0, out=a1)
        a2 = a1 @ w2
        a2 += b2
        np.maximum(a2, 0, out=a2)
        z3 = a2 @ w3
        z3 += b3
        z3 -= z3.max(axis=1, keepdims=True)
        e = np.exp(z3)
        s = e.sum(axis=1)
        float((np.log(s) - z3[rows, yb]).mean())  # the loss, as a training loop reports it
        g = e / s[:, None]
        g[rows, yb] -= 1
        g *= np.float32(1.0 / m)
        gw3 = a2.T @ g
        gb3 = g.sum(axis=0)
        d2 = (g @ w3.T) * (a2 > 0)
        gw2 = a1.T @ d2
        gb2 = d2.sum(axis=0)
        d1 = (d2 @ w2.T) * (a1 > 0)
        gw1 = xb.T @ d1
        gb1 = d1.sum(axis=0)
        for w, gw in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2), (w3, gw3), (b3, gb3)):
            w -= lr * gw
    return [w1, b1, w2, b2, w3, b3]


def numpy_regressor_epoch(weights, x, y, perm, lr, batch_size):
    w1, b1, w2, b2 = [w.copy() for w in weights]
    n = len(x)
    for start in range(0, n, batch_size):
        idx = perm[start : start + batch_size]
        xb, yb = x[idx], y[idx]
        m = len(idx)
        a1 = xb @ w1
        a1 += b1
        np.maximum(a1, 0, out=a1)
        out = a1 @ w2
        out += b2
        diff = out - yb
        float(np.mean(diff * diff))
        g = diff * np.float32(2.0 / m)
        gw2 = a1.T @ g
        gb2 = g.sum(axis=0)
        d1 = (g @ w2.T) * (a1 > 0)
        gw1 = xb.T @ d1
        gb1 = d1.sum(axis=0)
        for w, gw in ((w1, gw1), (b1, gb1), (w2, gw2), (b2, gb2)):
            w -= lr * gw
    return [w1, b1, w2, b2]


def time_case(build, loss, x, y, numpy_epoch, repeats, lr=0.01, batch_size=32, seed=7):
    """Best-of-`repeats` seconds for one epoch: (neuroflow, numpy, max weight difference)."""
    nf.utils.set_random_seed(seed)
    model = build()
    model.compile(optimizer=nf.optimizers.SGD(learning_rate=lr), loss=loss)
    init = model.get_weights()
    t_nf, t_np, diff = [], [], 0.0
    for _ in range(repeats):
        model.set_weights(init)
        nf.utils.set_random_seed(seed)
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
        t_nf.append(time.perf_counter() - t0)
        perm = np.random.default_rng(seed).permutation(len(x))
        t0 = time.perf_counter()
        ref = numpy_epoch(init, x, y, perm, np.float32(lr), batch_size)
        t_np.append(time.perf_counter() - t0)
        pairs = zip(model.get_weights(), ref, strict=True)
        diff = max(float(np.abs(a - b).max()) for a, b in pairs)
    return min(t_nf), min(t_np), diff


def time_predict(repeats: int = 2000):
    model = build_regressor()
    row = np.random.default_rng(0).random((1, 8), dtype=np.float32)
    w1, b1, w2, b2 = model.get_weights()
    model.predict(row, verbose=0)

    def bare():
        a = row @ w1
        a += b1
        np.maximum(a, 0, out=a)
        return a @ w2 + b2

    def best(fn):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            for _ in range(repeats):
                fn()
            times.append((time.perf_counter() - t0) / repeats)
        return min(times)

    return best(lambda: model.predict(row, verbose=0)), best(lambda: model(row)), best(bare)


def optional_frameworks(x1, y1, x2, y2, lr=0.01, batch_size=32) -> list[tuple[str, float, float]]:
    """(name, seconds for case 1, seconds for case 2) for each importable framework."""
    rows = []
    try:
        import torch

        torch.set_num_threads(os.cpu_count() or 1)

        def torch_epoch(net, loss_fn, x, y):
            opt = torch.optim.SGD(net.parameters(), lr=lr)
            xt, yt = torch.from_numpy(x.reshape(len(x), -1)), torch.from_numpy(y)
            perm = torch.randperm(len(x))
            t0 = time.perf_counter()
            for s in range(0, len(x), batch_size):
                idx = perm[s : s + batch_size]
                opt.zero_grad()
                loss = loss_fn(net(xt[idx]), yt[idx])
                loss.backward()
                opt.step()
                loss.item()
            return time.perf_counter() - t0

        nn = torch.nn
        c1 = nn.Sequential(
            nn.Linear(784, 300), nn.ReLU(), nn.Linear(300, 100), nn.ReLU(), nn.Linear(100, 10)
        )
        c2 = nn.Sequential(nn.Linear(8, 30), nn.ReLU(), nn.Linear(30, 1))
        rows.append(
            (
                "pytorch",
                torch_epoch(c1, nn.CrossEntropyLoss(), x1, y1.astype(np.int64)),
                torch_epoch(c2, nn.MSELoss(), x2, y2),
            )
        )
    except ImportError:
        pass
    try:
        import keras

        def keras_epoch(model, loss, x, y):
            model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss=loss)
            model.fit(x[:64], y[:64], batch_size=batch_size, epochs=1, verbose=0)  # warm-up/trace
            t0 = time.perf_counter()
            model.fit(x, y, batch_size=batch_size, epochs=1, verbose=0)
            return time.perf_counter() - t0

        k1 = keras.Sequential(
            [
                keras.Input((28, 28)),
                keras.layers.Flatten(),
                keras.layers.Dense(300, activation="relu"),
                keras.layers.Dense(100, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        k2 = keras.Sequential(
            [keras.Input((8,)), keras.layers.Dense(30, activation="relu"), keras.layers.Dense(1)]
        )
        rows.append(
            (
                f"keras ({keras.backend.backend()})",
                keras_epoch(k1, "sparse_categorical_crossentropy", x1, y1),
                keras_epoch(k2, "mse", x2, y2),
            )
        )
    except ImportError:
        pass
    try:
        import warnings

        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        def sk_epoch(est, x, y):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                t0 = time.perf_counter()
                est.fit(x.reshape(len(x), -1), y)
                return time.perf_counter() - t0

        common = dict(
            solver="sgd",
            batch_size=batch_size,
            learning_rate_init=lr,
            max_iter=1,
            momentum=0.0,
            alpha=0.0,
            shuffle=True,
        )
        rows.append(
            (
                "scikit-learn",
                sk_epoch(MLPClassifier(hidden_layer_sizes=(300, 100), **common), x1, y1),
                sk_epoch(MLPRegressor(hidden_layer_sizes=(30,), **common), x2, y2.ravel()),
            )
        )
    except ImportError:
        pass
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller data (a smoke run)")
    args = parser.parse_args()
    n1, n2 = (5_500, 11_610) if args.quick else (55_000, 11_610)
    x1, y1 = make_data(n1, (28, 28), 10)
    x2, y2 = make_data(n2, (8,), None)
    print(f"neuroflow {nf.__version__}, numpy {np.__version__}, {os.cpu_count()} cores")

    nf1, np1, d1 = time_case(
        build_classifier,
        "sparse_categorical_crossentropy",
        x1,
        y1,
        numpy_classifier_epoch,
        args.repeats,
    )
    print(
        f"case 1: 784-300-100-10, {n1} samples, one epoch: neuroflow {nf1:.3f} s, "
        f"numpy loop {np1:.3f} s, ratio {nf1 / np1:.3f} (target <= 1.15); "
        f"max |weight diff| {d1:.2e}"
    )
    nf2, np2, d2 = time_case(build_regressor, "mse", x2, y2, numpy_regressor_epoch, args.repeats)
    steps = -(-n2 // 32)
    print(
        f"case 2: 8-30-1, {n2} samples: neuroflow {nf2 / steps * 1e6:.1f} us/step, numpy loop "
        f"{np2 / steps * 1e6:.1f} us/step, ratio {nf2 / np2:.3f} (target <= 2); "
        f"max |weight diff| {d2:.2e}"
    )
    t_pred, t_call, t_bare = time_predict()
    print(
        f"case 3: predict on one row: {t_pred * 1e6:.1f} us, model(x) {t_call * 1e6:.1f} us, "
        f"bare forward {t_bare * 1e6:.1f} us, ratio predict/bare {t_pred / t_bare:.2f} "
        "(target <= 3)"
    )
    for name, s1, s2 in optional_frameworks(x1, y1, x2, y2):
        print(
            f"{name}: case 1 {s1:.3f} s (neuroflow is {s1 / nf1:.2f}x faster), case 2 "
            f"{s2:.3f} s (neuroflow is {s2 / nf2:.2f}x faster)"
        )


if __name__ == "__main__":
    main()
