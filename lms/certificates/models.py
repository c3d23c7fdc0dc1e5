"""Issued certificates: frozen at issue, superseded or revoked, never rewritten."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow


class Certificate(Base):
    """One version of one person's certificate for one course and certification cycle.

    The PDF, its hash, the printed data (``snapshot``) and the content passed (``content_versions``)
    are written once at issue. A reissue adds the next ``version`` and points the old row at it.
    """

    __tablename__ = "lms_certificates"
    # One certificate per person, course and certification cycle, enforced by the database: concurrent
    # passes both try version 1 of the same cycle and one of them fails; reissues add version n + 1.
    __table_args__ = (sa.UniqueConstraint("staff_id", "course_id", "cycle", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(sa.String(32), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"), index=True)
    attempt_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_attempts.id"))
    cycle: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    issued_on: Mapped[date] = mapped_column(index=True)
    expires_on: Mapped[date | None]
    template: Mapped[str] = mapped_column(sa.String(100), default="default")
    template_version: Mapped[str] = mapped_column(sa.String(64), default="")
    snapshot: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # {"attempt_id", "score", "lessons": [{"slug", "version"}], "questions": [{"key", "version"}]}
    content_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Blobs are deferred: lists and look-ups never load them.
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    html: Mapped[str | None] = mapped_column(sa.Text, deferred=True)  # exactly what was rendered
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_certificates.id"))
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CertificateBatch(Base):
    """An HR print job: the filter, its progress, and the finished file (kept out of any web folder)."""

    __tablename__ = "lms_certificate_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    format: Mapped[str] = mapped_column(sa.String(8), default="pdf")  # pdf | zip
    status: Mapped[str] = mapped_column(
        sa.String(16), default="queued"
    )  # queued|running|done|failed|expired
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(sa.Text)
    result: Mapped[bytes | None] = mapped_column(sa.LargeBinary, deferred=True)
    result_size: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
