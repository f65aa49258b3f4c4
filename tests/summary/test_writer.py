"""Writers, the default step and recording, as tf.summary has them."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import neuroflow
from neuroflow import summary


def test_scalars_are_read_back_at_their_steps(tmp_path, read):
    writer = summary.create_file_writer(tmp_path)
    with writer.as_default():
        for step in range(3):
            assert summary.scalar("loss", 1.0 / (step + 1), step=step)
    run = read(tmp_path)
    assert run.steps("loss") == [0, 1, 2]
    assert [float(v) for v in run.values("loss")] == pytest.approx([1.0, 0.5, 1 / 3])
    assert run.values("loss")[0].dtype == np.float32 and run.plugin("loss") == "scalars"


def test_without_a_default_writer_nothing_is_written_and_data_is_not_read(tmp_path):
    summary.create_file_writer(tmp_path)
    assert summary.scalar("loss", "not a number", step=0) is False
    assert summary.should_record_summaries() is False


def test_a_summary_without_any_step_is_an_error(tmp_path):
    with summary.create_file_writer(tmp_path).as_default():
        with pytest.raises(ValueError, match="set_step"):
            summary.scalar("loss", 1.0)


def test_set_step_is_the_step_of_summaries_written_without_one(tmp_path, read):
    with summary.create_file_writer(tmp_path).as_default():
        summary.experimental.set_step(7)
        try:
            assert summary.experimental.get_step() == 7
            summary.scalar("loss", 1.0)
        finally:
            summary.experimental.set_step(None)
    assert read(tmp_path).steps("loss") == [7]


def test_a_variable_step_is_read_at_each_write(tmp_path, read):
    step = neuroflow.Variable(np.array(1, dtype="int64"))
    with summary.create_file_writer(tmp_path).as_default(step=step):
        summary.scalar("loss", 1.0)
        step.assign(5)
        summary.scalar("loss", 2.0)
    assert read(tmp_path).steps("loss") == [1, 5]


def test_as_default_restores_the_previous_writer_and_step(tmp_path, read):
    outer, inner = summary.create_file_writer(tmp_path / "a"), summary.create_file_writer(
        tmp_path / "b")
    with outer.as_default(step=1):
        with inner.as_default(step=2):
            summary.scalar("x", 0.0)
        assert summary.experimental.get_step() == 1
        summary.scalar("x", 0.0)
    assert summary.experimental.get_step() is None
    assert (read(tmp_path / "a").steps("x"), read(tmp_path / "b").steps("x")) == ([1], [2])


def test_a_non_integer_step_is_refused_with_its_value(tmp_path):
    with pytest.raises(ValueError, match="integer.*1.5"):
        summary.experimental.set_step(1.5)
    with summary.create_file_writer(tmp_path).as_default():
        with pytest.raises(ValueError, match="step must be an integer"):
            summary.scalar("x", 0.0, step="three")


def test_events_wait_in_memory_until_flush(tmp_path, read):
    writer = summary.create_file_writer(tmp_path, max_queue=100, flush_millis=10**9)
    writer.set_as_default()
    try:
        summary.scalar("x", 0.0, step=0)
        assert read(tmp_path).tags() == []
        summary.flush()
        assert read(tmp_path).steps("x") == [0]
    finally:
        writer.close()


def test_as_default_flushes_on_exit(tmp_path, read):
    writer = summary.create_file_writer(tmp_path, max_queue=100, flush_millis=10**9)
    with writer.as_default():
        summary.scalar("x", 0.0, step=3)
    assert read(tmp_path).steps("x") == [3]


def test_a_full_queue_is_written(tmp_path, read):
    with summary.create_file_writer(tmp_path, max_queue=2, flush_millis=10**9).as_default():
        for step in range(3):
            summary.scalar("x", 0.0, step=step)
        assert read(tmp_path).steps("x") == [0, 1, 2]


def test_record_if_switches_recording_off_and_back(tmp_path, read):
    with summary.create_file_writer(tmp_path).as_default(step=0):
        assert summary.should_record_summaries()
        with summary.record_if(False):
            assert summary.scalar("off", 1.0) is False
            assert not summary.should_record_summaries()
        with summary.record_if(lambda: True):
            assert summary.scalar("on", 1.0) is True
    assert read(tmp_path).tags() == ["on"]


def test_the_default_writer_belongs_to_one_thread(tmp_path, read):
    seen = []
    with summary.create_file_writer(tmp_path).as_default(step=0):
        thread = threading.Thread(target=lambda: seen.append(summary.scalar("other", 1.0)))
        thread.start()
        thread.join()
        summary.scalar("mine", 1.0)
    assert seen == [False] and read(tmp_path).tags() == ["mine"]


def test_a_closed_writer_refuses_to_become_the_default(tmp_path):
    writer = summary.create_file_writer(tmp_path)
    writer.close()
    with pytest.raises(RuntimeError, match="closed"):
        with writer.as_default():
            pass


def test_the_noop_writer_records_nothing(tmp_path):
    with summary.create_noop_writer().as_default(step=0):
        assert summary.scalar("x", 1.0) is False
        assert not summary.should_record_summaries()


def test_two_writers_of_one_folder_write_two_files(tmp_path, read):
    for step in range(2):
        with summary.create_file_writer(tmp_path).as_default(step=step):
            summary.scalar("x", float(step))
    files = sorted(p.name for p in tmp_path.iterdir())
    assert len(files) == 2 and all(name.endswith(".v2") for name in files)
    assert sorted(read(tmp_path).steps("x")) == [0, 1]


@pytest.mark.parametrize("arg, value", [("logdir", ""), ("max_queue", -1),
                                        ("flush_millis", 1.5)])
def test_create_file_writer_names_a_bad_argument(tmp_path, arg, value):
    kwargs = {"logdir": tmp_path, arg: value}
    with pytest.raises(ValueError, match=arg):
        summary.create_file_writer(**kwargs)


def test_summary_is_a_lazy_attribute_of_neuroflow():
    assert neuroflow.summary is summary
