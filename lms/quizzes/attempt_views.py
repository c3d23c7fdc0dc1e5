"""Learner quiz pages: start or resume, answer (saved as they go), submit, review.

No GET writes: an attempt whose time ran out is shown as such and graded by the next POST (the
page's own submit when the countdown ends, or the learner's button), never by looking at it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from lms.auth.access import LEARNERS, requires
from lms.auth.identity import current_staff
from lms.courses import catalog
from lms.courses.models import Course
from lms.db import session
from lms.i18n import _
from lms.quizzes import attempts, grading
from lms.quizzes.answer_form import field_problems, posted_ranks, raw_answers
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


def _quiz_page(attempt: Attempt, problems: dict[int, str] | None = None, status: int = 200):
    """The quiz form; with ``problems`` the refused fields are marked and show what was posted."""
    course = session.get(Course, attempt.course_id)
    problems = problems or {}
    items: list[dict[str, Any]] = []
    for r in attempt.responses:
        item = {
            "position": r.position,
            "view": grading.learner_view(r.question_version.data, r.presentation),
            "answer": grading.view_answer(r.question_version.data, r.presentation, r.answer),
            "problem": problems.get(r.position),
            "ranks": posted_ranks(request.form, r.position) if r.position in problems else None,
        }
        items.append(item)
    answered = sum(1 for r in attempt.responses if r.answer is not None)
    return render_template(
        "lms/quiz/attempt.html",
        attempt=attempt,
        course=course,
        items=items,
        answered=answered,
        problems=problems,
        form=FlaskForm(),
    ), status


@bp.get("/attempts/<lms_id:attempt_id>")
@requires(*LEARNERS)
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.status != "open":
        return redirect(url_for(".result", attempt_id=attempt.id))
    if attempts.is_expired(attempt):
        course = session.get(Course, attempt.course_id)
        return render_template(
            "lms/quiz/expired.html", attempt=attempt, course=course, form=FlaskForm()
        )
    return _quiz_page(attempt)


@bp.post("/attempts/<lms_id:attempt_id>/save")
@requires(*LEARNERS)
def save(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    wants_json = request.accept_mimetypes.best == "application/json"
    refused = field_problems(request.form, attempt.responses)
    try:
        problems = attempts.save_answers(attempt, raw_answers(request.form, attempt.responses))
    except attempts.AttemptClosed as exc:
        if wants_json:
            return jsonify(error="attempt_closed", message=str(exc)), 409
        flash(str(exc), "error")
        return redirect(url_for(".attempt", attempt_id=attempt.id))
    problems |= refused
    if wants_json:
        return jsonify(saved=True, problems={str(k): v for k, v in problems.items()})
    if refused:
        return _quiz_page(attempt, refused, 422)
    flash(_("答案已保存。") if not problems else _("部分答案格式有误，未保存。"), "success")
    return redirect(url_for(".attempt", attempt_id=attempt.id))


@bp.post("/attempts/<lms_id:attempt_id>/submit")
@requires(*LEARNERS)
def submit(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if attempt.status == "open" and not attempts.is_expired(attempt):
        refused = field_problems(request.form, attempt.responses)
        if refused:  # nothing is graded: the learner fixes the marked questions first
            attempts.save_answers(attempt, raw_answers(request.form, attempt.responses))
            return _quiz_page(attempt, refused, 422)
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
    staff = current_staff()
    history = attempts.attempts_of(staff, course)
    latest = max((a.id for a in history), default=attempt.id) == attempt.id
    allowed = attempts.eligibility_of(staff, course)
    return render_template(
        "lms/quiz/result.html",
        attempt=attempt,
        course=course,
        items=items,
        answers=answers,
        wrong=sum(1 for item in items if item["score"] < 1),
        latest=latest,
        allowed=allowed,
        refusal=None if allowed.allowed else attempts.refusal_message(course, allowed),
        completion=catalog.completion_of(staff, course),
        form=FlaskForm(),
    )
