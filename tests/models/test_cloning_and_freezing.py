"""clone_model and trainable=False: reusing a trained model's layers (transfer learning)."""

import numpy as np
from tests.models._chapter import X, two_inputs

from neuroflow import layers
from neuroflow.models import Sequential, clone_model

Y_BIN = (X[:, :1] > 0).astype("float32")


def model_a():
    return Sequential([layers.Dense(10, activation="relu", input_shape=[8]),
                       layers.Dense(10, activation="relu"), layers.Dense(3, activation="softmax")])


def test_clone_has_the_same_architecture_and_fresh_weights():
    model = model_a()
    clone = clone_model(model)
    assert [type(la) for la in clone.layers] == [type(la) for la in model.layers]
    assert clone.count_params() == model.count_params()
    assert not np.allclose(clone.get_weights()[0], model.get_weights()[0])


def test_clone_with_copied_weights_predicts_the_same():
    model = model_a()
    clone = clone_model(model)
    clone.set_weights(model.get_weights())
    np.testing.assert_allclose(clone.predict(X[:5], verbose=0), model.predict(X[:5], verbose=0))


def test_functional_clone_keeps_inputs_outputs_and_names():
    model = two_inputs(aux=True)
    clone = clone_model(model)
    assert clone.input_names == model.input_names and clone.output_names == model.output_names
    assert all(a is not b for a, b in zip(clone.layers, model.layers, strict=True))


def test_frozen_layers_are_not_updated_by_fit():
    model_A = model_a()
    model_B_on_A = Sequential(model_A.layers[:-1])
    model_B_on_A.add(layers.Dense(1, activation="sigmoid"))
    for layer in model_B_on_A.layers[:-1]:
        layer.trainable = False
    model_B_on_A.compile(loss="binary_crossentropy", optimizer="sgd")
    frozen = model_A.layers[0].get_weights()[0].copy()
    head = model_B_on_A.layers[-1].get_weights()[0].copy()
    model_B_on_A.fit(X, Y_BIN, epochs=1, verbose=0)
    np.testing.assert_array_equal(model_A.layers[0].get_weights()[0], frozen)
    assert not np.array_equal(model_B_on_A.layers[-1].get_weights()[0], head)


def test_frozen_params_show_as_non_trainable():
    model = model_a()
    model.layers[0].trainable = False
    assert len(model.trainable_weights) == 4 and len(model.non_trainable_weights) == 2


def test_freezing_a_whole_model_freezes_its_layers():
    model = two_inputs()
    model.trainable = False
    assert model.trainable_weights == [] and all(not la.trainable for la in model.layers)
