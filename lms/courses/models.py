"""Courses and lessons as loaded from the content files, and each learner's progress."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.courses.completion import DEFAULT_RULE
from lms.db import Base, utcnow


class Course(Base):
    __tablename__ = "lms_courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    position: Mapped[int] = mapped_column(default=0)
    pass_mark: Mapped[int] = mapped_column(default=80)
    questions_per_attempt: Mapped[int] = mapped_column(default=20)
    time_limit_minutes: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=0)
    cooldown_minutes: Mapped[int] = mapped_column(default=0)
    partial_credit: Mapped[str] = mapped_column(sa.String(20), default="proportional")
    # When the result page shows the keyed answers: after a pass (default), always, or never.
    # Failed attempts always show which questions were wrong, the feedback and the lesson links.
    review_answers: Mapped[str] = mapped_column(
        sa.String(16), default="pass", server_default="pass"
    )
    # The quiz page: one question per screen (paged), all on one page (single), or paged on
    # narrow screens only (auto); the server renders the same form for all three.
    quiz_layout: Mapped[str] = mapped_column(sa.String(16), default="auto", server_default="auto")
    validity_months: Mapped[int] = mapped_column(default=24)
    # What must be done before the quiz may start (``lms.courses.completion``); the version goes up
    # whenever a sync changes the rule, and certificates record both.
    completion: Mapped[dict[str, Any]] = mapped_column(
        default=lambda: dict(DEFAULT_RULE), server_default='{"lessons": "all", "min_seconds": 0}'
    )
    completion_version: Mapped[int] = mapped_column(default=1, server_default="1")
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="course", order_by="Lesson.position", lazy="selectin"
    )

    @property
    def active_lessons(self) -> list[Lesson]:
        return [lesson for lesson in self.lessons if lesson.retired_at is None]


class Lesson(Base):
    __tablename__ = "lms_lessons"
    __table_args__ = (sa.UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"), index=True)
    slug: Mapped[str] = mapped_column(sa.String(100))
    title: Mapped[str] = mapped_column(sa.String(200))
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=0)
    objectives: Mapped[list[Any]] = mapped_column(default=list)
    sources: Mapped[list[Any]] = mapped_column(default=list)
    body_markdown: Mapped[str] = mapped_column(sa.Text, default="")
    # Rendered and sanitised once, when the content is synced or saved; pages serve it as stored.
    body_html: Mapped[str] = mapped_column(sa.Text, default="")
    toc: Mapped[list[Any]] = mapped_column(default=list)
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    version: Mapped[int] = mapped_column(default=1)
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    course: Mapped[Course] = relationship(back_populates="lessons")

    @property
    def anchors(self) -> set[str]:
        return {entry["id"] for entry in self.toc}


class LessonProgress(Base):
    __tablename__ = "lms_lesson_progress"
    __table_args__ = (sa.UniqueConstraint("staff_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_lessons.id"), index=True)
    lesson_version: Mapped[int] = mapped_column(default=1)
    first_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
