"""The data behind every page and API route: one dict per view, rendered as HTML or returned as JSON.

`search` and `answer` return exactly what `mizan search --json` and `mizan ask --json`
print; `document` adds each passage's figures; `export` (`figure_table`) is the analysts' export.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from werkzeug.datastructures import MultiDict

from search.embeddings import DEFAULT_MODEL
from search.engine import SearchEngine
from search.figures import Figure
from search.figures.answers import answer as answer_question
from search.figures.answers import claimant_key, figure_json, label
from search.figures.questions import NotACountQuestion, parse_question
from web import params
from web.card import card
from web.errors import ApiError
from web.holder import holder

OUTLETS_TTL_S = 60.0  # the outlet list of the filter menu is read again after this long

EXAMPLE_QUESTIONS = (
    "كم عدد الجنود الكوريين الشماليين في روسيا؟",
    "كم عدد الصواريخ التي أطلقتها كوريا الشمالية؟",
    "الاتحاد الأوروبي يفرض عقوبات على روسيا",
)


def search(args: MultiDict[str, str]) -> dict:
    query = params.query(args)
    with holder().engine() as engine:
        return engine.search(query)


def answer(args: MultiDict[str, str]) -> dict:
    query = params.query(args)
    with holder().engine() as engine:
        return answer_question(engine, query)


def document(doc_id: str) -> dict:
    with holder().engine() as engine:
        doc = engine.backend.get_document(doc_id, with_passages=True)
        if doc is None:
            raise ApiError(
                404, "unknown_document", f"no document {doc_id!r} in this index; ids come from search results"
            )
        figures = engine.backend.figures([p.passage_id for p in doc.passages])
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "outlet": doc.outlet,
        "agency": doc.agency,
        "published": doc.published.isoformat() if doc.published else None,
        "date_estimated": doc.date_estimated,
        "url": doc.url,
        "text": doc.text,
        "passages": [
            {
                "passage_id": p.passage_id,
                "ordinal": p.ordinal,
                "start": p.start,
                "end": p.end,
                "text": p.text,
                "figures": [_document_figure(f, p.text) for f in figures.get(p.passage_id, [])],
            }
            for p in doc.passages
        ],
    }


def _document_figure(f: Figure, passage_text: str) -> dict:
    sentence = passage_text[f.sentence_start : f.sentence_end]
    return {**figure_json(f, sentence), "label": label(f.value_low, f.value_high, f.qualifier, sentence, f)}


def health() -> dict:
    with holder().engine() as engine:
        stats = engine.backend.stats()
        model = getattr(engine.backend, "dense_model", None)
    for private in ("index", "url"):  # where the index lives, or the cluster's address, is not the public's
        stats.pop(private, None)
    return {
        "status": "ok",
        "backend": stats.pop("backend", engine.backend.name),
        "model": model,
        "default_model": DEFAULT_MODEL,
        "index": stats,
    }


_outlets_cache: dict[str, tuple[float, list[str]]] = {}


def outlets(engine: SearchEngine) -> list[str]:
    """The outlets in the index, most documents first (for the filter menu)."""
    key = str(holder().index_dir)
    cached = _outlets_cache.get(key)
    if cached is None or time.monotonic() - cached[0] > OUTLETS_TTL_S:
        rows = engine.backend.stats()["outlets"]
        cached = (time.monotonic(), [r["outlet"] for r in rows if r["outlet"]])
        _outlets_cache[key] = cached
    return cached[1]


def results_page(args: MultiDict[str, str]) -> dict[str, Any]:
    """The results page: the answer card (on the first page of a count question) and the ranked
    passages, grouped by document. Later pages skip the answer: they show passages only."""
    query = params.query(args)
    with holder().engine() as engine:
        if query.page == 1:
            result = answer_question(engine, query)
        else:
            found = engine.search(query)
            result = {**found, "status": "passages_only", "groups": [], "passages": found["results"]}
            result["asks_count"] = _asks_count(query.text)
        choices = outlets(engine)
        agencies = _agencies(engine, [f["doc_id"] for g in result["groups"] for f in g["figures"]])
    return {
        "result": result,
        "query": query,
        "outlets": choices,
        "card": card(result),
        "documents": by_document(result["passages"]),
        "words": result["total"] - result["total_near"],
        "near": result["total_near"],
        "agencies": agencies,
    }


def _agencies(engine: SearchEngine, doc_ids: list[str]) -> dict[str, str]:
    """The agency each source card's document credits («نقلاً عن رويترز»), where it names one."""
    out = {}
    for doc_id in dict.fromkeys(doc_ids):
        doc = engine.backend.get_document(doc_id, with_passages=False)
        if doc is not None and doc.agency:
            out[doc_id] = doc.agency
    return out


def _asks_count(text: str) -> bool:
    try:
        parse_question(text)
    except NotACountQuestion:
        return False
    return True


def by_document(passages: list[dict]) -> list[dict]:
    """The page's passages, one entry per document at its best passage's place; the document's
    other passages on the page ride along as "more from this article"."""
    entries: dict[str, dict] = {}
    for p in passages:
        entry = entries.get(p["doc_id"])
        if entry is None:
            entries[p["doc_id"]] = {**p, "more": []}
        else:
            entry["more"].append(p)
    return list(entries.values())


# ---------------------------------------------------------------- export

FIGURE_COLUMNS = (
    "group",
    "group_label",
    "value_low",
    "value_high",
    "qualifier",
    "unit",
    "category",
    "subject",
    "claimant",
    "denied",
    "outlet",
    "agency",
    "published",
    "date_estimated",
    "title",
    "url",
    "sentence",
    "doc_id",
    "passage_id",
)


def export(args: MultiDict[str, str]) -> dict:
    """The answer and its figure table, each row with its document's url and credited agency."""
    query = params.query(args)
    with holder().engine() as engine:
        result = answer_question(engine, query)
        ids = list(dict.fromkeys(f["doc_id"] for g in result["groups"] for f in g["figures"]))
        docs = {i: engine.backend.get_document(i, with_passages=False) for i in ids}
    sources = {i: {"url": d.url, "agency": d.agency} for i, d in docs.items() if d is not None}
    return {"question": result["question"], "status": result["status"], "figures": figure_table(result, sources)}


def figure_table(result: dict, sources: dict[str, dict] | None = None) -> list[dict]:
    """One row per figure of an answer, its group's number and label first; a body is spelled
    one way throughout (the fullest spelling the answer gives it)."""
    spell = claimant_spelling([c for g in result["groups"] for c in g.get("claimants") or []])
    rows = []
    for n, group in enumerate(result["groups"], 1):
        for f in group["figures"]:
            row = {"group": n, "group_label": group["label"], **{c: f.get(c) for c in FIGURE_COLUMNS[2:]}}
            row.update((sources or {}).get(f["doc_id"], {}))
            row["claimant"] = spell(f["claimant"]) if f.get("claimant") else None
            rows.append(row)
    return rows


def claimant_spelling(claimants: list[str]) -> Callable[[str], str]:
    """A function giving each claimant one spelling: names whose words (claimant_key: clitics and
    spelling folded) contain one another are one body, written as its longest spelling."""
    bodies: list[tuple[set[str], str]] = []
    for c in sorted(dict.fromkeys(claimants), key=lambda c: -len(claimant_key(c).split())):
        words = set(claimant_key(c).split())
        if words and not any(words <= other for other, _ in bodies):
            bodies.append((words, c))

    def spell(claimant: str) -> str:
        words = set(claimant_key(claimant).split())
        for other, spelling in bodies:
            if words and (words <= other or other <= words):
                return spelling
        return claimant

    return spell
