"""Invitations and password resets: issue, look up, redeem once, revoke.

A token is ``secrets.token_urlsafe(32)`` (256 random bits) and travels only in the activation URL
(QR code, e-mail); the database keeps its SHA-256, which is enough for a value that cannot be
guessed. The short code printed beside it (8 characters of an alphabet without 0/O/1/I, 40 bits)
is typed with the employee number at ``/activate``; it is kept as an HMAC keyed with the app's
secret key, so the table alone does not let anyone try codes offline, and wrong codes count as
failed logins of that account (``auth.throttle``). An invitation expires after
``LMS_INVITE_HOURS``, is used once (a conditional ``UPDATE``), and a new one for the same person
revokes the older ones. People whose accounts come from a host's user adapter are never invited:
the host logs them in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from lms.audit.log import record
from lms.auth.models import Staff
from lms.auth.password_rules import problems as password_problems
from lms.auth.roles import grantable
from lms.db import session, utcnow
from lms.invitations.models import Invitation

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols: no 0/O, no 1/I
CODE_LENGTH = 8


def hash_token(token: str) -> str:
    """SHA-256 of a URL token (pure)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalise_code(text: str) -> str:
    """What someone typed, as a code: upper case, without spaces and dashes; O→0 never arises."""
    return "".join(ch for ch in text.upper() if ch not in " -\u3000\t")


def format_code(code: str) -> str:
    """``ABCD-EFGH``: two groups of four are easier to copy from paper (pure)."""
    return f"{code[:4]}-{code[4:]}"


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def hash_code(code: str, employee_no: str) -> str:
    key = str(current_app.secret_key or "").encode("utf-8")
    message = f"{employee_no}:{normalise_code(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class Issued:
    """An invitation just made, with the secrets shown once (on a slip or in an e-mail)."""

    staff: Staff
    invitation: Invitation
    token: str
    code: str


class NotInvitable(ValueError):
    """This person cannot be invited; the message says why."""


def invitable_problem(staff: Staff, actor_roles: Iterable[str] | None = None) -> str | None:
    """Why ``staff`` cannot get an invitation from an actor with ``actor_roles``, or ``None``.

    A reset sets whoever uses it up as that person, so nobody may invite someone holding a role they
    could not grant (HR resetting an admin would become one); ``None`` is the command line.
    """
    from lms.i18n import _

    if actor_roles is not None and not staff.roles <= grantable(actor_roles):
        return _("%(no)s 的角色高于您的权限，只有管理员可以为其发放激活码。", no=staff.employee_no)
    if staff.source == "host":
        return _("%(no)s 的账号由主系统管理，由主系统登录，不发激活码。", no=staff.employee_no)
    if not staff.active:
        return _("%(no)s 已停用，不能邀请。", no=staff.employee_no)
    return None


def expiry_hours() -> float:
    return float(current_app.config["LMS_INVITE_HOURS"])


def issue(
    people: Iterable[Staff], *, channel: str, actor_id: int | None, now: datetime | None = None
) -> list[Issued]:
    """New invitations for ``people`` (invitable ones only; check first), revoking their older ones.

    One transaction for the lot; the caller commits after the slips or e-mails are made.
    """
    now = now or utcnow()
    expires = now + timedelta(hours=expiry_hours())
    people = list(people)
    if not people:
        return []
    session.execute(
        sa.update(Invitation)
        .where(
            Invitation.staff_id.in_([p.id for p in people]),
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    issued = []
    for person in people:
        token, code = secrets.token_urlsafe(32), new_code()
        row = Invitation(
            staff_id=person.id,
            token_hash=hash_token(token),
            code_hash=hash_code(code, person.employee_no),
            purpose="reset" if person.password_hash else "invite",
            channel=channel,
            created_at=now,
            created_by_id=actor_id,
            expires_at=expires,
        )
        session.add(row)
        issued.append(Issued(person, row, token, code))
    session.flush()
    for item in issued:
        record(
            "invitation.create",
            actor_id=actor_id,
            target_type="staff",
            target_id=item.staff.employee_no,
            purpose=item.invitation.purpose,
            channel=channel,
            invitation_id=item.invitation.id,
        )
    return issued


def revoke(staff: Staff, *, actor_id: int | None) -> int:
    """Revoke the person's pending invitations; how many were pending. The caller commits."""
    now = utcnow()
    count = session.execute(
        sa.update(Invitation)
        .where(
            Invitation.staff_id == staff.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(revoked_at=now)
    ).rowcount
    if count:
        record("invitation.revoke", actor_id=actor_id, target_type="staff",
               target_id=staff.employee_no, count=count)  # fmt: skip
    return count or 0


def by_token(token: str) -> Invitation | None:
    if not token or len(token) > 200:
        return None
    return session.scalar(sa.select(Invitation).where(Invitation.token_hash == hash_token(token)))


def by_code(employee_no: str, code: str) -> tuple[Staff | None, Invitation | None]:
    """The person and their invitation matching the typed code (any state), else ``None``s."""
    staff = session.scalar(sa.select(Staff).where(Staff.employee_no == employee_no.strip()))
    if staff is None:
        return None, None
    wanted = hash_code(code, staff.employee_no)
    rows = session.scalars(
        sa.select(Invitation)
        .where(Invitation.staff_id == staff.id)
        .order_by(Invitation.id.desc())
        .limit(20)
    )
    for row in rows:
        if hmac.compare_digest(row.code_hash, wanted):
            return staff, row
    return staff, None


def pending(invitation: Invitation | None, staff: Staff | None) -> bool:
    """Can this invitation still be redeemed (and is its person still invitable)?"""
    if invitation is None or staff is None:
        return False
    return invitation.state(utcnow()) == "pending" and invitable_problem(staff) is None


def redeem(invitation: Invitation, staff: Staff, password: str) -> list[str]:
    """Set the password and use up the invitation, once; problems (empty on success). Commits.

    Claiming is one conditional ``UPDATE … WHERE used_at IS NULL AND revoked_at IS NULL``: of two
    simultaneous submissions exactly one sets the password.
    """
    found = password_problems(password, employee_no=staff.employee_no, name=staff.name)
    if found:
        return found
    now = utcnow()
    claimed = session.execute(
        sa.update(Invitation)
        .where(
            Invitation.id == invitation.id,
            Invitation.used_at.is_(None),
            Invitation.revoked_at.is_(None),
            Invitation.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount
    if claimed != 1:
        session.rollback()
        from lms.i18n import _

        return [_("这个激活链接已失效。")]
    staff.set_password(password)
    record(
        "staff.activated" if invitation.purpose == "invite" else "staff.password_reset",
        actor_id=staff.id,
        target_type="staff",
        target_id=staff.employee_no,
        invitation_id=invitation.id,
        channel=invitation.channel,
    )
    session.commit()
    return []


def select_people(
    *,
    department: str | None = None,
    employee_nos: Sequence[str] = (),
    actor_roles: Iterable[str] | None = None,
) -> tuple[list[Staff], list[str]]:
    """Who an ``invite`` run is for, and problems (unknown numbers, people who cannot be invited).

    Named people are invited (or reset) whatever their password; otherwise everyone active, local
    and without a password yet, optionally in one department.
    """
    from lms.i18n import _

    problems: list[str] = []
    query = sa.select(Staff).order_by(Staff.department, Staff.employee_no)
    if employee_nos:
        wanted = list(dict.fromkeys(n.strip() for n in employee_nos if n.strip()))
        found = {
            s.employee_no: s for s in session.scalars(query.where(Staff.employee_no.in_(wanted)))
        }
        problems += [_("没有工号为 %(no)s 的员工。", no=n) for n in wanted if n not in found]
        people = [found[n] for n in wanted if n in found]
        if department:
            people = [p for p in people if p.department == department]
    else:
        query = query.where(
            Staff.active.is_(True), Staff.source != "host", Staff.password_hash.is_(None)
        )
        if department:
            query = query.where(Staff.department == department)
        people = list(session.scalars(query))
    keep = []
    for person in people:
        problem = invitable_problem(person, actor_roles)
        if problem:
            problems.append(problem)
        else:
            keep.append(person)
    return keep, problems


def pending_count(now: datetime | None = None) -> int:
    """Invitations not yet used, revoked or expired (for HR's home page)."""
    now = now or utcnow()
    return (
        session.scalar(
            sa.select(sa.func.count(Invitation.id)).where(
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
        )
        or 0
    )


def latest_for(staff: Staff) -> Invitation | None:
    return session.scalar(
        sa.select(Invitation)
        .where(Invitation.staff_id == staff.id)
        .order_by(Invitation.id.desc())
        .limit(1)
    )


def account_states(people: Sequence[Staff], now: datetime | None = None) -> dict[int, str]:
    """For the staff list, one query: host | active (has a password) | invited | not_invited."""
    now = now or utcnow()
    waiting = set(
        session.scalars(
            sa.select(Invitation.staff_id).where(
                Invitation.staff_id.in_([p.id for p in people]),
                Invitation.used_at.is_(None),
                Invitation.revoked_at.is_(None),
                Invitation.expires_at > now,
            )
        )
    )
    states = {}
    for person in people:
        if person.source == "host":
            states[person.id] = "host"
        elif person.id in waiting:
            states[person.id] = "invited"
        elif person.password_hash:
            states[person.id] = "active"
        else:
            states[person.id] = "not_invited"
    return states
