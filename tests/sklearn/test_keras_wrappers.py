"""KerasClassifier and KerasRegressor (scikeras style) around neuroflow models."""

from __future__ import annotations

import functools
import pickle

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import NotFittedError  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from neuroflow.layers import Dense, InputLayer  # noqa: E402
from neuroflow.models import Sequential  # noqa: E402
from neuroflow.optimizers import Adam  # noqa: E402
from neuroflow.sklearn import KerasClassifier, KerasRegressor  # noqa: E402
from neuroflow.wrappers.scikit_learn import KerasClassifier as LegacyClassifier  # noqa: E402
from neuroflow.wrappers.scikit_learn import KerasRegressor as LegacyRegressor  # noqa: E402


class _NamedBuildFunction:
    """A build function whose repr is its name: scikit-learn's check ids print the
    estimator's parameters, and a plain function's repr holds its memory address, which
    differs between pytest-xdist workers (they must collect the same test ids)."""

    def __init__(self, function):
        functools.update_wrapper(self, function)

    def __call__(self, *args, **kwargs):
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self) -> str:
        return self.__name__


def adaptive_model(meta):
    """A small MLP shaped by the data: one hidden layer, the right output layer."""
    model = Sequential([InputLayer(shape=(meta["n_features_in_"],)),
                        Dense(32, activation="relu")])
    if "n_classes_" in meta:
        model.add(Dense(meta["n_classes_"], activation="softmax"))
        model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(0.02))
    else:
        model.add(Dense(meta["n_outputs_"]))
        model.compile(loss="mse", optimizer=Adam(0.02))
    return model


def build_regressor(n_hidden=1, n_neurons=8, meta=None):
    """tf.keras 2 style: the wrapper's parameters are this function's arguments."""
    model = Sequential([InputLayer(shape=(meta["n_features_in_"],))])
    for _ in range(n_hidden):
        model.add(Dense(n_neurons, activation="relu"))
    model.add(Dense(1))
    model.compile(loss="mse", optimizer="sgd")
    return model


def uncompiled_classifier(meta, units=8):
    return Sequential([InputLayer(shape=(meta["n_features_in_"],)),
                       Dense(units, activation="relu"),
                       Dense(meta["n_classes_"], activation="softmax")])


@parametrize_with_checks(
    [
        KerasClassifier(_NamedBuildFunction(adaptive_model), epochs=40, batch_size=32,
                        verbose=0, random_state=0),
        KerasRegressor(_NamedBuildFunction(adaptive_model), epochs=40, batch_size=32,
                       verbose=0, random_state=0),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def seeded_model(meta):
    """Seeds itself, so that tf.keras 2 style wrappers (no random_state) are repeatable."""
    from neuroflow.utils import set_random_seed

    set_random_seed(0)
    model = Sequential([InputLayer(shape=(meta["n_features_in_"],)),
                        Dense(32, activation="relu")])
    if "n_classes_" in meta:
        model.add(Dense(meta["n_classes_"], activation="softmax"))
        model.compile(loss="sparse_categorical_crossentropy", optimizer=Adam(0.05),
                      metrics=["accuracy"])
    else:
        model.add(Dense(meta["n_outputs_"]))
        model.compile(loss="mse", optimizer=Adam(0.05))
    return model


@parametrize_with_checks([LegacyClassifier(_NamedBuildFunction(seeded_model)),
                          LegacyRegressor(_NamedBuildFunction(seeded_model))])
def test_tf_keras_2_wrappers_pass_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _regression():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((80, 3))
    return X, X @ np.array([1.0, -2.0, 0.5]) + 0.05 * rng.standard_normal(80)


def _classification():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((90, 2))
    return X, np.array(["a", "b", "c"])[(X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)]


def test_routed_model_parameters_reach_the_build_function():
    X, y = _regression()
    reg = KerasRegressor(build_regressor, model__n_hidden=3, model__n_neurons=5, verbose=0)
    reg.fit(X, y)
    assert [layer.units for layer in reg.model_.layers] == [5, 5, 5, 1]


def test_build_function_arguments_are_searchable_parameters():
    reg = KerasRegressor(build_regressor)
    assert reg.get_params()["n_hidden"] == 1
    reg.set_params(n_hidden=2)
    X, y = _regression()
    reg.set_params(verbose=0).fit(X, y)
    assert len(reg.model_.layers) == 3


def test_optimizer_parameters_are_routed_when_the_wrapper_compiles():
    X, y = _classification()
    clf = KerasClassifier(uncompiled_classifier, optimizer="sgd", optimizer__learning_rate=0.3,
                          verbose=0)
    clf.fit(X, y)
    assert clf.model_.optimizer.current_learning_rate() == pytest.approx(0.3)
    assert clf.model_.loss == "sparse_categorical_crossentropy"


def test_fit_keyword_arguments_go_to_the_model_fit():
    X, y = _regression()
    reg = KerasRegressor(adaptive_model, epochs=3, verbose=0)
    reg.fit(X, y, validation_data=(X[:10], y[:10]), epochs=2)
    assert len(reg.history_["loss"]) == 2
    assert len(reg.history_["val_loss"]) == 2


def test_classifier_predicts_original_labels_and_scores_accuracy():
    X, y = _classification()
    clf = KerasClassifier(adaptive_model, epochs=30, verbose=0, random_state=0).fit(X, y)
    assert set(clf.predict(X)) <= {"a", "b", "c"}
    assert clf.predict_proba(X[:4]).shape == (4, 3)
    assert clf.score(X, y) == pytest.approx(np.mean(clf.predict(X) == y))


def test_regressor_score_is_r2():
    from sklearn.metrics import r2_score

    X, y = _regression()
    reg = KerasRegressor(adaptive_model, epochs=10, verbose=0, random_state=0).fit(X, y)
    assert reg.score(X, y) == pytest.approx(r2_score(y, reg.predict(X)))


def test_predict_before_fit_raises_not_fitted_error():
    with pytest.raises(NotFittedError):
        KerasRegressor(adaptive_model).predict(np.zeros((2, 3)))


def test_non_callable_model_is_rejected_at_fit():
    X, y = _regression()
    with pytest.raises(TypeError, match="must be a function that builds"):
        KerasRegressor("not a function", verbose=0).fit(X, y)


def test_bad_epochs_value_is_rejected_at_fit():
    X, y = _regression()
    with pytest.raises(ValueError, match="'epochs' parameter"):
        KerasRegressor(adaptive_model, epochs=-1).fit(X, y)


def test_unknown_tf_keras_2_parameter_is_rejected_at_fit():
    X, y = _regression()
    with pytest.raises(ValueError, match="bogus is not a legal parameter"):
        LegacyRegressor(build_regressor, bogus=1).fit(X, y)


def test_pickled_wrapper_rebuilds_its_model_with_the_same_weights():
    X, y = _regression()
    reg = KerasRegressor(build_regressor, model__n_hidden=2, verbose=0, random_state=0)
    reg.fit(X, y)
    copy = pickle.loads(pickle.dumps(reg))
    np.testing.assert_array_equal(copy.predict(X), reg.predict(X))
    assert copy.model_ is not reg.model_


def test_works_in_a_pipeline_with_standard_scaler():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _regression()
    pipeline = make_pipeline(StandardScaler(), KerasRegressor(adaptive_model, verbose=0))
    assert pipeline.fit(X * 100, y).predict(X[:2] * 100).shape == (2,)


@pytest.mark.parametrize("search", ["grid", "randomized"])
def test_works_in_parallel_searches(search):
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    X, y = _regression()
    grid = {"n_hidden": [0, 1], "model__n_neurons": [4, 8]}
    reg = KerasRegressor(build_regressor, epochs=2, verbose=0, random_state=0)
    if search == "grid":
        cv = GridSearchCV(reg, grid, cv=2, n_jobs=2)
    else:
        cv = RandomizedSearchCV(reg, grid, n_iter=2, cv=2, n_jobs=2, random_state=0)
    cv.fit(X, y)
    assert cv.best_params_["n_hidden"] in (0, 1)
    assert len(cv.best_estimator_.model_.layers) == cv.best_params_["n_hidden"] + 1


def test_random_state_makes_fits_repeatable_and_restores_global_generators():
    X, y = _regression()
    state = np.random.get_state()[1].copy()
    first = KerasRegressor(adaptive_model, verbose=0, random_state=3).fit(X, y).predict(X)
    second = KerasRegressor(adaptive_model, verbose=0, random_state=3).fit(X, y).predict(X)
    np.testing.assert_array_equal(first, second)
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_warm_start_keeps_training_the_same_model():
    X, y = _regression()
    reg = KerasRegressor(adaptive_model, warm_start=True, verbose=0).fit(X, y)
    model = reg.model_
    reg.fit(X, y)
    assert reg.model_ is model
    assert len(reg.history_["loss"]) == 2
