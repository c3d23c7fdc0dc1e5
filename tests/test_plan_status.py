"""The plan status function: every state and every boundary, as pure data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from lms.plan.evidence import Person, member_since
from lms.plan.status import (
    CERTIFIED,
    DUE_SOON,
    EXEMPT,
    EXPIRED,
    EXPIRING_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    STATES,
    AttemptFact,
    CertificateFact,
    Evidence,
    ExemptionFact,
    ExtensionFact,
    PersonFact,
    RuleFact,
    SignoffFact,
    Thresholds,
    add_months,
    plan_status,
)

HIRED = date(2026, 1, 5)
PERSON = PersonFact(hire_date=HIRED, department="门诊部", position="导医")
ONBOARDING = RuleFact(due_days_after_hire=30)  # due 2026-02-04
RECERT = RuleFact(due_days_after_hire=30, recertify_months=12, window_days=60)
DUE = HIRED + timedelta(days=30)
NOTHING = Evidence()


def status(
    rule: RuleFact = ONBOARDING,
    evidence: Evidence = NOTHING,
    as_of: date = date(2026, 1, 10),
    person: PersonFact = PERSON,
):
    return plan_status(person, rule, evidence, as_of, Thresholds(due_soon_days=14))


def passed(on: date, **kw) -> Evidence:
    return Evidence(certificates=[CertificateFact(issued_on=on, **kw)])


def test_the_states_are_the_eight_of_the_issue():
    assert set(STATES) == {
        NOT_STARTED, IN_PROGRESS, DUE_SOON, OVERDUE, CERTIFIED, EXPIRING_SOON, EXPIRED, EXEMPT,
    }  # fmt: skip


def test_not_started_then_in_progress_once_a_lesson_is_opened():
    s = status()
    assert s.state == NOT_STARTED and s.due_on == DUE
    assert status(evidence=Evidence(started_on=date(2026, 1, 8))).state == IN_PROGRESS
    # Opening a lesson after the as-of date does not count yet.
    assert status(evidence=Evidence(started_on=date(2026, 1, 11))).state == NOT_STARTED


def test_a_failed_attempt_means_in_progress():
    failed = Evidence(attempts=[AttemptFact(graded_on=date(2026, 1, 9), passed=False, id=1)])
    assert status(evidence=failed).state == IN_PROGRESS


def test_due_soon_starts_at_the_threshold_and_covers_the_due_day():
    assert status(as_of=DUE - timedelta(days=15)).state == NOT_STARTED
    assert status(as_of=DUE - timedelta(days=14)).state == DUE_SOON
    due_today = status(as_of=DUE)
    assert due_today.state == DUE_SOON and due_today.days_left(DUE) == 0
    assert not due_today.is_late(DUE)


def test_overdue_from_the_day_after_the_due_date():
    s = status(as_of=DUE + timedelta(days=1))
    assert s.state == OVERDUE and s.is_late(DUE + timedelta(days=1))
    # Having started does not hide that it is overdue.
    started = Evidence(started_on=HIRED)
    assert status(evidence=started, as_of=DUE + timedelta(days=1)).state == OVERDUE


def test_thresholds_are_configurable():
    rule, as_of = ONBOARDING, DUE - timedelta(days=20)
    assert plan_status(PERSON, rule, NOTHING, as_of, Thresholds(due_soon_days=14)).state == (
        NOT_STARTED
    )
    assert plan_status(PERSON, rule, NOTHING, as_of, Thresholds(due_soon_days=30)).state == (
        DUE_SOON
    )


def test_fixed_due_date_and_latecomers():
    fixed = RuleFact(due_date=date(2026, 3, 31))
    assert status(fixed, as_of=date(2026, 4, 1)).state == OVERDUE
    # Hired after the fixed date with onboarding days too: the later of the two.
    both = RuleFact(due_date=date(2026, 3, 31), due_days_after_hire=30)
    late_hire = PersonFact(hire_date=date(2026, 5, 1))
    s = status(both, person=late_hire, as_of=date(2026, 5, 2))
    assert s.due_on == date(2026, 5, 31) and s.state == NOT_STARTED


def test_hire_date_in_the_future():
    future = PersonFact(hire_date=date(2026, 3, 1))
    s = status(person=future, as_of=date(2026, 1, 10))
    assert s.state == NOT_STARTED and s.due_on == date(2026, 3, 31)
    short = RuleFact(due_days_after_hire=7)
    s = status(short, person=PersonFact(hire_date=date(2026, 1, 15)), as_of=date(2026, 1, 10))
    assert s.state == DUE_SOON and s.due_on == date(2026, 1, 22)


def test_no_hire_date_and_no_due_rule_mean_no_deadline():
    s = status(person=PersonFact(), as_of=date(2030, 1, 1))
    assert s.state == NOT_STARTED and s.due_on is None


def test_requirement_start_delays_onboarding_for_people_hired_before_it():
    rule = RuleFact(due_days_after_hire=30, starts_on=date(2026, 6, 1))
    assert status(rule, as_of=date(2026, 5, 31)) is None
    s = status(rule, as_of=date(2026, 6, 1))
    assert s.due_on == date(2026, 7, 1) and s.state == NOT_STARTED


def test_certified_by_a_certificate_or_by_a_pass():
    s = status(evidence=passed(date(2026, 1, 20)), as_of=date(2026, 2, 1))
    assert s.state == CERTIFIED and s.certified_on == date(2026, 1, 20) and s.due_on is None
    by_pass = Evidence(attempts=[AttemptFact(graded_on=date(2026, 1, 20), passed=True, id=7)])
    assert status(evidence=by_pass, as_of=date(2026, 2, 1)).state == CERTIFIED
    # Before the pass, it did not count.
    assert status(evidence=by_pass, as_of=date(2026, 1, 19)).state == NOT_STARTED


def test_a_revoked_certificate_does_not_count_nor_does_its_attempt():
    revoked = Evidence(
        certificates=[
            CertificateFact(issued_on=date(2026, 1, 20), revoked_on=date(2026, 1, 25), attempt_id=7)
        ],
        attempts=[AttemptFact(graded_on=date(2026, 1, 20), passed=True, id=7)],
    )
    assert status(evidence=revoked, as_of=date(2026, 1, 24)).state == CERTIFIED
    assert status(evidence=revoked, as_of=date(2026, 1, 25)).state == DUE_SOON


def test_recertification_window_opening():
    issued = date(2026, 1, 20)
    expires = add_months(issued, 12)  # 2027-01-20
    window = expires - timedelta(days=60)
    ev = passed(issued)
    assert status(RECERT, ev, as_of=window - timedelta(days=1)).state == CERTIFIED
    s = status(RECERT, ev, as_of=window)
    assert s.state == EXPIRING_SOON and s.due_on == expires and s.expires_on == expires


def test_expired_today_and_valid_through_the_expiry_day():
    issued = date(2026, 1, 20)
    expires = add_months(issued, 12)
    ev = passed(issued)
    assert status(RECERT, ev, as_of=expires).state == EXPIRING_SOON
    s = status(RECERT, ev, as_of=expires + timedelta(days=1))
    assert s.state == EXPIRED and s.is_late(expires + timedelta(days=1))


def test_without_plan_recertification_the_certificate_expiry_applies():
    ev = passed(date(2026, 1, 20), expires_on=date(2026, 7, 20))
    assert status(ONBOARDING, ev, as_of=date(2026, 5, 20)).state == CERTIFIED
    assert status(ONBOARDING, ev, as_of=date(2026, 5, 21)).state == EXPIRING_SOON
    assert status(ONBOARDING, ev, as_of=date(2026, 7, 21)).state == EXPIRED
    forever = passed(date(2026, 1, 20))
    assert status(ONBOARDING, forever, as_of=date(2040, 1, 1)).state == CERTIFIED


def test_passing_again_in_the_window_starts_a_new_cycle_and_keeps_the_old_one():
    old = CertificateFact(issued_on=date(2026, 1, 20), attempt_id=1)
    new = CertificateFact(issued_on=date(2026, 12, 1), attempt_id=2)
    s = status(RECERT, Evidence(certificates=[old, new]), as_of=date(2026, 12, 2))
    assert s.state == CERTIFIED and s.expires_on == date(2027, 12, 1)
    # As of before the new pass, the history says it was expiring.
    past = status(RECERT, Evidence(certificates=[old, new]), as_of=date(2026, 11, 30))
    assert past.state == EXPIRING_SOON


def test_exemption_wins_until_lifted():
    ev = Evidence(
        exemptions=[ExemptionFact(date(2026, 1, 8), "已持有外院同等证书", date(2026, 3, 1))]
    )
    assert status(evidence=ev, as_of=date(2026, 1, 7)).state == NOT_STARTED
    s = status(evidence=ev, as_of=date(2026, 2, 20))
    assert s.state == EXEMPT and s.reason == "已持有外院同等证书"
    assert status(evidence=ev, as_of=date(2026, 3, 1)).state == OVERDUE


def test_extension_moves_the_due_date_and_the_latest_one_applies():
    ev = Evidence(
        extensions=[
            ExtensionFact(date(2026, 2, 1), date(2026, 3, 1), "病假"),
            ExtensionFact(date(2026, 2, 20), date(2026, 3, 15), "病假延长"),
        ]
    )
    assert status(evidence=ev, as_of=date(2026, 1, 31)).due_on == DUE
    s = status(evidence=ev, as_of=date(2026, 2, 10))
    assert s.due_on == date(2026, 3, 1) and s.extended and s.state == NOT_STARTED
    assert status(evidence=ev, as_of=date(2026, 3, 2)).due_on == date(2026, 3, 15)
    assert status(evidence=ev, as_of=date(2026, 3, 16)).state == OVERDUE


def test_extension_of_a_recertification_applies_to_that_cycle_only():
    issued = date(2026, 1, 20)
    expires = add_months(issued, 12)
    ev = Evidence(
        certificates=[CertificateFact(issued_on=issued)],
        extensions=[
            ExtensionFact(date(2026, 1, 10), date(2026, 2, 28), "入职延期"),  # before the pass
            ExtensionFact(date(2027, 1, 5), date(2027, 2, 28), "外出进修"),
        ],
    )
    assert status(RECERT, ev, as_of=date(2027, 1, 1)).due_on == expires
    s = status(RECERT, ev, as_of=date(2027, 2, 1))
    assert s.state == EXPIRED and s.due_on == date(2027, 2, 28)
    assert not s.is_late(date(2027, 2, 1)) and s.is_late(date(2027, 3, 1))


def test_signoff_is_needed_besides_the_quiz():
    rule = RuleFact(due_days_after_hire=30, needs_signoff=True, recertify_months=12)
    quiz = passed(date(2026, 1, 20))
    s = status(rule, quiz, as_of=date(2026, 1, 21))
    assert s.state == DUE_SOON and s.quiz_passed and s.signoff_needed
    failed = Evidence(
        certificates=quiz.certificates, signoffs=[SignoffFact(date(2026, 1, 22), False)]
    )
    assert status(rule, failed, as_of=date(2026, 1, 23)).state == DUE_SOON
    both = Evidence(
        certificates=quiz.certificates,
        signoffs=[SignoffFact(date(2026, 1, 22), False), SignoffFact(date(2026, 2, 10), True)],
    )
    s = status(rule, both, as_of=date(2026, 2, 10))
    assert s.state == CERTIFIED and s.certified_on == date(2026, 2, 10)
    # The earlier of the two validities decides the expiry.
    assert s.expires_on == date(2027, 1, 20)
    only_signoff = Evidence(signoffs=[SignoffFact(date(2026, 1, 22), True)])
    assert status(rule, only_signoff, as_of=date(2026, 1, 10)).state == NOT_STARTED
    assert status(rule, only_signoff, as_of=date(2026, 1, 23)).state == DUE_SOON


def test_requirement_retired():
    rule = RuleFact(due_days_after_hire=30, retired_on=date(2026, 3, 1))
    assert status(rule, as_of=date(2026, 2, 28)).state == OVERDUE
    assert status(rule, as_of=date(2026, 3, 1)) is None


def test_audience_department_position_and_combination():
    assert status(RuleFact(department="门诊部")) is not None
    assert status(RuleFact(department="收费处")) is None
    assert status(RuleFact(position="导医")) is not None
    assert status(RuleFact(department="门诊部", position="护士")) is None
    assert status(RuleFact(department="门诊部", position="导医")) is not None


def test_deactivated_people_have_no_plan():
    inactive = PersonFact(hire_date=HIRED, department="门诊部", active=False)
    assert status(person=inactive) is None


def test_person_moved_department():
    rule = RuleFact(department="收费处", due_days_after_hire=30)
    moved_on = date(2026, 6, 1)
    before = Person(1, "N1", "陈静", "门诊部", "导医", HIRED, None, None, True)
    after = Person(1, "N1", "陈静", "收费处", "导医", HIRED, None, None, True)
    # The old department's requirement no longer applies after the move.
    assert status(RuleFact(department="门诊部"), person=after.fact) is None
    moves = [(moved_on, "department", "门诊部")]
    since = member_since(after, rule, moves)
    assert since == moved_on
    assert member_since(before, rule, moves) is None
    ev = Evidence(member_since=since)
    # Not overdue on arrival: the onboarding days count from the move.
    s = status(rule, ev, as_of=moved_on, person=after.fact)
    assert s.state == NOT_STARTED and s.due_on == date(2026, 7, 1)
    assert status(rule, ev, as_of=date(2026, 5, 31), person=after.fact) is None
    # A position change that keeps the person in the audience does not restart the clock.
    more = [*moves, (date(2026, 8, 1), "position", "收费员")]
    assert member_since(after, rule, more) == moved_on


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 1, 20), 24, date(2028, 1, 20)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_a_pass_without_a_certificate_lasts_as_long_as_the_course_certificate_would():
    rule = RuleFact(due_days_after_hire=30, certificate_months=24)
    ev = Evidence(attempts=[AttemptFact(graded_on=date(2026, 1, 20), passed=True, id=3)])
    s = status(rule, ev, as_of=date(2026, 2, 1))
    assert s.state == CERTIFIED and s.expires_on == date(2028, 1, 20)
    assert status(rule, ev, as_of=date(2028, 1, 21)).state == EXPIRED
    # The plan's own period wins when it has one.
    plan = RuleFact(due_days_after_hire=30, certificate_months=24, recertify_months=12)
    assert status(plan, ev, as_of=date(2026, 2, 1)).expires_on == date(2027, 1, 20)


def test_the_plan_and_certificates_share_one_calendar(app):
    """A certificate dated 'today' must be today for the plan too, whatever the server's zone."""
    from lms.certificates.issue import today as certificate_today
    from lms.plan import config as plan_config

    app.config["LMS_CERT_TIMEZONE"] = "Pacific/Kiritimati"  # UTC+14: usually a day ahead of UTC
    with app.app_context():
        assert plan_config.today() == certificate_today()


def test_one_calendar_for_the_whole_product(app):
    """Issue 11: one today(): the plan's and the certificates' are the same function."""
    from lms import days
    from lms.certificates import issue
    from lms.plan import config as plan_config

    assert plan_config.today is days.today
    with app.app_context():
        app.config["LMS_CERT_TIMEZONE"] = "Pacific/Kiritimati"  # UTC+14: often another day
        assert issue.today() == plan_config.today() == days.today()


@pytest.mark.parametrize("day", [date.max, date.min, date(9999, 12, 1), date(1, 1, 31)])
def test_any_stored_date_gives_a_status_never_an_overflow(day):
    rule = RuleFact(due_days_after_hire=3650, recertify_months=120, window_days=3650)
    for evidence in (
        Evidence(),
        Evidence(attempts=[AttemptFact(day, True)], signoffs=[SignoffFact(day, True)]),
        Evidence(certificates=[CertificateFact(date(2026, 1, 1), expires_on=day)]),
        Evidence(extensions=[ExtensionFact(date(2026, 1, 1), day)]),
    ):
        for as_of in (date(2026, 3, 1), day):
            assert plan_status(PersonFact(hire_date=day), rule, evidence, as_of) is not None
    assert add_months(date(9999, 12, 31), 1) == date.max
    assert add_months(date(1, 1, 31), -1) == date.min
