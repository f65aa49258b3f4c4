import pytest

from neuroflow.tuner import HyperParameters


def test_int_returns_its_default_without_a_tuner():
    assert HyperParameters().Int("n", 0, 8, default=2) == 2


def test_int_default_is_min_value():
    assert HyperParameters().Int("n", 16, 256) == 16


def test_float_default_is_min_value():
    assert HyperParameters().Float("lr", 1e-4, 1e-2, sampling="log") == pytest.approx(1e-4)


def test_choice_default_is_first_value():
    assert HyperParameters().Choice("opt", ["sgd", "adam"]) == "sgd"


def test_boolean_default_is_false():
    assert HyperParameters().Boolean("normalize") is False


def test_fixed_returns_its_value():
    assert HyperParameters().Fixed("units", 32) == 32


def test_values_hold_the_registered_hyperparameters():
    hp = HyperParameters()
    hp.Int("n", 0, 3)
    hp.Choice("act", ["relu", "tanh"])
    assert hp.values == {"n": 0, "act": "relu"}


def test_get_returns_the_current_value():
    hp = HyperParameters()
    hp.Int("n", 1, 3)
    assert hp.get("n") == 1 and hp["n"] == 1


def test_get_unknown_name_raises_key_error():
    with pytest.raises(KeyError, match="unknown hyperparameter 'x'"):
        HyperParameters().get("x")


def test_registering_a_name_again_returns_the_first_value():
    hp = HyperParameters.from_values({"n": 3})
    assert hp.Int("n", 0, 8) == 3 and hp.Int("n", 0, 8) == 3


def test_conditional_scope_inactive_returns_none():
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "linear"])
    with hp.conditional_scope("model", ["linear"]):
        assert hp.Int("units", 1, 4) is None
    assert "units" not in hp.values


def test_conditional_scope_active_returns_value():
    hp = HyperParameters()
    hp.Choice("model", ["mlp", "linear"])
    with hp.conditional_scope("model", "mlp"):
        assert hp.Int("units", 1, 4) == 1


def test_conditional_scope_needs_a_registered_parent():
    with pytest.raises(ValueError, match="must be registered"):
        with HyperParameters().conditional_scope("missing", ["a"]):
            pass


def test_inactive_hyperparameter_is_still_in_the_space():
    hp = HyperParameters()
    hp.Boolean("deep")
    hp.Int("layers", 1, 3, parent_name="deep", parent_values=[True])
    assert [h.name for h in hp.space] == ["deep", "layers"] and not hp.is_active("layers")


def test_int_min_above_max_raises():
    with pytest.raises(ValueError, match="greater than max_value"):
        HyperParameters().Int("n", 5, 1)


def test_log_sampling_needs_positive_min():
    with pytest.raises(ValueError, match="min_value > 0"):
        HyperParameters().Float("lr", 0.0, 1.0, sampling="log")


def test_unknown_sampling_raises():
    with pytest.raises(ValueError, match="sampling must be one of"):
        HyperParameters().Float("lr", 0.1, 1.0, sampling="cubic")


def test_choice_with_mixed_types_raises():
    with pytest.raises(TypeError, match="must all be"):
        HyperParameters().Choice("c", [1, "a"])


def test_choice_default_outside_values_raises():
    with pytest.raises(ValueError, match="not one of"):
        HyperParameters().Choice("c", ["a", "b"], default="z")


def test_same_name_with_another_kind_raises():
    hp = HyperParameters()
    hp.Int("n", 0, 3)
    with pytest.raises(ValueError, match="already registered as Int"):
        hp.Float("n", 0.0, 1.0)


def test_int_grid_values_follow_the_step():
    hp = HyperParameters()
    hp.Int("units", 16, 64, step=16)
    assert hp.space[0].grid_values() == [16, 32, 48, 64]


def test_float_grid_without_step_takes_ten_log_spaced_values():
    hp = HyperParameters()
    hp.Float("lr", 1e-4, 1e-1, sampling="log")
    values = hp.space[0].grid_values()
    assert len(values) == 10 and values[0] == pytest.approx(1e-4)
    assert values[-1] == pytest.approx(1e-1)
