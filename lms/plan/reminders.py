"""Reminder e-mails: one digest per person, a summary for HR, and never the same reminder twice.

The schedule (``LMS_PLAN_REMIND_*``) has steps before the due date (30, 7, 1 days and the day
itself by default) and one every week while overdue. A run sends, for each open item, the latest
step it has reached if that step was not sent before for that due date — so a missed day is caught
up once, not replayed, and a new due date (an extension, a new cycle) starts its own steps.

Each step sent is a row in ``lms_plan_reminders`` with a unique key. The rows are written before
the e-mail goes and committed after it went: a second run (even a simultaneous one) finds them and
sends nothing, and a failed send rolls them back so the next run tries again.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms import mail
from lms.auth.models import Staff, StaffRole
from lms.db import session
from lms.i18n import _
from lms.plan import config
from lms.plan.evidence import Person
from lms.plan.models import SentReminder
from lms.plan.reports import Item, plan_items
from lms.plan.status import (
    DUE_SOON,
    EXPIRED,
    EXPIRING_SOON,
    IN_PROGRESS,
    NOT_STARTED,
    OVERDUE,
    PlanStatus,
)

REMINDABLE = frozenset({NOT_STARTED, IN_PROGRESS, DUE_SOON, OVERDUE, EXPIRING_SOON, EXPIRED})


def reminder_kind(status: PlanStatus, as_of: date, schedule: config.Schedule) -> str | None:
    """The latest step of the schedule this item has reached on ``as_of`` (or ``None``)."""
    if status.state not in REMINDABLE or status.due_on is None:
        return None
    days = (status.due_on - as_of).days
    if days >= 0:
        reached = [d for d in schedule.before_days if days <= d]
        return f"before-{min(reached)}" if reached else None
    weeks = -days // schedule.overdue_every_days
    if weeks >= 1:
        return f"late-{weeks}"
    return "before-0" if 0 in schedule.before_days else None


@dataclass(frozen=True)
class Reminder:
    item: Item
    kind: str


@dataclass
class Digest:
    person: Person
    reminders: list[Reminder]
    others: list[Item] = field(default_factory=list)  # open items with no new step today
    manager: Person | None = None

    @property
    def late(self) -> bool:
        return any(r.kind.startswith("late") for r in self.reminders)

    def manager_email(self, copy_manager: bool) -> str | None:
        if copy_manager and self.late and self.manager and self.manager.active:
            return self.manager.email or None
        return None


@dataclass
class RemindReport:
    as_of: date
    dry_run: bool
    sent: list[Digest] = field(default_factory=list)
    no_email: list[Digest] = field(default_factory=list)
    failed: list[tuple[Digest, str]] = field(default_factory=list)
    hr_to: list[str] = field(default_factory=list)

    def summary(self) -> str:
        verb = "would send" if self.dry_run else "sent"
        return (
            f"{len(self.sent)} digest(s) {verb}, {sum(len(d.reminders) for d in self.sent)} "
            f"reminder(s); {len(self.no_email)} without e-mail; {len(self.failed)} failed; "
            f"HR summary {'to ' + ', '.join(self.hr_to) if self.hr_to else 'not sent'}."
        )


def due_digests(as_of: date) -> list[Digest]:
    """Everyone with at least one reminder step due and not yet sent, as of ``as_of``."""
    schedule = config.schedule()
    items = plan_items(as_of, None, None, lambda s: s.state in REMINDABLE)
    items = [i for i in items if i.person.hire_date is None or i.person.hire_date <= as_of]
    candidates = [(i, reminder_kind(i.status, as_of, schedule)) for i in items]
    dues = [i.status.due_on for i, kind in candidates if kind]
    sent: set[tuple[int, int, date, str]] = set()
    if dues:
        sent = {
            tuple(row)
            for row in session.execute(
                sa.select(
                    SentReminder.staff_id,
                    SentReminder.requirement_id,
                    SentReminder.due_on,
                    SentReminder.kind,
                ).where(SentReminder.due_on >= min(dues))
            )
        }
    digests: dict[int, Digest] = {}
    others: dict[int, list[Item]] = {}
    for item, kind in candidates:
        key = (item.person.id, item.rule.id, item.status.due_on, kind)
        if kind and key not in sent:
            digest = digests.setdefault(
                item.person.id, Digest(item.person, [], manager=item.manager)
            )
            digest.reminders.append(Reminder(item, kind))
        elif item.status.due_on is not None:
            others.setdefault(item.person.id, []).append(item)
    for pid, digest in digests.items():
        digest.reminders.sort(key=lambda r: (r.item.status.urgency, r.item.status.due_on))
        digest.others = sorted(others.get(pid, []), key=lambda i: i.status.due_on)
    return sorted(digests.values(), key=lambda d: d.person.employee_no)


def _line(item: Item, as_of: date) -> str:
    s = item.status
    days = (s.due_on - as_of).days if s.due_on else None
    when = ""
    if days is not None:
        if days < 0:
            when = _("已逾期 %(days)s 天", days=-days)
        elif days == 0:
            when = _("今天截止")
        else:
            when = _("还有 %(days)s 天", days=days)
    note = _("(已延期)") if s.extended else ""
    return "· " + _(
        "%(course)s：%(status)s，截止 %(due)s%(note)s，%(when)s",
        course=item.rule.course_title,
        status=s.label,
        due=s.due_on,
        note=note,
        when=when,
    )


def _link() -> str:
    site = config.setting("LMS_PLAN_SITE_URL")
    if not site:
        return ""
    url = f"{site.rstrip('/')}{current_app.config['LMS_URL_PREFIX']}/"
    return "\n" + _("请登录学习：%(url)s", url=url) + "\n"


def digest_message(digest: Digest, as_of: date, manager_email: str | None):
    org = current_app.config.get("LMS_ORGANISATION", "明礼培训")
    lines = [_("%(name)s：您好！", name=digest.person.name), "", _("以下培训需要您尽快完成：")]
    lines += [_line(r.item, as_of) for r in digest.reminders]
    if digest.others:
        lines += ["", _("其他待完成的培训：")] + [_line(i, as_of) for i in digest.others]
    if manager_email:
        lines += ["", _("(因有培训已逾期，本邮件同时抄送您的上级。)")]
    lines += [
        _link(),
        _("%(organisation)s 培训管理", organisation=org),
        _("(%(date)s 自动发送，请勿直接回复)", date=as_of),
    ]
    subject = _(
        "【%(organisation)s】您有 %(count)s 项培训需要完成",
        organisation=org,
        count=len(digest.reminders),
    )
    return mail.message(
        [digest.person.email],
        subject,
        "\n".join(lines),
        cc=[manager_email] if manager_email else (),
    )


def hr_addresses() -> list[str]:
    configured = [a for a in config.setting("LMS_PLAN_HR_EMAILS") if a]
    if configured:
        return configured
    return sorted(
        session.scalars(
            sa.select(Staff.email)
            .join(StaffRole, StaffRole.staff_id == Staff.id)
            .where(StaffRole.role == "hr", Staff.active.is_(True), Staff.email.is_not(None))
            .distinct()
        )
    )


def hr_message(report: RemindReport, to: list[str]):
    org = current_app.config.get("LMS_ORGANISATION", "明礼培训")
    lines = [_("%(date)s 培训提醒汇总", date=report.as_of), ""]
    lines.append(
        _(
            "已发送提醒：%(people)s 人，%(items)s 项。",
            people=len(report.sent),
            items=sum(len(d.reminders) for d in report.sent),
        )
    )
    for d in report.sent:
        cc = (
            " " + _("[已抄送上级]")
            if d.late and d.manager_email(config.schedule().copy_manager)
            else ""
        )
        lines.append(f"· {d.person.name}({d.person.employee_no},{d.person.department or '—'}){cc}")
        lines += [f"    {_line(r.item, report.as_of)}" for r in d.reminders]
    if report.no_email:
        lines += ["", _("没有邮箱、未能提醒：%(count)s 人(请补充邮箱)", count=len(report.no_email))]
        lines += [f"· {d.person.name}({d.person.employee_no})" for d in report.no_email]
    if report.failed:
        lines += ["", _("发送失败、下次运行会重试：%(count)s 人", count=len(report.failed))]
        lines += [f"· {d.person.name}({d.person.employee_no}):{why}" for d, why in report.failed]
    subject = _("【%(organisation)s】培训提醒汇总 %(date)s", organisation=org, date=report.as_of)
    return mail.message(to, subject, "\n".join(lines))


def send_reminders(
    as_of: date | None = None, *, dry_run: bool = False, echo: Callable[[str], None] = print
) -> RemindReport:
    """Send today's digests and the HR summary; ``dry_run`` prints them and records nothing."""
    as_of = as_of or config.today()
    schedule = config.schedule()
    report = RemindReport(as_of=as_of, dry_run=dry_run)
    digests = due_digests(as_of)
    ready = []
    for digest in digests:
        (ready if digest.person.email else report.no_email).append(digest)
    if dry_run:
        for digest in ready:
            cc = digest.manager_email(schedule.copy_manager)
            echo(
                f"[dry-run] to {digest.person.email} ({digest.person.employee_no} "
                f"{digest.person.name}){f' cc {cc}' if cc else ''}: "
                f"{len(digest.reminders)} reminder(s)"
            )
            for r in digest.reminders:
                echo(f"    [{r.kind}] {_line(r.item, as_of)}")
            report.sent.append(digest)
        for digest in report.no_email:
            echo(f"[dry-run] no e-mail for {digest.person.employee_no} {digest.person.name}")
        if report.sent:
            report.hr_to = hr_addresses()
            echo(f"[dry-run] HR summary to {', '.join(report.hr_to) or '(nobody)'}")
        return report
    if not ready:
        return report
    with mail.smtp() as client:
        for digest in ready:
            cc = digest.manager_email(schedule.copy_manager)
            session.add_all(
                SentReminder(
                    staff_id=digest.person.id,
                    requirement_id=r.item.rule.id,
                    due_on=r.item.status.due_on,
                    kind=r.kind,
                    sent_on=as_of,
                    email=digest.person.email,
                    manager_email=cc,
                )
                for r in digest.reminders
            )
            try:
                session.flush()
            except IntegrityError:
                session.rollback()  # another run claimed these steps first: it sends them
                continue
            try:
                refused = client.send_message(digest_message(digest, as_of, cc))
                if digest.person.email in refused:  # only the manager's copy went
                    code, reason = refused[digest.person.email]
                    raise smtplib.SMTPRecipientsRefused({digest.person.email: (code, reason)})
            except (smtplib.SMTPException, OSError) as exc:
                session.rollback()
                report.failed.append((digest, str(exc)))
                continue
            session.commit()
            report.sent.append(digest)
        # Only a run that sent (or tried to send) something reports to HR: no daily noise.
        if report.sent or report.failed:
            report.hr_to = hr_addresses()
            if report.hr_to:
                client.send_message(hr_message(report, report.hr_to))
    return report
