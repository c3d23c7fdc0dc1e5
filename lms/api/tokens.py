"""Bearer tokens: minting, revoking, and recognising the staff member behind a request's token.

A token is shown once when it is minted; the database keeps only its SHA-256 hash, so reading the
table gives no way to call the API. Tokens are accepted on the JSON API only (blueprints named
``lms_api…``): HTML pages keep to the session and its CSRF-protected forms.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import g, request

from lms.api.models import ApiToken
from lms.audit.log import record
from lms.auth.identity import NOT_MINE, current_staff
from lms.auth.models import Staff
from lms.db import session, utcnow

TOKEN_PREFIX = "mgl_"
# last_used_at is refreshed at most this often, so reading the API does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(
    staff: Staff, name: str = "", *, actor_id: int | None = None
) -> tuple[ApiToken, str]:
    """Mint a token for ``staff``; returns the row and the plain token, which is never stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(staff_id=staff.id, name=name.strip(), token_hash=hash_token(plain))
    session.add(row)
    session.flush()
    record(
        "api_token.create",
        actor_id=actor_id,
        target_type="staff",
        target_id=staff.employee_no,
        token_id=row.id,
        name=row.name,
    )
    session.commit()
    return row, plain


def revoke_token(token_id: int, *, actor_id: int | None = None) -> ApiToken | None:
    """Revoke a token; ``None`` if there is no such token. Revoking twice changes nothing."""
    row = session.get(ApiToken, token_id)
    if row is None:
        return None
    revoked = session.execute(
        sa.update(ApiToken)
        .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if revoked:
        record(
            "api_token.revoke",
            actor_id=actor_id,
            target_type="staff",
            target_id=row.staff.employee_no,
            token_id=row.id,
        )
    session.commit()
    session.refresh(row)
    return row


def tokens_of(staff: Staff | None = None) -> list[ApiToken]:
    query = sa.select(ApiToken).order_by(ApiToken.id)
    if staff is not None:
        query = query.where(ApiToken.staff_id == staff.id)
    return list(session.scalars(query))


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer …`` header on an API request, else ``None``.

    A Bearer header with an empty or malformed token gives ``""``: present, and never valid.
    """
    if not (request.blueprint or "").startswith("lms_api"):
        return None
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def staff_for_token(token: str) -> Staff | None:
    """The active staff member holding this unrevoked token, else ``None``."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.staff.active:
        return None
    now = utcnow()
    if row.last_used_at is None or row.last_used_at < now - LAST_USED_RESOLUTION:
        session.execute(
            sa.update(ApiToken)
            .where(
                ApiToken.id == row.id,
                sa.or_(
                    ApiToken.last_used_at.is_(None),
                    ApiToken.last_used_at < now - LAST_USED_RESOLUTION,
                ),
            )
            .values(last_used_at=now)
            .execution_options(synchronize_session=False)
        )
        session.commit()
    g.lms_api_token_id = row.id
    return row.staff


def authenticate_request() -> Staff | None | object:
    """The API's authenticator (``auth.identity.add_authenticator``): a Bearer header decides alone,
    session or not; without one the request is not the token's business."""
    token = bearer_token()  # API requests only
    if token is None:
        return NOT_MINE
    return staff_for_token(token)


def authenticated_by_token() -> bool:
    """Whether this request's caller was identified by a valid bearer token (not the session)."""
    return current_staff() is not None and g.get("lms_api_token_id") is not None
