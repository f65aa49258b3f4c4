"""Train the same networks with neuroflow and with hand-written NumPy loops; print ratios.

Both start from the same weights, see the same batches in the same order and do the
same float32 math, so the weights after one epoch agree too (printed). Every target of
issue 14, in one run:

1. 784-300-100-10 ReLU/softmax, batch 32, 55,000 samples, one epoch, with SGD, momentum
   SGD, Adam and Nadam (targets: at most 0.85x the NumPy loop, faster than JAX);
2. 8-30-1 regression MLP, batch 32, 11,610 samples, the same optimizers (target: at most
   1.3x JAX's time per step);
3. the chapter's Wide & Deep (Normalization, concatenate), its two-output version with
   loss_weights and a subclassed one, Adam (target: 1.3x the NumPy loop, JAX beside it);
4. predict and model(x) on one row vs the bare forward pass (target: 1.5x); evaluate's
   forward-only plan; fit with the progress bar vs verbose=0;
5. calls per training step of case 2 (neuroflow vs the NumPy loop) and the NumPy call
   floor: a loop making as many trivial NumPy calls, timed on this machine;
6. the floors of any engine that calls NumPy per kernel, beside JAX: the leanest NumPy
   SGD step of case 2 (13 calls), case 1's matrix products alone, and those plus the
   whole-buffer Adam update.

neuroflow's figures are a steady epoch (the second of a fit: the first traces the plans).
JAX (jit of one epoch as a `lax.scan`, the same optimizers), Keras, PyTorch and
scikit-learn run in whatever interpreter has them: `--reference-python PATH` runs this
script there with `--references-only` and reads its JSON answer. `--quick` is a smoke run
(tiny data, one repeat, SGD and Adam).

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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from epoch_timer import EpochTimer  # noqa: E402

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


class NumpyOptimizer:
    """Keras 3's SGD (with momentum), Adam and Nadam, written by hand in place on arrays."""

    def __init__(self, name: str, params: list, lr: float):
        self.name, self.lr, self.t = name, np.float32(lr), 0
        self.m = [np.zeros_like(w) for w in params]
        self.v = [np.zeros_like(w) for w in params] if name in ("adam", "nadam") else None
        self.u_product = 1.0

    def step(self, params: list, grads: list) -> None:
        self.t += 1
        t, lr = self.t, self.lr
        if self.name == "sgd":
            for w, g in zip(params, grads, strict=True):
                w -= lr * g
        elif self.name == "momentum":
            for w, g, m in zip(params, grads, self.m, strict=True):
                m *= np.float32(0.9)
                m -= lr * g
                w += m
        elif self.name == "adam":
            alpha = np.float32(lr * (1 - 0.999**t) ** 0.5 / (1 - 0.9**t))
            for w, g, m, v in zip(params, grads, self.m, self.v, strict=True):
                m += (g - m) * np.float32(0.1)
                v += (g * g - v) * np.float32(0.001)
                w -= alpha * m / (np.sqrt(v) + np.float32(1e-7))
        else:  # nadam
            u_t, u_next = 0.9 * (1 - 0.5 * 0.96**t), 0.9 * (1 - 0.5 * 0.96 ** (t + 1))
            self.u_product *= u_t
            c_m = np.float32(u_next / (1 - self.u_product * u_next))
            c_g = np.float32((1 - u_t) / (1 - self.u_product))
            inv_v = np.float32(1 / (1 - 0.999**t))
            for w, g, m, v in zip(params, grads, self.m, self.v, strict=True):
                m += (g - m) * np.float32(0.1)
                v += (g * g - v) * np.float32(0.001)
                w -= lr * (m * c_m + g * c_g) / (np.sqrt(v * inv_v) + np.float32(1e-7))


def numpy_mlp_epoch(weights, x, y, perm, optimizer, lr, loss, batch_size):
    """One epoch of a ReLU dense stack (softmax cross-entropy or MSE) by hand."""
    params = [w.copy() for w in weights]
    opt = NumpyOptimizer(optimizer, params, lr)
    x = x.reshape(len(x), -1)
    depth = len(params) // 2
    grads = [None] * len(params)
    for start in range(0, len(x), batch_size):
        idx = perm[start : start + batch_size]
        xb, yb = x[idx], y[idx]
        m = len(idx)
        acts = [xb]
        for i in range(depth):
            z = acts[-1] @ params[2 * i]
            z += params[2 * i + 1]
            if i < depth - 1:
                np.maximum(z, 0, out=z)
            acts.append(z)
        out = acts[-1]
        if loss == "ce":
            rows = np.arange(m)
            out -= out.max(axis=1, keepdims=True)
            e = np.exp(out)
            s = e.sum(axis=1)
            float((np.log(s) - out[rows, yb]).mean())  # the loss, as a training loop reports
            g = e / s[:, None]
            g[rows, yb] -= 1
            g *= np.float32(1.0 / m)
        else:
            diff = out - yb
            float(np.mean(diff * diff))
            g = diff * np.float32(2.0 / m)
        for i in range(depth - 1, -1, -1):
            grads[2 * i] = acts[i].T @ g
            grads[2 * i + 1] = g.sum(axis=0)
            if i:
                g = (g @ params[2 * i].T) * (acts[i] > 0)
        opt.step(params, grads)
    return params


def numpy_wide_deep_epoch(weights, norms, xs, y, perm, optimizer, lr, loss_weights, batch_size):
    """One epoch of the chapter's Wide & Deep by hand: normalized wide and deep inputs,
    two ReLU layers on the deep one, concat(wide, hidden2) -> output, and with two loss
    weights an auxiliary output on hidden2."""
    params = [w.copy() for w in weights]
    opt = NumpyOptimizer(optimizer, params, lr)
    (mw, iw), (md, idd) = norms
    xw, xd = xs
    two = len(loss_weights) == 2
    for start in range(0, len(y), batch_size):
        idx = perm[start : start + batch_size]
        yb = y[idx]
        m = len(idx)
        nw = (xw[idx] - mw) * iw
        nd = nw if xd is xw else (xd[idx] - md) * idd
        w1, b1, w2, b2, w3, b3 = params[:6]
        h1 = nd @ w1
        h1 += b1
        np.maximum(h1, 0, out=h1)
        h2 = h1 @ w2
        h2 += b2
        np.maximum(h2, 0, out=h2)
        c = np.concatenate([nw, h2], axis=1)
        out = c @ w3
        out += b3
        diff = out - yb
        g_out = diff * np.float32(2.0 * loss_weights[0] / m)
        grads = [None, None, None, None, c.T @ g_out, g_out.sum(axis=0)]
        g2 = g_out @ w3[nw.shape[1]:].T
        total = loss_weights[0] * float(np.mean(diff * diff))
        if two:
            w4, b4 = params[6:]
            aux = h2 @ w4
            aux += b4
            diff_aux = aux - yb
            total += loss_weights[1] * float(np.mean(diff_aux * diff_aux))
            g_aux = diff_aux * np.float32(2.0 * loss_weights[1] / m)
            grads += [h2.T @ g_aux, g_aux.sum(axis=0)]
            g2 += g_aux @ w4.T
        g2 *= h2 > 0
        grads[2], grads[3] = h1.T @ g2, g2.sum(axis=0)
        g1 = (g2 @ w2.T) * (h1 > 0)
        grads[0], grads[1] = nd.T @ g1, g1.sum(axis=0)
        opt.step(params, grads)
    return params


# ---------------------------------------------------------------- neuroflow models

KERAS_OPTIMIZERS = {  # name -> (Keras class, learning rate), the loops' settings
    "sgd": (lambda lr: nf.optimizers.SGD(lr), 0.01),
    "momentum": (lambda lr: nf.optimizers.SGD(lr, momentum=0.9), 0.01),
    "adam": (lambda lr: nf.optimizers.Adam(lr), 0.001),
    "nadam": (lambda lr: nf.optimizers.Nadam(lr), 0.001),
}


def build_wide_deep(kind: str, x):
    """(model, its Dense layers in the NumPy loop's order, normalization layers, fit x).

    kind: "single" (the chapter's first Wide & Deep: one input, Normalization,
    concatenate), "two" (wide = features 0-4, deep = 2-7, an auxiliary output) or
    "subclassed" (the same two-output network as a Model subclass)."""
    layers = nf.layers
    if kind == "single":
        norm = layers.Normalization()
        norm.adapt(x)
        inp = nf.Input(shape=[8])
        h1, h2, out = layers.Dense(30, activation="relu"), layers.Dense(30, activation="relu"), \
            layers.Dense(1)
        n = norm(inp)
        model = nf.Model(inputs=[inp], outputs=[out(layers.concatenate([n, h2(h1(n))]))])
        return model, [h1, h2, out], [norm, norm], x
    xw, xd = x[:, :5], x[:, 2:]
    if kind == "two":
        nw_layer, nd_layer = layers.Normalization(), layers.Normalization()
        nw_layer.adapt(xw)
        nd_layer.adapt(xd)
        h1, h2 = layers.Dense(30, activation="relu"), layers.Dense(30, activation="relu")
        out, aux = layers.Dense(1), layers.Dense(1)
        iw, idp = nf.Input(shape=[5]), nf.Input(shape=[6])
        hidden2 = h2(h1(nd_layer(idp)))
        model = nf.Model(inputs=[iw, idp], outputs=[
            out(layers.concatenate([nw_layer(iw), hidden2])), aux(hidden2)])
        return model, [h1, h2, out, aux], [nw_layer, nd_layer], (xw, xd)
    model = WideAndDeepModel()
    model.norm_layer_wide.adapt(xw)
    model.norm_layer_deep.adapt(xd)
    model((xw[:1], xd[:1]))
    return (model, [model.hidden1, model.hidden2, model.main_output, model.aux_output],
            [model.norm_layer_wide, model.norm_layer_deep], (xw, xd))


class WideAndDeepModel(nf.Model):
    """The chapter's subclassed Wide & Deep (two inputs, main and auxiliary outputs)."""

    def __init__(self, units=30, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.norm_layer_wide = nf.layers.Normalization()
        self.norm_layer_deep = nf.layers.Normalization()
        self.hidden1 = nf.layers.Dense(units, activation=activation)
        self.hidden2 = nf.layers.Dense(units, activation=activation)
        self.main_output = nf.layers.Dense(1)
        self.aux_output = nf.layers.Dense(1)

    def call(self, inputs):
        input_wide, input_deep = inputs
        norm_wide = self.norm_layer_wide(input_wide)
        norm_deep = self.norm_layer_deep(input_deep)
        hidden2 = self.hidden2(self.hidden1(norm_deep))
        concat = nf.layers.concatenate([norm_wide, hidden2])
        return self.main_output(concat), self.aux_output(hidden2)


def _dense_weights(dense_layers) -> list:
    return [w for layer in dense_layers for w in (layer.kernel.numpy(), layer.bias.numpy())]


def _norm_arrays(norm) -> tuple:
    std = np.sqrt(norm.variance.numpy())
    return norm.mean.numpy(), (1.0 / np.maximum(std, 1e-7)).astype(np.float32)


def _best(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _steady_epoch(fit, repeats: int) -> float:
    """Best time of a second epoch (the first traces the plans) over `repeats` fits."""
    best = float("inf")
    for _ in range(repeats):
        timer = EpochTimer()
        fit(2, [timer])
        best = min(best, timer.times[1])
    return best


def time_mlp(build, loss, x, y, optimizer, repeats, batch_size=32, seed=7):
    """Best-of-`repeats` seconds for one (steady) epoch of a dense stack: (neuroflow, numpy
    loop, numpy loop on one BLAS thread, max |weight difference| after one epoch)."""
    make, lr = KERAS_OPTIMIZERS[optimizer]
    nf.utils.set_random_seed(seed)
    model = build()
    init = model.get_weights()
    perm = np.random.default_rng(seed).permutation(len(x))
    kind = "ce" if loss.startswith("sparse") else "mse"

    def fit(epochs, callbacks=None):
        model.set_weights(init)
        model.compile(optimizer=make(lr), loss=loss)  # fresh slots: the same steps
        nf.utils.set_random_seed(seed)
        model.fit(x, y, batch_size=batch_size, epochs=epochs, verbose=0, callbacks=callbacks)

    ref = []

    def loop():
        ref[:] = numpy_mlp_epoch(init, x, y, perm, optimizer, lr, kind, batch_size)

    fit(1)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(model.get_weights(),
                                                          _best_ref(loop, ref), strict=True))
    t_nf, t_np = _steady_epoch(fit, repeats), _best(loop, repeats)
    t_np1 = _one_thread(lambda: _best(loop, repeats))
    return t_nf, t_np, t_np1, diff


def _best_ref(loop, ref) -> list:
    loop()
    return list(ref)


def _one_thread(fn):
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return float("nan")
    with threadpool_limits(limits=1, user_api="blas"):
        return fn()


def time_wide_deep(kind: str, x, y, repeats, batch_size=32, seed=7):
    """(neuroflow seconds for a steady epoch, numpy loop seconds, max |weight difference|
    after one epoch) for a Wide & Deep with Adam."""
    nf.utils.set_random_seed(seed)
    model, dense, norms, fit_x = build_wide_deep(kind, x)
    two = kind != "single"
    loss_weights = (0.9, 0.1) if two else (1.0,)
    fit_y = (y, y) if two else y
    init = [layer.get_weights() for layer in dense]
    lr = 0.001

    def fit(epochs, callbacks=None):
        for layer, w in zip(dense, init, strict=True):
            layer.set_weights(w)
        model.compile(optimizer=nf.optimizers.Adam(lr), loss="mse",
                      loss_weights=list(loss_weights) if two else None)
        nf.utils.set_random_seed(seed)
        model.fit(fit_x, fit_y, batch_size=batch_size, epochs=epochs, verbose=0,
                  callbacks=callbacks)

    perm = np.random.default_rng(seed).permutation(len(y))
    xs = fit_x if two else (fit_x, fit_x)
    norm_arrays = [_norm_arrays(n) for n in norms]
    ref = []

    def loop():
        ref[:] = numpy_wide_deep_epoch([w for pair in init for w in pair], norm_arrays, xs, y,
                                       perm, "adam", lr, loss_weights, batch_size)

    fit(1)
    diff = max(float(np.abs(a - b).max())
               for a, b in zip(_dense_weights(dense), _best_ref(loop, ref), strict=True))
    return _steady_epoch(fit, repeats), _best(loop, repeats), diff


def time_verbose(x, y, repeats) -> tuple[float, float]:
    """Seconds for a steady epoch of case 2 with verbose=0 and with the progress bar
    (verbose=1, written to a file as under CI or a pipe)."""
    import io
    from contextlib import redirect_stdout

    model = build_regressor()
    model.compile(optimizer="sgd", loss="mse")

    def fit(verbose):
        def run(epochs, callbacks):
            model.fit(x, y, batch_size=32, epochs=epochs, verbose=verbose, callbacks=callbacks)
        return run

    quiet = _steady_epoch(fit(0), repeats)
    with redirect_stdout(io.StringIO()):
        bar = _steady_epoch(fit(1), repeats)
    return quiet, bar


def count_calls(fn) -> int:
    """Python function calls plus C calls (NumPy functions, methods) made by `fn()`."""
    count = [0]

    def profiler(frame, event, arg):
        if event in ("call", "c_call"):
            count[0] += 1

    sys.setprofile(profiler)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return count[0]


def calls_per_step(x, y) -> tuple[float, float]:
    """Calls per training step of case 2: neuroflow's replay loop, the NumPy loop."""
    model = build_regressor()
    model.compile(optimizer=nf.optimizers.SGD(0.01), loss="mse")
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)  # traced: later epochs replay
    steps = -(-len(x) // 32)
    nf_calls = count_calls(lambda: model.fit(x, y, batch_size=32, epochs=1, verbose=0))
    init = model.get_weights()
    perm = np.arange(len(x))
    np_calls = count_calls(lambda: numpy_mlp_epoch(init, x, y, perm, "sgd", 0.01, "mse", 32))
    return nf_calls / steps, np_calls / steps


def numpy_call_floor(calls: int, steps: int = 2000) -> float:
    """Seconds per step of a loop making `calls` trivial NumPy calls on tiny arrays."""
    a, b, c = (np.ones((32, 30), np.float32) for _ in range(3))
    add = np.add

    def loop():
        for _ in range(steps):
            for _ in range(calls):
                add(a, b, out=c)

    return _best(loop, 3) / steps


def lean_step_floor(x, y, batch_size=32, repeats=3) -> float:
    """Seconds per step of the leanest plain-SGD step of case 2 NumPy allows: the bias of
    the first layer folded into its kernel (a column of ones appended to the data once),
    every product through `np.dot(..., out=)`, every buffer reused, the loss summed once
    at the end of the epoch. 13 NumPy calls per step, no gradient for the input: what any
    engine that calls NumPy once per kernel pays at least."""
    rng = np.random.default_rng(0)
    n, d = x.shape
    steps = n // batch_size
    xa = np.concatenate([x, np.ones((n, 1), x.dtype)], axis=1)
    params = (rng.standard_normal(((d + 1) * 30 + 31,)) * 0.1).astype(np.float32)
    grads = np.zeros_like(params)
    w1, w2, b2 = params[:(d + 1) * 30].reshape(d + 1, 30), params[-31:-1].reshape(30, 1), \
        params[-1:]
    g1, g2, gb2 = grads[:(d + 1) * 30].reshape(d + 1, 30), grads[-31:-1].reshape(30, 1), \
        grads[-1:]
    h, dh = (np.empty((batch_size, 30), np.float32) for _ in range(2))
    dy = np.empty((batch_size, 1), np.float32)
    mask = np.empty((batch_size, 30), bool)
    errors = np.empty((steps, batch_size, 1), np.float32)
    scale, w2t = np.float32(2 * 0.01 / batch_size), w2.T
    dot, maximum, add, sub, mul, greater = (np.dot, np.maximum, np.add, np.subtract,
                                            np.multiply, np.greater)
    reduce = np.add.reduce

    def epoch():
        for k in range(steps):
            s = k * batch_size
            xb, e = xa[s:s + batch_size], errors[k]
            dot(xb, w1, out=h)
            maximum(h, 0, out=h)
            dot(h, w2, out=dy)
            add(dy, b2, out=dy)
            sub(dy, y[s:s + batch_size], out=e)
            mul(e, scale, out=dy)
            dot(h.T, dy, out=g2)
            reduce(dy, 0, None, gb2)
            dot(dy, w2t, out=dh)
            greater(h, 0, out=mask)
            mul(dh, mask, out=dh)
            dot(xb.T, dh, out=g1)
            sub(params, grads, out=params)
        return float(np.vdot(errors, errors)) / errors.size

    epoch()
    return _best(epoch, repeats) / steps


def gemm_floor(x, sizes=(784, 300, 100, 10), batch_size=32, repeats=3) -> float:
    """Seconds for the matrix products alone of one epoch of case 1 (forward, kernel
    gradients, input gradients but the first layer's), on the faster of one BLAS thread
    and the default: the part of a NumPy step that no engine on NumPy's BLAS can skip."""
    rng = np.random.default_rng(0)
    x = x.reshape(len(x), -1)
    ws = [rng.standard_normal((a, b)).astype(np.float32) * 0.05
          for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    outs = [np.empty((batch_size, b), np.float32) for b in sizes[1:]]
    ins = [np.empty((batch_size, a), np.float32) for a in sizes[1:-1]]
    gws = [np.empty_like(w) for w in ws]
    steps = len(x) // batch_size

    def epoch():
        for k in range(steps):
            a = x[k * batch_size:(k + 1) * batch_size]
            acts = [a]
            for w, o in zip(ws, outs, strict=True):
                np.matmul(acts[-1], w, out=o)
                acts.append(o)
            g = outs[-1]
            for i in range(len(ws) - 1, -1, -1):
                np.matmul(acts[i].T, g, out=gws[i])
                if i:
                    np.matmul(g, ws[i].T, out=ins[i - 1])
                    g = ins[i - 1]

    epoch()
    return min(_best(epoch, repeats), _one_thread(lambda: _best(epoch, repeats)))


def adam_update_floor(size: int, steps: int, repeats=3) -> float:
    """Seconds for `steps` Adam updates of `size` float32 parameters as whole-buffer NumPy
    calls (neuroflow's kernel: 12 passes over memory), without computing any gradient."""
    rng = np.random.default_rng(0)
    w, g = (rng.standard_normal(size).astype(np.float32) for _ in range(2))
    m, v, buf = (np.zeros(size, np.float32) for _ in range(3))
    opt = nf.optimizers.Adam(0.001)

    alpha = np.float32(0.001)

    def run():
        for _ in range(steps):
            opt._kernel(w, g, [m, v], [buf], alpha)

    return _best(run, repeats)


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


def _jax_optimizer(name: str, lr: float):
    """(init, update) of Keras 3's SGD/momentum/Adam/Nadam as pure JAX functions."""
    import jax
    import jax.numpy as jnp

    tmap = jax.tree_util.tree_map

    def init(params):
        zeros = tmap(jnp.zeros_like, params)
        return (jnp.zeros((), jnp.float32), jnp.ones((), jnp.float32), zeros, zeros)

    def update(params, grads, state):
        t, u_product, m, v = state
        t = t + 1
        if name == "sgd":
            return tmap(lambda w, g: w - lr * g, params, grads), (t, u_product, m, v)
        if name == "momentum":
            m = tmap(lambda m_, g: 0.9 * m_ - lr * g, m, grads)
            return tmap(lambda w, m_: w + m_, params, m), (t, u_product, m, v)
        m = tmap(lambda m_, g: m_ + (g - m_) * 0.1, m, grads)
        v = tmap(lambda v_, g: v_ + (g * g - v_) * 0.001, v, grads)
        if name == "adam":
            alpha = lr * jnp.sqrt(1 - 0.999**t) / (1 - 0.9**t)
            new = tmap(lambda w, m_, v_: w - alpha * m_ / (jnp.sqrt(v_) + 1e-7), params, m, v)
            return new, (t, u_product, m, v)
        u_t, u_next = 0.9 * (1 - 0.5 * 0.96**t), 0.9 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product = u_product * u_t
        c_m, c_g = u_next / (1 - u_product * u_next), (1 - u_t) / (1 - u_product)
        inv_v = 1 / (1 - 0.999**t)
        new = tmap(lambda w, m_, v_, g: w - lr * (m_ * c_m + g * c_g)
                   / (jnp.sqrt(v_ * inv_v) + 1e-7), params, m, v, grads)
        return new, (t, u_product, m, v)

    return init, update


def jax_epochs(x1, y1, x2, y2, optimizers, batch_size=32, repeats=3) -> dict:
    """Seconds for one epoch of each case as one jitted `lax.scan` (compile excluded):
    cases 1 and 2 with each optimizer ("case1/adam"...), the Wide & Deeps with Adam."""
    import jax
    import jax.numpy as jnp

    def dense_init(sizes, key):
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

    def wide_deep(two):
        def loss(params, xw, xd, y):
            (w1, b1), (w2, b2), (w3, b3), (w4, b4) = params
            nw, nd = (xw - xw.mean(0)) / 1.0, (xd - xd.mean(0)) / 1.0  # per-batch shift
            h2 = jax.nn.relu(jax.nn.relu(nd @ w1 + b1) @ w2 + b2)
            out = jnp.concatenate([nw, h2], axis=1) @ w3 + b3
            main = jnp.mean((out - y) ** 2)
            return 0.9 * main + 0.1 * jnp.mean((h2 @ w4 + b4 - y) ** 2) if two else main
        return loss

    def run_timed(loss_fn, params, batches, opt):
        init, update = _jax_optimizer(*opt)

        def step(carry, batch):
            params, state = carry
            loss, grads = jax.value_and_grad(loss_fn)(params, *batch)
            return update(params, grads, state), loss

        run = jax.jit(lambda params, state, batches: jax.lax.scan(step, (params, state),
                                                                 batches))
        state = init(params)
        jax.block_until_ready(run(params, state, batches))  # compile
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            jax.block_until_ready(run(params, state, batches))
            best = min(best, time.perf_counter() - t0)
        return best

    def stacked(*arrays):
        n = len(arrays[0]) // batch_size * batch_size  # scan needs equal batches
        return tuple(jnp.asarray(a[:n].reshape((-1, batch_size) + a.shape[1:])) for a in arrays)

    out = {}
    key = jax.random.PRNGKey(0)
    for name, sizes, loss_fn, x, y in (("case1", (784, 300, 100, 10), ce,
                                        x1.reshape(len(x1), -1), y1.astype(np.int32)),
                                       ("case2", (8, 30, 1), mse, x2, y2)):
        batches = stacked(x, y)
        scale = len(x) / (len(batches[0]) * batch_size)  # per full epoch
        for opt in optimizers:
            lr = KERAS_OPTIMIZERS[opt][1]
            out[f"{name}/{opt}"] = run_timed(loss_fn, dense_init(sizes, key), batches,
                                             (opt, lr)) * scale
    xw, xd = x2[:, :5], x2[:, 2:]
    params = dense_init((6, 30, 30), key) + [dense_init((35, 1), key)[0],
                                             dense_init((30, 1), key)[0]]
    scale = len(x2) / (len(x2) // batch_size * batch_size)
    single = [dense_init((8, 30, 30), key)[0], dense_init((30, 30), key)[0],
              dense_init((38, 1), key)[0], dense_init((30, 1), key)[0]]
    out["wd/single"] = run_timed(wide_deep(False), single, stacked(x2, x2, y2),
                                 ("adam", 0.001)) * scale
    out["wd/two"] = run_timed(wide_deep(True), params, stacked(xw, xd, y2),
                              ("adam", 0.001)) * scale
    return out


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


def references(python: str | None, quick: bool, x1, y1, x2, y2, optimizers) -> dict:
    """The other frameworks: {"jax": {case: seconds}, "rows": [(name, case 1 s, case 2 s)]},
    timed in this interpreter, or in `python` (a subprocess running --references-only)."""
    if python is None:
        out: dict = {"jax": {}, "rows": optional_frameworks(x1, y1, x2, y2)}
        try:
            out["jax"] = jax_epochs(x1, y1, x2, y2, optimizers, repeats=1 if quick else 3)
        except ImportError:
            pass
        return out
    cmd = [python, __file__, "--references-only"] + (["--quick"] if quick else [])
    env = {**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if done.returncode:
        print(f"reference run failed: {done.stderr.strip().splitlines()[-1:]}")
        return {"jax": {}, "rows": []}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _vs_jax(jax: dict, key: str, seconds: float, steps: int, target: str) -> str:
    if key not in jax:
        return ""
    return (f", JAX {jax[key] / steps * 1e6:.1f} us/step (neuroflow/JAX "
            f"{seconds / jax[key]:.2f}, target {target})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="a smoke run: tiny data, one repeat, SGD and Adam only")
    parser.add_argument("--reference-python", help="interpreter with jax/keras/torch/sklearn")
    parser.add_argument("--no-references", action="store_true",
                        help="skip JAX, Keras, PyTorch and scikit-learn")
    parser.add_argument("--references-only", action="store_true",
                        help="time only the other frameworks; print them as JSON")
    args = parser.parse_args()
    quick = args.quick
    n1, n2 = (640, 640) if quick else (55_000, 11_610)
    repeats = 1 if quick else args.repeats
    optimizers = ["sgd", "adam"] if quick else list(KERAS_OPTIMIZERS)
    x1, y1 = make_data(n1, (28, 28), 10)
    x2, y2 = make_data(n2, (8,), None)
    if args.references_only:
        print(json.dumps(references(None, quick, x1, y1, x2, y2, optimizers)))
        return
    print(f"neuroflow {nf.__version__}, numpy {np.__version__}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    refs = ({"jax": {}, "rows": []} if args.no_references else
            references(args.reference_python, quick, x1, y1, x2, y2, optimizers))
    jax = refs["jax"]
    steps2 = -(-n2 // 32)
    sgd = {}
    for opt in optimizers:
        t_nf, t_np, t_np1, diff = time_mlp(build_classifier, "sparse_categorical_crossentropy",
                                           x1, y1, opt, repeats)
        sgd.setdefault("case1", t_nf)
        vs = (f", JAX {jax[f'case1/{opt}']:.3f} s (neuroflow/JAX "
              f"{t_nf / jax[f'case1/{opt}']:.2f}, target < 1)") if f"case1/{opt}" in jax else ""
        print(f"case 1 {opt}: 784-300-100-10, {n1} samples, one epoch: neuroflow {t_nf:.3f} s, "
              f"numpy loop {t_np:.3f} s (1 BLAS thread {t_np1:.3f} s), ratio "
              f"{t_nf / t_np:.3f} (target <= 0.85), vs 1-thread loop {t_nf / t_np1:.3f}{vs}; "
              f"max |weight diff| {diff:.2e}")
    for opt in optimizers:
        t_nf, t_np, _, diff = time_mlp(build_regressor, "mse", x2, y2, opt, repeats)
        sgd.setdefault("case2", t_nf)
        print(f"case 2 {opt}: 8-30-1, {n2} samples: neuroflow {t_nf / steps2 * 1e6:.1f} us/step, "
              f"numpy loop {t_np / steps2 * 1e6:.1f} us/step, ratio {t_nf / t_np:.3f}"
              f"{_vs_jax(jax, f'case2/{opt}', t_nf, steps2, '<= 1.3')}; "
              f"max |weight diff| {diff:.2e}")
    for kind, label in (("single", "Wide & Deep (Normalization, concatenate), Adam"),
                        ("two", "two-output Wide & Deep, loss_weights (0.9, 0.1), Adam"),
                        ("subclassed", "subclassed two-output Wide & Deep, Adam")):
        t_nf, t_np, diff = time_wide_deep(kind, x2, y2, repeats)
        key = "wd/single" if kind == "single" else "wd/two"
        print(f"{label}: neuroflow {t_nf / steps2 * 1e6:.1f} us/step, numpy loop "
              f"{t_np / steps2 * 1e6:.1f} us/step, ratio {t_nf / t_np:.3f} (target <= 1.3)"
              f"{_vs_jax(jax, key, t_nf, steps2, 'beside it')}; max |weight diff| {diff:.2e}")
    t_pred, t_call, t_bare = time_predict(200 if quick else 2000)
    print(f"predict on one row: {t_pred * 1e6:.1f} us, model(x) {t_call * 1e6:.1f} us, "
          f"bare forward {t_bare * 1e6:.1f} us, ratio predict/bare {t_pred / t_bare:.2f}, "
          f"model(x)/bare {t_call / t_bare:.2f} (target <= 1.5)")
    t_eval = time_evaluate(x2, y2, repeats)
    print(f"evaluate (forward-only plan), case 2: {t_eval / steps2 * 1e6:.1f} us/batch, "
          f"ratio to a training step {t_eval / sgd['case2']:.2f}")
    quiet, bar = time_verbose(x2, y2, repeats)
    print(f"fit verbose=1 (progress bar) vs verbose=0, case 2: {bar / steps2 * 1e6:.1f} vs "
          f"{quiet / steps2 * 1e6:.1f} us/step, ratio {bar / quiet:.3f}")
    nf_calls, np_calls = calls_per_step(x2, y2)
    floor = numpy_call_floor(round(nf_calls), 200 if quick else 2000)
    print(f"calls per step, case 2 SGD: neuroflow {nf_calls:.1f}, numpy loop {np_calls:.1f}; "
          f"numpy call floor ({round(nf_calls)} tiny NumPy calls): {floor * 1e6:.1f} us/step, "
          f"ratio neuroflow/floor {sgd['case2'] / steps2 / floor:.2f}")
    lean = lean_step_floor(x2, y2, repeats=repeats)
    gemms = gemm_floor(x1, repeats=repeats) * n1 / (n1 // 32 * 32)
    print(f"floors: the leanest NumPy SGD step of case 2 (13 calls) {lean * 1e6:.1f} us/step"
          + (f" = {lean / (jax['case2/sgd'] / steps2):.2f}x JAX's step" if "case2/sgd" in jax
             else "")
          + f"; case 1's matrix products alone {gemms:.3f} s/epoch"
          + (f" = {gemms / jax['case1/sgd']:.2f}x JAX's whole SGD epoch" if "case1/sgd" in jax
             else ""))
    if "adam" in optimizers:
        adam = gemms + adam_update_floor(266_610, n1 // 32, repeats)
        print(f"floors: case 1 with Adam, the matrix products plus the whole-buffer Adam "
              f"update alone {adam:.3f} s/epoch"
              + (f" = {adam / jax['case1/adam']:.2f}x JAX's whole Adam epoch"
                 if "case1/adam" in jax else ""))
    for name, s1, s2 in refs["rows"]:
        print(f"{name}: case 1 {s1:.3f} s (ratio neuroflow/{name} {sgd['case1'] / s1:.2f}), "
              f"case 2 {s2:.3f} s (ratio {sgd['case2'] / s2:.2f})")


if __name__ == "__main__":
    main()
