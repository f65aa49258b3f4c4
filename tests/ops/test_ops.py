"""Behaviour of neuroflow.ops beyond the Keras matrix: promotion, names, tape, errors."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import GradientTape, Tensor, Variable, backend, ops
from neuroflow.autodiff.primitive import tracing
from neuroflow.ops._dtypes import result_type

DATA = np.load(Path(__file__).parent / "data" / "keras_reference.npz")
KERAS = json.loads(bytes(DATA["__keras__"]).decode())
NAMESPACES = {"ops": ops, "numpy": ops.numpy, "nn": ops.nn, "linalg": ops.linalg}


@pytest.mark.parametrize("pair", sorted(KERAS["result_type"]))
def test_result_type_follows_keras_promotion(pair: str) -> None:
    """Keras' table, except where Keras narrows a 64-bit answer (uint32 + int8 is int64)."""
    a, b = ({"int": int, "float": float}.get(n, n) for n in pair.split(","))
    ours, theirs = result_type(a, b), KERAS["result_type"][pair]
    assert ours == theirs or (ours, theirs) == ("int64", "int32")


def test_64_bit_types_stay_64_bit() -> None:
    """Keras' JAX/NumPy backends narrow them; neuroflow keeps them (as Keras on TensorFlow)."""
    assert ops.add(np.ones(2), np.ones(2, "float32")).dtype == np.float64
    assert ops.add(np.ones(2, "int64"), np.ones(2, "int32")).dtype == np.int64
    assert ops.sqrt(np.ones(2)).dtype == np.float64


def test_python_data_converts_like_keras() -> None:
    assert ops.convert_to_tensor([1, 2]).dtype == np.int32
    assert ops.convert_to_tensor([1.0, 2]).dtype == np.float32
    with backend.floatx_scope("float64"):
        assert ops.convert_to_tensor([1.0]).dtype == np.float64
        assert ops.mean(np.arange(3)).dtype == np.float64


@pytest.mark.parametrize("namespace", sorted(NAMESPACES))
def test_every_keras_name_exists(namespace: str) -> None:
    module = NAMESPACES[namespace]
    missing = [n for n in KERAS["names"][namespace] if not hasattr(module, n)]
    assert not missing, f"keras.ops.{namespace} names missing from neuroflow: {missing}"


UNSUPPORTED_CALLS = sorted(
    (ns, n) for ns in ("ops", "nn", "linalg") for n in KERAS["names"][ns]
    if n in ops.UNSUPPORTED and n != "image"
)


@pytest.mark.parametrize(("namespace", "name"), UNSUPPORTED_CALLS)
def test_unsupported_names_raise_with_their_reason(namespace: str, name: str) -> None:
    with pytest.raises(NotImplementedError, match="not supported by neuroflow") as info:
        getattr(NAMESPACES[namespace], name)(np.ones((1, 4, 4, 1)))
    assert ops.UNSUPPORTED[name] in str(info.value)


def test_image_namespace_is_unsupported() -> None:
    with pytest.raises(NotImplementedError, match="keras.ops.image"):
        ops.image.resize(np.ones((4, 4, 3)), (2, 2))


def test_keras_namespace_exposes_ops_and_random() -> None:
    assert keras.ops is ops and keras.ops.nn.relu is ops.relu
    assert keras.random.normal((2,), seed=1).shape == (2,)


def test_ops_are_differentiable_on_variables() -> None:
    w = Variable(np.array([1.0, -2.0, 3.0], "float32"))
    with GradientTape() as tape:
        loss = ops.sum(ops.square(ops.subtract(w, 1.0))) + ops.max(w)
    (grad,) = tape.gradient(loss, [w])
    np.testing.assert_allclose(grad.numpy(), [0.0, -6.0, 5.0])
    assert grad.dtype == np.float32


def test_ops_return_tensors_for_numpy_inputs() -> None:
    out = ops.add(np.ones(2, "float32"), 1)
    assert isinstance(out, Tensor) and out.dtype == np.float32
    assert isinstance(ops.convert_to_numpy(out), np.ndarray)


def test_sparsemax_projects_onto_the_simplex() -> None:
    """Martins & Astudillo's definition: the outputs are a distribution."""
    np.testing.assert_allclose(ops.sparsemax(np.array([0.9, 0.8, -1.0])).numpy(),
                               [0.55, 0.45, 0.0], atol=1e-7)
    out = ops.sparsemax(np.random.default_rng(0).standard_normal((5, 7)), axis=-1).numpy()
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-6)
    assert (out >= 0).all()


def test_index_results_are_int32() -> None:
    assert ops.top_k(np.arange(5.0), 2)[1].dtype == np.int32
    assert ops.histogram(np.arange(5.0), bins=2)[0].dtype == np.int32
    assert ops.argmax(np.arange(5.0)).dtype == np.int32


def test_custom_gradient_replaces_the_vjp() -> None:
    @ops.custom_gradient
    def clipped_identity(x):
        def grad(upstream):
            return ops.clip(upstream, -0.1, 0.1)

        return x * 1.0, grad

    x = Variable(np.array([1.0, 2.0], "float32"))
    with GradientTape() as tape:
        y = ops.sum(clipped_identity(x) * np.array([5.0, -0.05], "float32"))
    np.testing.assert_allclose(tape.gradient(y, x).numpy(), [0.1, -0.05])


def test_cond_and_switch_call_one_branch() -> None:
    calls = []
    assert ops.cond(np.array(False), lambda: calls.append("t"), lambda: "f") == "f"
    assert calls == []
    branches = [lambda x: x + 1, lambda x: x * 10]
    assert ops.switch(5, branches, 2) == 20  # the index is clipped, as in Keras
    with pytest.raises(ValueError, match="cond: pred must be a scalar"):
        ops.cond(np.ones(2), lambda: 0, lambda: 1)


def test_loops() -> None:
    assert ops.while_loop(lambda i: i < 10, lambda i: i + 3, 0) == 12
    assert ops.while_loop(lambda i, s: True, lambda i, s: (i + 1, s * 2), (0, 1),
                          maximum_iterations=4) == (4, 16)
    assert ops.fori_loop(0, 4, lambda i, acc: acc + i, 0) == 6
    carry, ys = ops.scan(lambda c, x: (c + x, c), 0.0, np.arange(4.0), reverse=True)
    assert float(carry) == 6.0 and ys.numpy().tolist() == [6.0, 5.0, 3.0, 0.0]
    out = ops.map(lambda d: d["a"] + d["b"], {"a": np.ones(3), "b": np.arange(3.0)})
    assert out.numpy().tolist() == [1.0, 2.0, 3.0]
    cum = ops.associative_scan(ops.add, np.arange(5.0), reverse=True)
    assert cum.numpy().tolist() == [10.0, 10.0, 9.0, 7.0, 4.0]


def test_forward_only_linalg_refuses_the_tape() -> None:
    x = Variable(np.eye(3, dtype="float32") * 2)
    assert ops.svd(x, compute_uv=False).numpy().tolist() == [2.0, 2.0, 2.0]
    with GradientTape():
        with pytest.raises(NotImplementedError, match="linalg.svd has no gradient"):
            ops.svd(x)
        ops.svd(ops.stop_gradient(x))


def test_ops_that_read_values_make_a_trace_eager() -> None:
    x = Tensor(np.array([3.0, 1.0, 2.0], "float32"))
    nodes: list = []
    with tracing(nodes):
        ops.add(ops.multiply(x, 2.0), 1.0)
    assert nodes and all(prim is not None for prim, *_ in nodes)
    nodes = []
    with tracing(nodes):
        ops.sort(x)
    assert any(prim is None for prim, *_ in nodes), "sort's order is data: no replay"


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: ops.matmul(np.ones(3), 2.0), ValueError, "matmul: operands"),
    (lambda: ops.split(np.ones(5), 2), ValueError, "split: cannot split an axis of length 5"),
    (lambda: ops.one_hot(np.array([0.5]), 3), TypeError, "one_hot: expected integer"),
    (lambda: ops.rearrange(np.ones((2, 3)), "a b -> a c"), ValueError, "same axes"),
    (lambda: ops.rearrange(np.ones((2, 6)), "a (b c) -> a b c"), ValueError,
     "give the lengths"),
    (lambda: ops.take_along_axis(np.ones((2, 3)), np.zeros(2, int), axis=1), ValueError,
     "same rank"),
    (lambda: ops.quantile(np.ones(3), 1.5), ValueError, r"q must lie in \[0, 1\]"),
    (lambda: ops.inv(np.ones((2, 3))), ValueError, "inv: expected square matrices"),
    (lambda: ops.cast(np.ones(2), "complex64"), ValueError, "complex64"),
    (lambda: ops.convert_to_tensor([1], sparse=True), NotImplementedError, "sparse"),
    (lambda: ops.einsum("ij,jk->ik", np.ones((2, 2))), ValueError, "2 operands"),
    (lambda: ops.pad(np.ones(3), 1, mode="bogus"), ValueError, "pad: mode must be"),
    (lambda: ops.normalize(np.ones(3), order=0), ValueError, "order must be an int >= 1"),
])
def test_bad_input_gets_one_clear_error(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


_AXIS_OPS = {
    "sum": ops.sum, "mean": ops.mean, "max": ops.max, "min": ops.min, "amax": ops.amax,
    "prod": ops.prod, "var": ops.var, "std": ops.std, "all": ops.all, "any": ops.any,
    "logsumexp": ops.logsumexp, "count_nonzero": ops.count_nonzero, "median": ops.median,
    "quantile": lambda x, axis: ops.quantile(x, 0.5, axis=axis), "nanmean": ops.nanmean,
    "nansum": ops.nansum, "nanmax": ops.nanmax, "average": ops.average, "ptp": ops.ptp,
    "flip": ops.flip, "norm": ops.norm,
}
_SCAN_OPS = {"cumsum": ops.cumsum, "cumprod": ops.cumprod, "diff": ops.diff,
             "trapezoid": ops.trapezoid}


_BAD_AXES = [(name, axis) for name in sorted(_AXIS_OPS) for axis in (2, -3, (0, 2))] + [
    (name, axis) for name in sorted(_SCAN_OPS) for axis in (2, -3)]  # scans take one axis


@pytest.mark.parametrize(("name", "axis"), _BAD_AXES)
def test_an_axis_out_of_range_is_an_error_never_another_axis(name, axis) -> None:
    fn = {**_AXIS_OPS, **_SCAN_OPS}[name]
    bad = 2 if axis == (0, 2) else axis
    with pytest.raises(ValueError, match=rf"axis {bad} is out of bounds for a tensor of rank 2"):
        fn(np.arange(6.0).reshape(2, 3), axis=axis)


@pytest.mark.parametrize("name", sorted(_AXIS_OPS))
def test_reductions_take_negative_axes_within_range(name) -> None:
    x = np.arange(1.0, 7.0).reshape(2, 3)
    np.testing.assert_allclose(_AXIS_OPS[name](x, axis=-1).numpy(),
                               _AXIS_OPS[name](x, axis=1).numpy())


def test_a_scalar_has_no_axis_to_reduce() -> None:
    with pytest.raises(ValueError, match="sum: axis 0 is out of bounds for a tensor of rank 0"):
        ops.sum(np.float32(2.0), axis=0)
