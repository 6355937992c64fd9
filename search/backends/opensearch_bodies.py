"""Every JSON body the OpenSearch backend sends, built by pure functions so they can be golden-tested.

Layout of the index: one OpenSearch document per passage (`_id` = passage_id, `kind` "passage"),
carrying what search and filters need of its document (doc_id, title, outlet, published), its
figures and its vector; plus one record per document (`_id` = "doc:" + doc_id, `kind`
"document") holding the document's text and metadata in an unindexed object, so the text
never counts in BM25 statistics and a document without passages still exists. Lexical search
ranks the passage's `terms` (search.arabic.search_terms of title and text, as the local BM25
indexes them) with the local BM25's k1 and b; `title` and `text` hold unstemmed words. Lexical and
dense queries cannot match document records (they have no searched text and no vector), so
queries need no `kind` filter.

OpenSearch versions (the oldest that runs each feature):
- index body: `knn_vector` with faiss HNSW and `innerproduct` inside `method` (2.x, any);
  a BM25 `similarity` with k1 and b, the `mapping` and `pattern_replace` char filters, the
  `whitespace` (with max_token_length) and `pattern` tokenizers, the `stop` and `length` filters (1.0).
- knn `filter` (efficient filtering with faiss): 2.9.
- `normalization-processor` pipeline and the `hybrid` query: 2.10; `score-ranker-processor`
  (RRF): 2.19. Hybrid filters are put in each sub-query: a top-level hybrid `filter` needs 3.0.
"""

from __future__ import annotations

import dataclasses
import functools
import unicodedata
from collections.abc import Sequence

import numpy as np

from search.arabic import COMPOSING_MARKS, NORMALISER_VERSION, STOPWORDS, fold_char, search_terms
from search.backends.base import Filters
from search.backends.local import indexed_text
from search.bm25 import BM25Params
from search.engine import HYBRID_DEPTH, HYBRID_WEIGHTS
from search.figures import FIGURES_VERSION, Figure
from search.fusion import RRF_RANK_CONSTANT, FusionMode
from search.models import Document, Passage
from search.store import FORMAT_VERSION

MAPPING_VERSION = 2  # bump when this layout changes: existing indexes are then refused, with how to rebuild them
TERMS_FIELD = "terms"  # Mizan's own terms of title + passage: the one field BM25 ranks
TERMS = "mizan_terms"  # analyzer of TERMS_FIELD: split on whitespace, nothing else
WORDS = "mizan_words"  # analyzer of title and text: our normalised words, unstemmed, at their raw offsets
SIMILARITY = "mizan_bm25"
WORD_FIELDS = ("title", "text")
VECTOR_FIELD = "vector"
DOC_PREFIX = "doc:"  # passage ids are "p_…" hashes (indexer/passages.py), so document records never collide
MAX_PASSAGES_PER_DOCUMENT = 10_000  # one search returns a document's passages (index.max_result_window)
FIGURE_FIELDS = tuple(f.name for f in dataclasses.fields(Figure))
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128
EF_SEARCH = HYBRID_DEPTH  # candidates kept while searching the graph: the depth the engine fuses
HIGHLIGHT_TAGS = ("\ue000", "\ue001")  # private-use characters: they cannot occur in news text
# Tokens longer than this are cut (whitespace) or dropped (words): at ≤ 3 UTF-8 bytes a UTF-16 unit they
# stay under Lucene's 32,766-byte term limit, which would otherwise refuse the whole passage.
MAX_TOKEN_CHARS = 8191
# search.arabic._TOKEN_RE in Java's syntax: Python's [^\W\d_] is exactly \p{L}, \p{Nl} and \p{No}
# (checked over all of Unicode in tests/test_opensearch_bodies.py).
WORD_PATTERN = r"[0-9]+(?:\.[0-9]+)*|[\p{L}\p{Nl}\p{No}]+"
# search.arabic's digit-group rule, after folding: a comma between digits goes, ٫ between digits is a point.
DIGIT_GROUP_PATTERN = "(?<=[0-9])[,\u066c](?=[0-9])"
DECIMAL_MARK_PATTERN = "(?<=[0-9])\u066b(?=[0-9])"


def _escaped(text: str) -> str:
    return "".join(f"\\u{ord(c):04x}" for c in text)


@functools.cache
def char_mappings() -> tuple[str, ...]:
    """search.arabic's folding as `mapping` char filter rules, generated from it: every BMP character our
    normaliser changes (marks dropped, letters and digits folded, presentation forms expanded, Latin,
    Greek and Cyrillic lower-cased without accents), and a hamza or madda written as a separate mark,
    which our normaliser composes with the letter before it where that changes the result."""
    rules = []
    for cp in range(0x10000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        folded = fold_char(ch)
        if folded != ch:
            rules.append(f"{_escaped(ch)}=>{_escaped(folded)}")
        for mark in COMPOSING_MARKS:
            composed = unicodedata.normalize("NFC", ch + mark)
            if len(composed) == 1 and fold_char(composed) != folded:
                rules.append(f"{_escaped(ch + mark)}=>{_escaped(fold_char(composed))}")
    return tuple(rules)


def index_meta(model: str | None, dimension: int | None) -> dict:
    """What an index was built with; an index whose meta differs from ours is refused."""
    return {
        "mizan": {
            "mapping_version": MAPPING_VERSION,
            "format_version": FORMAT_VERSION,
            "normaliser_version": NORMALISER_VERSION,
            "figures_version": FIGURES_VERSION,
            "embedding_model": model,
            "embedding_dimension": dimension,
        }
    }


def analysis_settings() -> dict:
    """Two analyzers, both built from search/arabic.py instead of Lucene's Arabic chain (light10 turns
    آلاف into اف and الكوريين into كور, DESIGN.md):

    - `mizan_terms` only splits on whitespace: the `terms` field holds what search_terms gave, so
      OpenSearch counts exactly the terms the local BM25 counts, and the query brings its own terms;
    - `mizan_words` gives our normalised, unstemmed words, stopwords out, with offsets into the raw
      text (the mapping and pattern_replace char filters correct them): names, number words and
      highlighting. bench/lucene.py checks both in Lucene itself.
    """
    return {
        "char_filter": {
            "mizan_fold": {"type": "mapping", "mappings": list(char_mappings())},
            "mizan_digit_groups": {"type": "pattern_replace", "pattern": DIGIT_GROUP_PATTERN, "replacement": ""},
            "mizan_decimal_mark": {"type": "pattern_replace", "pattern": DECIMAL_MARK_PATTERN, "replacement": "."},
        },
        "tokenizer": {
            "mizan_whitespace": {"type": "whitespace", "max_token_length": MAX_TOKEN_CHARS},
            "mizan_word_pattern": {"type": "pattern", "pattern": WORD_PATTERN, "group": 0},
        },
        "filter": {
            "mizan_stop": {"type": "stop", "stopwords": sorted(STOPWORDS)},
            "mizan_max_length": {"type": "length", "min": 1, "max": MAX_TOKEN_CHARS},
        },
        "analyzer": {
            TERMS: {"type": "custom", "tokenizer": "mizan_whitespace"},
            WORDS: {
                "type": "custom",
                "char_filter": ["mizan_fold", "mizan_digit_groups", "mizan_decimal_mark"],
                "tokenizer": "mizan_word_pattern",
                "filter": ["mizan_stop", "mizan_max_length"],
            },
        },
    }


# What OpenSearch's scores are multiplied by to read as the local engine's: Lucene's BM25 leaves out the
# constant (k1 + 1) factor of the formula, and its RRF pipeline weighs each sub-query 1.0 where ours
# weighs them HYBRID_WEIGHTS (equal, so one factor). Orders are untouched; the scores shown then agree.
BM25_SCORE_SCALE = BM25Params().k1 + 1
RRF_SCORE_SCALE = HYBRID_WEIGHTS[0]


def similarity_settings() -> dict:
    """The local engine's BM25 parameters (search.bm25.BM25Params), for the `terms` field."""
    params = BM25Params()
    return {SIMILARITY: {"type": "BM25", "k1": params.k1, "b": params.b}}


def terms_mapping() -> dict:
    # Term frequencies and norms are all BM25 reads: no positions, so no phrase queries on this field.
    return {"type": "text", "analyzer": TERMS, "similarity": SIMILARITY, "index_options": "freqs"}


def figure_mapping() -> dict:
    """Figures as nested objects: each keeps its own fields together, so per-figure queries work later."""
    keyword = {"type": "keyword"}
    integer = {"type": "integer"}
    return {
        "type": "nested",
        "properties": {
            "value_low": {"type": "double"},
            "value_high": {"type": "double"},
            "qualifier": keyword,
            "percent": {"type": "boolean"},
            "unit": keyword,
            "noun": keyword,
            "category": keyword,
            "subject": keyword,
            "claimant": keyword,
            "denied": {"type": "boolean"},
            "start": integer,
            "end": integer,
            "sentence_start": integer,
            "sentence_end": integer,
        },
    }


def vector_mapping(dimension: int) -> dict:
    """Faiss HNSW over inner products: our vectors are L2-normalised, so that is cosine similarity.

    `space_type` sits inside `method`, where every 2.x reads it (top level only from 2.17).
    """
    return {
        "type": "knn_vector",
        "dimension": dimension,
        "method": {
            "name": "hnsw",
            "engine": "faiss",
            "space_type": "innerproduct",
            "parameters": {"m": HNSW_M, "ef_construction": HNSW_EF_CONSTRUCTION},
        },
    }


def index_body(model: str | None, dimension: int | None, *, shards: int = 1, replicas: int = 0) -> dict:
    """Settings and mappings of a new index; no vector field when `model` is None (lexical only).

    One shard by default: BM25 statistics and hybrid normalisation then cover the whole index, as
    in the local backend. With more shards each scores with its own statistics unless the search
    runs as dfs_query_then_fetch, which the backend asks for (README: "OpenSearch with several shards").
    """
    if (model is None) != (dimension is None):
        raise ValueError("give both the embedding model and its dimension, or neither")
    index_settings: dict = {
        "number_of_shards": shards,
        "number_of_replicas": replicas,
        "similarity": similarity_settings(),
    }
    properties: dict = {
        "kind": {"type": "keyword"},
        "doc_id": {"type": "keyword"},
        "passage_id": {"type": "keyword"},
        "ordinal": {"type": "integer"},
        "start": {"type": "integer", "index": False},
        "end": {"type": "integer", "index": False},
        TERMS_FIELD: terms_mapping(),
        "title": {"type": "text", "analyzer": WORDS},
        "text": {"type": "text", "analyzer": WORDS},
        "outlet": {"type": "keyword"},
        "published": {"type": "date", "format": "strict_date"},
        "figures": figure_mapping(),
        # The document record: body and metadata kept for get_document, never searched.
        "document": {"type": "object", "enabled": False},
    }
    if model is not None and dimension is not None:
        index_settings["knn"] = True
        index_settings["knn.algo_param.ef_search"] = EF_SEARCH
        properties[VECTOR_FIELD] = vector_mapping(dimension)
    return {
        "settings": {"index": index_settings, "analysis": analysis_settings()},
        "mappings": {"dynamic": "strict", "_meta": index_meta(model, dimension), "properties": properties},
    }


# ---------------------------------------------------------------- records


def document_source(doc: Document) -> dict:
    """The document record: filterable fields on top, the rest in the unindexed `document` object."""
    return {
        "kind": "document",
        "doc_id": doc.doc_id,
        "outlet": doc.outlet,
        "published": doc.published.isoformat() if doc.published else None,
        "document": {
            "title": doc.title,
            "text": doc.text,
            "source_key": doc.source_key,
            "source_path": doc.source_path,
            "agency": doc.agency,
            "url": doc.url,
            "date_estimated": doc.date_estimated,
        },
    }


def passage_source(
    doc: Document, passage: Passage, figures: Sequence[Figure], vector: Sequence[float] | np.ndarray | None
) -> dict:
    """A passage record: its text with its document's title, outlet and date, its figures and its vector."""
    source: dict = {
        "kind": "passage",
        "passage_id": passage.passage_id,
        "doc_id": doc.doc_id,
        "ordinal": passage.ordinal,
        "start": passage.start,
        "end": passage.end,
        "title": doc.title,
        "text": passage.text,
        TERMS_FIELD: " ".join(search_terms(indexed_text(doc.title, passage.text))),
        "outlet": doc.outlet,
        "published": doc.published.isoformat() if doc.published else None,
        "figures": [dataclasses.asdict(f) for f in figures],
    }
    if vector is not None:
        source[VECTOR_FIELD] = _vector_list(vector)
    return source


# ---------------------------------------------------------------- search pipelines


def pipeline_names(index: str) -> dict[FusionMode, str]:
    """One pair of pipelines per index: indexes built by different Mizan versions never share one."""
    return {FusionMode.MINMAX: f"{index}-hybrid-minmax", FusionMode.RRF: f"{index}-hybrid-rrf"}


def minmax_pipeline_body(weights: Sequence[float] = HYBRID_WEIGHTS) -> dict:
    """min_max per sub-query, then the weighted arithmetic mean (OpenSearch 2.10+): search.fusion's MINMAX."""
    return {
        "description": "Mizan hybrid search: min-max normalisation, weighted arithmetic mean (lexical, dense)",
        "phase_results_processors": [
            {
                "normalization-processor": {
                    "normalization": {"technique": "min_max"},
                    "combination": {"technique": "arithmetic_mean", "parameters": {"weights": list(weights)}},
                }
            }
        ],
    }


def rrf_pipeline_body(rank_constant: int = RRF_RANK_CONSTANT) -> dict:
    """Reciprocal rank fusion (OpenSearch 2.19+): search.fusion's RRF.

    No weights: 2.19 has none for RRF (each sub-query counts 1.0); ours are equal (0.5, 0.5),
    which scales every fused score by the same factor and leaves the order alone.
    """
    return {
        "description": "Mizan hybrid search: reciprocal rank fusion",
        "phase_results_processors": [
            {"score-ranker-processor": {"combination": {"technique": "rrf", "rank_constant": rank_constant}}}
        ],
    }


# ---------------------------------------------------------------- queries


def filter_clauses(filters: Filters | None) -> list[dict]:
    """Outlets and an inclusive publication date range; an undated passage is outside any range."""
    if filters is None or filters.empty:
        return []
    clauses: list[dict] = []
    if filters.outlets:
        clauses.append({"terms": {"outlet": list(filters.outlets)}})
    if filters.date_from is not None or filters.date_to is not None:
        bounds = {}
        if filters.date_from is not None:
            bounds["gte"] = filters.date_from.isoformat()
        if filters.date_to is not None:
            bounds["lte"] = filters.date_to.isoformat()
        clauses.append({"range": {"published": bounds}})
    return clauses


def lexical_query(text: str, filters: Filters | None = None) -> dict:
    """BM25 over the `terms` field with the query's own terms (search_terms), as the local backend
    ranks: each term a SHOULD clause, a repeated one counted as often as it comes, a passage matching
    any term counts; a query of stopwords only matches nothing, as locally."""
    match = {"match": {TERMS_FIELD: {"query": " ".join(search_terms(text))}}}
    clauses = filter_clauses(filters)
    return {"bool": {"must": [match], "filter": clauses}} if clauses else match


def _vector_list(vector: Sequence[float] | np.ndarray) -> list[float]:
    return np.asarray(vector, dtype=np.float32).reshape(-1).tolist()


def dense_query(vector: Sequence[float] | np.ndarray, k: int, filters: Filters | None = None) -> dict:
    """The k nearest passages (faiss filters while searching the graph from 2.9 on)."""
    knn: dict = {"vector": _vector_list(vector), "k": k}
    clauses = filter_clauses(filters)
    if clauses:
        knn["filter"] = {"bool": {"filter": clauses}}
    return {"knn": {VECTOR_FIELD: knn}}


def _search(query: dict, size: int) -> dict:
    # Only ids and scores: the engine fetches the passages of the page it shows.
    return {"size": size, "track_total_hits": True, "_source": False, "query": query}


def lexical_body(text: str, k: int, filters: Filters | None = None) -> dict:
    return _search(lexical_query(text, filters), k)


def dense_body(vector: Sequence[float] | np.ndarray, k: int, filters: Filters | None = None) -> dict:
    return _search(dense_query(vector, k, filters), k)


def hybrid_body(
    text: str,
    vector: Sequence[float] | np.ndarray,
    k: int,
    filters: Filters | None = None,
    *,
    depth: int = HYBRID_DEPTH,
) -> dict:
    """Both sub-queries in one `hybrid` query, run with a search pipeline that fuses them.

    Each sub-query brings `max(k, depth)` candidates, as the engine's own fusion does, and
    carries the filters itself (a top-level hybrid filter needs OpenSearch 3.0).
    """
    size = max(k, depth)
    queries = [lexical_query(text, filters), dense_query(vector, size, filters)]
    return _search({"hybrid": {"queries": queries}}, size)


def highlight_body(text: str, passage_ids: Sequence[str]) -> dict:
    """Some passages, whose whole text comes back with the words of the query marked: our normalised,
    unstemmed words (`mizan_words`), so names and number words are marked as written."""
    pre, post = HIGHLIGHT_TAGS
    return {
        "size": len(passage_ids),
        "_source": False,
        "query": {"bool": {"filter": [{"ids": {"values": list(passage_ids)}}]}},
        "highlight": {
            "pre_tags": [pre],
            "post_tags": [post],
            "number_of_fragments": 0,  # the whole field, so marks map back to offsets in the passage
            "fields": {"text": {"highlight_query": {"match": {"text": text}}}},
        },
    }


def passages_of_body(doc_id: str) -> dict:
    """A document's passages in order, without their vectors and figures."""
    return {
        "size": MAX_PASSAGES_PER_DOCUMENT,
        "query": {"bool": {"filter": [{"term": {"kind": "passage"}}, {"term": {"doc_id": doc_id}}]}},
        "sort": [{"ordinal": "asc"}],
        "_source": {"excludes": [VECTOR_FIELD, "figures", TERMS_FIELD]},
    }


def mget_body(ids: Sequence[str]) -> dict:
    return {"ids": list(ids)}


def documents_query(doc_ids: Sequence[str]) -> dict:
    """Document records of some documents (to count those that exist)."""
    return {"query": {"bool": {"filter": [{"term": {"kind": "document"}}, {"terms": {"doc_id": list(doc_ids)}}]}}}


def delete_documents_body(doc_ids: Sequence[str]) -> dict:
    """Every record of some documents: their document records and passages."""
    return {"query": {"terms": {"doc_id": list(doc_ids)}}}


def stale_passages_body(doc_ids: Sequence[str], keep: Sequence[str]) -> dict:
    """Passages of re-added documents that their new version no longer has."""
    return {
        "query": {
            "bool": {
                "filter": [{"term": {"kind": "passage"}}, {"terms": {"doc_id": list(doc_ids)}}],
                "must_not": [{"ids": {"values": list(keep)}}],
            }
        }
    }


def term_weights_body(terms: Sequence[str]) -> dict:
    """How many passages hold each term (a named filter each) and how many hold any (the hits: the
    `terms` field's docCount), for BM25's idf as the local engine computes it (search.bm25)."""
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"exists": {"field": TERMS_FIELD}},
        "aggs": {"df": {"filters": {"filters": {t: {"term": {TERMS_FIELD: t}} for t in dict.fromkeys(terms)}}}},
    }


def stats_body() -> dict:
    """Counts for `stats`: documents with their outlets and dates, passages with their figures."""
    documents = {"term": {"kind": "document"}}
    passages = {"term": {"kind": "passage"}}
    return {
        "size": 0,
        "track_total_hits": True,
        "aggs": {
            "documents": {
                "filter": documents,
                "aggs": {
                    "outlets": {
                        "terms": {"field": "outlet", "size": 1000, "order": [{"_count": "desc"}, {"_key": "asc"}]}
                    },
                    "published_from": {"min": {"field": "published", "format": "strict_date"}},
                    "published_to": {"max": {"field": "published", "format": "strict_date"}},
                    "undated": {"missing": {"field": "published"}},
                },
            },
            "passages": {
                "filter": passages,
                "aggs": {"figures": {"nested": {"path": "figures"}}},
            },
        },
    }
