"""The downloader against a local HTTP server: progress, retries, timeouts, resumption."""

import pytest

from neuroflow.datasets import _download
from neuroflow.datasets._download import DownloadError, download, partial_path

BODY = bytes(range(256)) * 40  # 10,240 bytes


@pytest.fixture
def served(http_server):
    http_server.files["/data.bin"] = BODY
    return http_server


def test_download_writes_the_file(served, tmp_path):
    dest = download(served.url + "/data.bin", tmp_path / "data.bin", progress=False)
    assert dest.read_bytes() == BODY and not partial_path(dest).exists()


def test_download_draws_a_progress_bar(served, tmp_path, capsys):
    download(served.url + "/data.bin", tmp_path / "data.bin")
    err = capsys.readouterr().err
    assert f"Downloading data from {served.url}/data.bin" in err
    assert "data.bin: 100%" in err


def test_partial_file_is_resumed_with_a_range_request(served, tmp_path):
    dest = tmp_path / "data.bin"
    partial_path(dest).write_bytes(BODY[:1000])
    download(served.url + "/data.bin", dest, progress=False)
    assert served.requests[0][1]["Range"] == "bytes=1000-"
    assert served.sent == [len(BODY) - 1000]
    assert dest.read_bytes() == BODY


def test_server_ignoring_range_restarts_from_zero(served, tmp_path):
    served.ignore_range = True
    dest = tmp_path / "data.bin"
    partial_path(dest).write_bytes(b"stale bytes")
    download(served.url + "/data.bin", dest, progress=False)
    assert dest.read_bytes() == BODY


def test_complete_partial_file_answered_416_is_kept(served, tmp_path):
    dest = tmp_path / "data.bin"
    partial_path(dest).write_bytes(BODY)
    download(served.url + "/data.bin", dest, progress=False)
    assert dest.read_bytes() == BODY


def test_dropped_connection_is_retried_and_resumed(served, tmp_path):
    served.truncate_once["/data.bin"] = 4000
    dest = download(served.url + "/data.bin", tmp_path / "data.bin", retries=1, progress=False)
    assert served.requests[1][1]["Range"] == "bytes=4000-"
    assert dest.read_bytes() == BODY


def test_server_error_is_retried(served, tmp_path):
    served.fail_next = 2
    download(served.url + "/data.bin", tmp_path / "data.bin", retries=2, progress=False)
    assert len(served.requests) == 3


def test_stalled_transfer_times_out_and_is_retried(served, tmp_path):
    served.stall_once["/data.bin"] = 1.0
    dest = download(
        served.url + "/data.bin", tmp_path / "data.bin", timeout=0.2, retries=1, progress=False
    )
    assert dest.read_bytes() == BODY and len(served.requests) == 2


def test_missing_file_fails_without_retrying(served, tmp_path):
    with pytest.raises(DownloadError, match=r"nothing\.bin after 1 attempt\(s\): HTTPError"):
        download(served.url + "/nothing.bin", tmp_path / "x", retries=3, progress=False)
    assert len(served.requests) == 1


def test_exhausted_retries_name_the_url_and_last_error(served, tmp_path):
    served.fail_next = 5
    with pytest.raises(DownloadError, match=r"data\.bin after 3 attempt\(s\)"):
        download(served.url + "/data.bin", tmp_path / "data.bin", retries=2, progress=False)


def test_module_settings_are_read_at_call_time(served, tmp_path, monkeypatch):
    monkeypatch.setattr(_download, "RETRIES", 1)
    served.fail_next = 1
    download(served.url + "/data.bin", tmp_path / "data.bin", progress=False)
    assert len(served.requests) == 2


def test_refused_connection_raises_download_error(tmp_path):
    with pytest.raises(DownloadError, match="URLError"):
        download("http://127.0.0.1:1/x", tmp_path / "x", progress=False)
