"""Every supported layer, exported alone or in a small graph on random shapes: ONNX
Runtime's outputs equal model.predict, and the file passes onnx.checker."""

from __future__ import annotations

import numpy as np
import pytest
from tests.export.conftest import assert_matches_predict

import neuroflow as keras
from neuroflow import layers as L

ACTIVATIONS = ["relu", "relu6", "leaky_relu", "elu", "selu", "sigmoid", "tanh", "softmax",
               "log_softmax", "softplus", "softsign", "gelu", "silu", "swish", "exponential",
               "hard_sigmoid", "mish", "linear", None, "celu", "hard_silu", "hard_swish",
               "hard_tanh", "log_sigmoid", "tanh_shrink", "sparse_sigmoid", "squareplus"]
NOT_EXPORTED = ["glu", "hard_shrink", "soft_shrink", "sparse_plus", "sparsemax", "threshold"]


def _shapes(seed: int) -> tuple[int, int, int]:
    rng = np.random.default_rng(seed)
    return tuple(int(d) for d in rng.integers(2, 7, size=3))


def _single(layer_fn, sample_shape):
    def build(seed):
        inp = keras.Input(shape=sample_shape)
        return keras.Model(inp, layer_fn(seed)(inp)), [sample_shape]
    return build


def _adapted_normalization(seed):
    a, b, _ = _shapes(seed)
    layer = L.Normalization()
    layer.adapt(np.random.default_rng(seed).normal(3.0, 2.0, size=(50, a)))
    inp = keras.Input(shape=(a,))
    return keras.Model(inp, layer(inp)), [(a,)]


def _batch_norm(axis):
    def build(seed):
        a, b, _ = _shapes(seed)
        inp = keras.Input(shape=(a, b))
        layer = L.BatchNormalization(axis=axis)
        model = keras.Model(inp, layer(inp))
        rng = np.random.default_rng(seed)
        layer.set_weights([rng.normal(size=w.shape).astype(np.float32) ** 2 + 0.1
                           for w in layer.weights])
        return model, [(a, b)]
    return build


def _merge(layer_cls, n=2, **kwargs):
    def build(seed):
        a, _, _ = _shapes(seed)
        inputs = [keras.Input(shape=(a,), name=f"in{i}") for i in range(n)]
        return keras.Model(inputs, layer_cls(**kwargs)(inputs)), [(a,)] * n
    return build


def _dot(axes, normalize):
    def build(seed):
        a, b, c = _shapes(seed)
        x, y = keras.Input(shape=(a, b), name="x"), keras.Input(shape=(a, c), name="y")
        return keras.Model([x, y], L.Dot(axes=axes, normalize=normalize)([x, y])), \
            [(a, b), (a, c)]
    return build


def _dense(activation):
    def build(seed):
        a, b, _ = _shapes(seed)
        return keras.Sequential([keras.Input(shape=(a,)), L.Dense(b, activation=activation)]), \
            [(a,)]
    return build


def _activation(activation):
    def build(seed):
        a = _shapes(seed)[0]
        return keras.Sequential([keras.Input(shape=(a,)), L.Activation(activation)]), [(a,)]
    return build


def _with_random_weights(layer, sample_shape, seed):
    inp = keras.Input(shape=sample_shape)
    model = keras.Model(inp, layer(inp))
    rng = np.random.default_rng(seed)
    layer.set_weights([rng.normal(size=w.shape).astype(np.float32) for w in layer.weights])
    return model, [sample_shape]


def _prelu(seed, shared_axes):
    return _with_random_weights(L.PReLU(shared_axes=shared_axes), _shapes(seed)[:2], seed)


CASES = {
    **{f"dense_{act}": _dense(act) for act in ACTIVATIONS},
    **{f"activation_{act}": _activation(act) for act in ACTIVATIONS if act},
    "dense_3d": lambda seed: (keras.Sequential([keras.Input(shape=_shapes(seed)[:2]),
                                                L.Dense(5, activation="tanh")]),
                              [_shapes(seed)[:2]]),
    "dense_no_bias": lambda seed: (keras.Sequential([keras.Input(shape=(4,)),
                                                     L.Dense(3, use_bias=False)]), [(4,)]),
    "flatten": lambda seed: _single(lambda s: L.Flatten(), _shapes(seed))(seed),
    "reshape": lambda seed: _single(lambda s: L.Reshape((-1, _shapes(s)[0])),
                                    _shapes(seed))(seed),
    "permute": lambda seed: _single(lambda s: L.Permute((3, 1, 2)), _shapes(seed))(seed),
    "repeat_vector": lambda seed: _single(lambda s: L.RepeatVector(3),
                                          _shapes(seed)[:1])(seed),
    "normalization": _adapted_normalization,
    "normalization_invert": lambda seed: _single(
        lambda s: L.Normalization(mean=[1.0, 2.0], variance=[4.0, 0.25], invert=True),
        (2,))(seed),
    "dropout": lambda seed: _single(lambda s: L.Dropout(0.5), (4,))(seed),
    "gaussian_noise": lambda seed: _single(lambda s: L.GaussianNoise(0.3), (4,))(seed),
    "gaussian_dropout": lambda seed: _single(lambda s: L.GaussianDropout(0.3), (4,))(seed),
    "alpha_dropout": lambda seed: _single(lambda s: L.AlphaDropout(0.3), (4,))(seed),
    "batch_norm_last_axis": _batch_norm(-1),
    "batch_norm_axis_1": _batch_norm(1),
    "add": _merge(L.Add, 3),
    "subtract": _merge(L.Subtract),
    "multiply": _merge(L.Multiply, 3),
    "average": _merge(L.Average, 3),
    "maximum": _merge(L.Maximum, 3),
    "minimum": _merge(L.Minimum),
    "concatenate": _merge(L.Concatenate),
    "concatenate_axis_1": lambda seed: (lambda a, b, c: (lambda x, y: (
        keras.Model([x, y], L.Concatenate(axis=1)([x, y])), [(a, c), (b, c)]))(
        keras.Input(shape=(a, c)), keras.Input(shape=(b, c))))(*_shapes(seed)),
    "relu_layer": lambda seed: _single(lambda s: L.ReLU(), (5,))(seed),
    "relu_layer_capped_leaky": lambda seed: _single(
        lambda s: L.ReLU(max_value=1.5, negative_slope=0.1, threshold=0.2), (5,))(seed),
    "relu_layer_capped": lambda seed: _single(lambda s: L.ReLU(max_value=0.5), (5,))(seed),
    "leaky_relu_layer": lambda seed: _single(lambda s: L.LeakyReLU(0.05), (5,))(seed),
    "elu_layer": lambda seed: _single(lambda s: L.ELU(0.7), (5,))(seed),
    "prelu_shared": lambda seed: _prelu(seed, [1]),
    "prelu": lambda seed: _prelu(seed, None),
    "softmax_layer": lambda seed: _single(lambda s: L.Softmax(axis=1), _shapes(seed)[:2])(seed),
    "softmax_layer_axes": lambda seed: _single(lambda s: L.Softmax(axis=[1, 2]),
                                               _shapes(seed)[:2])(seed),
    "layer_normalization": lambda seed: _with_random_weights(
        L.LayerNormalization(), _shapes(seed)[:2], seed),
    "layer_normalization_two_axes": lambda seed: _with_random_weights(
        L.LayerNormalization(axis=[1, 2], center=False), _shapes(seed)[:2], seed),
    "rms_normalization": lambda seed: _with_random_weights(
        L.RMSNormalization(), _shapes(seed)[:2], seed),
    "unit_normalization": lambda seed: _single(lambda s: L.UnitNormalization(), (5,))(seed),
    "identity": lambda seed: _single(lambda s: L.Identity(), (3,))(seed),
    "activity_regularization": lambda seed: _single(
        lambda s: L.ActivityRegularization(l1=0.1), (3,))(seed),
    "rescaling": lambda seed: _single(lambda s: L.Rescaling(1 / 255, offset=-0.5), (3,))(seed),
    "dot": _merge(L.Dot, axes=1),
    "dot_normalized": _merge(L.Dot, axes=1, normalize=True),
    "dot_3d": _dot((1, 1), False),
    "dot_3d_normalized": _dot((1, 1), True),
}


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("case", sorted(CASES))
def test_layer_export_matches_predict(case, seed):
    keras.utils.set_random_seed(seed)
    model, sample_shapes = CASES[case](seed)
    rng = np.random.default_rng(seed)
    batch = int(rng.integers(1, 9))
    inputs = [rng.normal(size=(batch, *s)).astype(np.float32) for s in sample_shapes]
    assert_matches_predict(model, inputs[0] if len(inputs) == 1 else inputs)


@pytest.mark.parametrize("name", NOT_EXPORTED)
def test_activation_without_translation_names_layer_and_hook(name):
    from neuroflow.export import UnsupportedLayerError, to_onnx

    model = keras.Sequential([keras.Input(shape=(4,)), L.Activation(name, name="act")])
    with pytest.raises(UnsupportedLayerError, match=r"Activation layer 'act'.*onnx_activation"):
        to_onnx(model)


def test_every_built_in_activation_is_tested():
    from neuroflow import activations

    assert set(activations._BY_NAME) == set(ACTIVATIONS) - {None} | set(NOT_EXPORTED)
