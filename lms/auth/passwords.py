"""How passwords are hashed, in one place: the method is a setting so the test suite can pick a cheap
one (thousands of logins), while a production app refuses to start with a weak one."""

from __future__ import annotations

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash

DEFAULT_METHOD = "scrypt"
# OWASP's 2023 figure for PBKDF2-HMAC-SHA256; werkzeug's own default is higher still.
MIN_PBKDF2_ITERATIONS = 600_000

_dummy_hashes: dict[str, str] = {}


def hash_method() -> str:
    """``LMS_PASSWORD_HASH`` of the current app (werkzeug's method string), else scrypt."""
    if has_app_context():
        return current_app.config.get("LMS_PASSWORD_HASH") or DEFAULT_METHOD
    return DEFAULT_METHOD


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=hash_method())


def check_password(password_hash: str, password: str) -> bool:
    return check_password_hash(password_hash, password)


def check_dummy(password: str) -> None:
    """Check ``password`` against a hash of nothing, with the current method, so that a login for an
    unknown account costs the same one hash comparison as a real one."""
    method = hash_method()
    if method not in _dummy_hashes:
        _dummy_hashes[method] = generate_password_hash("mingli-no-such-account", method=method)
    check_password_hash(_dummy_hashes[method], password)


def weak_method_problem(method: str) -> str | None:
    """Why a production app must not hash passwords with ``method``, or ``None`` when it may."""
    name, _, args = method.partition(":")
    if name == "scrypt":
        n = args.split(":")[0] if args else ""
        if n and (not n.isdigit() or int(n) < 2**15):
            return f"password hash {method!r} is weak: scrypt needs n ≥ 32768 (LMS_PASSWORD_HASH)"
        return None
    if name == "pbkdf2":
        parts = args.split(":")
        iterations = parts[1] if len(parts) > 1 else ""
        if iterations and (not iterations.isdigit() or int(iterations) < MIN_PBKDF2_ITERATIONS):
            return (
                f"password hash {method!r} is weak: pbkdf2 needs ≥ {MIN_PBKDF2_ITERATIONS} "
                "iterations (LMS_PASSWORD_HASH)"
            )
        return None
    return f"password hash {method!r}: use scrypt or pbkdf2 (LMS_PASSWORD_HASH)"
