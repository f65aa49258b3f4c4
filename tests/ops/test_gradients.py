"""Every differentiable op of neuroflow.ops agrees with float64 finite differences."""

from __future__ import annotations

import numpy as np
import pytest
from tests.autodiff._helpers import check_gradients, positive, rand

import neuroflow.ops as ops


def unit(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.8, 0.8, shape)


def spd(n: int, seed: int = 0) -> np.ndarray:
    a = rand(n, n, seed=seed)
    return a @ a.T + n * np.eye(n)


X, Y, V = rand(2, 3), rand(2, 3, seed=1), rand(3, seed=2)
X3 = rand(2, 3, 4, seed=3)
P, PV = positive(2, 3), positive(3, seed=4)
U = unit(2, 3)

def _einsum(subscripts: str):
    return lambda *operands: ops.einsum(subscripts, *operands)


CASES = {
    # element-wise, one argument
    **{name: (getattr(ops, name), [X]) for name in (
        "exp", "exp2", "expm1", "sin", "cos", "tanh", "sinh", "cosh", "arctan", "arcsinh",
        "cbrt", "erf", "erfc", "square", "abs", "negative", "sinc", "deg2rad", "rad2deg",
        "fabs", "copy", "conj", "real")},
    **{name: (getattr(ops, name), [P]) for name in (
        "log", "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal")},
    **{name: (getattr(ops, name), [U]) for name in ("tan", "arcsin", "arccos", "arctanh",
                                                     "erfinv")},
    "arccosh": (ops.arccosh, [P + 1.0]),
    "nan_to_num": (ops.nan_to_num, [X]),
    "clip": (lambda x: ops.clip(x, -0.5, 0.5), [X]),
    "clip_tensor_bounds": (lambda x, lo: ops.clip(x, lo, 0.8), [X, V * 0.1]),
    # element-wise, two arguments with broadcasting
    **{name: (getattr(ops, name), [X, V]) for name in (
        "add", "subtract", "multiply", "maximum", "minimum", "arctan2", "hypot", "logaddexp",
        "logaddexp2", "fmax", "fmin", "dot", "inner")},
    "divide": (ops.divide, [X, PV]),
    "true_divide": (ops.true_divide, [X, PV]),
    "divide_no_nan": (ops.divide_no_nan, [X, PV]),
    "power": (ops.power, [P, V]),
    "mod": (ops.mod, [X, PV]),
    "fmod": (ops.fmod, [X, PV]),
    "where": (lambda a, b: ops.where(X > 0, a, b), [X, V]),
    "select": (lambda a, b: ops.select([X > 0.5, X < -0.5], [a, b], 0.0), [X, Y]),
    # reductions and statistics
    **{f"{name}_axis{axis}": ((lambda f, a: lambda x: f(x, axis=a))(getattr(ops, name), axis),
                              [X3])
       for name in ("sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "ptp",
                    "logsumexp", "median", "nansum", "nanmean", "nanmax", "nanmin",
                    "nanprod", "nanstd", "nanvar", "nanmedian")
       for axis in (None, 1, (0, 2))},
    "prod_with_zero": (lambda x: ops.prod(x * np.array([1, 0, 1.0]), axis=1), [X]),
    "cumsum": (lambda x: ops.cumsum(x, axis=1), [X3]),
    "cumprod": (lambda x: ops.cumprod(x, axis=-1), [X3]),
    "cumprod_with_zero": (lambda x: ops.cumprod(x * np.array([1, 0, 1.0]), axis=1), [X]),
    "nancumsum": (lambda x: ops.nancumsum(x, axis=0), [X]),
    "average": (lambda x, w: ops.average(x, axis=1, weights=w), [X, PV]),
    **{f"quantile_{method}": ((lambda mm: lambda x: ops.quantile(
        x, [0.2, 0.7], axis=-1, method=mm))(method), [X3])
       for method in ("linear", "lower", "higher", "midpoint", "nearest")},
    "percentile": (lambda x: ops.percentile(x, 30.0, axis=(0, 1)), [X3]),
    "nanquantile": (lambda x: ops.nanquantile(x, 0.4, axis=1), [X3]),
    "diff": (lambda x: ops.diff(x, n=2, axis=-1), [X3]),
    "trapezoid": (lambda y: ops.trapezoid(y, axis=1), [X3]),
    "trapezoid_x": (lambda y, x: ops.trapezoid(y, x), [X, np.sort(V)]),
    "sort": (lambda x: ops.sort(x, axis=1), [X3]),
    "top_k": (lambda x: ops.top_k(x, 2)[0], [X3]),
    # shape and indexing
    "reshape": (lambda x: ops.reshape(x, (4, -1)), [X3]),
    "transpose": (lambda x: ops.transpose(x, (2, 0, 1)), [X3]),
    "expand_dims": (lambda x: ops.expand_dims(x, (0, -1)), [X]),
    "squeeze": (ops.squeeze, [rand(2, 1, 3)]),
    "ravel": (ops.ravel, [X]),
    "broadcast_to": (lambda v: ops.broadcast_to(v, (2, 3)), [V]),
    "swapaxes": (lambda x: ops.swapaxes(x, 0, 2), [X3]),
    "moveaxis": (lambda x: ops.moveaxis(x, (0, 1), (2, 0)), [X3]),
    "flip": (lambda x: ops.flip(x, 1), [X3]),
    "rot90": (lambda x: ops.rot90(x, 3), [X3]),
    "roll": (lambda x: ops.roll(x, 2, axis=2), [X3]),
    "tile": (lambda x: ops.tile(x, (2, 1, 2)), [X]),
    "repeat": (lambda x: ops.repeat(x, [2, 0, 1], axis=1), [X]),
    **{f"pad_{mode}": ((lambda mm: lambda x: ops.pad(x, ((1, 2), (2, 1)), mode=mm))(mode), [X])
       for mode in ("constant", "edge", "reflect", "symmetric", "wrap")},
    "concatenate": (lambda a, b: ops.concatenate([a, b], axis=0), [X, Y]),
    "stack": (lambda a, b: ops.stack([a, b], axis=1), [X, Y]),
    "hstack": (lambda a, b: ops.hstack([a, b]), [X, Y]),
    "vstack": (lambda a, v: ops.vstack([a, v]), [X, V]),
    "dstack": (lambda a, b: ops.dstack([a, b]), [X, Y]),
    "append": (lambda a, b: ops.append(a, b), [X, V]),
    "split": (lambda x: ops.split(x, 2, axis=2)[1], [X3]),
    "array_split": (lambda x: ops.array_split(x, 3, axis=2)[0], [X3]),
    "unstack": (lambda x: ops.unstack(x, axis=1)[2], [X3]),
    "take": (lambda x: ops.take(x, np.array([[0, 2], [2, 2]]), axis=1), [X3]),
    "take_along_axis": (lambda x: ops.take_along_axis(x, np.array([[[0, 3, 3]]]), axis=-1),
                        [X3]),
    "get_item": (lambda x: ops.get_item(x, (slice(None), [0, 0, 2])), [X]),
    "tril": (lambda x: ops.tril(x, 1), [X3]),
    "triu": (ops.triu, [X3]),
    "diag_vector": (lambda v: ops.diag(v, 1), [V]),
    "diag_matrix": (ops.diag, [rand(3, 4)]),
    "diagflat": (ops.diagflat, [X]),
    "diagonal": (lambda x: ops.diagonal(x, 1, 2, 1), [X3]),
    "trace": (lambda x: ops.trace(x, axis1=1, axis2=2), [X3]),
    "meshgrid": (lambda a, b: ops.meshgrid(a, b)[0] * ops.meshgrid(a, b)[1], [V, rand(2)]),
    "vander": (lambda v: ops.vander(v, 4), [V]),
    "full": (lambda v: ops.full((2, 3), 1.0) * v, [V]),
    # products
    "matmul": (ops.matmul, [X, rand(3, 4)]),
    "matmul_batch": (ops.matmul, [X3, rand(4, 2)]),
    "dot_nd": (ops.dot, [X3, rand(5, 4, 2)]),
    "vdot": (ops.vdot, [X, Y]),
    "outer": (ops.outer, [V, rand(2)]),
    "tensordot": (lambda a, b: ops.tensordot(a, b, ([1, 2], [2, 0])), [X3, rand(4, 2, 3)]),
    **{f"einsum_{tag}": (_einsum(sub), args)
       for tag, sub, args in [
           ("matmul", "ij,jk->ik", [X, rand(3, 4)]), ("batch", "bij,bjk->bik", [X3, rand(2, 4, 2)]),
           ("diagonal", "ii->i", [rand(3, 3)]), ("trace", "ii", [rand(3, 3)]),
           ("sum", "ij->", [X]), ("outer_sum", "i,j->j", [V, rand(2)]),
           ("ellipsis", "...j,j->...", [X3, rand(4)]), ("three", "ij,jk,k->i", [X, rand(3, 2),
                                                                                 rand(2)])]},
    "kron": (ops.kron, [X, rand(2, 2)]),
    "cross": (ops.cross, [rand(4, 3), rand(4, 3, seed=5)]),
    "correlate_full": (lambda a, v: ops.correlate(a, v, "full"), [rand(5), rand(3)]),
    "correlate_same": (lambda a, v: ops.correlate(a, v, "same"), [rand(5), rand(3)]),
    "corrcoef": (ops.corrcoef, [rand(3, 5)]),
    # nn
    **{name: (getattr(ops.nn, name), [X3]) for name in (
        "relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "log_sigmoid",
        "leaky_relu", "hard_sigmoid", "hard_silu", "elu", "selu", "gelu", "celu", "glu",
        "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink", "squareplus",
        "sparse_plus", "sparse_sigmoid", "softmax", "log_softmax", "sparsemax")},
    "gelu_exact": (lambda x: ops.gelu(x, approximate=False), [X3]),
    "softmax_axis": (lambda x: ops.softmax(x, axis=1), [X3]),
    "threshold": (lambda x: ops.threshold(x, 0.1, -2.0), [X]),
    "binary_crossentropy": (ops.binary_crossentropy, [unit(2, 3) * 0.5 + 0.5, P / 2.5]),
    "binary_crossentropy_logits": (lambda t, o: ops.binary_crossentropy(t, o, from_logits=True),
                                   [unit(2, 3) * 0.5 + 0.5, X]),
    "categorical_crossentropy": (ops.categorical_crossentropy, [P, positive(2, 3, seed=6)]),
    "categorical_crossentropy_logits": (
        lambda t, o: ops.categorical_crossentropy(t, o, from_logits=True), [P, X]),
    "sparse_categorical_crossentropy": (
        lambda o: ops.sparse_categorical_crossentropy(np.array([2, 0]), o, from_logits=True),
        [X]),
    "moments": (lambda x: ops.moments(x, [0, 2])[1] + ops.moments(x, [0, 2])[0], [X3]),
    "batch_normalization": (lambda x, mu, v, b, g: ops.batch_normalization(
        x, mu, v, axis=-1, offset=b, scale=g), [X3, rand(4), positive(4), rand(4, seed=7),
                                                 rand(4, seed=8)]),
    "layer_normalization": (lambda x, g, b: ops.layer_normalization(x, g, b), [X3, rand(4),
                                                                              rand(4, seed=9)]),
    "rms_normalization": (lambda x, g: ops.rms_normalization(x, g), [X3, rand(4)]),
    "normalize_l2": (ops.normalize, [X3]),
    "normalize_l1": (lambda x: ops.normalize(x, order=1), [X3]),
    "psnr": (lambda a, b: ops.psnr(a, b, 2.0), [P, positive(2, 3, seed=10)]),
    "dot_product_attention": (lambda q, k, v: ops.dot_product_attention(q, k, v, is_causal=True),
                              [rand(1, 3, 2, 2), rand(1, 3, 2, 2, seed=11),
                               rand(1, 3, 2, 2, seed=12)]),
    # math and linalg
    "segment_sum": (lambda d: ops.segment_sum(d, np.array([1, 0, 1, 2])), [rand(4, 2)]),
    "segment_max": (lambda d: ops.segment_max(d, np.array([1, 0, 1, 1])), [rand(4, 2)]),
    "segment_min": (lambda d: ops.segment_min(d, np.array([1, 0, 1, 1])), [rand(4, 2)]),
    "segment_prod": (lambda d: ops.segment_prod(d, np.array([1, 0, 1, 1])), [rand(4, 2)]),
    "cdist": (ops.cdist, [rand(3, 2), rand(4, 2, seed=13)]),
    "inv": (ops.inv, [spd(3)]),
    "det": (ops.det, [rand(2, 3, 3)]),
    "slogdet": (lambda a: ops.slogdet(a)[1], [rand(3, 3)]),
    "logdet": (ops.logdet, [spd(3)]),
    "solve": (ops.solve, [spd(3), rand(3, 2)]),
    "solve_vector": (ops.solve, [spd(3), rand(3)]),
    "solve_triangular": (lambda a, b: ops.solve_triangular(a, b, lower=True), [spd(3),
                                                                               rand(3, 2)]),
    "cholesky": (lambda a: ops.cholesky(ops.matmul(a, ops.transpose(a)) + 3 * np.eye(3)),
                 [rand(3, 3)]),
    "cholesky_inverse": (lambda a: ops.cholesky_inverse(ops.tril(a) + 3 * np.eye(3)),
                         [rand(3, 3)]),
    **{f"norm_{tag}": ((lambda o, a: lambda x: ops.norm(x, ord=o, axis=a))(ord_, axis), [X])
       for tag, ord_, axis in [("default", None, None), ("l1", 1, -1), ("inf", np.inf, 0),
                               ("p3", 3, 1), ("fro", "fro", (0, 1)), ("matrix_1", 1, (0, 1)),
                               ("matrix_inf", np.inf, (0, 1))]},
    # core
    "scatter": (lambda v: ops.scatter(np.array([[0, 1], [1, 2], [0, 1]]), v, (2, 3)), [V]),
    "scatter_update": (lambda x, u: ops.scatter_update(x, np.array([[0, 1], [1, 2]]), u),
                       [X, rand(2)]),
    "slice": (lambda x: ops.slice(x, [0, 1, 1], (2, 2, 2)), [X3]),
    "slice_update": (lambda x, u: ops.slice_update(x, [1, 0, 2], u), [X3, rand(1, 2, 2)]),
    "rearrange": (lambda x: ops.rearrange(x, "a b (c d) -> (d a) c b", d=2), [X3]),
    "cond": (lambda x: ops.cond(True, lambda: ops.sin(x), lambda: x), [X]),
    "fori_loop": (lambda x: ops.fori_loop(0, 3, lambda i, v: v * x + i, x), [X]),
    "while_loop": (lambda x: ops.while_loop(lambda i, v: i < 3, lambda i, v: (i + 1, v * x),
                                            (0, x))[1], [X]),
    "scan": (lambda c, xs: ops.scan(lambda a, b: (a * b, a + b), c, xs)[1], [V, rand(4, 3)]),
    "map": (lambda xs: ops.map(lambda r: ops.sum(r * r), xs), [X]),
    "associative_scan": (lambda xs: ops.associative_scan(ops.multiply, xs, axis=1), [X3]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradient_matches_finite_differences(name: str) -> None:
    fn, inputs = CASES[name]
    check_gradients(fn, *inputs, rtol=1e-4, atol=1e-6)
