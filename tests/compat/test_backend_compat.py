"""neuroflow.backend's tf.keras 2 functions: clear_session, get_value, set_value."""

from __future__ import annotations

import numpy as np
import pytest

import neuroflow as nf
from neuroflow.backend import compat

K = nf.backend
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_set_value_warns_that_assign_is_the_newer_spelling():
    with pytest.warns(DeprecationWarning, match=r"x\.assign\(value\)"):
        K.set_value(nf.Variable(0.0), 1.0)


def test_get_value_warns_that_numpy_is_the_newer_spelling():
    with pytest.warns(DeprecationWarning, match=r"x\.numpy\(\)"):
        K.get_value(nf.Variable(0.0))


def test_get_value_is_a_snapshot_unaffected_by_later_assignments():
    variable = nf.Variable(np.zeros(3))
    value = K.get_value(variable)
    variable.assign(np.ones(3))
    np.testing.assert_array_equal(value, np.zeros(3))


def test_get_value_of_a_scalar_variable_is_a_numpy_scalar():
    value = K.get_value(nf.Variable(0.5))
    assert (type(value), value) == (np.float32, np.float32(0.5))


def test_get_value_returns_a_plain_number_unchanged():
    assert K.get_value(0.25) == 0.25


def test_set_value_casts_to_the_variable_dtype():
    variable = nf.Variable(0.0)
    K.set_value(variable, np.float64(0.1))
    assert variable.numpy().dtype == np.float32


def test_set_value_accepts_a_variable_times_a_float():
    variable = nf.Variable(2.0)
    K.set_value(variable, variable * 1.5)
    assert K.get_value(variable) == pytest.approx(3.0)


def test_set_value_rejects_a_value_of_another_shape():
    with pytest.raises(ValueError, match="shape"):
        K.set_value(nf.Variable(np.zeros(2)), np.zeros(3))


def test_set_value_on_a_scheduled_learning_rate_names_the_fix():
    schedule = nf.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5)
    optimizer = nf.optimizers.SGD(learning_rate=schedule)
    with pytest.raises(TypeError, match="float learning_rate"):
        K.set_value(optimizer.learning_rate, 0.01)


def test_batch_set_value_then_batch_get_value():
    a, b = nf.Variable(0.0), nf.Variable(np.zeros(2))
    K.batch_set_value([(a, 1.0), (b, [2.0, 3.0])])
    values = K.batch_get_value([a, b])
    assert [np.asarray(v).tolist() for v in values] == [1.0, [2.0, 3.0]]


def test_clear_session_calls_each_registered_hook_once(monkeypatch):
    monkeypatch.setattr(compat, "_CLEAR_SESSION_HOOKS", [])
    calls = []

    def hook():
        calls.append(1)

    K.register_clear_session_hook(hook)
    K.register_clear_session_hook(hook)
    K.clear_session(free_memory=False)
    assert calls == [1]


def test_asarray_of_a_scalar_op_result():
    assert np.asarray(nf.Variable(2.0) * 3.0, dtype=np.float64) == 6.0


def test_optimizer_iterations_is_an_int_with_numpy():
    optimizer = nf.optimizers.SGD()
    optimizer.apply([np.ones(1, "float32")], [nf.Variable(np.zeros(1))])
    assert (optimizer.iterations == 1, optimizer.iterations.numpy().dtype) == (True, np.int64)
