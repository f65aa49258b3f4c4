"""neuroflow.ops: Keras 3's `keras.ops` on neuroflow tensors.

`keras.ops.numpy`, `keras.ops.nn`, `keras.ops.linalg` and `keras.ops.math` are
sub-modules; every one of their ops is also here at the top level, as in Keras. Ops
accept Tensors, NumPy arrays and Python data and return Tensors; under a GradientTape
the differentiable ones are recorded. Names that have no meaning for neuroflow's dense,
real-valued tensors (convolutions, pooling, FFTs, CTC, image ops, jvp) exist and raise
NotImplementedError with the reason: see `neuroflow.ops.UNSUPPORTED`.
"""

from __future__ import annotations

from neuroflow.ops import core, linalg, math, nn, numpy
from neuroflow.ops._unsupported import UNSUPPORTED, UnsupportedNamespace
from neuroflow.ops.core import *  # noqa: F403
from neuroflow.ops.linalg import *  # noqa: F403
from neuroflow.ops.math import *  # noqa: F403
from neuroflow.ops.nn import *  # noqa: F403
from neuroflow.ops.numpy import *  # noqa: F403

image = UnsupportedNamespace("image")

__all__ = sorted(
    {*core.__all__, *linalg.__all__, *math.__all__, *nn.__all__, *numpy.__all__}
) + ["core", "image", "linalg", "math", "nn", "numpy", "UNSUPPORTED"]
