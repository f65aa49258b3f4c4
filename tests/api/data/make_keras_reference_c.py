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


EINSUM = {
    "dense": ("ab,bc->ac", [4], "c", (2, 3)),
    "per_step": ("abc,cd->abd", [None, 4], "d", (2, 3, 3)),
    "heads": ("abc,cde->abde", [None, 2, 2], "de", (2, 2, 3)),
    "left_ellipsis": ("...b,bc->...c", [2], None, (2, 2, 3)),
    "right_ellipsis": ("ab...,bc->ac...", [2], "c", (2, 3, 2)),
}


def einsum_dense() -> dict:
    """Outputs and kernel/bias shapes for fixed weights (arange-based, scaled)."""
    out = {}
    for key, (equation, shape, bias_axes, x_shape) in EINSUM.items():
        layer = keras.layers.EinsumDense(equation, shape, bias_axes=bias_axes,
                                         activation="tanh")
        x = np.linspace(-1.0, 1.0, int(np.prod(x_shape)), dtype="float32").reshape(x_shape)
        layer.build(x_shape)
        weights = [np.cos(np.arange(np.prod(w.shape), dtype="float32")).reshape(w.shape)
                   for w in layer.weights]
        layer.set_weights(weights)
        out[key] = {"equation": equation, "output_shape": shape, "bias_axes": bias_axes,
                    "x": x.tolist(), "y": np.asarray(layer(x)).tolist(),
                    "shapes": [list(w.shape) for w in layer.weights],
                    "output_spec": list(layer.compute_output_shape((None,) + x_shape[1:]))}
    return out


def spectral_normalization() -> dict:
    """One training call of a wrapped Dense from a fixed kernel and vector_u."""
    out = {}
    x = np.linspace(-1.0, 1.0, 8, dtype="float32").reshape(2, 4)
    kernel = np.sin(np.arange(12, dtype="float32")).reshape(4, 3)
    u = np.array([[0.3, -0.5, 0.8]], dtype="float32")
    for iterations in (1, 3):
        layer = keras.layers.SpectralNormalization(keras.layers.Dense(3),
                                                   power_iterations=iterations)
        layer.build((None, 4))
        layer.layer.kernel.assign(kernel)
        layer.vector_u.assign(u)
        y = layer(x, training=True)
        out[str(iterations)] = {"y": np.asarray(y).tolist(),
                                "kernel": np.asarray(layer.layer.kernel).tolist(),
                                "vector_u": np.asarray(layer.vector_u).tolist()}
    return {"x": x.tolist(), "kernel": kernel.tolist(), "vector_u": u.tolist(),
            "cases": out}


def main() -> None:
    out = {"keras_version": keras.__version__, "optimizers": optimizers(),
           "einsum_dense": einsum_dense(), "spectral_normalization": spectral_normalization()}
    path = Path(__file__).with_name("keras_reference_c.json")
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
