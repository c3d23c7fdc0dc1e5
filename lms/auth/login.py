"""The plugin's own password login, used when no host adapter says who is logged in."""

from __future__ import annotations

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.db import session


def authenticate(employee_no: str, password: str) -> Staff | None:
    """The active staff member with this number and password, else ``None`` (never says which failed)."""
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no.strip()))
    if staff is None or not staff.active or not staff.check_password(password):
        return None
    return staff
