"""Issue 11: a host's own Alembic autogenerate, with ``lms.alembic_include_object``, proposes nothing
about the LMS's tables (and, without it, would drop them all)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.pool import NullPool

from lms import LMS, alembic_include_object
from lms.db import Base
from lms.migrate import upgrade_database
from tests.conftest import database_url


def test_a_hosts_autogenerate_leaves_the_lms_tables_alone(tmp_path: Path):
    host = Flask("portal")
    host.config.update(
        SECRET_KEY="host-secret",
        SQLALCHEMY_DATABASE_URI=database_url(tmp_path),
        SQLALCHEMY_ENGINE_OPTIONS={"poolclass": NullPool},
    )
    db = SQLAlchemy()
    db.init_app(host)

    class Patient(db.Model):  # the host's own model
        __tablename__ = "portal_patients"
        id = sa.Column(sa.Integer, primary_key=True)
        name = sa.Column(sa.String(100))

    LMS(host)
    with host.app_context():
        clean(db)  # a clean slate on a shared PostgreSQL test server
        upgrade_database()  # the LMS's tables, by its own migrations
        db.create_all()  # the host's table (host metadata only has its own)
        with db.engine.connect() as conn:
            naive = compare_metadata(MigrationContext.configure(conn), db.metadata)
            helped = compare_metadata(
                MigrationContext.configure(conn, opts={"include_object": alembic_include_object}),
                db.metadata,
            )
        assert any(d[0] == "remove_table" and d[1].name.startswith("lms_") for d in naive)
        assert helped == []
        clean(db)
        db.drop_all()
        db.engine.dispose()


def clean(db: SQLAlchemy) -> None:
    """Every table in the database, whoever made it (on PostgreSQL the tests share one database)."""
    Base.metadata.drop_all(db.engine)
    existing = sa.MetaData()
    existing.reflect(db.engine)
    existing.drop_all(db.engine)
