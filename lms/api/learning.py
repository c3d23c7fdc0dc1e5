"""What the API says about courses, lessons and attempts: plain functions building JSON-ready dicts.

Quiz logic stays in ``lms.quizzes``: these functions only read its results. Questions of an
attempt are shown as ``grading.learner_view`` (items numbered by shown position) with the saved
answer mapped back by ``grading.view_answer``; right answers and feedback appear only in
``result_json``, which the view serves only once the attempt is graded.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from lms.auth.models import Staff
from lms.courses import catalog
from lms.courses.completion import Completion
from lms.courses.models import Course, Lesson, LessonProgress
from lms.db import session, utcnow
from lms.quizzes import attempts, grading
from lms.quizzes.models import Attempt, Response
from lms.quizzes.review import review_item, shows_answers


def iso(moment: datetime | None) -> str | None:
    """Stored timestamps are naive UTC; the API says so with a ``Z``."""
    return None if moment is None else moment.replace(microsecond=0).isoformat() + "Z"


def staff_json(staff: Staff) -> dict[str, Any]:
    return {
        "employee_no": staff.employee_no,
        "name": staff.name,
        "department": staff.department,
        "position": staff.position,
        "roles": sorted(staff.roles),
    }


def _quiz_stats(staff: Staff) -> dict[int, dict[str, Any]]:
    """Per course: graded attempts, best score, whether any passed (one grouped query)."""
    rows = session.execute(
        sa.select(
            Attempt.course_id,
            sa.func.count(Attempt.id),
            sa.func.max(Attempt.score),
            sa.func.max(sa.case((Attempt.passed.is_(True), 1), else_=0)),
        )
        .where(Attempt.staff_id == staff.id, Attempt.status == "graded")
        .group_by(Attempt.course_id)
    )
    return {
        course_id: {"attempts_used": count, "best_score": best, "passed": bool(passed)}
        for course_id, count, best, passed in rows
    }


def _summary(
    course: Course, progress: tuple[int, int], stats: dict[str, Any] | None
) -> dict[str, Any]:
    stats = stats or {"attempts_used": 0, "best_score": None, "passed": False}
    return {
        "slug": course.slug,
        "title": course.title,
        "summary": course.summary,
        "lessons_total": progress[1],
        "lessons_completed": progress[0],
        "pass_mark": course.pass_mark,
        "attempts_used": stats["attempts_used"],
        "best_score": stats["best_score"],
        "passed": stats["passed"],
    }


def courses_json(staff: Staff) -> list[dict[str, Any]]:
    courses = catalog.active_courses()
    progress = catalog.course_progress(staff, courses)
    stats = _quiz_stats(staff)
    return [_summary(c, progress[c.id], stats.get(c.id)) for c in courses]


def _viewed_lesson_ids(staff: Staff) -> set[int]:
    return set(
        session.scalars(
            sa.select(LessonProgress.lesson_id).where(LessonProgress.staff_id == staff.id)
        )
    )


def course_json(staff: Staff, course: Course) -> dict[str, Any]:
    done = catalog.completed_lesson_ids(staff)
    viewed = _viewed_lesson_ids(staff)
    history = attempts.attempts_of(staff, course)
    body = _summary(
        course,
        catalog.course_progress(staff, [course])[course.id],
        _quiz_stats(staff).get(course.id),
    )
    body["lessons"] = [
        {
            "slug": lesson.slug,
            "title": lesson.title,
            "minutes": lesson.minutes,
            "viewed": lesson.id in viewed,
            "completed": lesson.id in done,
        }
        for lesson in course.active_lessons
    ]
    body["quiz"] = {
        "questions_per_attempt": course.questions_per_attempt,
        "pass_mark": course.pass_mark,
        "time_limit_minutes": course.time_limit_minutes,
        "max_attempts": course.max_attempts,
        "cooldown_minutes": course.cooldown_minutes,
        "review_answers": course.review_answers,
    }
    body["completion"] = completion_json(catalog.completion_of(staff, course))
    body["open_attempt_id"] = next((a.id for a in history if a.status == "open"), None)
    body["attempts"] = [attempt_summary(a, course) for a in history]
    return body


def completion_json(completion: Completion) -> dict[str, Any]:
    """Where the learner stands against the course's completion rule: the quiz starts when ready."""
    return {
        "ready": completion.holds,
        "lessons_required": completion.required,
        "lessons_done": completion.done,
        "missing": list(completion.missing),
    }


def lesson_json(staff: Staff, course: Course, lesson: Lesson) -> dict[str, Any]:
    lessons = course.active_lessons
    index = lessons.index(lesson)
    return {
        "course": course.slug,
        "slug": lesson.slug,
        "title": lesson.title,
        "minutes": lesson.minutes,
        "objectives": list(lesson.objectives),
        "html": lesson.body_html,
        "toc": [{"id": e["id"], "title": e["title"], "level": e["level"]} for e in lesson.toc],
        "completed": lesson.id in catalog.completed_lesson_ids(staff),
        "previous": lessons[index - 1].slug if index > 0 else None,
        "next": lessons[index + 1].slug if index + 1 < len(lessons) else None,
    }


def lesson_progress_json(staff: Staff, course: Course, lesson: Lesson) -> dict[str, Any]:
    done, total = catalog.course_progress(staff, [course])[course.id]
    return {
        "course": course.slug,
        "slug": lesson.slug,
        "completed": lesson.id in catalog.completed_lesson_ids(staff),
        "lessons_completed": done,
        "lessons_total": total,
    }


def attempt_summary(attempt: Attempt, course: Course) -> dict[str, Any]:
    seconds_left = None
    if attempt.status == "open" and attempt.deadline_at is not None:
        seconds_left = max(0, int((attempt.deadline_at - utcnow()).total_seconds()))
    return {
        "id": attempt.id,
        "course": course.slug,
        "status": attempt.status,
        "started_at": iso(attempt.started_at),
        "deadline_at": iso(attempt.deadline_at),
        "seconds_left": seconds_left,
        "submitted_at": iso(attempt.submitted_at),
        "graded_at": iso(attempt.graded_at),
        "score": attempt.score,
        "passed": attempt.passed,
        "question_count": len(attempt.responses),
        "expired": attempt.status == "open" and attempts.is_expired(attempt),
        "timed_out": bool(attempt.timed_out),
    }


def question_json(response: Response) -> dict[str, Any]:
    """One question as the learner sees it, with their saved answer in shown positions."""
    data = response.question_version.data
    return {
        "position": response.position,
        **grading.learner_view(data, response.presentation),
        "answer": grading.view_answer(data, response.presentation, response.answer),
        "saved_at": iso(response.saved_at),
    }


def attempt_json(attempt: Attempt, course: Course) -> dict[str, Any]:
    return attempt_summary(attempt, course) | {
        "questions": [question_json(r) for r in attempt.responses]
    }


def result_json(attempt: Attempt, course: Course) -> dict[str, Any]:
    """The review after grading: each answer beside the right one, feedback, lesson section."""
    if attempt.status != "graded":
        raise ValueError("only a graded attempt has a result")
    answers = shows_answers(course.review_answers, attempt.passed)
    items = []
    for response in attempt.responses:
        data = response.question_version.data
        review = review_item(data, response.answer, response.score, answers=answers)
        lesson_slug, _, anchor = review["section"].partition("#")
        items.append(
            question_json(response)
            | {
                "correct_answer": grading.view_answer(
                    data, response.presentation, grading.correct_answer(data)
                )
                if answers
                else None,
                "score": review["score"],
                "given": review["given"],
                "right": review["right"],
                "feedback": review["feedback"],
                "option_feedback": review["option_feedback"],
                "section": {"lesson": lesson_slug, "anchor": anchor},
            }
        )
    return {
        "attempt": attempt_summary(attempt, course),
        "pass_mark": course.pass_mark,
        "items": items,
    }
