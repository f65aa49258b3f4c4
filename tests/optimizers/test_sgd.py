import numpy as np
import pytest

from neuroflow.optimizers import SGD

from ._quadratic import assert_close, reference, run


def test_sgd_without_momentum_subtracts_lr_times_gradient():
    expected = reference(lambda w, g, t: w - 0.1 * g)
    assert_close(run(SGD(learning_rate=0.1)), expected)


def test_sgd_momentum_follows_keras_velocity_rule():
    m = np.zeros(3)

    def update(w, g, t):
        nonlocal m
        m = 0.9 * m - 0.1 * g
        return w + m

    assert_close(run(SGD(0.1, momentum=0.9)), reference(update))


def test_sgd_nesterov_adds_momentum_times_velocity_minus_lr_gradient():
    m = np.zeros(3)

    def update(w, g, t):
        nonlocal m
        m = 0.9 * m - 0.1 * g
        return w + 0.9 * m - 0.1 * g

    opt = SGD(0.1, momentum=0.9, nesterov=True)
    assert_close(run(opt), reference(update))


def test_sgd_defaults_match_keras():
    opt = SGD()
    assert float(opt.learning_rate) == pytest.approx(0.01)
    assert (opt.momentum, opt.nesterov, opt.name) == (0.0, False, "SGD")


def test_sgd_rejects_momentum_outside_unit_interval():
    with pytest.raises(ValueError, match="momentum"):
        SGD(momentum=1.5)


def test_sgd_momentum_creates_one_slot_per_variable():
    opt = SGD(momentum=0.5)
    run(opt, steps=1)
    assert [v.name for v in opt.variables] == ["iteration", "learning_rate", "w_momentum"]


def test_plain_sgd_rates_may_be_floats_that_change_or_arrays_of_rates():
    """The rate's 0-d array is kept while the rate stays, remade when it changes, and a
    vector of rates (a population's members) is taken as it is at every step."""
    from neuroflow.autodiff.tensor import Variable

    opt = SGD(0.1)
    opt.build([Variable(np.zeros(3, np.float32))])
    first = opt._coefficients(0.1)
    assert opt._coefficients(0.1) is first and first[1].dtype == np.float32
    assert float(opt._coefficients(0.2)[1]) == np.float32(0.2)
    rates = np.array([[0.1], [0.2]], np.float32)
    for _ in range(2):
        np.testing.assert_array_equal(opt._coefficients(rates)[1], rates)
