"""Migrations build exactly the models' schema, in a version table of the plugin's own."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms import create_app
from lms.db import Base
from lms.migrate import upgrade_database
from tests.conftest import FIXTURE_CONTENT, database_url, reset_schema


def fresh_app(tmp_path: Path):
    app = create_app(
        {
            "CONFIG_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": database_url(tmp_path),
            "LMS_CONTENT_DIR": str(FIXTURE_CONTENT),
        }
    )
    reset_schema(app)
    with app.app_context():
        Base.metadata.drop_all(app.extensions["lms"].db.engine)
    return app


def test_upgrade_matches_the_models_and_leaves_host_tables_alone(tmp_path: Path):
    app = fresh_app(tmp_path)
    with app.app_context():
        engine = app.extensions["lms"].db.engine
        with engine.begin() as conn:
            conn.execute(sa.text("CREATE TABLE host_orders (id INTEGER PRIMARY KEY)"))
        try:
            upgrade_database()
            upgrade_database()  # a second run is a no-op
            with engine.connect() as conn:
                diff = compare_metadata(
                    MigrationContext.configure(
                        conn,
                        opts={
                            "version_table": "lms_alembic_version",
                            "include_object": lambda o, n, t, r, c: (
                                t != "table" or n.startswith("lms_")
                            ),
                            "compare_type": True,
                        },
                    ),
                    Base.metadata,
                )
                assert diff == [], (
                    "a model change needs a migration: flask db revision --autogenerate"
                )
                tables = set(sa.inspect(conn).get_table_names())
                assert "lms_alembic_version" in tables and "alembic_version" not in tables
                assert "host_orders" in tables
        finally:
            with engine.begin() as conn:
                conn.execute(sa.text("DROP TABLE host_orders"))


def test_init_demo_twice_is_safe(tmp_path: Path):
    app = fresh_app(tmp_path)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["lms", "init", "--demo"])
    assert first.exit_code == 0, first.output
    assert "demo-learner" in first.output and "demo-hr" in first.output
    second = runner.invoke(args=["lms", "init", "--demo"])
    assert second.exit_code == 0, second.output
    assert "0 created, 0 updated, 0 retired" in second.output
