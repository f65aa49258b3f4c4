"""Issue 18, items 1-4: a model file can read no other file, cannot make loading allocate
more than the model needs, and every failure is one FileFormatError naming the file."""

from __future__ import annotations

import os
import threading

import numpy as np
import pytest

pytest.importorskip("h5py")

import hostile_files as hf  # noqa: E402

from neuroflow import layers, models  # noqa: E402
from neuroflow.saving import FileFormatError, UnsafeConfigError  # noqa: E402

H5_FORMATS = hf.FORMATS


@pytest.fixture(scope="module")
def model():
    return hf.small_model()


@pytest.fixture
def make(tmp_path, model):
    def make(fmt: str) -> str:
        return hf.write_good(model, str(tmp_path), fmt)
    return make


def refused(path: str, fmt: str, match: str, **kwargs) -> FileFormatError:
    with pytest.raises(FileFormatError, match=match) as info:
        hf.load(path, fmt, **kwargs)
    assert repr(path) in str(info.value)
    return info.value


# ---- item 1: no other file is read ---------------------------------------------------------
@pytest.mark.parametrize("fmt", H5_FORMATS)
def test_external_storage_is_refused(make, tmp_path, fmt):
    secret = tmp_path / "secret"
    secret.write_bytes(np.full(12, 7.0, "float32").tobytes())
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.external_storage(str(secret)))
    refused(path, fmt, "external file")


@pytest.mark.parametrize("fmt", H5_FORMATS)
def test_external_link_is_refused(make, tmp_path, fmt):
    secret = str(tmp_path / "secret.h5")
    hf.write_secret_h5(secret, (4, 3))
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.external_link(secret))
    refused(path, fmt, "ExternalLink to 'secret.h5'|ExternalLink to .*secret.h5")


@pytest.mark.parametrize("fmt", H5_FORMATS)
def test_soft_link_is_refused(make, fmt):
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.soft_link)
    refused(path, fmt, "SoftLink")


@pytest.mark.parametrize("fmt", H5_FORMATS)
def test_virtual_dataset_is_refused(make, tmp_path, fmt):
    secret = str(tmp_path / "secret.h5")
    hf.write_secret_h5(secret, (4, 3))
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.virtual_dataset(secret))
    refused(path, fmt, "virtual dataset")


# ---- item 2: bounded memory ----------------------------------------------------------------
def test_weights_member_inflating_past_the_model_is_refused(make):
    path = make("keras")
    hf.inflating_member("model.weights.h5", 40 * 2**20)(path)
    refused(path, "keras", "model.weights.h5 inflates to more than")


def test_config_member_inflating_past_its_declared_size_is_refused(make):
    path = make("keras")
    hf.lying_member_size("config.json", 1000, 70 * 2**20)(path)
    refused(path, "keras", "corrupted|inflates")


def test_json_member_past_the_limit_is_refused(make):
    path = make("keras")
    hf.inflating_member("config.json", 65 * 2**20)(path)
    refused(path, "keras", "config.json inflates to more than")


@pytest.mark.parametrize("fmt", H5_FORMATS)
@pytest.mark.parametrize("edit", [hf.huge_compressed_dataset, hf.huge_plain_dataset])
def test_huge_dataset_is_refused_before_it_is_read(make, fmt, edit):
    path = make(fmt)
    hf.edit_h5(path, fmt, edit)
    refused(path, fmt, "compressed or filtered|holds shape \\(4, 300000000\\)")


@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_config_asking_for_gigabytes_is_refused_before_allocating(make, fmt):
    path = make(fmt)
    hf.edit_config(path, fmt, hf.huge_dense)
    refused(path, fmt, "max_weights_bytes")


def test_max_weights_bytes_is_the_callers_to_set(make):
    path = make("keras")
    refused(path, "keras", "max_weights_bytes", max_weights_bytes=32)
    assert models.load_model(path, max_weights_bytes=10_000).count_params() == 23


def test_budget_counts_only_while_loading():
    layer = layers.Dense(30000)
    layer.build((None, 300))
    assert layer.kernel.shape == (300, 30000)


# ---- item 3: one clear error ---------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["keras", "h5"])
def test_deeply_nested_config_gets_a_clear_error(make, fmt):
    path = make(fmt)
    hf.edit_config(path, fmt, lambda config: hf.deep_json())
    refused(path, fmt, "nested")


@pytest.mark.parametrize("node", hf.NUMPY_NODES, ids=range(len(hf.NUMPY_NODES)))
def test_crafted_numpy_nodes_get_a_clear_error(make, node):
    path = make("keras")
    hf.edit_config(path, "keras", hf.numpy_node(node))
    refused(path, "keras", "file")


def test_unsafe_config_error_is_a_file_format_error_naming_the_file(make):
    path = make("keras")
    hf.edit_config(path, "keras", lambda c: c["config"]["layers"][1].update(
        class_name="os.system"))
    err = refused(path, "keras", "unknown class")
    assert isinstance(err, UnsafeConfigError)


@pytest.mark.parametrize("fmt", H5_FORMATS)
@pytest.mark.parametrize("edit", [hf.group_for_dataset, hf.dataset_for_group])
def test_group_and_dataset_swapped_get_a_clear_error(make, fmt, edit):
    path = make(fmt)
    hf.edit_h5(path, fmt, edit)
    refused(path, fmt, "where a (group|dataset) was expected")


@pytest.mark.parametrize("fmt", H5_FORMATS)
@pytest.mark.parametrize("dtype", ["string", "compound", "reference", "complex64", "int32"])
def test_weights_that_are_not_real_floats_are_refused(make, fmt, dtype):
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.weights_of_dtype(dtype))
    refused(path, fmt, "dtype|holds int32")


@pytest.mark.parametrize("fmt", H5_FORMATS)
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_non_finite_weights_are_refused_unless_allowed(make, fmt, value):
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.weights_holding(value))
    refused(path, fmt, "NaN or infinite.*allow_non_finite=True")
    loaded = hf.load(path, fmt, allow_non_finite=True)
    kernel = loaded.layers[0].kernel.numpy()
    assert not np.isfinite(kernel.flat[0])


@pytest.mark.parametrize("fmt", H5_FORMATS)
def test_a_flipped_bit_fails_the_checksum(make, fmt):
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.flip_a_weight_bit)
    refused(path, fmt, "checksum")


@pytest.mark.parametrize("fmt", H5_FORMATS)
def test_files_without_checksums_still_load(make, model, fmt):
    path = make(fmt)
    hf.edit_h5(path, fmt, hf.drop_checksums)
    loaded = hf.load(path, fmt)
    np.testing.assert_array_equal(loaded.layers[0].kernel.numpy(),
                                  model.layers[0].kernel.numpy())


def test_a_refused_load_weights_leaves_the_model_untouched(make):
    path = make("weights")
    hf.edit_h5(path, "weights", hf.weights_holding(np.nan))
    target = hf.small_model()
    target.layers[1].kernel.assign(np.full((3, 2), 5.0, "float32"))
    before = [w.numpy().copy() for w in target.weights]
    with pytest.raises(FileFormatError):
        target.load_weights(path)
    for w, old in zip(target.weights, before, strict=True):
        np.testing.assert_array_equal(w.numpy(), old)


# ---- item 4: FIFOs and devices -------------------------------------------------------------
def _within(seconds: float, fn) -> BaseException | None:
    """Run `fn` in a thread; its exception, or a failure if it blocks for `seconds`."""
    box: list = []

    def run():
        try:
            fn()
            box.append(None)
        except BaseException as err:  # noqa: BLE001 - handed to the test
            box.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"{fn} blocked for more than {seconds} s")
    return box[0]


@pytest.mark.parametrize("name", ["m.keras", "m.h5", "m.weights.h5"])
def test_a_fifo_is_refused_without_blocking(tmp_path, name):
    fifo = tmp_path / name
    os.mkfifo(fifo)
    err = _within(5, lambda: hf.load(str(fifo), "weights" if "weights" in name else "keras"))
    assert isinstance(err, FileFormatError) and "not a regular file (it is a FIFO)" in str(err)


def test_a_device_is_refused():
    err = _within(5, lambda: models.load_model("/dev/zero"))
    assert isinstance(err, FileFormatError) and "character device" in str(err)
