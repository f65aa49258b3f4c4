"""model.save / load_model round trips in the .keras and .h5 formats."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from neuroflow import models

FORMATS = ["m.keras", "m.h5"]


@pytest.mark.parametrize("name", FORMATS)
def test_loaded_sequential_predicts_identically(tmp_path, trained, data, name):
    x, _ = data
    trained.save(tmp_path / name)
    loaded = models.load_model(tmp_path / name)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), trained.predict(x, verbose=0))


@pytest.mark.parametrize("name", FORMATS)
def test_loaded_model_restores_optimizer_state(tmp_path, trained, name):
    trained.save(tmp_path / name)
    loaded = models.load_model(tmp_path / name)
    assert type(loaded.optimizer) is type(trained.optimizer)
    for a, b in zip(loaded.optimizer.variables, trained.optimizer.variables, strict=True):
        np.testing.assert_array_equal(a.data, b.data)


@pytest.mark.parametrize("name", FORMATS)
def test_compiled_but_untrained_model_round_trips_with_adam(tmp_path, make_sequential, data, name):
    x, y = data
    model = make_sequential(optimizer="adam")
    assert not model.optimizer.built
    model.save(tmp_path / name)
    loaded = models.load_model(tmp_path / name)
    model.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=1, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name", FORMATS)
def test_loaded_model_continues_training_like_uninterrupted_run(tmp_path, trained, data, name):
    x, y = data
    trained.save(tmp_path / name)
    loaded = models.load_model(tmp_path / name)
    trained.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    loaded.fit(x, y, epochs=2, batch_size=8, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), trained.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_load_model_with_compile_false_is_uncompiled(tmp_path, trained):
    trained.save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras", compile=False)
    assert not loaded.compiled


def test_uncompiled_model_round_trips(tmp_path, make_sequential, data):
    x, _ = data
    model = make_sequential(compiled=False)
    model.save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), model.predict(x, verbose=0))


def test_keras_archive_holds_config_metadata_and_weights(tmp_path, trained):
    trained.save(tmp_path / "m.keras")
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.h5"]
        config = json.loads(zf.read("config.json"))
        metadata = json.loads(zf.read("metadata.json"))
    assert config["class_name"] == "Sequential"
    assert config["compile_config"]["loss"] == "sparse_categorical_crossentropy"
    assert metadata["format_version"] == "1.0"


def test_save_refuses_unknown_extension(tmp_path, trained):
    with pytest.raises(ValueError, match=r"\.keras or \.h5"):
        trained.save(tmp_path / "model.pkl")


def test_tf_keras_save_format_tf_name_round_trips(tmp_path, trained, data):
    x, _ = data
    trained.save(tmp_path / "my_keras_model", save_format="tf")
    loaded = models.load_model(tmp_path / "my_keras_model")
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), trained.predict(x, verbose=0))


def test_save_with_overwrite_false_keeps_existing_file(tmp_path, trained):
    path = tmp_path / "m.keras"
    path.write_bytes(b"old")
    with pytest.raises(FileExistsError):
        trained.save(path, overwrite=False)
    assert path.read_bytes() == b"old"


def test_schedule_optimizer_round_trips(tmp_path, make_sequential, data):
    from neuroflow import optimizers

    x, y = data
    model = make_sequential(compiled=False)
    schedule = optimizers.schedules.ExponentialDecay(0.01, decay_steps=2, decay_rate=0.5)
    model.compile(optimizer=optimizers.SGD(learning_rate=schedule),
                  loss="sparse_categorical_crossentropy")
    model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = models.load_model(tmp_path / "m.keras")
    lr = loaded.optimizer._learning_rate
    assert isinstance(lr, optimizers.schedules.ExponentialDecay)
    assert lr.get_config() == schedule.get_config()
