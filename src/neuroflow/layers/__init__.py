"""Layers: the building blocks of models."""

from neuroflow.layers.activation_layers import ELU, LeakyReLU, PReLU, ReLU, Softmax
from neuroflow.layers.core import Activation, Dense, Flatten
from neuroflow.layers.einsum_dense import EinsumDense
from neuroflow.layers.embedding import Embedding
from neuroflow.layers.encoding import CategoryEncoding, Discretization
from neuroflow.layers.hashing import HashedCrossing, Hashing
from neuroflow.layers.input_layer import Input, InputLayer
from neuroflow.layers.input_spec import InputSpec
from neuroflow.layers.lambda_layer import Lambda
from neuroflow.layers.layer import Layer
from neuroflow.layers.lookup import IntegerLookup, StringLookup
from neuroflow.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    concatenate,
    dot,
    maximum,
    minimum,
    multiply,
    subtract,
)
from neuroflow.layers.normalization import BatchNormalization
from neuroflow.layers.onnx_layer import ONNXLayer, TFSMLayer
from neuroflow.layers.pipeline import Pipeline
from neuroflow.layers.preprocessing import Normalization
from neuroflow.layers.regularization import AlphaDropout, Dropout, GaussianDropout, GaussianNoise
from neuroflow.layers.reshaping import Permute, RepeatVector, Reshape
from neuroflow.layers.sample_normalization import (
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from neuroflow.layers.serialization import deserialize, serialize
from neuroflow.layers.spectral_normalization import SpectralNormalization
from neuroflow.layers.utility_layers import ActivityRegularization, Identity, Rescaling
from neuroflow.layers.wrapper import Wrapper

__all__ = [
    "Activation", "Dense", "Flatten", "Input", "InputLayer", "Layer",
    "Add", "Average", "Concatenate", "Dot", "Maximum", "Minimum", "Multiply", "Subtract",
    "add", "average", "concatenate", "dot", "maximum", "minimum", "multiply", "subtract",
    "AlphaDropout", "BatchNormalization", "Dropout", "GaussianDropout", "GaussianNoise",
    "Lambda", "Normalization", "Permute", "RepeatVector", "Reshape",
    "ONNXLayer", "TFSMLayer",
    "ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax", "Embedding", "CategoryEncoding",
    "Discretization", "LayerNormalization", "RMSNormalization", "UnitNormalization",
    "ActivityRegularization", "Identity", "Rescaling",
    "EinsumDense", "Hashing", "HashedCrossing", "InputSpec", "Pipeline", "SpectralNormalization",
    "Wrapper", "serialize", "deserialize", "IntegerLookup", "StringLookup",
]
