import numpy as np
import pytest

from neuroflow import metrics

PROBS = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5], [0.4, 0.1, 0.5]])
LABELS = np.array([1, 0, 1, 2])
ONEHOT = np.eye(3)[LABELS]


def test_accuracy_counts_exact_matches():
    np.testing.assert_array_equal(metrics.accuracy([1, 2, 3], [1, 0, 3]), [1.0, 0.0, 1.0])


def test_binary_accuracy_thresholds_at_half():
    out = metrics.binary_accuracy(np.array([1, 0, 1]), np.array([0.7, 0.6, 0.2]))
    np.testing.assert_array_equal(out, [1.0, 0.0, 0.0])


def test_binary_accuracy_with_custom_threshold():
    out = metrics.binary_accuracy(np.array([1, 0]), np.array([0.7, 0.6]), threshold=0.65)
    np.testing.assert_array_equal(out, [1.0, 1.0])


def test_binary_accuracy_of_labels_n_against_predictions_n_by_1():
    out = metrics.binary_accuracy(np.array([1, 0]), np.array([[0.9], [0.1]]))
    np.testing.assert_array_equal(out.ravel(), [1.0, 1.0])


def test_categorical_accuracy_compares_argmax():
    np.testing.assert_array_equal(metrics.categorical_accuracy(ONEHOT, PROBS), [1, 1, 0, 1])


def test_categorical_accuracy_with_integer_labels_suggests_sparse():
    with pytest.raises(ValueError, match="sparse_categorical_accuracy"):
        metrics.categorical_accuracy(LABELS, PROBS)


def test_sparse_categorical_accuracy_compares_argmax_with_label():
    np.testing.assert_array_equal(metrics.sparse_categorical_accuracy(LABELS, PROBS), [1, 1, 0, 1])


def test_sparse_categorical_accuracy_accepts_labels_n_by_1():
    out = metrics.sparse_categorical_accuracy(LABELS[:, None].astype(float), PROBS)
    np.testing.assert_array_equal(out, [1, 1, 0, 1])


def test_sparse_categorical_accuracy_rejects_onehot_labels():
    with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\)"):
        metrics.sparse_categorical_accuracy(ONEHOT, PROBS)


def test_sparse_top_k_counts_label_among_k_highest():
    out = metrics.sparse_top_k_categorical_accuracy(LABELS, PROBS, k=2)
    np.testing.assert_array_equal(out, [1, 1, 1, 1])


def test_sparse_top_1_equals_sparse_accuracy():
    out = metrics.sparse_top_k_categorical_accuracy(LABELS, PROBS, k=1)
    np.testing.assert_array_equal(out, metrics.sparse_categorical_accuracy(LABELS, PROBS))


def test_top_k_counts_ties_at_the_boundary_as_inside():
    out = metrics.sparse_top_k_categorical_accuracy(np.array([2]), np.array([[0.5, 0.2, 0.2]]),
                                                    k=2)
    np.testing.assert_array_equal(out, [1.0])


def test_top_k_with_one_hot_labels():
    out = metrics.top_k_categorical_accuracy(ONEHOT, PROBS, k=1)
    np.testing.assert_array_equal(out, [1, 1, 0, 1])


def test_sparse_top_k_from_sorted_ids():
    ids = np.array([[2, 0, 1], [1, 2, 0]])
    out = metrics.sparse_top_k_categorical_accuracy(np.array([0, 0]), ids, k=2,
                                                    from_sorted_ids=True)
    np.testing.assert_array_equal(out, [1.0, 0.0])


def test_top_k_rejects_zero_k():
    with pytest.raises(ValueError, match="k to be a positive integer"):
        metrics.TopKCategoricalAccuracy(k=0)


@pytest.mark.parametrize("metric,y_true,expected", [
    (metrics.CategoricalAccuracy(), ONEHOT, 0.75),
    (metrics.SparseCategoricalAccuracy(), LABELS, 0.75),
    (metrics.TopKCategoricalAccuracy(k=2), ONEHOT, 1.0),
    (metrics.SparseTopKCategoricalAccuracy(k=1), LABELS, 0.75),
])
def test_accuracy_class_update_result_reset(metric, y_true, expected):
    metric.reset_state()
    metric.update_state(y_true, PROBS)
    assert metric.result() == pytest.approx(expected)
    metric.reset_state()
    assert metric.result() == 0.0


def test_binary_accuracy_class_over_two_batches():
    m = metrics.BinaryAccuracy()
    m.update_state([[1], [0]], [[0.9], [0.8]])
    m.update_state([[1]], [[0.7]])
    assert m.result() == pytest.approx(2 / 3)


def test_binary_accuracy_class_with_sample_weight():
    m = metrics.BinaryAccuracy()
    m.update_state([1, 0, 1], [0.9, 0.8, 0.1], sample_weight=[1.0, 0.0, 1.0])
    assert m.result() == pytest.approx(0.5)


def test_accuracy_class_default_names():
    assert metrics.SparseCategoricalAccuracy().name == "sparse_categorical_accuracy"
    assert metrics.BinaryAccuracy().name == "binary_accuracy"


def test_binary_accuracy_config_holds_threshold():
    config = metrics.BinaryAccuracy(threshold=0.3).get_config()
    assert config == {"name": "binary_accuracy", "dtype": "float32", "threshold": 0.3}
