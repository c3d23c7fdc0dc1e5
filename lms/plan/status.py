"""The one function that decides where a person stands on a requirement, as of any date.

Everything that shows or acts on a plan status — the learner's plan, the HR matrix and lists, the
exports, the reminders — calls :func:`plan_status`. It is pure: it takes plain facts (dates, flags)
and reads no database, clock or configuration, so any date in the past or future can be asked about
and every boundary can be tested directly. Callers turn rows into facts (``lms.plan.evidence``).

Conventions:

- A due date is the last day on which completing is on time: on the due date an item is "due soon",
  the day after it is overdue.
- A certificate is valid through its ``expires_on`` day; the day after, it has expired. The
  recertification window opens ``window_days`` before ``expires_on``.
- Anything dated after ``as_of`` (a pass, a certificate, an exemption, an extension) is ignored, so
  asking about a past date gives the answer that was true then.
- Date arithmetic stops at the calendar's ends (:func:`add_days`, :func:`add_months`): a stored
  date such as 9999-12-31 gives a far deadline, never an error.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from lms.i18n import _l

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
DUE_SOON = "due_soon"
OVERDUE = "overdue"
CERTIFIED = "certified"
EXPIRING_SOON = "expiring_soon"
EXPIRED = "expired"
EXEMPT = "exempt"

# Most urgent first: the order of the learner's plan and of "sort by status".
STATES = (OVERDUE, EXPIRED, DUE_SOON, EXPIRING_SOON, IN_PROGRESS, NOT_STARTED, CERTIFIED, EXEMPT)
URGENCY = {state: rank for rank, state in enumerate(STATES)}
LABELS = {
    NOT_STARTED: _l("未开始"),
    IN_PROGRESS: _l("学习中"),
    DUE_SOON: _l("即将到期"),
    OVERDUE: _l("已逾期"),
    CERTIFIED: _l("已认证"),
    EXPIRING_SOON: _l("证书将到期"),
    EXPIRED: _l("证书已过期"),
    EXEMPT: _l("已豁免"),
}
# States that count as holding the requirement (the completion chart's numerator).
HOLDING = frozenset({CERTIFIED, EXPIRING_SOON})


@dataclass(frozen=True)
class PersonFact:
    hire_date: date | None = None
    department: str | None = None
    position: str | None = None
    active: bool = True


@dataclass(frozen=True)
class RuleFact:
    """A requirement as the status function sees it (dates already on the local calendar)."""

    department: str | None = None
    position: str | None = None
    due_days_after_hire: int | None = None
    due_date: date | None = None
    recertify_months: int | None = None
    window_days: int = 60
    needs_signoff: bool = False
    starts_on: date | None = None
    retired_on: date | None = None
    # The course's certificate validity: how long a pass without a certificate (yet) counts.
    certificate_months: int | None = None


@dataclass(frozen=True)
class CertificateFact:
    issued_on: date
    expires_on: date | None = None
    revoked_on: date | None = None
    attempt_id: int | None = None


@dataclass(frozen=True)
class AttemptFact:
    """A graded quiz attempt; only passed ones certify, any one shows the person has started."""

    graded_on: date
    passed: bool
    id: int | None = None


@dataclass(frozen=True)
class SignoffFact:
    observed_on: date
    passed: bool


@dataclass(frozen=True)
class ExemptionFact:
    granted_on: date
    reason: str = ""
    revoked_on: date | None = None


@dataclass(frozen=True)
class ExtensionFact:
    granted_on: date
    due_on: date
    reason: str = ""


@dataclass(frozen=True)
class Evidence:
    """Everything recorded for one person and one requirement's course."""

    certificates: Sequence[CertificateFact] = ()
    attempts: Sequence[AttemptFact] = ()
    signoffs: Sequence[SignoffFact] = ()
    exemptions: Sequence[ExemptionFact] = ()
    extensions: Sequence[ExtensionFact] = ()
    started_on: date | None = None  # first lesson opened or quiz started
    member_since: date | None = None  # since when the person has been in the audience


@dataclass(frozen=True)
class Thresholds:
    due_soon_days: int = 14


@dataclass(frozen=True)
class PlanStatus:
    state: str
    due_on: date | None = None  # the deadline now in force (an extension's date if extended)
    expires_on: date | None = None  # the day the current certification stops being valid
    certified_on: date | None = None
    extended: bool = False
    reason: str = ""  # why exempt
    quiz_passed: bool = False
    signoff_needed: bool = False  # the requirement needs a sign-off and none holds
    details: tuple[str, ...] = field(default=())

    @property
    def label(self) -> str:
        return str(LABELS[self.state])

    @property
    def urgency(self) -> int:
        return URGENCY[self.state]

    def is_late(self, as_of: date) -> bool:
        """Past the deadline in force: overdue, or expired with no extension still running."""
        return self.state in (OVERDUE, EXPIRED) and self.due_on is not None and as_of > self.due_on

    def days_left(self, as_of: date) -> int | None:
        return None if self.due_on is None else (self.due_on - as_of).days


def add_days(day: date, days: int) -> date:
    """``day`` plus ``days``, stopping at ``date.min`` / ``date.max`` instead of overflowing."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def add_months(day: date, months: int) -> date:
    """Same day of the month ``months`` later, clamped to the month's end (31 Jan + 1 = 28/29 Feb)
    and to the calendar's ends (``date.min`` / ``date.max``)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if year > date.max.year:
        return date.max
    if year < date.min.year:
        return date.min
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def in_audience(rule: RuleFact, department: str | None, position: str | None) -> bool:
    return (rule.department is None or rule.department == department) and (
        rule.position is None or rule.position == position
    )


def base_due_on(person: PersonFact, rule: RuleFact, member_since: date | None) -> date | None:
    """The first deadline, before any extension.

    Onboarding counts from the latest of hire date, the requirement's start and the day the person
    joined the audience, so an old hand moved into a department is not overdue on arrival. A fixed
    date applies as it is, except that latecomers still get their onboarding days when both are set.
    """
    anchors = [d for d in (person.hire_date, rule.starts_on, member_since) if d is not None]
    onboarding = None
    if rule.due_days_after_hire is not None and anchors:
        onboarding = add_days(max(anchors), rule.due_days_after_hire)
    if rule.due_date is not None and onboarding is not None:
        return max(rule.due_date, onboarding)
    return rule.due_date or onboarding


def plan_status(
    person: PersonFact,
    rule: RuleFact,
    evidence: Evidence,
    as_of: date,
    thresholds: Thresholds = Thresholds(),  # noqa: B008 - frozen, so sharing it is safe
) -> PlanStatus | None:
    """The status of ``person`` on ``rule`` as of ``as_of``; ``None`` when it does not apply.

    It does not apply to deactivated people, before the requirement starts or the person joined its
    audience, after the requirement is retired, or when the person is outside its audience.
    """
    if not person.active or not in_audience(rule, person.department, person.position):
        return None
    if rule.retired_on is not None and rule.retired_on <= as_of:
        return None
    if rule.starts_on is not None and as_of < rule.starts_on:
        return None
    if evidence.member_since is not None and as_of < evidence.member_since:
        return None

    for exemption in sorted(evidence.exemptions, key=lambda e: e.granted_on, reverse=True):
        if exemption.granted_on <= as_of and (
            exemption.revoked_on is None or exemption.revoked_on > as_of
        ):
            return PlanStatus(EXEMPT, reason=exemption.reason)

    quiz_on, quiz_expires = _latest_pass(evidence, rule, as_of)
    signoff_on = None
    if rule.needs_signoff:
        passed = [s.observed_on for s in evidence.signoffs if s.passed and s.observed_on <= as_of]
        signoff_on = max(passed, default=None)
    signoff_needed = rule.needs_signoff and signoff_on is None

    if quiz_on is not None and not signoff_needed:
        certified_on = max(d for d in (quiz_on, signoff_on) if d is not None)
        expiries = [quiz_expires]
        if signoff_on is not None and rule.recertify_months:
            expiries.append(add_months(signoff_on, rule.recertify_months))
        expires_on = min((d for d in expiries if d is not None), default=None)
        extension = _extension(evidence, as_of, since=certified_on)
        due_on = extension.due_on if extension else expires_on
        common = {
            "expires_on": expires_on,
            "certified_on": certified_on,
            "quiz_passed": True,
            "extended": extension is not None,
        }
        if expires_on is None:
            return PlanStatus(CERTIFIED, **common)
        if as_of > expires_on:
            return PlanStatus(EXPIRED, due_on=due_on, **common)
        if as_of >= add_days(expires_on, -rule.window_days):
            return PlanStatus(EXPIRING_SOON, due_on=due_on, **common)
        return PlanStatus(CERTIFIED, **common)

    extension = _extension(evidence, as_of, since=None)
    due_on = extension.due_on if extension else base_due_on(person, rule, evidence.member_since)
    started = (
        quiz_on is not None
        or (evidence.started_on is not None and evidence.started_on <= as_of)
        or any(a.graded_on <= as_of for a in evidence.attempts)
        or any(s.observed_on <= as_of for s in evidence.signoffs)
    )
    common = {
        "due_on": due_on,
        "extended": extension is not None,
        "quiz_passed": quiz_on is not None,
        "signoff_needed": signoff_needed,
    }
    if due_on is not None and as_of > due_on:
        return PlanStatus(OVERDUE, **common)
    if due_on is not None and (due_on - as_of).days <= thresholds.due_soon_days:
        return PlanStatus(DUE_SOON, **common)
    return PlanStatus(IN_PROGRESS if started else NOT_STARTED, **common)


def _latest_pass(
    evidence: Evidence, rule: RuleFact, as_of: date
) -> tuple[date | None, date | None]:
    """(day of the latest pass that still counts, the day its certification expires).

    A certificate counts from its issue day until revoked; a passed attempt counts too (the
    certificate may be issued later), unless the certificate made from it was revoked. The plan's
    recertification period decides the expiry when set; otherwise the certificate's own does (for a
    pass with no certificate, the course's certificate validity).
    """
    revoked_attempts = {
        c.attempt_id
        for c in evidence.certificates
        if c.attempt_id is not None and c.revoked_on is not None and c.revoked_on <= as_of
    }
    best: tuple[date, int, date | None] | None = None
    for cert in evidence.certificates:
        if cert.issued_on > as_of or (cert.revoked_on is not None and cert.revoked_on <= as_of):
            continue
        candidate = (cert.issued_on, 1, cert.expires_on)
        best = candidate if best is None or candidate[:2] > best[:2] else best
    for attempt in evidence.attempts:
        if not attempt.passed or attempt.graded_on > as_of or attempt.id in revoked_attempts:
            continue
        own = (
            add_months(attempt.graded_on, rule.certificate_months)
            if rule.certificate_months
            else None
        )
        candidate = (attempt.graded_on, 0, own)
        best = candidate if best is None or candidate[:2] > best[:2] else best
    if best is None:
        return None, None
    passed_on, _, own_expiry = best
    if rule.recertify_months:
        return passed_on, add_months(passed_on, rule.recertify_months)
    return passed_on, own_expiry


def _extension(evidence: Evidence, as_of: date, since: date | None) -> ExtensionFact | None:
    """The latest extension granted by ``as_of`` in the current cycle (on or after ``since``)."""
    granted = [
        e
        for e in evidence.extensions
        if e.granted_on <= as_of and (since is None or e.granted_on >= since)
    ]
    return granted[-1] if granted else None
