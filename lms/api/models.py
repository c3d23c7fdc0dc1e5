"""Bearer tokens for the JSON API: only a hash is stored, so a leaked database leaks no token."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import Staff
from lms.db import Base, utcnow


class ApiToken(Base):
    __tablename__ = "lms_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100), default="")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)  # SHA-256, hex
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    staff: Mapped[Staff] = relationship(lazy="joined")

    @property
    def active(self) -> bool:
        return self.revoked_at is None
