"""Slowing down password guessing without locking out the people it protects.

Failures are counted per account *and client*, so a guesser slows down only themselves: five wrong
passwords typed at ``demo-admin`` from one machine do not lock the real admin out of theirs, and a
whole hospital behind one address is not locked out by one person. A client is the browser's
*device cookie* when it holds one for that account (set at each successful login, signed), else its
address. Below ``LMS_LOGIN_MAX_FAILURES`` failures there is no wait; from then on each further
attempt waits ``LMS_LOGIN_DELAY_SECONDS`` × 2ⁿ (at most ``LMS_LOGIN_WINDOW_MINUTES``). A correct
password from a client that has not failed is never refused.

Failures are audit rows (``auth.login_failed``), so counting works the same across gunicorn workers
and on every database, and admins can see who is slowed down and lift it (``auth.lockout_lifted``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from lms.audit.log import record
from lms.audit.models import AuditEntry
from lms.db import session, utcnow

FAILED = "auth.login_failed"
LIFTED = "auth.lockout_lifted"
DEVICE_COOKIE = "lms_device"


def wait_seconds(failures: int, limit: int, base: float, cap: float) -> float:
    """The progressive delay after ``failures`` recent failures (pure)."""
    if failures < limit:
        return 0.0
    return min(base * 2 ** (failures - limit), cap)


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="lms-device")


def device_token(employee_no: str, device: str) -> str:
    return _serializer().dumps([employee_no, device])


def client_key(employee_no: str, address: str) -> str:
    """The device cookie when it was issued for this account, else the address."""
    token = request.cookies.get(DEVICE_COOKIE)
    if token:
        try:
            owner, device = _serializer().loads(token)
        except (BadSignature, ValueError, TypeError):
            owner, device = None, None
        if owner == employee_no and isinstance(device, str):
            return f"device:{device}"[:80]
    return f"ip:{address}"[:80]


def _since(employee_no: str) -> datetime:
    window = timedelta(minutes=current_app.config["LMS_LOGIN_WINDOW_MINUTES"])
    since = utcnow() - window
    lifted = session.scalar(
        sa.select(sa.func.max(AuditEntry.at)).where(
            AuditEntry.action == LIFTED, AuditEntry.target_id == employee_no[:64]
        )
    )
    return max(since, lifted) if lifted else since


def retry_after(employee_no: str, client: str) -> int:
    """Seconds this client must wait before trying this account again; 0 when it may try now."""
    failures, last = session.execute(
        sa.select(sa.func.count(AuditEntry.id), sa.func.max(AuditEntry.at)).where(
            AuditEntry.action == FAILED,
            AuditEntry.target_id == employee_no[:64],
            AuditEntry.details["client"].as_string() == client,
            AuditEntry.at >= _since(employee_no),
        )
    ).one()
    return _remaining(failures or 0, last)


def _remaining(failures: int, last: datetime | None) -> int:
    """Whole seconds left of the wait that ``failures`` (the latest at ``last``) impose."""
    c = current_app.config
    wait = wait_seconds(
        failures,
        int(c["LMS_LOGIN_MAX_FAILURES"]),
        float(c["LMS_LOGIN_DELAY_SECONDS"]),
        float(c["LMS_LOGIN_WINDOW_MINUTES"]) * 60,
    )
    if not wait or last is None:
        return 0
    remaining = (last + timedelta(seconds=wait) - utcnow()).total_seconds()
    return max(0, int(remaining + 0.999))


def record_failure(employee_no: str, address: str, client: str) -> None:
    record(FAILED, target_type="login", target_id=employee_no[:64], ip=address, client=client)
    session.commit()


@dataclass
class Lockout:
    employee_no: str
    client: str
    failures: int
    last: datetime
    retry_after: int


def current_lockouts() -> list[Lockout]:
    """Every (account, client) that must wait now, for the admin page."""
    c = current_app.config
    since = utcnow() - timedelta(minutes=c["LMS_LOGIN_WINDOW_MINUTES"])
    client = AuditEntry.details["client"].as_string()
    lifted = set(
        session.scalars(
            sa.select(AuditEntry.target_id).where(
                AuditEntry.action == LIFTED, AuditEntry.at >= since
            )
        )
    )
    rows = session.execute(
        sa.select(
            AuditEntry.target_id, client, sa.func.count(AuditEntry.id), sa.func.max(AuditEntry.at)
        )
        .where(AuditEntry.action == FAILED, AuditEntry.at >= since)
        .group_by(AuditEntry.target_id, client)
        .having(sa.func.count(AuditEntry.id) >= int(c["LMS_LOGIN_MAX_FAILURES"]))
        .order_by(sa.func.max(AuditEntry.at).desc())
        .limit(500)
    ).all()
    found = []
    for employee_no, key, count, last in rows:
        # Counted afresh only for an account lifted within the window (older failures are forgiven).
        wait = (
            retry_after(employee_no, key or "")
            if employee_no in lifted
            else _remaining(count, last)
        )
        if wait:
            found.append(Lockout(employee_no, key or "", count, last, wait))
    return found


def lift(employee_no: str, actor_id: int) -> None:
    """Forget the account's recent failures (every client); audited."""
    record(LIFTED, actor_id=actor_id, target_type="login", target_id=employee_no[:64])
    session.commit()
