"""Consistent online backups of the LMS data, and restoring them.

SQLite uses the backup API (a consistent copy while the app keeps running); PostgreSQL uses
``pg_dump``/``pg_restore`` limited to the ``lms_*`` tables, so a host's own tables are never touched.
"""

from __future__ import annotations

import glob
import shutil
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa


class BackupError(RuntimeError):
    pass


def _pg_tool(name: str) -> str:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    found = candidates[-1] if candidates else shutil.which(name)
    if not found:
        raise BackupError(
            f"{name} not found: install the PostgreSQL client (apt-get install postgresql-client)"
        )
    return found


def _libpq_url(url: sa.URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def backup(engine: sa.Engine, target: Path) -> None:
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    if engine.dialect.name == "sqlite":
        tmp = target.with_name(target.name + ".partial")
        source = sqlite3.connect(engine.url.database)
        try:
            dest = sqlite3.connect(tmp)
            try:
                source.backup(dest)
            finally:
                dest.close()
        finally:
            source.close()
        tmp.replace(target)  # a crash half-way never leaves a truncated backup under the real name
    elif engine.dialect.name == "postgresql":
        _run([_pg_tool("pg_dump"), "-Fc", "-t", "lms_*", "-f", str(target), _libpq_url(engine.url)])
    else:
        raise BackupError(f"backups are not supported on {engine.dialect.name}")


def restore(engine: sa.Engine, source: Path) -> None:
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    engine.dispose()
    if engine.dialect.name == "sqlite":
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if src.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source} is not an intact SQLite database")
            dest = sqlite3.connect(engine.url.database)
            try:
                src.backup(dest)
            finally:
                dest.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{source} is not a SQLite backup: {exc}") from None
        finally:
            src.close()
    elif engine.dialect.name == "postgresql":
        _run(
            [
                _pg_tool("pg_restore"),
                "--clean",
                "--if-exists",
                "--single-transaction",
                "--no-owner",
                "-d",
                _libpq_url(engine.url),
                str(source),
            ]
        )
    else:
        raise BackupError(f"restore is not supported on {engine.dialect.name}")


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed")
