import numpy as np
import pytest

from neuroflow.classic import TLU, TLUNetwork, xor_mlp

XOR_INPUTS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


def test_tlu_computes_step_of_weighted_sum_for_a_batch():
    tlu = TLU(weights=[1.0, -1.0], bias=-0.5)
    np.testing.assert_array_equal(tlu([[2, 1], [1, 1], [0.5, 0]]), [1, 0, 1])


def test_tlu_outputs_one_when_net_input_is_exactly_zero():
    assert TLU(weights=[1.0], bias=-1.0)([1.0]) == 1


def test_tlu_with_sign_step_outputs_zero_at_zero():
    assert TLU(weights=[1.0], bias=-1.0, step="sgn")([1.0]) == 0


def test_layer_of_tlus_computes_step_of_xw_plus_b():
    layer = TLU(weights=[[1.0, -1.0], [1.0, -1.0]], bias=[-1.5, 0.5])
    np.testing.assert_array_equal(layer(XOR_INPUTS), [[0, 1], [0, 0], [0, 0], [1, 0]])


def test_layer_broadcasts_scalar_bias_to_every_unit():
    assert TLU(weights=np.ones((2, 3)), bias=2.0).bias.shape == (3,)


def test_tlu_net_input_is_x_dot_w_plus_b():
    np.testing.assert_allclose(TLU([2.0, 3.0], 1.0).net_input([[1, 1]]), [6.0])


def test_tlu_rejects_inputs_with_wrong_number_of_features():
    with pytest.raises(ValueError, match=r"expected inputs of shape \(batch, 2\).*\(3, 3\)"):
        TLU([1.0, 1.0])(np.zeros((3, 3)))


def test_tlu_rejects_bias_of_wrong_shape():
    with pytest.raises(ValueError, match="bias"):
        TLU(np.ones((2, 3)), bias=[1.0, 2.0])


def test_xor_mlp_computes_xor_on_all_four_inputs():
    np.testing.assert_array_equal(xor_mlp()(XOR_INPUTS), [0, 1, 1, 0])


def test_xor_mlp_hidden_layer_is_and_then_or():
    hidden = xor_mlp().layers[0]
    np.testing.assert_array_equal(hidden(XOR_INPUTS), [[0, 0], [0, 1], [0, 1], [1, 1]])


def test_tlu_network_rejects_mismatched_layers():
    with pytest.raises(ValueError, match="layer 0 has 3 output"):
        TLUNetwork([TLU(np.ones((2, 3))), TLU(np.ones(2))])
