"""Reminder e-mails against a real SMTP server on 127.0.0.1 (aiosmtpd), through the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from lms.db import session
from lms.plan.config import Schedule
from lms.plan.models import Extension, SentReminder
from lms.plan.reminders import reminder_kind
from lms.plan.status import DUE_SOON, OVERDUE, PlanStatus
from tests import plan_helpers as h
from tests.live import free_port

AS_OF = date(2026, 3, 1)


class Inbox:
    """aiosmtpd handler keeping every message; refuses recipients listed in ``refuse``."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.messages if address in rcpts]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def inbox(app) -> Iterator[Inbox]:
    handler = Inbox()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    app.config.update(
        LMS_MAIL_HOST="127.0.0.1",
        LMS_MAIL_PORT=port,
        LMS_MAIL_SENDER="training@example.org",
        LMS_PLAN_SITE_URL="https://lms.example.org",
    )
    try:
        yield handler
    finally:
        controller.stop()


@pytest.fixture
def org(app):
    """Three people in 门诊部 on one requirement (due 30 days after hire), a manager and HR."""
    with app.app_context():
        h.person(employee_no="M01", name="周主任", email="boss@example.org", department="行政")
        h.person(employee_no="HR1", name="张人事", email="hr@example.org", department="人事")
        from lms.auth.models import Staff

        hr = session.scalar(sa.select(Staff).where(Staff.employee_no == "HR1"))
        hr.set_roles({"learner", "hr"})
        # due AS_OF + 7
        chen = h.person(
            employee_no="N001", name="陈静", email="chen@example.org", department="门诊部",
            hire_date=AS_OF - timedelta(days=23), manager_no="M01",
        )  # fmt: skip
        # due AS_OF - 7: overdue a week
        liu = h.person(
            employee_no="N002", name="刘洋", email="liu@example.org", department="门诊部",
            hire_date=AS_OF - timedelta(days=37), manager_no="M01",
        )  # fmt: skip
        h.person(
            employee_no="N003", name="王明", department="门诊部",
            hire_date=AS_OF - timedelta(days=20),
        )  # fmt: skip
        req = h.requirement(department="门诊部")
        session.commit()
        return {"chen": chen.id, "liu": liu.id, "req": req.id}


def remind(runner, day: date, *extra: str):
    return runner.invoke(args=["lms", "remind", "--as-of", day.isoformat(), *extra])


def sent_kinds(app) -> list[tuple[int, str]]:
    with app.app_context():
        rows = session.execute(sa.select(SentReminder.staff_id, SentReminder.kind))
        return sorted((r.staff_id, r.kind) for r in rows)


def test_schedule_steps():
    sched = Schedule(before_days=(30, 7, 1, 0), overdue_every_days=7, copy_manager=True)
    due = date(2026, 3, 31)

    def kind(day: date) -> str | None:
        return reminder_kind(PlanStatus(DUE_SOON, due_on=due), day, sched)

    assert kind(due - timedelta(days=31)) is None
    assert kind(due - timedelta(days=30)) == "before-30"
    assert kind(due - timedelta(days=8)) == "before-30"
    assert kind(due - timedelta(days=7)) == "before-7"
    assert kind(due - timedelta(days=1)) == "before-1"
    assert kind(due) == "before-0"
    late = PlanStatus(OVERDUE, due_on=due)
    assert reminder_kind(late, due + timedelta(days=1), sched) == "before-0"  # missed day: once
    assert reminder_kind(late, due + timedelta(days=7), sched) == "late-1"
    assert reminder_kind(late, due + timedelta(days=13), sched) == "late-1"
    assert reminder_kind(late, due + timedelta(days=14), sched) == "late-2"
    assert reminder_kind(PlanStatus(DUE_SOON), due, sched) is None  # no deadline, no reminder


def test_digests_manager_copy_hr_summary_and_never_twice(app, runner, inbox, org):
    result = remind(runner, AS_OF)
    assert result.exit_code == 0, result.output
    assert "2 digest(s) sent, 2 reminder(s); 1 without e-mail" in result.output
    assert "no e-mail address for N003" in result.output
    (chen,) = inbox.to("chen@example.org")
    assert chen["To"] == "chen@example.org" and chen["Cc"] is None
    assert chen["From"] == "training@example.org"
    body = chen.get_content()
    assert "服务基础：即将到期，截止 2026-03-08" in body and "还有 7 天" in body
    assert "https://lms.example.org/lms/" in body
    (liu,) = inbox.to("liu@example.org")
    assert liu["Cc"] == "boss@example.org" and "boss@example.org" in inbox.messages[1][0]
    assert "已逾期 7 天" in liu.get_content() and "抄送您的上级" in liu.get_content()
    (summary,) = inbox.to("hr@example.org")
    text = summary.get_content()
    assert "陈静(N001" in text and "刘洋(N002" in text and "[已抄送上级]" in text
    assert "王明(N003)" in text  # no e-mail: HR should add one
    assert len(inbox.messages) == 3
    assert sent_kinds(app) == [(org["chen"], "before-7"), (org["liu"], "late-1")]

    # The same day again, and the next day: nothing new to say.
    inbox.clear()
    for day in (AS_OF, AS_OF + timedelta(days=1)):
        result = remind(runner, day)
        assert result.exit_code == 0 and "0 digest(s) sent" in result.output
    assert inbox.messages == []

    # Six days on: chen is due tomorrow; liu's second weekly reminder is not due yet.
    result = remind(runner, AS_OF + timedelta(days=6))
    assert [m["To"] for _, m in inbox.messages] == ["chen@example.org", "hr@example.org"]
    assert "before-1" in result.output


def test_dry_run_prints_and_records_nothing(app, runner, inbox, org):
    result = remind(runner, AS_OF, "--dry-run")
    assert result.exit_code == 0, result.output
    assert "[dry-run] to chen@example.org (N001 陈静): 1 reminder(s)" in result.output
    assert "[dry-run] to liu@example.org (N002 刘洋) cc boss@example.org" in result.output
    assert "[before-7]" in result.output and "[late-1]" in result.output
    assert "HR summary to hr@example.org" in result.output
    assert inbox.messages == [] and sent_kinds(app) == []


def test_an_extension_restarts_the_schedule_for_its_new_date(app, runner, inbox, org):
    remind(runner, AS_OF)
    with app.app_context():
        session.add(
            Extension(
                staff_id=org["liu"],
                requirement_id=org["req"],
                due_on=AS_OF + timedelta(days=30),
                reason="病假",
                granted_on=AS_OF,
            )
        )
        session.commit()
    inbox.clear()
    remind(runner, AS_OF + timedelta(days=1))
    (liu,) = inbox.to("liu@example.org")
    assert liu["Cc"] is None and "(已延期)" in liu.get_content()
    assert (org["liu"], "before-30") in sent_kinds(app)


def test_a_refused_recipient_is_retried_and_others_are_sent(app, runner, inbox, org):
    inbox.refuse.add("liu@example.org")
    result = remind(runner, AS_OF)
    assert result.exit_code == 1
    assert "FAILED N002" in result.output
    assert sent_kinds(app) == [(org["chen"], "before-7")]
    (summary,) = inbox.to("hr@example.org")
    assert "发送失败" in summary.get_content()
    inbox.refuse.clear()
    inbox.clear()
    result = remind(runner, AS_OF)
    assert result.exit_code == 0
    assert [m["To"] for _, m in inbox.messages] == ["liu@example.org", "hr@example.org"]


def test_no_smtp_server_means_nothing_recorded(app, runner, org):
    app.config.update(LMS_MAIL_HOST="127.0.0.1", LMS_MAIL_PORT=free_port(), LMS_MAIL_TIMEOUT=5)
    result = remind(runner, AS_OF)
    assert result.exit_code == 1
    assert "Cannot send mail through the SMTP server" in result.output
    assert sent_kinds(app) == []


def test_bad_date_is_refused(runner):
    result = runner.invoke(args=["lms", "remind", "--as-of", "2026/03/01"])
    assert result.exit_code == 2 and "is not a date like 2026-03-01" in result.output
