"""One error shape: `{"error": {"code", "message"}}` for the API, an HTML page for the browser.

The message says what to do; no stack trace ever leaves the server (it is logged).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from search.errors import (
    BackendError,
    BackendUnavailable,
    IndexBusy,
    IndexingFailed,
    IndexNotFound,
    IndexVersionMismatch,
    MizanError,
    NotAnIndex,
)

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can fix (or wait out); raised by views, rendered per surface."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


# Werkzeug's own errors (unknown route, wrong method, body too large) get our codes and words.
_HTTP = {
    400: ("bad_request", "the request could not be read; check its parameters and body"),
    401: ("unauthorized", "send Authorization: Bearer <token> (the server's MIZAN_API_TOKEN)"),
    404: ("not_found", "no such page or route; see /api/openapi.json for the routes"),
    405: ("method_not_allowed", "this route does not take that method; see /api/openapi.json"),
    413: ("too_large", "the request body is too large; send fewer documents at a time"),
    415: ("unsupported_media_type", "send the body as JSON (Content-Type: application/json)"),
}


def from_mizan_error(exc: MizanError) -> ApiError:
    """Errors of the index itself: the server is fine, the index needs attention."""
    if isinstance(exc, IndexBusy):
        return ApiError(503, "index_busy", str(exc))
    if isinstance(exc, BackendUnavailable):
        return ApiError(503, "backend_unavailable", str(exc))
    if isinstance(exc, BackendError | IndexingFailed):
        return ApiError(502, "backend_error", str(exc))
    if isinstance(exc, IndexNotFound | NotAnIndex | IndexVersionMismatch):
        return ApiError(503, "index_unavailable", str(exc))
    return ApiError(400, "bad_request", str(exc))


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/export/answer.json"


def error_response(err: ApiError) -> tuple[Response | str, int]:
    if wants_json():
        response = jsonify({"error": {"code": err.code, "message": err.message}})
        if err.status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="mizan"'
        return response, err.status
    return render_template("error.html", error=err), err.status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):  # type: ignore[no-untyped-def]
        return error_response(err)

    @app.errorhandler(MizanError)
    def _mizan_error(exc: MizanError):  # type: ignore[no-untyped-def]
        return error_response(from_mizan_error(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):  # type: ignore[no-untyped-def]
        status = exc.code or 500
        code, message = _HTTP.get(status, ("http_error", exc.description or "request failed"))
        response, status = error_response(ApiError(status, code, message))
        if status == 405 and isinstance(response, Response) and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response, status

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):  # type: ignore[no-untyped-def]
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(
            ApiError(500, "internal_error", "something went wrong on the server; it has been logged, try again")
        )
