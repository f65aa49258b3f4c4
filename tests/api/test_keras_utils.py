"""keras.utils names added for Keras 3 code: Config, Progbar, interactive logging,
PyDataset, split_dataset, pack/unpack, get_file (against a local server only),
get_source_inputs / is_keras_tensor, get_custom_objects."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import logging
import tarfile
import threading

import numpy as np
import pytest

import neuroflow as keras
from neuroflow import utils


# ---- Config -------------------------------------------------------------------------------
def test_config_reads_and_writes_as_attributes_and_items():
    config = utils.Config(learning_rate=0.1)
    config.seed = 3
    config["momentum"] = 0.9
    assert config.learning_rate == 0.1 and config["seed"] == 3 and "momentum" in config
    assert config.as_dict() == {"learning_rate": 0.1, "seed": 3, "momentum": 0.9}
    assert config.to_json() == '{"learning_rate": 0.1, "seed": 3, "momentum": 0.9}'
    with pytest.raises(AttributeError, match="Unknown attribute: 'nope'"):
        _ = config.nope


def test_frozen_config_refuses_changes_until_unfrozen():
    config = utils.Config(a=1)
    config.freeze()
    assert config.frozen
    for change in (lambda: setattr(config, "b", 2), lambda: config.update(b=2),
                   lambda: config.pop("a"), lambda: config.__setitem__("a", 5)):
        with pytest.raises(ValueError, match="frozen"):
            change()
    config.unfreeze()
    config.b = 2
    assert dict(config.items()) == {"a": 1, "b": 2}


# ---- Progbar and interactive logging --------------------------------------------------------
def test_progbar_averages_values_over_steps_except_stateful_ones():
    bar = utils.Progbar(4, verbose=0, stateful_metrics=["lr"])
    bar.update(1, [("loss", 1.0), ("lr", 5.0)])
    bar.update(3, [("loss", 2.0), ("lr", 7.0)])  # covers 2 steps
    assert bar.value("loss") == pytest.approx((1.0 + 2 * 2.0) / 3)  # as Keras weights them
    assert bar.value("lr") == 7.0
    bar.update(4, [("loss", 4.0)])  # the final update shows the total as given
    assert bar.value("loss") == 4.0


def test_progbar_logs_instead_of_printing_when_interactive_logging_is_off(caplog, capsys):
    utils.disable_interactive_logging()
    try:
        assert not utils.is_interactive_logging_enabled()
        with caplog.at_level(logging.INFO, logger="neuroflow"):
            bar = utils.Progbar(2, verbose=1)
            bar.add(1, [("loss", 0.5)])
            bar.add(1, [("loss", 0.25)])
    finally:
        utils.enable_interactive_logging()
    assert utils.is_interactive_logging_enabled()
    assert "2/2" in caplog.text and "loss: 0.2500" in caplog.text
    assert capsys.readouterr().out == ""


def test_progbar_refuses_a_bad_verbose():
    with pytest.raises(ValueError, match="verbose must be 0, 1 or 2"):
        utils.Progbar(3, verbose=5)


# ---- PyDataset ---------------------------------------------------------------------------
class _Squares(utils.PyDataset):
    def __init__(self, n, **kwargs):
        super().__init__(**kwargs)
        self.n = n

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.full((2, 1), i, "float32"), np.full((2,), i * i, "float32")


@pytest.mark.parametrize("workers", [1, 3])
def test_py_dataset_yields_its_batches_in_order_with_any_number_of_workers(workers):
    data = _Squares(7, workers=workers, max_queue_size=2)
    got = [int(y[0]) for _, y in data.iter_batches()]
    assert got == [i * i for i in range(7)] and data.num_batches == 7
    assert utils.Sequence is utils.PyDataset


def test_py_dataset_refuses_processes_and_bad_worker_counts():
    with pytest.raises(ValueError, match="threads"):
        _Squares(2, use_multiprocessing=True)
    with pytest.raises(ValueError, match="workers must be a positive integer"):
        _Squares(2, workers=0)


# ---- dataset helpers --------------------------------------------------------------------------
def test_pack_and_unpack_x_y_sample_weight_as_keras():
    x, y, w = np.zeros(2), np.ones(2), np.full(2, 3.0)
    assert utils.pack_x_y_sample_weight(x) is x
    assert utils.pack_x_y_sample_weight([x, y])[0] == [x, y]
    assert len(utils.pack_x_y_sample_weight(x, y, w)) == 3
    assert utils.unpack_x_y_sample_weight([x, y])[2] is None
    assert utils.unpack_x_y_sample_weight(x)[0] is x
    with pytest.raises(ValueError, match="received a tuple of 4"):
        utils.unpack_x_y_sample_weight((x, y, w, w))


def test_split_dataset_splits_tuples_and_dicts_by_count_or_fraction():
    x, y = np.arange(10).reshape(10, 1), np.arange(10) * 10
    left, right = utils.split_dataset((x, y), left_size=0.8)
    assert left[0].shape == (8, 1) and right[1].tolist() == [80, 90]
    left, right = utils.split_dataset({"a": x}, right_size=3, shuffle=True, seed=1)
    again, _ = utils.split_dataset({"a": x}, right_size=3, shuffle=True, seed=1)
    assert len(left["a"]) == 7 and len(right["a"]) == 3
    np.testing.assert_array_equal(left["a"], again["a"])
    assert sorted(np.concatenate([left["a"], right["a"]]).ravel()) == list(range(10))
    assert len(utils.split_dataset(x)[0]) == 5


def test_split_dataset_errors_name_the_argument():
    with pytest.raises(ValueError, match="left_size"):
        utils.split_dataset(np.zeros(4), left_size=1.5)
    with pytest.raises(ValueError, match="more than the 4 samples"):
        utils.split_dataset(np.zeros(4), left_size=3, right_size=3)
    with pytest.raises(ValueError, match="same number of samples"):
        utils.split_dataset((np.zeros(4), np.zeros(3)))


# ---- get_file ---------------------------------------------------------------------------------
@pytest.fixture
def served(tmp_path):
    """A local HTTP server over a folder: (folder, base URL, list of requested paths)."""
    root = tmp_path / "www"
    root.mkdir()
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_port}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_get_file_downloads_once_and_checks_the_hash(served, tmp_path):
    root, url, requests = served
    (root / "data.bin").write_bytes(b"neuroflow" * 10)
    digest = hashlib.sha256(b"neuroflow" * 10).hexdigest()
    cache = tmp_path / "cache"
    path = utils.get_file(origin=f"{url}/data.bin", file_hash=digest, cache_dir=cache)
    assert path == str(cache / "datasets" / "data.bin")
    assert open(path, "rb").read() == b"neuroflow" * 10
    assert utils.get_file("data.bin", f"{url}/data.bin", file_hash=digest,
                          cache_dir=cache) == path
    assert len([r for r in requests if "data.bin" in r]) == 1  # the second call hit the cache
    with pytest.raises(ValueError, match="does not have the expected sha256 hash"):
        utils.get_file("other.bin", f"{url}/data.bin", file_hash="0" * 64, cache_dir=cache)
    assert not (cache / "datasets" / "other.bin").exists()


def _tar_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_get_file_extracts_an_archive_into_keras_folder_name(served, tmp_path):
    root, url, _ = served
    (root / "pack.tar.gz").write_bytes(_tar_bytes({"pack/a.txt": b"A"}))
    out = utils.get_file("pack.tar.gz", f"{url}/pack.tar.gz", extract=True,
                         cache_dir=tmp_path / "c")
    assert out.endswith("pack_extracted")
    assert open(f"{out}/pack/a.txt").read() == "A"


def test_get_file_refuses_an_archive_member_outside_its_folder(served, tmp_path):
    root, url, _ = served
    (root / "evil.tar.gz").write_bytes(_tar_bytes({"../../escape.txt": b"x"}))
    with pytest.raises(ValueError, match="outside"):
        utils.get_file("evil.tar.gz", f"{url}/evil.tar.gz", extract=True,
                       cache_dir=tmp_path / "c")
    assert not (tmp_path / "escape.txt").exists()


def test_get_file_needs_an_origin_and_a_plain_name():
    with pytest.raises(ValueError, match="origin"):
        utils.get_file("x.bin")
    with pytest.raises(ValueError, match="plain file name"):
        utils.get_file("a/b.bin", origin="http://127.0.0.1:9/b.bin")


# ---- symbolic tensors, registry ------------------------------------------------------------------
def test_get_source_inputs_finds_every_input_of_a_functional_graph():
    a, b = keras.Input(shape=(3,), name="a"), keras.Input(shape=(2,), name="b")
    merged = keras.layers.Concatenate()([keras.layers.Dense(4)(a), b])
    out = keras.layers.Dense(1)(merged)
    assert utils.get_source_inputs(out) == [a, b]
    assert utils.get_source_inputs(a) == [a]
    assert utils.is_keras_tensor(out) and not utils.is_keras_tensor(np.zeros(2))
    with pytest.raises(ValueError, match="symbolic tensor"):
        utils.get_source_inputs(np.zeros(2))


def test_get_custom_objects_registers_names_for_loading():
    class Doubler(keras.layers.Layer):
        def call(self, x):
            return x * 2.0

    objects = utils.get_custom_objects()
    assert objects is keras.saving.get_custom_objects()
    objects["Doubler"] = Doubler
    try:
        config = utils.serialize_keras_object(Doubler(name="d"))
        assert type(utils.deserialize_keras_object(config)) is Doubler
        assert utils.get_registered_object("Doubler") is Doubler
    finally:
        del objects["Doubler"]
    assert utils.get_registered_object("Doubler") is None


def test_standardize_dtype_and_clear_session_are_keras_s():
    assert utils.standardize_dtype(None) == "float32"
    assert utils.standardize_dtype(np.float64) == "float64"
    assert utils.standardize_dtype(bool) == "bool"
    keras.layers.Dense(2, name="dense_x")
    utils.clear_session()
    assert keras.layers.Dense(2).name == "dense"


def test_get_file_copies_a_file_url_as_keras_does(tmp_path):
    source = tmp_path / "local.txt"
    source.write_text("hello")
    digest = hashlib.sha256(b"hello").hexdigest()
    path = utils.get_file("local.txt", source.as_uri(), file_hash=digest,
                          cache_dir=tmp_path / "cache")
    assert open(path).read() == "hello"
    with pytest.raises(FileNotFoundError, match="names no local file"):
        utils.get_file("gone.txt", (tmp_path / "gone.txt").as_uri(), cache_dir=tmp_path / "c")
