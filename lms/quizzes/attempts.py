"""Quiz attempts: draw, save as the learner goes, submit once, grade on the server."""

from __future__ import annotations

import random
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from lms.auth.models import Staff
from lms.courses.catalog import completion_of
from lms.courses.completion import Completion
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.i18n import _
from lms.quizzes import eligibility, grading
from lms.quizzes.models import Attempt, Question, QuestionBank, Response
from lms.quizzes.signals import attempt_graded


class AttemptRefused(Exception):
    """Starting is not allowed now (attempt limit, cool-down, empty bank); the message says why."""


class CompletionRequired(AttemptRefused):
    """The course's completion rule does not hold yet: lessons are still to be read."""

    def __init__(self, completion: Completion) -> None:
        self.completion = completion
        super().__init__(missing_message(completion))


def missing_message(completion: Completion) -> str:
    """What is still to do before the quiz, in the reader's language."""
    return _("还需学完 %(count)s 课，才能开始测验。", count=completion.still_needed)


class AttemptClosed(Exception):
    """The attempt no longer takes answers: it was submitted or its time ran out."""


def active_questions(course: Course) -> list[Question]:
    return list(
        session.scalars(
            sa.select(Question)
            .join(QuestionBank, QuestionBank.id == Question.bank_id)
            .where(QuestionBank.course_id == course.id, Question.retired_at.is_(None))
            .order_by(Question.key)
        )
    )


def draw(
    course: Course,
    questions: list[Question],
    rng: random.Random,
    seen: Collection[int] = frozenset(),
) -> list[Question]:
    """Pick the course's number of questions, spread over its lessons in turn.

    Questions the learner has not been shown yet (``seen``: question ids of earlier attempts)
    come first in each lesson, so a retake is a different selection wherever the bank has enough.
    Two questions that answer each other (``excludes`` in the bank, either way round) are never
    drawn into one attempt.
    """
    by_lesson: dict[str, list[Question]] = {}
    for question in questions:
        by_lesson.setdefault(question.lesson_slug, []).append(question)
    order = [lesson.slug for lesson in course.active_lessons if lesson.slug in by_lesson]
    order += sorted(set(by_lesson) - set(order))
    pools = []
    for slug in order:
        pool = rng.sample(by_lesson[slug], len(by_lesson[slug]))
        pool.sort(key=lambda q: q.id not in seen)  # pop() takes from the end: unseen first
        pools.append(pool)
    rng.shuffle(pools)
    picked: list[Question] = []
    keys: set[str] = set()  # of the questions picked
    barred: set[str] = set()  # keys excluded by a question already picked
    while len(picked) < course.questions_per_attempt and any(pools):
        for pool in pools:
            while pool and len(picked) < course.questions_per_attempt:
                question = pool.pop()
                excluded = exclusions(question)
                if question.key in barred or excluded & keys:
                    continue
                picked.append(question)
                keys.add(question.key)
                barred |= excluded
                break
    rng.shuffle(picked)
    return picked


def exclusions(question: Question) -> set[str]:
    """The keys a question may not share an attempt with (its latest version's ``excludes``)."""
    versions = getattr(question, "versions", None)
    data = versions[-1].data if versions else {}
    return set(data.get("excludes") or ())


def refusal_message(course: Course, allowed: eligibility.Eligibility) -> str:
    """Why a new attempt may not start yet, in the reader's language."""
    if allowed.reason == "limit":
        return _("本课程最多可测验 %(count)s 次，您已用完。", count=course.max_attempts)
    wait = int((allowed.ready_at - utcnow()).total_seconds() // 60) + 1
    return _(
        "两次测验之间需间隔 %(minutes)s 分钟，请 %(wait)s 分钟后再试。",
        minutes=course.cooldown_minutes,
        wait=wait,
    )


def eligibility_of(staff: Staff, course: Course) -> eligibility.Eligibility:
    """Whether ``staff`` may start a new attempt of ``course`` now (completion aside)."""
    graded = [a.graded_at for a in attempts_of(staff, course) if a.status == "graded"]
    return eligibility.retake(course.max_attempts, course.cooldown_minutes, graded, utcnow())


def attempts_of(staff: Staff, course: Course) -> list[Attempt]:
    return list(
        session.scalars(
            sa.select(Attempt)
            .where(Attempt.staff_id == staff.id, Attempt.course_id == course.id)
            .order_by(Attempt.id)
        )
    )


def is_expired(attempt: Attempt, now: datetime | None = None) -> bool:
    return attempt.deadline_at is not None and (now or utcnow()) >= attempt.deadline_at


def start_or_resume(staff: Staff, course: Course, *, seed: int | None = None) -> Attempt:
    """The learner's open attempt if there is one, else a new one within the course's rules."""
    return begin(staff, course, seed=seed)[0]


def begin(staff: Staff, course: Course, *, seed: int | None = None) -> tuple[Attempt, bool]:
    """Like :func:`start_or_resume`, and whether the attempt is new (``False``: resumed, including
    the attempt a concurrent request created a moment earlier)."""
    history = attempts_of(staff, course)
    for attempt in history:
        if attempt.status == "open":
            if not is_expired(attempt):
                return attempt, False
            submit(attempt)
    # Checked here, where every way of starting (page, API, CLI) passes: an open attempt is resumed
    # above, a new one needs the course's completion rule to hold.
    completion = completion_of(staff, course)
    if not completion.holds:
        raise CompletionRequired(completion)
    graded = [a for a in history if a.status == "graded"]
    allowed = eligibility.retake(
        course.max_attempts, course.cooldown_minutes, [a.graded_at for a in graded], utcnow()
    )
    if not allowed.allowed:
        raise AttemptRefused(refusal_message(course, allowed))
    questions = active_questions(course)
    if not questions:
        raise AttemptRefused(_("本课程还没有题目。"))
    seed = seed if seed is not None else secrets.randbits(62)
    rng = random.Random(seed)
    now = utcnow()
    attempt = Attempt(
        staff_id=staff.id,
        course_id=course.id,
        seed=seed,
        started_at=now,
        deadline_at=now + timedelta(minutes=course.time_limit_minutes)
        if course.time_limit_minutes
        else None,
    )
    session.add(attempt)
    seen = {r.question_version.question_id for a in history for r in a.responses}
    for position, question in enumerate(draw(course, questions, rng, seen), 1):
        version = question.versions[-1]
        attempt.responses.append(
            Response(
                position=position,
                question_version_id=version.id,
                presentation=grading.present(version.data, rng),
            )
        )
    try:
        session.commit()
    except IntegrityError:
        # Another request started one at the same moment: that one is the attempt to resume.
        session.rollback()
        existing = session.scalar(
            sa.select(Attempt).where(
                Attempt.staff_id == staff.id,
                Attempt.course_id == course.id,
                Attempt.status == "open",
            )
        )
        if existing is None:
            raise
        return existing, False
    return attempt, True


def save_answers(attempt: Attempt, raw_answers: dict[int, Any]) -> dict[int, str]:
    """Store answers by position; returns ``{position: problem}`` for answers that were refused."""
    if attempt.status != "open" or is_expired(attempt):
        raise AttemptClosed(_("测验已结束，答案不能再修改。"))
    problems = _store_answers(attempt, raw_answers)
    session.commit()
    return problems


def _store_answers(attempt: Attempt, raw_answers: dict[int, Any]) -> dict[int, str]:
    problems: dict[int, str] = {}
    responses = {r.position: r for r in attempt.responses}
    now = utcnow()
    for position, raw in raw_answers.items():
        response = responses.get(position)
        if response is None:
            problems[position] = "no such question in this attempt"
            continue
        try:
            # The page numbers items by shown position; the stored answer uses bank indices.
            answer = grading.parse_answer(
                response.question_version.data, raw, presentation=response.presentation
            )
        except ValueError as exc:
            problems[position] = str(exc)
            continue
        if answer != response.answer:
            response.answer = answer
            response.saved_at = now
    return problems


def submit(attempt: Attempt, raw_answers: dict[int, Any] | None = None) -> Attempt:
    """Grade once: the status change is claimed atomically, so a retried submit grades nothing.

    Answers posted with the submit are stored in the same transaction, while time remains. Only
    ever called on a POST (or by :func:`begin`): reading an expired attempt grades nothing.
    """
    expired = is_expired(attempt)
    if raw_answers and attempt.status == "open" and not expired:
        _store_answers(attempt, raw_answers)
    # Time ran out: it was handed in at the deadline with what was saved by then, whenever the
    # grading happens (the learner's next POST, or starting the next attempt).
    claimed = session.execute(
        sa.update(Attempt)
        .where(Attempt.id == attempt.id, Attempt.status == "open")
        .values(
            status="graded",
            submitted_at=attempt.deadline_at if expired else utcnow(),
            timed_out=expired,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        session.rollback()
        session.refresh(attempt)
        return attempt
    course = session.get(Course, attempt.course_id)
    total = 0.0
    for response in attempt.responses:
        response.score = grading.grade(
            response.question_version.data, response.answer, course.partial_credit
        )
        total += response.score
    count = len(attempt.responses)
    attempt.score = round(100 * total / count, 2) if count else 0.0
    attempt.passed = attempt.score >= course.pass_mark
    attempt.graded_at = utcnow()
    session.commit()
    attempt_graded.send(current_app._get_current_object(), attempt=attempt)
    session.refresh(attempt)
    return attempt
