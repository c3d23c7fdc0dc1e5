"""Role changes: the one place that sets roles on a record, keeps them in its history and audits them.

Whoever changes roles (an admin's form, a staff import, a host's user adapter) goes through here, so
every change is recorded per person with before and after. The rule of who may change what is
``lms.auth.roles``; callers check it before calling.
"""

from __future__ import annotations

from collections.abc import Iterable

from lms.audit.log import record
from lms.auth.models import Staff
from lms.db import session
from lms.staff.models import StaffChange


def record_role_change(
    staff: Staff,
    before: Iterable[str],
    after: Iterable[str],
    actor_id: int | None,
    *,
    source: str,
    reason: str = "",
) -> None:
    """History row and audit entry for one person's role change (``staff`` must have an id)."""
    before, after = sorted(before), sorted(after)
    session.add(
        StaffChange(
            staff_id=staff.id,
            field="roles",
            old=", ".join(before),
            new=", ".join(after),
            changed_by_id=actor_id,
            source=source,
            reason=reason,
        )
    )
    record(
        "staff.roles",
        actor_id=actor_id,
        target_type="staff",
        target_id=staff.employee_no,
        before=before,
        after=after,
        source=source,
    )


def change_roles(
    staff: Staff, roles: set[str], actor_id: int | None, *, source: str, reason: str = ""
) -> bool:
    """Set the roles and record the change; ``False`` when nothing changed. The caller commits."""
    before = staff.roles
    if set(roles) == set(before):
        return False
    staff.set_roles(roles)
    record_role_change(staff, before, roles, actor_id, source=source, reason=reason)
    return True
