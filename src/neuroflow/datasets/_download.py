"""HTTP downloads with timeouts, retries and resumption of partial files.

``TIMEOUT``, ``RETRIES`` and ``BACKOFF`` are read at each call, so they can be tuned
(or set to small values in tests) by assigning them on this module.
"""

from __future__ import annotations

import errno
import http.client
import os
import re
import socket
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TextIO

from neuroflow.datasets._progress import DownloadProgress

TIMEOUT = 30.0
"""Seconds to wait for the next bytes of an answer before giving up on an attempt."""
CONNECT_TIMEOUT = 2.0
"""Seconds to wait for the first connection to a host: offline, the answer comes fast."""
RETRIES = 3
"""Extra attempts per URL after a network failure (each resumes the partial file)."""
BACKOFF = 1.0
"""Seconds before the first retry; doubled before each further retry."""

_CHUNK = 1 << 16
_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)")
# 4xx answers that a retry cannot fix (the file is not there, or not for us).
_PERMANENT = {400, 401, 403, 404, 405, 410, 451}


class DownloadError(OSError):
    """A URL could not be fetched: the message says why (last error, attempts made)."""


class NetworkUnreachable(DownloadError):
    """The host cannot be reached at all (no name resolution, no route, or no
    connection within ``CONNECT_TIMEOUT``): retrying, or trying another mirror, won't help."""


class _Incomplete(OSError):
    """The connection ended before the announced number of bytes arrived."""


def _user_agent() -> str:
    return "neuroflow-datasets (+https://pypi.org/project/neuroflow/)"


def partial_path(dest: Path) -> Path:
    """Return the file a download to ``dest`` is written to until it is complete."""
    return dest.with_name(dest.name + ".part")


def check_reachable(url: str, connect_timeout: float | None = None) -> None:
    """Open and close one TCP connection to ``url``'s host, or raise NetworkUnreachable.

    A machine with no network fails here within ``connect_timeout`` seconds, instead of
    going through every retry of every mirror.
    """
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    timeout = CONNECT_TIMEOUT if connect_timeout is None else connect_timeout
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except socket.gaierror as exc:
        raise NetworkUnreachable(f"cannot resolve the host {host!r} ({exc.strerror}): "
                                 "no network or no name service") from exc
    except TimeoutError as exc:
        raise NetworkUnreachable(f"no connection to {host}:{port} within {timeout:g} s") from exc
    except OSError as exc:
        if exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            raise NetworkUnreachable(f"cannot reach {host}:{port} ({exc.strerror})") from exc
        # Anything else (a refused connection, say) is the host's problem, not the
        # network's: the download attempts report it, with their retries.


def _fetch_once(url: str, part: Path, timeout: float, progress: bool, stream: TextIO) -> None:
    """Fetch ``url`` into ``part``, resuming the bytes already there when it can."""
    offset = part.stat().st_size if part.exists() else 0
    headers = {"User-Agent": _user_agent()}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    request = urllib.request.Request(url, headers=headers)
    try:
        response = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            # Nothing left to send: the partial file already holds the whole resource.
            # The caller's checksum decides whether it is right.
            return
        raise
    with response:
        resumed = False
        total: int | None = None
        if offset and response.status == 206:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if match is None or int(match.group(1)) != offset:
                part.unlink(missing_ok=True)
                raise _Incomplete(f"server answered an unusable range for {url}")
            resumed = True
            total = None if match.group(3) == "*" else int(match.group(3))
        else:
            offset = 0  # the server ignored the Range header: start again
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
        bar = DownloadProgress(part.name[: -len(".part")], total, offset, stream)
        received = offset
        with open(part, "ab" if resumed else "wb") as handle:
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                handle.write(chunk)
                received += len(chunk)
                if progress:
                    bar.update(len(chunk))
        if progress:
            bar.close()
    if total is not None and received < total:
        raise _Incomplete(f"connection closed after {received} of {total} bytes")


def download(
    url: str,
    dest: Path,
    *,
    timeout: float | None = None,
    retries: int | None = None,
    backoff: float | None = None,
    progress: bool = True,
    stream: TextIO | None = None,
) -> Path:
    """Download ``url`` to ``dest``, through ``dest`` + ``".part"``, resuming that file.

    Network failures (timeouts, refused or dropped connections, 5xx answers, a body
    shorter than announced) are retried ``retries`` times, waiting ``backoff`` seconds,
    then twice as long each time; each retry resumes with an HTTP ``Range`` request.
    A partial file left by an earlier failed call is resumed too. ``dest`` only
    appears once the transfer is complete (its content is not checked here).

    Args:
        url: what to fetch (http or https).
        dest: where the complete file goes; its folder must exist.
        timeout: seconds per connection or read (default: module ``TIMEOUT``).
        retries: extra attempts after a failure (default: module ``RETRIES``).
        backoff: first wait between attempts (default: module ``BACKOFF``).
        progress: draw a progress bar on ``stream`` (default ``sys.stderr``).

    Returns:
        ``dest``.

    Raises:
        NetworkUnreachable: the host could not be reached at all (checked first, within
            ``CONNECT_TIMEOUT`` seconds; no retries).
        DownloadError: every attempt failed; the message names the URL and last error.
    """
    timeout = TIMEOUT if timeout is None else timeout
    retries = RETRIES if retries is None else retries
    backoff = BACKOFF if backoff is None else backoff
    stream = stream if stream is not None else sys.stderr
    part = partial_path(dest)
    check_reachable(url)
    if progress:
        stream.write(f"Downloading data from {url}\n")
    last_error: BaseException | None = None
    for attempt in range(retries + 1):
        if attempt:
            time.sleep(backoff * 2 ** (attempt - 1))
        try:
            _fetch_once(url, part, timeout, progress, stream)
        except urllib.error.HTTPError as exc:
            last_error = exc
            if exc.code in _PERMANENT:
                break
        except PermissionError:
            raise
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            last_error = exc
        else:
            os.replace(part, dest)
            return dest
    reason = getattr(last_error, "reason", None) or last_error
    raise DownloadError(
        f"could not download {url} after {attempt + 1} attempt(s): "
        f"{type(last_error).__name__}: {reason}"
    )
