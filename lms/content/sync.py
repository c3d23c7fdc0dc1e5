"""Loading the content tree into the database: idempotent, all-or-nothing, retiring not deleting."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from lms.content.library import Library, load_library
from lms.courses.content_files import CourseFile, LessonFile
from lms.courses.models import Course, Lesson
from lms.db import session, utcnow
from lms.formats.errors import ContentInvalid
from lms.quizzes.bank_file import BankFile
from lms.quizzes.models import Question, QuestionBank, QuestionVersion


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)

    def summary(self) -> str:
        return (
            f"{len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.retired)} retired, {self.unchanged} unchanged"
        )


def sync_content(root: Path) -> SyncReport:
    return sync_library(load_library(root))


def sync_library(lib: Library) -> SyncReport:
    """Write the library to the database in one transaction; invalid content writes nothing."""
    if lib.errors:
        raise ContentInvalid(lib.errors)
    report = SyncReport()
    try:
        existing = {c.slug: c for c in session.scalars(sa.select(Course))}
        for course_file in lib.courses:
            course = _sync_course(course_file, existing.get(course_file.slug), report)
            _sync_bank(course, lib.banks.get(course_file.slug), report)
        present = {c.slug for c in lib.courses}
        for slug, course in existing.items():
            if slug not in present and course.retired_at is None:
                course.retired_at = utcnow()
                report.retired.append(f"course {slug}")
                _sync_bank(course, None, report)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return report


def _sync_course(data: CourseFile, course: Course | None, report: SyncReport) -> Course:
    label = f"course {data.slug}"
    if course is None:
        course = Course(slug=data.slug)
        session.add(course)
        report.created.append(label)
    elif course.content_hash != data.content_hash or course.retired_at is not None:
        report.updated.append(label)
    else:
        report.unchanged += 1
    if course.content_hash != data.content_hash or course.retired_at is not None:
        course.title = data.title
        course.summary = data.summary
        course.position = data.position
        course.validity_months = data.validity_months
        for key, value in data.quiz.items():
            setattr(course, key, value)
        if course.completion != data.completion:
            if course.id is not None:  # a new course starts at version 1
                course.completion_version = (course.completion_version or 0) + 1
            course.completion = data.completion
        course.content_hash = data.content_hash
        course.retired_at = None
    session.flush()

    lessons = {lesson.slug: lesson for lesson in course.lessons}
    for position, lesson_file in enumerate(data.lessons, 1):
        _sync_lesson(course, lesson_file, position, lessons.get(lesson_file.slug), report)
    listed = {lesson.slug for lesson in data.lessons}
    for slug, lesson in lessons.items():
        if slug not in listed and lesson.retired_at is None:
            lesson.retired_at = utcnow()
            report.retired.append(f"lesson {data.slug}/{slug}")
    return course


def _sync_lesson(
    course: Course, data: LessonFile, position: int, lesson: Lesson | None, report: SyncReport
) -> None:
    label = f"lesson {course.slug}/{data.slug}"
    if lesson is None:
        lesson = Lesson(course=course, slug=data.slug, version=0)
        session.add(lesson)
        report.created.append(label)
    elif (
        lesson.content_hash != data.content_hash
        or lesson.position != position
        or lesson.retired_at is not None
    ):
        report.updated.append(label)
    else:
        report.unchanged += 1
        return
    if lesson.content_hash != data.content_hash:
        lesson.version += 1
        lesson.title = data.title
        lesson.objectives = data.objectives
        lesson.minutes = data.minutes
        lesson.sources = data.sources
        lesson.body_markdown = data.body_markdown
        lesson.body_html = data.body_html
        lesson.toc = data.toc
        lesson.content_hash = data.content_hash
    lesson.position = position
    lesson.retired_at = None


def _sync_bank(course: Course, data: BankFile | None, report: SyncReport) -> None:
    bank = session.scalar(sa.select(QuestionBank).where(QuestionBank.course_id == course.id))
    if data is None:
        if bank is not None:
            for question in bank.questions:
                if question.retired_at is None and question.origin == "file":
                    question.retired_at = utcnow()
                    report.retired.append(f"question {question.key}")
        return
    if bank is None:
        bank = QuestionBank(course_id=course.id)
        session.add(bank)
        session.flush()
    elif bank.content_hash == data.content_hash:
        report.unchanged += 1
        return
    bank.content_hash = data.content_hash
    questions = {q.key: q for q in bank.questions}
    for item in data.questions:
        question = questions.get(item.key)
        content_hash = item.content_hash
        if question is not None and question.origin != "file":
            # Edited, retired or restored in the browser, or imported: the browser's version wins.
            report.unchanged += 1
            continue
        if question is None:
            question = Question(bank=bank, key=item.key, current_version=0)
            session.add(question)
            report.created.append(f"question {item.key}")
        elif (
            question.versions[-1].content_hash != content_hash
            or question.retired_at is not None
            or (question.type, question.difficulty) != (item.type, item.difficulty)
        ):
            report.updated.append(f"question {item.key}")
        else:
            report.unchanged += 1
            continue
        question.type = item.type
        question.difficulty = item.difficulty
        question.lesson_slug = item.lesson_slug
        question.anchor = item.anchor
        question.retired_at = None
        if not question.versions or question.versions[-1].content_hash != content_hash:
            # A new version, never an edit: attempts keep pointing at what the learner saw.
            question.current_version += 1
            version = QuestionVersion(
                version=question.current_version, data=item.data, content_hash=content_hash
            )
            question.versions.append(version)
    listed = {item.key for item in data.questions}
    for key, question in questions.items():
        if key not in listed and question.retired_at is None and question.origin == "file":
            question.retired_at = utcnow()
            report.retired.append(f"question {key}")
