"""One home for each concept (issue 20): aliases stay aliases, not second implementations."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

import neuroflow as keras

SRC = Path(__file__).resolve().parents[1] / "src" / "neuroflow"


def _defined_classes(path: Path) -> list[str]:
    return [n.name for n in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(n, ast.ClassDef)]


# ---- the Keras wrappers: one implementation in sklearn/, wrappers/ its tf.keras 2 spelling ----
def test_wrappers_package_defines_no_class():
    defined = {p.name: _defined_classes(p) for p in (SRC / "wrappers").rglob("*.py")}
    assert not any(defined.values()), f"wrappers/ must only re-export sklearn/: {defined}"


def test_tf_keras2_wrappers_are_the_sklearn_packages_classes():
    pytest.importorskip("sklearn")
    from neuroflow.sklearn import _tf_keras2_wrappers, keras_wrappers
    from neuroflow.wrappers import scikit_learn

    assert scikit_learn.KerasRegressor is _tf_keras2_wrappers.KerasRegressor
    assert scikit_learn.KerasClassifier is _tf_keras2_wrappers.KerasClassifier
    assert issubclass(scikit_learn.KerasRegressor, keras_wrappers.KerasRegressor)
    assert issubclass(scikit_learn.KerasClassifier, keras_wrappers.KerasClassifier)


# ---- two perceptrons, two names ---------------------------------------------------------------
def test_the_classic_perceptron_is_named_after_rosenblatt_and_keeps_its_old_name():
    from neuroflow import classic

    assert classic.RosenblattPerceptron.__name__ == "RosenblattPerceptron"
    assert classic.Perceptron is classic.RosenblattPerceptron
    assert "RosenblattPerceptron" in classic.__all__
    assert repr(classic.RosenblattPerceptron(eta=0.5)).startswith("RosenblattPerceptron(eta=0.5")


def test_the_rosenblatt_perceptron_names_itself_in_its_errors():
    from neuroflow.classic import RosenblattPerceptron

    with pytest.raises(ValueError, match=r"RosenblattPerceptron\.fit: expected targets in"):
        RosenblattPerceptron().fit([[0.0], [1.0]], [0, 2])


def test_the_scikit_learn_perceptron_is_another_class():
    pytest.importorskip("sklearn")
    from neuroflow import classic, sklearn

    assert sklearn.Perceptron is not classic.RosenblattPerceptron
    assert sklearn.Perceptron.__module__.startswith("neuroflow.sklearn")


# ---- one nested-structure module: the walkers above autodiff agree with backend.tree ----------
def test_ops_map_over_a_dict_keeps_its_keys_and_their_order():
    xs = {"b": np.arange(3.0, dtype="float32"), "a": (np.ones(3, "float32"),)}
    out = keras.ops.map(lambda x: {"b": x["b"] * 2, "a": (x["a"][0] + 1,)}, xs)
    assert list(out) == ["b", "a"]
    np.testing.assert_allclose(np.asarray(out["b"]), [0.0, 2.0, 4.0])
    np.testing.assert_allclose(np.asarray(out["a"][0]), [2.0, 2.0, 2.0])


def test_symbolic_inputs_nested_in_a_dict_are_seen_and_built_as_their_shapes():
    from neuroflow.backend import keras_tensor

    a, b = keras.Input(shape=[2]), keras.Input(shape=[3])
    assert keras_tensor.is_symbolic({"x": [1.0, {"y": a}]})
    assert not keras_tensor.is_symbolic({"x": [1.0, (2.0,)]})
    assert keras_tensor._shape_structure((a, {"k": b})) == [(None, 2), {"k": (None, 3)}]
    assert keras_tensor._shape_structure({"k": b, "j": a}) == {"k": (None, 3), "j": (None, 2)}
    assert list(keras_tensor._shape_structure({"k": b, "j": a})) == ["k", "j"]


def test_a_layer_called_on_a_tuple_of_arrays_builds_from_a_list_of_shapes():
    layer = keras.layers.Concatenate()
    out = layer((np.zeros((2, 1), "float32"), np.ones((2, 2), "float32")))
    assert tuple(out.shape) == (2, 3)
    assert layer._build_input_shape == [(2, 1), (2, 2)]


# ---- the training flag of a model call: one stack, in layers/call_context ---------------------
def test_a_model_call_passes_its_training_flag_to_nested_layers_and_restores_it():
    from neuroflow.layers import call_context

    seen = []

    class Probe(keras.layers.Layer):
        def call(self, inputs, training=None):
            seen.append(training)
            return inputs

    model = keras.Sequential([keras.Input(shape=[1]), Probe()])
    model(np.zeros((1, 1), "float32"), training=True)
    assert seen[-1] is True
    assert call_context.current_training() is None
