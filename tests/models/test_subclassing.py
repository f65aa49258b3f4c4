"""Subclassed models and custom layers: tracking, add_weight, add_loss, custom loops."""

import numpy as np
import pytest
from tests.models._chapter import XA, XB, Y, two_inputs

from neuroflow import layers
from neuroflow.autodiff.tensor import GradientTape
from neuroflow.losses import MeanSquaredError
from neuroflow.models import Model
from neuroflow.optimizers import SGD


class WideAndDeepModel(Model):
    def __init__(self, units=30, activation="relu", **kwargs):
        super().__init__(**kwargs)
        self.hidden1 = layers.Dense(units, activation=activation)
        self.hidden2 = layers.Dense(units, activation=activation)
        self.main_output = layers.Dense(1)
        self.aux_output = layers.Dense(1)

    def call(self, inputs):
        input_A, input_B = inputs
        hidden1 = self.hidden1(input_B)
        hidden2 = self.hidden2(hidden1)
        concat = layers.concatenate([input_A, hidden2])
        main_output = self.main_output(concat)
        aux_output = self.aux_output(hidden2)
        return main_output, aux_output


class MyDense(layers.Layer):
    def __init__(self, units, activation=None, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.activation = activation

    def build(self, batch_input_shape):
        self.kernel = self.add_weight(name="kernel", shape=[batch_input_shape[-1], self.units],
                                      initializer="glorot_normal")
        self.bias = self.add_weight(name="bias", shape=[self.units], initializer="zeros")

    def call(self, X):
        out = X @ self.kernel + self.bias
        return out if self.activation is None else self.activation(out)

    def compute_output_shape(self, batch_input_shape):
        return tuple(batch_input_shape[:-1]) + (self.units,)

    def get_config(self):
        return {**super().get_config(), "units": self.units}


def test_subclassed_wide_and_deep_equals_the_functional_one_with_the_same_weights():
    functional = two_inputs(aux=True)
    model = WideAndDeepModel()
    model((XA[:1], XB[:1]))
    model.set_weights(functional.get_weights())
    got = model.predict((XA[:5], XB[:5]), verbose=0)
    expected = functional.predict([XA[:5], XB[:5]], verbose=0)
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_allclose(g, e, rtol=1e-6)


@pytest.mark.slow
def test_subclassed_two_output_model_trains_with_loss_weights():
    model = WideAndDeepModel()
    model.compile(loss=["mse", "mse"], loss_weights=[0.9, 0.1], optimizer="sgd")
    history = model.fit((XA, XB), (Y, Y), epochs=4, verbose=0)
    assert list(history.history) == ["loss", "output_1_loss", "output_2_loss"]
    assert history.history["loss"][-1] < history.history["loss"][0]


def test_subclassed_model_with_more_outputs_than_losses_is_refused():
    model = WideAndDeepModel()
    model.compile(loss=["mse", "mse", "mse"], optimizer="sgd")
    with pytest.raises(ValueError, match="3 entries but the model has 2"):
        model.fit((XA, XB), (Y, Y), epochs=1, verbose=0)


def test_weights_tracked_from_attributes_lists_and_dicts():
    class Stack(Model):
        def __init__(self):
            super().__init__()
            self.blocks = [layers.Dense(3), layers.Dense(3)]
            self.heads = {"out": layers.Dense(1)}

        def call(self, x):
            for block in self.blocks:
                x = block(x)
            return self.heads["out"](x)

    model = Stack()
    model(np.ones((1, 2), dtype="float32"))
    assert len(model.trainable_weights) == 6 and model.count_params() == 9 + 12 + 4


def test_summary_of_an_unbuilt_subclassed_model_is_refused():
    with pytest.raises(ValueError, match="has not been built yet"):
        WideAndDeepModel(name="wd").summary()


def test_custom_layer_builds_its_weights_with_add_weight():
    layer = MyDense(3)
    out = layer(np.ones((2, 4), dtype="float32"))
    assert out.shape == (2, 3) and [v.name for v in layer.weights] == ["kernel", "bias"]
    assert layer(layers.Input(shape=[4])).shape == (None, 3)


def test_custom_layer_config_round_trips():
    clone = MyDense.from_config(MyDense(5, name="mine").get_config())
    assert (clone.units, clone.name) == (5, "mine")


def test_add_loss_is_added_to_the_training_loss():
    class Penalized(layers.Layer):
        def call(self, x):
            self.add_loss(10.0 * (x * x).mean())
            return x

    inp = layers.Input(shape=[2])
    model = Model(inp, layers.Dense(1, kernel_initializer="zeros")(Penalized()(inp)))
    model.compile(loss="mse", optimizer=SGD(learning_rate=0.0))
    x, y = np.ones((4, 2), dtype="float32"), np.zeros((4, 1), dtype="float32")
    logs = model.train_on_batch(x, y, return_dict=True)
    assert logs["loss"] == pytest.approx(10.0)


def test_custom_training_loop_with_gradient_tape_lowers_the_loss():
    model = WideAndDeepModel()
    optimizer, loss_fn = SGD(learning_rate=0.05), MeanSquaredError()
    losses = []
    for _ in range(15):
        with GradientTape() as tape:
            main, aux = model((XA, XB), training=True)
            loss = 0.9 * loss_fn(Y, main) + 0.1 * loss_fn(Y, aux)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables, strict=True))
        losses.append(float(loss))
    assert losses[-1] < losses[0]


def test_custom_train_step_override_is_used_by_fit():
    class Counting(Model):
        def __init__(self):
            super().__init__()
            self.dense = layers.Dense(1)
            self.steps = 0

        def call(self, x):
            return self.dense(x)

        def train_step(self, data):
            self.steps += 1
            return super().train_step(data)

    model = Counting()
    model.compile(loss="mse", optimizer="sgd")
    model.fit(XA[:64], Y[:64], batch_size=16, epochs=2, verbose=0)
    assert model.steps == 8
