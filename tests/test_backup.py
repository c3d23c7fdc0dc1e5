"""Backup and restore round-trip a populated database (SQLite here; PostgreSQL in the PG run)."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.db import session
from lms.quizzes.models import Attempt
from tests.conftest import login


def snapshot(app) -> dict:
    with app.app_context():
        return {
            "staff": sorted(session.scalars(sa.select(Staff.employee_no))),
            "attempts": sorted(session.execute(sa.select(Attempt.id, Attempt.seed)).all()),
        }


def test_backup_and_restore_round_trip(app, runner, client, make_staff, tmp_path: Path):
    login(client, make_staff())
    client.post("/lms/courses/basics/quiz")
    before = snapshot(app)
    assert before["attempts"]
    target = tmp_path / "backup.dump"
    result = runner.invoke(args=["lms", "backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    make_staff(employee_no="AFTER-BACKUP")
    client.post("/lms/courses/basics/quiz")
    assert snapshot(app) != before

    result = runner.invoke(args=["lms", "restore", "--yes", str(target)])
    assert result.exit_code == 0, result.output
    assert snapshot(app) == before


def test_restore_refuses_a_file_that_is_not_a_backup(app, runner, tmp_path: Path):
    bogus = tmp_path / "bogus.dump"
    bogus.write_bytes(b"this is not a database")
    before = snapshot(app)
    result = runner.invoke(args=["lms", "restore", "--yes", str(bogus)])
    assert result.exit_code == 1
    assert snapshot(app) == before
