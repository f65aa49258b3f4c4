"""The multi-step replay (`Plan.steps_runner`): fit and evaluate replay a run of full
batches inside one generated function, and end exactly where the step-by-step replay
ends (the same kernels in the same order: identical weights, logs and NaN reports)."""

import io
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest

import neuroflow as keras
from neuroflow.trainers import trainer as trainer_module

RNG = np.random.default_rng(3)
NARROW = RNG.standard_normal((22, 3)).astype("float32")
WIDE = RNG.standard_normal((22, 300)).astype("float32")  # 1,200-byte rows: gathered per batch
TARGETS = RNG.standard_normal((22, 2)).astype("float32")

OPTIMIZERS = {
    "sgd": lambda: keras.optimizers.SGD(0.05),
    "momentum_clipnorm": lambda: keras.optimizers.SGD(0.05, momentum=0.9, clipnorm=0.5),
    "adam_weight_decay": lambda: keras.optimizers.AdamW(0.01),
    "nadam_loss_scale": lambda: keras.optimizers.Nadam(0.01, loss_scale_factor=8.0),
    "rmsprop_schedule": lambda: keras.optimizers.RMSprop(
        keras.optimizers.schedules.ExponentialDecay(0.01, 2, 0.5)),
}

CASES = {  # name -> (x, fit options)
    "narrow_shuffled": (NARROW, {}),
    "wide_gathered": (WIDE, {}),
    "unshuffled": (NARROW, {"shuffle": False}),
    "with_validation": (NARROW, {"validation_data": (NARROW[:9], TARGETS[:9])}),
}


def _fit(x, optimizer, many_steps: bool, monkeypatch, verbose=0, **options):
    if not many_steps:
        monkeypatch.setattr(trainer_module, "_runs_many_steps", lambda plan: False)
    keras.utils.set_random_seed(5)
    model = keras.Sequential([keras.Input(x.shape[1:]), keras.layers.Dense(4, activation="relu"),
                              keras.layers.Dense(2)])
    model.compile(optimizer=OPTIMIZERS[optimizer](), loss="mse")
    with redirect_stdout(io.StringIO()):
        history = model.fit(x, TARGETS, batch_size=4, epochs=3, verbose=verbose, **options)
    monkeypatch.undo()
    return model, history.history


def _assert_identical(a, b):
    (model_a, logs_a), (model_b, logs_b) = a, b
    assert logs_a == logs_b
    for wa, wb in zip(model_a.get_weights(), model_b.get_weights(), strict=True):
        np.testing.assert_array_equal(wa, wb)
    for va, vb in zip(model_a.optimizer.variables, model_b.optimizer.variables, strict=True):
        np.testing.assert_array_equal(va.data, vb.data)


def _runners(model) -> int:
    return sum(len(plan._runners) for plan in model._plans.values() if plan)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
def test_many_steps_in_one_call_end_exactly_where_the_step_loop_ends(case, optimizer,
                                                                       monkeypatch):
    x, options = CASES[case]
    fast = _fit(x, optimizer, True, monkeypatch, **options)
    slow = _fit(x, optimizer, False, monkeypatch, **options)
    assert _runners(fast[0]) and not _runners(slow[0])
    _assert_identical(fast, slow)


def test_the_progress_bar_interrupts_the_run_and_sees_the_same_logs(monkeypatch):
    fast = _fit(NARROW, "sgd", True, monkeypatch, verbose=1)
    slow = _fit(NARROW, "sgd", False, monkeypatch, verbose=1)
    runners = [key for plan in fast[0]._plans.values() if plan for key in plan._runners]
    assert runners and all(periodic for _, periodic, _ in runners)
    _assert_identical(fast, slow)


def test_evaluate_replays_its_batches_in_one_run(monkeypatch):
    results = []
    for many in (True, False):
        model, _ = _fit(NARROW, "sgd", many, monkeypatch)
        if not many:
            monkeypatch.setattr(trainer_module, "_runs_many_steps", lambda plan: False)
        results.append(model.evaluate(NARROW, TARGETS, batch_size=4, verbose=0))
        monkeypatch.undo()
    assert results[0] == results[1]


def test_a_loss_that_stops_being_finite_stops_fit_at_the_same_batch(monkeypatch):
    reports = []
    for many in (True, False):
        if not many:
            monkeypatch.setattr(trainer_module, "_runs_many_steps", lambda plan: False)
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
        model.compile(optimizer=keras.optimizers.SGD(1e4), loss="mse")  # diverges
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(NARROW * 1e3, TARGETS, batch_size=4, epochs=3, verbose=0, shuffle=False)
        monkeypatch.undo()
        reports.append([str(w.message) for w in caught if "NaN or inf" in str(w.message)])
    assert reports[0] == reports[1] and len(reports[0]) == 1
    assert "epoch 1, batch 1" not in reports[0][0]  # stopped inside a run of batches


def test_a_train_plan_without_flat_gradients_has_no_steps_runner():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    model.compile(optimizer=keras.optimizers.Lamb(0.01), loss="mse")  # per-variable update
    model.fit(NARROW, TARGETS, batch_size=4, epochs=2, verbose=0)
    plan = next(p for key, p in model._plans.items() if key[0] == "train" and p)
    assert not plan.flat
    with pytest.raises(ValueError, match="flat buffers"):
        plan.steps_runner(False, False, True)
