"""Dense checks its input in one place: building, eager calls, symbolic calls and
compute_output_shape accept and refuse the same shapes with the same message."""

from __future__ import annotations

import numpy as np
import pytest

import neuroflow as keras


def _built_dense() -> keras.layers.Dense:
    layer = keras.layers.Dense(3, name="checked")
    layer.build((None, 4))
    return layer


def _eager(layer, shape):
    return tuple(layer(np.zeros(shape, "float32")).shape)


def _symbolic(layer, shape):
    return tuple(layer(keras.Input(batch_shape=shape)).shape)


def _static(layer, shape):
    return tuple(layer.compute_output_shape(shape))


PATHS = {"eager": _eager, "symbolic": _symbolic, "compute_output_shape": _static}


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("shape", [(2, 5), (2, 3, 5), (4,), (2, 1)])
def test_a_built_dense_refuses_the_wrong_feature_size_on_every_path(path, shape):
    with pytest.raises(ValueError, match=r"layer 'checked'.*last axis of the input to have "
                                         r"size 4 \(and a batch axis before it\)"):
        PATHS[path](_built_dense(), shape)


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(("shape", "expected"), [((2, 4), (2, 3)), ((2, 5, 4), (2, 5, 3))])
def test_a_built_dense_accepts_its_feature_size_on_every_path(path, shape, expected):
    assert PATHS[path](_built_dense(), shape) == expected


def test_symbolic_inputs_with_an_unknown_feature_size_pass_a_built_dense():
    assert _static(_built_dense(), (None, None)) == (None, 3)


@pytest.mark.parametrize("path", ["eager", "build"])
def test_an_unbuilt_dense_refuses_inputs_without_a_feature_axis(path):
    layer = keras.layers.Dense(3, name="fresh")
    with pytest.raises(ValueError, match=r"Dense 'fresh' expects .*at least 2 axes.*\(4,\)"):
        if path == "eager":
            layer(np.zeros(4, "float32"))
        else:
            layer.build((4,))
    assert layer.kernel is None
