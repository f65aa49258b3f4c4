"""`neuroflow demo NAME`: each of the chapter's models, trained briefly on little data."""

import json

import pytest

from neuroflow.cli import main
from neuroflow.cli.errors import BAD_INPUT
from neuroflow.datasets import DatasetNotFoundError, fashion_mnist

QUICK = ["--epochs", "1", "--max-samples", "64", "--verbose", "0"]


def run_demo(name, tmp_path, *extra):
    return main(["demo", name, "--output", str(tmp_path), *QUICK, *extra])


def real_data_or_skip(load):
    try:
        load()
    except DatasetNotFoundError:
        pytest.skip("the real data set is not available (set NEUROFLOW_DATA)")


@pytest.fixture
def no_fashion_mnist(monkeypatch):
    def missing(*args, **kwargs):
        raise DatasetNotFoundError("no Fashion-MNIST files anywhere")

    monkeypatch.setattr(fashion_mnist, "load_data", missing)


def test_demo_without_the_data_trains_on_the_sample_and_says_so(no_fashion_mnist, tmp_path,
                                                                capsys):
    assert main(["demo", "--output", str(tmp_path), "--epochs", "1", "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "training on the 1,000-image sample" in out and "750 training" in out


def test_demo_reports_test_accuracy_and_where_it_saved(no_fashion_mnist, tmp_path, capsys):
    run_demo("fashion-mnist", tmp_path)
    out = capsys.readouterr().out
    assert "Test accuracy: " in out
    assert (f"Saved the model to {tmp_path / 'fashion_mnist_mlp.keras'} "
            "(reloaded: it predicts the same)") in out
    assert (tmp_path / "fashion_mnist_mlp.keras").is_file()


def test_demo_model_file_loads_and_predicts_like_the_trained_model(no_fashion_mnist, tmp_path):
    import neuroflow as keras

    run_demo("fashion-mnist", tmp_path)
    model = keras.models.load_model(tmp_path / "fashion_mnist_mlp.keras")
    x, _ = fashion_mnist.load_sample()
    assert model.predict(x[:5] / 255.0, verbose=0).shape == (5, 10)


def test_demo_refuses_to_report_a_model_file_that_reloads_differently(
        no_fashion_mnist, tmp_path, monkeypatch):
    import neuroflow.saving as saving

    real_load = saving.load_model

    def corrupted_load(path, **kwargs):
        model = real_load(path, **kwargs)
        model.set_weights([w + 1 for w in model.get_weights()])
        return model

    monkeypatch.setattr(saving, "load_model", corrupted_load)
    assert run_demo("fashion-mnist", tmp_path) != 0


def test_demo_without_the_data_says_where_it_looked_and_how_to_get_it(tmp_path, capsys,
                                                                       monkeypatch):
    monkeypatch.setenv("NEUROFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEUROFLOW_DATA", raising=False)
    monkeypatch.setattr(fashion_mnist, "MIRRORS", ["https://mirror.invalid/"])
    monkeypatch.setattr(fashion_mnist, "SYSTEM_DIRS", [])
    run_demo("fashion-mnist", tmp_path)
    out = capsys.readouterr().out
    assert "training on the 1,000-image sample" in out
    assert "NEUROFLOW_DATA environment variable: not set" in out
    assert "apt-get install dataset-fashion-mnist" in out


def test_demo_prints_the_summary(no_fashion_mnist, tmp_path, capsys):
    run_demo("fashion-mnist", tmp_path)
    assert "Total params: 266,610" in capsys.readouterr().out


def test_demo_saves_the_learning_curves(no_fashion_mnist, tmp_path):
    pytest.importorskip("matplotlib")
    run_demo("fashion-mnist", tmp_path)
    logs = json.loads((tmp_path / "fashion_mnist_mlp_history.json").read_text())
    assert set(logs) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert (tmp_path / "fashion_mnist_mlp_curves.png").read_bytes().startswith(b"\x89PNG")


def test_demo_trains_on_the_real_fashion_mnist_when_available(tmp_path, capsys):
    real_data_or_skip(fashion_mnist.load_data)
    run_demo("fashion-mnist", tmp_path)
    out = capsys.readouterr().out
    assert "Training on Fashion-MNIST: 64 training" in out and "sample" not in out


def test_demo_california_reports_the_test_rmse(tmp_path, capsys):
    from neuroflow.datasets import fetch_california_housing

    real_data_or_skip(fetch_california_housing)
    assert run_demo("california", tmp_path) == 0
    assert "Test RMSE: " in capsys.readouterr().out


def test_demo_wide_deep_has_the_chapters_1239_trainable_parameters(tmp_path, capsys):
    from neuroflow.datasets import fetch_california_housing

    real_data_or_skip(fetch_california_housing)
    assert run_demo("wide-deep", tmp_path) == 0
    assert "Trainable params: 1,239" in capsys.readouterr().out


def test_demo_california_without_the_data_is_bad_input(monkeypatch, tmp_path, capsys):
    import neuroflow.datasets as datasets

    def missing(**kwargs):
        raise DatasetNotFoundError("no cal_housing.data anywhere")

    monkeypatch.setattr(datasets, "fetch_california_housing", missing)
    assert run_demo("california", tmp_path) == BAD_INPUT
    assert "set NEUROFLOW_DATA" in capsys.readouterr().err


def test_demo_perceptron_classifies_the_chapters_two_flowers(tmp_path, capsys):
    assert main(["demo", "perceptron", "--output", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "petal 2 cm x 0.5 cm -> Iris setosa" in out
    assert "petal 3 cm x 1 cm -> not setosa" in out


def test_demo_xor_learns_xor(tmp_path, capsys):
    assert main(["demo", "xor", "--output", str(tmp_path), "--verbose", "0"]) == 0
    out = capsys.readouterr().out
    assert "1 XOR 1 = 0" in out and "Accuracy 1.00" in out


def test_demo_tune_reports_the_best_hyperparameters(no_fashion_mnist, tmp_path, capsys):
    assert run_demo("tune", tmp_path, "--trials", "2") == 0
    assert "Best hyperparameters: {" in capsys.readouterr().out


def test_demo_refuses_zero_epochs(tmp_path, capsys):
    assert main(["demo", "xor", "--output", str(tmp_path), "--epochs", "0"]) == BAD_INPUT
