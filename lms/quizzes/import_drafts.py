"""An uploaded question file waiting between the import preview and its confirmation.

The wizard keeps the exact uploaded text and its parse on the server: the file is parsed once, at
upload, and every preview reload and the confirm step use that stored parse, so a big file costs
its parsing time once and the import is exactly what was previewed. Nothing the browser sends back
is trusted except an unguessable token that only its uploader may use. Drafts are consumed by the
import and expire after a day.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import Base, session, utcnow

DRAFT_LIFETIME = timedelta(hours=24)


class ImportDraft(Base):
    __tablename__ = "lms_question_import_drafts"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"))
    fmt: Mapped[str] = mapped_column(sa.String(10))
    filename: Mapped[str] = mapped_column(sa.String(255), default="")
    text: Mapped[str] = mapped_column(sa.Text)
    # ParseResult.to_json() of the text, made at upload; None only for drafts older than it.
    parsed: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def save_draft(
    staff: Staff,
    course: Course,
    fmt: str,
    filename: str,
    text: str,
    parsed: dict[str, Any] | None = None,
) -> ImportDraft:
    """Store an upload and its parse for the preview (and drop expired drafts while at it)."""
    session.execute(
        sa.delete(ImportDraft).where(ImportDraft.created_at < utcnow() - DRAFT_LIFETIME)
    )
    draft = ImportDraft(
        token=secrets.token_urlsafe(32),
        staff_id=staff.id,
        course_id=course.id,
        fmt=fmt,
        filename=filename[:255],
        text=text,
        parsed=parsed,
    )
    session.add(draft)
    session.commit()
    return draft


def load_draft(token: str | None, staff: Staff) -> ImportDraft | None:
    """The uploader's own unexpired draft, or None (unknown, someone else's, or too old)."""
    if not token:
        return None
    draft = session.scalar(sa.select(ImportDraft).where(ImportDraft.token == token))
    if draft is None or draft.staff_id != staff.id:
        return None
    if draft.created_at < utcnow() - DRAFT_LIFETIME:
        return None
    return draft
