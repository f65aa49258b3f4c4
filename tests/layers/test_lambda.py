"""Lambda layers in models, and their config."""

import numpy as np

from neuroflow.layers import Dense, Input, Lambda
from neuroflow.models import Model


def double(x):
    return x * 2.0


def test_lambda_applies_the_function_in_a_functional_model():
    inp = Input(shape=[3])
    model = Model(inp, Lambda(lambda x: x ** 2)(Dense(3)(inp)))
    x = np.ones((2, 3), dtype="float32")
    dense_out = model.layers[1](x).data
    np.testing.assert_allclose(model.predict(x, verbose=0), dense_out ** 2, rtol=1e-6)


def test_lambda_infers_its_output_shape():
    assert Lambda(lambda x: x[:, :2])(Input(shape=[5])).shape == (None, 2)


def test_lambda_passes_arguments():
    out = Lambda(lambda x, k: x * k, arguments={"k": 3.0})(np.ones((1, 2), dtype="float32"))
    np.testing.assert_allclose(out.data, [[3.0, 3.0]])


def test_named_function_config_round_trips_through_custom_objects():
    layer = Lambda(double, name="dbl")
    config = layer.get_config()
    assert config["function"] == {"class_name": "function", "config": "double"}
    clone = Lambda.from_config(config, custom_objects={"double": double})
    np.testing.assert_allclose(clone(np.ones((1, 2), dtype="float32")).data, [[2.0, 2.0]])


def test_config_never_holds_code_and_an_unknown_name_is_a_clear_error():
    import pytest

    with pytest.raises(TypeError, match="lambda cannot be saved"):
        Lambda(lambda x: x + 1.0).get_config()
    with pytest.raises(ValueError, match="'double' is not among the custom objects"):
        Lambda.from_config(Lambda(double, name="d2").get_config())
