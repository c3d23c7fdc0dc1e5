"""Database plumbing shared by every LMS model.

The plugin's models use their own declarative base and metadata (tables prefixed ``lms_``), and run on
whatever Flask-SQLAlchemy instance the application has: the host's when it has one, else one the plugin
creates. Code reaches the session through :data:`session`, so it never cares which.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.functions import FunctionElement
from werkzeug.local import LocalProxy

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dict[str, Any]: sa.JSON, list[Any]: sa.JSON}


def utcnow() -> datetime:
    """Naive UTC timestamp: stored the same way on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)


class iso_date(FunctionElement):  # noqa: N801 - used like sa.func.*
    """A date as its ISO text (``2026-11-01``), computed by the database: SQLite stores dates
    as that text already; PostgreSQL's own text form follows its ``DateStyle`` setting, so it
    is spelled out with ``to_char``."""

    type = sa.String()
    inherit_cache = True


@compiles(iso_date)
def _iso_date_as_stored(element: iso_date, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.clauses, **kw)


@compiles(iso_date, "postgresql")
def _iso_date_postgresql(element: iso_date, compiler: Any, **kw: Any) -> str:
    return f"to_char({compiler.process(element.clauses, **kw)}, 'YYYY-MM-DD')"


def _get_session() -> Session:
    return current_app.extensions["lms"].db.session


session: Session = LocalProxy(_get_session)  # type: ignore[assignment]


def engine() -> sa.Engine:
    return current_app.extensions["lms"].db.engine


def configure_sqlite(engine: sa.Engine, busy_timeout_ms: int) -> None:
    """WAL lets readers run beside one writer; the busy timeout makes writers queue instead of failing."""
    if engine.dialect.name != "sqlite":
        return

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        if not isinstance(dbapi_connection, sqlite3.Connection):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()
