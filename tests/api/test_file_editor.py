"""saving.KerasFileEditor: inspect, compare, edit and resave the weights of saved models,
read through the hardened loading path (hostile files are refused)."""

import io
import zipfile

import h5py
import numpy as np
import pytest

import neuroflow as keras
from neuroflow import layers
from neuroflow.saving import FileFormatError, KerasFileEditor


def _model(widths=(3, 2), compile=True):
    keras.utils.set_random_seed(1)
    model = keras.Sequential([keras.Input((4,))] + [layers.Dense(w) for w in widths])
    if compile:
        model.compile(optimizer="adam", loss="mse")
        model.fit(np.ones((8, 4), "float32"), np.ones((8, widths[-1]), "float32"), epochs=1,
                  verbose=0)
    return model


@pytest.fixture
def saved(tmp_path):
    model = _model()
    path = tmp_path / "m.keras"
    model.save(path)
    return model, path


@pytest.mark.parametrize("suffix", [".keras", ".h5", ".weights.h5"])
def test_opens_every_format_as_keras_nested_weights(tmp_path, suffix, capsys):
    model = _model()
    path = tmp_path / f"m{suffix}"
    model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    editor = KerasFileEditor(path)
    kernel, bias = model.layers[1].get_weights()
    np.testing.assert_array_equal(editor.weights_dict["layers"]["dense_1"]["0"], kernel)
    np.testing.assert_array_equal(editor.weights_dict["layers"]["dense_1"]["1"], bias)
    assert (editor.config is None) == (suffix == ".weights.h5")
    assert ("optimizer" in editor.weights_dict) == (suffix != ".weights.h5")
    editor.summary()
    out = capsys.readouterr().out
    assert "layers/dense_1" in out and "0: shape=(3, 2), dtype=float32" in out
    assert editor.compare(_model(compile=False)) == {"status": "success", "error_count": 0,
                                                     "match_count": 4}


def test_compare_lists_missing_objects_and_shape_mismatches(saved, capsys):
    _, path = saved
    result = KerasFileEditor(path).compare(_model((5, 2, 1), compile=False))
    out = capsys.readouterr().out
    assert result["status"] == "error" and result["error_count"] == 4
    assert "Weight shape mismatch for layers/dense/0" in out
    assert "Object layers/dense_2 present in reference model, missing from saved file" in out


def test_adding_a_layer_makes_the_file_fit_the_new_architecture(saved, tmp_path):
    old, path = saved
    editor = KerasFileEditor(path)
    kernel, bias = np.full((2, 1), 0.5, "float32"), np.zeros(1, "float32")
    editor.add_object("layers/dense_2", {"0": kernel, "1": bias})
    new = _model((3, 2, 1), compile=False)
    assert editor.compare(new)["status"] == "success"
    target = tmp_path / "edited.weights.h5"
    editor.save(target)
    new.load_weights(target)
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32")
    np.testing.assert_allclose(new.predict(x, verbose=0),
                               old.predict(x, verbose=0) @ kernel + bias, rtol=1e-6)


@pytest.mark.parametrize("suffix", [".keras", ".h5"])
def test_edited_weights_resave_as_a_whole_model(saved, tmp_path, suffix):
    model, path = saved
    editor = KerasFileEditor(path)
    editor.weights_dict["layers"]["dense_1"]["1"] = np.array([10.0, -10.0], "float32")
    target = tmp_path / f"edited{suffix}"
    editor.resave_weights(target)
    loaded = keras.models.load_model(target)
    x = np.ones((2, 4), "float32")
    shift = np.array([10.0, -10.0]) - model.layers[1].get_weights()[1]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0) + shift,
                               rtol=1e-5)
    assert loaded.optimizer.iterations.numpy() == model.optimizer.iterations.numpy()


def test_rename_delete_and_weight_edits(saved, tmp_path):
    _, path = saved
    editor = KerasFileEditor(path)
    editor.rename_object("dense_1", "head")
    assert set(editor.weights_dict["layers"]) == {"dense", "head"}
    editor.delete_weight("layers/head", "1")
    assert set(editor.weights_dict["layers"]["head"]) == {"0"}
    editor.add_weights("head", {"1": np.zeros(2, "float32")})
    assert editor.weights_dict["layers"]["head"]["1"].shape == (2,)
    editor.delete_object("layers/head")
    assert set(editor.weights_dict["layers"]) == {"dense"}
    target = tmp_path / "one.weights.h5"
    editor.save(target)
    assert list(KerasFileEditor(target).weights_dict["layers"]) == ["dense"]


def test_bad_edits_raise_one_clear_error(saved, tmp_path):
    _, path = saved
    editor = KerasFileEditor(path)
    with pytest.raises(ValueError, match="occurs 3 times"):
        editor.delete_object("0")
    with pytest.raises(ValueError, match="does not appear in the file"):
        editor.delete_object("dense_9")
    with pytest.raises(ValueError, match="path 'layers/dense_9' not found"):
        editor.delete_object("layers/dense_9")
    with pytest.raises(ValueError, match="leaf name"):
        editor.rename_object("dense", "layers/x")
    with pytest.raises(ValueError, match="already exists"):
        editor.rename_object("dense", "dense_1")
    with pytest.raises(ValueError, match="weight '7' not found in object 'dense'"):
        editor.delete_weight("dense", "7")
    with pytest.raises(ValueError, match="must be a dict"):
        editor.add_weights("dense", [np.zeros(2)])
    with pytest.raises(ValueError, match="real array"):
        editor.add_object("layers/text", {"0": np.array(["a"])})
    with pytest.raises(ValueError, match="path 'nowhere' not found"):
        editor.add_object("nowhere/dense", {"0": np.zeros(1)})
    editor.weights_dict["layers"]["dense"]["5"] = np.zeros(1, "float32")
    with pytest.raises(ValueError, match="numbered '0', '1', ... without gaps"):
        editor.save(tmp_path / "gap.weights.h5")
    weights_only = tmp_path / "w.weights.h5"
    _model().save_weights(weights_only)
    with pytest.raises(ValueError, match="holds weights only"):
        KerasFileEditor(weights_only).save(tmp_path / "m.keras")
    with pytest.raises(ValueError, match="expected a .weights.h5, .keras or .h5"):
        editor.save(tmp_path / "m.txt")


def _edit_weights_member(path, edit):
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    buffer = io.BytesIO(members["model.weights.h5"])
    with h5py.File(buffer, "r+") as f:
        edit(f)
    members["model.weights.h5"] = buffer.getvalue()
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _external_link(secret):
    def edit(f):
        del f["layers/dense/vars/0"]
        f["layers/dense/vars/0"] = h5py.ExternalLink(str(secret), "/data")
    return edit


def _soft_link(f):
    del f["layers/dense/vars/0"]
    f["layers/dense/vars/0"] = h5py.SoftLink("/layers/dense/vars/1")


def _external_storage(secret):
    def edit(f):
        del f["layers/dense/vars/0"]
        f.create_dataset("layers/dense/vars/0", shape=(4, 3), dtype="float32",
                         external=[(str(secret), 0, 48)])
    return edit


def _object_dtype(f):
    del f["layers/dense/vars/0"]
    f.create_dataset("layers/dense/vars/0", data=np.array([b"rm -rf"], dtype=object),
                     dtype=h5py.string_dtype())


@pytest.mark.parametrize("attack, match", [
    ("external_link", "ExternalLink"), ("soft_link", "SoftLink"),
    ("external_storage", "external file"), ("object_dtype", "dtype"),
])
def test_hostile_files_are_refused_before_any_data_is_read(saved, tmp_path, attack, match):
    _, path = saved
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.full(12, 7.0, "float32").tobytes())
    edit = {"external_link": _external_link(secret), "soft_link": _soft_link,
            "external_storage": _external_storage(secret), "object_dtype": _object_dtype}[attack]
    _edit_weights_member(path, edit)
    with pytest.raises(FileFormatError, match=match) as err:
        KerasFileEditor(path)
    assert repr(str(path)) in str(err.value)


@pytest.mark.parametrize("suffix", [".keras", ".weights.h5"])
def test_weights_beyond_max_weights_bytes_are_refused(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    model = _model()
    model.save_weights(path) if suffix == ".weights.h5" else model.save(path)
    with pytest.raises(FileFormatError, match="92 bytes.*more than max_weights_bytes=88"):
        KerasFileEditor(path, max_weights_bytes=88)
    assert KerasFileEditor(path, max_weights_bytes=92).weights_dict["layers"]
