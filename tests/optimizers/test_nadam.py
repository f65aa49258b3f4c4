import numpy as np

from neuroflow.optimizers import Nadam

from ._quadratic import assert_close, reference, run

B1, B2, EPS = 0.9, 0.999, 1e-7


def test_nadam_matches_keras_update_with_momentum_schedule():
    m = np.zeros(3)
    v = np.zeros(3)
    u_product = 1.0

    def update(w, g, t):
        nonlocal m, v, u_product
        u_t = B1 * (1 - 0.5 * 0.96**t)
        u_next = B1 * (1 - 0.5 * 0.96 ** (t + 1))
        u_product *= u_t
        m = m + (g - m) * (1 - B1)
        v = v + (g * g - v) * (1 - B2)
        m_hat = u_next * m / (1 - u_product * u_next) + (1 - u_t) * g / (1 - u_product)
        v_hat = v / (1 - B2**t)
        return w - 0.1 * m_hat / (np.sqrt(v_hat) + EPS)

    assert_close(run(Nadam(0.1)), reference(update))


def test_nadam_tracks_its_momentum_product_as_a_variable():
    opt = Nadam()
    run(opt, steps=2)
    assert opt.variables[-1].name == "u_product"
    expected = B1 * (1 - 0.5 * 0.96) * B1 * (1 - 0.5 * 0.96**2)
    assert_close(float(opt.variables[-1].data), expected)
