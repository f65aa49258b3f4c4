import math

import numpy as np
import pytest

from neuroflow import backend, initializers
from neuroflow.initializers import (
    Constant,
    GlorotNormal,
    GlorotUniform,
    HeNormal,
    HeUniform,
    Identity,
    LecunNormal,
    LecunUniform,
    Ones,
    Orthogonal,
    RandomNormal,
    RandomUniform,
    TruncatedNormal,
    VarianceScaling,
    Zeros,
)

BIG = (400, 300)  # enough values for a 5% check on a standard deviation


def test_glorot_uniform_stays_within_its_limit_and_reaches_it():
    w = GlorotUniform(seed=0)(BIG)
    limit = math.sqrt(6 / (400 + 300))
    assert np.abs(w).max() <= limit
    assert np.abs(w).max() > 0.99 * limit


def test_glorot_normal_std_is_sqrt_two_over_fan_sum():
    assert GlorotNormal(seed=0)(BIG).std() == pytest.approx(math.sqrt(2 / 700), rel=0.05)


def test_he_normal_std_is_sqrt_two_over_fan_in():
    assert HeNormal(seed=0)(BIG).std() == pytest.approx(math.sqrt(2 / 400), rel=0.05)


def test_he_uniform_limit_is_sqrt_six_over_fan_in():
    w = HeUniform(seed=0)(BIG)
    assert np.abs(w).max() == pytest.approx(math.sqrt(6 / 400), rel=0.01)


def test_lecun_normal_std_is_sqrt_one_over_fan_in():
    assert LecunNormal(seed=0)(BIG).std() == pytest.approx(math.sqrt(1 / 400), rel=0.05)


def test_lecun_uniform_limit_is_sqrt_three_over_fan_in():
    w = LecunUniform(seed=0)(BIG)
    assert np.abs(w).max() == pytest.approx(math.sqrt(3 / 400), rel=0.01)


def test_truncated_normal_stays_within_two_stddev():
    w = TruncatedNormal(mean=1.0, stddev=0.5, seed=0)(BIG)
    assert w.min() >= 0.0 and w.max() <= 2.0
    assert w.mean() == pytest.approx(1.0, abs=0.01)


def test_random_normal_mean_and_stddev():
    w = RandomNormal(mean=2.0, stddev=3.0, seed=0)(BIG)
    assert (w.mean(), w.std()) == pytest.approx((2.0, 3.0), rel=0.05)


def test_random_uniform_range():
    w = RandomUniform(minval=-1.0, maxval=3.0, seed=0)(BIG)
    assert w.min() >= -1.0 and w.max() < 3.0
    assert w.mean() == pytest.approx(1.0, abs=0.05)


def test_variance_scaling_untruncated_normal_fan_out():
    init = VarianceScaling(scale=3.0, mode="fan_out", distribution="untruncated_normal", seed=0)
    assert init(BIG).std() == pytest.approx(math.sqrt(3.0 / 300), rel=0.05)


def test_variance_scaling_conv_kernel_fans_include_receptive_field():
    assert initializers.compute_fans((3, 3, 4, 8)) == (36, 72)


def test_zeros_ones_constant():
    assert Zeros()((2,)).tolist() == [0.0, 0.0]
    assert Ones()((2,)).tolist() == [1.0, 1.0]
    assert Constant(2.5)((2, 2)).tolist() == [[2.5, 2.5], [2.5, 2.5]]


def test_constant_broadcasts_an_array_value():
    assert Constant([1.0, 2.0])((2, 2)).tolist() == [[1.0, 2.0], [1.0, 2.0]]


def test_constant_with_unbroadcastable_value_names_the_shapes():
    with pytest.raises(ValueError, match=r"\(3,\) cannot fill a weight of shape \(2, 2\)"):
        Constant([1.0, 2.0, 3.0])((2, 2))


def test_identity_is_gain_times_eye():
    np.testing.assert_array_equal(Identity(gain=2.0)((2, 3)), 2.0 * np.eye(2, 3))


def test_identity_rejects_non_matrices():
    with pytest.raises(ValueError, match="2D"):
        Identity()((2, 2, 2))


def test_orthogonal_columns_are_orthonormal():
    w = Orthogonal(seed=0)((6, 4))
    np.testing.assert_allclose(w.T @ w, np.eye(4), atol=1e-5)


def test_orthogonal_rows_are_orthonormal_when_wide():
    w = Orthogonal(gain=2.0, seed=0)((3, 5))
    np.testing.assert_allclose(w @ w.T, 4.0 * np.eye(3), atol=1e-5)


def test_default_dtype_is_floatx():
    assert GlorotUniform()((2, 2)).dtype == np.float32
    assert Zeros()((2,)).dtype == np.float32


def test_dtype_argument_is_honoured():
    assert HeNormal()((2, 2), dtype="float64").dtype == np.float64
    assert Zeros()((2,), dtype="int32").dtype == np.int32


def test_random_initializer_rejects_integer_dtype():
    with pytest.raises(ValueError, match="floating-point `dtype`"):
        RandomNormal()((2,), dtype="int32")


def test_seeded_initializer_returns_the_same_values_every_call():
    init = GlorotUniform(seed=7)
    np.testing.assert_array_equal(init((3, 3)), init((3, 3)))


def test_same_seed_gives_same_values_across_instances():
    np.testing.assert_array_equal(HeNormal(seed=3)((4,)), HeNormal(seed=3)((4,)))


def test_unseeded_initializer_draws_fresh_values_each_call():
    init = GlorotUniform()
    assert not np.array_equal(init((3, 3)), init((3, 3)))


def test_unseeded_initializer_is_reproducible_with_backend_set_seed():
    backend.set_seed(123)
    first = GlorotUniform()((3, 3))
    backend.set_seed(123)
    np.testing.assert_array_equal(GlorotUniform()((3, 3)), first)


def test_generator_seed_gives_fresh_values_each_call():
    init = RandomNormal(seed=np.random.default_rng(0))
    assert not np.array_equal(init((3,)), init((3,)))


def test_invalid_seed_names_the_argument():
    with pytest.raises(ValueError, match="seed"):
        RandomNormal(seed="abc")


def test_invalid_shape_names_the_argument():
    with pytest.raises(ValueError, match="shape"):
        Zeros()((2, -1))


def test_variance_scaling_rejects_bad_mode_and_distribution():
    with pytest.raises(ValueError, match="mode"):
        VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        VarianceScaling(distribution="cauchy")


def test_variance_scaling_normal_means_truncated_normal():
    assert VarianceScaling(distribution="normal").distribution == "truncated_normal"


@pytest.mark.parametrize("name, cls", [
    ("glorot_uniform", GlorotUniform), ("GlorotUniform", GlorotUniform),
    ("he_normal", HeNormal), ("zeros", Zeros), ("ones", Ones), ("orthogonal", Orthogonal),
    ("identity", Identity), ("truncated_normal", TruncatedNormal),
    ("lecun_uniform", LecunUniform), ("variance_scaling", VarianceScaling),
])
def test_get_accepts_snake_case_and_class_names(name, cls):
    assert type(initializers.get(name)) is cls


def test_get_passes_instances_and_callables_through():
    init = HeNormal()

    def fn(shape, dtype=None):
        return np.zeros(shape)

    assert initializers.get(init) is init
    assert initializers.get(fn) is fn
    assert initializers.get(None) is None


def test_get_instantiates_a_class():
    assert type(initializers.get(Ones)) is Ones


def test_get_builds_from_a_config_dict():
    init = initializers.get({"class_name": "RandomNormal",
                             "config": {"mean": 1.0, "stddev": 2.0, "seed": 4}})
    assert (init.mean, init.stddev, init.seed) == (1.0, 2.0, 4)


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="Unknown initializer: 'glorot'.*glorot_uniform"):
        initializers.get("glorot")


@pytest.mark.parametrize("init", [
    Constant(3.0), Zeros(), Ones(), Identity(2.0), RandomNormal(1.0, 2.0, seed=1),
    RandomUniform(-2.0, 2.0, seed=1), TruncatedNormal(0.0, 0.1, seed=1),
    VarianceScaling(2.0, "fan_avg", "uniform", seed=1), GlorotUniform(seed=1),
    HeNormal(seed=2), Orthogonal(1.5, seed=3),
])
def test_config_round_trip_reproduces_values(init):
    clone = initializers.deserialize(initializers.serialize(init))
    assert type(clone) is type(init)
    assert clone.get_config() == init.get_config()
    np.testing.assert_array_equal(clone((3, 2)), init((3, 2)))


def test_snake_case_names_are_the_classes():
    assert initializers.glorot_uniform is GlorotUniform
    assert isinstance(initializers.he_normal(seed=1), HeNormal)
