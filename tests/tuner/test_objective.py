import pytest

from neuroflow.tuner import Objective
from neuroflow.tuner.objective import get_objective


def test_val_accuracy_is_maximized():
    assert get_objective("val_accuracy").direction == "max"


def test_val_loss_is_minimized():
    assert get_objective("val_loss").direction == "min"


def test_default_objective_is_val_loss():
    assert get_objective(None) == Objective("val_loss", "min")


def test_unknown_metric_name_asks_for_a_direction():
    with pytest.raises(ValueError, match="Objective"):
        get_objective("val_score")


def test_objective_direction_is_checked():
    with pytest.raises(ValueError, match="'min' or 'max'"):
        Objective("score", "up")
