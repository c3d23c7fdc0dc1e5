"""Training-plan requirements and the records HR and trainers add to them.

Requirements are edited in place (an edit rewrites the kept statuses of everyone on it in the same
transaction: ``lms.plan.kept``) but never deleted: retiring one hides it from plans and keeps everything recorded
against it. Exemptions, extensions, sign-offs and sent reminders are append-only rows: a new
extension is a new row, a lifted exemption keeps its row with the date it was lifted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow

# The practical checklist offered when a requirement asks for a trainer's sign-off.
DEFAULT_CHECKLIST = [
    "主动问候，称呼得体",
    "站姿、坐姿端正",
    "八齿微笑",
    "起身接待、应答",
    "未使用服务禁语",
]


class Requirement(Base):
    __tablename__ = "lms_plan_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"), index=True)
    # The audience: None means "any"; both None means everyone.
    department: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[str | None] = mapped_column(sa.String(200))
    due_days_after_hire: Mapped[int | None]
    due_date: Mapped[date | None]
    recertify_months: Mapped[int | None]
    window_days: Mapped[int] = mapped_column(default=60)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))
    # The day the requirement starts to apply: nobody is due before it plus the onboarding days.
    starts_on: Mapped[date | None]
    # Certified only when a trainer has also signed off this practical checklist.
    needs_signoff: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    checklist: Mapped[list[Any]] = mapped_column(default=list, server_default="[]")
    note: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    updated_at: Mapped[datetime | None]
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))
    retired_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))


class Exemption(Base):
    """HR exempts one person from one requirement; lifting it keeps the row."""

    __tablename__ = "lms_plan_exemptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_plan_requirements.id"), index=True
    )
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))
    revoked_on: Mapped[date | None]
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))


class Extension(Base):
    """A new due date for one person and requirement; the latest row of the cycle applies."""

    __tablename__ = "lms_plan_extensions"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_plan_requirements.id"), index=True
    )
    due_on: Mapped[date]
    reason: Mapped[str] = mapped_column(sa.Text)
    granted_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))


class Signoff(Base):
    """A trainer's observation of the practical checklist: every item ticked means it holds."""

    __tablename__ = "lms_plan_signoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_plan_requirements.id"), index=True
    )
    observed_on: Mapped[date]
    observer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))
    # {item: True/False} for the checklist as it stood when observed.
    items: Mapped[dict[str, Any]] = mapped_column(default=dict)
    passed: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SentReminder(Base):
    """One reminder step sent for one due date; the unique key is what makes sending idempotent."""

    __tablename__ = "lms_plan_reminders"
    __table_args__ = (sa.UniqueConstraint("staff_id", "requirement_id", "due_on", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    requirement_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_plan_requirements.id"))
    due_on: Mapped[date]
    kind: Mapped[str] = mapped_column(sa.String(32))  # "before-30" … "before-0", "late-1", …
    sent_on: Mapped[date]  # the as-of date of the run that sent it
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(sa.String(255), default="")
    manager_email: Mapped[str | None] = mapped_column(sa.String(255))


class KeptStatus(Base):
    """One person's status on one active requirement, as of the kept day (``KeptDay``).

    A materialisation of :func:`lms.plan.status.plan_status`, never a second definition: it is
    written only by ``lms.plan.kept`` from the pure function's result, in the same transaction as
    every event that can change it, and by the daily ``flask lms plan refresh``. The HR lists read
    it with SQL so that they cost one indexed query, not 300,000 evaluations, at 50,000 staff.
    Only pairs the requirement applies to have a row.
    """

    __tablename__ = "lms_plan_statuses"
    __table_args__ = (
        sa.Index("ix_lms_plan_statuses_state_staff", "state", "staff_id"),
        sa.Index("ix_lms_plan_statuses_late_due", "late", "due_on", "staff_id"),
        sa.Index("ix_lms_plan_statuses_state_expires", "state", "expires_on"),
        sa.Index("ix_lms_plan_statuses_department_state", "department", "state"),
        sa.Index("ix_lms_plan_statuses_staff_sort", "staff_id", "sort_key"),
        sa.Index("ix_lms_plan_statuses_requirement_sort", "requirement_id", "sort_key"),
    )

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), primary_key=True)
    requirement_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_plan_requirements.id"), primary_key=True
    )
    # The person's department and position when computed (a move recomputes the person's rows).
    department: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[str | None] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(16))
    # Urgency rank, then the deadline's day number: "most urgent first" as one integer.
    sort_key: Mapped[int]
    late: Mapped[bool] = mapped_column(default=False)
    due_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    certified_on: Mapped[date | None]
    extended: Mapped[bool] = mapped_column(default=False)
    quiz_passed: Mapped[bool] = mapped_column(default=False)
    signoff_needed: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # What decided the status: "exemption", "certificate", "attempt", "extension", "deadline", …
    evidence: Mapped[str] = mapped_column(sa.String(64), default="")
    as_of: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeptDay(Base):
    """The day the kept statuses describe (one row, id 1): set by ``flask lms plan refresh``.

    No row means nothing is kept yet, and every page evaluates with the pure function.
    """

    __tablename__ = "lms_plan_status_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    as_of: Mapped[date]
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_soon_days: Mapped[int] = mapped_column(default=14)


class PersonUrgency(Base):
    """Each active person's most urgent kept status (the least ``sort_key`` of their rows; people
    no requirement applies to sort last), with their employee number: "sorted by urgency" is then
    the first rows of one index, not a grouping of every kept row. Derived from
    ``lms_plan_statuses`` by one statement whenever those rows change."""

    __tablename__ = "lms_plan_person_urgency"
    __table_args__ = (sa.Index("ix_lms_plan_person_urgency_sort", "sort_key", "employee_no"),)

    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), primary_key=True)
    employee_no: Mapped[str] = mapped_column(sa.String(64))
    sort_key: Mapped[int]
