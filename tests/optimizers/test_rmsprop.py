import numpy as np
import pytest

from neuroflow.optimizers import RMSprop

from ._quadratic import assert_close, reference, run

RHO, EPS = 0.9, 1e-7


def _rmsprop(lr, momentum=0.0, centered=False):
    v = np.zeros(3)
    a = np.zeros(3)
    mom = np.zeros(3)

    def update(w, g, t):
        nonlocal v, a, mom
        v = RHO * v + (1 - RHO) * g * g
        a = RHO * a + (1 - RHO) * g
        denom = v - a * a if centered else v
        step = lr * g / np.sqrt(denom + EPS)
        if momentum:
            mom = momentum * mom + step
            return w - mom
        return w - step

    return update


def test_rmsprop_divides_by_root_mean_square():
    assert_close(run(RMSprop(0.1)), reference(_rmsprop(0.1)))


def test_rmsprop_centered_subtracts_squared_mean_gradient():
    got = run(RMSprop(0.01, centered=True))
    assert_close(got, reference(_rmsprop(0.01, centered=True)))


def test_rmsprop_momentum_accumulates_steps():
    got = run(RMSprop(0.1, momentum=0.5))
    assert_close(got, reference(_rmsprop(0.1, momentum=0.5)))


def test_rmsprop_defaults_match_keras():
    opt = RMSprop()
    assert (opt.rho, opt.momentum, opt.epsilon, opt.centered) == (0.9, 0.0, 1e-7, False)
    assert float(opt.learning_rate) == pytest.approx(0.001)
