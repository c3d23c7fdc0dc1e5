"""Trainer pages: the question banks behind each course."""

from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask import Blueprint, render_template

from lms.auth.access import requires
from lms.courses import catalog
from lms.db import session
from lms.quizzes.models import Question, QuestionBank

bp = Blueprint("lms_trainer", __name__)


@bp.get("/trainer/")
@requires("trainer", "admin")
def banks():
    courses = catalog.active_courses()
    counts: dict[int, Counter] = {c.id: Counter() for c in courses}
    rows = session.execute(
        sa.select(QuestionBank.course_id, Question.type, sa.func.count(Question.id))
        .join(Question, Question.bank_id == QuestionBank.id)
        .where(Question.retired_at.is_(None))
        .group_by(QuestionBank.course_id, Question.type)
    )
    for course_id, qtype, n in rows:
        if course_id in counts:
            counts[course_id][qtype] = n
    return render_template("lms/trainer/banks.html", courses=courses, counts=counts)


@bp.get("/trainer/courses/<slug>/questions")
@requires("trainer", "admin")
def questions(slug: str):
    course = catalog.course_or_404(slug)
    bank = session.scalar(sa.select(QuestionBank).where(QuestionBank.course_id == course.id))
    questions = sorted(
        (q for q in (bank.questions if bank else []) if q.retired_at is None), key=lambda q: q.key
    )
    return render_template("lms/trainer/questions.html", course=course, questions=questions)
