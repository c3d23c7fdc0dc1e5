"""Loading what the status function needs, for many people at once, in a fixed number of queries.

Every page, export and reminder run goes through :func:`evaluate`: one query for the
requirements, one for the people, and one per kind of evidence (certificates, passes, starts, lesson
views, sign-offs, exemptions, extensions, department moves) over all of them together. The number of
statements never depends on how many people are shown — the matrix test counts them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, tzinfo
from typing import Any

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.courses.models import Course, Lesson, LessonProgress
from lms.db import session
from lms.i18n import _
from lms.plan import config
from lms.plan.models import Exemption, Extension, Requirement, Signoff
from lms.plan.status import (
    AttemptFact,
    CertificateFact,
    Evidence,
    ExemptionFact,
    ExtensionFact,
    PersonFact,
    PlanStatus,
    RuleFact,
    SignoffFact,
    Thresholds,
    in_audience,
    plan_status,
)
from lms.quizzes.models import Attempt
from lms.staff.models import StaffChange

PERSON_COLUMNS = (
    Staff.id, Staff.employee_no, Staff.name, Staff.department, Staff.position, Staff.hire_date,
    Staff.email, Staff.manager_no, Staff.active,
)  # fmt: skip


@dataclass(frozen=True)
class Person:
    id: int
    employee_no: str
    name: str
    department: str | None
    position: str | None
    hire_date: date | None
    email: str | None
    manager_no: str | None
    active: bool

    @property
    def fact(self) -> PersonFact:
        return PersonFact(self.hire_date, self.department, self.position, self.active)


@dataclass(frozen=True)
class Rule:
    """A requirement with its course, ready for the status function."""

    id: int
    course_id: int
    course_slug: str
    course_title: str
    department: str | None
    position: str | None
    needs_signoff: bool
    checklist: tuple[str, ...]
    retired: bool
    fact: RuleFact

    @property
    def audience(self) -> str:
        return audience_label(self.department, self.position)

    @property
    def label(self) -> str:
        return f"{self.course_title}({self.audience})"


def audience_label(department: str | None, position: str | None) -> str:
    if department and position:
        return f"{department} · {position}"
    return department or position or _("全员")


def thresholds() -> Thresholds:
    return Thresholds(due_soon_days=int(config.setting("LMS_PLAN_DUE_SOON_DAYS")))


def person_from_row(row: Any) -> Person:
    return Person(*(getattr(row, c.key) for c in PERSON_COLUMNS))


def load_rules(*, include_retired: bool = False, ids: Iterable[int] | None = None) -> list[Rule]:
    tz = config.timezone()
    stmt = (
        sa.select(Requirement, Course.slug, Course.title, Course.validity_months)
        .join(Course, Course.id == Requirement.course_id)
        .order_by(Course.position, Course.id, Requirement.id)
    )
    if not include_retired:
        stmt = stmt.where(Requirement.retired_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Requirement.id.in_(list(ids)))
    return [
        rule_from(req, slug, title, tz, months)
        for req, slug, title, months in session.execute(stmt)
    ]


def rule_from(
    req: Requirement,
    slug: str,
    title: str,
    tz: tzinfo | None = None,
    certificate_months: int | None = None,
) -> Rule:
    return Rule(
        id=req.id,
        course_id=req.course_id,
        course_slug=slug,
        course_title=title,
        department=req.department,
        position=req.position,
        needs_signoff=req.needs_signoff,
        checklist=tuple(req.checklist or ()),
        retired=req.retired_at is not None,
        fact=RuleFact(
            department=req.department,
            position=req.position,
            due_days_after_hire=req.due_days_after_hire,
            due_date=req.due_date,
            recertify_months=req.recertify_months,
            window_days=req.window_days,
            needs_signoff=req.needs_signoff,
            starts_on=req.starts_on,
            retired_on=config.local_date(req.retired_at, tz),
            certificate_months=certificate_months or None,
        ),
    )


def people_select(
    *, department: str | None = None, position: str | None = None, active_only: bool = True
) -> sa.Select:
    stmt = sa.select(*PERSON_COLUMNS)
    if active_only:
        stmt = stmt.where(Staff.active.is_(True))
    if department:
        stmt = stmt.where(Staff.department == department)
    if position:
        stmt = stmt.where(Staff.position == position)
    return stmt


@dataclass
class EvidenceIndex:
    by_course: dict[tuple[int, int], dict[str, list]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    by_requirement: dict[tuple[int, int], dict[str, list]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )
    started: dict[tuple[int, int], date] = field(default_factory=dict)
    moves: dict[int, list[tuple[date, str, str | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )

    def evidence(self, person: Person, rule: Rule) -> Evidence:
        course = self.by_course.get((person.id, rule.course_id), {})
        own = self.by_requirement.get((person.id, rule.id), {})
        return Evidence(
            certificates=course.get("certificates", ()),
            attempts=course.get("attempts", ()),
            signoffs=own.get("signoffs", ()),
            exemptions=own.get("exemptions", ()),
            extensions=own.get("extensions", ()),
            started_on=self.started.get((person.id, rule.course_id)),
            member_since=member_since(person, rule.fact, self.moves.get(person.id, ())),
        )


def member_since(
    person: Person | PersonFact,
    rule: RuleFact,
    moves: Iterable[tuple[date, str, str | None]],
) -> date | None:
    """Since when the person has matched the audience, walking their moves back from today.

    ``moves`` are (day, field, old value) for department and position changes, oldest first.
    ``None`` means they have matched it all along (or do not match it now).
    """
    department, position = person.department, person.position
    if not in_audience(rule, department, position):
        return None
    for day, field_name, old in reversed(list(moves)):
        if field_name == "department":
            department = old
        else:
            position = old
        if not in_audience(rule, department, position):
            return day
    return None


def load_evidence(staff_ids: sa.Select | list[int], rules: list[Rule]) -> EvidenceIndex:
    """All evidence of these people on these rules' courses: eight queries whatever the numbers."""
    index = EvidenceIndex()
    if not rules:
        return index
    local_date = config.local_dates()
    course_ids = sorted({r.course_id for r in rules})
    rule_ids = [r.id for r in rules]

    def staff_in(column: Any) -> Any:
        return column.in_(staff_ids)

    for row in session.execute(
        sa.select(
            Certificate.staff_id,
            Certificate.course_id,
            Certificate.issued_on,
            Certificate.expires_on,
            Certificate.revoked_at,
            Certificate.attempt_id,
        )
        .where(
            staff_in(Certificate.staff_id),
            Certificate.course_id.in_(course_ids),
            # A reissued certificate is represented by its newest version (same dates).
            Certificate.superseded_by_id.is_(None),
        )
        .order_by(Certificate.id)
    ):
        index.by_course[(row.staff_id, row.course_id)]["certificates"].append(
            CertificateFact(
                issued_on=row.issued_on,
                expires_on=row.expires_on,
                revoked_on=local_date(row.revoked_at),
                attempt_id=row.attempt_id,
            )
        )
    for row in session.execute(
        sa.select(
            Attempt.staff_id, Attempt.course_id, Attempt.id, Attempt.graded_at, Attempt.passed
        )
        .where(
            staff_in(Attempt.staff_id),
            Attempt.course_id.in_(course_ids),
            Attempt.status == "graded",
            Attempt.graded_at.is_not(None),
        )
        .order_by(Attempt.id)
    ):
        index.by_course[(row.staff_id, row.course_id)]["attempts"].append(
            AttemptFact(
                graded_on=local_date(row.graded_at),
                passed=bool(row.passed),
                id=row.id,
            )
        )
    first_attempts = (
        sa.select(Attempt.staff_id, Attempt.course_id, sa.func.min(Attempt.started_at))
        .where(staff_in(Attempt.staff_id), Attempt.course_id.in_(course_ids))
        .group_by(Attempt.staff_id, Attempt.course_id)
    )
    first_views = (
        sa.select(
            LessonProgress.staff_id, Lesson.course_id, sa.func.min(LessonProgress.first_viewed_at)
        )
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(staff_in(LessonProgress.staff_id), Lesson.course_id.in_(course_ids))
        .group_by(LessonProgress.staff_id, Lesson.course_id)
    )
    for stmt in (first_attempts, first_views):
        for staff_id, course_id, moment in session.execute(stmt):
            day = local_date(moment)
            key = (staff_id, course_id)
            if day is not None and (key not in index.started or day < index.started[key]):
                index.started[key] = day
    for row in session.execute(
        sa.select(Signoff.staff_id, Signoff.requirement_id, Signoff.observed_on, Signoff.passed)
        .where(staff_in(Signoff.staff_id), Signoff.requirement_id.in_(rule_ids))
        .order_by(Signoff.id)
    ):
        index.by_requirement[(row.staff_id, row.requirement_id)]["signoffs"].append(
            SignoffFact(row.observed_on, bool(row.passed))
        )
    for row in session.execute(
        sa.select(
            Exemption.staff_id,
            Exemption.requirement_id,
            Exemption.granted_on,
            Exemption.reason,
            Exemption.revoked_on,
        )
        .where(staff_in(Exemption.staff_id), Exemption.requirement_id.in_(rule_ids))
        .order_by(Exemption.id)
    ):
        index.by_requirement[(row.staff_id, row.requirement_id)]["exemptions"].append(
            ExemptionFact(row.granted_on, row.reason, row.revoked_on)
        )
    for row in session.execute(
        sa.select(
            Extension.staff_id,
            Extension.requirement_id,
            Extension.granted_on,
            Extension.due_on,
            Extension.reason,
        )
        .where(staff_in(Extension.staff_id), Extension.requirement_id.in_(rule_ids))
        .order_by(Extension.id)
    ):
        index.by_requirement[(row.staff_id, row.requirement_id)]["extensions"].append(
            ExtensionFact(row.granted_on, row.due_on, row.reason)
        )
    if any(r.department or r.position for r in rules):
        for row in session.execute(
            sa.select(
                StaffChange.staff_id, StaffChange.changed_at, StaffChange.field, StaffChange.old
            )
            .where(
                staff_in(StaffChange.staff_id),
                StaffChange.field.in_(("department", "position")),
            )
            .order_by(StaffChange.changed_at, StaffChange.id)
        ):
            index.moves[row.staff_id].append((local_date(row.changed_at), row.field, row.old))
    return index


Statuses = dict[tuple[int, int], PlanStatus | None]


def compute(people: list[Person], rules: list[Rule], index: EvidenceIndex, as_of: date) -> Statuses:
    limits = thresholds()
    out: Statuses = {}
    for person in people:
        fact = person.fact
        for rule in rules:
            # Outside the audience (or deactivated): no status, and no evidence to gather.
            if not fact.active or not in_audience(rule.fact, fact.department, fact.position):
                out[(person.id, rule.id)] = None
            else:
                evidence = index.evidence(person, rule)
                out[(person.id, rule.id)] = plan_status(fact, rule.fact, evidence, as_of, limits)
    return out


def evaluate(
    people_stmt: sa.Select, rules: list[Rule], as_of: date, *, one_page: bool = False
) -> tuple[list[Person], Statuses]:
    """Every person the statement selects, with their status on every rule.

    The evidence queries repeat the people filter as a subquery, or take the page's ids when the
    statement selects one page (``one_page``): a bounded list either way.
    """
    people = [person_from_row(row) for row in session.execute(people_stmt)]
    if one_page:
        ids: sa.Select | list[int] = [p.id for p in people]
    else:
        ids = people_stmt.with_only_columns(Staff.id).order_by(None)
    index = load_evidence(ids, rules)
    return people, compute(people, rules, index, as_of)
