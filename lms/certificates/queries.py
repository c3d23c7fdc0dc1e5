"""Look-ups behind the certificate pages (no blobs are loaded: ``pdf`` and ``html`` are deferred)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.certificates.issue import status_clause, today
from lms.certificates.models import Certificate
from lms.courses.models import Course
from lms.db import session
from lms.quizzes.models import Attempt

PER_PAGE = 50


@dataclass(frozen=True)
class ListFilter:
    q: str = ""
    department: str = ""
    course: str = ""
    status: str = ""
    issued_from: date | None = None
    issued_to: date | None = None


def hr_list(f: ListFilter, page: int = 1) -> tuple[list[tuple[Certificate, Staff, Course]], int]:
    query = (
        sa.select(Certificate, Staff, Course)
        .join(Staff, Staff.id == Certificate.staff_id)
        .join(Course, Course.id == Certificate.course_id)
    )
    if f.q:
        q = f.q.strip()
        query = query.where(
            sa.or_(
                Staff.name.icontains(q, autoescape=True),
                Staff.employee_no.icontains(q, autoescape=True),
                Certificate.serial.icontains(q, autoescape=True),
            )
        )
    if f.department:
        query = query.where(Staff.department == f.department)
    if f.course:
        query = query.where(Course.slug == f.course)
    if f.status:
        query = query.where(status_clause(f.status, today()))
    if f.issued_from:
        query = query.where(Certificate.issued_on >= f.issued_from)
    if f.issued_to:
        query = query.where(Certificate.issued_on <= f.issued_to)
    total = session.scalar(sa.select(sa.func.count()).select_from(query.subquery())) or 0
    rows = session.execute(
        query.order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    return [tuple(row) for row in rows], total


def departments() -> list[str]:
    return list(
        session.scalars(
            sa.select(Staff.department)
            .where(Staff.department.is_not(None), Staff.department != "")
            .distinct()
            .order_by(Staff.department)
        )
    )


def courses() -> list[Course]:
    return list(session.scalars(sa.select(Course).order_by(Course.position, Course.id)))


def certificates_of(staff: Staff) -> list[tuple[Certificate, Course]]:
    """The person's certificates, newest first; superseded versions are left out."""
    rows = session.execute(
        sa.select(Certificate, Course)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.staff_id == staff.id, Certificate.superseded_by_id.is_(None))
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
    ).all()
    return [tuple(row) for row in rows]


def claimable_courses(staff: Staff) -> list[Course]:
    """Courses whose latest pass earned no certificate (issuing was refused), and none is valid."""
    passed = (
        sa.select(Attempt.course_id, sa.func.max(Attempt.graded_at).label("passed_at"))
        .where(Attempt.staff_id == staff.id, Attempt.passed.is_(True))
        .group_by(Attempt.course_id)
        .subquery()
    )
    issued = (
        sa.select(Certificate.course_id, sa.func.max(Certificate.created_at).label("issued_at"))
        .where(Certificate.staff_id == staff.id)
        .group_by(Certificate.course_id)
        .subquery()
    )
    valid = sa.select(Certificate.course_id).where(
        Certificate.staff_id == staff.id, status_clause("valid", today())
    )
    return list(
        session.scalars(
            sa.select(Course)
            .join(passed, passed.c.course_id == Course.id)
            .outerjoin(issued, issued.c.course_id == Course.id)
            .where(
                sa.or_(issued.c.issued_at.is_(None), passed.c.passed_at > issued.c.issued_at),
                Course.id.not_in(valid),
            )
            .order_by(Course.position, Course.id)
        )
    )


def course_certificate(staff: Staff, course: Course) -> Certificate | None:
    """The person's newest current certificate for the course (for the course page)."""
    return session.scalar(
        sa.select(Certificate)
        .where(
            Certificate.staff_id == staff.id,
            Certificate.course_id == course.id,
            Certificate.superseded_by_id.is_(None),
        )
        .order_by(Certificate.cycle.desc(), Certificate.version.desc())
        .limit(1)
    )


def versions_of(cert: Certificate) -> list[Certificate]:
    return list(
        session.scalars(
            sa.select(Certificate)
            .where(
                Certificate.staff_id == cert.staff_id,
                Certificate.course_id == cert.course_id,
                Certificate.cycle == cert.cycle,
            )
            .order_by(Certificate.version)
        )
    )


@dataclass
class NeedsAttention:
    person: Staff
    course: Course
    failed_at: datetime
    reason: str


def needs_attention(limit: int = 200) -> list[NeedsAttention]:
    """Passes whose certificate could not be issued, and has not been since (newest first)."""
    from lms.audit.models import AuditEntry
    from lms.certificates.issue import ISSUE_FAILED

    entries = list(
        session.scalars(
            sa.select(AuditEntry)
            .where(AuditEntry.action == ISSUE_FAILED)
            .order_by(AuditEntry.id.desc())
            .limit(limit)
        )
    )
    keys = {(e.details.get("staff_id"), e.details.get("course_id")) for e in entries}
    staff_ids = {s for s, _c in keys if isinstance(s, int)}
    issued: dict[tuple[int, int], datetime] = {}
    for staff_id, course_id, created in session.execute(
        sa.select(Certificate.staff_id, Certificate.course_id, sa.func.max(Certificate.created_at))
        .where(Certificate.staff_id.in_(staff_ids))
        .group_by(Certificate.staff_id, Certificate.course_id)
    ):
        issued[(staff_id, course_id)] = created
    people = {s.id: s for s in session.scalars(sa.select(Staff).where(Staff.id.in_(staff_ids)))}
    courses = {c.id: c for c in session.scalars(sa.select(Course))}
    found, seen = [], set()
    for e in entries:
        key = (e.details.get("staff_id"), e.details.get("course_id"))
        if key in seen or key[0] not in people or key[1] not in courses:
            continue
        seen.add(key)
        if key in issued and issued[key] >= e.at:
            continue  # issued since (claimed, or a later pass)
        found.append(
            NeedsAttention(people[key[0]], courses[key[1]], e.at, e.details.get("reason", ""))
        )
    return found
