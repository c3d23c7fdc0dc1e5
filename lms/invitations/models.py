"""Invitations: one-time activation (and reset) tokens, kept only as hashes."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow


class Invitation(Base):
    """One token and its short code for one person; pending until used, revoked or expired."""

    __tablename__ = "lms_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lms_staff.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # sha256 of the URL token
    code_hash: Mapped[str] = mapped_column(sa.String(64))  # HMAC of the short code (secret key)
    purpose: Mapped[str] = mapped_column(sa.String(16), default="invite")  # invite | reset
    channel: Mapped[str] = mapped_column(sa.String(16), default="slip")  # slip | email
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lms_staff.id", ondelete="SET NULL")
    )
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()

    def state(self, now: datetime) -> str:
        """pending | used | revoked | expired."""
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"
