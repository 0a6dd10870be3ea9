"""A throwaway PostgreSQL server on 127.0.0.1 for tests: initdb into a temporary folder, pg_ctl start on a
free port, create a database, pg_ctl stop and delete the folder afterwards.

The binaries come from the machine (Debian's `postgresql` package, which `.ci/run` installs); nothing is
downloaded here. PostgreSQL refuses to run as root, so under root the server runs as the `postgres` user
(created by that package) through `runuser`, in a folder owned by that user.
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import psycopg2

SUPERUSER = "dagster"
PASSWORD = "dagster-test-password"
SERVER_USER = "postgres"  # who runs the server when the test runs as root


class Unavailable(Exception):
    """The machine cannot run a PostgreSQL server (the message says what is missing)."""


def bindir() -> Path:
    """The folder holding initdb and pg_ctl: $PG_BINDIR, else Debian's newest
    /usr/lib/postgresql/<ver>/bin, else wherever initdb is on PATH."""
    if os.environ.get("PG_BINDIR"):
        candidates = [Path(os.environ["PG_BINDIR"])]
    else:
        debian = glob.glob("/usr/lib/postgresql/*/bin/initdb")
        debian.sort(key=lambda p: [int(n) for n in re.findall(r"\d+", p)], reverse=True)
        candidates = [Path(p).parent for p in debian]
        if shutil.which("initdb"):
            candidates.append(Path(shutil.which("initdb")).resolve().parent)
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    raise Unavailable(
        "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin or on "
        "PATH: install Debian's `postgresql` package (`apt-get install -y postgresql`; .ci/run does)"
    )


def _as_server_user() -> list[str]:
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam(SERVER_USER)
    except KeyError:
        raise Unavailable(
            f"running as root and there is no `{SERVER_USER}` user to run the server as "
            "(Debian's `postgresql` package creates it)"
        ) from None
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVER_USER, "--"]
    raise Unavailable("running as root and `runuser` (util-linux) is missing")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    host: str
    port: int
    user: str
    password: str
    db: str
    folder: Path

    @property
    def env(self) -> dict[str, str]:
        """The variables dagster-postgres.yaml reads."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USER": self.user,
            "DAGSTER_PG_PASSWORD": self.password,
            "DAGSTER_PG_DB": self.db,
        }

    def connect(self, db: str | None = None):
        return psycopg2.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=db or self.db,
            connect_timeout=5,
        )

    def log_tail(self, chars: int = 3000) -> str:
        log = self.folder / "server.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else "(no server log)"


def _run(cmd: list[str], cwd: Path, timeout: float) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
        )


@contextmanager
def postgres_server(db: str = "dagster_test", timeout: float = 60):
    """Start a server, create `db` in it, yield a PostgresServer; stop it and delete its folder after.
    Raises Unavailable when the machine has no server binaries (or no user to run them as)."""
    bins = bindir()
    prefix = _as_server_user()
    # Not under pytest's tmp_path: that is root-only (0700) and the server user must reach its folder.
    folder = Path(tempfile.mkdtemp(prefix="dagster-pg-"))
    data = folder / "data"
    try:
        if prefix:
            info = pwd.getpwnam(SERVER_USER)
            os.chown(folder, info.pw_uid, info.pw_gid)
        pwfile = folder / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if prefix:
            os.chown(pwfile, info.pw_uid, info.pw_gid)
        _run(
            [
                *prefix,
                str(bins / "initdb"),
                "-D",
                str(data),
                "-U",
                SUPERUSER,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",  # TCP and socket alike: the password from the env is used
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            cwd=folder,
            timeout=timeout,
        )
        pwfile.unlink()
        port = None
        for _attempt in range(3):  # a free port can be taken between the probe and the bind
            port = free_port()
            opts = (
                f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} "
                # A throwaway server: durability buys nothing here.
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
            )
            start = [
                *prefix,
                str(bins / "pg_ctl"),
                "-D",
                str(data),
                "-l",
                str(folder / "server.log"),
                "-o",
                opts,
                "-w",
                "-t",
                str(int(timeout)),
                "start",
            ]
            try:
                _run(start, cwd=folder, timeout=timeout + 10)
                break
            except RuntimeError:
                if "already in use" not in (folder / "server.log").read_text(errors="replace"):
                    raise
        else:
            raise RuntimeError(
                f"could not bind a free port:\n{(folder / 'server.log').read_text()}"
            )
        server = PostgresServer("127.0.0.1", port, SUPERUSER, PASSWORD, db, folder)
        conn = server.connect(db="postgres")
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{db}"')
        finally:
            conn.close()
        yield server
    finally:
        _stop(bins, prefix, data, folder)


def _stop(bins: Path, prefix: list[str], data: Path, folder: Path) -> None:
    pidfile = data / "postmaster.pid"
    if pidfile.exists():
        stop = [
            *prefix,
            str(bins / "pg_ctl"),
            "-D",
            str(data),
            "-m",
            "fast",
            "-w",
            "-t",
            "30",
            "stop",
        ]
        with suppress(subprocess.TimeoutExpired):
            subprocess.run(stop, cwd=folder, capture_output=True, timeout=40)
        if pidfile.exists():  # still up: end the postmaster (its children follow it)
            try:
                pid = int(pidfile.read_text().splitlines()[0])
                os.kill(pid, signal.SIGKILL)
                time.sleep(1)
            except (ValueError, IndexError, ProcessLookupError, PermissionError):
                pass
    shutil.rmtree(folder, ignore_errors=True)
