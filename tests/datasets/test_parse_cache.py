import numpy as np

from neuroflow.datasets._parse_cache import cache_file, load_cached, save_cached


def test_saved_arrays_load_back(tmp_path, spec_for):
    spec = spec_for(b"abc")
    save_cached(tmp_path, spec, {"array": np.arange(3)})
    np.testing.assert_array_equal(load_cached(tmp_path, spec)["array"], [0, 1, 2])


def test_cache_is_keyed_by_the_source_digest(tmp_path, spec_for):
    save_cached(tmp_path, spec_for(b"abc"), {"array": np.arange(3)})
    assert load_cached(tmp_path, spec_for(b"abd")) is None


def test_cache_file_name_holds_the_digest(tmp_path, spec_for):
    spec = spec_for(b"abc")
    assert cache_file(tmp_path, spec).name == f"toy.bin.{spec.sha256[:16]}.npz"


def test_damaged_cache_file_is_ignored_and_deleted(tmp_path, spec_for):
    spec = spec_for(b"abc")
    path = save_cached(tmp_path, spec, {"array": np.zeros(1000, dtype=np.uint8)})
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
    assert load_cached(tmp_path, spec) is None and not path.exists()


def test_arrays_not_matching_their_stored_digest_are_ignored(tmp_path, spec_for):
    spec = spec_for(b"abc")
    np.savez(cache_file(tmp_path, spec), array=np.arange(3), __sha256__=np.array("0" * 64))
    assert load_cached(tmp_path, spec) is None


def test_unwritable_folder_only_skips_the_cache(tmp_path, spec_for):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert save_cached(blocker / "sub", spec_for(b"abc"), {"array": np.arange(3)}) is None
