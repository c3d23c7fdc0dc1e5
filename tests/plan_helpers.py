"""Building training-plan histories directly in the database, for the plan tests."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.courses.models import Course
from lms.db import session
from lms.plan.models import Requirement
from lms.quizzes.models import Attempt

_serials = itertools.count(1)


def course_id(slug: str = "basics") -> int:
    return session.scalar(sa.select(Course.id).where(Course.slug == slug))


def requirement(**fields) -> Requirement:
    """A requirement on the fixture course, due 30 days after hire unless told otherwise."""
    fields.setdefault("course_id", course_id())
    if "due_date" not in fields:
        fields.setdefault("due_days_after_hire", 30)
    fields.setdefault("starts_on", date(2000, 1, 1))
    fields.setdefault("window_days", 60)
    req = Requirement(**fields)
    session.add(req)
    session.commit()
    return req


def at(day: date) -> datetime:
    """A naive-UTC timestamp that falls on ``day`` in Beijing (the tests' LMS_CERT_TIMEZONE)."""
    return datetime.combine(day, time(4, 30))


def attempt(staff_id: int, on: date, *, passed: bool, score: float | None = None) -> Attempt:
    row = Attempt(
        staff_id=staff_id,
        course_id=course_id(),
        seed=1,
        started_at=at(on) - timedelta(minutes=12, seconds=30),
        submitted_at=at(on),
        graded_at=at(on),
        score=score if score is not None else (90.0 if passed else 40.0),
        passed=passed,
        status="graded",
    )
    session.add(row)
    session.commit()
    return row


def certificate(
    staff_id: int,
    issued_on: date,
    *,
    expires_on: date | None = None,
    attempt_id: int | None = None,
    cycle: int | None = None,
    revoked: bool = False,
) -> Certificate:
    if cycle is None:
        cycle = 1 + (
            session.scalar(
                sa.select(sa.func.count(Certificate.id)).where(Certificate.staff_id == staff_id)
            )
            or 0
        )
    cert = Certificate(
        serial=f"T{next(_serials):08d}",
        staff_id=staff_id,
        course_id=course_id(),
        attempt_id=attempt_id,
        cycle=cycle,
        issued_on=issued_on,
        expires_on=expires_on,
        revoked_at=at(issued_on) + timedelta(days=1) if revoked else None,
    )
    session.add(cert)
    session.commit()
    return cert


def bulk_staff(count: int, *, department: str = "门诊部", hired: date = date(2026, 1, 5)) -> None:
    """Many people at once (one INSERT), numbered B00001…"""
    session.execute(
        sa.insert(Staff),
        [
            {
                "employee_no": f"B{n:05d}",
                "name": f"批量{n}",
                "department": department if n % 2 else "收费处",
                "position": "导医",
                "hire_date": hired,
                "active": True,
                "source": "local",
            }
            for n in range(1, count + 1)
        ],
    )
    session.commit()


def person(**fields) -> Staff:
    """A staff record without a password (hashing one costs ~0.3 s): for people who never log in."""
    fields.setdefault("name", fields.get("employee_no", "员工"))
    staff = Staff(**fields)
    staff.set_roles({"learner"})
    session.add(staff)
    session.commit()
    session.refresh(staff)
    session.expunge(staff)
    return staff


def statements(app, client, url: str) -> int:
    """SQL statements of one GET request, its (possibly streamed) body read to the end."""
    with app.app_context():
        engine = app.extensions["lms"].db.engine
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
        assert response.status_code == 200 and response.get_data()
        response.close()
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)
