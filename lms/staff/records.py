"""Staff look-ups, edits, deactivation and role changes (audited, with the record's history)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import aliased

from lms.audit.log import record
from lms.auth.models import Staff
from lms.auth.roles import refused_roles
from lms.certificates.models import Certificate
from lms.courses.models import Course
from lms.db import session
from lms.i18n import _
from lms.staff import roles as role_changes
from lms.staff.models import StaffChange


def staff_or_404(employee_no: str) -> Staff:
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
    if staff is None:
        abort(404)
    return staff


def list_staff(
    page: int, per_page: int = 50, *, never_logged_in: bool = False
) -> tuple[list[Staff], int]:
    """A page of staff by employee number; ``never_logged_in``: active own-login people only who
    have not logged in yet (the ones to invite)."""
    where = []
    if never_logged_in:
        where = [Staff.active.is_(True), Staff.source != "host", Staff.last_login_at.is_(None)]
    total = session.scalar(sa.select(sa.func.count(Staff.id)).where(*where)) or 0
    rows = session.scalars(
        sa.select(Staff)
        .where(*where)
        .order_by(Staff.employee_no)
        .offset((page - 1) * per_page)
        .limit(per_page)
    )
    return list(rows), total


def change_roles(staff: Staff, roles: set[str], actor: Staff) -> None:
    """An admin's (or HR's, within ``auth.roles``) change on the person's page; own roles excepted."""
    refused = refused_roles(actor.roles, staff.roles, roles)
    if refused:
        raise StaffEditRefused(
            _("只有管理员可以授予或撤销这些角色：%(roles)s。", roles="、".join(sorted(refused)))
        )
    if staff.id == actor.id and set(roles) != set(staff.roles):
        raise StaffEditRefused(_("不能修改自己的角色。"))
    role_changes.change_roles(staff, roles, actor.id, source="web")
    session.commit()


class StaffEditRefused(ValueError):
    """The change cannot be made; the message says why."""


def _as_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)[:255]


def _log_changes(
    staff: Staff, changes: dict[str, tuple[object, object]], actor: Staff, reason: str
) -> None:
    for name, (old, new) in changes.items():
        session.add(
            StaffChange(
                staff_id=staff.id,
                field=name,
                old=_as_text(old),
                new=_as_text(new),
                changed_by_id=actor.id,
                source="web",
                reason=reason,
            )
        )


def update_staff(staff: Staff, values: dict[str, object], actor: Staff, reason: str = "") -> dict:
    """Change the record's fields; every change is kept in its history and the audit log."""
    manager_no = values.get("manager_no")
    if manager_no and manager_no == staff.employee_no:
        raise StaffEditRefused(_("不能把本人设为自己的上级。"))
    changes = {}
    for name in ("name", "email", "department", "position", "hire_date", "manager_no"):
        if name not in values:
            continue
        new = values[name]
        if isinstance(new, str):
            new = new.strip() or None
        if name == "name" and not new:
            raise StaffEditRefused(_("姓名不能为空。"))
        if getattr(staff, name) != new:
            changes[name] = (getattr(staff, name), new)
            setattr(staff, name, new)
    if not changes:
        return {}
    _log_changes(staff, changes, actor, reason)
    record(
        "staff.update",
        actor_id=actor.id,
        target_type="staff",
        target_id=staff.employee_no,
        changes={k: [_as_text(a), _as_text(b)] for k, (a, b) in changes.items()},
        reason=reason,
    )
    session.commit()
    return changes


def set_active(staff: Staff, active: bool, actor: Staff, reason: str = "") -> bool:
    """Deactivate or reactivate; history, attempts and certificates are kept either way."""
    if staff.active == active:
        return False
    if not active and staff.id == actor.id:
        raise StaffEditRefused(_("不能停用自己的账号。"))
    if not active and staff.has_role("admin") and not actor.has_role("admin"):
        raise StaffEditRefused(_("只有管理员可以停用管理员的账号。"))
    _log_changes(staff, {"active": (staff.active, active)}, actor, reason)
    staff.active = active
    if not active:
        staff.end_sessions()
    record(
        "staff.activate" if active else "staff.deactivate",
        actor_id=actor.id,
        target_type="staff",
        target_id=staff.employee_no,
        reason=reason,
    )
    session.commit()
    return True


def staff_history(staff: Staff) -> list[tuple[StaffChange, Staff | None]]:
    actor = aliased(Staff)
    return list(
        session.execute(
            sa.select(StaffChange, actor)
            .outerjoin(actor, actor.id == StaffChange.changed_by_id)
            .where(StaffChange.staff_id == staff.id)
            .order_by(StaffChange.changed_at.desc(), StaffChange.id.desc())
        ).all()
    )


def certificates_of(staff: Staff) -> list[tuple[Certificate, Course]]:
    """Every certificate ever issued to the person, newest first (deactivation keeps them)."""
    return list(
        session.execute(
            sa.select(Certificate, Course)
            .join(Course, Course.id == Certificate.course_id)
            .where(Certificate.staff_id == staff.id)
            .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        ).all()
    )
