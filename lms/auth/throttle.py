"""Slowing down password guessing: failed logins are audited, and too many recent ones lock out.

Counting audit rows (rather than an in-process counter) works the same across gunicorn workers and
on every database, and leaves a record HR and admins can read.
"""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from lms.audit.log import record
from lms.audit.models import AuditEntry
from lms.db import session, utcnow

FAILED = "auth.login_failed"


def too_many_failures(employee_no: str, address: str) -> bool:
    window = timedelta(minutes=current_app.config["LMS_LOGIN_WINDOW_MINUTES"])
    limit = current_app.config["LMS_LOGIN_MAX_FAILURES"]
    since = utcnow() - window
    recent = sa.select(sa.func.count(AuditEntry.id)).where(
        AuditEntry.action == FAILED, AuditEntry.at >= since
    )
    by_account = session.scalar(recent.where(AuditEntry.target_id == employee_no[:64])) or 0
    by_address = session.scalar(recent.where(AuditEntry.details["ip"].as_string() == address)) or 0
    return by_account >= limit or by_address >= limit * 3


def record_failure(employee_no: str, address: str) -> None:
    record(FAILED, target_type="login", target_id=employee_no[:64], ip=address)
    session.commit()
