"""Every JSON body the OpenSearch backend sends, built by pure functions so they can be golden-tested.

Layout of the index: one OpenSearch document per passage (`_id` = passage_id, `kind` "passage"),
carrying what search and filters need of its document (doc_id, title, outlet, published), its
figures and its vector; plus one record per document (`_id` = "doc:" + doc_id, `kind`
"document") holding the document's text and metadata in an unindexed object, so the text
never counts in BM25 statistics and a document without passages still exists. Lexical and
dense queries cannot match document records (they have no searched text and no vector), so
queries need no `kind` filter.

OpenSearch versions (the oldest that runs each feature):
- index body: `knn_vector` with faiss HNSW and `innerproduct` inside `method` (2.x, any);
  `persian_normalization`, `arabic_normalization`, `decimal_digit`, stemmer `arabic` (1.0).
- knn `filter` (efficient filtering with faiss): 2.9.
- `normalization-processor` pipeline and the `hybrid` query: 2.10; `score-ranker-processor`
  (RRF): 2.19. Hybrid filters are put in each sub-query: a top-level hybrid `filter` needs 3.0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import numpy as np

from search.arabic import NORMALISER_VERSION
from search.backends.base import Filters
from search.engine import HYBRID_DEPTH, HYBRID_WEIGHTS
from search.figures import FIGURES_VERSION, Figure
from search.fusion import RRF_RANK_CONSTANT, FusionMode
from search.models import Document, Passage
from search.store import FORMAT_VERSION

MAPPING_VERSION = 1  # bump when this layout changes: existing indexes are then refused, with how to rebuild them
STEMMED = "mizan_arabic"
EXACT = "mizan_arabic_exact"
LEXICAL_FIELDS = ("title", "text", "title.exact", "text.exact")
VECTOR_FIELD = "vector"
DOC_PREFIX = "doc:"  # passage ids are "p_…" hashes (indexer/passages.py), so document records never collide
MAX_PASSAGES_PER_DOCUMENT = 10_000  # one search returns a document's passages (index.max_result_window)
FIGURE_FIELDS = tuple(f.name for f in dataclasses.fields(Figure))
HNSW_M = 16
HNSW_EF_CONSTRUCTION = 128
EF_SEARCH = HYBRID_DEPTH  # candidates kept while searching the graph: the depth the engine fuses
HIGHLIGHT_TAGS = ("\ue000", "\ue001")  # private-use characters: they cannot occur in news text

# What our normaliser (search/arabic.py) does that the token filters do not: drop superscript alef,
# Quranic marks and invisible marks (the standard tokenizer keeps bidi and zero-width marks inside
# words), fold the letters arabic_normalization and persian_normalization leave alone, and split
# lam-alef ligatures (our normaliser uses NFKC; OpenSearch has none without the ICU plugin).
_DROPPED = (
    0x0670,
    *range(0x06D6, 0x06DD),
    *range(0x06DF, 0x06E5),
    0x06E7,
    0x06E8,
    *range(0x06EA, 0x06EE),
    *range(0x200B, 0x2010),
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x061C,
    0xFEFF,
    0x00AD,
)
_FOLDED = {0x0671: "0627", 0x0672: "0627", 0x0673: "0627", 0x06D0: "064a", 0x06D2: "064a"}
_FOLDED |= {0x06C2: "0647", 0x06C3: "0647", 0x06D5: "0647"}
_LIGATURES = {0xFEF5: "0622", 0xFEF6: "0622", 0xFEF7: "0623", 0xFEF8: "0623"}
_LIGATURES |= {0xFEF9: "0625", 0xFEFA: "0625", 0xFEFB: "0627", 0xFEFC: "0627"}
CHAR_MAPPINGS = (
    [f"\\u{c:04x}=>" for c in _DROPPED]
    + [f"\\u{c:04x}=>\\u{to}" for c, to in _FOLDED.items()]
    + [f"\\u{c:04x}=>\\u0644\\u{alef}" for c, alef in _LIGATURES.items()]
)


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
    """The built-in `arabic` analyzer's chain plus persian_normalization, and an unstemmed twin.

    Light10 stemming mangles names and number words (آلاف→اف, الكوريين→كور), hence the
    unstemmed `exact` sub-fields searched beside the stemmed ones.
    """
    chain = ["lowercase", "decimal_digit", "mizan_arabic_stop", "arabic_normalization", "persian_normalization"]
    return {
        "char_filter": {"mizan_marks": {"type": "mapping", "mappings": CHAR_MAPPINGS}},
        "filter": {
            "mizan_arabic_stop": {"type": "stop", "stopwords": "_arabic_"},
            "mizan_arabic_stemmer": {"type": "stemmer", "language": "arabic"},
        },
        "analyzer": {
            STEMMED: {
                "type": "custom",
                "char_filter": ["mizan_marks"],
                "tokenizer": "standard",
                "filter": [*chain, "mizan_arabic_stemmer"],
            },
            EXACT: {"type": "custom", "char_filter": ["mizan_marks"], "tokenizer": "standard", "filter": chain},
        },
    }


def _searched_text() -> dict:
    return {"type": "text", "analyzer": STEMMED, "fields": {"exact": {"type": "text", "analyzer": EXACT}}}


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

    One shard by default: BM25 statistics and hybrid normalisation then cover the whole
    index, as in the local backend (more shards scale further but score per shard).
    """
    if (model is None) != (dimension is None):
        raise ValueError("give both the embedding model and its dimension, or neither")
    index_settings: dict = {"number_of_shards": shards, "number_of_replicas": replicas}
    properties: dict = {
        "kind": {"type": "keyword"},
        "doc_id": {"type": "keyword"},
        "passage_id": {"type": "keyword"},
        "ordinal": {"type": "integer"},
        "start": {"type": "integer", "index": False},
        "end": {"type": "integer", "index": False},
        "title": _searched_text(),
        "text": _searched_text(),
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
    """BM25 over title and text, stemmed and exact; a passage matching any term counts (OR)."""
    match = {"multi_match": {"query": text, "fields": list(LEXICAL_FIELDS), "type": "most_fields", "operator": "or"}}
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
    """The lexical query over some passages, whose whole text comes back with the matched words marked."""
    pre, post = HIGHLIGHT_TAGS
    query = {"bool": {"must": [lexical_query(text)], "filter": [{"ids": {"values": list(passage_ids)}}]}}
    return {
        "size": len(passage_ids),
        "_source": False,
        "query": query,
        "highlight": {
            "pre_tags": [pre],
            "post_tags": [post],
            "number_of_fragments": 0,  # the whole field, so marks map back to offsets in the passage
            "fields": {"text": {}, "text.exact": {}},
        },
    }


def passages_of_body(doc_id: str) -> dict:
    """A document's passages in order, without their vectors and figures."""
    return {
        "size": MAX_PASSAGES_PER_DOCUMENT,
        "query": {"bool": {"filter": [{"term": {"kind": "passage"}}, {"term": {"doc_id": doc_id}}]}},
        "sort": [{"ordinal": "asc"}],
        "_source": {"excludes": [VECTOR_FIELD, "figures"]},
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
