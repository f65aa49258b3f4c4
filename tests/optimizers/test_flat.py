"""The flat update (`apply_flat` on `FlatBuffers`) computes what the per-variable `apply` does."""

import warnings

import numpy as np
import pytest

from neuroflow import constraints
from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Lion,
    Nadam,
    Optimizer,
    RMSprop,
    schedules,
)
from neuroflow.optimizers.flat import FlatBuffers

SHAPES = [(3, 4), (4,), (), (4, 2), (2,)]
NAMES = ["kernel_0", "bias_0", "scale", "kernel_1", "bias_1"]

OPTIMIZERS = {
    "sgd": lambda **k: SGD(0.1, **k),
    "sgd_momentum": lambda **k: SGD(0.1, momentum=0.9, **k),
    "sgd_nesterov": lambda **k: SGD(0.1, momentum=0.9, nesterov=True, **k),
    "adam": lambda **k: Adam(0.01, **k),
    "adam_amsgrad": lambda **k: Adam(0.01, amsgrad=True, **k),
    "adamw": lambda **k: AdamW(0.01, **k),
    "nadam": lambda **k: Nadam(0.01, **k),
    "rmsprop": lambda **k: RMSprop(0.01, **k),
    "rmsprop_momentum": lambda **k: RMSprop(0.01, momentum=0.5, **k),
    "rmsprop_centered": lambda **k: RMSprop(0.01, centered=True, **k),
    "rmsprop_centered_momentum": lambda **k: RMSprop(0.01, momentum=0.5, centered=True, **k),
    "adagrad": lambda **k: Adagrad(0.1, **k),
    "adamax": lambda **k: Adamax(0.01, **k),
    "adadelta": lambda **k: Adadelta(1.0, **k),
    "lion": lambda **k: Lion(0.01, **k),
}

# option -> (constructor arguments, whether the two paths sum in another order)
OPTIONS = {
    "plain": ({}, False),
    "clipnorm": ({"clipnorm": 0.8}, True),
    "clipvalue": ({"clipvalue": 0.3}, False),
    "global_clipnorm": ({"global_clipnorm": 1.5}, True),
    "weight_decay": ({"weight_decay": 0.1}, False),
    "weight_decay_excluding_biases": ({"weight_decay": 0.1, "exclude": ["bias"]}, False),
    "ema": ({"use_ema": True, "ema_momentum": 0.9}, False),
    "ema_overwrite": ({"use_ema": True, "ema_overwrite_frequency": 2}, False),
    "loss_scale": ({"loss_scale_factor": 64.0}, False),
    "accumulation": ({"gradient_accumulation_steps": 2}, False),
    "schedule": ({"learning_rate": schedules.ExponentialDecay(0.05, 1, 0.5)}, False),
    "constraint": ({"constraint": True}, False),
    "tf_keras_decay": ({"decay": 0.5}, False),
    "everything": ({"loss_scale_factor": 4.0, "gradient_accumulation_steps": 2,
                    "clipnorm": 0.8, "weight_decay": 0.1, "exclude": ["bias"],
                    "use_ema": True, "constraint": True,
                    "learning_rate": schedules.ExponentialDecay(0.05, 1, 0.5)}, True),
}


def _variables(seed: int = 0, constraint: bool = False) -> list[Variable]:
    rng = np.random.default_rng(seed)
    return [
        Variable(rng.normal(size=s).astype(np.float32), name=n,
                 constraint=constraints.NonNeg() if constraint and n.startswith("kernel") else None)
        for s, n in zip(SHAPES, NAMES, strict=True)
    ]


def _gradients(steps: int, seed: int = 1) -> list[list[np.ndarray]]:
    rng = np.random.default_rng(seed)
    return [[rng.normal(size=s).astype(np.float32) for s in SHAPES] for _ in range(steps)]


def _optimizer(name: str, options: dict) -> Optimizer:
    options = dict(options)
    exclude = options.pop("exclude", None)
    options.pop("constraint", None)
    schedule = options.pop("learning_rate", None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # tf.keras 2's `decay`
        opt = OPTIMIZERS[name](**options)
    if schedule is not None:
        opt.learning_rate = schedule
    if exclude:
        opt.exclude_from_weight_decay(var_names=exclude)
    return opt


def _train(name: str, options: dict, flat: bool, steps: int = 4):
    variables = _variables(constraint="constraint" in options)
    opt = _optimizer(name, options)
    buffers = FlatBuffers(variables) if flat else None
    for grads in _gradients(steps):
        if flat:
            buffers.pack(grads, out=buffers.grads)
            opt.apply_flat(buffers)
        else:
            opt.apply([g.copy() for g in grads], variables)
    return variables, opt


def _train_with_updater(name: str, options: dict, steps: int = 4):
    """`flat_updater` called for every step, rebuilt after every other one (as the
    trainer's multi-step replay rebuilds it for each run of batches)."""
    variables = _variables(constraint="constraint" in options)
    opt = _optimizer(name, options)
    buffers = FlatBuffers(variables)
    update = None
    for k, grads in enumerate(_gradients(steps)):
        buffers.pack(grads, out=buffers.grads)
        if k % 2 == 0:
            update = opt.flat_updater(buffers)
        update()
    return variables, opt


def _assert_same(actual: list, expected: list, exact: bool) -> None:
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected, strict=True):
        if exact:
            np.testing.assert_array_equal(a, e)
        else:
            np.testing.assert_allclose(a, e, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_flat_update_equals_the_per_variable_update(name, option):
    options, reordered = OPTIONS[option]
    ref_vars, ref_opt = _train(name, options, flat=False)
    vars_, opt = _train(name, options, flat=True)
    exact = not reordered
    _assert_same([v.data for v in vars_], [v.data for v in ref_vars], exact)
    assert [v.name for v in opt.variables] == [v.name for v in ref_opt.variables]
    _assert_same([v.data for v in opt.variables], [v.data for v in ref_opt.variables], exact)
    if opt.use_ema:
        opt.finalize_variable_values(vars_)
        ref_opt.finalize_variable_values(ref_vars)
        _assert_same([v.data for v in vars_], [v.data for v in ref_vars], exact)


@pytest.mark.parametrize("option", list(OPTIONS))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_flat_updater_computes_exactly_what_apply_flat_does(name, option):
    ref_vars, ref_opt = _train(name, OPTIONS[option][0], flat=True)
    vars_, opt = _train_with_updater(name, OPTIONS[option][0])
    _assert_same([v.data for v in vars_], [v.data for v in ref_vars], exact=True)
    _assert_same([v.data for v in opt.variables], [v.data for v in ref_opt.variables],
                 exact=True)
    assert int(opt.iterations_variable.data) == int(ref_opt.iterations_variable.data) == 4


def test_flat_updater_of_an_optimizer_overriding_apply_flat_calls_its_override():
    calls = []

    class Counting(SGD):
        def apply_flat(self, buffers):
            calls.append(buffers)
            super().apply_flat(buffers)

    buffers = FlatBuffers(_variables())
    update = Counting(0.1).flat_updater(buffers)
    update()
    assert calls == [buffers]


def test_clipping_by_norm_applies_only_to_the_variables_over_the_limit():
    variables = _variables()
    grads = [g * 0.2 for g in _gradients(1)[0]]
    grads[0] *= 50.0  # the only gradient far above the limit
    limit = 2.0
    norms = [float(np.linalg.norm(g)) for g in grads]
    assert norms[0] > limit and max(norms[1:]) < limit
    buffers = FlatBuffers(variables)
    buffers.pack(grads, out=buffers.grads)
    SGD(1.0, clipnorm=limit).apply_flat(buffers)
    np.testing.assert_allclose(np.linalg.norm(buffers.grad_views[0]), limit, rtol=1e-6)
    for k in range(1, len(grads)):
        np.testing.assert_array_equal(buffers.grad_views[k], grads[k])


def test_global_clipnorm_with_a_non_finite_norm_gives_nan_weights_as_apply_does():
    ref_vars, vars_ = _variables(), _variables()
    grads = _gradients(1)[0]
    grads[1][0] = np.inf
    SGD(0.1, global_clipnorm=1.0).apply([g.copy() for g in grads], ref_vars)
    buffers = FlatBuffers(vars_)
    buffers.pack(grads, out=buffers.grads)
    SGD(0.1, global_clipnorm=1.0).apply_flat(buffers)
    for v, r in zip(vars_, ref_vars, strict=True):
        np.testing.assert_array_equal(v.data, r.data)
        assert np.isnan(v.data).all()


@pytest.mark.parametrize("name", ["sgd_momentum", "adam", "nadam", "rmsprop_centered_momentum"])
def test_denormal_slots_are_flushed_as_in_apply(name):
    tiny = np.finfo(np.float32).tiny
    results = []
    for flat in (False, True):
        variables = _variables()
        opt = _optimizer(name, {})
        opt._flush_every = 2
        opt.build(variables)
        for slot in opt.variables[2:]:
            if slot.data.ndim:
                slot.data[...] = tiny / 4  # denormal
        buffers = FlatBuffers(variables) if flat else None
        for _ in range(2):
            grads = [np.zeros(s, np.float32) for s in SHAPES]
            if flat:
                buffers.pack(grads, out=buffers.grads)
                opt.apply_flat(buffers)
            else:
                opt.apply(grads, variables)
        results.append([v.data.copy() for v in opt.variables])
    _assert_same(results[1], results[0], exact=True)
    slots = [s for s in results[1][2:] if s.ndim]
    assert all(not np.any((s != 0) & (np.abs(s) < tiny)) for s in slots)


def test_flat_and_per_variable_steps_can_alternate_on_one_optimizer():
    ref_vars, vars_ = _variables(), _variables()
    ref_opt, opt = Adam(0.01), Adam(0.01)
    buffers = FlatBuffers(vars_)
    for k, grads in enumerate(_gradients(4)):
        ref_opt.apply([g.copy() for g in grads], ref_vars)
        if k % 2:
            opt.apply([g.copy() for g in grads], vars_)
        else:
            buffers.pack(grads, out=buffers.grads)
            opt.apply_flat(buffers)
    _assert_same([v.data for v in vars_], [v.data for v in ref_vars], exact=True)
    _assert_same([v.data for v in opt.variables], [v.data for v in ref_opt.variables],
                 exact=True)


def test_slots_are_views_into_flat_buffers_and_load_in_place():
    variables = _variables()
    opt = Adam(0.01)
    buffers = FlatBuffers(variables)
    buffers.pack(_gradients(1)[0], out=buffers.grads)
    opt.apply_flat(buffers)
    momentums = opt._momentums
    state = opt._flat_state
    assert all(np.shares_memory(m.data, state.slots[0]) for m in momentums)
    store: dict = {}
    opt.save_own_variables(store)
    restored = Adam(0.01)
    restored.build(variables)
    restored.load_own_variables(store)
    restored_buffers_state = [np.array(v.data) for v in restored.variables]
    _assert_same(restored_buffers_state, [v.data for v in opt.variables], exact=True)
    opt.load_own_variables({k: np.zeros_like(v) for k, v in store.items()})
    assert not state.slots[0].any() and opt._flat_state is state


def test_buffers_hold_the_variables_and_the_gradient_views():
    variables = _variables()
    values = [v.data.copy() for v in variables]
    buffers = FlatBuffers(variables)
    assert buffers.params.size == buffers.grads.size == sum(int(np.prod(s)) for s in SHAPES)
    assert buffers.params.dtype == np.float32 and buffers.grads.dtype == np.float32
    for v, value, view in zip(variables, values, buffers.grad_views, strict=True):
        assert v.data.shape == value.shape and np.shares_memory(v.data, buffers.params)
        np.testing.assert_array_equal(v.data, value)
        assert view.shape == value.shape and np.shares_memory(view, buffers.grads)
    np.add(buffers.grad_views[3], 1.0, out=buffers.grad_views[3])  # a VJP writing with out=
    offset, size = int(buffers.offsets[3]), int(buffers.sizes[3])
    assert (buffers.grads[offset:offset + size] == 1).all()
    assert buffers.grads.sum() == size


def test_every_write_to_a_packed_variable_stays_in_the_buffer():
    variables = _variables()
    buffers = FlatBuffers(variables)
    kernel = variables[0]
    kernel.assign(np.ones((3, 4)))
    kernel.assign_add(np.ones((3, 4)))
    kernel.data = np.full((3, 4), 5.0, dtype=np.float64)  # rebinding writes in place
    assert kernel.data.dtype == np.float32 and np.shares_memory(kernel.data, buffers.params)
    assert (buffers.views[0] == 5).all() and buffers.valid


def test_for_variables_reuses_valid_buffers_of_exactly_those_variables():
    variables = _variables()
    buffers = FlatBuffers.for_variables(variables)
    assert FlatBuffers.for_variables(variables) is buffers
    subset = FlatBuffers.for_variables(variables[:2])
    assert subset is not buffers and not buffers.valid
    fresh = FlatBuffers.for_variables(variables)
    assert fresh is not buffers and fresh.valid and not subset.valid


def test_replacing_a_packed_variable_by_another_shape_invalidates_the_buffers():
    variables = _variables()
    buffers = FlatBuffers(variables)
    opt = SGD(0.1)
    opt.apply_flat(buffers)
    variables[1].data = np.zeros(7, np.float32)
    assert not buffers.valid and variables[1].data.shape == (7,)
    with pytest.raises(ValueError, match="variable 'bias_0' no longer lives in this buffer"):
        opt.apply_flat(buffers)


def test_packing_again_moves_the_variables_and_the_optimizer_state_follows():
    variables = _variables()
    opt = SGD(0.1, momentum=0.9)
    first = FlatBuffers(variables)
    first.pack(_gradients(1)[0], out=first.grads)
    opt.apply_flat(first)
    momentum = [m.data.copy() for m in opt.momentums]
    second = FlatBuffers(variables)
    assert not first.valid and second.valid
    with pytest.raises(ValueError, match="no longer lives in this buffer"):
        opt.apply_flat(first)
    opt.apply_flat(second)  # zero gradients: the momentum carries the weights on
    for m, before in zip(opt.momentums, momentum, strict=True):
        np.testing.assert_allclose(m.data, 0.9 * before, rtol=1e-6)
        assert np.shares_memory(m.data, opt._flat_state.slots[0])


@pytest.mark.parametrize(("variables", "message"), [
    ([], "non-empty list"),
    ([np.zeros(2)], "expected Variables, received ndarray"),
    ([Variable(np.zeros(2), name="k"), Variable(np.zeros(2), name="b", dtype="float64")],
     "'k' is float32, 'b' is float64"),
    ([Variable(np.zeros(2), name="n", dtype="int32")], "'n' has dtype int32"),
])
def test_unpackable_variables_are_refused_naming_the_problem(variables, message):
    assert not FlatBuffers.can_pack(variables)
    with pytest.raises(ValueError, match=message):
        FlatBuffers(variables)


def test_a_variable_listed_twice_is_refused():
    v = Variable(np.zeros(2), name="k")
    with pytest.raises(ValueError, match="'k' is listed twice"):
        FlatBuffers([v, v])


def test_empty_variables_are_packed_and_clipped():
    variables = [Variable(np.ones((2, 2)), name="a"), Variable(np.zeros((0, 3)), name="empty"),
                 Variable(np.ones(3), name="b")]
    buffers = FlatBuffers(variables)
    grads = [np.full((2, 2), 3.0, np.float32), np.zeros((0, 3), np.float32),
             np.full(3, 0.1, np.float32)]
    np.testing.assert_allclose(buffers.segment_norms(buffers.pack(grads)),
                               [6.0, 0.0, np.sqrt(0.03)], rtol=1e-6)
    ref = [Variable(np.ones((2, 2)), name="a"), Variable(np.zeros((0, 3)), name="empty"),
           Variable(np.ones(3), name="b")]
    SGD(0.1, clipnorm=1.0).apply([g.copy() for g in grads], ref)
    buffers.pack(grads, out=buffers.grads)
    SGD(0.1, clipnorm=1.0).apply_flat(buffers)
    _assert_same([v.data for v in variables], [v.data for v in ref], exact=False)


def test_apply_flat_requires_the_variables_the_optimizer_was_built_with():
    variables = _variables()
    opt = Adam()
    opt.build(variables[:2])
    with pytest.raises(ValueError, match="the optimizer was built with"):
        opt.apply_flat(FlatBuffers(variables))


def test_per_variable_optimizers_do_not_support_the_flat_path():
    class Halving(Optimizer):
        def update_step(self, gradient, variable, learning_rate):
            variable.data -= 0.5 * gradient

    class MomentumWithOwnUpdate(SGD):
        def _update(self, grads, variables, indices, lr):
            super()._update(grads, variables, indices, lr)

    assert all(make().supports_flat for make in OPTIMIZERS.values())
    for opt in (Halving(0.1), MomentumWithOwnUpdate(0.1)):
        assert not opt.supports_flat
        with pytest.raises(ValueError, match="supports_flat is False"):
            opt.apply_flat(FlatBuffers(_variables()))
    variables = _variables()
    before = variables[0].data.copy()
    Halving(0.1).apply([np.ones(s, np.float32) for s in SHAPES], variables)
    np.testing.assert_array_equal(variables[0].data, before - 0.5)
