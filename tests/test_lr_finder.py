"""find_learning_rate on linear regression, whose stable learning rates are known.

For the mean squared error on standardized, uncorrelated features, gradient descent is
stable below a learning rate of about 1 (2 / the largest Hessian eigenvalue, which is 2)
and diverges above it, so the sweep must explode there and suggest a rate well below it.
The targets carry noise (variance 0.25) so that the gradient never vanishes.
"""

import numpy as np
import pytest

import neuroflow as keras
from neuroflow.utils import find_learning_rate


def _problem(seed=0):
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((512, 4)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5, 3.0], dtype="float32"))[:, None]
    y += 0.5 * rng.standard_normal(y.shape).astype("float32")
    model = keras.Sequential([keras.layers.Input(shape=[4]), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=0.001))
    return model, x, y


def test_suggested_rate_is_stable_and_not_tiny():
    model, x, y = _problem()
    result = find_learning_rate(model, x, y, min_lr=1e-4, max_lr=10, steps=200)
    assert 0.01 <= result.suggested_learning_rate < 0.5


def test_sweep_stops_when_the_loss_explodes():
    model, x, y = _problem()
    result = find_learning_rate(model, x, y, min_lr=1e-4, max_lr=100, steps=300)
    assert len(result.losses) < 300 and result.learning_rates[-1] > 1.0


def test_suggested_rate_trains_the_model():
    model, x, y = _problem()
    suggested = find_learning_rate(model, x, y, min_lr=1e-4, max_lr=10,
                                   steps=200).suggested_learning_rate
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=suggested))
    history = model.fit(x, y, epochs=3, verbose=0)
    assert history.history["loss"][-1] < 0.4  # the noise floor is 0.25


def test_learning_rate_grows_exponentially():
    model, x, y = _problem()
    rates = find_learning_rate(model, x, y, min_lr=1e-4, max_lr=1e-2, steps=3).learning_rates
    np.testing.assert_allclose(rates, [1e-4, 1e-3, 1e-2], rtol=1e-6)


def test_weights_are_restored():
    model, x, y = _problem()
    model(x[:1])
    before = model.get_weights()
    find_learning_rate(model, x, y, steps=50)
    for a, b in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_optimizer_is_left_untouched():
    model, x, y = _problem()
    optimizer = model.optimizer
    find_learning_rate(model, x, y, steps=20)
    assert model.optimizer is optimizer and int(optimizer.iterations) == 0
    assert float(optimizer.learning_rate.data) == pytest.approx(0.001)


def test_result_unpacks_as_curve_and_suggestion():
    model, x, y = _problem()
    rates, losses, suggested = find_learning_rate(model, x, y, steps=10)
    assert len(rates) == len(losses) and suggested > 0


def test_min_lr_above_max_lr_is_refused():
    model, x, y = _problem()
    with pytest.raises(ValueError, match="0 < min_lr < max_lr"):
        find_learning_rate(model, x, y, min_lr=1.0, max_lr=0.1)


def test_uncompiled_model_is_refused():
    model = keras.Sequential([keras.layers.Input(shape=[4]), keras.layers.Dense(1)])
    with pytest.raises(ValueError, match="compile the model"):
        find_learning_rate(model, np.zeros((4, 4)), np.zeros((4, 1)))


def test_plot_draws_loss_on_a_log_axis():
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    model, x, y = _problem()
    ax = find_learning_rate(model, x, y, steps=20).plot()
    assert ax.get_xscale() == "log" and ax.get_ylabel() == "Loss"
