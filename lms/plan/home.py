"""HR's home page: the few numbers that say where training stands, and where to look next.

The counts come from the kept statuses (``lms.plan.kept``) as SQL counts when they describe the
day, else from ``reports.plan_items`` counted by ``home_counts`` (pure); the departments come from
``reports.department_summary`` (kept too); plus two small SQL counts and the latest certificates.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.courses.models import Course
from lms.db import session
from lms.plan import config, kept, reports
from lms.plan.models import KeptStatus
from lms.plan.status import DUE_SOON, HOLDING, IN_PROGRESS, NOT_STARTED, PlanStatus

DUE_DAYS = 30
EXPIRING_DAYS = 60
OPEN = frozenset({NOT_STARTED, IN_PROGRESS, DUE_SOON})


@dataclass(frozen=True)
class HomeCounts:
    overdue: int = 0
    due_soon: int = 0  # open, due within DUE_DAYS
    expiring: int = 0  # held, ending within EXPIRING_DAYS


def _counted(status: PlanStatus, as_of: date) -> str | None:
    if status.is_late(as_of):
        return "overdue"
    if status.state in OPEN and status.due_on is not None:
        if as_of <= status.due_on <= as_of + timedelta(days=DUE_DAYS):
            return "due_soon"
    if status.state in HOLDING and status.expires_on is not None:
        if as_of <= status.expires_on <= as_of + timedelta(days=EXPIRING_DAYS):
            return "expiring"
    return None


def home_counts(statuses: Iterable[PlanStatus], as_of: date) -> HomeCounts:
    """How many items are overdue, due within 30 days, and expiring within 60 days (pure)."""
    counts = {"overdue": 0, "due_soon": 0, "expiring": 0}
    for status in statuses:
        kind = _counted(status, as_of)
        if kind:
            counts[kind] += 1
    return HomeCounts(**counts)


def kept_counts(as_of: date) -> HomeCounts | None:
    """:func:`home_counts` as three SQL counts over the kept statuses (``lms.plan.kept``), or
    ``None`` when they do not describe ``as_of``: the home page stays one indexed read at 50,000
    staff. A test checks both ways give the same numbers."""
    if not kept.usable_for(as_of):
        return None

    def count(*where: sa.ColumnElement[bool]) -> int:
        return session.scalar(sa.select(sa.func.count()).select_from(KeptStatus).where(*where)) or 0

    return HomeCounts(
        # Late rows are exactly the overdue ones (``PlanStatus.is_late`` on the kept day).
        overdue=count(KeptStatus.late == sa.true()),
        due_soon=count(
            KeptStatus.late == sa.false(),
            KeptStatus.state.in_(sorted(OPEN)),
            KeptStatus.due_on >= as_of,
            KeptStatus.due_on <= as_of + timedelta(days=DUE_DAYS),
        ),
        expiring=count(
            KeptStatus.late == sa.false(),
            KeptStatus.state.in_(sorted(HOLDING)),
            KeptStatus.expires_on >= as_of,
            KeptStatus.expires_on <= as_of + timedelta(days=EXPIRING_DAYS),
        ),
    )


@dataclass(frozen=True)
class Home:
    as_of: date
    counts: HomeCounts
    never_logged_in: int
    invitations_pending: int
    behind: list[reports.DepartmentRow]
    recent: list[tuple[Certificate, Staff, Course]]


def hr_home(as_of: date | None = None, departments: int = 5, certificates: int = 8) -> Home:
    """Everything the HR home shows, in a fixed number of queries."""
    from lms.invitations.service import pending_count

    as_of = as_of or config.today()
    counts = kept_counts(as_of)
    if counts is None:  # a day the kept statuses do not describe: evaluate (the pure way)
        items = reports.plan_items(as_of, None, None, lambda s: _counted(s, as_of) is not None)
        counts = home_counts((i.status for i in items), as_of)
    rows, _as_of = reports.department_summary(as_of)
    behind = sorted(rows, key=lambda r: (r.completion, r.department))[:departments]
    never = session.scalar(
        sa.select(sa.func.count(Staff.id)).where(
            Staff.active.is_(True), Staff.source != "host", Staff.last_login_at.is_(None)
        )
    )
    recent = session.execute(
        sa.select(Certificate, Staff, Course)
        .join(Staff, Staff.id == Certificate.staff_id)
        .join(Course, Course.id == Certificate.course_id)
        .where(Certificate.revoked_at.is_(None))
        .order_by(Certificate.created_at.desc(), Certificate.id.desc())
        .limit(certificates)
    ).all()
    return Home(
        as_of=as_of,
        counts=counts,
        never_logged_in=never or 0,
        invitations_pending=pending_count(),
        behind=[r for r in behind if r.completion < 1.0],
        recent=[tuple(r) for r in recent],
    )
