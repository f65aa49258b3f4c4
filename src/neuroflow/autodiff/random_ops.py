"""Random-draw primitives: the draw happens inside the forward kernel.

A layer that adds or multiplies noise (Dropout, GaussianNoise, ...) binds
`random_affine(x, source, draw)`: the forward kernel asks `source()` for the generator
and `draw(generator, x)` for the noise, so a traced plan replaying the kernel draws
fresh numbers from the same generator on every batch, in the order the eager step
would. The layer says how to sample; this module says how the noise is applied and
differentiated, once.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from neuroflow.autodiff.math_ops import unbroadcast
from neuroflow.autodiff.primitive import Primitive
from neuroflow.autodiff.tensor import Tensor

__all__ = ["random_affine"]

# draw(generator, x) -> (scale or None, shift or None), each broadcastable to x
Draw = Callable[[np.random.Generator, np.ndarray], tuple]


def _random_affine_fwd(x, source, draw):
    scale, shift = draw(source(), x)
    out = x if scale is None else x * scale
    if shift is not None:
        out = out + shift
    return out, (scale, x.shape)


def _random_affine_vjp(g, res, needs):
    scale, shape = res
    return (g if scale is None else unbroadcast(g * scale, shape),)


RANDOM_AFFINE = Primitive("random_affine", _random_affine_fwd, _random_affine_vjp)


def random_affine(x: Tensor, source: Callable[[], np.random.Generator], draw: Draw) -> Tensor:
    """`x * scale + shift` with (scale, shift) = draw(source(), x) drawn anew each call."""
    return RANDOM_AFFINE.bind(x, source=source, draw=draw)
