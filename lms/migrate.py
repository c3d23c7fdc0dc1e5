"""Running the LMS's Alembic migrations from inside any app (standalone or host)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config() -> Config:
    cfg = Config(str(MIGRATIONS_DIR / "alembic.ini"))
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade_database(revision: str = "head") -> None:
    """Bring the LMS tables to ``revision``; needs an app context."""
    command.upgrade(alembic_config(), revision)


def _table_name(obj: object, name: str | None, type_: str) -> str:
    if type_ == "table":
        return name or ""
    table = getattr(obj, "table", None)
    return getattr(table, "name", "") or ""


def alembic_include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """For a host's own ``migrations/env.py``: leave the LMS's tables to the LMS.

    Pass it as ``context.configure(..., include_object=alembic_include_object)``; the host's
    ``flask db migrate`` then never proposes to drop or alter an ``lms_*`` table (nor the LMS's
    version table), which the LMS migrates itself (``flask lms init``).
    """
    return not _table_name(obj, name, type_).startswith("lms_")


def lms_only_include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """The LMS's own environment: only ``lms_*`` tables are compared or touched."""
    return not alembic_include_object(obj, name, type_, reflected, compare_to)
