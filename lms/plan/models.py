"""Training-plan requirements: which audience must pass which course, by when, how often."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow


class Requirement(Base):
    __tablename__ = "lms_plan_requirements"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"), index=True)
    # The audience: None means "any"; both None means everyone.
    department: Mapped[str | None] = mapped_column(sa.String(200))
    position: Mapped[str | None] = mapped_column(sa.String(200))
    due_days_after_hire: Mapped[int | None]
    due_date: Mapped[date | None]
    recertify_months: Mapped[int | None]
    window_days: Mapped[int] = mapped_column(default=60)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))
