import numpy as np
import pytest

from neuroflow import activations, losses
from neuroflow.autodiff import GradientTape, Tensor, check_gradients

EPS = 1e-7
LOGITS = np.array([[1.0, -0.5, 0.2], [0.3, 2.0, -1.0], [-0.4, 0.1, 0.6], [0.0, -1.5, 1.2]])
LABELS = np.array([0, 1, 2, 2])
ONEHOT = np.eye(3)[LABELS]
BIN_T = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
BIN_Z = np.array([[0.8, -1.2], [0.3, 0.4], [-2.0, 1.5]])


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _bce(t, p):
    p = np.clip(p, EPS, 1 - EPS)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p)).mean(-1)


def _cce(t, p):
    p = np.clip(p / p.sum(-1, keepdims=True), EPS, 1 - EPS)
    return -(t * np.log(p)).sum(-1)


PROBS = _softmax(LOGITS)
BIN_P = _sigmoid(BIN_Z)


# ---- binary cross-entropy -------------------------------------------------------------
def test_binary_crossentropy_matches_numpy_formula():
    np.testing.assert_allclose(losses.binary_crossentropy(BIN_T, BIN_P).data, _bce(BIN_T, BIN_P),
                               rtol=1e-6)


def test_binary_crossentropy_from_logits_matches_numpy_formula():
    out = losses.binary_crossentropy(BIN_T, BIN_Z, from_logits=True)
    np.testing.assert_allclose(out.data, _bce(BIN_T, BIN_P), rtol=1e-6)


def test_binary_crossentropy_clips_probabilities_like_keras():
    out = losses.binary_crossentropy(np.array([[1.0]]), np.array([[0.0]]))
    np.testing.assert_allclose(out.data, [-np.log(EPS)], rtol=1e-6)


def test_binary_crossentropy_label_smoothing_squeezes_towards_half():
    out = losses.BinaryCrossentropy(label_smoothing=0.2, reduction="none")(BIN_T, BIN_P)
    np.testing.assert_allclose(out.data, _bce(BIN_T * 0.8 + 0.1, BIN_P), rtol=1e-6)


def test_binary_crossentropy_on_sigmoid_output_uses_logits():
    z = Tensor(BIN_Z, requires_grad=True)
    with GradientTape():
        fused = losses.binary_crossentropy(BIN_T, activations.sigmoid(z))
    assert fused._parents[0]._parents[0] is z


def test_binary_crossentropy_fused_equals_probability_path():
    fused = losses.binary_crossentropy(BIN_T, activations.sigmoid(Tensor(BIN_Z)))
    np.testing.assert_allclose(fused.data, losses.binary_crossentropy(BIN_T, BIN_P).data,
                               rtol=1e-6)


def test_binary_crossentropy_of_y_true_n_against_y_pred_n_by_1():
    out = losses.binary_crossentropy(np.array([1.0, 0.0]), np.array([[0.9], [0.2]]))
    np.testing.assert_allclose(out.data, -np.log([0.9, 0.8]), rtol=1e-6)


def test_binary_crossentropy_probability_gradient():
    check_gradients(lambda p: losses.binary_crossentropy(BIN_T, p), BIN_P)


def test_binary_crossentropy_probability_gradient_reaches_soft_labels():
    check_gradients(losses.binary_crossentropy, np.full((3, 2), 0.3), BIN_P)


def test_binary_crossentropy_logits_gradient():
    check_gradients(lambda z: losses.binary_crossentropy(BIN_T, z, from_logits=True), BIN_Z)


def test_binary_crossentropy_fused_gradient_is_sigmoid_minus_labels():
    z = Tensor(BIN_Z, requires_grad=True)
    with GradientTape() as tape:
        loss = losses.BinaryCrossentropy(reduction="sum")(BIN_T, activations.sigmoid(z))
    np.testing.assert_allclose(tape.gradient(loss, z).data, (BIN_P - BIN_T) / 2, rtol=1e-6)


def test_binary_crossentropy_rejects_label_smoothing_above_one():
    with pytest.raises(ValueError, match="label_smoothing"):
        losses.BinaryCrossentropy(label_smoothing=1.5)


# ---- categorical cross-entropy --------------------------------------------------------
def test_categorical_crossentropy_matches_numpy_formula():
    out = losses.categorical_crossentropy(ONEHOT, PROBS)
    np.testing.assert_allclose(out.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_categorical_crossentropy_normalizes_unnormalized_probabilities():
    out = losses.categorical_crossentropy(ONEHOT, PROBS * 3.0)
    np.testing.assert_allclose(out.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_categorical_crossentropy_from_logits_matches_numpy_formula():
    out = losses.categorical_crossentropy(ONEHOT, LOGITS, from_logits=True)
    np.testing.assert_allclose(out.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_categorical_crossentropy_label_smoothing_mixes_with_uniform():
    out = losses.categorical_crossentropy(ONEHOT, PROBS, label_smoothing=0.3)
    np.testing.assert_allclose(out.data, _cce(ONEHOT * 0.7 + 0.1, PROBS), rtol=1e-6)


def test_categorical_crossentropy_on_axis_zero():
    out = losses.categorical_crossentropy(ONEHOT.T, PROBS.T, axis=0)
    np.testing.assert_allclose(out.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_categorical_crossentropy_fused_equals_probability_path():
    fused = losses.categorical_crossentropy(ONEHOT, activations.softmax(Tensor(LOGITS)))
    np.testing.assert_allclose(fused.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_categorical_crossentropy_on_softmax_output_uses_logits():
    z = Tensor(LOGITS, requires_grad=True)
    with GradientTape():
        loss = losses.categorical_crossentropy(ONEHOT, activations.softmax(z))
    assert loss._parents[0] is z


def test_categorical_crossentropy_fused_gradient_is_softmax_minus_onehot():
    z = Tensor(LOGITS, requires_grad=True)
    with GradientTape() as tape:
        loss = losses.CategoricalCrossentropy()(ONEHOT, activations.softmax(z))
    np.testing.assert_allclose(tape.gradient(loss, z).data, (PROBS - ONEHOT) / 4, rtol=1e-6)


def test_categorical_crossentropy_probability_gradient():
    check_gradients(lambda p: losses.categorical_crossentropy(ONEHOT, p), PROBS)


def test_categorical_crossentropy_probability_gradient_reaches_soft_labels():
    check_gradients(losses.categorical_crossentropy, np.full((4, 3), 0.2), PROBS)


def test_categorical_crossentropy_logits_gradient_with_smoothing():
    check_gradients(lambda z: losses.categorical_crossentropy(ONEHOT, z, from_logits=True,
                                                              label_smoothing=0.1), LOGITS)


def test_categorical_crossentropy_with_integer_labels_suggests_sparse():
    with pytest.raises(ValueError, match=r"categorical_crossentropy.*\(4,\).*\(4, 3\).*sparse"):
        losses.categorical_crossentropy(LABELS, PROBS)


def test_categorical_crossentropy_warns_on_a_single_class():
    with pytest.warns(UserWarning, match="binary_crossentropy"):
        losses.categorical_crossentropy(np.ones((2, 1)), np.ones((2, 1)))


# ---- sparse categorical cross-entropy -------------------------------------------------
def test_sparse_categorical_crossentropy_matches_numpy_formula():
    out = losses.sparse_categorical_crossentropy(LABELS, PROBS)
    np.testing.assert_allclose(out.data, -np.log(PROBS[np.arange(4), LABELS]), rtol=1e-6)


def test_sparse_categorical_crossentropy_from_logits():
    out = losses.sparse_categorical_crossentropy(LABELS, LOGITS, from_logits=True)
    np.testing.assert_allclose(out.data, -np.log(PROBS[np.arange(4), LABELS]), rtol=1e-6)


def test_sparse_categorical_crossentropy_accepts_labels_n_by_1():
    out = losses.sparse_categorical_crossentropy(LABELS[:, None], PROBS)
    np.testing.assert_allclose(out.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_sparse_categorical_crossentropy_accepts_float_labels():
    out = losses.sparse_categorical_crossentropy(LABELS.astype(np.float32), PROBS)
    np.testing.assert_allclose(out.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_sparse_categorical_crossentropy_equals_categorical_on_onehot():
    sparse = losses.SparseCategoricalCrossentropy()(LABELS, PROBS)
    dense = losses.CategoricalCrossentropy()(ONEHOT, PROBS)
    np.testing.assert_allclose(sparse.data, dense.data, rtol=1e-6)


def test_sparse_categorical_crossentropy_fused_equals_probability_path():
    fused = losses.SparseCategoricalCrossentropy()(LABELS, activations.softmax(Tensor(LOGITS)))
    plain = losses.SparseCategoricalCrossentropy()(LABELS, PROBS)
    np.testing.assert_allclose(fused.data, plain.data, rtol=1e-6)


def test_sparse_categorical_crossentropy_on_softmax_adds_two_graph_nodes():
    z = Tensor(LOGITS, requires_grad=True)
    with GradientTape():
        loss = losses.SparseCategoricalCrossentropy()(LABELS, activations.softmax(z))
    assert loss._parents[0]._parents[0] is z


def test_sparse_categorical_crossentropy_fused_gradient_is_softmax_minus_onehot():
    z = Tensor(LOGITS, requires_grad=True)
    with GradientTape() as tape:
        loss = losses.SparseCategoricalCrossentropy()(LABELS, activations.softmax(z))
    np.testing.assert_allclose(tape.gradient(loss, z).data, (PROBS - ONEHOT) / 4, rtol=1e-6)


def test_sparse_categorical_crossentropy_probability_gradient():
    check_gradients(lambda p: losses.sparse_categorical_crossentropy(LABELS, p), PROBS * 2.0)


def test_sparse_categorical_crossentropy_logits_gradient():
    check_gradients(
        lambda z: losses.sparse_categorical_crossentropy(LABELS, z, from_logits=True), LOGITS
    )


def test_sparse_categorical_crossentropy_on_axis_zero():
    out = losses.sparse_categorical_crossentropy(LABELS, PROBS.T, axis=0)
    np.testing.assert_allclose(out.data, _cce(ONEHOT, PROBS), rtol=1e-6)


def test_sparse_categorical_crossentropy_ignore_class_zeroes_those_samples():
    out = losses.sparse_categorical_crossentropy(np.array([0, -1, 2, -1]), PROBS, ignore_class=-1)
    expected = [-np.log(PROBS[0, 0]), 0.0, -np.log(PROBS[2, 2]), 0.0]
    np.testing.assert_allclose(out.data, expected, rtol=1e-6)


def test_sparse_categorical_crossentropy_ignore_class_averages_over_kept_samples():
    loss = losses.SparseCategoricalCrossentropy(ignore_class=-1)(np.array([0, -1, 2, -1]), PROBS)
    expected = -(np.log(PROBS[0, 0]) + np.log(PROBS[2, 2])) / 2
    np.testing.assert_allclose(loss.data, expected, rtol=1e-6)


def test_sparse_categorical_crossentropy_out_of_range_labels_raise():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*\[0, 3\).*3 classes"
                                         r".*\[3, 7\]"):
        losses.SparseCategoricalCrossentropy()(np.array([0, 3, 7, 3]), PROBS)


def test_sparse_categorical_crossentropy_from_logits_out_of_range_labels_raise():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*3 classes.*\[5\]"):
        losses.sparse_categorical_crossentropy(np.array([0, 5, 1, 1]), LOGITS, from_logits=True)


def test_sparse_categorical_crossentropy_fused_out_of_range_labels_raise():
    with pytest.raises(ValueError, match=r"sparse_categorical_crossentropy.*3 classes.*\[3\]"):
        losses.sparse_categorical_crossentropy(np.array([0, 3, 1, 1]),
                                               activations.softmax(Tensor(LOGITS)))


def test_sparse_categorical_crossentropy_negative_labels_raise():
    with pytest.raises(ValueError, match=r"out-of-range label values \[-1\]"):
        losses.sparse_categorical_crossentropy(np.array([0, -1, 1, 1]), PROBS)


def test_sparse_categorical_crossentropy_fractional_labels_raise():
    with pytest.raises(ValueError, match="integer class labels"):
        losses.sparse_categorical_crossentropy(np.array([0.5, 1, 1, 1]), PROBS)


def test_sparse_categorical_crossentropy_onehot_labels_raise_with_hint():
    with pytest.raises(ValueError, match=r"y_true.shape=\(4, 3\).*categorical_crossentropy"):
        losses.sparse_categorical_crossentropy(ONEHOT, PROBS)


# ---- hinge, KL, Poisson ---------------------------------------------------------------
HT = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
HP = np.array([[0.6, -0.4, 1.7], [0.2, -2.0, 0.3]])
SIGNED = 2 * HT - 1


def test_hinge_converts_binary_labels_to_signed():
    out = losses.hinge(HT, HP)
    np.testing.assert_allclose(out.data, np.maximum(1 - SIGNED * HP, 0).mean(-1), rtol=1e-6)


def test_hinge_keeps_signed_labels():
    out = losses.hinge(SIGNED, HP)
    np.testing.assert_allclose(out.data, np.maximum(1 - SIGNED * HP, 0).mean(-1), rtol=1e-6)


def test_squared_hinge_matches_numpy_formula():
    out = losses.squared_hinge(HT, HP)
    np.testing.assert_allclose(out.data, (np.maximum(1 - SIGNED * HP, 0) ** 2).mean(-1),
                               rtol=1e-6)


def test_categorical_hinge_matches_numpy_formula():
    t = np.eye(3)[[2, 0]]
    pos = (t * HP).sum(-1)
    neg = ((1 - t) * HP).max(-1)
    np.testing.assert_allclose(losses.categorical_hinge(t, HP).data,
                               np.maximum(neg - pos + 1, 0), rtol=1e-6)


def test_kl_divergence_matches_numpy_formula():
    t = np.array([[0.2, 0.8], [0.5, 0.5]])
    p = np.array([[0.4, 0.6], [0.9, 0.1]])
    np.testing.assert_allclose(losses.kl_divergence(t, p).data, (t * np.log(t / p)).sum(-1),
                               rtol=1e-6)


def test_poisson_matches_numpy_formula():
    t = np.array([[1.0, 3.0], [0.0, 2.0]])
    p = np.array([[0.5, 2.0], [1.5, 2.5]])
    np.testing.assert_allclose(losses.poisson(t, p).data, (p - t * np.log(p + EPS)).mean(-1),
                               rtol=1e-6)


@pytest.mark.parametrize("name", ["hinge", "squared_hinge", "categorical_hinge"])
def test_hinge_family_gradient(name):
    fn = getattr(losses, name)
    check_gradients(lambda p: fn(np.eye(3)[[2, 0]], p), HP)


def test_kl_divergence_gradient():
    t = np.array([[0.2, 0.8], [0.5, 0.5]])
    check_gradients(lambda p: losses.kl_divergence(t, p), np.array([[0.4, 0.6], [0.9, 0.1]]))


def test_poisson_gradient():
    t = np.array([[1.0, 3.0], [0.0, 2.0]])
    check_gradients(lambda p: losses.poisson(t, p), np.array([[0.5, 2.0], [1.5, 2.5]]))


@pytest.mark.parametrize("cls,fn", [
    (losses.Hinge, losses.hinge), (losses.SquaredHinge, losses.squared_hinge),
    (losses.CategoricalHinge, losses.categorical_hinge),
    (losses.KLDivergence, losses.kl_divergence),
    (losses.Poisson, losses.poisson),
])
def test_class_reduces_to_mean_of_function(cls, fn):
    t, p = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([[0.3, 0.7], [0.6, 0.4]])
    np.testing.assert_allclose(cls()(t, p).data, fn(t, p).data.mean(), rtol=1e-6)
