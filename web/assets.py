"""Static files under content-hashed names, cached for a year, and gzip for every text response.

`mizan.css` is served as `/static/mizan.<hash>.css` with `Cache-Control: immutable`: a new
release changes the name, so a browser never keeps a stale copy and never asks again for a
current one. The plain name still answers (`no-cache`, with an ETag) for links from outside.
The files are read once, when the app is built, and kept with their gzipped bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, Flask, Response, abort, current_app, request, url_for

FOLDER = Path(__file__).parent / "static"
LONG_CACHE = "public, max-age=31536000, immutable"
COMPRESSIBLE = {
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
}
MIN_GZIP_BYTES = 512  # below this the gzip header costs more than it saves
EXTENSION = "mizan.assets"

assets = Blueprint("assets", __name__)


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes | None
    mimetype: str
    digest: str


class Assets:
    def __init__(self, folder: Path = FOLDER):
        self.files: dict[str, Asset] = {}
        self.hashed: dict[str, str] = {}  # hashed name → plain name
        self.names: dict[str, str] = {}  # plain name → hashed name
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()[:12]
            mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            packed = gzip.compress(body, 9, mtime=0) if _compressible(mimetype) else None
            self.files[path.name] = Asset(
                body, packed if packed and len(packed) < len(body) else None, mimetype, digest
            )
            hashed = f"{path.stem}.{digest}{path.suffix}"
            self.hashed[hashed] = path.name
            self.names[path.name] = hashed

    def url(self, name: str) -> str:
        return url_for("assets.static", filename=self.names[name])


def _compressible(mimetype: str) -> bool:
    return mimetype in COMPRESSIBLE


def _accepts_gzip() -> bool:
    return "gzip" in request.headers.get("Accept-Encoding", "").lower()


@assets.get("/static/<path:filename>")
def static(filename: str) -> Response:
    store: Assets = current_app.extensions[EXTENSION]
    plain = store.hashed.get(filename, filename)
    asset = store.files.get(plain)
    if asset is None:
        abort(404)
    gzipped = asset.gzipped is not None and _accepts_gzip()
    response = Response(asset.gzipped if gzipped else asset.body, mimetype=asset.mimetype)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    if asset.gzipped is not None:
        response.headers["Vary"] = "Accept-Encoding"
    if filename in store.hashed:
        response.headers["Cache-Control"] = LONG_CACHE
    else:
        response.headers["Cache-Control"] = "no-cache"
        response.set_etag(asset.digest + ("-gz" if gzipped else ""))
        response.make_conditional(request)
    response.direct_passthrough = False
    return response


def compress(response: Response) -> Response:
    """Gzip a text response for a client that accepts it (after_request)."""
    if (
        response.direct_passthrough
        or response.is_streamed
        or "Content-Encoding" in response.headers
        or response.mimetype not in COMPRESSIBLE
        or not 200 <= response.status_code < 600
        or request.method == "HEAD"
    ):
        return response
    response.vary.add("Accept-Encoding")
    if not _accepts_gzip():
        return response
    body = response.get_data()
    if len(body) < MIN_GZIP_BYTES:
        return response
    response.set_data(gzip.compress(body, 6))
    response.headers["Content-Encoding"] = "gzip"
    return response


def init_app(app: Flask) -> None:
    store = Assets()
    app.extensions[EXTENSION] = store
    app.register_blueprint(assets)
    app.add_template_global(store.url, "asset")
    app.after_request(compress)
