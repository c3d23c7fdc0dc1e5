"""Learner quiz pages: start or resume, answer (saved as they go), submit, review."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from lms.auth.access import LEARNERS, requires
from lms.auth.identity import current_staff
from lms.courses import catalog
from lms.courses.models import Course
from lms.db import session
from lms.i18n import _
from lms.quizzes import attempts, grading
from lms.quizzes.answer_form import raw_answers
from lms.quizzes.models import Attempt
from lms.quizzes.review import review_item, shows_answers

bp = Blueprint("lms_quiz", __name__)


def _own_attempt(attempt_id: int) -> Attempt:
    """Attempts are private: only the person who took one may open it."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        abort(404)
    if attempt.staff_id != current_staff().id:
        abort(403)
    return attempt


@bp.post("/courses/<slug>/quiz")
@requires(*LEARNERS)
def start(slug: str):
    course = catalog.course_or_404(slug)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        attempt = attempts.start_or_resume(current_staff(), course)
    except attempts.AttemptRefused as exc:
        flash(str(exc), "error")
        return redirect(url_for("lms_courses.course", slug=slug))
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.get("/attempts/<lms_id:attempt_id>")
@requires(*LEARNERS)
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.status == "open" and attempts.is_expired(attempt):
        attempts.submit(attempt)
        flash(_("测验时间已到，已按保存的答案评分。"), "error")
    if attempt.status != "open":
        return redirect(url_for(".result", attempt_id=attempt.id))
    course = session.get(Course, attempt.course_id)
    items = [
        {
            "position": r.position,
            "view": grading.learner_view(r.question_version.data, r.presentation),
            "answer": grading.view_answer(r.question_version.data, r.presentation, r.answer),
        }
        for r in attempt.responses
    ]
    return render_template(
        "lms/quiz/attempt.html", attempt=attempt, course=course, items=items, form=FlaskForm()
    )


@bp.post("/attempts/<lms_id:attempt_id>/save")
@requires(*LEARNERS)
def save(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        problems = attempts.save_answers(attempt, raw_answers(request.form, attempt.responses))
    except attempts.AttemptClosed as exc:
        return jsonify(error="attempt_closed", message=str(exc)), 409
    if request.accept_mimetypes.best == "application/json":
        return jsonify(saved=True, problems={str(k): v for k, v in problems.items()})
    flash(_("答案已保存。") if not problems else _("部分答案格式有误，未保存。"), "success")
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.post("/attempts/<lms_id:attempt_id>/submit")
@requires(*LEARNERS)
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    attempts.submit(attempt, raw_answers(request.form, attempt.responses))
    return redirect(url_for(".result", attempt_id=attempt.id))


@bp.get("/attempts/<lms_id:attempt_id>/result")
@requires(*LEARNERS)
def result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.status == "open":
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    course = session.get(Course, attempt.course_id)
    answers = shows_answers(course.review_answers, attempt.passed)
    items = [
        review_item(r.question_version.data, r.answer, r.score, answers=answers)
        | {"position": r.position}
        for r in attempt.responses
    ]
    return render_template(
        "lms/quiz/result.html", attempt=attempt, course=course, items=items, answers=answers
    )
