"""The browser pages: home, results (answer card + passages), document, and the answer's export."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, render_template, request

from search.query import MAX_QUERY_CHARS
from web import counting, render, views
from web.card import claimants_line
from web.params import query_text

pages = Blueprint("pages", __name__)

# A spreadsheet runs a cell starting with one of these as a formula: prefix it with a quote.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@pages.app_template_filter("arabic_date")
def _arabic_date(value: str | None) -> str:
    return render.arabic_date(value)


@pages.app_context_processor
def _helpers() -> dict:
    return {
        "marked": render.marked,
        "snippet": render.snippet,
        "timeline_svg": render.timeline_svg,
        "claimants_line": claimants_line,
        "count": counting.count,
        "PASSAGE": counting.PASSAGE,
        "OTHER": counting.OTHER,
        "NEAR": counting.NEAR,
    }


@pages.get("/")
def home() -> str:
    if request.args.get("q", "").strip():
        return results()
    return render_template("home.html", examples=views.EXAMPLE_QUESTIONS)


def _link(**changes: object) -> str:
    """The current page's query string with some parameters changed (None removes one)."""
    args = request.args.copy()
    for name, value in changes.items():
        args.pop(name, None)
        if value is None:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            args.add(name, str(item))
    return "?" + urlencode(list(args.items(multi=True)))


@pages.get("/search")
def results() -> str:
    query_text(request.args)  # a missing or over-long q is an error page, before any search runs
    data = views.results_page(request.args)
    return render_template("results.html", **data, q=data["query"].text, link=_link, args=request.args)


@pages.get("/documents/<doc_id>")
def document(doc_id: str) -> str:
    doc = views.document(doc_id)
    q = " ".join(request.args.get("q", "").split())[:MAX_QUERY_CHARS]  # where the reader came from
    return render_template("document.html", doc=doc, q=q)


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _attachment(question: str, ext: str) -> str:
    """Content-Disposition for an export: the question's words and today's date as its name
    (RFC 6266: an ASCII fallback, then the Arabic name in UTF-8)."""
    words = re.findall(r"\w+", question)
    stem = "-".join(words)[:80].strip("-") or "answer"
    day = date.today().isoformat()
    name = f"mizan-{stem}-{day}.{ext}"
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "-", name)
    fallback = fallback if stem.isascii() else f"mizan-answer-{day}.{ext}"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


@pages.get("/export/answer.csv")
def export_csv() -> Response:
    table = views.export(request.args)
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read UTF-8 Arabic only with the byte-order mark
    writer = csv.DictWriter(out, fieldnames=views.FIGURE_COLUMNS)
    writer.writeheader()
    for row in table["figures"]:
        writer.writerow({k: _cell(v) for k, v in row.items()})
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": _attachment(table["question"], "csv")},
    )


@pages.get("/export/answer.json")
def export_json() -> Response:
    table = views.export(request.args)
    return Response(
        json.dumps(table, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": _attachment(table["question"], "json")},
    )
