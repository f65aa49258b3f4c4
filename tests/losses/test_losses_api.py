import numpy as np
import pytest

from neuroflow import losses
from neuroflow.autodiff import GradientTape, Tensor

T = np.array([[1.0, 0.0], [0.0, 1.0]])
P = np.array([[0.8, 0.2], [0.4, 0.6]], dtype=np.float32)

ALL_CLASSES = [
    losses.MeanSquaredError, losses.MeanAbsoluteError, losses.MeanAbsolutePercentageError,
    losses.MeanSquaredLogarithmicError, losses.Huber, losses.LogCosh, losses.CosineSimilarity,
    losses.Hinge, losses.SquaredHinge, losses.CategoricalHinge, losses.KLDivergence,
    losses.Poisson, losses.BinaryCrossentropy, losses.CategoricalCrossentropy,
    losses.SparseCategoricalCrossentropy,
]


def test_loss_returns_a_scalar_tensor():
    out = losses.MeanSquaredError()(T, P)
    assert isinstance(out, Tensor) and out.shape == ()


def test_loss_keeps_float32_for_float64_targets():
    assert losses.CategoricalCrossentropy()(T, P).dtype == np.float32


def test_loss_accepts_python_lists():
    out = losses.MeanAbsoluteError()([[1.0, 2.0]], [[2.0, 4.0]])
    np.testing.assert_allclose(out.data, 1.5)


def test_loss_with_explicit_dtype_computes_in_it():
    assert losses.MeanSquaredError(dtype="float64")(T, P).dtype == np.float64


def test_loss_dtype_defaults_to_floatx():
    assert losses.MeanSquaredError().dtype == "float32"


def test_class_default_names_follow_keras():
    assert losses.Huber().name == "huber_loss"
    assert losses.SparseCategoricalCrossentropy().name == "sparse_categorical_crossentropy"


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_config_round_trip(cls):
    loss = cls(name="custom", reduction="sum")
    assert cls.from_config(loss.get_config()).get_config() == loss.get_config()


def test_binary_crossentropy_config_holds_its_arguments():
    config = losses.BinaryCrossentropy(from_logits=True, label_smoothing=0.1).get_config()
    assert config["from_logits"] is True and config["label_smoothing"] == 0.1
    assert config["axis"] == -1


def test_sparse_categorical_crossentropy_config_holds_ignore_class():
    assert losses.SparseCategoricalCrossentropy(ignore_class=0).get_config()["ignore_class"] == 0


def test_custom_subclass_implements_call():
    class DoubleMSE(losses.Loss):
        def call(self, y_true, y_pred):
            return losses.mean_squared_error(y_true, y_pred) * 2.0

    loss = DoubleMSE()
    assert loss.name == "double_mse"
    np.testing.assert_allclose(loss(T, P).data, 2 * ((T - P) ** 2).mean(), rtol=1e-6)


def test_base_loss_call_is_not_implemented():
    with pytest.raises(NotImplementedError, match="call"):
        losses.Loss()(T, P)


def test_custom_subclass_receives_float_y_true_for_integer_targets():
    seen = {}

    class Spy(losses.Loss):
        def call(self, y_true, y_pred):
            seen["dtype"] = y_true.dtype
            return (y_pred - y_true).sum(axis=-1)

    Spy()(np.array([[1, 0]]), P[:1])
    assert seen["dtype"] == np.float32


def test_wrapper_is_named_after_its_function():
    def my_loss(y_true, y_pred):
        return ((y_true - y_pred) ** 2).mean(axis=-1)

    assert losses.LossFunctionWrapper(my_loss).name == "my_loss"


def test_wrapper_passes_keyword_arguments():
    wrapped = losses.LossFunctionWrapper(losses.huber, delta=0.1, reduction="none")
    np.testing.assert_allclose(wrapped(T, P).data, losses.huber(T, P, delta=0.1).data)


def test_wrapper_of_sparse_crossentropy_keeps_integer_labels():
    wrapped = losses.LossFunctionWrapper(losses.sparse_categorical_crossentropy)
    np.testing.assert_allclose(wrapped(np.array([0, 1]), P).data,
                               -np.log([0.8, 0.6]).mean(), rtol=1e-6)


def test_wrapper_rejects_non_callable():
    with pytest.raises(TypeError, match="callable"):
        losses.LossFunctionWrapper("mse")


def test_wrapper_config_round_trip_through_deserialize():
    wrapped = losses.LossFunctionWrapper(losses.huber, name="h", delta=0.5)
    again = losses.deserialize(losses.serialize(wrapped))
    assert again.fn is losses.huber and again.get_config() == wrapped.get_config()


def test_get_function_name_returns_the_function():
    assert losses.get("mse") is losses.mean_squared_error


def test_get_class_name_returns_an_instance():
    assert isinstance(losses.get("CategoricalCrossentropy"), losses.CategoricalCrossentropy)


def test_get_class_returns_an_instance():
    assert isinstance(losses.get(losses.Huber), losses.Huber)


def test_get_instance_returns_it():
    loss = losses.Hinge()
    assert losses.get(loss) is loss


def test_get_callable_returns_it():
    def custom(y_true, y_pred):
        return y_pred

    assert losses.get(custom) is custom


def test_get_config_dict_builds_the_loss():
    loss = losses.get({"class_name": "BinaryCrossentropy", "config": {"from_logits": True}})
    assert isinstance(loss, losses.BinaryCrossentropy) and loss.from_logits


def test_get_none_is_none():
    assert losses.get(None) is None


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown loss: 'msee'.*mean_squared_error"):
        losses.get("msee")


def test_get_rejects_other_types():
    with pytest.raises(ValueError, match="loss identifier"):
        losses.get(42)


def test_serialize_function_gives_its_name():
    assert losses.serialize(losses.hinge)["config"] == "hinge"


def test_deserialize_function_config():
    config = {"class_name": "function", "config": "poisson"}
    assert losses.deserialize(config) is losses.poisson


def test_deserialize_uses_custom_objects():
    def custom(y_true, y_pred):
        return y_pred

    assert losses.deserialize("custom", custom_objects={"custom": custom}) is custom


def test_resolve_wraps_functions_named_after_the_identifier():
    loss = losses.resolve("mse")
    assert isinstance(loss, losses.LossFunctionWrapper) and loss.name == "mse"


def test_resolve_keeps_loss_instances():
    loss = losses.Huber()
    assert losses.resolve(loss) is loss


def test_resolve_crossentropy_needs_shapes():
    with pytest.raises(ValueError, match="y_true_shape"):
        losses.resolve("crossentropy")


@pytest.mark.parametrize("y_true_shape,y_pred_shape,expected", [
    ((8, 1), (8, 1), losses.binary_crossentropy),
    ((8,), (8, 3), losses.sparse_categorical_crossentropy),
    ((8, 1), (8, 3), losses.sparse_categorical_crossentropy),
    ((8, 3), (8, 3), losses.categorical_crossentropy),
])
def test_resolve_crossentropy_picks_by_shapes(y_true_shape, y_pred_shape, expected):
    assert losses.resolve_crossentropy(y_true_shape, y_pred_shape) is expected


def test_resolve_ce_wraps_the_chosen_crossentropy():
    loss = losses.resolve("ce", (8,), (8, 3))
    assert loss.fn is losses.sparse_categorical_crossentropy and loss.name == "ce"


F32 = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]], dtype=np.float32)
ONEHOT = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])


@pytest.mark.parametrize("loss,y_true", [
    (losses.MeanSquaredError(), ONEHOT), (losses.MeanAbsoluteError(), ONEHOT),
    (losses.MeanAbsolutePercentageError(), ONEHOT + 1),
    (losses.MeanSquaredLogarithmicError(), ONEHOT),
    (losses.Huber(), ONEHOT), (losses.LogCosh(), ONEHOT), (losses.CosineSimilarity(), ONEHOT),
    (losses.Hinge(), ONEHOT), (losses.SquaredHinge(), ONEHOT), (losses.CategoricalHinge(), ONEHOT),
    (losses.KLDivergence(), ONEHOT), (losses.Poisson(), ONEHOT),
    (losses.BinaryCrossentropy(), ONEHOT), (losses.CategoricalCrossentropy(), ONEHOT),
    (losses.CategoricalCrossentropy(label_smoothing=0.1), ONEHOT),
    (losses.SparseCategoricalCrossentropy(), np.array([0, 2])),
    (losses.SparseCategoricalCrossentropy(ignore_class=2), np.array([0, 2])),
])
def test_loss_value_and_gradient_stay_float32(loss, y_true):
    p = Tensor(F32, requires_grad=True)
    with GradientTape() as tape:
        value = loss(y_true, p, sample_weight=np.array([1.0, 0.5]))
    assert value.dtype == np.float32 and tape.gradient(value, p).dtype == np.float32
