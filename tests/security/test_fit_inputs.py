"""Issue 18, item 13: fit checks all of its inputs before the first update, so a bad call
leaves the model exactly as it was."""

from __future__ import annotations

import numpy as np
import pytest

from neuroflow import backend, layers, models


def _model(loss: str = "sparse_categorical_crossentropy", functional: bool = False):
    backend.set_seed(0)
    if functional:
        inputs = layers.Input((4,))
        model = models.Model(inputs, layers.Dense(3, activation="softmax")(
            layers.Dense(5, activation="relu")(inputs)))
    else:
        model = models.Sequential([layers.Input((4,)), layers.Dense(5, activation="relu"),
                                   layers.Dense(3, activation="softmax")])
    model.compile(optimizer="sgd", loss=loss)
    return model


def _data(n: int = 64):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, 4)).astype("float32"), rng.integers(0, 3, size=n)


def _refused_untouched(model, match: str, **fit) -> None:
    before = [w.numpy().copy() for w in model.weights]
    iterations = int(model.optimizer.iterations.numpy())
    with pytest.raises(ValueError, match=match):
        model.fit(verbose=0, batch_size=8, shuffle=False, **fit)
    assert int(model.optimizer.iterations.numpy()) == iterations
    for w, old in zip(model.weights, before, strict=True):
        np.testing.assert_array_equal(w.numpy(), old)


@pytest.mark.parametrize("functional", [False, True])
@pytest.mark.parametrize("bad", [3, -1, 99])
def test_an_out_of_range_label_in_the_last_batch_trains_nothing(functional, bad):
    x, y = _data()
    y[-1] = bad
    _refused_untouched(_model(functional=functional), r"in \[0, 3\).*\[" + str(bad), x=x, y=y)


def test_a_fractional_label_trains_nothing():
    x, y = _data()
    y = y.astype("float32")
    y[-3] = 1.5
    _refused_untouched(_model(), "whole numbers", x=x, y=y)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_a_non_finite_sample_weight_trains_nothing(value):
    x, y = _data()
    weights = np.ones(len(y), "float32")
    weights[-1] = value
    _refused_untouched(_model(), "sample_weight holds 1 NaN or infinite", x=x, y=y,
                       sample_weight=weights)


def test_a_non_finite_class_weight_trains_nothing():
    x, y = _data()
    _refused_untouched(_model(), r"class_weight\[1\] is nan", x=x, y=y,
                       class_weight={0: 1.0, 1: float("nan"), 2: 1.0})


@pytest.mark.parametrize("functional", [False, True])
def test_validation_data_of_the_wrong_width_trains_nothing(functional):
    x, y = _data()
    _refused_untouched(_model(functional=functional), r"validation_data.*4.*\(16, 5\)",
                       x=x, y=y, validation_data=(np.zeros((16, 5), "float32"), y[:16]))


def test_validation_labels_out_of_range_train_nothing():
    x, y = _data()
    _refused_untouched(_model(), "validation_data's y", x=x, y=y,
                       validation_data=(x[:8], np.full(8, 7)))


def test_a_non_finite_validation_sample_weight_trains_nothing():
    x, y = _data()
    _refused_untouched(_model(), "validation_data's sample_weight", x=x, y=y,
                       validation_data=(x[:8], y[:8], np.full(8, np.nan, "float32")))


def test_ignore_class_labels_are_accepted():
    from neuroflow import losses

    x, y = _data()
    y[:4] = -1
    model = _model()
    model.compile(optimizer="sgd",
                  loss=losses.SparseCategoricalCrossentropy(ignore_class=-1))
    model.fit(x, y, epochs=1, verbose=0)


def test_dense_losses_do_not_check_labels():
    x, _ = _data()
    model = _model(loss="mse")
    model.fit(x, np.full((len(x), 3), 5.0, "float32"), epochs=1, verbose=0)


def test_good_inputs_train():
    x, y = _data()
    model = _model()
    model.fit(x, y, sample_weight=np.ones(len(y)), class_weight={0: 2.0},
              validation_data=(x[:8], y[:8]), epochs=1, verbose=0)
    assert int(model.optimizer.iterations.numpy()) == 2
