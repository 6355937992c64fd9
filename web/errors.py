"""One error shape: `{"error": {"code", "message"}}` for the API, an HTML page for the browser.

The message says what to do; no stack trace ever leaves the server (it is logged).
"""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from search.errors import (
    BackendError,
    BackendUnavailable,
    IndexBusy,
    IndexDamaged,
    IndexingFailed,
    IndexNotFound,
    IndexVersionMismatch,
    MizanError,
    NotAnIndex,
)

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error a client can fix (or wait out); raised by views, rendered per surface.

    `message` is for programs (English, in the JSON body); `arabic` is what a reader of the
    HTML page is told, defaulting to the words for its code (ARABIC).
    """

    def __init__(self, status: int, code: str, message: str, arabic: str | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.arabic = arabic or ARABIC.get(code) or _ARABIC_STATUS.get(status // 100 * 100, ARABIC["bad_request"])


# What the browser's reader is told, per code, where the raiser gave no words of its own.
ARABIC = {
    "missing_parameter": "اكتب سؤالاً أو كلمات للبحث في المربع أعلاه.",
    "bad_parameter": "في عنوان الصفحة قيمة لا نفهمها؛ ابحث من جديد من المربع أعلاه.",
    "query_too_long": "السؤال أطول مما ينبغي؛ اختصره ثم ابحث من جديد.",
    "unknown_document": "لا مقال بهذا المعرّف في الفهرس؛ لعله حُذف منه. ابحث عنه من المربع أعلاه.",
    "not_found": "لا صفحة بهذا العنوان. ابحث من المربع أعلاه أو عد إلى الصفحة الرئيسية.",
    "method_not_allowed": "لا تُطلب هذه الصفحة بهذه الطريقة.",
    "too_large": "الطلب أكبر مما يقبله الخادم.",
    "index_busy": "الفهرس مشغول بالتحديث الآن؛ أعد المحاولة بعد قليل.",
    "index_unavailable": "الفهرس غير متاح الآن؛ أعد المحاولة بعد قليل.",
    "backend_unavailable": "خادم البحث غير متاح الآن؛ أعد المحاولة بعد قليل.",
    "backend_error": "تعذّر على خادم البحث تنفيذ الطلب؛ أعد المحاولة بعد قليل.",
    "internal_error": "حدث خطأ في الخادم وسُجّل؛ أعد المحاولة بعد قليل.",
    "bad_request": "تعذّر فهم الطلب؛ ابحث من جديد من المربع أعلاه.",
}
_ARABIC_STATUS = {400: ARABIC["bad_request"], 500: ARABIC["internal_error"]}


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
    if isinstance(exc, IndexDamaged):
        return ApiError(503, "index_damaged", str(exc))
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
    return render_template("error.html", error=err, **_kept_query()), err.status


def _kept_query() -> dict[str, str | None]:
    """The query the reader typed, back in the box, and a link to its results where it is usable."""
    from search.query import MAX_QUERY_CHARS

    q = " ".join((request.args.get("q") or "").split())
    usable = bool(q) and len(q) <= MAX_QUERY_CHARS  # a bad page, size or date: the words alone are fine
    return {"q": q, "back": url_for("pages.results", q=q) if usable else None}


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
