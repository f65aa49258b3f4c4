import numpy as np

from neuroflow.optimizers import Adadelta, Adagrad, Adamax

from ._quadratic import assert_close, reference, run

EPS = 1e-7


def test_adagrad_accumulates_squared_gradients_from_initial_value():
    acc = np.full(3, 0.1)

    def update(w, g, t):
        nonlocal acc
        acc = acc + g * g
        return w - 0.1 * g / np.sqrt(acc + EPS)

    assert_close(run(Adagrad(0.1)), reference(update))


def test_adadelta_scales_steps_by_ratio_of_running_rms():
    acc_g = np.zeros(3)
    acc_dx = np.zeros(3)

    def update(w, g, t):
        nonlocal acc_g, acc_dx
        acc_g = 0.95 * acc_g + 0.05 * g * g
        delta = -np.sqrt(acc_dx + EPS) * g / np.sqrt(acc_g + EPS)
        acc_dx = 0.95 * acc_dx + 0.05 * delta * delta
        return w + 1.0 * delta

    assert_close(run(Adadelta(1.0)), reference(update))


def test_adamax_uses_infinity_norm():
    m = np.zeros(3)
    u = np.zeros(3)

    def update(w, g, t):
        nonlocal m, u
        m = m + (g - m) * 0.1
        u = np.maximum(0.999 * u, np.abs(g))
        return w - 0.1 * m / ((1 - 0.9**t) * (u + EPS))

    assert_close(run(Adamax(0.1)), reference(update))
