import numpy as np
import pytest

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers import Adam, AdamW

from ._quadratic import assert_close, reference, run

B1, B2, EPS = 0.9, 0.999, 1e-7


def _adam(lr, weight_decay=0.0):
    m = np.zeros(3)
    v = np.zeros(3)

    def update(w, g, t):
        nonlocal m, v
        w = w - w * weight_decay * lr
        m = m + (g - m) * (1 - B1)
        v = v + (g * g - v) * (1 - B2)
        alpha = lr * np.sqrt(1 - B2**t) / (1 - B1**t)
        return w - alpha * m / (np.sqrt(v) + EPS)

    return update


def test_adam_matches_keras_bias_corrected_update():
    assert_close(run(Adam(0.1)), reference(_adam(0.1)))


def _run_grads(opt, grads):
    v = Variable(np.zeros(1, dtype=np.float32))
    for g in grads:
        opt.apply([np.array([g], dtype=np.float32)], [v])
    return v.data


def test_adam_amsgrad_uses_running_maximum_of_velocity():
    grads = [10.0, 0.1, 0.1]  # the velocity drops after the first step
    m = v = v_hat = w = 0.0
    for t, g in enumerate(grads, start=1):
        m += (g - m) * (1 - B1)
        v += (g * g - v) * (1 - 0.5)
        v_hat = max(v_hat, v)
        w -= 0.1 * np.sqrt(1 - 0.5**t) / (1 - B1**t) * m / (np.sqrt(v_hat) + EPS)
    got = _run_grads(Adam(0.1, beta_2=0.5, amsgrad=True), grads)
    assert_close(got, [w])
    assert not np.allclose(got, _run_grads(Adam(0.1, beta_2=0.5), grads))


def test_adamw_decays_weights_before_the_adam_step():
    expected = reference(_adam(0.1, weight_decay=0.004))
    assert_close(run(AdamW(0.1)), expected)


def test_adamw_requires_a_weight_decay():
    with pytest.raises(ValueError, match="weight_decay"):
        AdamW(weight_decay=None)


def test_adam_defaults_match_keras():
    opt = Adam()
    assert (opt.beta_1, opt.beta_2, opt.epsilon, opt.amsgrad) == (0.9, 0.999, 1e-7, False)
    assert float(opt.learning_rate) == pytest.approx(0.001)
