"""One home for each concept (issue 20): aliases stay aliases, not second implementations."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

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
