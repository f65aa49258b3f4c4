"""MLPClassifier and MLPRegressor: scikit-learn's behaviour on neuroflow's engine."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")

from sklearn.exceptions import ConvergenceWarning, NotFittedError  # noqa: E402
from sklearn.utils.estimator_checks import parametrize_with_checks  # noqa: E402

from neuroflow.sklearn import MLPClassifier, MLPRegressor  # noqa: E402


@parametrize_with_checks(
    [
        MLPClassifier(max_iter=100, random_state=0),
        MLPRegressor(max_iter=100, random_state=0),
    ]
)
def test_sklearn_estimator_checks(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


def _classification(n_classes=3):
    from sklearn.datasets import make_classification

    return make_classification(
        n_samples=120, n_features=6, n_informative=4, n_classes=n_classes, random_state=0
    )


def _regression(n_targets=1):
    from sklearn.datasets import make_regression

    X, y = make_regression(n_samples=120, n_features=6, n_targets=n_targets, noise=1.0,
                           random_state=0)
    return X, y / 100


def _quiet_fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


SETTINGS = dict(hidden_layer_sizes=(10,), max_iter=15, random_state=0)


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"alpha": 0.5, "activation": "tanh"},
        {"solver": "sgd", "learning_rate": "invscaling", "learning_rate_init": 0.1},
        {"solver": "sgd", "momentum": 0.5, "nesterovs_momentum": False, "batch_size": 32},
    ],
)
def test_classifier_loss_curve_matches_scikit_learn(extra):
    from sklearn.neural_network import MLPClassifier as Reference

    X, y = _classification()
    ours = _quiet_fit(MLPClassifier(**SETTINGS, **extra), X, y)
    reference = _quiet_fit(Reference(**SETTINGS, **extra), X, y)
    np.testing.assert_allclose(ours.loss_curve_, reference.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(ours.predict_proba(X), reference.predict_proba(X), atol=1e-4)


@pytest.mark.parametrize("extra", [{"alpha": 0.3}, {"loss": "poisson"}, {"n_targets": 2}])
def test_regressor_loss_curve_matches_scikit_learn(extra):
    from sklearn.neural_network import MLPRegressor as Reference

    extra = dict(extra)
    X, y = _regression(extra.pop("n_targets", 1))
    if extra.get("loss") == "poisson":
        y = np.abs(y)
    ours = _quiet_fit(MLPRegressor(**SETTINGS, **extra), X, y)
    reference = _quiet_fit(Reference(**SETTINGS, **extra), X, y)
    np.testing.assert_allclose(ours.loss_curve_, reference.loss_curve_, rtol=1e-4)
    np.testing.assert_allclose(ours.predict(X), reference.predict(X), rtol=1e-3, atol=1e-4)


def test_adaptive_learning_rate_divides_by_five_when_the_loss_stalls():
    X, y = _regression()
    model = _quiet_fit(
        MLPRegressor(solver="sgd", learning_rate="adaptive", learning_rate_init=0.01,
                     tol=10.0, n_iter_no_change=1, max_iter=5, random_state=0), X, y
    )
    assert model._learning_rate_now == pytest.approx(0.01 / 5**2)


def test_lbfgs_solver_is_rejected_naming_the_supported_ones():
    X, y = _classification()
    with pytest.raises(ValueError, match="'adam' or 'sgd'.*lbfgs"):
        MLPClassifier(solver="lbfgs").fit(X, y)


def test_unknown_activation_is_rejected_at_fit_with_the_valid_choices():
    X, y = _regression()
    model = MLPRegressor(activation="softplus")
    with pytest.raises(ValueError, match="'identity', 'logistic', 'relu', 'tanh'"):
        model.fit(X, y)


def test_non_positive_hidden_layer_size_is_rejected():
    X, y = _regression()
    with pytest.raises(ValueError, match="hidden_layer_sizes must be > 0"):
        MLPRegressor(hidden_layer_sizes=(5, 0)).fit(X, y)


def test_predict_before_fit_raises_not_fitted_error():
    with pytest.raises(NotFittedError):
        MLPClassifier().predict(np.zeros((2, 3)))


def test_reaching_max_iter_warns_convergence_warning():
    X, y = _regression()
    with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
        MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0).fit(X, y)


def test_training_stops_when_the_loss_stops_improving_by_tol():
    X, y = _regression()
    model = MLPRegressor(hidden_layer_sizes=(4,), tol=1e3, n_iter_no_change=2, max_iter=50,
                         random_state=0).fit(X, y)
    # as scikit-learn: the first epoch sets best_loss_, then n_iter_no_change + 1 fail
    assert model.n_iter_ == 4
    assert len(model.loss_curve_) == 4


def test_early_stopping_keeps_the_best_validation_score():
    X, y = _classification()
    model = _quiet_fit(MLPClassifier(**SETTINGS, early_stopping=True, validation_fraction=0.2),
                       X, y)
    assert len(model.validation_scores_) == model.n_iter_
    assert model.best_validation_score_ == max(model.validation_scores_)
    assert model.best_loss_ is None


def test_fitted_attributes_have_the_layer_shapes():
    X, y = _classification()
    model = _quiet_fit(MLPClassifier(hidden_layer_sizes=(7, 5), max_iter=2), X, y)
    assert [c.shape for c in model.coefs_] == [(6, 7), (7, 5), (5, 3)]
    assert [b.shape for b in model.intercepts_] == [(7,), (5,), (3,)]
    assert (model.n_layers_, model.n_outputs_, model.out_activation_) == (4, 3, "softmax")
    assert list(model.classes_) == [0, 1, 2]


def test_binary_predict_proba_has_two_columns_summing_to_one():
    X, y = _classification(n_classes=2)
    proba = _quiet_fit(MLPClassifier(**SETTINGS), X, y).predict_proba(X[:5])
    assert proba.shape == (5, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_multilabel_targets_give_indicator_predictions():
    X, _ = _classification()
    Y = np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 0] + X[:, 1] > 0]).astype(int)
    model = _quiet_fit(MLPClassifier(**SETTINGS), X, Y)
    assert model.out_activation_ == "logistic"
    assert model.predict(X[:4]).shape == (4, 3)
    assert model.predict_proba(X[:4]).shape == (4, 3)


def test_multi_output_regression_predicts_every_target():
    X, Y = _regression(n_targets=3)
    assert _quiet_fit(MLPRegressor(**SETTINGS), X, Y).predict(X[:4]).shape == (4, 3)


def test_warm_start_continues_from_the_fitted_weights():
    X, y = _regression()
    model = _quiet_fit(MLPRegressor(**SETTINGS, warm_start=True), X, y)
    first_curve = list(model.loss_curve_)
    _quiet_fit(model, X, y)
    assert len(model.loss_curve_) == 2 * len(first_curve)
    assert model.loss_curve_[len(first_curve)] < first_curve[0]


def test_partial_fit_runs_one_epoch_per_call():
    X, y = _classification()
    model = MLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    model.partial_fit(X, y, classes=[0, 1, 2])
    model.partial_fit(X, y)
    assert len(model.loss_curve_) == 2
    assert model.t_ == 2 * len(X)


def test_pickled_estimator_predicts_the_same():
    X, y = _classification()
    model = _quiet_fit(MLPClassifier(**SETTINGS), X, y)
    clone = pickle.loads(pickle.dumps(model))
    np.testing.assert_array_equal(clone.predict_proba(X), model.predict_proba(X))


def test_works_in_a_pipeline_with_standard_scaler():
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = _regression()
    pipeline = make_pipeline(StandardScaler(), MLPRegressor(**SETTINGS))
    assert _quiet_fit(pipeline, X * 1000, y).predict(X[:3] * 1000).shape == (3,)


@pytest.mark.parametrize("search", ["grid", "randomized"])
def test_works_in_parallel_searches(search):
    from sklearn.model_selection import GridSearchCV, RandomizedSearchCV

    X, y = _classification()
    grid = {"hidden_layer_sizes": [(3,), (6,)], "alpha": [1e-4, 1e-2]}
    estimator = MLPClassifier(max_iter=5, random_state=0)
    if search == "grid":
        cv = GridSearchCV(estimator, grid, cv=2, n_jobs=2)
    else:
        cv = RandomizedSearchCV(estimator, grid, n_iter=2, cv=2, n_jobs=2, random_state=0)
    _quiet_fit(cv, X, y)
    assert cv.best_params_["hidden_layer_sizes"] in [(3,), (6,)]
    assert 0.0 <= cv.best_score_ <= 1.0


@pytest.mark.slow
def test_california_housing_rmse_matches_scikit_learn():
    from sklearn.metrics import root_mean_squared_error
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPRegressor as Reference
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from neuroflow.datasets import DatasetNotFoundError, fetch_california_housing

    try:
        housing = fetch_california_housing(download_if_missing=False)
    except DatasetNotFoundError:
        pytest.skip("California housing is not available offline (set NEUROFLOW_DATA)")
    X_train_full, X_test, y_train_full, y_test = train_test_split(
        housing.data, housing.target, random_state=42)
    X_train, X_valid, y_train, y_valid = train_test_split(
        X_train_full, y_train_full, random_state=42)
    # one run's validation RMSE swings with the seed (a few outlying districts dominate
    # it), and float32 training follows another trajectory than scikit-learn's float64
    # one: compare the medians over three seeds
    rmse: dict = {MLPRegressor: [], Reference: []}
    for seed in (42, 43, 44):
        for cls in rmse:
            pipeline = make_pipeline(StandardScaler(),
                                     cls(hidden_layer_sizes=[50, 50, 50], random_state=seed))
            _quiet_fit(pipeline, X_train, y_train)
            rmse[cls].append(root_mean_squared_error(y_valid, pipeline.predict(X_valid)))
    assert np.median(rmse[MLPRegressor]) <= np.median(rmse[Reference]) * 1.05
