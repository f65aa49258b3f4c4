"""The 'lbfgs' solver of the MLPs: scipy's L-BFGS-B on the flat parameter vector.

As scikit-learn runs it: the whole training set every evaluation, `maxiter=max_iter`,
`maxfun=max_fun`, `gtol=tol`, and a ConvergenceWarning when scipy did not converge.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from neuroflow.backend.blas_threads import ThreadChooser
from neuroflow.sklearn._mlp_network import Backprop

__all__ = ["minimize_lbfgs"]


def minimize_lbfgs(make_backprop: Callable[[np.dtype], Backprop], packed: np.ndarray,
                   X: np.ndarray, y: np.ndarray, *, max_iter: int, max_fun: int, tol: float,
                   threads: ThreadChooser):
    """Minimize the loss from the flat parameters `packed`.

    `make_backprop(dtype)` gives the kernels for parameters of that dtype: scipy
    evaluates at points of the dtype it chooses (recent versions keep float32), and the
    arithmetic follows it as scikit-learn's does. Returns scipy's final flat parameters,
    the number of iterations (at most `max_iter`) and the final loss. `threads`
    times the evaluations (all but the first) to choose the BLAS threads.
    """
    kernels: dict = {}

    def loss_and_grad(x: np.ndarray):
        backprop = kernels.get(x.dtype)
        if backprop is None:  # a first (cold) evaluation, not timed for the threads
            backprop = kernels[x.dtype] = make_backprop(x.dtype)
            loss = backprop(x, X, y)
        else:
            threads.start()
            loss = backprop(x, X, y)
            threads.stop()
        return loss, backprop.grad.copy()  # scipy keeps the gradient it is given

    result = scipy.optimize.minimize(
        loss_and_grad, packed, method="L-BFGS-B", jac=True,
        options={"maxfun": max_fun, "maxiter": max_iter, "gtol": tol},
    )
    n_iter = min(result.nit, max_iter)
    if result.status != 0:
        message = (f"lbfgs failed to converge after {n_iter} iteration(s) "
                   f"(status={result.status}):\n{result.message}\n")
        if n_iter == max_iter:
            message += ("\nIncrease the number of iterations to improve the convergence "
                        f"(max_iter={max_iter}).")
        message += ("\nYou might also want to scale the data as shown in:\n"
                    "    https://scikit-learn.org/stable/modules/preprocessing.html")
        warnings.warn(message, ConvergenceWarning, stacklevel=4)
    return result.x, n_iter, result.fun
