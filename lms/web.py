"""Mounting the plugin's blueprints under the configured prefix."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, current_app, redirect, request, session, url_for
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

import lms.i18n as i18n
from lms.auth.access import public
from lms.auth.identity import current_staff

# Carries the package's templates (namespaced lms/…, so a host can override one) and static files.
ui = Blueprint(
    "lms", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)


@ui.app_context_processor
def inject_staff() -> dict:
    return {"lms_staff": current_staff, "lms_own_login": _own_login}


def _own_login() -> bool:
    return current_app.extensions["lms"].user_adapter is None


def same_site(target: str | None) -> str:
    """A path on this site to go back to; anything else (``//host``, ``/\\host``, a scheme) is refused.

    Browsers drop tabs and newlines inside URLs and read ``\\`` as ``/``, so those are refused too.
    """
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not any(c == "\\" or c.isspace() or not c.isprintable() for c in target)
        and not urlsplit(target).netloc
    ):
        return target
    return url_for("lms_courses.dashboard")


@ui.post("/language")
@public
def set_language() -> Response:
    """The language switch in the header: the choice is kept in the session, then back to the page."""
    choice = request.form.get("locale")
    if FlaskForm().validate_on_submit() and choice in i18n.SUPPORTED:
        session[i18n.SESSION_KEY] = choice
    return redirect(same_site(request.form.get("next")))


MAX_PAGE = 1_000_000  # far past any list's end, and small enough for any database's OFFSET


def page_number(name: str = "page") -> int:
    """A list's ``?page=``: 1 when missing or not a whole number, at most :data:`MAX_PAGE`.

    ``?page=1e20`` or a hundred digits once reached the database as an OFFSET it cannot hold.
    """
    try:
        page = int(request.args.get(name, "1"))
    except ValueError:
        return 1
    return min(max(page, 1), MAX_PAGE)


class RecordIdConverter(IntegerConverter):
    """``<lms_id:…>``: a number too large for an integer column is a 404, not a database error."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def register_blueprints(app: Flask, prefix: str) -> None:
    from lms.api import register_api
    from lms.audit.views import bp as audit_bp
    from lms.auth.views import bp as auth_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.courses.views import bp as courses_bp
    from lms.error_pages import register_error_pages
    from lms.plan.views import bp as plan_bp
    from lms.quizzes.attempt_views import bp as quiz_bp
    from lms.quizzes.import_views import bp as question_import_bp
    from lms.quizzes.views import bp as trainer_bp
    from lms.staff.views import bp as staff_bp

    app.url_map.converters["lms_id"] = RecordIdConverter
    pages = (
        ui,
        auth_bp,
        courses_bp,
        quiz_bp,
        trainer_bp,
        question_import_bp,
        staff_bp,
        plan_bp,
        certificates_bp,
        audit_bp,
    )
    for blueprint in pages:
        app.register_blueprint(blueprint, url_prefix=prefix)
    register_api(app, prefix)
    from lms.csrf import protect_blueprints
    from lms.security import limit_blueprints

    limit_blueprints(app, [bp.name for bp in pages] + ["lms_api"])
    protect_blueprints(app, [bp.name for bp in pages])  # the API checks session callers itself
    # _, gettext, ngettext for the LMS's templates only: a host's own ``_`` keeps its meaning.
    for blueprint in pages:
        app.template_context_processors[blueprint.name].append(i18n.template_helpers)
    register_error_pages(app, [bp.name for bp in pages])
