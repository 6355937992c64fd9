"""The Flask application: `create_app(config)` builds it over one index.

Configuration, later wins: defaults, the environment (MIZAN_INDEX, MIZAN_API_TOKEN,
MIZAN_CORS_ORIGINS), then the mapping given. Keys:
    INDEX         the index directory (local backend)
    BACKEND       local or opensearch (MIZAN_BACKEND; OpenSearch's own settings: MIZAN_OPENSEARCH_*)
    API_TOKEN     bearer token for POST/DELETE /api/documents; writes are off without one
    CORS_ORIGINS  origins allowed to call /api/ from a browser (none by default; "*" for any)

Pages (web/pages.py) and the API (web/api.py) call the same view functions
(web/views.py): each builds one dict that a template renders or the API returns.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

from search.backends import backend_name
from search.engine import SearchEngine
from web.api import api
from web.assets import init_app
from web.errors import register_error_handlers
from web.holder import EXTENSION, EngineHolder
from web.pages import pages

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 8 * 1024 * 1024  # a POST of documents larger than this is refused with 413

# No inline or third-party script or style; images only from here and data: (the SVG timeline is inline markup).
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
# On every response, the app's and the ones gunicorn writes itself (web/worker.py).
SECURITY_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def _settings(config: Mapping[str, Any] | None) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "INDEX": "mizan-index",
        "BACKEND": None,
        "API_TOKEN": None,
        "CORS_ORIGINS": (),
        "MAX_CONTENT_LENGTH": MAX_BODY_BYTES,
        "JSON_SORT_KEYS": False,
    }
    env = os.environ
    if env.get("MIZAN_INDEX"):
        settings["INDEX"] = env["MIZAN_INDEX"]
    if env.get("MIZAN_API_TOKEN"):
        settings["API_TOKEN"] = env["MIZAN_API_TOKEN"]
    if env.get("MIZAN_CORS_ORIGINS"):
        settings["CORS_ORIGINS"] = tuple(o.strip() for o in env["MIZAN_CORS_ORIGINS"].split(",") if o.strip())
    settings.update(config or {})
    if isinstance(settings["CORS_ORIGINS"], str):
        settings["CORS_ORIGINS"] = (settings["CORS_ORIGINS"],)
    return settings


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)  # web/assets.py serves the static files
    app.config.update(_settings(config))
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    backend = backend_name(app.config["BACKEND"])
    app.config["BACKEND"] = backend
    app.extensions[EXTENSION] = EngineHolder(Path(app.config["INDEX"]), lambda index: SearchEngine.open(index, backend))

    app.register_blueprint(api)
    app.register_blueprint(pages)
    register_error_handlers(app)
    app.after_request(_headers)
    init_app(app)  # hashed static files and gzip of text responses
    return app


def _headers(response: Response) -> Response:
    h = response.headers
    h.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    for name, value in SECURITY_HEADERS:
        h[name] = value
    if request.path.startswith("/api/"):
        h.setdefault("Cache-Control", "no-store")
        _cors(response)
    return response


def _cors(response: Response) -> None:
    from flask import current_app

    allowed = current_app.config["CORS_ORIGINS"]
    origin = request.headers.get("Origin")
    if not allowed or not origin:
        return
    if "*" in allowed:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Vary"] = "Origin"
    else:
        return
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, DELETE, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
