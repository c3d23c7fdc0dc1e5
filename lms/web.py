"""Mounting the plugin's blueprints under the configured prefix."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app

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


def register_blueprints(app: Flask, prefix: str) -> None:
    from lms.audit.views import bp as audit_bp
    from lms.auth.views import bp as auth_bp
    from lms.courses.views import bp as courses_bp
    from lms.quizzes.attempt_views import bp as quiz_bp
    from lms.quizzes.views import bp as trainer_bp
    from lms.staff.views import bp as staff_bp

    for blueprint in (ui, auth_bp, courses_bp, quiz_bp, trainer_bp, staff_bp, audit_bp):
        app.register_blueprint(blueprint, url_prefix=prefix)
