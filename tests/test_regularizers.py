import numpy as np
import pytest

from neuroflow import regularizers
from neuroflow.autodiff.tensor import GradientTape, Tensor, Variable
from neuroflow.regularizers import L1, L1L2, L2, OrthogonalRegularizer

X = np.array([[1.0, -2.0], [0.5, 3.0]], dtype=np.float32)


def _grad(reg, x=X):
    v = Variable(x)
    with GradientTape() as tape:
        penalty = reg(v)
    return penalty, tape.gradient(penalty, v).data


def test_l1_value_and_gradient():
    penalty, grad = _grad(L1(0.1))
    assert float(penalty) == pytest.approx(0.1 * 6.5)
    np.testing.assert_allclose(grad, 0.1 * np.sign(X))


def test_l2_value_and_gradient():
    penalty, grad = _grad(L2(0.1))
    assert float(penalty) == pytest.approx(0.1 * 14.25)
    np.testing.assert_allclose(grad, 0.2 * X, rtol=1e-6)


def test_l1l2_sums_both_penalties():
    penalty, grad = _grad(L1L2(l1=0.1, l2=0.2))
    assert float(penalty) == pytest.approx(0.1 * 6.5 + 0.2 * 14.25)
    np.testing.assert_allclose(grad, 0.1 * np.sign(X) + 0.4 * X, rtol=1e-6)


def test_penalty_is_a_float32_scalar_tensor():
    penalty = L2()(X)
    assert isinstance(penalty, Tensor)
    assert (penalty.shape, penalty.dtype) == ((), np.float32)


def test_l1l2_defaults_are_zero():
    assert float(L1L2()(X)) == 0.0


def test_defaults_match_keras():
    assert (L1().l1, L2().l2) == (0.01, 0.01)


def test_negative_factor_names_the_argument():
    with pytest.raises(ValueError, match="`l2` to be a non-negative float"):
        L2(-1.0)


def test_orthogonal_regularizer_is_zero_for_orthogonal_rows():
    assert float(OrthogonalRegularizer(1.0)(np.eye(3, dtype=np.float32))) == pytest.approx(0.0)


def test_orthogonal_regularizer_penalizes_parallel_rows():
    rows = np.array([[1.0, 0.0], [2.0, 0.0]], dtype=np.float32)
    # one pair with cosine 1: factor * 0.5 * (|1| + |1|) / 1 pair
    assert float(OrthogonalRegularizer(0.5)(rows)) == pytest.approx(0.5)


def test_orthogonal_regularizer_columns_mode():
    cols = np.array([[1.0, 2.0], [0.0, 0.0]], dtype=np.float32)
    assert float(OrthogonalRegularizer(0.5, mode="columns")(cols)) == pytest.approx(0.5)


def test_orthogonal_regularizer_gradient_flows():
    _, grad = _grad(OrthogonalRegularizer(1.0))
    assert grad.shape == X.shape and np.abs(grad).sum() > 0


def test_orthogonal_regularizer_rejects_bad_mode_and_rank():
    with pytest.raises(ValueError, match="mode"):
        OrthogonalRegularizer(mode="diagonal")
    with pytest.raises(ValueError, match="rank-2"):
        OrthogonalRegularizer()(np.ones(3, dtype=np.float32))


@pytest.mark.parametrize("name, cls, config", [
    ("l1", L1, {"l1": 0.01}), ("l2", L2, {"l2": 0.01}),
    ("l1_l2", L1L2, {"l1": 0.01, "l2": 0.01}), ("L2", L2, {"l2": 0.01}),
])
def test_get_resolves_strings_with_keras_defaults(name, cls, config):
    reg = regularizers.get(name)
    assert type(reg) is cls and reg.get_config() == config


def test_get_passes_callables_and_none_through():
    def fn(x):
        return 0.0

    reg = L1()
    assert regularizers.get(fn) is fn
    assert regularizers.get(reg) is reg
    assert regularizers.get(None) is None


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match="Unknown regularizer: 'l3'.*l1_l2"):
        regularizers.get("l3")


@pytest.mark.parametrize("reg", [L1(0.3), L2(0.2), L1L2(0.1, 0.4),
                                 OrthogonalRegularizer(0.2, "columns")])
def test_config_round_trip(reg):
    clone = regularizers.get(regularizers.serialize(reg))
    assert type(clone) is type(reg)
    assert clone.get_config() == reg.get_config()


def test_l1_l2_function_defaults_to_one_percent_each():
    assert regularizers.l1_l2().get_config() == {"l1": 0.01, "l2": 0.01}
