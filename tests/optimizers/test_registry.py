import numpy as np
import pytest

from neuroflow import optimizers
from neuroflow.optimizers import SGD, Adam, RMSprop, schedules


@pytest.mark.parametrize(
    "name, cls",
    [("sgd", optimizers.SGD), ("Adam", optimizers.Adam), ("RMSPROP", optimizers.RMSprop),
     ("adamw", optimizers.AdamW), ("nadam", optimizers.Nadam), ("adagrad", optimizers.Adagrad),
     ("adadelta", optimizers.Adadelta), ("adamax", optimizers.Adamax)],
)
def test_get_resolves_names_case_insensitively(name, cls):
    assert type(optimizers.get(name)) is cls


def test_get_returns_an_instance_unchanged():
    opt = Adam()
    assert optimizers.get(opt) is opt


def test_get_unknown_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown optimizer: 'adamm'.*adam, adamax"):
        optimizers.get("adamm")


def test_get_rejects_other_objects():
    with pytest.raises(ValueError, match="Could not interpret optimizer"):
        optimizers.get(3)


def test_get_builds_from_a_config_dict():
    opt = optimizers.get({"class_name": "SGD", "config": {"learning_rate": 0.5,
                                                          "momentum": 0.9}})
    assert (type(opt), opt.momentum) == (SGD, 0.9)
    assert float(opt.learning_rate) == pytest.approx(0.5)


@pytest.mark.parametrize("cls", [SGD, Adam, RMSprop, optimizers.AdamW, optimizers.Nadam,
                                 optimizers.Adagrad, optimizers.Adadelta, optimizers.Adamax])
def test_serialize_deserialize_round_trip(cls):
    opt = cls(learning_rate=0.25, clipnorm=2.0, name="opt")
    clone = optimizers.deserialize(optimizers.serialize(opt))
    assert type(clone) is cls
    assert clone.get_config() == opt.get_config()


def test_config_round_trip_keeps_a_schedule():
    sched = schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.5, staircase=True)
    opt = SGD(sched)
    config = opt.get_config()
    assert config["learning_rate"]["class_name"] == "ExponentialDecay"
    clone = SGD.from_config(config)
    assert isinstance(clone._learning_rate, schedules.ExponentialDecay)
    assert clone._learning_rate.get_config() == sched.get_config()


def test_config_holds_the_assigned_learning_rate():
    opt = Adam(0.1)
    opt.learning_rate.assign(0.5)
    assert opt.get_config()["learning_rate"] == 0.5


def test_config_round_trip_keeps_decay_without_warning_again():
    with pytest.warns(DeprecationWarning):
        opt = SGD(0.1, decay=0.01)
    clone = SGD.from_config(opt.get_config())
    assert clone.decay == 0.01
    assert np.isclose(clone.current_learning_rate(), 0.1)
