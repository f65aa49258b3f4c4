"""Classic neurons: step functions, threshold logic units, McCulloch-Pitts networks and
Rosenblatt's perceptron rule, in plain NumPy (no autodiff, no scikit-learn)."""

from neuroflow.classic.mcculloch_pitts import (
    McCullochPitts,
    McCullochPittsNetwork,
    and_network,
    and_not_network,
    identity_network,
    or_network,
)
from neuroflow.classic.rosenblatt import Perceptron, RosenblattPerceptron, perceptron_update
from neuroflow.classic.step import get_step, heaviside, sgn, sign
from neuroflow.classic.tlu import TLU
from neuroflow.classic.tlu_network import TLUNetwork, xor_mlp

__all__ = [
    "heaviside", "sign", "sgn", "get_step",
    "TLU", "TLUNetwork", "xor_mlp",
    "McCullochPitts", "McCullochPittsNetwork",
    "identity_network", "and_network", "or_network", "and_not_network",
    "RosenblattPerceptron", "Perceptron", "perceptron_update",
]
