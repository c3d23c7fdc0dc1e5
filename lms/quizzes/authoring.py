"""Questions written in the browser: create, edit, retire, restore; and a course's quiz settings.

Every change is checked with ``bank_file.question_problems`` (the one place the rules live) plus what
only the database knows: the section is a real lesson anchor of this course and a new id is not used
anywhere. Versions are never edited: a content change appends one, so attempts keep pointing at what
the learner saw. A question changed here gets origin ``"ui"``: the browser owns it from then on, and
sync-content is meant to leave it alone (see ``content.sync``).

Functions flush but do not commit; the view commits once, together with the audit entry.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from flask import abort
from sqlalchemy.exc import IntegrityError

from lms.audit.log import record
from lms.auth.models import Staff
from lms.courses.models import Course
from lms.db import session, utcnow
from lms.i18n import _, _l
from lms.quizzes import grading
from lms.quizzes.bank_file import (
    SECTION_RE,
    content_hash,
    question_problems,
    quotes_of,
    version_data,
)
from lms.quizzes.models import Question, QuestionBank, QuestionVersion
from lms.quizzes.review import describe, numerical_key

ORIGIN_LABELS = {"file": _l("题库文件"), "ui": _l("网页编辑"), "import": _l("导入")}
QUIZ_SETTINGS = (
    "questions_per_attempt",
    "pass_mark",
    "time_limit_minutes",
    "max_attempts",
    "cooldown_minutes",
    "partial_credit",
    "review_answers",
)


class QuestionRejected(Exception):
    """The question cannot be saved; ``problems`` are ``(field, message)`` like question_problems."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = problems


# ----- look-ups ---------------------------------------------------------------------------------


def bank_of(course: Course) -> QuestionBank | None:
    return session.scalar(sa.select(QuestionBank).where(QuestionBank.course_id == course.id))


def question_or_404(course: Course, key: str) -> Question:
    question = session.scalar(
        sa.select(Question)
        .join(QuestionBank, QuestionBank.id == Question.bank_id)
        .where(QuestionBank.course_id == course.id, Question.key == key)
    )
    if question is None:
        abort(404)
    return question


def list_questions(
    course: Course, *, qtype: str = "", lesson: str = "", retired: bool = False
) -> list[Question]:
    """The bank's questions, filtered; versions come in one extra query (selectin)."""
    query = (
        sa.select(Question)
        .join(QuestionBank, QuestionBank.id == Question.bank_id)
        .where(QuestionBank.course_id == course.id)
        .order_by(Question.key)
    )
    if qtype:
        query = query.where(Question.type == qtype)
    if lesson:
        query = query.where(Question.lesson_slug == lesson)
    if not retired:
        query = query.where(Question.retired_at.is_(None))
    return list(session.scalars(query))


def active_count(course: Course) -> int:
    return (
        session.scalar(
            sa.select(sa.func.count(Question.id))
            .join(QuestionBank, QuestionBank.id == Question.bank_id)
            .where(QuestionBank.course_id == course.id, Question.retired_at.is_(None))
        )
        or 0
    )


def sections(course: Course) -> list[tuple[str, str, str]]:
    """``(lesson#anchor, lesson title, section title)`` for every section, in teaching order."""
    return [
        (f"{lesson.slug}#{entry['id']}", lesson.title, entry["title"])
        for lesson in course.active_lessons
        for entry in lesson.toc
    ]


def next_key(course: Course) -> str:
    """``<course-slug>-ui-NNN``, one past the highest number the course has used so far."""
    prefix = f"{course.slug}-ui-"
    pattern = re.compile(re.escape(prefix) + r"(\d+)$")
    keys = session.scalars(sa.select(Question.key).where(Question.key.startswith(prefix)))
    used = [int(m.group(1)) for m in map(pattern.match, keys) if m]
    return f"{prefix}{max(used, default=0) + 1:03d}"


# ----- checking ---------------------------------------------------------------------------------


def question_check(
    course: Course, q: dict[str, Any], *, question: Question | None = None
) -> list[tuple[str, str]]:
    """Every problem with ``q`` (bank-file format) as a question of ``course``; empty when valid.

    ``question`` is the stored question being edited, or None for a new one.
    """
    problems = question_problems(q)
    section = q.get("section")
    if isinstance(section, str) and SECTION_RE.match(section):
        if section not in {value for value, _, _ in sections(course)}:
            problems.append(
                ("section", _("本课程没有课节 %(section)s，请从列表中选择", section=section))
            )
    if question is None:
        key = q.get("id")
        if isinstance(key, str) and key:
            taken = session.scalar(sa.select(Question.id).where(Question.key == key).limit(1))
            if taken is not None:
                problems.append(
                    ("id", _("编号 %(key)s 已被使用(停用的题目也占用编号)，请换一个", key=key))
                )
    else:
        if q.get("id") != question.key:
            problems.append(("id", _("编号不能修改")))
        if q.get("type") != question.type:
            problems.append(("type", _("题型不能修改；请新建一道题")))
    return problems


# ----- versions ---------------------------------------------------------------------------------


def canonical(value: Any) -> Any:
    """A question's data as the forms write it: unchanged content then compares equal.

    Files may spell the same thing differently (``correct: false``, an empty ``distractors`` list,
    an empty option feedback, a trailing newline after a block scalar).
    """
    if isinstance(value, str):
        return value.replace("\r\n", "\n").strip()
    if isinstance(value, list):
        return [canonical(v) for v in value]
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key == "correct" and item is False:
                continue
            if key == "feedback" and "text" in value and not canonical(item):
                continue  # an option's empty feedback
            if key == "distractors" and not item:
                continue
            out[key] = canonical(item)
        return out
    return value


def _new_version(question: Question, data: dict[str, Any], actor: Staff) -> None:
    question.current_version += 1
    question.versions.append(
        QuestionVersion(
            version=question.current_version,
            data=data,
            content_hash=content_hash(data),
            created_by_id=actor.id,
        )
    )


def _place(question: Question, q: dict[str, Any]) -> None:
    lesson_slug, anchor = q["section"].split("#", 1)
    question.difficulty = q["difficulty"]
    question.lesson_slug = lesson_slug
    question.anchor = anchor


def _flush(problem: tuple[str, str]) -> None:
    """Flush; a unique-constraint race (same id, same version number) becomes a form problem."""
    try:
        session.flush()
    except IntegrityError:
        session.rollback()
        raise QuestionRejected([problem]) from None


def answer_sheet(data: dict[str, Any], presentation: dict[str, Any]) -> dict[str, Any]:
    """The key of a question for the trainer's preview: the right answer, and per shown option its
    credit and feedback. Never sent to learners before grading."""
    sheet: dict[str, Any] = {
        "right": (
            numerical_key(data)
            if data["type"] == "numerical"
            else describe(data, grading.correct_answer(data))
        ),
        "feedback": data.get("feedback", ""),
        "sources": quotes_of(data),
        "options": [],
        "accepted": data.get("accepted", []),
        "partial": data.get("partial", []),
        "distractors": data.get("distractors", []),
    }
    if data["type"] == "numerical":
        for position, answer in enumerate(data["answers"]):
            sheet["options"].append(
                {
                    "position": position,
                    "text": numerical_key({"answers": [{**answer, "weight": 100}]}),
                    "credit": answer.get("weight", 100) / 100,
                    "feedback": answer.get("feedback", ""),
                }
            )
    if data["type"] in ("single", "multiple", "scenario"):
        for position, index in enumerate(presentation["options"]):
            option = data["options"][index]
            if data["type"] == "scenario":
                credit = option.get("grade", 0) / 100
            elif "weight" in option:
                credit = option["weight"] / 100
            else:
                credit = 1.0 if option.get("correct") is True else 0.0
            sheet["options"].append(
                {
                    "position": position,
                    "text": option["text"],
                    "credit": credit,
                    "feedback": option.get("feedback", ""),
                }
            )
    return sheet


# ----- changes ----------------------------------------------------------------------------------


def create_question(course: Course, q: dict[str, Any], actor: Staff) -> Question:
    """A new question (origin "ui", version 1). An empty id gets the next ``<slug>-ui-NNN``."""
    q = dict(q)
    if not q.get("id"):
        q["id"] = next_key(course)
    problems = question_check(course, q)
    if problems:
        raise QuestionRejected(problems)
    bank = bank_of(course)
    if bank is None:
        bank = QuestionBank(course_id=course.id)
        session.add(bank)
    question = Question(bank=bank, key=q["id"], type=q["type"], current_version=0, origin="ui")
    _place(question, q)
    _new_version(question, version_data(q), actor)
    session.add(question)
    _flush(("id", _("编号 %(key)s 刚被别人使用了，请再保存一次", key=q["id"])))
    record(
        "question.create",
        actor_id=actor.id,
        target_type="question",
        target_id=question.id,
        course=course.slug,
        key=question.key,
        type=question.type,
        before_version=None,
        after_version=question.current_version,
    )
    return question


def edit_question(
    course: Course,
    question: Question,
    q: dict[str, Any],
    actor: Staff,
    *,
    base_version: int | None = None,
) -> list[str]:
    """Save an edit; returns the names of what changed (empty: nothing to save).

    A content change appends a version. ``base_version`` is the version the trainer started from:
    when someone else saved in between, the edit is refused instead of silently overwriting theirs.
    """
    problems = question_check(course, q, question=question)
    if base_version is not None and base_version != question.current_version:
        problems.append(
            (
                "base_version",
                _(
                    "你编辑期间，这道题已被保存为第 %(version)s 版。"
                    "请核对后再保存(再次保存将以你的内容为准)。",
                    version=question.current_version,
                ),
            )
        )
    if problems:
        raise QuestionRejected(problems)
    old = canonical(question.versions[-1].data)
    new = version_data(q)
    changes = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    if q["difficulty"] != question.difficulty:
        changes.append("difficulty")
    if not changes:
        return []
    before = question.current_version
    origin_before = question.origin
    if old != new:
        _new_version(question, new, actor)
    _place(question, q)
    if question.origin == "file":
        question.origin = "ui"  # the browser owns it now; sync-content leaves it alone
    _flush(("base_version", _("这道题刚被别人保存了，请核对后再保存")))
    record(
        "question.edit",
        actor_id=actor.id,
        target_type="question",
        target_id=question.id,
        course=course.slug,
        key=question.key,
        before_version=before,
        after_version=question.current_version,
        changes=changes,
        origin_before=origin_before,
        origin_after=question.origin,
    )
    return changes


def _set_retired(question: Question, actor: Staff, retire: bool) -> bool:
    if (question.retired_at is not None) == retire:
        return False
    question.retired_at = utcnow() if retire else None
    origin_before = question.origin
    if question.origin == "file":
        question.origin = "ui"
    course = session.get(Course, question.bank.course_id)
    record(
        "question.retire" if retire else "question.restore",
        actor_id=actor.id,
        target_type="question",
        target_id=question.id,
        course=course.slug,
        key=question.key,
        before_version=question.current_version,
        after_version=question.current_version,
        origin_before=origin_before,
        origin_after=question.origin,
    )
    return True


def retire_question(question: Question, actor: Staff) -> bool:
    """Retired questions are no longer drawn; past attempts keep them. False if already retired."""
    return _set_retired(question, actor, True)


def restore_question(question: Question, actor: Staff) -> bool:
    return _set_retired(question, actor, False)


def update_quiz_settings(course: Course, values: dict[str, Any], actor: Staff) -> dict[str, Any]:
    """Apply the settings; returns the ones that changed. A later course.yaml change overrides them."""
    before = {name: getattr(course, name) for name in QUIZ_SETTINGS}
    changed = {name: values[name] for name in QUIZ_SETTINGS if values[name] != before[name]}
    if not changed:
        return {}
    for name, value in changed.items():
        setattr(course, name, value)
    record(
        "course.quiz_settings",
        actor_id=actor.id,
        target_type="course",
        target_id=course.id,
        course=course.slug,
        before={name: before[name] for name in changed},
        after=changed,
    )
    return changed
