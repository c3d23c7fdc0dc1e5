"""Mounting the plugin's blueprints under the configured prefix."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, Flask, current_app, redirect, request, session
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter, Map
from werkzeug.wrappers import Response

import lms.i18n as i18n
from lms import days
from lms.auth.access import public
from lms.auth.identity import current_staff
from lms.navigation import same_site

# Carries the package's templates (namespaced lms/…, so a host can override one) and static files.
ui = Blueprint(
    "lms", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)


@ui.app_context_processor
def inject_staff() -> dict:
    return {"lms_staff": current_staff, "lms_own_login": _own_login}


@ui.app_template_filter("lms_time")
def show_time(moment: datetime | None, seconds: bool = False) -> str:
    """Every time in the UI on one clock, the organisation's (``LMS_CERT_TIMEZONE``)."""
    return days.show_time(moment, seconds=seconds)


def _own_login() -> bool:
    return current_app.extensions["lms"].user_adapter is None


@ui.post("/language")
@public
def set_language() -> Response:
    """The language switch in the header: the choice is kept in the session, then back to the page."""
    choice = request.form.get("locale")
    if FlaskForm().validate_on_submit() and choice in i18n.SUPPORTED:
        session[i18n.SESSION_KEY] = choice
    return redirect(same_site(request.form.get("next")))


class RecordIdConverter(IntegerConverter):
    """``<lms_id:…>``: a number too large for an integer column is a 404, not a database error."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=2**31 - 1)


def register_blueprints(app: Flask, prefix: str) -> None:
    from lms.admin.views import bp as audit_bp
    from lms.api import register_api
    from lms.auth.views import bp as auth_bp
    from lms.certificates.views import bp as certificates_bp
    from lms.error_pages import register_error_pages
    from lms.invitations.views import bp as invitations_bp
    from lms.learner.views import bp as courses_bp
    from lms.plan.reports import person_plan
    from lms.plan.views import bp as plan_bp
    from lms.quizzes.attempt_views import bp as quiz_bp
    from lms.quizzes.import_views import bp as question_import_bp
    from lms.quizzes.views import bp as trainer_bp
    from lms.staff.views import bp as staff_bp
    from lms.staff.views import show_plan_with

    show_plan_with(person_plan)  # the person page's plan section comes from the plan, above staff

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
        invitations_bp,
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
