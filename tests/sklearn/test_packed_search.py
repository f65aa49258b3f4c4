"""The packed searches give scikit-learn's own searches' results, fold by fold."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from scipy.stats import reciprocal  # noqa: E402
from sklearn.exceptions import FitFailedWarning  # noqa: E402
from sklearn.linear_model import Ridge  # noqa: E402
from sklearn.model_selection import GridSearchCV, KFold, RandomizedSearchCV  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

import neuroflow as keras  # noqa: E402
from neuroflow.sklearn import (  # noqa: E402
    KerasClassifier,
    KerasRegressor,
    PackedGridSearchCV,
    PackedRandomizedSearchCV,
)


def build_model(n_hidden=1, n_neurons=6, learning_rate=3e-3, input_shape=[5]):  # noqa: B006
    """The chapter's build function (tf.keras 2 style arguments)."""
    model = keras.models.Sequential([keras.layers.InputLayer(shape=input_shape)])
    for _ in range(n_hidden):
        model.add(keras.layers.Dense(n_neurons, activation="relu"))
    model.add(keras.layers.Dense(1))
    model.compile(loss="mse", optimizer=keras.optimizers.SGD(learning_rate=learning_rate))
    return model


def build_classifier(n_neurons=5, meta=None):
    model = keras.Sequential([keras.layers.Input(shape=(meta["n_features_in_"],)),
                              keras.layers.Dense(n_neurons, activation="relu"),
                              keras.layers.Dense(meta["n_classes_"], activation="softmax")])
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    return model


def _data(n=61, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 5))
    y = X[:, 0] - 0.5 * X[:, 1] + 0.1 * rng.standard_normal(n)
    return X, y


X, y = _data()
X_valid, y_valid = _data(20, 1)
DISTRIBUTIONS = {"n_hidden": [0, 1, 2], "n_neurons": np.arange(1, 12).tolist(),
                 "learning_rate": reciprocal(3e-4, 3e-2)}


def _assert_same_results(packed, reference):
    ours, theirs = packed.cv_results_, reference.cv_results_
    assert sorted(ours) == sorted(theirs)
    assert ours["params"] == theirs["params"]
    for key in theirs:
        if "time" in key or key == "params":
            continue
        if key.startswith("param_"):
            assert list(ours[key]) == list(theirs[key]), key
        else:
            np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, err_msg=key)
    assert packed.best_params_ == reference.best_params_
    assert packed.best_index_ == reference.best_index_
    assert packed.n_splits_ == reference.n_splits_


@pytest.mark.parametrize("case", ["chapter_legacy", "scikeras_seeded", "train_scores",
                                  "multimetric_refit_name"])
def test_randomized_search_equals_scikit_learns_on_the_same_splits(case):
    estimator = keras.wrappers.scikit_learn.KerasRegressor(build_model, random_state=3)
    options: dict = {"n_iter": 5, "cv": KFold(3), "random_state": 42}
    fit = {"epochs": 3, "verbose": 0, "validation_data": (X_valid, y_valid)}
    if case == "scikeras_seeded":
        estimator = KerasRegressor(build_model, random_state=7, epochs=2, batch_size=8,
                                   verbose=0)
        fit = {}
    elif case == "train_scores":
        options.update(return_train_score=True, cv=KFold(3, shuffle=True, random_state=1))
    elif case == "multimetric_refit_name":
        options.update(scoring=["r2", "neg_mean_squared_error"], refit="r2")
    packed = PackedRandomizedSearchCV(estimator, DISTRIBUTIONS, **options).fit(X, y, **fit)
    reference = RandomizedSearchCV(estimator, DISTRIBUTIONS, **options).fit(X, y, **fit)
    _assert_same_results(packed, reference)
    np.testing.assert_allclose(packed.best_estimator_.predict(X_valid),
                               reference.best_estimator_.predict(X_valid), rtol=1e-5)
    assert packed.best_score_ == pytest.approx(reference.best_score_, rel=1e-5)


def test_grid_search_classifier_equals_scikit_learns():
    rng = np.random.default_rng(2)
    Xc = rng.standard_normal((45, 4))
    yc = np.array(["a", "b", "c"])[np.argmax(Xc[:, :3], axis=1)]
    estimator = KerasClassifier(build_classifier, random_state=0, epochs=3, batch_size=8,
                                verbose=0)
    grid = {"n_neurons": [2, 4, 7]}
    packed = PackedGridSearchCV(estimator, grid, cv=3).fit(Xc, yc)
    reference = GridSearchCV(estimator, grid, cv=3).fit(Xc, yc)
    _assert_same_results(packed, reference)
    assert list(packed.best_estimator_.classes_) == ["a", "b", "c"]


def test_failed_fits_score_error_score_and_raise_when_asked():
    def build(n_neurons=3):
        if n_neurons == 0:
            raise ValueError("no units")
        return build_model(n_neurons=n_neurons)

    estimator = keras.wrappers.scikit_learn.KerasRegressor(build, random_state=0, epochs=1,
                                                           verbose=0)
    search = PackedGridSearchCV(estimator, {"n_neurons": [0, 4]}, cv=2)
    with pytest.warns(FitFailedWarning, match="2 of the 4 fits failed.*ValueError: no units"):
        search.fit(X, y)
    assert np.isnan(search.cv_results_["mean_test_score"][0])
    assert search.best_params_ == {"n_neurons": 4}
    with pytest.raises(ValueError, match="no units"):
        PackedGridSearchCV(estimator, {"n_neurons": [0, 4]}, cv=2, error_score="raise").fit(X, y)


def test_candidates_and_folds_train_in_packs(monkeypatch):
    from neuroflow.population import Population

    sizes = []
    original = Population.fit

    def spy(self, *args, **kwargs):
        sizes.append(len(self.models))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Population, "fit", spy)
    estimator = keras.wrappers.scikit_learn.KerasRegressor(build_model, random_state=0,
                                                           epochs=1, verbose=0)
    PackedRandomizedSearchCV(estimator, DISTRIBUTIONS, n_iter=4, cv=3, refit=False,
                             random_state=0).fit(X, y)
    assert sizes == [12]  # 4 candidates x 3 folds in one population call


@parametrize_with_checks([PackedGridSearchCV(Ridge(), {"alpha": [0.1, 1.0]}, cv=2),
                          PackedRandomizedSearchCV(Ridge(), {"alpha": [0.1, 1.0, 3.0]},
                                                   n_iter=2, cv=2, random_state=0)],
                         # scikit-learn's own GridSearchCV(Ridge()) fails it too: the
                         # search's tags do not say its estimator is multi-output
                         expected_failed_checks=lambda e: {
                             "check_supervised_y_2d": "inherited from BaseSearchCV's tags"})
def test_packed_searches_pass_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        check(estimator)
