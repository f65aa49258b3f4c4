"""f(w) = 0.5 * ||w - C||**2, whose gradient is w - C: the test bed of the optimizers."""

import numpy as np

from neuroflow.autodiff.tensor import Variable

C = np.array([1.0, -2.0, 0.5])
W0 = np.array([0.3, 0.4, -1.0])


def run(opt, steps: int = 3, w0: np.ndarray = W0) -> np.ndarray:
    """Minimize the quadratic for `steps` steps with `opt`; return the final weights."""
    v = Variable(np.asarray(w0, dtype=np.float32), name="w")
    for _ in range(steps):
        opt.apply([v.data - C.astype(np.float32)], [v])
    return v.data


def reference(update, steps: int = 3, w0: np.ndarray = W0) -> np.ndarray:
    """The same run in float64, `update(w, g, t)` returning the new w (t is 1-based)."""
    w = np.array(w0, dtype=np.float64)
    for t in range(1, steps + 1):
        w = update(w, w - C, t)
    return w


def assert_close(actual, expected) -> None:
    """float32 results against a float64 reference."""
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)
