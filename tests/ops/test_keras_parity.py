"""neuroflow.ops gives Keras 3's values and dtypes over the test matrix of cases.py.

The expected results were produced once by Keras 3's numpy backend (see
generate_reference.py) and are stored in data/keras_reference.npz. Each case runs twice:
on NumPy arrays and on neuroflow Tensors; both must match Keras.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from tests.ops.cases import CASES

import neuroflow.ops as ops
from neuroflow import Tensor

DATA = np.load(Path(__file__).parent / "data" / "keras_reference.npz")
META = json.loads(bytes(DATA["__meta__"]).decode())
BY_ID = {c[0]: c for c in CASES}

# Where Keras' numpy backend departs from Keras' own definition (its JAX and TensorFlow
# backends and its documentation), neuroflow follows the definition; each departure is
# tested on its own in test_ops.py.
DTYPE_OF_KERAS_DEFINITION = {
    ("math.top_k[0]", 1): "int32",       # numpy backend: np.argsort's int64
    ("numpy.histogram[0]", 0): "int32",  # numpy backend: np.histogram's int64
}
NOT_KERAS = {
    # Keras sums the cumulative sums over the whole support where the threshold needs
    # only the last one, so its outputs do not sum to 1; neuroflow keeps Martins &
    # Astudillo's sparsemax (test_sparsemax_projects_onto_the_simplex).
    "nn.sparsemax[0]", "nn.sparsemax[axis]",
}


def _op(op: str):
    namespace, name = op.split(".")
    return getattr(ops if namespace == "ops" else getattr(ops, namespace), name)


def _args(case_id: str, inputs: list, wrap) -> list:
    args = []
    for i, spec in enumerate(inputs):
        if spec[0] == "lit":
            args.append(spec[1])
        elif spec[0] == "list":
            args.append([wrap(DATA[f"{case_id}|in{i}.{j}"]) for j in range(len(spec[1]))])
        else:
            args.append(wrap(DATA[f"{case_id}|in{i}"]))
    return args


def _outputs(result) -> list[np.ndarray]:
    if isinstance(result, (tuple, list)):
        return [np.asarray(r.data if isinstance(r, Tensor) else r) for r in result]
    return [np.asarray(result.data if isinstance(result, Tensor) else result)]


def _tolerance(dtype: np.dtype) -> dict:
    if dtype == np.float16:
        return {"rtol": 2e-3, "atol": 2e-3}
    return {"rtol": 2e-5, "atol": 2e-6}


def _check_case(case_id: str, wrap) -> None:
    _, op, inputs, kwargs = BY_ID[case_id]
    result = _op(op)(*_args(case_id, inputs, wrap), **kwargs)
    got = _outputs(result)
    meta = META[case_id]
    assert len(got) == meta["n_out"], f"{case_id}: {len(got)} outputs, Keras has {meta['n_out']}"
    for k, (out, dtype) in enumerate(zip(got, meta["dtypes"], strict=True)):
        expected = DATA[f"{case_id}|out{k}"]
        dtype = DTYPE_OF_KERAS_DEFINITION.get((case_id, k), dtype)
        assert str(out.dtype) == dtype, f"{case_id} output {k}: dtype {out.dtype}, Keras {dtype}"
        assert out.shape == expected.shape, f"{case_id} output {k}: shape {out.shape}"
        if out.dtype.kind == "f":
            np.testing.assert_allclose(out, expected, equal_nan=True,
                                       **_tolerance(out.dtype), err_msg=case_id)
        else:
            np.testing.assert_array_equal(out, expected, err_msg=case_id)


OPS = sorted({BY_ID[c][1] for c in META if c not in NOT_KERAS})


@pytest.mark.parametrize("op", OPS)
def test_matches_keras(op: str) -> None:
    """Every case of `op`, on NumPy arrays and on Tensors, gives Keras' values and dtypes."""
    for case_id in sorted(c for c in META if BY_ID[c][1] == op and c not in NOT_KERAS):
        with np.errstate(all="ignore"):  # some cases leave a function's domain on purpose
            _check_case(case_id, lambda a: a)
            _check_case(case_id, Tensor)


def test_every_case_has_a_reference() -> None:
    """A case missing from the data file means the generator has to be run again."""
    assert sorted(META) == sorted(BY_ID)
