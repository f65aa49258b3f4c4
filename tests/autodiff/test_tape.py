"""GradientTape semantics: accumulation, unconnected sources, persistence, nesting, watch."""

import numpy as np
import pytest

from neuroflow.autodiff import GradientTape, Tensor, Variable, is_recording, stop_gradient


def test_variable_used_twice_accumulates_its_gradient():
    x = Variable(3.0)
    with GradientTape() as tape:
        y = x * x + x
    assert float(tape.gradient(y, x)) == 7.0


def test_diamond_graph_adds_both_paths():
    x = Variable(2.0)
    with GradientTape() as tape:
        a = x * 3.0
        y = a * a + a
    assert float(tape.gradient(y, x)) == 2 * 6.0 * 3.0 + 3.0


def test_unconnected_source_gets_none():
    x, z = Variable(1.0), Variable(2.0)
    with GradientTape() as tape:
        y = x * 2.0
    assert tape.gradient(y, [x, z])[1] is None


def test_unconnected_source_gets_zeros_on_request():
    x, z = Variable(1.0), Variable([2.0, 3.0])
    with GradientTape() as tape:
        y = x * 2.0
    gz = tape.gradient(y, [x, z], unconnected_gradients="zero")[1]
    np.testing.assert_array_equal(gz.numpy(), [0.0, 0.0])


def test_unknown_unconnected_gradients_mode_is_an_error():
    x = Variable(1.0)
    with GradientTape() as tape:
        y = x * 2.0
    with pytest.raises(ValueError, match="'none' or 'zero'"):
        tape.gradient(y, x, unconnected_gradients="nan")


def test_non_persistent_tape_refuses_a_second_gradient_call():
    x = Variable(1.0)
    with GradientTape() as tape:
        y = x * 2.0
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="persistent=True"):
        tape.gradient(y, x)


def test_persistent_tape_allows_several_gradient_calls():
    x = Variable(1.0)
    with GradientTape(persistent=True) as tape:
        y = x * 2.0
        z = x * 5.0
    assert (float(tape.gradient(y, x)), float(tape.gradient(z, x))) == (2.0, 5.0)


def test_gradient_structure_follows_the_sources():
    a, b = Variable(1.0), Variable(2.0)
    with GradientTape() as tape:
        y = a * b
    grads = tape.gradient(y, {"b": b, "pair": (a, b)})
    assert float(grads["b"]) == 1.0 and [float(g) for g in grads["pair"]] == [2.0, 1.0]


def test_gradient_of_several_targets_is_the_gradient_of_their_sum():
    x = Variable(2.0)
    with GradientTape() as tape:
        y1, y2 = x * 3.0, x * x
    assert float(tape.gradient([y1, y2], x)) == 7.0


def test_output_gradients_weight_the_target():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = x * 3.0
    g = tape.gradient(y, x, output_gradients=np.array([1.0, -2.0]))
    np.testing.assert_array_equal(g.numpy(), [3.0, -6.0])


def test_output_gradients_of_the_wrong_shape_are_an_error():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = x * 3.0
    with pytest.raises(ValueError, match=r"output gradient of shape \(3,\)"):
        tape.gradient(y, x, output_gradients=np.ones(3))


def test_non_tensor_target_is_an_error():
    with GradientTape() as tape:
        pass
    with pytest.raises(TypeError, match="target must be a Tensor"):
        tape.gradient(1.0, [])


def test_watch_makes_a_constant_differentiable():
    x = Tensor(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        tape.watch(x)
        y = x * x
    np.testing.assert_array_equal(tape.gradient(y, x).numpy(), [2.0, 4.0])


def test_unwatched_constant_gets_none():
    x = Tensor(np.array([1.0, 2.0]))
    with GradientTape() as tape:
        y = x * x
    assert tape.gradient(y, x) is None


def test_watch_lasts_only_for_its_own_tape():
    x = Tensor(np.array(1.0))
    with GradientTape() as first:
        first.watch(x)
    with GradientTape() as second:
        y = x * 2.0
    assert second.gradient(y, x) is None and not x.requires_grad


def test_watch_of_a_non_tensor_is_a_type_error():
    with GradientTape() as tape, pytest.raises(TypeError, match="convert_to_tensor"):
        tape.watch(np.ones(2))


def test_watch_outside_the_with_block_is_an_error():
    with pytest.raises(RuntimeError, match="not recording"):
        GradientTape().watch(Tensor(1.0))


def test_watch_of_a_non_trainable_variable_gives_its_gradient():
    v = Variable(3.0, trainable=False)
    with GradientTape() as tape:
        tape.watch(v)
        y = v * v
    assert float(tape.gradient(y, v)) == 6.0 and not v.requires_grad


def test_non_trainable_variable_gets_none():
    v = Variable(3.0, trainable=False)
    with GradientTape() as tape:
        y = v * v
    assert tape.gradient(y, v) is None


def test_ops_outside_a_tape_record_nothing():
    x = Variable(2.0)
    y = x * 3.0
    assert y._parents == () and y._prim is None and not y.requires_grad


def test_ops_on_constants_inside_a_tape_record_nothing():
    with GradientTape():
        y = Tensor(2.0) * 3.0
    assert y._parents == () and not y.requires_grad


def test_is_recording_only_inside_a_tape():
    with GradientTape():
        inside = is_recording()
    assert inside and not is_recording()


def test_stop_recording_pauses_the_tape():
    x = Variable(2.0)
    with GradientTape() as tape:
        with tape.stop_recording():
            y = x * 3.0
        paused = is_recording()
    assert y._parents == () and paused


def test_stop_recording_outside_the_with_block_is_an_error():
    with pytest.raises(RuntimeError, match="not recording"), GradientTape().stop_recording():
        pass


def test_stop_gradient_cuts_the_graph():
    x = Variable(2.0)
    with GradientTape() as tape:
        y = x * stop_gradient(x)
    assert float(tape.gradient(y, x)) == 2.0


def test_gradient_with_respect_to_the_target_itself_is_ones():
    x = Variable([1.0, 2.0])
    with GradientTape() as tape:
        y = x * 1.0
    np.testing.assert_array_equal(tape.gradient(y, y).numpy(), [1.0, 1.0])


def test_gradient_of_an_intermediate_tensor():
    x = Variable(2.0)
    with GradientTape() as tape:
        h = x * 3.0
        y = h * h
    assert float(tape.gradient(y, h)) == 12.0


def test_gradients_are_writable_arrays_of_their_own():
    a, b = Variable([1.0, 2.0]), Variable([3.0, 4.0])
    with GradientTape() as tape:
        y = (a + b).sum()
    ga, gb = tape.gradient(y, [a, b])
    ga.numpy()[...] = 7.0
    np.testing.assert_array_equal(gb.numpy(), [1.0, 1.0])


def test_gradients_through_reshape_do_not_share_a_buffer():
    a, b = Variable([1.0, 2.0, 3.0, 4.0]), Variable([[1.0, 2.0], [3.0, 4.0]])
    with GradientTape() as tape:
        y = (a.reshape(2, 2) + b) * Tensor(np.array([[1.0, 2.0], [3.0, 4.0]]))
    ga, gb = tape.gradient(y, [a, b])
    ga.numpy()[...] = 0.0
    np.testing.assert_array_equal(gb.numpy(), [[1.0, 2.0], [3.0, 4.0]])


def test_first_order_gradient_inside_an_outer_tape():
    x = Variable(2.0)
    with GradientTape():
        with GradientTape() as inner:
            y = x**3
        dy = inner.gradient(y, x)
    assert float(dy) == 12.0


def test_second_order_gradient_is_refused_clearly():
    x = Variable(2.0)
    with GradientTape() as outer:
        with GradientTape() as inner:
            y = x**3
        dy = inner.gradient(y, x)
    with pytest.raises(NotImplementedError, match="first-order gradients only"):
        outer.gradient(dy, x)


def test_second_order_gradient_through_ops_is_refused_clearly():
    x = Variable(2.0)
    with GradientTape(persistent=True) as tape:
        dy = tape.gradient(x**3, x)
        z = dy * 2.0
    with pytest.raises(NotImplementedError, match="first-order gradients only"):
        tape.gradient(z, x)


def test_gradient_outside_any_tape_is_a_plain_tensor():
    x = Variable(2.0)
    with GradientTape() as tape:
        y = x**3
    dy = tape.gradient(y, x)
    assert not dy.requires_grad and dy._prim is None
