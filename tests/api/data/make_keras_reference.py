"""Write keras_reference.json: Keras 3's outputs for the layers and activations neuroflow
added, on fixed small inputs, so the tests (which have no Keras) can compare numbers.

    KERAS_BACKEND=numpy python tests/api/data/make_keras_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

import keras
import numpy as np

# sparsemax is left out: Keras 3.15's tau sums the cumulative sums over the support
# instead of taking the k-th one, so its rows do not sum to 1 (tested by formula instead).
X = np.linspace(-2.5, 2.5, 24, dtype="float32").reshape(4, 6)
X[1] *= 0.3
X[2, ::2] += 1.7

ACTIVATIONS = {
    "celu": {}, "celu_a2": {"alpha": 2.0}, "glu": {}, "hard_shrink": {},
    "hard_shrink_t1": {"threshold": 1.0}, "hard_silu": {}, "hard_swish": {}, "hard_tanh": {},
    "log_sigmoid": {}, "soft_shrink": {}, "sparse_plus": {}, "sparse_sigmoid": {},
    "squareplus": {}, "squareplus_b1": {"b": 1}, "tanh_shrink": {},
    "threshold": {"threshold": 0.3, "default_value": -1.0},
}

LAYERS = {
    "ReLU": {"max_value": 1.5, "negative_slope": 0.1, "threshold": 0.2},
    "LeakyReLU": {}, "ELU": {"alpha": 0.7}, "Softmax": {}, "Softmax_axis0": {"axis": 0},
    "PReLU": {"alpha_initializer": keras.initializers.Constant(0.25)},
    "LayerNormalization": {"epsilon": 0.01},
    "RMSNormalization": {}, "UnitNormalization": {}, "Rescaling": {"scale": 0.5, "offset": 1.0},
}


def main() -> None:
    out = {"keras_version": keras.__version__, "x": X.tolist(), "activations": {},
           "layers": {}}
    for key, kwargs in ACTIVATIONS.items():
        fn = getattr(keras.activations, key.split("_a2")[0].split("_t1")[0].split("_b1")[0])
        out["activations"][key] = {"kwargs": kwargs,
                                   "y": np.asarray(fn(X, **kwargs)).tolist()}
    for key, kwargs in LAYERS.items():
        layer = getattr(keras.layers, key.split("_")[0])(**kwargs)
        config = {k: v for k, v in kwargs.items() if not hasattr(v, "get_config")}
        out["layers"][key] = {"kwargs": config, "y": np.asarray(layer(X)).tolist()}
    cat = keras.layers.CategoryEncoding
    ids = np.array([[0, 2], [3, 3], [1, 0]])
    out["category_encoding"] = {
        mode: np.asarray(cat(num_tokens=4, output_mode=mode)(ids)).tolist()
        for mode in ("multi_hot", "count")}
    out["category_encoding"]["one_hot"] = np.asarray(
        cat(num_tokens=4, output_mode="one_hot")(np.array([3, 0, 1]))).tolist()
    disc = keras.layers.Discretization(bin_boundaries=[-1.0, 0.0, 1.5])
    out["discretization"] = np.asarray(disc(X)).tolist()
    opt = keras.optimizers.Lion(learning_rate=0.1, beta_1=0.8, beta_2=0.95, weight_decay=0.01)
    w = keras.Variable(np.array([[0.5, -1.0], [2.0, 0.0]], dtype="float32"))
    grads = np.array([[[0.3, -0.2], [0.0, 1.0]], [[-0.5, -0.2], [0.1, -1.0]],
                      [[0.05, 0.3], [-0.1, 0.2]]], dtype="float32")
    steps = []
    for g in grads:
        opt.apply_gradients([(g, w)])
        steps.append(np.asarray(w).tolist())
    out["lion"] = {"w0": [[0.5, -1.0], [2.0, 0.0]], "grads": grads.tolist(), "steps": steps}
    path = Path(__file__).with_name("keras_reference.json")
    path.write_text(json.dumps(out) + "\n")
    print(f"wrote {path} (Keras {keras.__version__})")


if __name__ == "__main__":
    main()
