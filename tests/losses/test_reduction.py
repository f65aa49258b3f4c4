import numpy as np
import pytest

from neuroflow import losses
from neuroflow.autodiff import Tensor, check_gradients
from neuroflow.losses import reduce_weighted_values, squeeze_or_expand_to_same_rank

T = np.array([[1.0], [2.0], [0.0], [4.0]])
P = np.array([[0.0], [2.5], [1.0], [1.0]])
PER_SAMPLE = ((T - P) ** 2)[:, 0]
W = np.array([1.0, 0.5, 0.0, 2.0])


def test_sum_over_batch_size_divides_weighted_sum_by_count():
    out = losses.MeanSquaredError()(T, P, sample_weight=W)
    np.testing.assert_allclose(out.data, (PER_SAMPLE * W).sum() / 4, rtol=1e-6)


def test_sum_reduction():
    out = losses.MeanSquaredError(reduction="sum")(T, P, sample_weight=W)
    np.testing.assert_allclose(out.data, (PER_SAMPLE * W).sum(), rtol=1e-6)


def test_mean_reduction_equals_sum_over_batch_size():
    out = losses.MeanSquaredError(reduction="mean")(T, P, sample_weight=W)
    np.testing.assert_allclose(out.data, (PER_SAMPLE * W).sum() / 4, rtol=1e-6)


def test_mean_with_sample_weight_divides_by_weight_sum():
    out = losses.MeanSquaredError(reduction="mean_with_sample_weight")(T, P, sample_weight=W)
    np.testing.assert_allclose(out.data, (PER_SAMPLE * W).sum() / W.sum(), rtol=1e-6)


def test_mean_with_sample_weight_without_weights_is_the_mean():
    out = losses.MeanSquaredError(reduction="mean_with_sample_weight")(T, P)
    np.testing.assert_allclose(out.data, PER_SAMPLE.mean(), rtol=1e-6)


def test_mean_with_zero_sample_weights_is_zero():
    out = losses.MeanSquaredError(reduction="mean_with_sample_weight")(T, P, sample_weight=W * 0)
    assert float(out.data) == 0.0


@pytest.mark.parametrize("reduction", ["none", None])
def test_no_reduction_returns_weighted_per_sample_values(reduction):
    out = losses.MeanSquaredError(reduction=reduction)(T, P, sample_weight=W)
    np.testing.assert_allclose(out.data, PER_SAMPLE * W, rtol=1e-6)


def test_sample_weight_n_by_1_is_accepted():
    out = losses.MeanSquaredError(reduction="sum")(T, P, sample_weight=W[:, None])
    np.testing.assert_allclose(out.data, (PER_SAMPLE * W).sum(), rtol=1e-6)


def test_scalar_sample_weight_scales_the_loss():
    out = losses.MeanSquaredError()(T, P, sample_weight=3.0)
    np.testing.assert_allclose(out.data, 3.0 * PER_SAMPLE.mean(), rtol=1e-6)


def test_sample_weight_of_wrong_length_raises_naming_shapes():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\).*\(4,\)"):
        losses.MeanSquaredError()(T, P, sample_weight=np.ones(3))


def test_unknown_reduction_raises():
    with pytest.raises(ValueError, match="reduction='average'"):
        losses.MeanSquaredError(reduction="average")


@pytest.mark.parametrize("reduction", ["sum_over_batch_size", "sum", "mean_with_sample_weight"])
def test_weighted_reduction_gradient(reduction):
    loss = losses.MeanSquaredError(reduction=reduction)
    check_gradients(lambda p: loss(T, p, sample_weight=W), P)


def test_reduce_weighted_values_of_scalar_is_unchanged():
    value = Tensor(np.asarray(2.5))
    assert reduce_weighted_values(value) is value


def test_reduce_weighted_values_with_mask_averages_kept_values():
    values = Tensor(np.array([1.0, 2.0, 3.0, 4.0]))
    out = reduce_weighted_values(values, mask=np.array([True, False, True, False]))
    np.testing.assert_allclose(out.data, 2.0)


def test_reduce_weighted_values_with_mask_and_sum_ignores_masked():
    values = Tensor(np.array([1.0, 2.0, 3.0, 4.0]))
    out = reduce_weighted_values(values, mask=np.array([True, False, True, False]),
                                 reduction="sum")
    np.testing.assert_allclose(out.data, 4.0)


def test_squeeze_or_expand_expands_rank_1_against_n_by_1():
    a, b = squeeze_or_expand_to_same_rank(np.zeros(3), np.zeros((3, 1)))
    assert a.shape == (3, 1) and b.shape == (3, 1)


def test_squeeze_or_expand_squeezes_trailing_axis_of_higher_rank():
    a, b = squeeze_or_expand_to_same_rank(np.zeros((3, 2, 1)), np.zeros((3, 2)))
    assert a.shape == (3, 2) and b.shape == (3, 2)


def test_squeeze_or_expand_leaves_other_shapes_alone():
    a, b = squeeze_or_expand_to_same_rank(np.zeros(3), np.zeros((3, 4)))
    assert a.shape == (3,) and b.shape == (3, 4)


def test_squeeze_or_expand_keeps_logits_of_reshaped_tensor():
    logits = Tensor(np.zeros(3))
    probs = Tensor(np.full(3, 0.5))
    probs._keras_logits = logits
    _, b = squeeze_or_expand_to_same_rank(np.zeros((3, 1)), probs)
    assert b._keras_logits.shape == (3, 1)
