"""Optimizer update time per step: the flat path (`apply_flat`) against per-variable `apply`.

The variables are those of the chapter's two networks (784-300-100-10: 6 variables,
266,610 weights; 8-30-1: 4 variables, 301 weights); the gradients are fixed random
arrays already in place (in the per-variable path as one array per variable, in the
flat path in `buffers.grads`, where the plan's VJP kernels write them), so only the
update itself is timed. Every figure comes from the same run; read the ratios.

    python benchmarks/bench_optimizers.py [--steps 100] [--repeats 5]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import neuroflow as keras
from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers.flat import FlatBuffers

NETWORKS = {
    "784-300-100-10": [784, 300, 100, 10],
    "8-30-1": [8, 30, 1],
}

O = keras.optimizers
CASES = {
    "SGD": lambda: O.SGD(0.01),
    "SGD momentum": lambda: O.SGD(0.01, momentum=0.9),
    "SGD Nesterov": lambda: O.SGD(0.01, momentum=0.9, nesterov=True),
    "Adam": lambda: O.Adam(0.001),
    "Adam amsgrad": lambda: O.Adam(0.001, amsgrad=True),
    "AdamW": lambda: O.AdamW(0.001),
    "Nadam": lambda: O.Nadam(0.001),
    "RMSprop": lambda: O.RMSprop(0.001),
    "RMSprop centered+momentum": lambda: O.RMSprop(0.001, momentum=0.9, centered=True),
    "Adagrad": lambda: O.Adagrad(0.01),
    "Adamax": lambda: O.Adamax(0.001),
    "SGD momentum, clipnorm": lambda: O.SGD(0.01, momentum=0.9, clipnorm=1.0),
    "Adam, global_clipnorm": lambda: O.Adam(0.001, global_clipnorm=1.0),
    "Adam, clipvalue": lambda: O.Adam(0.001, clipvalue=0.5),
    "Adam, EMA": lambda: O.Adam(0.001, use_ema=True),
    "AdamW, no decay on biases": lambda: _excluding_biases(O.AdamW(0.001)),
}


def _excluding_biases(opt):
    opt.exclude_from_weight_decay(var_names=["bias"])
    return opt


def _variables(widths: list[int], seed: int = 0) -> list[Variable]:
    rng = np.random.default_rng(seed)
    out = []
    for k, (n_in, n_out) in enumerate(zip(widths[:-1], widths[1:], strict=True)):
        out.append(Variable(rng.normal(0, 0.05, (n_in, n_out)).astype(np.float32),
                            name=f"kernel_{k}"))
        out.append(Variable(np.zeros(n_out, np.float32), name=f"bias_{k}"))
    return out


def _time(steps_a, steps_b, steps: int, repeats: int) -> tuple[float, float]:
    """Best mean time of one call of each, in microseconds; the two alternate so that
    both see the same load."""
    for _ in range(20):
        steps_a()
        steps_b()
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for k, step in enumerate((steps_a, steps_b)):
            start = time.perf_counter()
            for _ in range(steps):
                step()
            best[k] = min(best[k], (time.perf_counter() - start) / steps)
    return best[0] * 1e6, best[1] * 1e6


def measure(widths: list[int], make, steps: int, repeats: int) -> tuple[float, float]:
    """(per-variable, flat) microseconds per update of the network's variables."""
    rng = np.random.default_rng(1)
    per_var_vars = _variables(widths)
    grads = [rng.normal(0, 0.01, v.shape).astype(np.float32) for v in per_var_vars]
    per_var_opt = make()
    per_var_opt.build(per_var_vars)

    flat_vars = _variables(widths)
    buffers = FlatBuffers(flat_vars)
    buffers.pack(grads, out=buffers.grads)
    flat_opt = make()
    return _time(lambda: per_var_opt.apply(grads, per_var_vars),
                 lambda: flat_opt.apply_flat(buffers), steps, repeats)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    for net, widths in NETWORKS.items():
        n_vars = 2 * (len(widths) - 1)
        n_weights = sum(a * b + b for a, b in zip(widths[:-1], widths[1:], strict=True))
        print(f"\n{net}: {n_vars} variables, {n_weights:,} weights "
              "(us per update; ratio = flat / per-variable)")
        print(f"{'optimizer':<28}{'per-variable':>14}{'flat':>10}{'ratio':>8}")
        steps = args.steps if n_weights > 10_000 else 10 * args.steps
        for name, make in CASES.items():
            per_variable, flat = measure(widths, make, steps, args.repeats)
            print(f"{name:<28}{per_variable:>14.1f}{flat:>10.1f}{flat / per_variable:>8.2f}")


if __name__ == "__main__":
    main()
