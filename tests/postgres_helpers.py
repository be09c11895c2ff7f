"""A throwaway PostgreSQL server for the batch journal tests, from the machine's binaries.

`KLING_EDIT_TEST_POSTGRES` (a DSN) is used instead when set. The server listens on 127.0.0.1 on a
free port, keeps its data in a temporary folder, runs as the unprivileged `postgres` user when
the suite runs as root (PostgreSQL refuses to run as root), and is stopped at the end.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

DSN_ENV = "KLING_EDIT_TEST_POSTGRES"
_BINARY_GLOB = "/usr/lib/postgresql/*/bin"


def _binaries() -> Path | None:
    found = sorted(glob.glob(f"{_BINARY_GLOB}/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yield the DSN of a running server (its `postgres` database); skip where none can run."""
    if dsn := os.environ.get(DSN_ENV):
        yield dsn
        return
    bin_dir = _binaries()
    if bin_dir is None:
        pytest.skip(f"no PostgreSQL binaries in {_BINARY_GLOB} and {DSN_ENV} is not set")
    run_as: dict[str, Any] = {}
    home = Path(tempfile.mkdtemp(prefix="kling-edit-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(home, user.pw_uid, user.pw_gid)
        run_as = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    data, port = home / "data", _free_port()
    quiet = {"check": True, "capture_output": True, "cwd": home, **run_as}
    try:
        subprocess.run(
            [bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync"],
            **quiet,
        )
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [bin_dir / "pg_ctl", "-D", data, "-o", options, "-l", home / "log", "-w", "start"],
            **quiet,
        )
        try:
            yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop"],
                **{**quiet, "check": False},
            )
    finally:
        shutil.rmtree(home, ignore_errors=True)


@contextmanager
def fresh_schema(server_dsn: str) -> Iterator[str]:
    """Create an empty schema on the server; yield a DSN whose tables go there; drop it after.

    A schema per test isolates tests as a database would, ten times faster to make.
    """
    import psycopg

    name = f"kling_edit_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_dsn, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {name}")
        separator = "&" if "?" in server_dsn else "?"
        try:
            yield f"{server_dsn}{separator}options=-csearch_path%3D{name}"
        finally:
            admin.execute(f"DROP SCHEMA {name} CASCADE")
