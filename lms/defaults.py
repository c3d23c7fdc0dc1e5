"""Every ``LMS_*`` setting with its default, in one table that ``LMS.init_app`` applies with
``setdefault``: a host sets only what it changes, and every key is in its config after ``init_app``.
What the keys mean: the docstring of :class:`lms.extension.LMS` (core, certificates, login),
:mod:`lms.plan.config` (plan, mail) and :class:`lms.quizzes.lint.LintSettings` (the bank linter).

Two defaults depend on the application and are computed in ``init_app``: ``LMS_CONTENT_DIR`` (the
content that comes with the package) and ``LMS_SQLITE_PRAGMAS`` (on when the plugin made the engine).
"""

from __future__ import annotations

from typing import Any

DEFAULTS: dict[str, Any] = {
    # core
    "LMS_URL_PREFIX": "/lms",
    "LMS_SEEDS_DIR": None,
    "LMS_LOGIN_URL": None,
    "LMS_SQLITE_BUSY_TIMEOUT_MS": 10_000,
    "LMS_ORGANISATION": "明礼培训",
    "LMS_MAX_IMPORT_BYTES": 2 * 1024 * 1024,
    "LMS_MAX_REQUEST_BYTES": 512 * 1024,
    "LMS_MAX_FORM_PARTS": 2000,
    "LMS_IMPORT_MAX_QUESTIONS": 5_000,
    "LMS_IMPORT_MAX_SECONDS": 20,  # under gunicorn's 30 s
    "LMS_IMPORT_MAX_ROWS": 60_000,
    "LMS_CERT_TEMPLATES_DIR": None,
    "LMS_CERT_TEMPLATE": "default",
    "LMS_CERT_ORGANISATION": None,
    "LMS_CERT_LOGO": None,
    "LMS_CERT_SIGNATORY_NAME": "",
    "LMS_CERT_SIGNATORY_TITLE": "培训负责人",
    "LMS_CERT_BASE_URL": None,
    "LMS_CERT_ALLOWED_HOSTS": (),
    "LMS_CERT_SERIAL_PREFIX": "MLC",
    "LMS_CERT_TIMEZONE": "Asia/Shanghai",
    "LMS_CERT_RENEWAL_DAYS": 60,
    "LMS_LOGIN_MAX_FAILURES": 5,
    "LMS_LOGIN_WINDOW_MINUTES": 15,
    "LMS_LOGIN_DELAY_SECONDS": 30,
    "LMS_SESSION_HOURS": 12,
    "LMS_PASSWORD_HASH": "scrypt",
    "LMS_INVITE_HOURS": 14 * 24,  # an activation slip or reset link stays valid this long
    "LMS_DEFAULT_LOCALE": "zh_CN",
    "LMS_CHECK_TYPOGRAPHY": True,
    # training plan and its e-mail (lms.plan.config)
    "LMS_PLAN_DUE_SOON_DAYS": 14,
    "LMS_PLAN_WINDOW_DAYS": 60,
    "LMS_PLAN_EXPIRING_DAYS": 60,
    "LMS_PLAN_REMIND_BEFORE_DAYS": (30, 7, 1, 0),
    "LMS_PLAN_REMIND_OVERDUE_EVERY_DAYS": 7,
    "LMS_PLAN_REMIND_MANAGER": True,
    "LMS_PLAN_HR_EMAILS": (),
    "LMS_PLAN_SITE_URL": None,
    "LMS_PLAN_SELF_SIGNOFF": False,
    "LMS_PLAN_SIGNOFF_MAX_AGE_DAYS": 365,
    "LMS_MAIL_HOST": "localhost",
    "LMS_MAIL_PORT": 25,
    "LMS_MAIL_USERNAME": None,
    "LMS_MAIL_PASSWORD": None,
    "LMS_MAIL_USE_TLS": False,
    "LMS_MAIL_USE_SSL": False,
    "LMS_MAIL_SENDER": "mingli@localhost",
    "LMS_MAIL_TIMEOUT": 30,
    # the bank linter (lms.quizzes.lint.LintSettings)
    "LMS_LINT_SINGLE_LONGEST_MAX": 0.35,
    "LMS_LINT_OPTION_SPREAD_MAX": 3.0,
    "LMS_LINT_TRUE_SHARE_MIN": 0.35,
    "LMS_LINT_TRUE_SHARE_MAX": 0.65,
    "LMS_LINT_SCENARIO_LONGEST_MAX": 0.45,
    "LMS_LINT_BLIND_GUESS_MAX": 0.40,
    "LMS_LINT_CLONE_RATIO": 0.8,
    "LMS_LINT_LEAK_MIN_CHARS": 4,
    "LMS_LINT_QUOTE_OVERLAP_MIN": 0.3,
}
