"""Running the LMS's Alembic migrations from inside any app (standalone or host)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from lms.extension import PACKAGE_DIR

MIGRATIONS_DIR = PACKAGE_DIR / "migrations"


def alembic_config() -> Config:
    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_database(revision: str = "head") -> None:
    """Bring the LMS tables to ``revision``; needs an app context."""
    command.upgrade(alembic_config(), revision)
