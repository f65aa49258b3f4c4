import numpy as np
import pytest

from neuroflow.classic import (
    McCullochPitts,
    McCullochPittsNetwork,
    and_network,
    and_not_network,
    identity_network,
    or_network,
)


def test_neuron_fires_when_threshold_of_active_inputs_is_reached():
    np.testing.assert_array_equal(McCullochPitts(2)([[1, 0, 1], [1, 0, 0]]), [1, 0])


def test_active_inhibitory_input_prevents_firing():
    assert McCullochPitts(1)([1, 1], inhibitory=[1]) == 0


def test_neuron_rejects_non_binary_inputs():
    with pytest.raises(ValueError, match=r"binary.*\[2\]"):
        McCullochPitts()([1, 2])


def test_identity_network_copies_a():
    np.testing.assert_array_equal(identity_network().truth_table()[1], [0, 1])


def test_and_network_computes_a_and_b():
    np.testing.assert_array_equal(and_network().truth_table()[1], [0, 0, 0, 1])


def test_or_network_computes_a_or_b():
    np.testing.assert_array_equal(or_network().truth_table()[1], [0, 1, 1, 1])


def test_and_not_network_computes_a_and_not_b():
    np.testing.assert_array_equal(and_not_network().truth_table()[1], [0, 0, 1, 0])


def test_and_not_with_a_always_on_is_logical_not():
    X = np.array([[1, 0], [1, 1]])
    np.testing.assert_array_equal(and_not_network()(X), [1, 0])


def test_network_chains_neurons_into_xor():
    net = McCullochPittsNetwork(["A", "B"])
    net.add("A_not_B", {"A": 2}, inhibitory=["B"]).add("B_not_A", {"B": 2}, inhibitory=["A"])
    net.add("XOR", {"A_not_B": 2, "B_not_A": 2})
    np.testing.assert_array_equal(net.truth_table()[1], [0, 1, 1, 0])


def test_network_rejects_unknown_source():
    with pytest.raises(ValueError, match=r"unknown sources \['Z'\]"):
        McCullochPittsNetwork(["A"]).add("C", ["A", "Z"])


def test_network_rejects_inputs_of_wrong_width():
    with pytest.raises(ValueError, match=r"shape \(batch, 2\)"):
        and_network()([1, 0, 1])
