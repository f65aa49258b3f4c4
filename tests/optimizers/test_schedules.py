import math

import numpy as np
import pytest

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers import schedules


def test_exponential_decay_is_continuous_by_default():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    assert [s(0), s(5), s(20)] == pytest.approx([0.1, 0.1 * 0.5**0.5, 0.025])


def test_exponential_decay_staircase_floors_the_exponent():
    s = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    assert [s(9), s(10), s(25)] == pytest.approx([0.1, 0.05, 0.025])


def test_piecewise_constant_decay_includes_the_boundary_in_the_left_piece():
    s = schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5, 0.1])
    assert [s(0), s(10), s(11), s(20), s(21)] == [1.0, 1.0, 0.5, 0.5, 0.1]


def test_piecewise_constant_decay_checks_lengths():
    with pytest.raises(ValueError, match="one element less"):
        schedules.PiecewiseConstantDecay([10, 20], [1.0, 0.5])


def test_polynomial_decay_reaches_end_rate_and_stays():
    s = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.01, power=2.0)
    assert [s(0), s(5), s(10), s(50)] == pytest.approx([0.1, 0.09 * 0.25 + 0.01, 0.01, 0.01])


def test_polynomial_decay_cycle_extends_decay_steps():
    s = schedules.PolynomialDecay(0.1, decay_steps=10, end_learning_rate=0.0, cycle=True)
    assert s(15) == pytest.approx(0.1 * (1 - 15 / 20))


def test_inverse_time_decay():
    s = schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5)
    assert [s(0), s(2), s(3)] == pytest.approx([0.1, 0.1 / 1.5, 0.1 / 1.75])


def test_inverse_time_decay_staircase():
    s = schedules.InverseTimeDecay(0.1, decay_steps=2, decay_rate=0.5, staircase=True)
    assert s(3) == pytest.approx(0.1 / 1.5)


def test_cosine_decay_goes_from_initial_to_alpha_fraction():
    s = schedules.CosineDecay(1.0, decay_steps=10, alpha=0.1)
    assert [s(0), s(5), s(10), s(99)] == pytest.approx([1.0, 0.55, 0.1, 0.1])


def test_cosine_decay_warms_up_linearly_to_target():
    s = schedules.CosineDecay(0.0, decay_steps=10, warmup_target=1.0, warmup_steps=4)
    assert [s(0), s(2), s(4), s(9)] == pytest.approx([0.0, 0.5, 1.0, 0.5])


def test_cosine_decay_restarts_after_first_period():
    s = schedules.CosineDecayRestarts(1.0, first_decay_steps=10, t_mul=2.0, m_mul=0.5)
    second_period_middle = 0.5 * 0.5 * (1 + math.cos(0.5 * math.pi))
    assert [s(0), s(10), s(20)] == pytest.approx([1.0, 0.5, second_period_middle])


def test_schedule_accepts_an_iteration_variable():
    s = schedules.ExponentialDecay(1.0, decay_steps=1, decay_rate=0.5)
    assert s(Variable(np.array(2), dtype="int64", trainable=False)) == pytest.approx(0.25)


@pytest.mark.parametrize("cls", [schedules.ExponentialDecay, schedules.PolynomialDecay,
                                 schedules.InverseTimeDecay, schedules.CosineDecay])
def test_decay_steps_must_be_positive(cls):
    with pytest.raises(ValueError, match="decay_steps"):
        cls(0.1, 0, 0.5)


@pytest.mark.parametrize("schedule", [
    schedules.ExponentialDecay(0.1, 10, 0.9, staircase=True),
    schedules.PiecewiseConstantDecay([5], [0.1, 0.01]),
    schedules.PolynomialDecay(0.1, 10, 0.001, power=0.5, cycle=True),
    schedules.InverseTimeDecay(0.1, 10, 0.5),
    schedules.CosineDecay(0.1, 10, alpha=0.1, warmup_target=0.2, warmup_steps=3),
    schedules.CosineDecayRestarts(0.1, 10),
])
def test_serialize_deserialize_round_trip(schedule):
    clone = schedules.deserialize(schedules.serialize(schedule))
    assert type(clone) is type(schedule)
    assert clone.get_config() == schedule.get_config()
    assert clone(7) == schedule(7)


def test_deserialize_unknown_class_lists_valid_ones():
    with pytest.raises(ValueError, match="Unknown learning rate schedule.*CosineDecay"):
        schedules.deserialize({"class_name": "Linear", "config": {}})
