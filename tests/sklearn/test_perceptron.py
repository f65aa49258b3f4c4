import importlib
import importlib.metadata
import pickle
import sys
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.datasets import load_iris, make_blobs, make_classification
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import Perceptron as SklearnPerceptron
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from neuroflow.sklearn import Perceptron, _perceptron_sgd
from neuroflow.sklearn._validation import InvalidParameterError

# scikit-learn 1.8 changed the SGD arithmetic for penalized and float32 fits; we follow 1.8+
BEFORE_SKLEARN_1_8 = pytest.mark.skipif(
    tuple(int(part) for part in importlib.metadata.version("scikit-learn").split(".")[:2])
    < (1, 8),
    reason="bit-exact agreement is with scikit-learn >= 1.8",
)
IRIS = load_iris()
PETALS = IRIS.data[:, 2:4]
IS_SETOSA = IRIS.target == 0
BLOBS_X, BLOBS_Y = make_blobs(n_samples=120, centers=3, random_state=1)
CLF_X, CLF_Y = make_classification(n_samples=200, n_features=8, random_state=0)


def fit_both(X, y, **params):
    """Our Perceptron and scikit-learn's, fitted with the same settings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = Perceptron(**params).fit(X, y)
        theirs = SklearnPerceptron(**params).fit(X, y)
    return ours, theirs


@parametrize_with_checks([Perceptron()])
def test_passes_scikit_learn_estimator_checks(estimator, check):
    check(estimator)


def test_chapter_example_classifies_iris_setosa_petals():
    per_clf = Perceptron(random_state=42).fit(PETALS, IS_SETOSA)
    np.testing.assert_array_equal(per_clf.predict([[2, 0.5], [3, 1]]), [True, False])


@pytest.mark.parametrize(
    ("X", "y", "params"),
    [
        (PETALS, IS_SETOSA, {"random_state": 42}),
        (IRIS.data, IRIS.target, {}),
        (CLF_X, CLF_Y, {"random_state": 7}),
        (BLOBS_X, BLOBS_Y, {"shuffle": False, "eta0": 0.1}),
    ],
    ids=["iris-setosa", "iris-3-classes", "make-classification", "blobs-no-shuffle"],
)
def test_predictions_match_scikit_learn(X, y, params):
    ours, theirs = fit_both(X, y, **params)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"penalty": "l2", "alpha": 0.01},
        {"penalty": "l1", "alpha": 0.001},
        pytest.param(
            {"penalty": "elasticnet", "alpha": 0.001, "l1_ratio": 0.5}, marks=BEFORE_SKLEARN_1_8
        ),
        {"early_stopping": True, "validation_fraction": 0.2},
        {"class_weight": "balanced", "fit_intercept": False},
        {"tol": None, "max_iter": 20},
    ],
    ids=["plain", "l2", "l1", "elasticnet", "early-stopping", "balanced-no-intercept", "no-tol"],
)
def test_coefficients_and_epochs_equal_scikit_learn(params):
    ours, theirs = fit_both(IRIS.data, IRIS.target, random_state=3, **params)
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)
    np.testing.assert_array_equal(ours.intercept_, theirs.intercept_)
    assert (ours.n_iter_, ours.t_) == (theirs.n_iter_, theirs.t_)


@BEFORE_SKLEARN_1_8
def test_float32_input_gives_float32_coefficients_equal_to_scikit_learn():
    ours, theirs = fit_both(BLOBS_X.astype(np.float32), BLOBS_Y, penalty="l2", alpha=0.001)
    assert ours.coef_.dtype == np.float32
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)


def test_partial_fit_equals_scikit_learn_batch_after_batch():
    ours, theirs = Perceptron(random_state=1), SklearnPerceptron(random_state=1)
    for batch in np.array_split(np.arange(200), 4):
        ours.partial_fit(CLF_X[batch], CLF_Y[batch], classes=[0, 1])
        theirs.partial_fit(CLF_X[batch], CLF_Y[batch], classes=[0, 1])
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)


def test_warm_start_continues_from_previous_solution_like_scikit_learn():
    ours = Perceptron(warm_start=True, max_iter=2)
    theirs = SklearnPerceptron(warm_start=True, max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for _ in range(3):
            ours.fit(IRIS.data, IRIS.target)
            theirs.fit(IRIS.data, IRIS.target)
    np.testing.assert_array_equal(ours.coef_, theirs.coef_)


def test_block_look_ahead_matches_instance_by_instance_rule(monkeypatch):
    fast = Perceptron(penalty="l2", alpha=0.05, class_weight={0: 0.0, 1: 1.0, 2: 2.0})
    fast.fit(IRIS.data, IRIS.target)

    def one_at_a_time(state, X, y, active, rows):
        for index in rows:
            state.step(X[index], float(y[index]))

    monkeypatch.setattr(_perceptron_sgd, "_run_blocks", one_at_a_time)
    slow = clone(fast).fit(IRIS.data, IRIS.target)
    np.testing.assert_array_equal(fast.coef_, slow.coef_)
    assert fast.n_iter_ == slow.n_iter_


def test_binary_fit_sets_one_row_of_coefficients():
    per_clf = Perceptron().fit(PETALS, IS_SETOSA)
    assert per_clf.coef_.shape == (1, 2) and per_clf.intercept_.shape == (1,)


def test_multiclass_fit_is_one_vs_rest_with_one_row_per_class():
    per_clf = Perceptron().fit(IRIS.data, IRIS.target)
    assert per_clf.coef_.shape == (3, 4) and per_clf.decision_function(IRIS.data).shape == (150, 3)


def test_t_counts_updates_as_n_iter_times_n_samples_plus_one():
    per_clf = Perceptron().fit(PETALS, IS_SETOSA)
    assert per_clf.t_ == per_clf.n_iter_ * 150 + 1


def test_fitted_attributes_describe_the_training_data():
    per_clf = Perceptron().fit(PETALS, np.where(IS_SETOSA, "setosa", "other"))
    assert per_clf.n_features_in_ == 2
    np.testing.assert_array_equal(per_clf.classes_, ["other", "setosa"])


def test_dataframe_input_sets_feature_names_in():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(PETALS, columns=["petal length (cm)", "petal width (cm)"])
    per_clf = Perceptron().fit(frame, IS_SETOSA)
    np.testing.assert_array_equal(per_clf.feature_names_in_, frame.columns)


def test_one_vs_rest_threads_give_the_same_model():
    serial = Perceptron().fit(BLOBS_X, BLOBS_Y)
    threaded = Perceptron(n_jobs=2).fit(BLOBS_X, BLOBS_Y)
    np.testing.assert_array_equal(serial.coef_, threaded.coef_)


def test_verbose_reports_each_epoch(capsys):
    Perceptron(verbose=1, max_iter=2, tol=None).fit(PETALS, IS_SETOSA)
    out = capsys.readouterr().out
    assert "-- Epoch 1" in out and "-- Epoch 2" in out


def test_reaching_max_iter_warns_of_no_convergence():
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        Perceptron(max_iter=1).fit(IRIS.data, IRIS.target)


def test_predict_before_fit_raises_not_fitted_error():
    with pytest.raises(NotFittedError):
        Perceptron().predict(PETALS)


def test_unknown_penalty_is_rejected_at_fit_with_valid_choices():
    with pytest.raises(InvalidParameterError, match=r"'penalty'.*\{'elasticnet', 'l1', 'l2'\}"):
        Perceptron(penalty="l3").fit(PETALS, IS_SETOSA)


def test_non_positive_eta0_is_rejected_with_its_range():
    with pytest.raises(ValueError, match=r"'eta0'.*\(0, inf\).*Got 0"):
        Perceptron(eta0=0).fit(PETALS, IS_SETOSA)


def test_nan_in_x_gets_scikit_learn_message():
    X = PETALS.copy()
    X[0, 0] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        Perceptron().fit(X, IS_SETOSA)


def test_x_and_y_of_different_lengths_are_rejected():
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Perceptron().fit(PETALS, IS_SETOSA[:-1])


def test_continuous_targets_are_rejected():
    with pytest.raises(ValueError, match="Unknown label type"):
        Perceptron().fit(PETALS, PETALS[:, 0])


def test_single_class_is_rejected():
    with pytest.raises(ValueError, match="greater than one"):
        Perceptron().fit(PETALS, np.ones(150))


def test_predict_with_wrong_number_of_features_is_rejected():
    per_clf = Perceptron().fit(PETALS, IS_SETOSA)
    with pytest.raises(ValueError, match="X has 4 features, but Perceptron is expecting 2"):
        per_clf.predict(IRIS.data)


def test_partial_fit_needs_classes_on_first_call():
    with pytest.raises(ValueError, match="classes must be passed"):
        Perceptron().partial_fit(PETALS, IS_SETOSA)


def test_partial_fit_rejects_labels_outside_classes():
    with pytest.raises(ValueError, match=r"labels \[2\] that are not in `classes`"):
        Perceptron().partial_fit(IRIS.data, IRIS.target, classes=[0, 1])


def test_partial_fit_refuses_early_stopping():
    with pytest.raises(ValueError, match="early_stopping should be False"):
        Perceptron(early_stopping=True).partial_fit(PETALS, IS_SETOSA, classes=[False, True])


def test_coef_init_of_wrong_shape_is_rejected():
    with pytest.raises(ValueError, match=r"coef_init.*\(3, 4\)"):
        Perceptron().fit(IRIS.data, IRIS.target, coef_init=np.zeros((3, 2)))


def test_clone_keeps_parameters_and_drops_fitted_state():
    fitted = Perceptron(penalty="l1", eta0=0.5).fit(PETALS, IS_SETOSA)
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params() and not hasattr(copy, "coef_")


def test_pickled_model_predicts_the_same():
    per_clf = Perceptron().fit(IRIS.data, IRIS.target)
    restored = pickle.loads(pickle.dumps(per_clf))
    np.testing.assert_array_equal(restored.predict(IRIS.data), per_clf.predict(IRIS.data))


def test_pipeline_with_standard_scaler_fits_iris():
    pipeline = make_pipeline(StandardScaler(), Perceptron(random_state=0))
    assert pipeline.fit(IRIS.data, IRIS.target).score(IRIS.data, IRIS.target) > 0.8


def test_grid_search_with_two_jobs_picks_a_penalty():
    search = GridSearchCV(Perceptron(), {"penalty": [None, "l2"]}, cv=3, n_jobs=2)
    search.fit(CLF_X, CLF_Y)
    assert search.best_params_["penalty"] in (None, "l2") and search.best_score_ > 0.7


def test_randomized_search_with_two_jobs_samples_eta0():
    search = RandomizedSearchCV(
        Perceptron(), {"eta0": [0.01, 0.1, 1.0]}, n_iter=2, cv=3, n_jobs=2, random_state=0
    )
    search.fit(CLF_X, CLF_Y)
    assert search.best_params_["eta0"] in (0.01, 0.1, 1.0)


def test_import_without_scikit_learn_says_how_to_install(monkeypatch):
    for name in [name for name in sys.modules if name.startswith("neuroflow.sklearn")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "sklearn", None)
    with pytest.raises(ImportError, match=r'pip install "neuroflow\[sklearn\]"'):
        importlib.import_module("neuroflow.sklearn")
