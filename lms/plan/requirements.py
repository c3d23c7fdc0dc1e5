"""Adding, changing and retiring plan requirements (audited; never deleted).

A change edits the requirement in place: statuses are computed from it on every read, so they follow
at once, while everything recorded against it — passes, certificates, sign-offs, exemptions,
extensions, sent reminders — stays as it was. The audit log keeps each change's before and after.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import abort

from lms.audit.log import record
from lms.audit.models import AuditEntry
from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.i18n import _
from lms.plan import config, kept
from lms.plan.models import Requirement

EDITABLE = (
    "course_id", "department", "position", "due_days_after_hire", "due_date", "starts_on",
    "recertify_months", "window_days", "needs_signoff", "checklist", "note",
)  # fmt: skip


class RequirementInvalid(ValueError):
    """The values do not make a usable requirement; ``errors`` maps field → problem."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def requirement_or_404(requirement_id: int) -> Requirement:
    req = session.get(Requirement, requirement_id)
    if req is None:
        abort(404)
    return req


def list_requirements() -> list[tuple[Requirement, Course]]:
    """Active requirements first, then retired ones, each in course order."""
    return list(
        session.execute(
            sa.select(Requirement, Course)
            .join(Course, Course.id == Requirement.course_id)
            .order_by(Requirement.retired_at.is_not(None), Course.position, Requirement.id)
        ).all()
    )


def snapshot(req: Requirement) -> dict[str, Any]:
    """The editable fields as JSON-safe values, for the audit log."""
    out: dict[str, Any] = {}
    for name in EDITABLE:
        value = getattr(req, name)
        out[name] = value.isoformat() if isinstance(value, date) else value
    return out


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    clean = {k: values.get(k) for k in EDITABLE}
    for key in ("department", "position"):
        clean[key] = (clean[key] or "").strip() or None
    clean["note"] = (clean["note"] or "").strip()
    clean["needs_signoff"] = bool(clean["needs_signoff"])
    items = clean["checklist"] or []
    if isinstance(items, str):
        items = items.splitlines()
    clean["checklist"] = [i.strip() for i in items if i and i.strip()]
    if clean["window_days"] is None:
        clean["window_days"] = int(config.setting("LMS_PLAN_WINDOW_DAYS"))
    return clean


def validate(values: dict[str, Any], current: Requirement | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    course = session.get(Course, values["course_id"]) if values["course_id"] else None
    if course is None or (course.retired_at is not None and current is None):
        errors["course_id"] = _("请选择一门在用的课程。")
    if values["due_days_after_hire"] is None and values["due_date"] is None:
        errors["due_days_after_hire"] = _("请填写入职后天数或固定截止日期(至少一项)。")
    if values["due_days_after_hire"] is not None and values["due_days_after_hire"] < 0:
        errors["due_days_after_hire"] = _("天数不能为负数。")
    months = values["recertify_months"]
    if months is not None and not 1 <= months <= 120:
        errors["recertify_months"] = _("复训周期应在 1 到 120 个月之间。")
    window = values["window_days"]
    if window < 0:
        errors["window_days"] = _("提前复训天数不能为负数。")
    elif months is not None and window >= months * 28:
        errors["window_days"] = _("提前复训天数应短于复训周期。")
    if values["needs_signoff"] and not values["checklist"]:
        errors["checklist"] = _("需要实操签核时，请至少列出一项检查内容。")
    if len(values["checklist"]) > 30 or any(len(i) > 100 for i in values["checklist"]):
        errors["checklist"] = _("检查项最多 30 项，每项不超过 100 字。")
    if not errors:
        same = sa.select(Requirement.id).where(
            Requirement.course_id == values["course_id"],
            Requirement.retired_at.is_(None),
            _is(Requirement.department, values["department"]),
            _is(Requirement.position, values["position"]),
        )
        if current is not None:
            same = same.where(Requirement.id != current.id)
        if session.scalar(same) is not None:
            errors["course_id"] = _("这门课程对同一范围的人员已有一条在用的要求。")
    return errors


def _is(column: Any, value: str | None) -> Any:
    return column.is_(None) if value is None else column == value


def create_requirement(values: dict[str, Any], actor: Staff | None) -> Requirement:
    clean = _clean(values)
    errors = validate(clean)
    if errors:
        raise RequirementInvalid(errors)
    if clean["starts_on"] is None:
        clean["starts_on"] = config.today()
    req = Requirement(**clean, created_by_id=actor.id if actor else None)
    session.add(req)
    session.flush()
    record(
        "plan.requirement.create",
        actor_id=actor.id if actor else None,
        target_type="requirement",
        target_id=req.id,
        after=snapshot(req),
    )
    session.commit()
    return req


def update_requirement(req: Requirement, values: dict[str, Any], actor: Staff) -> dict[str, Any]:
    """Apply the changes; returns ``{field: [before, after]}`` (empty when nothing changed)."""
    if req.retired_at is not None:
        raise RequirementInvalid({"course_id": _("已停用的要求不能修改。")})
    clean = _clean(values)
    if clean["starts_on"] is None:
        clean["starts_on"] = req.starts_on
    errors = validate(clean, current=req)
    if errors:
        raise RequirementInvalid(errors)
    before = snapshot(req)
    for name, value in clean.items():
        setattr(req, name, value)
    after = snapshot(req)
    changes = {k: [before[k], after[k]] for k in EDITABLE if before[k] != after[k]}
    if not changes:
        session.rollback()
        return {}
    req.updated_at = utcnow()
    req.updated_by_id = actor.id
    record(
        "plan.requirement.update",
        actor_id=actor.id,
        target_type="requirement",
        target_id=req.id,
        changes=changes,
    )
    session.commit()
    return changes


def retire_requirement(req: Requirement, actor: Staff) -> bool:
    """Retire once (a conditional update, so a double click retires nothing twice)."""
    done = session.execute(
        sa.update(Requirement)
        .where(Requirement.id == req.id, Requirement.retired_at.is_(None))
        .values(retired_at=utcnow(), retired_by_id=actor.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done:
        kept.touch(requirement_ids=[req.id])  # a conditional UPDATE: the session hook cannot see it
        record(
            "plan.requirement.retire",
            actor_id=actor.id,
            target_type="requirement",
            target_id=req.id,
        )
    session.commit()
    session.refresh(req)
    return bool(done)


def requirement_history(req: Requirement) -> list[tuple[AuditEntry, Staff | None]]:
    return list(
        session.execute(
            sa.select(AuditEntry, Staff)
            .outerjoin(Staff, Staff.id == AuditEntry.actor_id)
            .where(AuditEntry.target_type == "requirement", AuditEntry.target_id == str(req.id))
            .order_by(AuditEntry.id)
        ).all()
    )
