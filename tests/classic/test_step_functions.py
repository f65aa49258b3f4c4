import numpy as np
import pytest

from neuroflow.classic import get_step, heaviside, sgn, sign


def test_heaviside_of_zero_is_one():
    assert heaviside(0) == 1


def test_heaviside_is_zero_below_zero_and_one_above():
    np.testing.assert_array_equal(heaviside([-2.5, -1e-9, 1e-9, 3.0]), [0, 0, 1, 1])


def test_sgn_of_zero_is_zero():
    assert sgn(0) == 0


def test_sign_gives_minus_one_zero_plus_one():
    np.testing.assert_array_equal(sign([-4, 0, 7]), [-1, 0, 1])


def test_sgn_is_sign():
    assert sgn is sign


def test_step_keeps_float_dtype():
    assert heaviside(np.array([0.5], dtype=np.float32)).dtype == np.float32


def test_step_of_integers_gives_int64():
    assert sign(np.array([3], dtype=np.int8)).dtype == np.int64


def test_step_refuses_nan():
    with pytest.raises(ValueError, match="NaN"):
        heaviside([0.0, np.nan])


def test_step_refuses_strings():
    with pytest.raises(TypeError, match="real numbers"):
        sign(["a"])


def test_get_step_resolves_names():
    assert get_step("sgn") is sign and get_step("heaviside") is heaviside


def test_get_step_lists_valid_names_for_unknown_one():
    with pytest.raises(ValueError, match="'heaviside'.*received 'relu'"):
        get_step("relu")
