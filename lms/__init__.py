"""Mingli (明礼): staff training and certification for Flask applications.

Embed it with ``LMS(app)``; run it on its own with ``flask --app lms run`` (``create_app``).
"""

from lms.app import create_app
from lms.auth.identity import StaffIdentity
from lms.extension import LMS
from lms.migrate import alembic_include_object

__all__ = ["LMS", "StaffIdentity", "alembic_include_object", "create_app"]
