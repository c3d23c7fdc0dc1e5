"""The history of a staff record: every field change, by whom and when, never rewritten."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.db import Base, utcnow

# Fields whose changes are kept; department and position also decide who a requirement applies to.
TRACKED_FIELDS = (
    "name", "email", "department", "position", "hire_date", "manager_no", "active",
)  # fmt: skip


class StaffChange(Base):
    __tablename__ = "lms_staff_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    field: Mapped[str] = mapped_column(sa.String(32))
    old: Mapped[str | None] = mapped_column(sa.String(255))
    new: Mapped[str | None] = mapped_column(sa.String(255))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))
    source: Mapped[str] = mapped_column(sa.String(16), default="web")  # web | import | cli
    reason: Mapped[str] = mapped_column(sa.Text, default="")
