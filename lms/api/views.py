"""The learner JSON API under ``<LMS_URL_PREFIX>/api/v1``: thin views over the course and quiz services.

Callers authenticate with a bearer token (``flask lms token create``) or the browser session.
Session calls that change something need the CSRF token (``X-CSRFToken`` header); calls made with
a valid bearer token are exempt, since a browser never adds that header on its own.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, url_for
from werkzeug.exceptions import BadRequest, NotFound

from lms.api import learning, tokens
from lms.api.certificates import verify_certificate as verify_serial
from lms.api.errors import ApiError, api_prefix, register_error_handlers
from lms.api.openapi import openapi_document
from lms.auth.access import LEARNERS, public, requires
from lms.auth.identity import current_staff
from lms.courses import catalog
from lms.courses.models import Course, Lesson
from lms.csrf import protect as csrf_protect
from lms.db import session
from lms.i18n import _
from lms.quizzes import attempts
from lms.quizzes.models import Attempt

bp = Blueprint("lms_api", __name__)
register_error_handlers(bp)


@bp.record_once
def _exempt_from_blanket_csrf(state: Any) -> None:
    """The app-wide CSRF check would refuse token calls; ``_csrf_for_sessions`` checks instead."""
    csrf = state.app.extensions.get("csrf")
    if csrf is not None:
        csrf.exempt(bp)


@bp.before_request
def _csrf_for_sessions() -> None:
    """Session-authenticated writes need the CSRF token; only a valid bearer token is exempt.

    A request identifying no one is left to its view, which answers 401: there is no session for
    a forged request to borrow.
    """
    config = current_app.config
    if request.method not in config.get("WTF_CSRF_METHODS", ("POST", "PUT", "PATCH", "DELETE")):
        return
    if not config.get("WTF_CSRF_ENABLED", True):
        return
    if tokens.authenticated_by_token() or current_staff() is None:
        return
    csrf_protect()


def _course(slug: str) -> Course:
    try:
        return catalog.course_or_404(slug)
    except NotFound:
        raise ApiError(404, "course_not_found", _("没有这门课程：%(slug)s。", slug=slug)) from None


def _lesson(course: Course, lesson_slug: str) -> Lesson:
    try:
        return catalog.lesson_or_404(course, lesson_slug)
    except NotFound:
        raise ApiError(
            404, "lesson_not_found", _("本课程没有这一课：%(slug)s。", slug=lesson_slug)
        ) from None


def _own_attempt(attempt_id: int) -> Attempt:
    """Attempts are private: only the person who took one may open it."""
    attempt = session.get(Attempt, attempt_id)
    if attempt is None:
        raise ApiError(404, "attempt_not_found", _("没有编号为 %(id)s 的测验。", id=attempt_id))
    if attempt.staff_id != current_staff().id:
        raise ApiError(403, "forbidden", _("这不是您的测验。"))
    return attempt


def _json_object() -> dict[str, Any]:
    if not request.is_json:
        raise ApiError(
            415, "unsupported_media_type", _("请求体须为 JSON(Content-Type: application/json)。")
        )
    try:
        body = request.get_json()
    except (BadRequest, RecursionError):  # RecursionError: nested deeper than the reader goes
        raise ApiError(400, "invalid_json", _("请求体不是有效的 JSON。")) from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_body", _("请求体须为 JSON 对象。"))
    return body


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(openapi_document(request.script_root + api_prefix()))


@bp.get("/me")
@requires(*LEARNERS)
def me():
    return jsonify(learning.staff_json(current_staff()))


@bp.get("/courses")
@requires(*LEARNERS)
def courses():
    return jsonify(courses=learning.courses_json(current_staff()))


@bp.get("/courses/<slug>")
@requires(*LEARNERS)
def course(slug: str):
    return jsonify(learning.course_json(current_staff(), _course(slug)))


@bp.get("/courses/<slug>/lessons/<lesson_slug>")
@requires(*LEARNERS)
def lesson(slug: str, lesson_slug: str):
    course = _course(slug)
    lesson = _lesson(course, lesson_slug)
    return jsonify(learning.lesson_json(current_staff(), course, lesson))


@bp.post("/courses/<slug>/lessons/<lesson_slug>/view")
@requires(*LEARNERS)
def view_lesson(slug: str, lesson_slug: str):
    """A GET never writes: a client says it showed the lesson with this POST."""
    course = _course(slug)
    lesson = _lesson(course, lesson_slug)
    staff = current_staff()
    catalog.record_view(staff, lesson)
    return jsonify(learning.lesson_progress_json(staff, course, lesson))


@bp.post("/courses/<slug>/lessons/<lesson_slug>/complete")
@requires(*LEARNERS)
def complete_lesson(slug: str, lesson_slug: str):
    course = _course(slug)
    lesson = _lesson(course, lesson_slug)
    staff = current_staff()
    catalog.mark_complete(staff, lesson)
    return jsonify(learning.lesson_progress_json(staff, course, lesson))


@bp.post("/courses/<slug>/attempts")
@requires(*LEARNERS)
def start_attempt(slug: str):
    course = _course(slug)
    staff = current_staff()
    try:
        attempt, created = attempts.begin(staff, course)
    except attempts.CompletionRequired as exc:
        raise ApiError(
            409,
            "completion_required",
            str(exc),
            **learning.completion_json(exc.completion),
        ) from None
    except attempts.AttemptRefused as exc:
        raise ApiError(409, "attempt_refused", str(exc)) from None
    response = jsonify(learning.attempt_json(attempt, course))
    response.status_code = 201 if created else 200
    response.headers["Location"] = url_for(".attempt", attempt_id=attempt.id)
    return response


@bp.get("/attempts/<lms_id:attempt_id>")
@requires(*LEARNERS)
def attempt(attempt_id: int):
    attempt = _own_attempt(attempt_id)  # a GET writes nothing: an expired one waits for submit
    return jsonify(learning.attempt_json(attempt, session.get(Course, attempt.course_id)))


@bp.put("/attempts/<lms_id:attempt_id>/answers/<int:position>")
@requires(*LEARNERS)
def save_answer(attempt_id: int, position: int):
    attempt = _own_attempt(attempt_id)
    body = _json_object()
    if "answer" not in body:
        raise ApiError(422, "invalid_body", _('请求体须含 "answer"(清空答案用 null)。'))
    response = next((r for r in attempt.responses if r.position == position), None)
    if response is None:
        raise ApiError(
            404, "question_not_found", _("本次测验没有第 %(position)s 题。", position=position)
        )
    try:
        problems = attempts.save_answers(attempt, {position: body["answer"]})
    except attempts.AttemptClosed as exc:
        raise ApiError(409, "attempt_closed", str(exc)) from None
    if position in problems:
        raise ApiError(
            422, "invalid_answer", _("答案格式有误：%(problem)s", problem=problems[position])
        )
    return jsonify(learning.question_json(response))


@bp.post("/attempts/<lms_id:attempt_id>/submit")
@requires(*LEARNERS)
def submit_attempt(attempt_id: int):
    attempt = attempts.submit(_own_attempt(attempt_id))
    return jsonify(learning.attempt_summary(attempt, session.get(Course, attempt.course_id)))


@bp.get("/attempts/<lms_id:attempt_id>/result")
@requires(*LEARNERS)
def attempt_result(attempt_id: int):
    attempt = _own_attempt(attempt_id)
    if attempt.status != "graded":
        raise ApiError(409, "not_graded", _("测验尚未提交，提交后才能查看结果与正确答案。"))
    return jsonify(learning.result_json(attempt, session.get(Course, attempt.course_id)))


@bp.get("/certificates/<serial>/verify")
@public
def verify_certificate(serial: str):
    return jsonify(verify_serial(serial))
