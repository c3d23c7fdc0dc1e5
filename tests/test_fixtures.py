"""The suite's own machinery: the per-test database snapshot and the certificate PDF stand-in."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import session
from tests.conftest import fresh_database
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


def test_the_pdf_stand_in_is_a_real_one_page_pdf_different_for_each_certificate():
    first, second = blank_pdf(None, "<p>甲</p>"), blank_pdf(None, "<p>乙</p>")
    assert first != second
    assert len(PdfReader(io.BytesIO(first)).pages) == 1


@pytest.mark.real_pdf
def test_real_pdf_tests_render_with_weasyprint():
    from lms.certificates import issue
    from lms.certificates.templates import render_pdf

    assert issue.render_pdf is render_pdf
