import warnings

import numpy as np
import pytest

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers import SGD, Adam, schedules

from ._quadratic import assert_close, reference, run


def _step(opt, v, g=1.0):
    opt.apply([np.full(v.shape, g, dtype=np.float32)], [v])


def test_float_learning_rate_is_a_non_trainable_float32_variable():
    lr = SGD(0.1).learning_rate
    assert isinstance(lr, Variable)
    assert (lr.trainable, lr.dtype, lr.shape) == (False, np.float32, ())
    assert float(lr) == pytest.approx(0.1)


def test_assigning_the_learning_rate_variable_changes_the_next_step():
    opt = SGD(0.1)
    v = Variable(np.zeros(1))
    _step(opt, v)
    opt.learning_rate.assign(0.5)
    _step(opt, v)
    assert_close(v.data, [-0.6])


def test_setting_learning_rate_attribute_keeps_the_same_variable():
    opt = SGD(0.1)
    before = opt.learning_rate
    opt.learning_rate = 0.25
    assert opt.learning_rate is before
    assert float(before) == pytest.approx(0.25)


def test_lr_property_is_an_alias_of_learning_rate():
    opt = SGD(0.1)
    opt.lr = 0.3
    assert opt.lr is opt.learning_rate
    assert float(opt.learning_rate) == pytest.approx(0.3)


def test_lr_keyword_warns_and_sets_the_learning_rate():
    with pytest.warns(DeprecationWarning, match="lr"):
        opt = SGD(lr=0.2)
    assert float(opt.learning_rate) == pytest.approx(0.2)


def test_decay_keyword_warns_and_divides_by_one_plus_decay_times_iterations():
    with pytest.warns(DeprecationWarning, match="decay"):
        opt = SGD(0.1, decay=0.5)
    v = Variable(np.zeros(1))
    rates = []
    for _ in range(3):
        rates.append(opt.current_learning_rate())
        _step(opt, v)
    assert rates == pytest.approx([0.1, 0.1 / 1.5, 0.1 / 2.0])
    assert_close(v.data, [-sum(rates)])


def test_schedule_learning_rate_is_called_with_the_iteration_count():
    sched = schedules.PiecewiseConstantDecay([0], [1.0, 0.5])
    opt = SGD(sched)
    v = Variable(np.zeros(1))
    _step(opt, v)
    _step(opt, v)
    assert_close(v.data, [-1.5])


def test_learning_rate_property_returns_the_schedule_current_value():
    opt = SGD(schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5))
    _step(opt, Variable(np.zeros(1)))
    assert opt.learning_rate == pytest.approx(0.5)
    assert opt.learning_rate.dtype == np.float32


def test_setting_a_float_on_a_scheduled_optimizer_raises_type_error():
    opt = SGD(schedules.ExponentialDecay(1.0, 10, 0.5))
    with pytest.raises(TypeError, match="schedule"):
        opt.learning_rate = 0.1


def test_setting_a_schedule_replaces_the_learning_rate_variable():
    opt = SGD(0.1)
    opt.learning_rate = schedules.ExponentialDecay(2.0, 10, 0.5)
    assert [v.name for v in opt.variables] == ["iteration"]
    assert opt.current_learning_rate() == pytest.approx(2.0)


def test_callable_learning_rate_is_called_without_arguments():
    opt = SGD(lambda: 0.5)
    v = Variable(np.zeros(1))
    _step(opt, v)
    assert_close(v.data, [-0.5])


def test_invalid_learning_rate_names_the_argument():
    with pytest.raises(ValueError, match="learning_rate"):
        Adam(learning_rate="fast")


def test_current_learning_rate_reflects_assignment():
    opt = Adam(0.01)
    opt.learning_rate.assign(0.02)
    assert opt.current_learning_rate() == pytest.approx(0.02)


def test_learning_rate_tensor_is_accepted():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        opt = SGD(np.float32(0.1))
    expected = reference(lambda w, g, t: w - 0.1 * g)
    assert_close(run(opt), expected)
