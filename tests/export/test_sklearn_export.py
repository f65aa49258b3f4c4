"""neuroflow.sklearn estimators in ONNX: outputs equal predict / predict_proba /
decision_function for binary, multiclass, string-labelled and multilabel targets."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("sklearn")

from tests.export.conftest import run  # noqa: E402

from neuroflow.export import export_model, to_onnx  # noqa: E402
from neuroflow.sklearn import MLPClassifier, MLPRegressor, Perceptron  # noqa: E402

RNG = np.random.default_rng(0)
X = RNG.normal(size=(60, 4))
TARGETS = {
    "binary": RNG.integers(0, 2, 60),
    "multiclass": RNG.integers(0, 3, 60) + 5,
    "strings": np.array(["cat", "dog", "emu"])[RNG.integers(0, 3, 60)],
    "multilabel": (RNG.random((60, 3)) > 0.5).astype(int),
}


def _outputs(estimator):
    return run(to_onnx(estimator), X.astype(np.float32))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("target", sorted(TARGETS))
def test_mlp_classifier_matches_predict_and_predict_proba(target, activation):
    clf = MLPClassifier(hidden_layer_sizes=(6, 5), activation=activation, max_iter=30,
                        random_state=0).fit(X, TARGETS[target])
    outs = _outputs(clf)
    np.testing.assert_allclose(outs["probabilities"], clf.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(outs["label"], clf.predict(X))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("n_targets", [1, 2])
def test_mlp_regressor_matches_predict(n_targets):
    y = X[:, :n_targets] * 2.0 + 1.0
    reg = MLPRegressor(hidden_layer_sizes=(8,), max_iter=30, random_state=0).fit(
        X, y.ravel() if n_targets == 1 else y)
    got = _outputs(reg)["variable"]
    assert got.shape == reg.predict(X).shape
    np.testing.assert_allclose(got, reg.predict(X), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("target", ["binary", "multiclass", "strings"])
def test_perceptron_matches_predict_and_decision_function(target):
    clf = Perceptron(random_state=0).fit(X, TARGETS[target])
    outs = _outputs(clf)
    np.testing.assert_allclose(outs["scores"], clf.decision_function(X), rtol=1e-5, atol=1e-4)
    np.testing.assert_array_equal(outs["label"], clf.predict(X))


def test_estimator_export_writes_a_file(tmp_path):
    clf = Perceptron(random_state=0).fit(X, TARGETS["binary"])
    path = export_model(clf, tmp_path / "perceptron.onnx", verbose=False)
    np.testing.assert_array_equal(run(str(path), X.astype(np.float32))["label"], clf.predict(X))


def test_unfitted_estimator_is_refused():
    with pytest.raises(ValueError, match="MLPClassifier is not fitted"):
        to_onnx(MLPClassifier())


def test_other_estimators_are_refused():
    from sklearn.linear_model import LinearRegression

    with pytest.raises(TypeError, match="LinearRegression"):
        to_onnx(LinearRegression().fit(X, X[:, 0]))
