"""Kept statuses: the pure status function's results stored per person × requirement.

``plan_status`` stays the one definition. This module only stores what it returns
(``lms_plan_statuses``) for one day, the kept day (``lms_plan_status_day``), so that the HR lists,
counts, chart and exports read an indexed table instead of evaluating every pair per request.

Rows change in the same transaction as the event that changes them: a session hook notes, at each
flush, the people and requirements whose evidence was written (attempts, certificates, lesson views,
exemptions, extensions, sign-offs, staff records and moves, requirements, course validity), and just
before the commit recomputes exactly those pairs with the pure function. Writes that bypass the
ORM's unit of work (conditional ``UPDATE`` statements) announce themselves with a signal
(``certificates.signals``) or call :func:`touch`. The passage of time is the daily
``flask lms plan refresh`` (also run by ``remind``); ``flask lms plan verify`` compares the table
with the pure function and can repair any drift.

Until the first refresh nothing is kept and nothing is hooked: every page evaluates as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session, scoped_session

from lms.auth.models import Staff
from lms.certificates.models import Certificate
from lms.courses.models import Course, LessonProgress
from lms.db import session, utcnow
from lms.plan import config
from lms.plan.evidence import (
    EvidenceIndex,
    Person,
    Rule,
    load_evidence,
    load_rules,
    people_select,
    person_from_row,
    thresholds,
)
from lms.plan.models import (
    Exemption,
    Extension,
    KeptDay,
    KeptStatus,
    PersonUrgency,
    Requirement,
    Signoff,
)
from lms.plan.status import (
    EXEMPT,
    IN_PROGRESS,
    NOT_STARTED,
    URGENCY,
    Evidence,
    PlanStatus,
    in_audience,
    plan_status,
)
from lms.quizzes.models import Attempt
from lms.staff.models import StaffChange

CHUNK = 10000  # people evaluated at once by a refresh: bounds its memory, not its queries
_TOUCHED = "lms_plan_touched"
_BUSY = "lms_plan_recomputing"
# The columns that make a row what it is; computed_at and as_of are bookkeeping.
COMPARED = ("department", "position", "state", "sort_key", "late", "due_on", "expires_on",
            "certified_on", "extended", "quiz_passed", "signoff_needed", "reason", "evidence")  # fmt: skip
# What a page needs of a kept row to show it (:func:`status_of`).
STATUS_FIELDS = ("requirement_id", "state", "due_on", "expires_on", "certified_on", "extended",
                 "reason", "quiz_passed", "signoff_needed")  # fmt: skip
_PERSON_FIELDS = ("department", "position", "hire_date", "active")


def sort_key(status: PlanStatus) -> int:
    """Most urgent first, then the earliest deadline, as one integer (an index can order by it)."""
    due = status.due_on or date.max
    return URGENCY[status.state] * 10_000_000 + due.toordinal()


def decided_by(status: PlanStatus, evidence: Evidence) -> str:
    """Which kind of record decided the status, for HR reading a row ("why is this certified?")."""
    if status.state == EXEMPT:
        return "exemption"
    if status.certified_on is not None:
        kind = "attempt"
        if any(c.issued_on == status.certified_on for c in evidence.certificates):
            kind = "certificate"
        if status.extended:
            kind += "+extension"
        return kind
    if status.extended:
        return "extension"
    if status.state in (NOT_STARTED, IN_PROGRESS) and status.due_on is None:
        return "started" if status.state == IN_PROGRESS else ""
    return "deadline" if status.due_on is not None else ""


def row_of(
    person: Person, rule: Rule, status: PlanStatus, evidence: Evidence, as_of: date
) -> dict[str, Any]:
    """The kept row for one applicable pair: nothing in it that the pure function did not say."""
    return {
        "staff_id": person.id,
        "requirement_id": rule.id,
        "department": person.department,
        "position": person.position,
        "state": status.state,
        "sort_key": sort_key(status),
        "late": status.is_late(as_of),
        "due_on": status.due_on,
        "expires_on": status.expires_on,
        "certified_on": status.certified_on,
        "extended": status.extended,
        "quiz_passed": status.quiz_passed,
        "signoff_needed": status.signoff_needed,
        "reason": status.reason or "",
        "evidence": decided_by(status, evidence),
        "as_of": as_of,
    }


def status_of(row: Any) -> PlanStatus:
    """A kept row back as the pure function's value (what templates and exports take)."""
    return PlanStatus(
        row.state,
        due_on=row.due_on,
        expires_on=row.expires_on,
        certified_on=row.certified_on,
        extended=bool(row.extended),
        reason=row.reason or "",
        quiz_passed=bool(row.quiz_passed),
        signoff_needed=bool(row.signoff_needed),
    )


def status_from(values: Any) -> PlanStatus:
    """:func:`status_of` for the values of ``STATUS_FIELDS`` after requirement_id, by position."""
    state, due_on, expires_on, certified_on, extended, reason, quiz_passed, signoff = values
    return PlanStatus(state, due_on, expires_on, certified_on, bool(extended), reason or "",
                      bool(quiz_passed), bool(signoff))  # fmt: skip


def expected_rows(
    people: list[Person], rules: list[Rule], index: EvidenceIndex, as_of: date
) -> Iterator[dict[str, Any]]:
    """What the table must hold for these people and rules: the pure function, pair by pair."""
    limits = thresholds()
    for person in people:
        fact = person.fact
        if not fact.active:
            continue
        for rule in rules:
            if not in_audience(rule.fact, fact.department, fact.position):
                continue  # no status, so no evidence to gather
            evidence = index.evidence(person, rule)
            status = plan_status(fact, rule.fact, evidence, as_of, limits)
            if status is not None:
                yield row_of(person, rule, status, evidence, as_of)


def _chunks(rules: list[Rule], as_of: date, staff_ids: list[int] | None) -> Iterator[list[dict]]:
    """Expected rows for everyone (or ``staff_ids``), ``CHUNK`` people at a time."""
    if not rules:
        return
    if staff_ids is not None:
        for start in range(0, len(staff_ids), CHUNK):
            ids = staff_ids[start : start + CHUNK]
            stmt = people_select(active_only=False).where(Staff.id.in_(ids))
            people = [person_from_row(r) for r in session.execute(stmt)]
            yield list(expected_rows(people, rules, load_evidence(ids, rules), as_of))
        return
    low = 0
    while True:
        stmt = people_select().where(Staff.id > low).order_by(Staff.id).limit(CHUNK)
        people = [person_from_row(r) for r in session.execute(stmt)]
        if not people:
            return
        high = people[-1].id
        # A range, not an IN list of thousands of ids: one bound pair for every evidence query.
        ids = sa.select(Staff.id).where(Staff.id > low, Staff.id <= high, Staff.active.is_(True))
        yield list(expected_rows(people, rules, load_evidence(ids, rules), as_of))
        low = high


def kept_day() -> date | None:
    """The day the kept statuses describe, or ``None`` when nothing is kept yet."""
    return session.scalar(sa.select(KeptDay.as_of).where(KeptDay.id == 1))


def usable_for(as_of: date) -> bool:
    """Whether a page asked about ``as_of`` may read the kept table (else it evaluates)."""
    day = kept_day()
    return day is not None and day == as_of and _same_thresholds()


def _same_thresholds() -> bool:
    kept = session.scalar(sa.select(KeptDay.due_soon_days).where(KeptDay.id == 1))
    return kept == thresholds().due_soon_days


def _insert(rows: list[dict[str, Any]]) -> None:
    now = utcnow()
    for start in range(0, len(rows), 2000):
        batch = [dict(r, computed_at=now) for r in rows[start : start + 2000]]
        session.execute(KeptStatus.__table__.insert(), batch)  # executemany, no ORM bookkeeping


@dataclass
class RefreshReport:
    as_of: date
    rows: int
    seconds: float


def refresh(as_of: date | None = None) -> RefreshReport:
    """Recompute every row as of ``as_of`` (today by default) and make it the kept day.

    Idempotent: the table ends up the same whatever it held. The caller commits.
    """
    import time

    started = time.perf_counter()
    as_of = as_of or config.today()
    session.info[_BUSY] = True
    try:
        session.execute(sa.delete(KeptStatus))
        rows = 0
        rules = load_rules()
        for chunk in _chunks(rules, as_of, None):
            _insert(chunk)
            rows += len(chunk)
        rebuild_urgency()
        day = session.get(KeptDay, 1)
        if day is None:
            day = KeptDay(id=1, as_of=as_of)
            session.add(day)
        day.as_of, day.refreshed_at = as_of, utcnow()
        day.due_soon_days = thresholds().due_soon_days
        session.flush()
        session.info.pop(_TOUCHED, None)
    finally:
        session.info.pop(_BUSY, None)
    return RefreshReport(as_of, rows, time.perf_counter() - started)


LAST = 2**31 - 1  # the urgency of someone no requirement applies to: after everyone


def rebuild_urgency(staff_ids: list[int] | None = None) -> None:
    """Rewrite ``lms_plan_person_urgency`` from the kept rows (everyone, or these people): one
    ``DELETE`` and one ``INSERT … SELECT``, so it is always what the kept rows say."""
    worst = (
        sa.select(sa.func.min(KeptStatus.sort_key))
        .where(KeptStatus.staff_id == Staff.id)
        .scalar_subquery()
    )
    rows = sa.select(Staff.id, Staff.employee_no, sa.func.coalesce(worst, LAST)).where(
        Staff.active.is_(True)
    )
    delete = sa.delete(PersonUrgency)
    if staff_ids is not None:
        rows = rows.where(Staff.id.in_(staff_ids))
        delete = delete.where(PersonUrgency.staff_id.in_(staff_ids))
    session.execute(delete)
    session.execute(
        sa.insert(PersonUrgency).from_select(["staff_id", "employee_no", "sort_key"], rows)
    )


def _urgency_drift(expected: dict[tuple[int, int], dict[str, Any]]) -> list[str]:
    """People whose kept urgency is not the least sort key of their expected rows."""
    want: dict[int, int] = {
        sid: LAST for sid in session.scalars(sa.select(Staff.id).where(Staff.active.is_(True)))
    }
    for (sid, _rid), row in expected.items():
        want[sid] = min(want.get(sid, LAST), row["sort_key"])
    have = dict(session.execute(sa.select(PersonUrgency.staff_id, PersonUrgency.sort_key)).all())
    return [
        f"staff {sid}: urgency {have.get(sid)!r} ≠ {want.get(sid)!r}"
        for sid in sorted(set(want) | set(have))
        if have.get(sid) != want.get(sid)
    ]


def _key(row: Any) -> tuple[int, int]:
    return (row["staff_id"], row["requirement_id"])


def _kept_rows(staff_ids: list[int] | None) -> dict[tuple[int, int], dict[str, Any]]:
    stmt = sa.select(*(getattr(KeptStatus, c) for c in ("staff_id", "requirement_id", *COMPARED)))
    if staff_ids is not None:
        stmt = stmt.where(KeptStatus.staff_id.in_(staff_ids))
    return {(r.staff_id, r.requirement_id): dict(r._mapping) for r in session.execute(stmt)}


@dataclass
class Drift:
    """A pair whose kept row differs from the pure function: ``kept`` or ``expected`` is None
    when the row is missing or should not exist."""

    staff_id: int
    requirement_id: int
    kept: dict[str, Any] | None
    expected: dict[str, Any] | None

    def describe(self) -> str:
        where = f"staff {self.staff_id}, requirement {self.requirement_id}"
        if self.kept is None:
            return f"{where}: missing (expected {self.expected['state']})"
        if self.expected is None:
            return f"{where}: kept as {self.kept['state']} but does not apply"
        fields = [
            f"{c} {self.kept[c]!r} ≠ {self.expected[c]!r}"
            for c in COMPARED
            if self.kept[c] != self.expected[c]
        ]
        return f"{where}: " + "; ".join(fields)


@dataclass
class VerifyReport:
    as_of: date | None
    checked: int = 0
    drift: list[Drift] = field(default_factory=list)
    urgency: list[str] = field(default_factory=list)  # people whose kept urgency is wrong
    repaired: bool = False

    @property
    def clean(self) -> bool:
        return not self.drift and not self.urgency


def _comparable(row: dict[str, Any]) -> dict[str, Any]:
    out = {c: row[c] for c in COMPARED}
    for flag in ("late", "extended", "quiz_passed", "signoff_needed"):
        out[flag] = bool(out[flag])
    out["reason"] = out["reason"] or ""
    return out


def verify(*, repair: bool = False) -> VerifyReport:
    """Compare every kept row with the pure function as of the kept day; repair drift if asked.

    Reads the whole table a chunk of people at a time. The caller commits after a repair.
    """
    as_of = kept_day()
    report = VerifyReport(as_of)
    if as_of is None:
        return report
    rules = load_rules()
    expected: dict[tuple[int, int], dict[str, Any]] = {}
    for chunk in _chunks(rules, as_of, None):
        expected.update((_key(r), r) for r in chunk)
    kept = _kept_rows(None)
    report.checked = len(set(expected) | set(kept))
    for key in sorted(set(expected) | set(kept)):
        have, want = kept.get(key), expected.get(key)
        if have is not None and want is not None and _comparable(have) == _comparable(want):
            continue
        report.drift.append(Drift(key[0], key[1], have, want))
    report.urgency = _urgency_drift(expected)
    if repair and (report.drift or report.urgency):
        keys = [(d.staff_id, d.requirement_id) for d in report.drift]
        session.info[_BUSY] = True
        try:
            for staff_id, requirement_id in keys:
                session.execute(
                    sa.delete(KeptStatus).where(
                        KeptStatus.staff_id == staff_id,
                        KeptStatus.requirement_id == requirement_id,
                    )
                )
            _insert([expected[k] for k in keys if k in expected])
            rebuild_urgency()
            session.flush()
        finally:
            session.info.pop(_BUSY, None)
        report.repaired = True
    return report


# Keeping rows in step with events -------------------------------------------------------------


@dataclass
class Touched:
    staff: set[int] = field(default_factory=set)
    requirements: set[int] = field(default_factory=set)
    courses: set[int] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(self.staff or self.requirements or self.courses)


def touch(
    *,
    staff_ids: Iterable[int] = (),
    requirement_ids: Iterable[int] = (),
    course_ids: Iterable[int] = (),
    sess: Session | None = None,
) -> None:
    """Note pairs to recompute before the current transaction commits (for writes the ORM's unit
    of work does not see, such as a conditional ``UPDATE``)."""
    target = sess if sess is not None else session
    touched = target.info.setdefault(_TOUCHED, Touched())
    touched.staff.update(i for i in staff_ids if i is not None)
    touched.requirements.update(i for i in requirement_ids if i is not None)
    touched.courses.update(i for i in course_ids if i is not None)


_BY_STAFF = (Certificate, Exemption, Extension, Signoff, StaffChange)
# Changes of these kinds only matter in these columns (a lesson view updates its row each time).
_WATCHED = {
    Attempt: ("status", "graded_at", "passed", "started_at", "staff_id", "course_id"),
    LessonProgress: ("first_viewed_at", "staff_id", "lesson_id"),
}


def _changed(obj: Any, names: Iterable[str]) -> bool:
    state = sa.inspect(obj)
    return any(state.attrs[n].history.has_changes() for n in names)


def _after_flush(sess: Session, _context: Any) -> None:
    if sess.info.get(_BUSY):
        return
    touched = sess.info.setdefault(_TOUCHED, Touched())
    for obj in (*sess.new, *sess.dirty, *sess.deleted):
        if isinstance(obj, _BY_STAFF):
            touched.staff.add(obj.staff_id)
        elif isinstance(obj, (Attempt, LessonProgress)):
            if obj in sess.new or obj in sess.deleted or _changed(obj, _WATCHED[type(obj)]):
                touched.staff.add(obj.staff_id)
        elif isinstance(obj, Staff):
            if obj in sess.new or obj in sess.deleted or _changed(obj, _PERSON_FIELDS):
                touched.staff.add(obj.id)
        elif isinstance(obj, Requirement):
            touched.requirements.add(obj.id)
        elif isinstance(obj, Course) and obj not in sess.new:
            if _changed(obj, ("validity_months",)):
                touched.courses.add(obj.id)
    touched.staff.discard(None)  # type: ignore[arg-type]
    if not touched:
        sess.info.pop(_TOUCHED, None)


def _before_commit(sess: Session) -> None:
    if sess.info.get(_BUSY) or not _is_ours(sess):
        return
    sess.flush()
    touched = sess.info.pop(_TOUCHED, None)
    if not touched:
        return
    as_of = kept_day()
    if as_of is None:
        return
    sess.info[_BUSY] = True
    try:
        recompute(touched, as_of)
    finally:
        sess.info.pop(_BUSY, None)


def _is_ours(sess: Session) -> bool:
    try:
        ours = session._get_current_object()  # type: ignore[attr-defined]
    except RuntimeError:  # no application context: not the LMS's session
        return False
    if isinstance(ours, scoped_session):
        return ours.registry.has() and ours.registry() is sess
    return ours is sess


def _after_rollback(sess: Session) -> None:
    sess.info.pop(_TOUCHED, None)


def recompute(touched: Touched, as_of: date) -> int:
    """Rewrite the rows of the touched people (every rule) and requirements (everyone)."""
    requirement_ids = set(touched.requirements)
    if touched.courses:
        requirement_ids.update(
            session.scalars(
                sa.select(Requirement.id).where(Requirement.course_id.in_(touched.courses))
            )
        )
    written = 0
    rules = load_rules()
    if requirement_ids:
        ids = sorted(requirement_ids)
        session.execute(sa.delete(KeptStatus).where(KeptStatus.requirement_id.in_(ids)))
        chosen = [r for r in rules if r.id in requirement_ids]
        for chunk in _chunks(chosen, as_of, None):
            _insert(chunk)
            written += len(chunk)
    staff_ids = sorted(touched.staff)
    for start in range(0, len(staff_ids), CHUNK):
        ids = staff_ids[start : start + CHUNK]
        session.execute(sa.delete(KeptStatus).where(KeptStatus.staff_id.in_(ids)))
        for chunk in _chunks(rules, as_of, ids):
            _insert(chunk)
            written += len(chunk)
        if not requirement_ids:
            rebuild_urgency(ids)
    if requirement_ids:
        rebuild_urgency()  # everyone's rows changed on these requirements
    return written


def on_certificate_changed(_sender: object, certificate: Certificate, **_extra: object) -> None:
    """Receiver of ``certificates.signals.certificate_changed`` (revoked, superseded)."""
    touch(staff_ids=[certificate.staff_id])


_subscribed = False


def subscribe(db: Any) -> None:
    """Hook the LMS's own sessions (``db.session``'s factory, not every SQLAlchemy session of the
    process: a host's other sessions are left alone) and, once per process, the certificate
    signals. Idempotent."""
    global _subscribed
    for name, listener in (
        ("after_flush", _after_flush),
        ("before_commit", _before_commit),
        ("after_rollback", _after_rollback),
    ):
        if not event.contains(db.session, name, listener):
            event.listen(db.session, name, listener)
    if not _subscribed:
        from lms.certificates.signals import certificate_changed

        certificate_changed.connect(on_certificate_changed)
        _subscribed = True
