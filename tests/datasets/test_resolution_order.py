"""Where a file comes from: path=, NEUROFLOW_DATA, user cache, system folder, download."""

import gzip
import io
import tarfile

import pytest

from neuroflow.datasets import ChecksumError, DatasetNotFoundError
from neuroflow.datasets._resolve import Dataset, fetch_content

CONTENT = b"the toy data set\n"
TOY = Dataset(key="toy", title="Toy")


def put(folder, content=CONTENT, name="toy.bin"):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(content)
    return folder / name


@pytest.fixture
def spec(spec_for):
    return spec_for(CONTENT)


@pytest.fixture
def data_env(tmp_path, monkeypatch):
    root = tmp_path / "nf_data"
    monkeypatch.setenv("NEUROFLOW_DATA", str(root))
    return root


def test_given_folder_comes_first(tmp_path, spec, data_env, cache_root):
    mine = put(tmp_path / "mine")
    put(data_env / "toy")
    put(cache_root / "toy")
    assert fetch_content(spec, TOY, [], given=tmp_path / "mine") == (CONTENT, mine)


def test_dataset_subfolder_of_given_folder_is_searched(tmp_path, spec):
    mine = put(tmp_path / "root" / "toy")
    assert fetch_content(spec, TOY, [], given=tmp_path / "root")[1] == mine


def test_neuroflow_data_comes_before_the_cache(spec, data_env, cache_root):
    provided = put(data_env / "toy")
    put(cache_root / "toy")
    assert fetch_content(spec, TOY, [])[1] == provided


def test_given_folder_without_the_file_is_skipped(tmp_path, spec, data_env):
    (tmp_path / "empty").mkdir()
    provided = put(data_env / "toy")
    assert fetch_content(spec, TOY, [], given=tmp_path / "empty")[1] == provided


def test_cache_is_used_when_neuroflow_data_lacks_the_file(spec, data_env, cache_root):
    (data_env / "toy").mkdir(parents=True)
    cached = put(cache_root / "toy")
    assert fetch_content(spec, TOY, [])[1] == cached


def test_system_folder_is_used_after_the_cache(tmp_path, spec):
    system = put(tmp_path / "usr_share")
    toy = Dataset(key="toy", title="Toy", system_dirs=(tmp_path / "usr_share",))
    assert fetch_content(spec, toy, [])[1] == system


def test_cache_comes_before_the_system_folder(tmp_path, spec, cache_root):
    cached = put(cache_root / "toy")
    put(tmp_path / "usr_share")
    toy = Dataset(key="toy", title="Toy", system_dirs=(tmp_path / "usr_share",))
    assert fetch_content(spec, toy, [])[1] == cached


def test_gzipped_name_is_found_too(tmp_path, spec):
    packed = put(tmp_path / "mine", gzip.compress(CONTENT), name="toy.bin.gz")
    assert fetch_content(spec, TOY, [], given=tmp_path / "mine") == (CONTENT, packed)


def test_download_comes_last_and_lands_in_the_cache(spec, http_server, cache_root):
    http_server.files["/toy.bin"] = CONTENT
    content, path = fetch_content(spec, TOY, [http_server.url + "/toy.bin"])
    assert (content, path) == (CONTENT, cache_root / "toy" / "toy.bin")
    assert path.read_bytes() == CONTENT


def test_download_lands_in_the_given_folder(tmp_path, spec, http_server):
    http_server.files["/toy.bin"] = CONTENT
    _, path = fetch_content(spec, TOY, [http_server.url + "/toy.bin"], given=tmp_path / "mine")
    assert path == tmp_path / "mine" / "toy.bin"


def test_second_mirror_is_used_when_the_first_fails(spec, http_server):
    http_server.files["/b/toy.bin"] = CONTENT
    urls = [http_server.url + "/a/toy.bin", http_server.url + "/b/toy.bin"]
    assert fetch_content(spec, TOY, urls)[0] == CONTENT


def test_corrupted_download_is_discarded_for_the_next_mirror(spec, http_server, cache_root):
    http_server.files["/a/toy.bin"] = b"not the toy data set\n"
    http_server.files["/b/toy.bin"] = CONTENT
    urls = [http_server.url + "/a/toy.bin", http_server.url + "/b/toy.bin"]
    assert fetch_content(spec, TOY, urls)[0] == CONTENT
    assert [path for path, _ in http_server.requests] == ["/a/toy.bin", "/b/toy.bin"]


def test_stale_partial_download_is_fetched_again_from_scratch(spec, http_server, cache_root):
    http_server.files["/toy.bin"] = CONTENT
    put(cache_root / "toy", b"XXXX", name="toy.bin.part")
    assert fetch_content(spec, TOY, [http_server.url + "/toy.bin"])[0] == CONTENT
    assert "Range" not in http_server.requests[-1][1]


def test_archive_download_is_stored_decompressed(spec_for, http_server, cache_root):
    spec = spec_for(CONTENT, name="toy.data", download_name="toy.tgz")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("Toy/toy.data")
        info.size = len(CONTENT)
        archive.addfile(info, io.BytesIO(CONTENT))
    http_server.files["/files/1"] = buffer.getvalue()
    _, path = fetch_content(spec, TOY, [http_server.url + "/files/1"])
    assert path == cache_root / "toy" / "toy.data" and path.read_bytes() == CONTENT
    assert not (cache_root / "toy" / "toy.tgz").exists()


def test_corrupted_provided_file_raises_naming_it(spec, data_env, cache_root):
    bad = put(data_env / "toy", b"the toy data set?\n")
    put(cache_root / "toy")
    with pytest.raises(ChecksumError, match=str(bad)):
        fetch_content(spec, TOY, [])
    assert bad.exists()


def test_corrupted_cache_file_is_reported_and_fetched_again(spec, http_server, cache_root):
    bad = put(cache_root / "toy", b"the toy data set?\n")
    http_server.files["/toy.bin"] = CONTENT
    with pytest.warns(RuntimeWarning, match=f"{bad}.*deleting it and fetching it again"):
        content, path = fetch_content(spec, TOY, [http_server.url + "/toy.bin"])
    assert content == CONTENT and path.read_bytes() == CONTENT


def test_truncated_cache_file_is_fetched_again(spec, http_server, cache_root):
    put(cache_root / "toy", gzip.compress(CONTENT)[:-6], name="toy.bin.gz")
    http_server.files["/toy.bin"] = CONTENT
    with pytest.warns(RuntimeWarning, match="truncated"):
        assert fetch_content(spec, TOY, [http_server.url + "/toy.bin"])[0] == CONTENT


def test_offline_error_lists_every_location_tried(tmp_path, spec, data_env, cache_root):
    toy = Dataset(key="toy", title="Toy", system_dirs=(tmp_path / "sys",), hint="Try apt.")
    url = "http://127.0.0.1:1/toy.bin"
    with pytest.raises(DatasetNotFoundError) as info:
        fetch_content(spec, toy, [url], given=tmp_path / "mine")
    message = str(info.value)
    for expected in (
        "Cannot find the Toy file 'toy.bin'",
        f"path= argument: {tmp_path / 'mine'} (no such folder)",
        f"NEUROFLOW_DATA environment variable: {data_env / 'toy'}",
        f"user cache: {cache_root / 'toy'}",
        f"system location: {tmp_path / 'sys'}",
        f"download from {url}: failed",
        "To work offline",
        "Try apt.",
    ):
        assert expected in message


def test_unset_locations_are_reported_as_not_set(spec):
    with pytest.raises(DatasetNotFoundError, match="NEUROFLOW_DATA environment variable: not set"):
        fetch_content(spec, TOY, [])


def test_disabled_download_is_reported(spec, http_server):
    http_server.files["/toy.bin"] = CONTENT
    with pytest.raises(DatasetNotFoundError, match=r"disabled \(download_if_missing=False\)"):
        fetch_content(spec, TOY, [http_server.url + "/toy.bin"], download_if_missing=False)
    assert http_server.requests == []
