"""A throwaway PostgreSQL server on 127.0.0.1 for the multi-machine tests.

initdb refuses to run as root, so as root the server runs as the `postgres` user (created
by the Debian package) through runuser. Set NEUROFLOW_REQUIRE_POSTGRES=1 to turn a missing
server or driver into a failure instead of a skip (CI does).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator

import pytest


def _missing(reason: str) -> None:
    if os.environ.get("NEUROFLOW_REQUIRE_POSTGRES") == "1":
        pytest.fail(f"PostgreSQL is required here but {reason}")
    pytest.skip(reason)


def _binary(name: str) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return candidates[-1] if candidates else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """Start a server in a temporary folder; yield a SQLAlchemy URL; stop and delete it."""
    initdb, pg_ctl = _binary("initdb"), _binary("pg_ctl")
    if not initdb or not pg_ctl:
        _missing("initdb/pg_ctl are not installed (apt-get install postgresql)")
    try:
        import psycopg2
    except ImportError:
        _missing("psycopg2 is not installed (pip install psycopg2-binary)")
    prefix: list[str] = []
    root = tempfile.mkdtemp(prefix="neuroflow-pg-")
    if os.geteuid() == 0:
        try:
            user = pwd.getpwnam("postgres")
        except KeyError:
            _missing("running as root and there is no 'postgres' user to run the server")
        os.chown(root, user.pw_uid, user.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    data, log = os.path.join(root, "data"), os.path.join(root, "server.log")
    port = _free_port()
    started = False
    try:
        subprocess.run(prefix + [initdb, "-D", data, "-A", "trust", "-U", "postgres",
                                 "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True, timeout=120)
        options = f"-k {root} -c listen_addresses=127.0.0.1 -p {port} -c fsync=off"
        subprocess.run(prefix + [pg_ctl, "-D", data, "-o", options, "-l", log, "-w",
                                 "-t", "60", "start"], check=True, capture_output=True,
                       timeout=120)
        started = True
        conn = psycopg2.connect(host="127.0.0.1", port=port, user="postgres",
                                dbname="postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("CREATE DATABASE tune")
        conn.close()
        yield f"postgresql+psycopg2://postgres@127.0.0.1:{port}/tune"
    finally:
        if started:
            subprocess.run(prefix + [pg_ctl, "-D", data, "-m", "immediate", "-w", "stop"],
                           capture_output=True, timeout=120)
        shutil.rmtree(root, ignore_errors=True)
