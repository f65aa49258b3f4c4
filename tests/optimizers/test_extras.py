"""EMA, gradient accumulation, loss scaling and optimizer state saving."""

import numpy as np
import pytest

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers import SGD, Adam

from ._quadratic import assert_close


def _ones(n=1):
    return [np.ones(n, dtype=np.float32)]


def test_ema_average_starts_at_the_first_update_then_moves_by_momentum():
    v = Variable(np.zeros(1))
    opt = SGD(1.0, use_ema=True, ema_momentum=0.5)
    opt.apply(_ones(), [v])  # w = -1, average = -1
    opt.apply(_ones(), [v])  # w = -2, average = 0.5 * -1 + 0.5 * -2
    opt.finalize_variable_values([v])
    assert_close(v.data, [-1.5])


def test_ema_overwrites_weights_every_overwrite_frequency_steps():
    v = Variable(np.zeros(1))
    opt = SGD(1.0, use_ema=True, ema_momentum=0.5, ema_overwrite_frequency=2)
    opt.apply(_ones(), [v])
    opt.apply(_ones(), [v])
    assert_close(v.data, [-1.5])


def test_gradient_accumulation_updates_with_the_mean_every_n_calls():
    v = Variable(np.zeros(1))
    opt = SGD(1.0, gradient_accumulation_steps=2)
    opt.apply([np.array([1.0], np.float32)], [v])
    assert_close(v.data, [0.0])
    opt.apply([np.array([3.0], np.float32)], [v])
    assert_close(v.data, [-2.0])
    assert opt.iterations == 1


def test_gradient_accumulation_below_two_is_rejected():
    with pytest.raises(ValueError, match="gradient_accumulation_steps"):
        SGD(gradient_accumulation_steps=1)


def test_loss_scale_factor_scales_loss_and_unscales_gradients():
    v = Variable(np.zeros(1))
    opt = SGD(1.0, loss_scale_factor=4.0)
    assert opt.scale_loss(2.0) == 8.0
    opt.apply([np.array([8.0], np.float32)], [v])
    assert_close(v.data, [-2.0])


def test_save_and_load_own_variables_restore_slots_and_iterations():
    v = Variable(np.zeros(2))
    opt = Adam(0.1)
    opt.apply(_ones(2), [v])
    store: dict = {}
    opt.save_own_variables(store)
    fresh = Adam(0.1)
    fresh.build([Variable(np.zeros(2))])
    fresh.load_own_variables(store)
    assert fresh.iterations == 1
    for a, b in zip(opt.variables, fresh.variables, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


def test_load_own_variables_with_wrong_count_warns_and_skips():
    with pytest.warns(UserWarning, match="Skipping variable loading"):
        Adam().load_own_variables({"0": np.array(3)})


def test_set_weights_requires_one_array_per_variable():
    opt = SGD()
    opt.set_weights([np.array(5), np.array(0.5, np.float32)])
    assert opt.iterations == 5
    with pytest.raises(ValueError, match="expected 2 arrays"):
        opt.set_weights([np.array(1)])
