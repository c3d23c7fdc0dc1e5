"""Question banks, versioned questions, attempts and the answers given in them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.db import Base, utcnow

QUESTION_TYPES = (
    "single", "multiple", "truefalse", "ordering", "matching", "short", "scenario", "numerical",
)  # fmt: skip


class QuestionBank(Base):
    __tablename__ = "lms_question_banks"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"), unique=True)
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    questions: Mapped[list[Question]] = relationship(back_populates="bank", lazy="selectin")


class Question(Base):
    __tablename__ = "lms_questions"
    __table_args__ = (sa.UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_question_banks.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(100))  # the stable id from the bank file
    type: Mapped[str] = mapped_column(sa.String(20))
    difficulty: Mapped[int] = mapped_column(default=1)
    lesson_slug: Mapped[str] = mapped_column(sa.String(100), default="")
    anchor: Mapped[str] = mapped_column(sa.String(100), default="")
    current_version: Mapped[int] = mapped_column(default=1)
    # "file": owned by quizzes/<slug>.yaml and kept in step by sync-content; "ui" / "import": authored
    # in the browser or imported, which sync-content leaves alone.
    origin: Mapped[str] = mapped_column(sa.String(16), default="file", server_default="file")
    retired_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    bank: Mapped[QuestionBank] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.version", lazy="selectin"
    )


class QuestionVersion(Base):
    """An immutable snapshot: attempts point here, so later edits never change what was answered."""

    __tablename__ = "lms_question_versions"
    __table_args__ = (sa.UniqueConstraint("question_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_questions.id"), index=True)
    version: Mapped[int]
    data: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("lms_staff.id"))

    question: Mapped[Question] = relationship(back_populates="versions")


class Attempt(Base):
    __tablename__ = "lms_attempts"
    # At most one open attempt per person and course: a double-clicked "start" cannot make two.
    __table_args__ = (
        sa.Index(
            "uq_lms_attempts_one_open",
            "staff_id",
            "course_id",
            unique=True,
            sqlite_where=sa.text("status = 'open'"),
            postgresql_where=sa.text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_staff.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_courses.id"), index=True)
    seed: Mapped[int] = mapped_column(sa.BigInteger)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime | None]
    graded_at: Mapped[datetime | None]
    score: Mapped[float | None]
    passed: Mapped[bool | None]
    status: Mapped[str] = mapped_column(sa.String(16), default="open")  # open | graded
    # Graded because its time ran out (the learner did not submit): the result page says so.
    timed_out: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    responses: Mapped[list[Response]] = relationship(
        back_populates="attempt", order_by="Response.position", lazy="selectin"
    )


class Response(Base):
    """One drawn question of an attempt; created at draw time, filled as the learner answers."""

    __tablename__ = "lms_responses"
    __table_args__ = (sa.UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_attempts.id"), index=True)
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(sa.ForeignKey("lms_question_versions.id"))
    presentation: Mapped[dict[str, Any]] = mapped_column(default=dict)  # shuffled option order
    answer: Mapped[Any | None] = mapped_column(sa.JSON)
    saved_at: Mapped[datetime | None]
    score: Mapped[float | None]

    attempt: Mapped[Attempt] = relationship(back_populates="responses")
    # Loaded with the response: every use of a response reads the question it showed.
    question_version: Mapped[QuestionVersion] = relationship(lazy="joined")
