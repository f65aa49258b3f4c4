"""Write keras_reference_c.json: Keras 3's numbers for the optimizers and layers that
finished issue 16 part B, on fixed small inputs, for the tests (which have no Keras).

    KERAS_BACKEND=numpy python tests/api/data/make_keras_reference_c.py
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

OPTIMIZERS = {
    "Adafactor": {"learning_rate": 0.1},
    "Adafactor_no_relative_step": {"learning_rate": 0.5, "relative_step": False,
                                   "beta_2_decay": -0.5, "clip_threshold": 0.5},
    "Muon": {"learning_rate": 0.05},
    "Muon_plain": {"learning_rate": 0.1, "nesterov": False, "weight_decay": 0.1,
                   "adam_weight_decay": 0.2, "adam_lr_ratio": 0.5, "rms_rate": None,
                   "ns_steps": 3, "momentum": 0.8},
    "Muon_excluded": {"learning_rate": 0.05, "exclude_layers": ["kern"]},
    "ScheduleFreeAdamW": {"learning_rate": 0.1},
    "ScheduleFreeAdamW_warmup": {"learning_rate": 0.2, "beta_1": 0.8, "warmup_steps": 2,
                                 "weight_decay": 0.05},
}
W0 = [[0.5, -1.0, 0.3], [2.0, 0.0, -0.7]]          # a wide kernel (2, 3)
T0 = [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]]        # a tall kernel (3, 2)
B0 = [0.25, -0.5, 0.1]
GRADS = [([[0.3, -0.2, 0.1], [0.0, 1.0, -0.4]], [[0.2, 0.1], [0.0, -0.5], [0.3, 0.3]],
          [0.1, -0.3, 0.2]),
         ([[-0.5, -0.2, 0.6], [0.1, -1.0, 0.0]], [[-0.1, 0.4], [0.2, 0.2], [0.0, -0.1]],
          [0.0, 0.2, -0.1]),
         ([[0.05, 0.3, -0.2], [-0.1, 0.2, 0.3]], [[0.3, -0.3], [0.1, 0.0], [-0.2, 0.4]],
          [-0.4, 0.1, 0.05])]


def _run(opt, names=("kernel", "tall", "bias")) -> list:
    vs = [keras.Variable(np.array(a, dtype="float32"), name=n)
          for a, n in zip((W0, T0, B0), names, strict=True)]
    steps = []
    for grads in GRADS:
        opt.apply_gradients([(np.array(g, "float32"), v) for g, v in zip(grads, vs, strict=True)])
        steps.append([np.asarray(v).tolist() for v in vs])
    return steps


def optimizers() -> dict:
    """Three steps on a wide kernel, a tall kernel and a bias from fixed gradients."""
    out = {}
    for key, kwargs in OPTIMIZERS.items():
        opt = getattr(keras.optimizers, key.split("_")[0])(**kwargs)
        out[key] = {"kwargs": kwargs, "steps": _run(opt)}
    multi = keras.optimizers.MultiOptimizer(keras.optimizers.OptimizerMap(
        keras.optimizers.Adam(0.05), {"bias": keras.optimizers.SGD(0.1, momentum=0.5),
                                      "t.*": keras.optimizers.Lion(0.01)}))
    out["MultiOptimizer"] = {"steps": _run(multi)}
    return {"w0": W0, "t0": T0, "b0": B0, "grads": GRADS, "cases": out}


def main() -> None:
    out = {"keras_version": keras.__version__, "optimizers": optimizers()}
    path = Path(__file__).with_name("keras_reference_c.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
