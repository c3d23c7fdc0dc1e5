"""Alembic environment for the LMS tables only: a host's own tables are never compared or touched."""

from alembic import context
from flask import current_app

from lms import models  # noqa: F401  (fills the metadata)
from lms.db import Base
from lms.migrate import lms_only_include_object as include_object

VERSION_TABLE = "lms_alembic_version"


def run_migrations_online() -> None:
    engine = current_app.extensions["lms"].db.engine
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            version_table=VERSION_TABLE,
            include_object=include_object,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline migrations are not supported; run against a database.")
run_migrations_online()
