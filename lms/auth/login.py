"""The plugin's own password login, used when no host adapter says who is logged in."""

from __future__ import annotations

import sqlalchemy as sa

from lms.auth import passwords
from lms.auth.models import Staff
from lms.db import session


def authenticate(employee_no: str, password: str) -> Staff | None:
    """The active staff member with this number and password, else ``None`` (never says which failed)."""
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no.strip()))
    if staff is None or not staff.password_hash:
        # One hash comparison on every path: the time a login takes does not tell accounts with a
        # password from unknown or import-only ones.
        passwords.check_dummy(password)
        return None
    if not staff.check_password(password) or not staff.active:
        return None
    return staff
