"""The JSON API under /api/ (described by /api/openapi.json, web/openapi.py)."""

from __future__ import annotations

import hmac
import json
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify, request

from indexer.pipeline import add_records, index_records, remove_documents
from web import views
from web.errors import ApiError
from web.holder import holder
from web.openapi import openapi

api = Blueprint("api", __name__, url_prefix="/api")

MAX_DOCUMENTS_PER_POST = 1000
# Characters of text (every string field together): one document at the cap is about 300 passages,
# embedded in seconds; a post at the cap keeps its client waiting about a minute on 2 CPU cores.
MAX_DOCUMENT_CHARS = 200_000
MAX_POST_CHARS = 1_000_000


@api.get("/search")
def search() -> Response:
    return jsonify(views.search(request.args))


@api.get("/answer")
def answer() -> Response:
    return jsonify(views.answer(request.args))


@api.get("/documents/<doc_id>")
def document(doc_id: str) -> Response:
    return jsonify(views.document(doc_id))


@api.get("/health")
def health() -> Response:
    return jsonify(views.health())


@api.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(openapi())


def _authorise() -> None:
    token = current_app.config.get("API_TOKEN")
    if not token:
        raise ApiError(
            403, "writes_disabled", "adding and removing documents is off; start the server with MIZAN_API_TOKEN set"
        )
    given = request.headers.get("Authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode(), str(token).encode()):
        raise ApiError(401, "unauthorized", "send Authorization: Bearer <token> with the server's MIZAN_API_TOKEN")


def _records() -> list[dict]:
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type", "send the documents as JSON (Content-Type: application/json)")
    try:
        body = json.loads(_body())
    except (ValueError, RecursionError):  # not UTF-8 JSON, or [[[[…]]]] deeper than the parser goes
        body = None
    if body is None:
        raise ApiError(
            400, "invalid_json", "the body is not valid UTF-8 JSON; send an object, a list, or {documents: [...]}"
        )
    if isinstance(body, dict) and isinstance(body.get("documents"), list):
        body = body["documents"]
    records = body if isinstance(body, list) else [body]
    if not records:
        raise ApiError(400, "no_documents", "the body holds no documents")
    if len(records) > MAX_DOCUMENTS_PER_POST:
        raise ApiError(
            413, "too_many_documents", f"{len(records)} documents; send at most {MAX_DOCUMENTS_PER_POST} per request"
        )
    for n, record in enumerate(records):
        if not isinstance(record, dict):
            raise ApiError(400, "bad_document", f"documents[{n}] is not a JSON object")
        field = _unpaired_surrogate(record)
        if field is not None:
            # JSON allows "\ud800" escapes that no UTF-8 text can hold: refuse them here, not as a 500 in the store
            raise ApiError(400, "bad_text", f"documents[{n}].{field} holds an unpaired surrogate (\\ud800–\\udfff)")
    sizes = [_characters(record) for record in records]
    for n, size in enumerate(sizes):
        if size > MAX_DOCUMENT_CHARS:
            raise ApiError(
                413, "document_too_large", f"documents[{n}] holds {size:,} characters; at most {MAX_DOCUMENT_CHARS:,}"
            )
    if sum(sizes) > MAX_POST_CHARS:
        raise ApiError(
            413, "too_large", f"{sum(sizes):,} characters in one post; send at most {MAX_POST_CHARS:,} at a time"
        )
    return records


def _characters(value: object) -> int:
    """Characters in every string of a JSON value."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_characters(v) for v in value.values())
    if isinstance(value, list):
        return sum(_characters(v) for v in value)
    return 0


def _body() -> bytes:
    """The posted bytes, at most MAX_CONTENT_LENGTH of them, and all that Content-Length announced."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    # A chunked body has no Content-Length for Flask to refuse it by: the stream stops at the limit,
    # so a body that fills it is taken as one that goes past it.
    data = request.stream.read(limit + 1)
    if len(data) >= limit:
        raise ApiError(
            413, "too_large", f"the body is over {limit // (1024 * 1024)} MB; send fewer documents at a time"
        )
    expected = request.content_length
    if expected is not None and len(data) < expected:  # web/worker.py stops waiting for a silent client
        raise ApiError(
            400, "incomplete_body", f"the body ended after {len(data)} of the {expected} bytes its Content-Length gave"
        )
    return data


def _unpaired_surrogate(value: object, path: str = "") -> str | None:
    """The path of the first string in `value` that cannot be encoded as UTF-8, or None."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path or "value"
        return None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        found = _unpaired_surrogate(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


@api.post("/documents")
def add_documents() -> tuple[Response, int]:
    _authorise()
    records = _records()
    if current_app.config["BACKEND"] == "local":
        report, outcomes = index_records(records, Path(holder().index_dir))
    else:
        with holder().engine() as engine:
            report, outcomes = add_records(records, engine.backend)
    stored = [o for o in outcomes if o.status != "skipped"]
    if not stored:
        raise ApiError(
            400, "no_text", "no document had text (fields: text, content, body, article…); nothing was added"
        )
    body = {
        "documents": [o.__dict__ for o in outcomes],
        "added": report.documents_added - report.documents_replaced,
        "replaced": report.documents_replaced,
        "unchanged": report.documents_unchanged,
        "duplicates": report.duplicates_exact + report.duplicates_near,
        "passages_added": report.passages_added,
        "skipped": len(outcomes) - len(stored),
    }
    return jsonify(body), 201 if report.documents_added else 200


@api.delete("/documents/<doc_id>")
def delete_document(doc_id: str) -> Response:
    _authorise()
    if current_app.config["BACKEND"] == "local":
        removed = remove_documents([doc_id], Path(holder().index_dir))
    else:
        with holder().engine() as engine:
            removed = engine.backend.delete([doc_id])
    if not removed:
        raise ApiError(404, "unknown_document", f"no document {doc_id!r} in this index; nothing was removed")
    return jsonify({"deleted": doc_id})
