"""keras.ops.numpy: NumPy's API on neuroflow tensors, differentiable where NumPy's is.

Every op accepts Tensors, NumPy arrays and Python data, returns a neuroflow Tensor, and
follows Keras 3's dtype promotion (see neuroflow.ops._dtypes). Under a GradientTape the
differentiable ones record their gradient. The definitions live in one module per job:
element-wise, shape and indexing, reductions and sorting, creation, products.
"""

from __future__ import annotations

import numpy as _np

from neuroflow.autodiff.tensor import Tensor
from neuroflow.ops._create import *  # noqa: F403
from neuroflow.ops._create import __all__ as _create_all
from neuroflow.ops._dtypes import values
from neuroflow.ops._elementwise import *  # noqa: F403
from neuroflow.ops._elementwise import __all__ as _elementwise_all
from neuroflow.ops._linear import *  # noqa: F403
from neuroflow.ops._linear import __all__ as _linear_all
from neuroflow.ops._reduce import *  # noqa: F403
from neuroflow.ops._reduce import __all__ as _reduce_all
from neuroflow.ops._shape import *  # noqa: F403
from neuroflow.ops._shape import __all__ as _shape_all
from neuroflow.ops.linalg import slogdet  # noqa: F401 - keras.ops.numpy.slogdet


def vectorize(pyfunc, *, excluded=None, signature=None):
    """NumPy's vectorize over the raw arrays; the result is a Tensor (no gradient)."""
    vectorized = _np.vectorize(pyfunc, excluded=excluded, signature=signature)

    def wrapped(*args, **kwargs):
        raw = [values(a) if isinstance(a, Tensor) else a for a in args]
        out = vectorized(*raw, **kwargs)
        return tuple(Tensor(o) for o in out) if isinstance(out, tuple) else Tensor(out)

    return wrapped


def view(x, dtype=None) -> Tensor:
    """The same bytes seen as another dtype (no gradient)."""
    from neuroflow.ops._dtypes import standardize_dtype, to_array

    data = to_array(x)
    return Tensor(data.copy() if dtype is None else data.view(standardize_dtype(dtype)))


__all__ = sorted(
    {*_create_all, *_elementwise_all, *_linear_all, *_reduce_all, *_shape_all,
     "vectorize", "view", "slogdet"} - {"unstack"}
)

