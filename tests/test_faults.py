"""Killed half-way (SIGKILL), a content sync leaves the database as it was; rerun, it finishes once."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import sqlalchemy as sa

from lms import create_app
from lms.content.sync import sync_content
from lms.courses.models import Course, Lesson
from lms.db import session
from lms.quizzes.models import Question, QuestionVersion
from tests.conftest import PROJECT, database_url, reset_schema

# Runs in a child process: syncs the real content, and kills itself at the Nth flush to the database.
KILLER = textwrap.dedent(
    """
    import os, signal, sys
    import sqlalchemy as sa
    from sqlalchemy.orm import Session
    from lms import create_app
    from lms.content.sync import sync_content

    url, content, kill_at = sys.argv[1], sys.argv[2], int(sys.argv[3])
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    flushes = 0

    @sa.event.listens_for(Session, "after_flush")
    def die(*_):
        global flushes
        flushes += 1
        if flushes == kill_at:
            os.kill(os.getpid(), signal.SIGKILL)

    with app.app_context():
        sync_content(__import__("pathlib").Path(content))
    """
)


def counts() -> dict[str, int]:
    return {
        m.__name__: session.scalar(sa.select(sa.func.count()).select_from(m))
        for m in (Course, Lesson, Question, QuestionVersion)
    }


def test_a_killed_sync_changes_nothing_and_a_rerun_completes(tmp_path: Path):
    url = database_url(tmp_path)
    app = create_app({"CONFIG_NAME": "testing", "SQLALCHEMY_DATABASE_URI": url})
    reset_schema(app)
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    for kill_at in (2, 5):  # inside the first course, and several courses in
        result = subprocess.run(
            [sys.executable, str(script), url, str(PROJECT), str(kill_at)], cwd=PROJECT, check=False
        )
        assert result.returncode == -signal.SIGKILL
        with app.app_context():
            assert counts() == {"Course": 0, "Lesson": 0, "Question": 0, "QuestionVersion": 0}
    with app.app_context():
        report = sync_content(PROJECT)
        assert not report.retired
        once = counts()
        assert once["Course"] >= 6
        assert not sync_content(PROJECT).changed
        assert counts() == once
        keys = session.scalars(sa.select(Question.key)).all()
        assert len(keys) == len(set(keys))
        app.extensions["lms"].db.engine.dispose()
