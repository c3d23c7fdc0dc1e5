"""HTML error pages in the product's style, in the reader's language, for LMS pages only.

Handlers go into the application's error-handler table under the LMS blueprints' names, so they
answer failures raised in LMS views and nothing else; routing failures (an unknown path, a wrong
method) never reach a blueprint, so one ``before_request`` answers those under the LMS prefix,
unless the host has its own page for that failure. A host's own error pages are never changed,
and the JSON API keeps its JSON errors (``lms.api.errors``).
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, current_app, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from lms.i18n import lazy_gettext as _l
from lms.i18n import template_helpers

PAGES = {
    400: (
        _l("请求无效"),
        _l("页面可能已经过期，或者提交的内容不完整。请返回上一页，刷新后再试一次。"),
    ),
    401: (_l("需要登录"), _l("请先登录，再打开这个页面。")),
    403: (
        _l("没有权限"),
        _l("您的账号没有打开这个页面的权限。如果您认为需要，请联系培训管理员或人力资源部。"),
    ),
    404: (_l("找不到页面"), _l("这个页面不存在，或者已经被移走。请检查网址，或从首页重新进入。")),
    405: (_l("不支持的操作"), _l("这个页面不接受这种请求。请返回上一页，按页面上的按钮操作。")),
    413: (_l("文件太大"), _l("上传的内容超过了允许的大小。请拆分或压缩后再上传。")),
    500: (
        _l("出错了"),
        _l("服务器处理请求时出错，您的操作没有保存。请稍后再试；如果一直出错，请联系管理员。"),
    ),
}


def _in_lms(path: str) -> bool:
    prefix = current_app.config["LMS_URL_PREFIX"].rstrip("/")
    api = prefix + "/api/v1"
    inside = path == prefix or path.startswith(prefix + "/")
    return inside and not (path == api or path.startswith(api + "/"))


def error_page(exc: HTTPException) -> tuple[str, int, dict[str, str]]:
    """The product's page for ``exc``; the reader's language, the status code kept."""
    status = exc.code or 500
    title, message = PAGES.get(status, PAGES[500])
    headers: dict[str, str] = {}
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    context = template_helpers() | {"status": status, "title": title, "message": message}
    if status >= 500:
        # The database may be what failed: render without asking it who is logged in.
        from lms.db import session

        try:
            session.rollback()
        except Exception:
            current_app.logger.exception("Rollback failed")
        context["lms_bare"] = True
    return render_template("lms/error.html", **context), status, headers


def _handle(exc: HTTPException):
    if exc.code is None or exc.code < 400 or exc.response is not None:
        return exc  # a redirect, or a view that built its own response
    return error_page(exc)


def _host_handles(exc: HTTPException) -> bool:
    """Whether the host registered its own page for this failure (app-wide, by code or class)."""
    spec = current_app.error_handler_spec.get(None) or {}
    for code in (exc.code, None):
        handlers = spec.get(code) or {}
        if any(isinstance(exc, cls) for cls in handlers):
            return True
    return False


def _routing_failure():
    exc = request.routing_exception
    if exc is None or isinstance(exc, RequestRedirect) or not isinstance(exc, HTTPException):
        return None
    if not _in_lms(request.path) or _host_handles(exc):
        return None  # Flask (and the host's own page, if it has one) answers as before
    return error_page(exc)


def register_error_pages(app: Flask, blueprint_names: Iterable[str]) -> None:
    """Error pages for the named LMS blueprints, plus routing failures under the LMS prefix."""
    for name in blueprint_names:
        for status in PAGES:
            # Straight into the app's table: the blueprints are module-level objects shared by
            # every app, and Flask refuses changes to a blueprint once it has been registered.
            app.error_handler_spec[name][status][_exception_class(status)] = _handle
    app.before_request_funcs.setdefault(None, []).insert(0, _routing_failure)


def _exception_class(status: int) -> type[HTTPException]:
    from werkzeug.exceptions import default_exceptions

    return default_exceptions.get(status, InternalServerError)
