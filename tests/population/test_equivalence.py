"""Each packed member ends exactly as its twin trained alone on the same batch order."""

from __future__ import annotations

import numpy as np
import pytest
from population_helpers import (
    assert_same_training,
    classification_data,
    mlp,
    regression_data,
    twin,
)

import neuroflow as keras
from neuroflow.population import Population

O = keras.optimizers
pytestmark = pytest.mark.usefixtures("products")  # every case with both kinds of products


def _train_both(members, x, y, epochs=3, callbacks=None, twin_callbacks=None, **fit):
    """Train the members as a Population and their twins one by one, same seed."""
    twins = [twin(m) for m in members]
    keras.backend.set_seed(123)
    histories = Population(members).fit(x, y, batch_size=16, epochs=epochs,
                                        callbacks=callbacks, **fit)
    alone = []
    for i, t in enumerate(twins):
        keras.backend.set_seed(123)
        cbs = None if twin_callbacks is None else twin_callbacks[i]
        alone.append(t.fit(x, y, batch_size=16, epochs=epochs, verbose=0, callbacks=cbs, **fit))
    for m, t, h, a in zip(members, twins, histories, alone, strict=True):
        assert_same_training(m, t, h, a)
    return histories, twins


def _compiled(widths, optimizer, loss="mse", **kwargs):
    """A compiled member, with a fresh copy of `optimizer` (the case tables' instances are
    shared by every run of a case)."""
    model = mlp(widths, **kwargs)
    model.compile(optimizer=type(optimizer).from_config(optimizer.get_config()), loss=loss)
    return model


# (widths of the members, optimizer factory per member) - every packable optimizer setting
OPTIMIZER_CASES = {
    "sgd_learning_rates_padded": ([(4,), (9,), (7,)],
                                  [O.SGD(0.01), O.SGD(0.05), O.SGD(0.002)]),
    "sgd_momentum": ([(5, 3), (5, 6)], [O.SGD(0.02, momentum=0.9), O.SGD(0.01, momentum=0.5)]),
    "sgd_nesterov": ([(6,), (3,)], [O.SGD(0.02, momentum=0.8, nesterov=True),
                                    O.SGD(0.01, momentum=0.3, nesterov=True)]),
    "adam_rates_epsilon": ([(8,), (4,)], [O.Adam(0.01, epsilon=1e-7), O.Adam(0.003,
                                                                             epsilon=1e-3)]),
    "adam_betas": ([(5,), (6,), (4,)], [O.Adam(0.01, beta_1=0.9, beta_2=0.999),
                                        O.Adam(0.02, beta_1=0.5, beta_2=0.9),
                                        O.Adam(0.005, beta_1=0.99, beta_2=0.95)]),
    "adamw_betas_amsgrad": ([(5,), (3,)], [O.AdamW(0.01, beta_1=0.8, amsgrad=True),
                                           O.AdamW(0.01, beta_2=0.9, amsgrad=True)]),
    "adam_amsgrad": ([(5,), (6,)], [O.Adam(0.01, amsgrad=True), O.Adam(0.02, amsgrad=True)]),
    "adamw_weight_decay": ([(5,), (7,)], [O.AdamW(0.01, weight_decay=0.1),
                                          O.AdamW(0.01, weight_decay=0.004)]),
    "sgd_weight_decay": ([(5,), (3,)], [O.SGD(0.05, weight_decay=0.2),
                                        O.SGD(0.02, weight_decay=0.05)]),
    "rmsprop_rho_momentum": ([(4,), (6,)], [O.RMSprop(0.01, rho=0.8, momentum=0.5),
                                            O.RMSprop(0.003, rho=0.95, momentum=0.9)]),
    "rmsprop_centered": ([(4,), (5,)], [O.RMSprop(0.01, centered=True),
                                        O.RMSprop(0.002, centered=True)]),
    "adamax_betas": ([(5,), (4,)], [O.Adamax(0.01, beta_1=0.8, beta_2=0.99),
                                    O.Adamax(0.02, beta_1=0.9, beta_2=0.999)]),
    "nadam": ([(5,), (6,)], [O.Nadam(0.01), O.Nadam(0.003, epsilon=1e-4)]),
    "adagrad": ([(5,), (3,)], [O.Adagrad(0.05), O.Adagrad(0.1, epsilon=1e-5)]),
    "adadelta": ([(5,), (6,)], [O.Adadelta(1.0, rho=0.9), O.Adadelta(0.5, rho=0.95)]),
    "schedule": ([(5,), (6,)], [
        O.SGD(O.schedules.ExponentialDecay(0.05, decay_steps=2, decay_rate=0.5)),
        O.SGD(O.schedules.ExponentialDecay(0.02, decay_steps=3, decay_rate=0.9))]),
    "clipvalue": ([(5,), (6,)], [O.SGD(0.1, clipvalue=0.05), O.SGD(0.05, clipvalue=0.05)]),
}


@pytest.mark.parametrize("case", sorted(OPTIMIZER_CASES))
def test_member_equals_alone_for_every_optimizer_setting(case):
    widths, optimizers = OPTIMIZER_CASES[case]
    members = [_compiled(w, o, seed=i) for i, (w, o) in enumerate(zip(widths, optimizers,
                                                                       strict=True))]
    x, y = regression_data()
    pop = Population(members)
    groups, alone = pop.groups()
    assert not alone and len(groups) == 1  # they really are one pack
    _train_both(members, x, y, validation_data=(x[:20], y[:20]))


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "softplus", "elu", "gelu"])
def test_padded_widths_match_for_activations_nonzero_at_zero(activation):
    members = [_compiled(w, O.SGD(0.05), activation=activation, seed=i)
               for i, w in enumerate([(3, 7), (8, 2), (5, 5)])]
    x, y = regression_data()
    _train_both(members, x, y)


def test_regularization_factors_per_member():
    regs = [keras.regularizers.L2(0.01), keras.regularizers.L2(0.1), keras.regularizers.L1(0.05)]
    members = [_compiled((5,), O.SGD(0.02), kernel_regularizer=r, seed=i)
               for i, r in enumerate(regs[:2])]
    x, y = regression_data()
    _train_both(members, x, y, validation_data=(x[:20], y[:20]))


def test_dropout_rates_and_seeds_per_member():
    members = [_compiled((6,), O.SGD(0.02), dropout=d, seed=i)
               for i, d in enumerate([(0.2, 1), (0.5, 2), (0.0, 3)])]
    x, y = regression_data()
    _train_both(members, x, y)


@pytest.mark.parametrize("loss,out_act,out", [
    ("sparse_categorical_crossentropy", "softmax", 3),
    ("categorical_crossentropy", "softmax", 3),
    ("binary_crossentropy", "sigmoid", 1),
    ("mae", None, 1),
    ("huber", None, 1),
])
def test_losses_and_metrics_match(loss, out_act, out):
    x, labels = classification_data()
    y = {"categorical_crossentropy": np.eye(3, dtype="float32")[labels],
         "binary_crossentropy": (labels == 0).astype("float32")[:, None]}.get(loss, labels)
    if loss in ("mae", "huber"):
        x, y = regression_data()
    members = []
    for i, w in enumerate([(4,), (7,)]):
        m = mlp(w, out=out, output_activation=out_act, seed=i)
        metrics = ["accuracy"] if out_act else ["mse"]
        m.compile(optimizer=O.SGD(0.05 * (i + 1)), loss=loss, metrics=metrics)
        members.append(m)
    _train_both(members, x, y, validation_data=(x[:20], y[:20]))


def test_early_stopped_member_stops_alone_and_restores_best_weights():
    members = [_compiled((5,), O.SGD(lr), seed=i) for i, lr in enumerate([0.3, 0.01, 0.05])]
    x, y = regression_data()

    def stopper():
        return keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=0.05,
                                             restore_best_weights=True)

    per_member = [[stopper()] for _ in members]
    histories, _ = _train_both(members, x, y, epochs=8, callbacks=per_member,
                               twin_callbacks=[[stopper()] for _ in members])
    lengths = [len(h.history["loss"]) for h in histories]
    assert min(lengths) < 8 and len(set(lengths)) > 1  # members stopped at different epochs
    assert [cb[0].stopped_epoch for cb in per_member] != [0, 0, 0]


def test_member_optimizer_state_is_its_own_after_the_pack():
    members = [_compiled((5,), O.Adam(lr), seed=i) for i, lr in enumerate([0.01, 0.03])]
    x, y = regression_data()
    _, twins = _train_both(members, x, y, epochs=2)
    for m, t in zip(members, twins, strict=True):
        assert int(m.optimizer.iterations) == int(t.optimizer.iterations) == 6
        for a, b in zip(m.optimizer.variables, t.optimizer.variables, strict=True):
            np.testing.assert_allclose(a.data, b.data, rtol=1e-5, atol=1e-7)


def test_second_fit_continues_from_each_members_own_state():
    members = [_compiled((5,), O.Adam(lr), seed=i) for i, lr in enumerate([0.01, 0.03])]
    twins = [twin(m) for m in members]
    x, y = regression_data()
    for _ in range(2):
        keras.backend.set_seed(5)
        histories = Population(members).fit(x, y, batch_size=16, epochs=2)
        alone = []
        for t in twins:
            keras.backend.set_seed(5)
            alone.append(t.fit(x, y, batch_size=16, epochs=2, verbose=0))
    for m, t, h, a in zip(members, twins, histories, alone, strict=True):
        assert_same_training(m, t, h, a)


@pytest.mark.parametrize("loss", ["mse", "mae"])
def test_one_dimensional_targets_align_per_member(loss):
    members = [_compiled(w, O.SGD(0.05), loss=loss, seed=i) for i, w in enumerate([(4,), (6,)])]
    x, y = regression_data()
    _train_both(members, x, y[:, 0], validation_data=(x[:20], y[:20, 0]))


# members of several depths in one pack: (widths, optimizers, hidden activation, extras)
MIXED_DEPTH_CASES = {
    "sgd_relu": ([(5, 5, 5), (3,), (7, 2), (4,)], [O.SGD(0.02), O.SGD(0.05), O.SGD(0.01),
                                                    O.SGD(0.03)], "relu", {}),
    "adam_tanh": ([(6, 6), (4,), (3, 3, 3)], [O.Adam(0.01), O.Adam(0.003), O.Adam(0.02)],
                  "tanh", {}),
    "momentum_sigmoid_masked": ([(4, 4), (6,)], [O.SGD(0.05, momentum=0.9),
                                                 O.SGD(0.02, momentum=0.5)], "sigmoid", {}),
    "linear_hidden": ([(3, 3), (5,)], [O.SGD(0.01), O.SGD(0.02)], "linear", {}),
    "l2_regularized": ([(4, 4), (6,)], [O.SGD(0.02), O.SGD(0.05)], "relu",
                       {"kernel_regularizer": keras.regularizers.L2(0.01)}),
}


@pytest.mark.parametrize("case", sorted(MIXED_DEPTH_CASES))
def test_members_of_different_depths_pack_and_match_alone(case):
    widths, optimizers, activation, extras = MIXED_DEPTH_CASES[case]
    members = [_compiled(w, opt, seed=i, activation=activation, **extras)
               for i, (w, opt) in enumerate(zip(widths, optimizers, strict=True))]
    twins = [twin(m) for m in members]
    x, y = regression_data()
    keras.backend.set_seed(7)
    population = Population(members)
    histories = population.fit(x, y, batch_size=16, epochs=3, validation_data=(x[:20], y[:20]))
    assert population.packs == [sorted(range(len(members)),
                                       key=lambda i: -len(widths[i]))]  # one pack
    for m, t, h in zip(members, twins, histories, strict=True):
        keras.backend.set_seed(7)
        alone = t.fit(x, y, batch_size=16, epochs=3, verbose=0, validation_data=(x[:20], y[:20]))
        assert_same_training(m, t, h, alone)


def test_members_of_different_depths_leave_the_pack_one_by_one():
    rates = [0.4, 0.01, 0.05, 0.2]
    widths = [(5, 5), (4,), (6, 3, 3), (3,)]
    members = [_compiled(w, O.SGD(lr), seed=i) for i, (w, lr) in enumerate(zip(widths, rates,
                                                                              strict=True))]

    def stopper():
        return keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=0.05)

    x, y = regression_data()
    histories, _ = _train_both(members, x, y, epochs=8, callbacks=[[stopper()] for _ in members],
                               twin_callbacks=[[stopper()] for _ in members])
    assert len({len(h.history["loss"]) for h in histories}) > 1  # left at different epochs


def test_member_whose_loss_goes_nan_leaves_validated_as_alone():
    members = [_compiled((4, 4), O.SGD(lr), seed=i, activation="linear")
               for i, lr in enumerate([1.0, 1e-4])]
    x, y = regression_data()
    with pytest.warns(RuntimeWarning):
        histories, _ = _train_both(members, x * 10, y, epochs=3,
                                   validation_data=(x[:20], y[:20]))
    diverged = histories[0].history
    assert not np.isfinite(diverged["loss"][-1]) and "val_loss" in diverged
    assert len(histories[1].history["loss"]) == 3
