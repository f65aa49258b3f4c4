"""Train the same MLPs with neuroflow and with a hand-written NumPy loop; print ratios.

Both start from the same weights, see the same batches in the same order and do the
same float32 math, so the final weights agree too (checked and printed). Cases:

1. 784-300-100-10 ReLU/softmax, batch 32, SGD, 55,000 samples, one epoch
   (issue 14 targets: at most 0.85x the NumPy loop, and faster than JAX);
2. 8-30-1 regression MLP, batch 32, SGD, 11,610 samples (target: at most 1.3x JAX's
   time per step);
3. model.predict and model(x) on one row of case 2's model vs the bare forward pass
   (target: 1.5x); evaluate on case 2's data (the forward-only plan).

JAX (jit of one epoch as a `lax.scan`), Keras, PyTorch and scikit-learn run the same
cases in whatever interpreter has them: `--reference-python PATH` runs this script
there with `--references-only` and reads its JSON answer.

    python benchmarks/bench_mlp.py [--repeats 3] [--quick] [--reference-python PY]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))

import neuroflow as nf  # noqa: E402

_REFS_ONLY = "--references-only" in sys.argv


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


def jax_epochs(x1, y1, x2, y2, lr=0.01, batch_size=32, repeats=3) -> dict:
    """Seconds for one epoch of cases 1 and 2 as one jitted `lax.scan` (compile excluded)."""
    import jax
    import jax.numpy as jnp

    def init(sizes, key):
        params = []
        for a, b in zip(sizes[:-1], sizes[1:], strict=True):
            key, sub = jax.random.split(key)
            limit = (6.0 / (a + b)) ** 0.5
            params.append((jax.random.uniform(sub, (a, b), jnp.float32, -limit, limit),
                           jnp.zeros((b,), jnp.float32)))
        return params

    def forward(params, x):
        for w, b in params[:-1]:
            x = jax.nn.relu(x @ w + b)
        w, b = params[-1]
        return x @ w + b

    def ce(params, x, y):
        logits = forward(params, x)
        return -jnp.mean(jnp.take_along_axis(jax.nn.log_softmax(logits), y[:, None], 1))

    def mse(params, x, y):
        return jnp.mean((forward(params, x) - y) ** 2)

    def epoch_fn(loss_fn):
        def step(params, batch):
            loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
            return jax.tree_util.tree_map(lambda p, g: p - lr * g, params, grads), loss

        return jax.jit(lambda params, xs, ys: jax.lax.scan(step, params, (xs, ys)))

    out = {}
    for name, sizes, loss_fn, x, y in (("case1", (784, 300, 100, 10), ce, x1, y1.astype(np.int32)),
                                       ("case2", (8, 30, 1), mse, x2, y2)):
        n = len(x) // batch_size * batch_size  # scan needs equal batches
        xs = jnp.asarray(x.reshape(len(x), -1)[:n].reshape(-1, batch_size, sizes[0]))
        ys = jnp.asarray(y[:n].reshape((-1, batch_size) + y.shape[1:]))
        run = epoch_fn(loss_fn)
        params = init(sizes, jax.random.PRNGKey(0))
        jax.block_until_ready(run(params, xs, ys))  # compile
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            jax.block_until_ready(run(params, xs, ys))
            best = min(best, time.perf_counter() - t0)
        out[name] = best * len(x) / n  # per full epoch
    return out


def optional_frameworks(x1, y1, x2, y2, lr=0.01, batch_size=32) -> list[tuple[str, float, float]]:
    """(name, seconds for case 1, seconds for case 2) for each importable framework."""
    rows = []
    try:
        times = jax_epochs(x1, y1, x2, y2, lr, batch_size)
        rows.append(("jax jit+scan", times["case1"], times["case2"]))
    except ImportError:
        pass
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


def time_evaluate(x, y, repeats: int = 3) -> float:
    """Best seconds for `evaluate` of case 2's model on case 2's data (batch 32)."""
    model = build_regressor()
    model.compile(optimizer="sgd", loss="mse")
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        model.evaluate(x, y, batch_size=32, verbose=0)
        best = min(best, time.perf_counter() - t0)
    return best


def reference_rows(python: str | None, quick: bool, x1, y1, x2, y2) -> list:
    """The other frameworks' rows: in this interpreter, or in `python` (a subprocess)."""
    if python is None:
        return optional_frameworks(x1, y1, x2, y2)
    cmd = [python, __file__, "--references-only"] + (["--quick"] if quick else [])
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        print(f"reference run failed: {done.stderr.strip().splitlines()[-1:]}")
        return []
    return [tuple(row) for row in json.loads(done.stdout.strip().splitlines()[-1])]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="smaller data (a smoke run)")
    parser.add_argument("--reference-python", help="interpreter with jax/keras/torch/sklearn")
    parser.add_argument("--references-only", action="store_true",
                        help="time only the other frameworks; print their rows as JSON")
    args = parser.parse_args()
    n1, n2 = (5_500, 11_610) if args.quick else (55_000, 11_610)
    x1, y1 = make_data(n1, (28, 28), 10)
    x2, y2 = make_data(n2, (8,), None)
    if args.references_only:
        print(json.dumps(optional_frameworks(x1, y1, x2, y2)))
        return
    print(f"neuroflow {nf.__version__}, numpy {np.__version__}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    steps2 = -(-n2 // 32)
    refs = reference_rows(args.reference_python, args.quick, x1, y1, x2, y2)

    nf1, np1, d1 = time_case(
        build_classifier,
        "sparse_categorical_crossentropy",
        x1,
        y1,
        numpy_classifier_epoch,
        args.repeats,
    )
    jax = {name: (s1, s2) for name, s1, s2 in refs}.get("jax jit+scan")
    vs_jax1 = f", JAX {jax[0]:.3f} s (neuroflow/JAX {nf1 / jax[0]:.2f}, target < 1)" if jax else ""
    print(
        f"case 1: 784-300-100-10, {n1} samples, one epoch: neuroflow {nf1:.3f} s, "
        f"numpy loop {np1:.3f} s, ratio {nf1 / np1:.3f} (target <= 0.85){vs_jax1}; "
        f"max |weight diff| {d1:.2e}"
    )
    nf2, np2, d2 = time_case(build_regressor, "mse", x2, y2, numpy_regressor_epoch, args.repeats)
    vs_jax2 = (f", JAX {jax[1] / steps2 * 1e6:.1f} us/step (neuroflow/JAX {nf2 / jax[1]:.2f}, "
               "target <= 1.3)") if jax else ""
    print(
        f"case 2: 8-30-1, {n2} samples: neuroflow {nf2 / steps2 * 1e6:.1f} us/step, numpy loop "
        f"{np2 / steps2 * 1e6:.1f} us/step, ratio {nf2 / np2:.3f}{vs_jax2}; "
        f"max |weight diff| {d2:.2e}"
    )
    t_pred, t_call, t_bare = time_predict()
    print(
        f"case 3: predict on one row: {t_pred * 1e6:.1f} us, model(x) {t_call * 1e6:.1f} us, "
        f"bare forward {t_bare * 1e6:.1f} us, ratio predict/bare {t_pred / t_bare:.2f}, "
        f"model(x)/bare {t_call / t_bare:.2f} (target <= 1.5)"
    )
    t_eval = time_evaluate(x2, y2)
    print(f"evaluate (forward-only plan), case 2: {t_eval / steps2 * 1e6:.1f} us/batch "
          f"({t_eval / (nf2 / steps2) / steps2:.2f}x a training step)")
    for name, s1, s2 in refs:
        print(
            f"{name}: case 1 {s1:.3f} s (neuroflow is {s1 / nf1:.2f}x faster), case 2 "
            f"{s2:.3f} s (neuroflow is {s2 / nf2:.2f}x faster)"
        )


if __name__ == "__main__":
    main()
