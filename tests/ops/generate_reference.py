"""Regenerate tests/ops/data/keras_reference.npz from Keras 3 (numpy backend).

Run in an environment with Keras 3 (never in the test environment, which has none):

    KERAS_BACKEND=numpy /work/refvenv/bin/python tests/ops/generate_reference.py

For every case of tests/ops/cases.py it stores the drawn input arrays and Keras'
result (each output's values and dtype), so the tests compare neuroflow.ops with
Keras without importing it. Cases Keras rejects are reported and left out.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from cases import CASES, materialize  # noqa: E402


def keras_op(op: str):
    import keras

    namespace, name = op.split(".")
    module = keras.ops if namespace == "ops" else getattr(keras.ops, namespace, None)
    if namespace == "math":
        module = keras.ops
    return getattr(module, name)


def outputs(result) -> list[np.ndarray]:
    if isinstance(result, (tuple, list)):
        return [np.asarray(r) for r in result]
    return [np.asarray(result)]


PROMOTED = ["bool", "uint8", "uint16", "uint32", "int8", "int16", "int32", "float16",
            "float32", "int", "float"]


def keras_facts() -> dict:
    """Keras' public op and random names, and its promotion table (64-bit types aside)."""
    import keras

    def names(module) -> list[str]:
        return sorted(n for n in dir(module) if not n.startswith("_"))

    def key(name):
        return {"int": int, "float": float}.get(name, name)

    table = {f"{a},{b}": keras.backend.result_type(key(a), key(b))
             for a in PROMOTED for b in PROMOTED}
    return {
        "version": keras.__version__,
        "names": {"ops": names(keras.ops), "numpy": names(keras.ops.numpy),
                  "nn": names(keras.ops.nn), "linalg": names(keras.ops.linalg),
                  "random": names(keras.random)},
        "result_type": table,
    }


def main() -> None:
    if os.environ.get("KERAS_BACKEND") != "numpy":
        raise SystemExit("set KERAS_BACKEND=numpy")
    arrays: dict[str, np.ndarray] = {}
    meta: dict[str, dict] = {}
    failed = []
    for case_id, op, inputs, kwargs in CASES:
        args = materialize(case_id, inputs)
        try:
            result = keras_op(op)(*args, **kwargs)
        except Exception as exc:  # noqa: BLE001 - report every case Keras refuses
            failed.append(f"{case_id}: {type(exc).__name__}: {exc}")
            continue
        for i, (spec, arg) in enumerate(zip(inputs, args, strict=True)):
            if spec[0] == "list":
                for j, a in enumerate(arg):
                    arrays[f"{case_id}|in{i}.{j}"] = np.asarray(a)
            elif spec[0] != "lit":
                arrays[f"{case_id}|in{i}"] = np.asarray(arg)
        outs = outputs(result)
        for k, out in enumerate(outs):
            arrays[f"{case_id}|out{k}"] = out
        meta[case_id] = {
            "n_out": len(outs),
            "structure": type(result).__name__ if isinstance(result, (tuple, list)) else "one",
            "dtypes": [str(o.dtype) for o in outs],
        }
    arrays["__meta__"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), np.uint8)
    arrays["__keras__"] = np.frombuffer(json.dumps(keras_facts(), sort_keys=True).encode(),
                                        np.uint8)
    target = HERE / "data" / "keras_reference.npz"
    target.parent.mkdir(exist_ok=True)
    np.savez_compressed(target, **arrays)
    print(f"{len(meta)} cases written to {target} ({target.stat().st_size // 1024} KiB)")
    for line in failed:
        print("keras refused", line)


if __name__ == "__main__":
    main()
