"""Reading where a request wants to go: a same-site path to return to, a list's page number.

Both come from the client, so both are checked: an open redirect or an OFFSET no database holds
is what an unchecked value becomes.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import request, url_for


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
