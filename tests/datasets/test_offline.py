"""Offline, the loaders give up within about two seconds and say how to get the files."""

from __future__ import annotations

import socket
import time

import pytest

from neuroflow.datasets import DatasetNotFoundError, _download, fashion_mnist


def _never_resolves(*args, **kwargs):
    raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")


@pytest.fixture
def no_name_service(monkeypatch):
    """A machine with no network: every host name fails to resolve, as it does offline."""
    calls = []

    def create_connection(address, *args, **kwargs):
        calls.append(address)
        _never_resolves()

    monkeypatch.setattr(_download.socket, "create_connection", create_connection)
    monkeypatch.setattr(_download, "RETRIES", 3)
    monkeypatch.setattr(_download, "BACKOFF", 1.0)
    return calls


def test_offline_load_gives_up_fast_without_retrying_or_trying_other_mirrors(
        no_name_service, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "MIRRORS", ["https://one.invalid/", "https://two.invalid/"])
    start = time.monotonic()
    with pytest.raises(DatasetNotFoundError) as info:
        fashion_mnist.load_data()
    assert time.monotonic() - start < 2.0
    assert no_name_service == [("one.invalid", 443)]
    message = str(info.value)
    assert "cannot resolve the host 'one.invalid'" in message
    assert "1 other mirror(s): skipped, the network is unreachable" in message


def test_offline_message_lists_every_location_and_both_ways_to_get_the_data(
        no_name_service, monkeypatch):
    monkeypatch.setattr(fashion_mnist, "MIRRORS", ["https://one.invalid/"])
    with pytest.raises(DatasetNotFoundError) as info:
        fashion_mnist.load_data()
    message = str(info.value)
    for location in ("path= argument", "NEUROFLOW_DATA environment variable", "user cache",
                     "download from https://one.invalid/"):
        assert location in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert "under the folder named by NEUROFLOW_DATA" in message


def test_a_connection_that_never_answers_ends_within_the_connect_timeout(monkeypatch):
    def silent(address, timeout=None, **kwargs):
        assert timeout == _download.CONNECT_TIMEOUT
        raise TimeoutError("timed out")

    monkeypatch.setattr(_download.socket, "create_connection", silent)
    with pytest.raises(_download.NetworkUnreachable, match="within 2 s"):
        _download.check_reachable("https://slow.invalid/file.gz")


def test_a_refused_connection_is_left_to_the_retries_not_taken_for_offline():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _download.check_reachable(f"http://127.0.0.1:{port}/")  # no NetworkUnreachable
