import pytest

from neuroflow import losses, metrics

ALL_CLASSES = [
    metrics.Mean, metrics.Sum, metrics.Accuracy, metrics.BinaryAccuracy,
    metrics.CategoricalAccuracy, metrics.SparseCategoricalAccuracy,
    metrics.TopKCategoricalAccuracy, metrics.SparseTopKCategoricalAccuracy,
    metrics.MeanSquaredError, metrics.MeanAbsoluteError, metrics.MeanAbsolutePercentageError,
    metrics.MeanSquaredLogarithmicError, metrics.RootMeanSquaredError, metrics.CosineSimilarity,
    metrics.LogCoshError, metrics.BinaryCrossentropy, metrics.CategoricalCrossentropy,
    metrics.SparseCategoricalCrossentropy, metrics.KLDivergence, metrics.Poisson,
    metrics.Hinge, metrics.SquaredHinge, metrics.CategoricalHinge, metrics.TruePositives,
    metrics.FalsePositives, metrics.TrueNegatives, metrics.FalseNegatives, metrics.Precision,
    metrics.Recall, metrics.AUC,
]


@pytest.mark.parametrize("cls", ALL_CLASSES)
def test_serialize_round_trip(cls):
    metric = cls(name="custom")
    again = metrics.deserialize(metrics.serialize(metric))
    assert type(again) is cls and again.get_config() == metric.get_config()


def test_get_alias_gives_a_metric_instance():
    assert isinstance(metrics.get("mse"), metrics.MeanSquaredError)


def test_get_snake_case_name():
    assert isinstance(metrics.get("root_mean_squared_error"), metrics.RootMeanSquaredError)


def test_get_class_name():
    assert isinstance(metrics.get("AUC"), metrics.AUC)


def test_get_accuracy_is_exact_match_accuracy():
    assert type(metrics.get("accuracy")) is metrics.Accuracy


def test_get_instance_returns_it():
    m = metrics.Precision()
    assert metrics.get(m) is m


def test_get_class_returns_an_instance():
    assert isinstance(metrics.get(metrics.Recall), metrics.Recall)


def test_get_callable_returns_it():
    def custom(y_true, y_pred):
        return y_pred

    assert metrics.get(custom) is custom


def test_get_config_dict():
    m = metrics.get({"class_name": "BinaryAccuracy", "config": {"threshold": 0.2}})
    assert m.threshold == 0.2


def test_get_none_is_none():
    assert metrics.get(None) is None


def test_get_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="Unknown metric: 'accuracyy'.*binary_accuracy"):
        metrics.get("accuracyy")


def test_deserialize_function_config():
    config = {"class_name": "function", "config": "binary_accuracy"}
    assert metrics.deserialize(config) is metrics.binary_accuracy


@pytest.mark.parametrize("loss,expected", [
    ("binary_crossentropy", metrics.BinaryAccuracy),
    ("categorical_crossentropy", metrics.CategoricalAccuracy),
    ("sparse_categorical_crossentropy", metrics.SparseCategoricalAccuracy),
    (losses.SparseCategoricalCrossentropy(), metrics.SparseCategoricalAccuracy),
    (losses.binary_crossentropy, metrics.BinaryAccuracy),
    (losses.LossFunctionWrapper(losses.categorical_crossentropy), metrics.CategoricalAccuracy),
])
def test_resolve_accuracy_follows_the_loss(loss, expected):
    # Shapes that would say 'categorical' on their own.
    assert type(metrics.resolve_accuracy(loss, (8, 3), (8, 3))) is expected


@pytest.mark.parametrize("y_true_shape,y_pred_shape,expected", [
    ((8, 1), (8, 1), metrics.BinaryAccuracy),
    ((8,), (8,), metrics.BinaryAccuracy),
    ((8,), (8, 4), metrics.SparseCategoricalAccuracy),
    ((8, 1), (8, 4), metrics.SparseCategoricalAccuracy),
    ((8, 4), (8, 4), metrics.CategoricalAccuracy),
])
def test_resolve_accuracy_from_shapes_for_other_losses(y_true_shape, y_pred_shape, expected):
    assert type(metrics.resolve_accuracy("mse", y_true_shape, y_pred_shape)) is expected


def test_resolve_accuracy_names_the_metric():
    assert metrics.resolve_accuracy(None, (8,), (8, 3), name="acc").name == "acc"


def test_resolve_accuracy_binary_from_logits_thresholds_at_zero():
    loss = losses.BinaryCrossentropy(from_logits=True)
    assert metrics.resolve_accuracy(loss, (8, 1), (8, 1)).threshold == 0.0


def test_resolve_crossentropy_follows_the_loss():
    m = metrics.resolve_crossentropy(losses.SparseCategoricalCrossentropy(from_logits=True),
                                     (8,), (8, 3))
    assert type(m) is metrics.SparseCategoricalCrossentropy and m.from_logits
    assert m.name == "crossentropy"


def test_resolve_crossentropy_from_shapes():
    assert type(metrics.resolve_crossentropy("mse", (8, 1), (8, 1))) is metrics.BinaryCrossentropy


def test_resolve_wraps_functions_by_identifier():
    m = metrics.resolve(metrics.binary_accuracy)
    assert isinstance(m, metrics.MeanMetricWrapper) and m.name == "binary_accuracy"


def test_resolve_accuracy_shorthand():
    m = metrics.resolve("acc", loss="sparse_categorical_crossentropy", y_true_shape=(8,),
                        y_pred_shape=(8, 3))
    assert type(m) is metrics.SparseCategoricalAccuracy and m.name == "acc"


def test_resolve_name_gives_metric_instance_named_after_it():
    m = metrics.resolve("mae")
    assert isinstance(m, metrics.MeanAbsoluteError) and m.name == "mae"
