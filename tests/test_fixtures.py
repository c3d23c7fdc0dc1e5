"""The suite's own machinery: the per-test database snapshot and the certificate PDF stand-in."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import session
from tests.conftest import fresh_database, reset_schema
from tests.doubles import blank_pdf


def test_a_restored_database_has_the_content_and_nothing_a_test_wrote(app, content_dir, make_staff):
    make_staff(employee_no="E-LEFT-BEHIND")
    with app.app_context():
        session.get(Course, session.scalar(sa.select(Course.id))).title = "改过的标题"
        session.commit()
        session.remove()
    fresh_database(app, content_dir, "fixture-content")
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Staff.id))) == 0
        course = session.scalar(sa.select(Course).where(Course.slug == "basics"))
        assert course is not None and course.title != "改过的标题"
        # New rows after a restore get fresh ids (a server database's sequences follow the rows).
        staff = Staff(employee_no="E-NEW", name="新人")
        staff.set_roles({"learner"})
        session.add(staff)
        session.commit()
        assert staff.id is not None


def _add_staff(employee_no: str) -> Staff:
    staff = Staff(employee_no=employee_no, name="新人")
    staff.set_roles({"learner"})
    session.add(staff)
    return staff


def test_ids_start_over_after_a_restore_even_after_a_rolled_back_insert(app, content_dir):
    with app.app_context():
        first = _add_staff("E-FIRST")
        session.commit()
        first_id = first.id
        _add_staff("E-ROLLED-BACK")
        session.flush()  # takes an id (a server database's sequence moves on), then is undone
        session.rollback()
        session.remove()
    fresh_database(app, content_dir, "fixture-content")
    with app.app_context():
        again = _add_staff("E-AGAIN")
        session.commit()
        assert again.id == first_id


def test_a_schema_another_test_rebuilt_is_restored_whole(app, content_dir):
    reset_schema(app)  # as the migration and embedding tests do: new, empty tables
    with app.app_context():
        _add_staff("E-REBUILT")
        session.commit()
        session.remove()
    fresh_database(app, content_dir, "fixture-content")
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Staff.id))) == 0
        assert session.scalar(sa.select(Course).where(Course.slug == "basics")) is not None


def test_a_restore_follows_the_snapshot_asked_for(app, content_dir):
    """Another snapshot key on the same database restores every table, not only those written."""
    empty = content_dir.parent / "empty-content"
    empty.mkdir()
    fresh_database(app, empty, "no-content")
    with app.app_context():
        assert session.scalar(sa.select(sa.func.count(Course.id))) == 0
        session.remove()
    fresh_database(app, content_dir, "fixture-content")
    with app.app_context():
        assert session.scalar(sa.select(Course).where(Course.slug == "basics")) is not None


def test_the_pdf_stand_in_is_a_real_one_page_pdf_different_for_each_certificate():
    first, second = blank_pdf(None, "<p>甲</p>"), blank_pdf(None, "<p>乙</p>")
    assert first != second
    assert len(PdfReader(io.BytesIO(first)).pages) == 1


@pytest.mark.real_pdf
def test_real_pdf_tests_render_with_weasyprint():
    from lms.certificates import issue
    from lms.certificates.templates import render_pdf

    assert issue.render_pdf is render_pdf


def test_the_demo_builds_once_a_run_and_a_failed_build_fails_with_its_output(tmp_path):
    from tests.e2e import demo

    demo.start(tmp_path, lambda: "sqlite:////nonexistent-folder/demo.sqlite3")
    demo.start(tmp_path, lambda: pytest.fail("a second start must build nothing"))
    with pytest.raises(
        RuntimeError, match="init --demo failed:\n(.|\n)*unable to open database file"
    ):
        demo.wait(tmp_path, seconds=120)
    demo.finish()
    # The first live server serves at the port the demo's certificates name; the others elsewhere.
    first = demo.port(tmp_path)
    assert first == int((tmp_path / "port").read_text()) and demo.port(tmp_path) != first


def test_a_demo_build_without_a_database_fails_at_once_for_every_process(tmp_path):
    from tests.e2e import demo

    def no_server() -> str:
        raise OSError("connection refused")

    with pytest.raises(OSError):
        demo.start(tmp_path, no_server)
    with pytest.raises(RuntimeError, match="no database for the demo: OSError"):
        demo.wait(tmp_path, seconds=5)
