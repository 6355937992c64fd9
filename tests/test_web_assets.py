"""Delivery (web/assets.py): gzip for text responses, static files under content-hashed names with
a year's cache, the plain names revalidated."""

from __future__ import annotations

import gzip
import hashlib
import re

from flask.testing import FlaskClient

from web.assets import FOLDER

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"
GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_pages_and_json_are_gzipped_for_clients_that_accept_it(client: FlaskClient) -> None:
    plain = client.get("/search", query_string={"q": QUESTION})
    packed = client.get("/search", query_string={"q": QUESTION}, headers=GZIP)
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    assert packed.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed.headers["Vary"]
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 3
    for path in ("/api/answer", "/export/answer.csv", "/export/answer.json"):
        r = client.get(path, query_string={"q": QUESTION}, headers=GZIP)
        assert r.headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(r.data), path
    error = client.get("/api/search", query_string={"q": "روسيا", "page": 0}, headers=GZIP)
    assert error.status_code == 400 and error.get_json()["error"]["code"] == "bad_parameter"  # small: sent as is


def test_static_files_have_content_hashed_names_and_a_long_cache(client: FlaskClient) -> None:
    html = client.get("/").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    assert {re.sub(r"\.[0-9a-f]{12}\.", ".", link) for link in links} == {
        "/static/mizan.css",
        "/static/mizan.js",
        "/static/favicon.svg",
    }
    for link in links:
        name = re.sub(r"\.[0-9a-f]{12}\.", ".", link.rsplit("/", 1)[1])
        body = (FOLDER / name).read_bytes()
        assert hashlib.sha256(body).hexdigest()[:12] in link  # the name changes when the content does
        r = client.get(link, headers=GZIP)
        assert r.status_code == 200 and r.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        got = gzip.decompress(r.data) if r.headers.get("Content-Encoding") == "gzip" else r.data
        assert got == body
    css = client.get(next(link for link in links if link.endswith(".css")), headers=GZIP)
    assert css.headers["Content-Encoding"] == "gzip" and css.mimetype == "text/css"


def test_plain_static_names_still_answer_and_revalidate(client: FlaskClient) -> None:
    r = client.get("/static/mizan.css")
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-cache" and r.headers["ETag"]
    again = client.get("/static/mizan.css", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/static/missing.css").status_code == 404
    assert client.get("/static/../app.py").status_code == 404
