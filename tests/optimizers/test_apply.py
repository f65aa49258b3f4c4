import numpy as np
import pytest

from neuroflow.autodiff.tensor import GradientTape, Tensor, Variable
from neuroflow.optimizers import SGD, Adam, Optimizer

from ._quadratic import assert_close


def _var(values, **kwargs):
    return Variable(np.asarray(values, dtype=np.float32), **kwargs)


def test_apply_updates_the_data_buffer_in_place():
    v = _var([1.0, 2.0])
    buffer = v.data
    SGD(0.1).apply([np.ones(2, dtype=np.float32)], [v])
    assert v.data is buffer
    assert_close(buffer, [0.9, 1.9])


def test_iterations_counts_apply_calls():
    opt = SGD()
    v = _var([1.0])
    for _ in range(3):
        opt.apply([np.ones(1, np.float32)], [v])
    assert opt.iterations == 3
    assert int(opt.iterations_variable.data) == 3


def test_none_gradients_are_skipped_with_a_warning():
    a, b = _var([1.0]), _var([1.0])
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        SGD(1.0).apply([None, np.ones(1, np.float32)], [a, b])
    assert_close(a.data, [1.0])
    assert_close(b.data, [0.0])


def test_all_none_gradients_raise():
    with pytest.raises(ValueError, match="no gradients"):
        SGD().apply([None], [_var([1.0])])


def test_unknown_variable_raises_after_build():
    opt = SGD()
    opt.build([_var([1.0], name="a")])
    with pytest.raises(ValueError, match="unknown variable 'b'"):
        opt.apply([np.ones(1, np.float32)], [_var([1.0], name="b")])


def test_gradient_of_wrong_shape_raises_naming_the_variable():
    with pytest.raises(ValueError, match=r"\(3,\) does not match variable 'k'"):
        SGD().apply([np.ones(3, np.float32)], [_var([1.0, 2.0], name="k")])


def test_mismatched_list_lengths_raise():
    with pytest.raises(ValueError, match="one gradient per variable"):
        SGD().apply([np.ones(1, np.float32)], [_var([1.0]), _var([2.0])])


def test_apply_without_variables_uses_the_built_list():
    v = _var([1.0])
    opt = SGD(1.0)
    opt.build([v])
    opt.apply([np.ones(1, np.float32)])
    assert_close(v.data, [0.0])


def test_apply_without_variables_before_build_raises():
    with pytest.raises(ValueError, match="build"):
        SGD().apply([np.ones(1, np.float32)])


def test_apply_gradients_accepts_tensor_gradients():
    v = _var([1.0, 1.0])
    SGD(0.5).apply_gradients([(Tensor(np.array([2.0, 4.0], np.float32)), v)])
    assert_close(v.data, [0.0, -1.0])


def test_build_twice_keeps_the_first_slots():
    v = _var([1.0])
    opt = Adam()
    opt.build([v])
    first = opt.variables
    opt.build([v])
    assert opt.variables == first


def test_variables_lists_iterations_learning_rate_then_slots_in_keras_order():
    a, b = _var([1.0], name="a"), _var([1.0], name="b")
    opt = Adam()
    opt.build([a, b])
    names = [v.name for v in opt.variables]
    assert names == ["iteration", "learning_rate", "a_momentum", "b_momentum",
                     "a_velocity", "b_velocity"]


def test_constraint_is_applied_after_the_update():
    v = _var([0.5, -0.5], constraint=lambda x: np.clip(x, 0.0, None))
    SGD(1.0).apply([np.ones(2, np.float32)], [v])
    assert_close(v.data, [0.0, 0.0])


def test_weight_decay_shrinks_weights_by_decay_times_lr():
    v = _var([2.0])
    SGD(0.1, weight_decay=0.5).apply([np.zeros(1, np.float32)], [v])
    assert_close(v.data, [2.0 - 2.0 * 0.5 * 0.1])


def test_exclude_from_weight_decay_by_name():
    kernel, bias = _var([2.0], name="kernel"), _var([2.0], name="bias")
    opt = SGD(0.1, weight_decay=0.5)
    opt.exclude_from_weight_decay(var_names=["bias"])
    opt.apply([np.zeros(1, np.float32)] * 2, [kernel, bias])
    assert_close([kernel.data[0], bias.data[0]], [1.9, 2.0])


def test_minimize_differentiates_a_loss_callable():
    v = _var([3.0])
    SGD(0.1).minimize(lambda: (v * v).sum(), [v])
    assert_close(v.data, [3.0 - 0.1 * 6.0])


def test_minimize_with_a_recorded_tape():
    v = _var([3.0])
    with GradientTape() as tape:
        loss = (v * v).sum()
    SGD(0.1).minimize(loss, [v], tape=tape)
    assert_close(v.data, [2.4])


def test_float64_variable_stays_float64_with_the_float32_rate():
    v = Variable(np.array([1.0]), dtype="float64")
    SGD(0.1).apply([np.array([1.0])], [v])
    assert v.dtype == np.float64
    np.testing.assert_allclose(v.data, [1.0 - float(np.float32(0.1))], rtol=1e-12)


def test_unknown_keyword_argument_raises():
    with pytest.raises(ValueError, match="not recognized"):
        SGD(momentom=0.9)


class _SignSGD(Optimizer):
    """A Keras-style custom optimizer: build() makes slots, update_step() updates one."""

    def build(self, variables):
        if self.built:
            return
        super().build(variables)
        self.steps_taken = self.add_optimizer_variables(variables, "steps")

    def update_step(self, gradient, variable, learning_rate):
        self.steps_taken[self._get_variable_index(variable)].assign_add(1.0)
        variable.assign_sub(learning_rate * np.sign(gradient))


def test_custom_optimizer_with_keras_style_update_step():
    v = _var([1.0, -1.0], name="w")
    opt = _SignSGD(learning_rate=0.5)
    opt.apply([np.array([3.0, -0.1], np.float32)], [v])
    assert_close(v.data, [0.5, -0.5])
    assert [s.name for s in opt.variables] == ["iteration", "learning_rate", "w_steps"]


def test_optimizer_without_update_rule_raises_not_implemented():
    with pytest.raises(NotImplementedError, match="update_step"):
        Optimizer(0.1).apply([np.ones(1, np.float32)], [_var([1.0])])
