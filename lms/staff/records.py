"""Staff look-ups and role changes (audited)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from lms.audit.log import record
from lms.auth.models import Staff
from lms.db import session


def staff_or_404(employee_no: str) -> Staff:
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no))
    if staff is None:
        abort(404)
    return staff


def list_staff(page: int, per_page: int = 50) -> tuple[list[Staff], int]:
    total = session.scalar(sa.select(sa.func.count(Staff.id))) or 0
    rows = session.scalars(
        sa.select(Staff).order_by(Staff.employee_no).offset((page - 1) * per_page).limit(per_page)
    )
    return list(rows), total


def change_roles(staff: Staff, roles: set[str], actor: Staff) -> None:
    before = sorted(staff.roles)
    staff.set_roles(roles)
    record(
        "staff.roles",
        actor_id=actor.id,
        target_type="staff",
        target_id=staff.employee_no,
        before=before,
        after=sorted(roles),
    )
    session.commit()
