import pickle

import pytest

from neuroflow.datasets import Bunch


def test_keys_read_as_attributes():
    assert Bunch(data=[1, 2]).data == [1, 2]


def test_attribute_assignment_sets_a_key():
    bunch = Bunch()
    bunch.target = 3
    assert bunch["target"] == 3


def test_missing_attribute_raises_attribute_error_listing_keys():
    with pytest.raises(AttributeError, match=r"no attribute 'frame'.*\['data'\]"):
        _ = Bunch(data=1).frame


def test_attribute_deletion_removes_the_key():
    bunch = Bunch(a=1)
    del bunch.a
    assert "a" not in bunch


def test_dir_lists_keys():
    assert "DESCR" in dir(Bunch(DESCR="text"))


def test_pickle_round_trip_keeps_keys_as_attributes():
    restored = pickle.loads(pickle.dumps(Bunch(data=1)))
    restored.data = 2
    assert restored["data"] == 2
