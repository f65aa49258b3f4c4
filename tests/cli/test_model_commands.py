"""`neuroflow summary|predict|evaluate` on a saved model."""

import json

import numpy as np
import pytest

from neuroflow.cli import main
from neuroflow.cli.errors import BAD_INPUT


def test_summary_prints_the_parameter_count(saved_model, capsys):
    assert main(["summary", str(saved_model)]) == 0
    assert "Total params: 15" in capsys.readouterr().out


def test_predict_writes_one_csv_row_per_input_row(saved_model, rows, capsys):
    assert main(["predict", str(saved_model), str(rows)]) == 0
    out = np.loadtxt(capsys.readouterr().out.splitlines(), delimiter=",")
    assert out.shape == (5, 3)
    np.testing.assert_allclose(out.sum(axis=1), 1, atol=1e-5)


def test_predict_batches_give_the_same_rows(saved_model, rows, capsys):
    main(["predict", str(saved_model), str(rows)])
    whole = capsys.readouterr().out
    main(["predict", str(saved_model), str(rows), "--batch-size", "2"])
    assert capsys.readouterr().out == whole


def test_predict_writes_json(saved_model, rows, capsys):
    main(["predict", str(saved_model), str(rows), "--format", "json"])
    assert np.array(json.loads(capsys.readouterr().out)).shape == (5, 3)


def test_predict_classes_writes_the_argmax(saved_model, rows, capsys):
    main(["predict", str(saved_model), str(rows), "--format", "json"])
    probabilities = np.array(json.loads(capsys.readouterr().out))
    main(["predict", str(saved_model), str(rows), "--format", "json", "--classes"])
    assert json.loads(capsys.readouterr().out) == probabilities.argmax(axis=1).tolist()


def test_predict_reads_csv_input(saved_model, tmp_path, capsys):
    (tmp_path / "x.csv").write_text("a,b,c,d\n0.1,0.2,0.3,0.4\n")
    main(["predict", str(saved_model), str(tmp_path / "x.csv")])
    assert len(capsys.readouterr().out.splitlines()) == 1


def test_predict_writes_the_output_file(saved_model, rows, tmp_path):
    out = tmp_path / "pred.csv"
    main(["predict", str(saved_model), str(rows), "--output", str(out)])
    assert len(out.read_text().splitlines()) == 5


def test_predict_refuses_rows_of_the_wrong_size(saved_model, tmp_path, capsys):
    np.save(tmp_path / "x.npy", np.zeros((2, 5), np.float32))
    assert main(["predict", str(saved_model), str(tmp_path / "x.npy")]) == BAD_INPUT
    assert "expects inputs of shape (2, 2)" in capsys.readouterr().err


def test_predict_refuses_a_file_that_is_no_model(tmp_path, rows, capsys):
    (tmp_path / "m.keras").write_text("not a model")
    assert main(["predict", str(tmp_path / "m.keras"), str(rows)]) == BAD_INPUT
    assert "cannot load the model" in capsys.readouterr().err


def test_evaluate_reads_labels_from_the_input_npz(saved_model, rows, capsys):
    assert main(["evaluate", str(saved_model), str(rows), "--labels", "y",
                 "--format", "json"]) == 0
    assert set(json.loads(capsys.readouterr().out)) == {"loss", "accuracy"}


def test_evaluate_reads_labels_from_a_csv_file(saved_model, rows, tmp_path, capsys):
    (tmp_path / "y.csv").write_text("0\n1\n2\n1\n0\n")
    assert main(["evaluate", str(saved_model), str(rows), "--labels",
                 str(tmp_path / "y.csv")]) == 0
    assert capsys.readouterr().out.startswith("loss: ")


def test_evaluate_refuses_labels_of_another_length(saved_model, rows, tmp_path, capsys):
    np.save(tmp_path / "y.npy", np.zeros(3))
    code = main(["evaluate", str(saved_model), str(rows), "--labels", str(tmp_path / "y.npy")])
    assert code == BAD_INPUT and "3 labels for 5 input rows" in capsys.readouterr().err


def _two_input_model(tmp_path):
    """The chapter's two-input Wide & Deep (wide: 5 features, deep: 6), saved compiled."""
    import neuroflow as keras

    keras.utils.set_random_seed(0)
    wide = keras.layers.Input(shape=[5], name="wide_input")
    deep = keras.layers.Input(shape=[6], name="deep_input")
    hidden = keras.layers.Dense(4, activation="relu")(deep)
    output = keras.layers.Dense(1)(keras.layers.concatenate([wide, hidden]))
    model = keras.Model(inputs=[wide, deep], outputs=[output])
    model.compile(loss="mse", optimizer="sgd")
    path = tmp_path / "wide_deep.keras"
    model.save(path)
    rng = np.random.default_rng(1)
    data = tmp_path / "rows.npz"
    inputs = {"wide_input": rng.random((7, 5), dtype=np.float32),
              "deep_input": rng.random((7, 6), dtype=np.float32)}
    np.savez(data, **inputs, y=rng.random(7, dtype=np.float32))
    return model, path, data, inputs


def test_predict_feeds_a_multi_input_model_from_named_npz_arrays(tmp_path, capsys):
    model, path, data, inputs = _two_input_model(tmp_path)
    assert main(["predict", str(path), str(data), "--format", "json", "--batch-size", "3"]) == 0
    got = np.asarray(json.loads(capsys.readouterr().out), dtype=np.float32).reshape(7, 1)
    np.testing.assert_allclose(got, model.predict(inputs, verbose=0), rtol=1e-5)


def test_evaluate_a_multi_input_model(tmp_path, capsys):
    model, path, data, inputs = _two_input_model(tmp_path)
    assert main(["evaluate", str(path), str(data), "--labels", "y", "--format", "json"]) == 0
    expected = model.evaluate(inputs, np.load(data)["y"], verbose=0)
    assert json.loads(capsys.readouterr().out)["loss"] == pytest.approx(expected, rel=1e-5)


def test_a_missing_input_array_names_the_model_inputs(tmp_path, capsys):
    _, path, _, inputs = _two_input_model(tmp_path)
    np.savez(tmp_path / "bad.npz", wide_input=inputs["wide_input"])
    assert main(["predict", str(path), str(tmp_path / "bad.npz")]) == BAD_INPUT
    assert "missing ['deep_input']" in capsys.readouterr().err
