"""Finding courses and lessons, and recording how far each learner has read."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import sqlalchemy as sa
from flask import abort

from lms.auth.models import Staff
from lms.courses import completion
from lms.courses.models import Course, Lesson, LessonProgress
from lms.db import session, utcnow


def active_courses() -> list[Course]:
    return list(
        session.scalars(
            sa.select(Course)
            .where(Course.retired_at.is_(None))
            .order_by(Course.position, Course.id)
        )
    )


def course_or_404(slug: str) -> Course:
    course = session.scalar(
        sa.select(Course).where(Course.slug == slug, Course.retired_at.is_(None))
    )
    if course is None:
        abort(404)
    return course


def lesson_or_404(course: Course, slug: str) -> Lesson:
    for lesson in course.active_lessons:
        if lesson.slug == slug:
            return lesson
    abort(404)


def _progress_row(staff: Staff, lesson: Lesson) -> LessonProgress | None:
    return session.scalar(
        sa.select(LessonProgress).where(
            LessonProgress.staff_id == staff.id, LessonProgress.lesson_id == lesson.id
        )
    )


def record_view(staff: Staff, lesson: Lesson) -> None:
    row = _progress_row(staff, lesson)
    if row is None:
        session.add(
            LessonProgress(staff_id=staff.id, lesson_id=lesson.id, lesson_version=lesson.version)
        )
    else:
        row.last_viewed_at = utcnow()
    session.commit()


def mark_complete(staff: Staff, lesson: Lesson) -> None:
    row = _progress_row(staff, lesson)
    if row is None:
        row = LessonProgress(staff_id=staff.id, lesson_id=lesson.id)
        session.add(row)
    if row.completed_at is None:
        row.completed_at = utcnow()
    row.lesson_version = lesson.version
    session.commit()


def completed_lesson_ids(staff: Staff) -> set[int]:
    return set(
        session.scalars(
            sa.select(LessonProgress.lesson_id).where(
                LessonProgress.staff_id == staff.id, LessonProgress.completed_at.is_not(None)
            )
        )
    )


def course_progress(staff: Staff, courses: list[Course]) -> dict[int, tuple[int, int]]:
    """``{course_id: (lessons completed, lessons in course)}``, from one query."""
    done = completed_lesson_ids(staff)
    return {
        c.id: (sum(1 for lesson in c.active_lessons if lesson.id in done), len(c.active_lessons))
        for c in courses
    }


def lesson_records(staff: Staff, course: Course) -> list[completion.LessonRecord]:
    """The course's active lessons with this learner's reading times, for the completion rule."""
    rows = {
        row.lesson_id: row
        for row in session.scalars(
            sa.select(LessonProgress)
            .join(Lesson, Lesson.id == LessonProgress.lesson_id)
            .where(LessonProgress.staff_id == staff.id, Lesson.course_id == course.id)
        )
    }
    return records_from(course.active_lessons, rows)


def records_from(
    lessons: Iterable[Lesson], progress: Mapping[int, LessonProgress]
) -> list[completion.LessonRecord]:
    """The completion rule's view of lessons, given the learner's progress rows by lesson id."""
    records = []
    for lesson in lessons:
        row = progress.get(lesson.id)
        records.append(
            completion.LessonRecord(
                slug=lesson.slug,
                first_viewed_at=row.first_viewed_at if row else None,
                completed_at=row.completed_at if row else None,
            )
        )
    return records


def completion_of(staff: Staff, course: Course) -> completion.Completion:
    """Where this learner stands against the course's completion rule."""
    return completion.evaluate(course.completion, lesson_records(staff, course))
