"""Every LMS view declares who may use it; the role-matrix test reads these declarations.

``@requires("trainer", "admin")`` admits staff holding any of those roles; ``owner="employee_no"``
also admits the person whose record the URL names. ``@public`` marks pages anyone may see.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app, redirect, request, url_for

from lms.auth.identity import current_staff
from lms.auth.models import ROLES

F = TypeVar("F", bound=Callable[..., Any])
ANY_STAFF = frozenset(ROLES)
# Every staff role may learn: trainers, HR and admins take courses too.
LEARNERS = tuple(ROLES)


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    owner: str | None = None  # URL argument holding the employee number that may also enter
    public: bool = False

    def allows(self, roles: frozenset[str], employee_no: str | None, view_args: dict) -> bool:
        if self.public or roles & self.roles:
            return True
        return bool(self.owner and employee_no and view_args.get(self.owner) == employee_no)


def requires(*roles: str, owner: str | None = None) -> Callable[[F], F]:
    unknown = set(roles) - ANY_STAFF
    if unknown:
        raise ValueError(f"unknown role(s) {unknown}")
    access = Access(roles=frozenset(roles), owner=owner)

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            staff = current_staff()
            if staff is None:
                return _login_required()
            if not access.allows(staff.roles, staff.employee_no, kwargs):
                abort(403)
            return view(*args, **kwargs)

        wrapped.lms_access = access  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


def public(view: F) -> F:
    view.lms_access = Access(roles=frozenset(), public=True)  # type: ignore[attr-defined]
    return view


def _login_required() -> Any:
    state = current_app.extensions["lms"]
    if request.blueprint and request.blueprint.startswith("lms_api"):
        abort(401)
    login_url = current_app.config["LMS_LOGIN_URL"]
    if state.user_adapter is None:
        return redirect(url_for("lms_auth.login", next=request.full_path.rstrip("?")))
    if login_url:
        return redirect(login_url)
    abort(401)
