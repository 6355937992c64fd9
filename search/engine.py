"""Queries in, ranked passages out: validation, sub-queries, fusion, paging, highlights.

`SearchEngine.search` returns the one result shape that the CLI (`mizan search --json`)
and the API print:
    {"query", "mode", "total", "total_near", "page", "k",
     "results": [{"doc_id", "passage_id", "title", "outlet", "published", "url",
                  "score", "text", "near", "highlights": [[start, end], ...]}]}
Highlights are [start, end) offsets into the raw passage `text`: whole words
(with their harakat and attached «ال»/«و») whose stem a query term has.

`total` is honest: the passages that hold the query's words, plus (hybrid) `total_near`,
those without them that only its meaning found — among the dense candidates, at an e5
cosine of at least SEMANTIC_FLOOR; a result is `near` when it is one of them. Every
passage is a dense candidate, so counting them all would report the whole index.
A dense-only search reports the passages it searched.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from search.arabic import STOPWORDS, search_terms, tokenize
from search.backends import open_backend
from search.backends.base import Backend, Hits
from search.fusion import FusionMode, Ranked, fuse
from search.models import Document
from search.query import MAX_K, MAX_PAGE, MAX_QUERY_CHARS, Query, QueryError, SearchMode
from search.query_encoder import query_vector

log = logging.getLogger(__name__)

__all__ = ["MAX_K", "MAX_PAGE", "MAX_QUERY_CHARS", "Query", "QueryError", "SearchEngine", "SearchMode"]

HYBRID_DEPTH = 100  # candidates each sub-query brings to fusion (at least; deeper pages ask for more)
HYBRID_WEIGHTS = (0.5, 0.5)  # lexical, dense
# bench/semantic_floor.py: 95% of gold passages reach it (fit on ARCD-train, 95.4% on XQuAD-ar)
# while about 1% of the other passages do.
SEMANTIC_FLOOR = 0.81


def highlight_spans(text: str, query: str) -> list[list[int]]:
    """[start, end) spans of the words of `text` that match a query term, on the raw text."""
    wanted = set(search_terms(query))
    if not wanted:
        return []
    return [[t.raw_start, t.raw_end] for t in tokenize(text) if t.text not in STOPWORDS and t.stem in wanted]


class SearchEngine:
    """Search over one backend (the local index by default)."""

    def __init__(self, backend: Backend):
        self.backend = backend

    @classmethod
    def open(cls, index_dir: Path | str, backend: str | None = None) -> SearchEngine:
        """The engine over the local index at `index_dir`, or over OpenSearch (`backend`, else $MIZAN_BACKEND)."""
        return cls(open_backend(backend, index_dir))

    def fusion(self, query: Query) -> FusionMode:
        if query.fusion is not None:
            return query.fusion
        default: FusionMode = getattr(self.backend, "default_fusion", FusionMode.MINMAX)
        return default

    def close(self) -> None:
        self.backend.close()

    def _dense_model(self) -> str | None:
        return getattr(self.backend, "dense_model", None)

    def _query_vector(self, text: str) -> np.ndarray:
        model = self._dense_model()
        if model is None:
            raise QueryError("this index has no passage vectors (indexed with --no-embed); use --mode bm25")
        return query_vector(model, text)

    def similarities(self, text: str, passage_ids: list[str]) -> dict[str, float]:
        """The semantic similarity (e5 cosine) of each passage to `text`; empty where the index has
        no vectors or the backend cannot say (the answer layer then goes without)."""
        own = getattr(self.backend, "similarities", None)
        if own is None or self._dense_model() is None:
            return {}
        sims: dict[str, float] = own(self._query_vector(text), passage_ids)
        return sims

    def _hits(self, query: Query, depth: int) -> tuple[Hits, set[str]]:
        """The ranked passages, with an honest total, and the ones only the meaning found (hybrid)."""
        if query.mode is SearchMode.BM25:
            return self.backend.lexical(query.text, depth, query.filters), set()
        vector = self._query_vector(query.text)
        if query.mode is SearchMode.DENSE:
            return self.backend.dense(vector, depth, query.filters), set()
        wide = max(depth, HYBRID_DEPTH)
        in_backend = getattr(self.backend, "hybrid", None)
        if in_backend is not None:  # OpenSearch fuses in its search pipeline, with the same formulas
            fused: Hits = in_backend(query.text, vector, depth, query.filters, self.fusion(query))
            words, near = self._counts(query, vector)
            return Hits(fused.ids, fused.scores, words + len(near)), near
        lexical = self.backend.lexical(query.text, wide, query.filters)
        dense = self.backend.dense(vector, wide, query.filters)
        ranked = fuse(
            [Ranked(lexical.ids, lexical.scores), Ranked(dense.ids, dense.scores)], self.fusion(query), HYBRID_WEIGHTS
        )
        words, near = self._counts(query, vector, lexical, dense)
        return Hits([pid for pid, _ in ranked], [score for _, score in ranked], words + len(near)), near

    def _counts(
        self, query: Query, vector: np.ndarray, lexical: Hits | None = None, dense: Hits | None = None
    ) -> tuple[int, set[str]]:
        """How many passages hold the query's words, and which ones without them its meaning found: among
        the top HYBRID_DEPTH dense candidates, at a cosine of at least SEMANTIC_FLOOR."""
        if lexical is None:
            lexical = self.backend.lexical(query.text, HYBRID_DEPTH, query.filters)
        if dense is None:
            dense = self.backend.dense(vector, HYBRID_DEPTH, query.filters)
        matched = set(lexical.ids)
        others = [pid for pid in dense.ids[:HYBRID_DEPTH] if pid not in matched]
        own = getattr(self.backend, "similarities", None)
        sims: dict[str, float] = own(vector, others) if own is not None and others else {}
        near = [pid for pid in others if sims.get(pid, -1.0) >= SEMANTIC_FLOOR]
        if near and lexical.total > len(lexical.ids):  # past the lexical depth a candidate may still hold the words
            holding = getattr(self.backend, "holding_words", None)
            if holding is not None:  # the index's postings say (tokenising each passage cost 100 ms a search)
                have = holding(query.text, near)
                near = [pid for pid in near if pid not in have]
            else:
                passages = self.backend.get_passages(near)
                near = [p.passage_id for p in passages if not highlight_spans(p.text, query.text)]
        return lexical.total, set(near)

    def search(self, query: Query, *, highlights: bool = True, depth: int | None = None) -> dict:
        """One page of results; without `highlights` their "highlights" lists are left empty
        (for callers that show only some of them: see `highlight`). With `depth`, the top `depth`
        passages as one page, past the page size a user may ask for (the answer layer reads them all)."""
        query = query.validated()
        refresh = getattr(self.backend, "refresh", None)
        if refresh is not None:
            refresh()
        if query.mode is SearchMode.HYBRID and self._dense_model() is None:
            log.info("no passage vectors in this index: hybrid search falls back to bm25")
            query = Query(query.text, query.k, query.page, SearchMode.BM25, query.filters, query.fusion)
        size, start = (depth, 0) if depth is not None else (query.k, (query.page - 1) * query.k)
        hits, near = self._hits(query, start + size)
        page_ids = hits.ids[start : start + size]
        page_scores = hits.scores[start : start + size]
        passages = {p.passage_id: p for p in self.backend.get_passages(page_ids)}
        documents: dict[str, Document | None] = {}
        results: list[dict] = []
        for pid, score in zip(page_ids, page_scores, strict=True):
            passage = passages.get(pid)
            if passage is None:
                continue
            if passage.doc_id not in documents:
                documents[passage.doc_id] = self.backend.get_document(passage.doc_id, with_passages=False)
            doc = documents[passage.doc_id]
            results.append(
                {
                    "doc_id": passage.doc_id,
                    "passage_id": pid,
                    "title": doc.title if doc else None,
                    "outlet": doc.outlet if doc else None,
                    "published": doc.published.isoformat() if doc and doc.published else None,
                    "date_estimated": bool(doc and doc.date_estimated),
                    "url": doc.url if doc else None,
                    "score": round(float(score), 6),
                    "text": passage.text,
                    "near": pid in near,
                    "highlights": [],
                }
            )
        if highlights:
            self.highlight(results, query.text)
        return {
            "query": query.text,
            "mode": query.mode.value,  # the mode that ran (hybrid falls back to bm25 without vectors)
            "total": hits.total,
            "total_near": len(near),
            "page": query.page,
            "k": query.k,
            "results": results,
        }

    def highlight(self, results: list[dict], query_text: str) -> None:
        """Fill each result's "highlights" with the raw spans of the words that match the query:
        the backend's own highlighter where it has one (OpenSearch), else ours (search.arabic)."""
        theirs = getattr(self.backend, "highlights", None)
        found = theirs(query_text, [r["passage_id"] for r in results]) if theirs and results else {}
        for r in results:
            r["highlights"] = found.get(r["passage_id"]) or highlight_spans(r["text"], query_text)
