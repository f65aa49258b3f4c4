"""The test matrix of neuroflow.ops against Keras 3, shared by the generator and the tests.

A case is (case_id, op, inputs, kwargs). `op` is "namespace.name" under keras.ops /
neuroflow.ops ("ops" for the top level). Each input is either ("kind", shape), an array
drawn once by the generator and stored beside Keras' result, or ("lit", value), a
Python value passed as it is (scalars stay weak, lists convert the Keras way).

Plain Python and NumPy only: scripts/generate_ops_reference.py imports this module in
the reference environment (Keras 3, numpy backend), the tests import it without Keras.
"""

from __future__ import annotations

import zlib

import numpy as np

F = ("f32", (2, 3))
F3 = ("f32", (2, 3, 4))
ROW = ("f32", (3,))
COL = ("f32", (2, 1))
POS = ("pos", (2, 3))
UNIT = ("unit", (2, 3))
I32 = ("i32", (2, 3))
I8 = ("i8", (2, 3))
U8 = ("u8", (2, 3))
B = ("bool", (2, 3))
H = ("f16", (2, 3))
NAN = ("nan", (2, 3, 4))


def lit(value):
    return ("lit", value)


def make_input(kind: str, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """The array of one ("kind", shape) input."""
    if kind == "f32":
        return rng.standard_normal(shape).astype("float32")
    if kind == "f16":
        return rng.standard_normal(shape).astype("float16")
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape).astype("float32")
    if kind == "unit":
        return rng.uniform(-0.9, 0.9, shape).astype("float32")
    if kind == "gt1":
        return rng.uniform(1.2, 3.0, shape).astype("float32")
    if kind == "i32":
        return rng.integers(-3, 5, shape).astype("int32")
    if kind == "nat":
        return rng.integers(1, 6, shape).astype("int32")
    if kind == "i8":
        return rng.integers(-3, 5, shape).astype("int8")
    if kind == "u8":
        return rng.integers(0, 6, shape).astype("uint8")
    if kind == "bool":
        return rng.random(shape) < 0.5
    if kind == "nan":
        x = rng.standard_normal(shape).astype("float32")
        x[rng.random(shape) < 0.25] = np.nan
        x.reshape(-1)[0] = np.nan
        return x
    if kind == "spd":
        a = rng.standard_normal(shape).astype("float32")
        return (a @ np.swapaxes(a, -1, -2) + shape[-1] * np.eye(shape[-1])).astype("float32")
    if kind == "sorted":
        return np.sort(rng.standard_normal(shape)).astype("float32")
    if kind == "probs":
        p = rng.uniform(0.05, 1.0, shape).astype("float32")
        return p / p.sum(-1, keepdims=True)
    if kind == "labels":
        return rng.integers(0, shape[-1], shape[:-1]).astype("int32")
    raise ValueError(f"unknown input kind {kind!r}")


def materialize(case_id: str, inputs: list) -> list:
    """The op's positional arguments for a case (the same on every run)."""
    rng = np.random.default_rng(zlib.crc32(case_id.encode()))

    def build(spec):
        if spec[0] == "lit":
            return spec[1]
        if spec[0] == "list":
            return [build(s) for s in spec[1]]
        return make_input(spec[0], spec[1], rng)

    return [build(spec) for spec in inputs]


CASES: list[tuple[str, str, list, dict]] = []


def case(op: str, inputs: list, kwargs: dict | None = None, tag: str = "") -> None:
    case_id = f"{op}[{tag or len([c for c in CASES if c[1] == op])}]"
    CASES.append((case_id, op, inputs, kwargs or {}))


# ---- element-wise functions of one argument -------------------------------------------
for name, kind in [
    ("exp", "f32"), ("exp2", "f32"), ("expm1", "f32"), ("log", "pos"), ("log2", "pos"),
    ("log10", "pos"), ("log1p", "pos"), ("sqrt", "pos"), ("cbrt", "f32"),
    ("sin", "f32"), ("cos", "f32"), ("tan", "unit"), ("sinh", "f32"), ("cosh", "f32"),
    ("tanh", "f32"), ("arcsin", "unit"), ("arccos", "unit"), ("arctan", "f32"),
    ("arcsinh", "f32"), ("arccosh", "gt1"), ("arctanh", "unit"), ("reciprocal", "pos"),
    ("square", "f32"), ("abs", "f32"), ("absolute", "f32"), ("negative", "f32"),
    ("sign", "f32"), ("floor", "f32"), ("ceil", "f32"), ("trunc", "f32"), ("round", "f32"),
    ("fabs", "f32"), ("sinc", "f32"), ("i0", "f32"), ("deg2rad", "f32"), ("rad2deg", "f32"),
    ("signbit", "f32"), ("isfinite", "f32"), ("isnan", "nan"), ("isinf", "f32"),
    ("conj", "f32"), ("real", "f32"), ("imag", "f32"), ("angle", "f32"), ("isreal", "f32"),
    ("logical_not", "bool"), ("copy", "f32"),
]:
    case(f"numpy.{name}", [(kind, (2, 3))])
    if name not in ("logical_not", "isnan"):
        case(f"numpy.{name}", [("i32" if kind in ("f32", "unit") else "nat", (2, 3))],
             tag="int")
for name in ("exp", "sqrt", "square", "abs", "sign", "round", "negative", "floor"):
    case(f"numpy.{name}", [("f16", (2, 3))], tag="f16")
    case(f"numpy.{name}", [("u8", (2, 3))], tag="u8")
for name in ("square", "abs"):
    case(f"numpy.{name}", [B], tag="bool")
for name, kind in [("erf", "f32"), ("erfc", "f32"), ("erfinv", "unit"), ("rsqrt", "pos")]:
    case(f"math.{name}", [(kind, (2, 3))])
case("numpy.round", [F], {"decimals": 2}, tag="decimals")
case("numpy.nan_to_num", [NAN], {"nan": 1.5})
case("numpy.clip", [F, lit(-0.5), lit(0.5)])
case("numpy.clip", [I32, lit(-1), lit(2)], tag="int")
case("numpy.clip", [I8, lit(-1), lit(2)], tag="int8")
case("numpy.bitwise_invert", [I32])
case("numpy.bitwise_not", [U8])

# ---- element-wise functions of two arguments: broadcasting and promotion --------------
PAIRS = {
    "same": [F, ("f32", (2, 3))], "row": [F, ROW], "outer": [COL, ("f32", (1, 3))],
    "scalar": [F, lit(2.0)], "rscalar": [lit(3.0), F], "int_float": [I32, lit(0.5)],
    "int8_int": [I8, lit(2)], "int8_int32": [I8, ("i32", (3,))], "u8_i8": [U8, I8],
    "bool_int": [B, I32], "f16_f32": [H, F], "i32_f32": [I32, F], "f16_int": [H, lit(2)],
}
for name in ("add", "subtract", "multiply", "maximum", "minimum"):
    for tag, pair in PAIRS.items():
        case(f"numpy.{name}", pair, tag=tag)
for name in ("divide", "true_divide"):
    for tag in ("same", "row", "scalar", "int_float", "int8_int32", "i32_f32", "f16_int"):
        case(f"numpy.{name}", PAIRS[tag], tag=tag)
case("numpy.divide_no_nan", [F, ("f32", (3,))])
case("numpy.divide_no_nan", [F, lit([0.0, 2.0, 0.0])], tag="zeros")
for tag, pair in [("pos", [POS, ("f32", (3,))]), ("int", [("nat", (2, 3)), lit(2)]),
                  ("intf", [("nat", (2, 3)), lit(0.5)]), ("f16", [("f16", (2, 3)), lit(2)])]:
    case("numpy.power", pair, tag=tag)
for name in ("arctan2", "hypot", "logaddexp", "logaddexp2", "fmax", "fmin", "heaviside",
             "nextafter"):
    for tag in ("same", "row", "i32_f32"):
        case(f"numpy.{name}", PAIRS[tag], tag=tag)
for name in ("mod", "fmod", "floor_divide"):
    case(f"numpy.{name}", [F, ("pos", (3,))], tag="float")
    case(f"numpy.{name}", [I32, lit(3)], tag="int")
for name in ("equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
             "isclose"):
    for tag in ("same", "row", "int_float", "i32_f32"):
        case(f"numpy.{name}", PAIRS[tag], tag=tag)
case("numpy.allclose", [F, F])
for name in ("logical_and", "logical_or", "logical_xor"):
    case(f"numpy.{name}", [B, ("bool", (3,))])
for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "gcd", "lcm"):
    case(f"numpy.{name}", [("nat", (2, 3)), ("nat", (3,))])
for name in ("bitwise_left_shift", "bitwise_right_shift", "left_shift", "right_shift"):
    case(f"numpy.{name}", [("nat", (2, 3)), lit(1)])
case("numpy.ldexp", [F, ("i32", (3,))])

# ---- reductions -----------------------------------------------------------------------
AXES = [None, 0, -1, (0, 2)]
for name in ("sum", "mean", "max", "min", "amax", "amin", "prod", "std", "var", "ptp",
             "logsumexp", "median"):
    op = f"math.{name}" if name == "logsumexp" else f"numpy.{name}"
    for axis in AXES:
        case(op, [F3], {"axis": axis}, tag=f"axis={axis}")
    case(op, [F3], {"axis": 1, "keepdims": True}, tag="keepdims")
for name in ("sum", "prod", "mean", "max", "var"):
    for kind in ("i32", "i8", "u8", "bool", "f16"):
        case(f"numpy.{name}", [(kind, (2, 3))], {"axis": 0}, tag=kind)
for name in ("all", "any"):
    for axis in (None, 1):
        case(f"numpy.{name}", [("bool", (2, 3, 4))], {"axis": axis}, tag=f"axis={axis}")
for name in ("argmax", "argmin"):
    for axis in (None, 0, -1):
        case(f"numpy.{name}", [F3], {"axis": axis}, tag=f"axis={axis}")
    case(f"numpy.{name}", [F3], {"axis": 1, "keepdims": True}, tag="keepdims")
case("numpy.count_nonzero", [I32], {"axis": 0})
case("numpy.count_nonzero", [I32], tag="all")
for name in ("cumsum", "cumprod"):
    for axis in (None, 0, -1):
        case(f"numpy.{name}", [F3], {"axis": axis}, tag=f"axis={axis}")
    case(f"numpy.{name}", [B], {"axis": 1}, tag="bool")
    case(f"numpy.{name}", [I8], {"axis": 1}, tag="int8")
case("numpy.max", [F3], {"axis": 0, "initial": 0.5}, tag="initial")
case("numpy.average", [F3], {"axis": 1}, tag="plain")
case("numpy.average", [F3], {"axis": 1, "weights": np.array([0.5, 1.0, 2.0], "float32")},
     tag="weights")
for method in ("linear", "lower", "higher", "midpoint", "nearest"):
    case("numpy.quantile", [F3, lit([0.1, 0.5, 0.95])], {"axis": -1, "method": method},
         tag=method)
case("numpy.quantile", [F3, lit(0.3)], {"axis": (0, 2), "keepdims": True}, tag="keepdims")
case("numpy.percentile", [F3, lit(40.0)], {"axis": 1})
for name in ("nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanstd", "nanvar",
             "nanmedian"):
    for axis in (None, -1):
        case(f"numpy.{name}", [NAN], {"axis": axis}, tag=f"axis={axis}")
for name in ("nanargmax", "nanargmin", "nancumsum", "nancumprod"):
    case(f"numpy.{name}", [NAN], {"axis": -1})
case("numpy.nanquantile", [NAN, lit(0.25)], {"axis": -1})
case("numpy.nanpercentile", [NAN, lit(75.0)], {"axis": 1})
case("numpy.diff", [F3], {"axis": 1})
case("numpy.diff", [F3], {"n": 2}, tag="n=2")
case("numpy.trapezoid", [F3], {"axis": 1})
case("numpy.trapezoid", [F, ("sorted", (3,))], tag="x")

# ---- shape, indexing, joining ---------------------------------------------------------
case("numpy.reshape", [F3, lit((4, -1))])
case("numpy.transpose", [F3], tag="default")
case("numpy.transpose", [F3, lit((2, 0, 1))], tag="axes")
case("numpy.expand_dims", [F, lit(1)])
case("numpy.expand_dims", [F, lit((0, -1))], tag="tuple")
case("numpy.squeeze", [("f32", (2, 1, 3, 1))])
case("numpy.squeeze", [("f32", (2, 1, 3, 1))], {"axis": 1}, tag="axis")
case("numpy.ravel", [F3])
case("numpy.broadcast_to", [ROW, lit((2, 3))])
case("numpy.swapaxes", [F3, lit(0), lit(2)])
case("numpy.moveaxis", [F3, lit(0), lit(-1)])
case("numpy.moveaxis", [F3, lit((0, 1)), lit((2, 0))], tag="pairs")
case("numpy.flip", [F3], tag="all")
case("numpy.flip", [F3], {"axis": 1}, tag="axis")
case("numpy.fliplr", [F])
case("numpy.flipud", [F])
for k in (1, 2, 3):
    case("numpy.rot90", [F3], {"k": k}, tag=f"k={k}")
case("numpy.rot90", [F3], {"axes": (1, 2)}, tag="axes")
case("numpy.roll", [F3, lit(2)], tag="flat")
case("numpy.roll", [F3, lit(-1)], {"axis": 1}, tag="axis")
case("numpy.tile", [F, lit((2, 1))])
case("numpy.tile", [ROW, lit((2, 2))], tag="grow")
case("numpy.repeat", [F, lit(2)], tag="flat")
case("numpy.repeat", [F, lit([1, 0, 2])], {"axis": 1}, tag="counts")
for mode in ("constant", "edge", "reflect", "symmetric", "wrap"):
    case("numpy.pad", [F, lit(((1, 2), (2, 1)))], {"mode": mode}, tag=mode)
case("numpy.pad", [F, lit(1)], {"constant_values": 3.0}, tag="value")
case("numpy.concatenate", [("list", [F, ("f32", (1, 3))])], tag="axis0")
case("numpy.concatenate", [("list", [F, I32])], {"axis": 1}, tag="promote")
case("numpy.hstack", [("list", [F, ("f32", (2, 1))])])
case("numpy.vstack", [("list", [ROW, F])])
case("numpy.dstack", [("list", [F, F])])
case("numpy.stack", [("list", [F, ("f32", (2, 3))])], {"axis": 1})
case("numpy.take", [F3, lit(np.array([[0, 2], [-1, 1]]))], {"axis": 1})
case("numpy.take", [F3, lit([0, 5, -1])], tag="flat")
case("numpy.take_along_axis", [F3, lit(np.array([[[0, 3]], [[2, 2]]]))], {"axis": -1})
case("numpy.take_along_axis", [F3, lit(np.array([[[1], [0]]]))], {"axis": 1}, tag="bcast")
case("numpy.get_item", [F3, lit((1, slice(None), 2))])
case("numpy.tril", [F3])
case("numpy.tril", [F3], {"k": 1}, tag="k=1")
case("numpy.triu", [F3], {"k": -1})
case("numpy.diag", [ROW], {"k": 1}, tag="vector")
case("numpy.diag", [("f32", (3, 4))], {"k": -1}, tag="matrix")
case("numpy.diagflat", [F])
case("numpy.diagonal", [F3], {"offset": 1, "axis1": 2, "axis2": 1})
case("numpy.trace", [F3], {"axis1": 1, "axis2": 2})
case("numpy.where", [B, F, ("f32", (3,))])
case("numpy.where", [B, I32, lit(0.5)], tag="promote")
case("numpy.select", [lit([np.array([True, False, True]), np.array([False, True, True])]),
                      lit([np.array([1.0, 2, 3], "float32"), np.array([4.0, 5, 6], "float32")])])
case("numpy.size", [F3])
case("numpy.ndim", [F3])
case("numpy.array", [lit([[1, 2], [3, 4]])])
case("numpy.array", [lit([1.5, 2])], tag="float")
case("numpy.split", [F3, lit(2)], {"axis": 0})
case("numpy.split", [F3, lit([1, 3])], {"axis": 2}, tag="indices")
case("numpy.array_split", [F3, lit(3)], {"axis": 2})
case("numpy.hsplit", [("f32", (2, 4)), lit(2)])
case("numpy.vsplit", [("f32", (4, 2)), lit(2)])
case("numpy.dsplit", [F3, lit(2)])
case("numpy.append", [F, ROW], tag="flat")
case("numpy.append", [F, F], {"axis": 0}, tag="axis")

# ---- creation -------------------------------------------------------------------------
case("numpy.arange", [lit(5)], tag="int")
case("numpy.arange", [lit(1), lit(4), lit(0.5)], tag="float")
case("numpy.arange", [lit(2), lit(9), lit(3)], {"dtype": "float32"}, tag="dtype")
case("numpy.linspace", [lit(0.0), lit(1.0), lit(5)])
case("numpy.linspace", [lit(0), lit(4), lit(4)], {"endpoint": False}, tag="int")
case("numpy.logspace", [lit(0.0), lit(2.0), lit(4)])
case("numpy.geomspace", [lit(1.0), lit(100.0), lit(3)])
for name in ("zeros", "ones"):
    case(f"numpy.{name}", [lit((2, 3))])
    case(f"numpy.{name}", [lit((2,))], {"dtype": "int32"}, tag="int")
case("numpy.full", [lit((2, 2)), lit(3)], tag="int")
case("numpy.full", [lit((2, 2)), lit(0.5)], tag="float")
case("numpy.full", [lit((2, 2)), lit(True)], tag="bool")
case("numpy.eye", [lit(3)], tag="square")
case("numpy.eye", [lit(2), lit(4), lit(1)], tag="wide")
case("numpy.identity", [lit(3)])
case("numpy.tri", [lit(3), lit(4), lit(-1)])
for name in ("zeros_like", "ones_like"):
    case(f"numpy.{name}", [I32])
    case(f"numpy.{name}", [F], {"dtype": "float16"}, tag="dtype")
case("numpy.full_like", [F, lit(2)])
case("numpy.full_like", [I32, lit(2.5)], tag="int")
case("numpy.meshgrid", [ROW, ("f32", (2,))], tag="xy")
case("numpy.meshgrid", [ROW, ("f32", (2,))], {"indexing": "ij"}, tag="ij")
case("numpy.vander", [ROW], tag="default")
case("numpy.vander", [ROW], {"N": 4, "increasing": True}, tag="increasing")
for name in ("bartlett", "blackman", "hamming", "hanning"):
    case(f"numpy.{name}", [lit(5)])
case("numpy.kaiser", [lit(5), lit(2.0)])

# ---- products -------------------------------------------------------------------------
case("numpy.matmul", [F, ("f32", (3, 4))], tag="2d")
case("numpy.matmul", [F3, ("f32", (4, 2))], tag="batch")
case("numpy.matmul", [ROW, ("f32", (2, 3, 4))], tag="vector")
case("numpy.matmul", [I32, ("i32", (3, 2))], tag="int")
case("numpy.dot", [F, ("f32", (3, 4))], tag="2d")
case("numpy.dot", [F3, ("f32", (5, 4, 2))], tag="nd")
case("numpy.dot", [F3, ("f32", (4,))], tag="vector")
case("numpy.dot", [F, lit(2.0)], tag="scalar")
case("numpy.vdot", [F, ("f32", (3, 2))])
case("numpy.inner", [F, ("f32", (4, 3))])
case("numpy.outer", [ROW, ("f32", (2,))])
case("numpy.tensordot", [F3, ("f32", (3, 4, 2))], {"axes": 2}, tag="2")
case("numpy.tensordot", [F3, ("f32", (4, 2, 3))], {"axes": ([1, 2], [2, 0])}, tag="lists")
case("numpy.einsum", [lit("ij,jk->ik"), F, ("f32", (3, 4))], tag="matmul")
case("numpy.einsum", [lit("bij,bjk->bik"), F3, ("f32", (2, 4, 2))], tag="batch")
case("numpy.einsum", [lit("ii->i"), ("f32", (3, 3))], tag="diagonal")
case("numpy.einsum", [lit("ij->"), F], tag="sum")
case("numpy.einsum", [lit("...j,j->..."), F3, ("f32", (4,))], tag="ellipsis")
case("numpy.einsum", [lit("ij,kj"), F, ("f32", (2, 3))], tag="implicit")
case("numpy.kron", [F, ("f32", (2, 2))])
case("numpy.cross", [("f32", (4, 3)), ("f32", (4, 3))], tag="3d")
case("numpy.cross", [("f32", (4, 2)), ("f32", (4, 2))], tag="2d")
for mode in ("valid", "same", "full"):
    case("numpy.correlate", [("f32", (5,)), ("f32", (3,))], {"mode": mode}, tag=mode)
case("numpy.correlate", [("f32", (3,)), ("f32", (5,))], {"mode": "same"}, tag="short")
case("numpy.corrcoef", [("f32", (3, 5))])

# ---- sorting and searching ------------------------------------------------------------
case("numpy.sort", [F3], {"axis": 1})
case("numpy.argsort", [F3], {"axis": -1})
case("numpy.searchsorted", [("sorted", (5,)), F])
case("numpy.searchsorted", [("sorted", (5,)), F], {"side": "right"}, tag="right")
case("numpy.digitize", [F, ("sorted", (4,))])
case("numpy.unique", [lit([3, 1, 2, 3, 1])])
case("numpy.nonzero", [I32])
case("numpy.histogram", [("f32", (20,))], {"bins": 4})
case("numpy.bincount", [lit([0, 1, 1, 4])], tag="plain")
case("numpy.bincount", [lit([0, 1, 1, 4]), lit([0.5, 1.0, 2.0, 1.5])], {"minlength": 6},
     tag="weights")
case("numpy.isin", [I32, lit([0, 2, 4])])
case("numpy.unravel_index", [lit(np.array([1, 5, 7], "int32")), lit((2, 4))])
case("math.top_k", [F3, lit(2)])
case("math.in_top_k", [lit(np.array([0, 2], "int32")), F, lit(2)])

# ---- math -----------------------------------------------------------------------------
case("math.segment_sum", [F, lit(np.array([0, 0]))], {"num_segments": 2})
case("math.segment_sum", [("f32", (4, 2)), lit(np.array([1, 0, 1, 2]))], tag="unsorted")
case("math.segment_max", [("f32", (4, 2)), lit(np.array([1, 0, 1, 1]))], {"num_segments": 3})
case("math.segment_min", [("f32", (4, 2)), lit(np.array([1, 0, 1, 1]))])
case("math.segment_prod", [("f32", (4, 2)), lit(np.array([1, 0, 1, 1]))])
case("math.cdist", [("f32", (3, 2)), ("f32", (4, 2))])

# ---- nn -------------------------------------------------------------------------------
for name in ("relu", "relu6", "sigmoid", "softplus", "softsign", "silu", "swish",
             "log_sigmoid", "leaky_relu", "hard_sigmoid", "hard_silu", "hard_swish", "elu",
             "selu", "gelu", "celu", "hard_tanh", "hard_shrink", "soft_shrink", "tanh_shrink",
             "squareplus", "sparse_plus", "sparse_sigmoid", "sparsemax", "softmax",
             "log_softmax", "glu"):
    case(f"nn.{name}", [("f32", (2, 3, 4))])
case("nn.leaky_relu", [F], {"negative_slope": 0.1}, tag="slope")
case("nn.elu", [F], {"alpha": 0.5}, tag="alpha")
case("nn.celu", [F], {"alpha": 2.0}, tag="alpha")
case("nn.gelu", [F], {"approximate": False}, tag="exact")
case("nn.softmax", [F3], {"axis": 1}, tag="axis")
case("nn.log_softmax", [F3], {"axis": 0}, tag="axis")
case("nn.sparsemax", [F3], {"axis": 1}, tag="axis")
case("nn.glu", [("f32", (4, 3))], {"axis": 0}, tag="axis")
case("nn.threshold", [F, lit(0.1), lit(-2.0)])
case("nn.relu", [I32], tag="int")
case("nn.one_hot", [lit(np.array([0, 2, 1])), lit(3)])
case("nn.one_hot", [lit([[0, 2], [1, 1]]), lit(3)], {"axis": 0, "dtype": "int32"}, tag="axis")
case("nn.multi_hot", [lit([[0, 2], [1, 1]]), lit(4)])
case("nn.multi_hot", [lit([0, 3]), lit(4)], tag="1d")
case("nn.binary_crossentropy", [("probs", (2, 3)), ("probs", (2, 3))])
case("nn.binary_crossentropy", [("probs", (2, 3)), F], {"from_logits": True}, tag="logits")
case("nn.categorical_crossentropy", [("probs", (2, 3)), ("probs", (2, 3))])
case("nn.categorical_crossentropy", [("probs", (2, 3)), F], {"from_logits": True},
     tag="logits")
case("nn.categorical_crossentropy", [("probs", (3, 2)), ("probs", (3, 2))], {"axis": 0},
     tag="axis")
case("nn.sparse_categorical_crossentropy", [("labels", (4, 3)), ("probs", (4, 3))])
case("nn.sparse_categorical_crossentropy", [("labels", (4, 3)), ("f32", (4, 3))],
     {"from_logits": True}, tag="logits")
case("nn.moments", [F3, lit([0, 2])])
case("nn.moments", [F3, lit([1])], {"keepdims": True}, tag="keepdims")
case("nn.batch_normalization", [F3, ("f32", (4,)), ("pos", (4,))], {"axis": -1}, tag="plain")
case("nn.batch_normalization", [F3, ("f32", (3,)), ("pos", (3,))],
     {"axis": 1, "offset": np.array([0.5, -1, 2], "float32"),
      "scale": np.array([1.5, 0.5, -1], "float32")}, tag="affine")
case("nn.layer_normalization", [F3], tag="plain")
case("nn.layer_normalization", [F3, ("f32", (4,)), ("f32", (4,))], tag="affine")
case("nn.layer_normalization", [F3], {"axis": [1, 2], "epsilon": 0.01}, tag="axes")
case("nn.layer_normalization", [F3, ("f32", (4,))], {"rms_scaling": True}, tag="rms")
case("nn.rms_normalization", [F3, ("f32", (4,))])
case("nn.normalize", [F3], tag="l2")
case("nn.normalize", [F3], {"axis": 1, "order": 1}, tag="l1")
case("nn.psnr", [POS, ("pos", (2, 3)), lit(2.0)])
case("nn.dot_product_attention", [("f32", (2, 3, 2, 4)), ("f32", (2, 5, 2, 4)),
                                  ("f32", (2, 5, 2, 4))], tag="plain")
case("nn.dot_product_attention", [("f32", (2, 4, 2, 4)), ("f32", (2, 4, 2, 4)),
                                  ("f32", (2, 4, 2, 4))], {"is_causal": True, "scale": 0.3},
     tag="causal")

# ---- linalg ---------------------------------------------------------------------------
case("linalg.inv", [("spd", (2, 3, 3))])
case("linalg.det", [("f32", (2, 3, 3))])
case("linalg.solve", [("spd", (3, 3)), ("f32", (3, 2))])
case("linalg.solve_triangular", [("spd", (3, 3)), ("f32", (3, 2))], {"lower": True})
case("linalg.cholesky", [("spd", (3, 3))])
case("linalg.cholesky", [("spd", (3, 3))], {"upper": True}, tag="upper")
case("linalg.eigh", [("spd", (3, 3))])
case("linalg.qr", [("f32", (4, 3))])
case("linalg.svd", [("f32", (4, 3))], {"compute_uv": False})
case("linalg.lstsq", [("f32", (4, 3)), ("f32", (4, 2))])
case("linalg.pinv", [("f32", (4, 3))])
case("linalg.matrix_rank", [("f32", (4, 3))])
case("linalg.lu_factor", [("f32", (3, 3))])
for ord_, axis in [(None, None), (1, -1), (np.inf, 0), (3, 1), ("fro", (0, 1)), (1, (0, 1)),
                   (-np.inf, (0, 1)), ("nuc", (0, 1)), (2, (0, 1))]:
    case("linalg.norm", [F], {"ord": ord_, "axis": axis}, tag=f"ord={ord_},axis={axis}")
case("numpy.slogdet", [("spd", (3, 3))])
case("math.logdet", [("spd", (3, 3))])

# ---- core -----------------------------------------------------------------------------
case("ops.cast", [F, lit("int32")])
case("ops.cast", [I32, lit("float16")], tag="float16")
case("ops.saturate_cast", [lit(np.array([-300.0, 12.5, 300.0], "float32")), lit("uint8")])
case("ops.convert_to_tensor", [lit([1, 2])], tag="int")
case("ops.convert_to_tensor", [lit([1.0, 2])], tag="float")
case("ops.convert_to_tensor", [I32], {"dtype": "float32"}, tag="dtype")
case("ops.scatter", [lit([[0, 1], [1, 2], [0, 1]]), lit([1.0, 2.0, 3.0]), lit((2, 3))])
case("ops.scatter_update", [F, lit([[0, 1], [1, 2]]), lit([9.0, 8.0])])
case("ops.slice", [F3, lit([0, 1, 1]), lit((2, 2, 2))])
case("ops.slice_update", [F3, lit([1, 0, 2]), ("f32", (1, 2, 2))])
case("ops.unstack", [F3], {"axis": 1})
case("ops.rearrange", [F3, lit("a b c -> c (a b)")], tag="merge")
case("ops.rearrange", [("f32", (2, 6)), lit("a (b c) -> c a b")], {"c": 3}, tag="split")
case("ops.shape", [F3])
case("ops.dtype", [H])
