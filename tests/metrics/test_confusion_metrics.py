import numpy as np
import pytest

from neuroflow import metrics
from neuroflow.metrics.confusion_metrics import confusion_counts

sklearn_metrics = pytest.importorskip("sklearn.metrics")

Y = np.array([0, 0, 1, 1, 1, 0, 1, 0, 1, 0])
S = np.array([0.1, 0.4, 0.35, 0.8, 0.9, 0.2, 0.55, 0.7, 0.45, 0.05])


def test_confusion_counts_at_one_threshold():
    counts = confusion_counts(Y, S, [0.5])
    assert [counts[k][0] for k in ("tp", "fp", "tn", "fn")] == [3, 1, 4, 2]


def test_confusion_counts_match_a_direct_comparison_at_many_thresholds():
    thresholds = [0.9, 0.0, 0.42, 0.55]
    counts = confusion_counts(Y, S, thresholds)
    expected_tp = [np.sum((S > t) & (Y == 1)) for t in thresholds]
    np.testing.assert_array_equal(counts["tp"], expected_tp)


def test_confusion_counts_with_sample_weight():
    counts = confusion_counts([1, 1], [0.9, 0.8], [0.5], sample_weight=[2.0, 0.5])
    assert counts["tp"][0] == 2.5


def test_true_positives_count():
    m = metrics.TruePositives()
    m.update_state(Y, S)
    assert m.result() == 3


def test_false_negatives_at_several_thresholds():
    m = metrics.FalseNegatives(thresholds=[0.3, 0.6])
    m.update_state(Y, S)
    np.testing.assert_array_equal(m.result(), [0, 3])


def test_precision_matches_sklearn():
    m = metrics.Precision()
    m.update_state(Y, S)
    assert m.result() == pytest.approx(sklearn_metrics.precision_score(Y, S > 0.5))


def test_recall_matches_sklearn():
    m = metrics.Recall()
    m.update_state(Y, S)
    assert m.result() == pytest.approx(sklearn_metrics.recall_score(Y, S > 0.5))


def test_precision_accumulates_over_batches():
    m = metrics.Precision()
    m.update_state(Y[:5], S[:5])
    m.update_state(Y[5:], S[5:])
    assert m.result() == pytest.approx(sklearn_metrics.precision_score(Y, S > 0.5))


def test_precision_with_sample_weight_matches_sklearn():
    w = np.linspace(0.1, 1.0, Y.size)
    m = metrics.Precision()
    m.update_state(Y, S, sample_weight=w)
    expected = sklearn_metrics.precision_score(Y, S > 0.5, sample_weight=w)
    assert m.result() == pytest.approx(expected, rel=1e-6)


def test_recall_at_several_thresholds_returns_one_value_each():
    m = metrics.Recall(thresholds=[0.3, 0.5])
    m.update_state(Y, S)
    expected = [sklearn_metrics.recall_score(Y, S > t) for t in (0.3, 0.5)]
    np.testing.assert_allclose(m.result(), expected, rtol=1e-6)


def test_precision_without_predicted_positives_is_zero():
    m = metrics.Precision()
    m.update_state([1, 0], [0.1, 0.2])
    assert m.result() == 0.0


def test_precision_reset():
    m = metrics.Precision()
    m.update_state(Y, S)
    m.reset_state()
    assert m.result() == 0.0


def test_precision_with_class_id_reads_that_column():
    y = np.eye(3)[[0, 1, 2, 1]]
    p = np.array([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.6, 0.3], [0.3, 0.3, 0.4]])
    m = metrics.Precision(class_id=1)
    m.update_state(y, p)
    assert m.result() == pytest.approx(0.5)


def test_recall_with_top_k_keeps_only_the_k_highest():
    y = np.array([[1, 0, 1], [0, 1, 0]])
    p = np.array([[0.9, 0.8, 0.3], [0.2, 0.1, 0.6]])
    m = metrics.Recall(top_k=1)
    m.update_state(y, p)
    assert m.result() == pytest.approx(1 / 3)


def test_precision_rejects_thresholds_outside_unit_interval():
    with pytest.raises(ValueError, match="thresholds must lie in"):
        metrics.Precision(thresholds=1.5)


def test_precision_class_id_out_of_range_raises():
    m = metrics.Precision(class_id=5)
    with pytest.raises(ValueError, match="class_id=5"):
        m.update_state(np.eye(3), np.eye(3))


def test_precision_config_round_trip():
    m = metrics.Precision(thresholds=[0.2, 0.7], class_id=1, name="p")
    assert metrics.Precision.from_config(m.get_config()).get_config() == m.get_config()


def test_auc_roc_close_to_sklearn_with_default_thresholds():
    m = metrics.AUC()
    m.update_state(Y, S)
    assert m.result() == pytest.approx(sklearn_metrics.roc_auc_score(Y, S), abs=1e-2)


def test_auc_roc_equals_sklearn_when_thresholds_separate_every_score():
    cuts = (np.sort(S)[:-1] + np.sort(S)[1:]) / 2
    m = metrics.AUC(thresholds=cuts.tolist())
    m.update_state(Y, S)
    assert m.result() == pytest.approx(sklearn_metrics.roc_auc_score(Y, S), rel=1e-6)


def test_auc_with_sample_weight_matches_sklearn():
    w = np.linspace(0.1, 1.0, Y.size)
    cuts = (np.sort(S)[:-1] + np.sort(S)[1:]) / 2
    m = metrics.AUC(thresholds=cuts.tolist())
    m.update_state(Y, S, sample_weight=w)
    expected = sklearn_metrics.roc_auc_score(Y, S, sample_weight=w)
    assert m.result() == pytest.approx(expected, rel=1e-6)


def test_auc_from_logits_applies_sigmoid():
    m = metrics.AUC(from_logits=True)
    m.update_state(Y, np.log(S / (1 - S)))
    assert m.result() == pytest.approx(sklearn_metrics.roc_auc_score(Y, S), abs=1e-2)


def test_auc_of_perfect_ranking_is_one():
    m = metrics.AUC()
    m.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert m.result() == pytest.approx(1.0)


def test_auc_pr_of_perfect_ranking_is_one():
    m = metrics.AUC(curve="PR")
    m.update_state([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])
    assert m.result() == pytest.approx(1.0)


def test_auc_pr_close_to_sklearn_average_precision():
    m = metrics.AUC(curve="PR", num_thresholds=1000)
    m.update_state(Y, S)
    assert m.result() == pytest.approx(sklearn_metrics.average_precision_score(Y, S), abs=0.05)


def test_auc_minoring_is_below_majoring():
    low, high = metrics.AUC(summation_method="minoring"), metrics.AUC(summation_method="majoring")
    low.update_state(Y, S)
    high.update_state(Y, S)
    assert low.result() <= high.result()


def test_auc_multi_label_averages_label_aucs():
    y = np.stack([Y, 1 - Y], axis=1)
    p = np.stack([S, 1 - S], axis=1)
    cuts = np.unique(np.concatenate([S, 1 - S]))
    m = metrics.AUC(multi_label=True, thresholds=((cuts[:-1] + cuts[1:]) / 2).tolist())
    m.update_state(y, p)
    expected = sklearn_metrics.roc_auc_score(y, p, average="macro")
    assert m.result() == pytest.approx(expected, rel=1e-6)


def test_auc_reset():
    m = metrics.AUC()
    m.update_state(Y, S)
    m.reset_state()
    assert m.result() == 0.0


def test_auc_rejects_unknown_curve():
    with pytest.raises(ValueError, match="curve"):
        metrics.AUC(curve="DET")


def test_auc_rejects_single_threshold():
    with pytest.raises(ValueError, match="num_thresholds > 1"):
        metrics.AUC(num_thresholds=1)


def test_auc_config_round_trip():
    m = metrics.AUC(num_thresholds=50, curve="PR", name="pr_auc")
    assert metrics.AUC.from_config(m.get_config()).get_config() == m.get_config()
