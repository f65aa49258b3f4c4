"""Reading .npy/.npz/.csv inputs in batches and writing CSV/JSON predictions."""

import io
import json

import numpy as np
import pytest

from neuroflow.cli.arrays_io import (
    PredictionWriter,
    fit_rows_to_shape,
    iter_batches,
    read_array,
)
from neuroflow.cli.errors import BAD_INPUT, CliError

ROWS = np.arange(12, dtype=np.float32).reshape(4, 3)


def test_read_array_reads_npy(tmp_path):
    np.save(tmp_path / "x.npy", ROWS)
    np.testing.assert_array_equal(read_array(tmp_path / "x.npy"), ROWS)


def test_read_array_prefers_the_x_array_of_an_npz(tmp_path):
    np.savez(tmp_path / "d.npz", y=ROWS[:, 0], x=ROWS)
    np.testing.assert_array_equal(read_array(tmp_path / "d.npz"), ROWS)


def test_read_array_reads_the_named_npz_array(tmp_path):
    np.savez(tmp_path / "d.npz", x=ROWS, labels=ROWS[:, 0])
    np.testing.assert_array_equal(read_array(tmp_path / "d.npz", key="labels"), ROWS[:, 0])


def test_read_array_asks_for_a_key_when_the_npz_is_ambiguous(tmp_path):
    np.savez(tmp_path / "d.npz", a=ROWS, b=ROWS)
    with pytest.raises(CliError, match="choose one with --key"):
        read_array(tmp_path / "d.npz")


def test_read_array_skips_a_csv_header(tmp_path):
    (tmp_path / "x.csv").write_text("a,b,c\n0,1,2\n3,4,5\n")
    np.testing.assert_array_equal(read_array(tmp_path / "x.csv"), ROWS[:2])


def test_read_array_reads_a_csv_without_header(tmp_path):
    (tmp_path / "x.csv").write_text("0,1,2\n3,4,5\n")
    np.testing.assert_array_equal(read_array(tmp_path / "x.csv"), ROWS[:2])


def test_iter_batches_yields_csv_rows_batch_by_batch(tmp_path):
    np.savetxt(tmp_path / "x.csv", ROWS, delimiter=",")
    assert [len(b) for b in iter_batches(tmp_path / "x.csv", 3)] == [3, 1]


def test_iter_batches_yields_npy_rows_batch_by_batch(tmp_path):
    np.save(tmp_path / "x.npy", ROWS)
    assert [len(b) for b in iter_batches(tmp_path / "x.npy", 3)] == [3, 1]


def test_bad_csv_reports_the_line(tmp_path):
    (tmp_path / "x.csv").write_text("0,1,2\n3,oops,5\n")
    with pytest.raises(CliError, match="data line 1"):
        read_array(tmp_path / "x.csv")


def test_missing_input_is_bad_input(tmp_path):
    with pytest.raises(CliError, match="no such file") as info:
        read_array(tmp_path / "x.npy")
    assert info.value.code == BAD_INPUT


def test_unknown_input_format_is_refused(tmp_path):
    (tmp_path / "x.txt").write_text("1")
    with pytest.raises(CliError, match="unsupported input format"):
        read_array(tmp_path / "x.txt")


def test_fit_rows_to_shape_reshapes_flat_rows():
    assert fit_rows_to_shape(np.zeros((2, 6)), (2, 3), "x").shape == (2, 2, 3)


def test_fit_rows_to_shape_refuses_rows_of_the_wrong_size():
    with pytest.raises(CliError, match="expects inputs of shape \\(8,\\)"):
        fit_rows_to_shape(np.zeros((2, 6)), (8,), "x.csv")


def test_prediction_writer_writes_csv_rows():
    out = io.StringIO()
    writer = PredictionWriter(out, "csv")
    writer.write(np.array([[0.5, 0.25]]))
    writer.write(np.array([[1.0, 2.0]]))
    writer.close()
    assert out.getvalue() == "0.5,0.25\n1,2\n" and writer.rows == 2


def test_prediction_writer_writes_one_json_array_across_batches():
    out = io.StringIO()
    writer = PredictionWriter(out, "json")
    writer.write(np.array([[0.5], [0.25]]))
    writer.write(np.array([[1.0]]))
    writer.close()
    assert json.loads(out.getvalue()) == [[0.5], [0.25], [1.0]]


def test_prediction_writer_writes_classes_as_integers():
    out = io.StringIO()
    writer = PredictionWriter(out, "json")
    writer.write(np.array([3, 1]))
    writer.close()
    assert json.loads(out.getvalue()) == [3, 1]
