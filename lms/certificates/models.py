"""Issued certificates: frozen at issue, superseded or revoked, never rewritten."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow


class Certificate(Base):
    __tablename__ = "lms_certificates"
    # One certificate per person, course and certification cycle, enforced by the database.
    __table_args__ = (sa.UniqueConstraint("staff_id", "course_id", "cycle"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(sa.String(32), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_attempts.id"))
    cycle: Mapped[int] = mapped_column(default=1)
    issued_on: Mapped[date]
    expires_on: Mapped[date | None]
    template: Mapped[str] = mapped_column(sa.String(100), default="default")
    template_version: Mapped[str] = mapped_column(sa.String(64), default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_certificates.id"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
