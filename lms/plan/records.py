"""Exemptions, extensions and practical sign-offs: rows added, never overwritten (audited)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from lms.audit.log import record
from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.i18n import _
from lms.plan import config
from lms.plan.models import Exemption, Extension, Requirement, Signoff


class RecordRefused(ValueError):
    """The change cannot be recorded; the message says why (shown to HR or the trainer)."""


def _reason(text: str | None) -> str:
    reason = (text or "").strip()
    if not reason:
        raise RecordRefused(_("请填写原因。"))
    if len(reason) > 2000:
        raise RecordRefused(_("原因不超过 2000 字。"))
    return reason


def active_exemption(staff: Staff, req: Requirement) -> Exemption | None:
    return session.scalar(
        sa.select(Exemption).where(
            Exemption.staff_id == staff.id,
            Exemption.requirement_id == req.id,
            Exemption.revoked_at.is_(None),
        )
    )


def grant_exemption(staff: Staff, req: Requirement, reason: str, actor: Staff) -> Exemption:
    reason = _reason(reason)
    if active_exemption(staff, req) is not None:
        raise RecordRefused(_("此人已豁免这项要求。"))
    row = Exemption(
        staff_id=staff.id,
        requirement_id=req.id,
        reason=reason,
        granted_on=config.today(),
        created_by_id=actor.id,
    )
    session.add(row)
    record(
        "plan.exemption.grant",
        actor_id=actor.id,
        target_type="staff",
        target_id=staff.employee_no,
        requirement_id=req.id,
        reason=reason,
    )
    session.commit()
    return row


def lift_exemption(staff: Staff, req: Requirement, actor: Staff) -> bool:
    row = active_exemption(staff, req)
    if row is None:
        return False
    row.revoked_on = config.today()
    row.revoked_at = utcnow()
    row.revoked_by_id = actor.id
    record(
        "plan.exemption.lift",
        actor_id=actor.id,
        target_type="staff",
        target_id=staff.employee_no,
        requirement_id=req.id,
    )
    session.commit()
    return True


def grant_extension(
    staff: Staff, req: Requirement, due_on: date, reason: str, actor: Staff
) -> Extension:
    reason = _reason(reason)
    if due_on < config.today():
        raise RecordRefused(_("新的截止日期不能早于今天。"))
    row = Extension(
        staff_id=staff.id,
        requirement_id=req.id,
        due_on=due_on,
        reason=reason,
        granted_on=config.today(),
        created_by_id=actor.id,
    )
    session.add(row)
    record(
        "plan.extension.grant",
        actor_id=actor.id,
        target_type="staff",
        target_id=staff.employee_no,
        requirement_id=req.id,
        due_on=due_on.isoformat(),
        reason=reason,
    )
    session.commit()
    return row


def record_signoff(
    staff: Staff,
    req: Requirement,
    observed_on: date,
    ticked: set[str],
    notes: str,
    observer: Staff,
) -> Signoff:
    """The observation as it happened: holds only if every checklist item was seen."""
    if not req.needs_signoff or req.retired_at is not None:
        raise RecordRefused(_("这项要求不需要实操签核。"))
    if observed_on > config.today():
        raise RecordRefused(_("观察日期不能晚于今天。"))
    max_age = int(config.setting("LMS_PLAN_SIGNOFF_MAX_AGE_DAYS"))
    if observed_on < config.today() - timedelta(days=max_age):
        raise RecordRefused(_("观察日期不能早于 %(days)s 天前。", days=max_age))
    own = staff.id == observer.id
    if own and not config.setting("LMS_PLAN_SELF_SIGNOFF"):
        raise RecordRefused(_("不能为自己签核实操：请另一位培训师观察并签核。"))
    unknown = ticked - set(req.checklist)
    if unknown:
        raise RecordRefused(_("未知的检查项：%(items)s", items="、".join(sorted(unknown))))
    items = {item: item in ticked for item in req.checklist}
    row = Signoff(
        staff_id=staff.id,
        requirement_id=req.id,
        observed_on=observed_on,
        observer_id=observer.id,
        items=items,
        passed=all(items.values()),
        notes=(notes or "").strip()[:2000],
    )
    session.add(row)
    record(
        "plan.signoff.record",
        actor_id=observer.id,
        target_type="staff",
        target_id=staff.employee_no,
        requirement_id=req.id,
        observed_on=observed_on.isoformat(),
        passed=row.passed,
        **({"self_signoff": True} if own else {}),
    )
    session.commit()
    return row


def history(staff: Staff) -> dict[str, list]:
    """Everything HR and trainers recorded for one person, newest first, with who did it."""

    def rows(model: Any, by: Any) -> list:
        actor = aliased(Staff)
        return list(
            session.execute(
                sa.select(model, actor)
                .outerjoin(actor, actor.id == by)
                .where(model.staff_id == staff.id)
                .order_by(model.id.desc())
            ).all()
        )

    return {
        "exemptions": rows(Exemption, Exemption.created_by_id),
        "extensions": rows(Extension, Extension.created_by_id),
        "signoffs": rows(Signoff, Signoff.observer_id),
    }


def signoff_for_certificate(staff: Staff, course: Course) -> tuple[bool, date | None]:
    """Whether an active requirement for the course asks for a trainer's practical sign-off, and the
    latest passed observation so far (``None`` when none is asked for or it is still to come): what
    a certificate records (``certificates.issue.completion_record``, through the look-up
    ``LMS.init_app`` registers)."""
    plan_asks = session.scalar(
        sa.select(sa.func.count())
        .select_from(Requirement)
        .where(
            Requirement.course_id == course.id,
            Requirement.needs_signoff.is_(True),
            Requirement.retired_at.is_(None),
        )
    )
    signoff_on = None
    if plan_asks:
        signoff_on = session.scalar(
            sa.select(sa.func.max(Signoff.observed_on))
            .join(Requirement, Requirement.id == Signoff.requirement_id)
            .where(
                Signoff.staff_id == staff.id,
                Signoff.passed.is_(True),
                Requirement.course_id == course.id,
                Requirement.needs_signoff.is_(True),
            )
        )
    return bool(plan_asks), signoff_on
