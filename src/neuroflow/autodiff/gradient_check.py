"""Compare an op's VJP with central finite differences (in float64)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from neuroflow.autodiff.tensor import GradientTape, Tensor


def numerical_gradient(
    fn: Callable[..., Tensor], inputs: Sequence[np.ndarray], index: int, eps: float = 1e-6
) -> np.ndarray:
    """d sum(fn(*inputs) * w) / d inputs[index] by central differences, w fixed random."""
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    rng = np.random.default_rng(0)
    out = np.asarray(fn(*[Tensor(a) for a in arrays]).data)
    weights = rng.standard_normal(out.shape)
    target = arrays[index]
    grad = np.zeros_like(target)
    for i in np.ndindex(target.shape):
        saved = target[i]
        target[i] = saved + eps
        plus = float((np.asarray(fn(*[Tensor(a) for a in arrays]).data) * weights).sum())
        target[i] = saved - eps
        minus = float((np.asarray(fn(*[Tensor(a) for a in arrays]).data) * weights).sum())
        target[i] = saved
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def check_gradients(
    fn: Callable[..., Tensor], *inputs: np.ndarray, rtol: float = 1e-5, atol: float = 1e-7
) -> None:
    """Raise AssertionError when fn's VJP differs from finite differences for any input."""
    arrays = [np.array(a, dtype=np.float64) for a in inputs]
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    with GradientTape() as tape:
        out = fn(*tensors)
    weights = np.random.default_rng(0).standard_normal(out.shape)
    grads = tape.gradient(out, tensors, output_gradients=weights)
    for i, (g, a) in enumerate(zip(grads, arrays, strict=True)):
        expected = numerical_gradient(fn, arrays, i)
        got = np.zeros_like(a) if g is None else np.asarray(g.data, dtype=np.float64)
        if got.shape != expected.shape or not np.allclose(got, expected, rtol=rtol, atol=atol):
            raise AssertionError(
                f"gradient of input {i} differs from finite differences:\n"
                f"analytic={got}\nnumeric={expected}"
            )
