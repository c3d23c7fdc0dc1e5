"""JSON errors for the API: ``{"error": "<stable code>", "message": "<human text>"}``, never HTML.

Handlers sit on the API blueprint, plus one app-wide ``before_request`` that answers routing
failures (unknown path, wrong method) under the API prefix only, since Flask does not send those
to blueprint handlers. The host's own error pages are never touched.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import RequestRedirect

from lms.db import session
from lms.i18n import _, _l

# Stable codes for plain HTTP failures; specific failures raise ApiError with their own code.
CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "too_many_requests",
    500: "internal_error",
}
MESSAGES = {
    400: _l("请求格式有误。"),
    401: _l("请先登录，或提供有效的访问令牌。"),
    403: _l("无权访问。"),
    404: _l("找不到请求的资源。"),
    405: _l("该地址不支持此请求方法。"),
    409: _l("当前状态下不能执行此操作。"),
    413: _l("请求内容过大。"),
    415: _l("请求内容须为 JSON(Content-Type: application/json)。"),
    422: _l("请求内容无效。"),
    429: _l("请求过于频繁，请稍后再试。"),
    500: _l("服务器内部错误。"),
}


class ApiError(Exception):
    """A failure with its own stable code, raised by API views and turned into JSON."""

    def __init__(self, status: int, error: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.details = details


def error_response(
    status: int, error: str | None = None, message: str | None = None, **details: Any
) -> Response:
    body: dict[str, Any] = {
        "error": error or CODES.get(status, "error"),
        "message": str(message or MESSAGES.get(status) or _("请求失败。")),
    }
    if details:
        body["details"] = details
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lms"'
    return response


def api_prefix() -> str:
    return current_app.config["LMS_URL_PREFIX"].rstrip("/") + "/api/v1"


def _in_api(path: str) -> bool:
    prefix = api_prefix()
    return path == prefix or path.startswith(prefix + "/")


def register_error_handlers(bp: Blueprint) -> None:
    @bp.errorhandler(ApiError)
    def _api_error(exc: ApiError) -> Response:
        return error_response(exc.status, exc.error, exc.message, **exc.details)

    @bp.errorhandler(CSRFError)
    def _csrf_error(exc: CSRFError) -> Response:
        return error_response(
            400, "csrf_failed", _("缺少或无效的 CSRF 令牌：用会话调用须带 X-CSRFToken 请求头。")
        )

    @bp.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        from lms.api.tokens import bearer_token

        status = exc.code or 500
        if status == 401 and bearer_token() is not None:
            return error_response(
                401, "invalid_token", _("访问令牌无效、已撤销，或其所属账号已停用。")
            )
        response = error_response(status)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response

    @bp.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        current_app.logger.exception("Unhandled error in %s %s", request.method, request.path)
        try:
            session.rollback()  # nothing half-written survives the failed request
        except Exception:  # the database itself may be what failed; still answer in JSON
            current_app.logger.exception("Rollback failed")
        return error_response(500)

    @bp.before_app_request
    def _routing_failure() -> Response | None:
        exc = request.routing_exception
        if exc is None or isinstance(exc, RequestRedirect) or not _in_api(request.path):
            return None
        if isinstance(exc, HTTPException):
            response = error_response(exc.code or 404)
            if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
                response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
            return response
        return None
