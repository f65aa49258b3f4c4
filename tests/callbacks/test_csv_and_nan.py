"""CSVLogger writes one row per epoch (append mode keeps old rows); TerminateOnNaN."""

from __future__ import annotations

import csv

from neuroflow.callbacks import CSVLogger, TerminateOnNaN


def _rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def test_csv_logger_writes_a_row_per_epoch(tmp_path, make_model, data):
    path = tmp_path / "log.csv"
    history = make_model().fit(*data, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    rows = _rows(path)
    assert [r["epoch"] for r in rows] == ["0", "1"]
    assert float(rows[1]["loss"]) == history.history["loss"][1]


def test_csv_logger_append_keeps_previous_rows_and_one_header(tmp_path, make_model, data):
    path = tmp_path / "log.csv"
    model = make_model()
    model.fit(*data, epochs=2, verbose=0, callbacks=[CSVLogger(path)])
    model.fit(*data, epochs=3, initial_epoch=2, verbose=0,
              callbacks=[CSVLogger(path, append=True)])
    assert [r["epoch"] for r in _rows(path)] == ["0", "1", "2"]


def test_csv_logger_without_append_overwrites(tmp_path, make_model, data):
    path = tmp_path / "log.csv"
    path.write_text("old\n")
    make_model().fit(*data, epochs=1, verbose=0, callbacks=[CSVLogger(path)])
    assert path.read_text().startswith("epoch,loss")


def test_csv_logger_uses_separator(tmp_path, make_model, data):
    path = tmp_path / "log.csv"
    make_model().fit(*data, epochs=1, verbose=0, callbacks=[CSVLogger(path, separator=";")])
    assert path.read_text().splitlines()[0] == "epoch;loss"


def test_terminate_on_nan_sets_stop_training_on_nan_loss(make_model):
    cb = TerminateOnNaN()
    cb.set_model(make_model())
    cb.on_train_batch_end(3, {"loss": float("nan")})
    assert cb.model.stop_training


def test_terminate_on_nan_ignores_finite_loss(make_model):
    cb = TerminateOnNaN()
    cb.set_model(make_model())
    cb.on_train_batch_end(3, {"loss": 0.5})
    assert not cb.model.stop_training
