"""Who is asking: the host application's user (through its adapter) or the plugin's own login.

A host tells the plugin who the current user is by registering an adapter::

    lms = LMS()

    @lms.user_adapter
    def current_staff_identity():
        user = host_current_user()          # whatever the host uses
        if user is None:
            return None                     # not logged in
        return StaffIdentity(
            employee_no=user.badge_no, name=user.full_name,
            department=user.dept, position=user.title, roles={"learner"},
        )

    lms.init_app(app)

The adapter runs inside a request and returns a :class:`StaffIdentity` or ``None``. The plugin keeps an
LMS staff record in step with it (matched on ``employee_no``), so progress, attempts and certificates
belong to that record. Without an adapter the plugin uses its own Flask-Login session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import current_app, g
from flask_login import current_user

from lms.audit.log import record
from lms.auth.models import ROLES, Staff
from lms.db import session


@dataclass(frozen=True)
class StaffIdentity:
    employee_no: str
    name: str
    department: str | None = None
    position: str | None = None
    roles: Iterable[str] = field(default_factory=lambda: {"learner"})


UserAdapter = Callable[[], StaffIdentity | None]


def staff_from_identity(identity: StaffIdentity) -> Staff:
    """Find or create the staff record for a host user and bring it up to date."""
    roles = frozenset(identity.roles) & frozenset(ROLES)
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == identity.employee_no))
    if staff is None:
        staff = Staff(employee_no=identity.employee_no, name=identity.name, source="host")
        session.add(staff)
    changed = (
        staff.name != identity.name
        or staff.department != identity.department
        or staff.position != identity.position
        or staff.roles != roles
    )
    if changed or staff.id is None:
        before = sorted(staff.roles)
        staff.name = identity.name
        staff.department = identity.department
        staff.position = identity.position
        staff.set_roles(roles)
        if before != sorted(roles):
            session.flush()
            record(  # the host decides roles; the change is still audited per person
                "staff.roles",
                target_type="staff",
                target_id=staff.employee_no,
                before=before,
                after=sorted(roles),
                source="host",
            )
        session.commit()
    return staff


class _NotMine:
    """An authenticator's answer when the request carries nothing it recognises."""

    def __repr__(self) -> str:
        return "NOT_MINE"


NOT_MINE = _NotMine()
Authenticator = Callable[[], "Staff | None | _NotMine"]
_authenticators: list[Authenticator] = []


def add_authenticator(authenticate: Authenticator) -> None:
    """Let a higher layer identify callers by something in the request (the API: bearer tokens).

    An authenticator returns ``NOT_MINE`` when the request is none of its business; otherwise its
    answer decides alone (a staff member, or ``None`` for a credential that is not valid).
    """
    if authenticate not in _authenticators:
        _authenticators.append(authenticate)


def current_staff() -> Staff | None:
    """The logged-in, active staff member for this request, or ``None``."""
    if "lms_staff" not in g:
        g.lms_staff = _resolve()
    return g.lms_staff


def _resolve() -> Staff | None:
    adapter: UserAdapter | None = current_app.extensions["lms"].user_adapter
    found: Staff | None | _NotMine = NOT_MINE
    for authenticate in _authenticators:  # e.g. a Bearer header on the API decides alone
        found = authenticate()
        if found is not NOT_MINE:
            break
    if found is not NOT_MINE:
        staff = found
    elif adapter is not None:
        identity = adapter()
        staff = staff_from_identity(identity) if identity is not None else None
    else:
        staff = current_user if current_user and current_user.is_authenticated else None
    if staff is None or not staff.active:
        return None
    return staff
