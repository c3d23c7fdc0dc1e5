"""The demo organisation the browser journeys run against, built once per test run.

``flask lms init --demo`` takes ~20 s (76 real certificates among it). The first process of the
run that asks starts it in the background, as soon as its session starts; every process that runs
journeys waits for it and serves a copy (a SQLite file, or a PostgreSQL database made from it as a
template). Without playwright: the root conftest starts it.
"""

from __future__ import annotations

import os
import shlex
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.live import PROJECT, free_port

DATABASE = "mingli.sqlite3"  # the development configuration's file in its instance folder
_BUILDS: list[subprocess.Popen] = []  # the build this process started, to wait for at its end


def start(folder: Path, server_database: Callable[[], str | None]) -> None:
    """Start building the demo in ``folder`` unless a process of this run already has; returns at
    once. ``server_database`` gives a fresh server database to build in (``None``: SQLite); it is
    called only by the process that builds."""
    folder.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(folder / "started", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    instance = folder / "instance"
    instance.mkdir()
    env = dict(os.environ, MINGLI_INSTANCE_PATH=str(instance), MINGLI_CONFIG="development")
    env.pop("MINGLI_TEST_DATABASE_URL", None)
    log, rc = folder / "init.log", folder / "rc"
    try:
        url = server_database()
    except Exception as exc:  # the other processes must not wait for a build that never starts
        log.write_text(f"no database for the demo: {exc!r}")
        rc.write_text("1")
        raise
    if url:
        env["MINGLI_SQLALCHEMY_DATABASE_URI"] = url
        (folder / "database").write_text(url)
    # As scripts/serve does, the demo's certificates (issued outside a request) name a server: the
    # one the first live server of the run takes (tests.e2e.demo.port).
    port = free_port()
    (folder / "port").write_text(str(port))
    env["MINGLI_LMS_CERT_BASE_URL"] = f"http://127.0.0.1:{port}"
    init = [sys.executable, "-m", "flask", "--app", "lms", "lms", "init", "--demo"]
    # The exit status lands in one rename, so a reader never sees half of it.
    out, status, tmp = (shlex.quote(str(p)) for p in (log, rc, f"{rc}.tmp"))
    script = f"{shlex.join(init)} > {out} 2>&1; echo $? > {tmp}; mv {tmp} {status}"
    _BUILDS.append(subprocess.Popen(["sh", "-c", script], cwd=PROJECT, env=env))


def finish() -> None:
    """Wait for the build this process started: another process of the run may still need it."""
    while _BUILDS:
        _BUILDS.pop().wait(timeout=600)


def wait(folder: Path, seconds: float = 600) -> None:
    """Return once the demo is built; fail with init's output if it failed or never finished."""
    rc = folder / "rc"
    deadline = time.monotonic() + seconds
    while not rc.exists():
        if time.monotonic() > deadline:
            raise RuntimeError(f"flask lms init --demo did not finish in {seconds} s")
        time.sleep(0.2)
    if rc.read_text().strip() != "0":
        log = folder / "init.log"
        raise RuntimeError(f"flask lms init --demo failed:\n{log.read_text(errors='replace')}")


def port(folder: Path) -> int:
    """The port the demo's certificates name, for the first live server that asks; another free
    port for the others (their copies' certificates name the first server: no journey follows
    a demo certificate's address)."""
    try:
        os.close(os.open(folder / "port-taken", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return free_port()
    return int((folder / "port").read_text())


def server_database(folder: Path) -> str | None:
    """The server database the demo was built in, ``None`` for SQLite."""
    path = folder / "database"
    return path.read_text() if path.exists() else None


def copy_sqlite(folder: Path, instance: Path) -> None:
    """Copy the demo's SQLite database into ``instance`` (the backup API: a consistent copy)."""
    source = sqlite3.connect(folder / "instance" / DATABASE)
    target = sqlite3.connect(instance / DATABASE)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
