import numpy as np
import pytest

from neuroflow import metrics
from neuroflow.autodiff import GradientTape, Tensor


class CountPositives(metrics.Metric):
    def __init__(self, name="count_positives", dtype=None):
        super().__init__(dtype=dtype, name=name)
        self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")

    def update_state(self, values):
        self.hits.assign_add(np.sum(np.asarray(values) > 0))

    def result(self):
        return self._value(self.hits.data)


def test_custom_metric_accumulates_over_batches():
    m = CountPositives()
    m.update_state([1, -1, 2])
    m.update_state([3])
    assert m.result() == 3


def test_reset_state_zeroes_every_variable():
    m = CountPositives()
    m.update_state([1, 2])
    m.reset_state()
    assert m.result() == 0


def test_variables_are_non_trainable_and_tracked():
    m = CountPositives()
    assert [v.name for v in m.variables] == ["hits"]
    assert not m.variables[0].trainable


def test_variable_path_is_prefixed_with_metric_name():
    assert CountPositives().hits.path == "count_positives/hits"


def test_call_updates_and_returns_result():
    m = CountPositives()
    assert m([1, 1]) == 2 and m([1]) == 3


def test_default_name_is_snake_case_class_name():
    class MyFancyMetric(metrics.Metric):
        pass

    assert MyFancyMetric().name == "my_fancy_metric"


def test_base_update_state_is_not_implemented():
    with pytest.raises(NotImplementedError, match="update_state"):
        metrics.Metric().update_state([1])


def test_dtype_defaults_to_floatx():
    assert metrics.Mean().dtype == "float32"


def test_mean_of_values():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7])
    assert m.result() == pytest.approx(4.0)


def test_mean_with_sample_weight():
    m = metrics.Mean()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert m.result() == pytest.approx(2.0)


def test_mean_over_batches_weights_by_count():
    m = metrics.Mean()
    m.update_state([1.0, 2.0, 3.0])
    m.update_state([10.0])
    assert m.result() == pytest.approx(4.0)


def test_mean_of_scalar_with_integer_weight_counts_that_many_samples():
    m = metrics.Mean()
    m.update_state(2.0, sample_weight=3)
    m.update_state(6.0, sample_weight=1)
    assert m.result() == pytest.approx(3.0)


def test_mean_averages_rows_of_2d_values_first():
    m = metrics.Mean()
    m.update_state([[1.0, 3.0], [5.0, 7.0]], sample_weight=[1.0, 0.0])
    assert m.result() == pytest.approx(2.0)


def test_mean_without_data_is_zero():
    assert metrics.Mean().result() == 0.0


def test_mean_reset():
    m = metrics.Mean()
    m.update_state([5.0])
    m.reset_state()
    m.update_state([1.0])
    assert m.result() == pytest.approx(1.0)


def test_mean_rejects_sample_weight_of_wrong_length():
    with pytest.raises(ValueError, match=r"sample_weight of shape \(3,\)"):
        metrics.Mean().update_state([1.0, 2.0], sample_weight=[1.0, 1.0, 1.0])


def test_mean_reads_tensors_without_recording():
    m = metrics.Mean()
    x = Tensor(np.array([1.0, 3.0], dtype=np.float32), requires_grad=True)
    with GradientTape():
        m.update_state(x)
    assert m.result() == pytest.approx(2.0)


def test_sum_with_sample_weight():
    m = metrics.Sum()
    m.update_state([1, 3, 5, 7], sample_weight=[1, 1, 0, 0])
    assert m.result() == pytest.approx(4.0)


def test_sum_reset():
    m = metrics.Sum()
    m.update_state([1.0])
    m.reset_state()
    assert m.result() == 0.0


def test_mean_metric_wrapper_averages_a_function():
    def abs_diff(y_true, y_pred):
        return np.abs(y_true - y_pred)

    m = metrics.MeanMetricWrapper(abs_diff)
    m.update_state(np.array([1.0, 2.0]), np.array([2.0, 2.0]))
    assert m.name == "abs_diff" and m.result() == pytest.approx(0.5)


def test_mean_metric_wrapper_accepts_tensor_results():
    m = metrics.MeanMetricWrapper(lambda t, p: Tensor(np.abs(t - p)), name="diff")
    m.update_state(np.array([0.0]), np.array([3.0]))
    assert m.result() == pytest.approx(3.0)


def test_mean_metric_wrapper_passes_keyword_arguments():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, threshold=0.9)
    m.update_state(np.array([1.0]), np.array([0.8]))
    assert m.result() == 0.0


def test_mean_metric_wrapper_rejects_non_callable():
    with pytest.raises(TypeError, match="callable"):
        metrics.MeanMetricWrapper("mse")


def test_mean_metric_wrapper_config_round_trip():
    m = metrics.MeanMetricWrapper(metrics.binary_accuracy, name="acc", threshold=0.3)
    again = metrics.deserialize(metrics.serialize(m))
    assert again.get_config() == m.get_config()
