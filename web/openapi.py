"""The OpenAPI 3.1 description of /api/ (served at /api/openapi.json).

Schemas are JSON Schema 2020-12, so tests validate real responses against them, and a
test checks that the app's routes and this description name the same paths and methods.
"""

from __future__ import annotations

from functools import cache

from search.engine import MAX_K, MAX_PAGE, MAX_QUERY_CHARS, SEMANTIC_FLOOR

_REF = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": _REF + name}


_NUMBER = {"type": ["number", "null"]}
_TEXT = {"type": ["string", "null"]}
_SPAN = {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2}
_QUALIFIERS = ["exact", "approx", "at_least", "at_most", "range", "vague"]
# the honest count of a search or an answer (search/engine.py)
_TOTALS = {
    "total": {
        "type": "integer",
        "description": "passages that hold the query's words, plus total_near (dense: passages searched)",
    },
    "total_near": {
        "type": "integer",
        "description": f"passages without the words found by meaning (e5 cosine >= {SEMANTIC_FLOOR} among candidates)",
    },
}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": required or list(properties)}


_FIGURE = {
    "value_low": _NUMBER,
    "value_high": _NUMBER,
    "qualifier": {"enum": _QUALIFIERS},
    "unit": _TEXT,
    "noun": _TEXT,
    "category": _TEXT,
    "subject": _TEXT,
    "claimant": _TEXT,
    "denied": {"type": "boolean"},
    "sentence": {"type": "string"},
    "span": _SPAN,
    "sentence_span": _SPAN,
}

SCHEMAS: dict[str, dict] = {
    "Error": _object(
        {"error": _object({"code": {"type": "string"}, "message": {"type": "string"}})},
    ),
    "SearchResult": _object(
        {
            "doc_id": {"type": "string"},
            "passage_id": {"type": "string"},
            "title": _TEXT,
            "outlet": _TEXT,
            "published": {"type": ["string", "null"], "format": "date"},
            "date_estimated": {"type": "boolean", "description": "the page printed no date: published was read off it"},
            "url": _TEXT,
            "score": {"type": "number"},
            "text": {"type": "string"},
            "near": {"type": "boolean", "description": "found by its meaning alone: none of the query's words"},
            "highlights": {"type": "array", "items": _SPAN, "description": "[start, end) offsets into text"},
        }
    ),
    "Search": _object(
        {
            "query": {"type": "string"},
            "mode": {"enum": ["hybrid", "bm25", "dense"], "description": "the mode that ran"},
            **_TOTALS,
            "page": {"type": "integer"},
            "k": {"type": "integer"},
            "results": {"type": "array", "items": _ref("SearchResult")},
        }
    ),
    "AnswerFigure": _object(
        {
            **_FIGURE,
            "outlet": _TEXT,
            "published": {"type": ["string", "null"], "format": "date"},
            "date_estimated": {"type": "boolean", "description": "the page printed no date: published was read off it"},
            "doc_id": {"type": "string"},
            "passage_id": {"type": "string"},
            "title": _TEXT,
        }
    ),
    "FigureGroup": _object(
        {
            "value_low": _NUMBER,
            "value_high": _NUMBER,
            "qualifier": {"enum": _QUALIFIERS},
            "label": {"type": "string", "description": "the value as an Arabic reader writes it"},
            "unit": _TEXT,
            "claimants": {"type": "array", "items": {"type": "string"}, "description": "who says it, each once"},
            "outlets": {"type": "array", "items": {"type": "string"}, "description": "the outlets that reported it"},
            "independent_reports": {
                "type": "integer",
                "description": "reporting outlets, a wire story and its copies counted once",
            },
            "support": {"type": "integer", "description": "independent reports plus distinct claimants"},
            "first_published": {"type": ["string", "null"], "format": "date"},
            "last_published": {"type": ["string", "null"], "format": "date"},
            "figures": {"type": "array", "items": _ref("AnswerFigure")},
        }
    ),
    "Answer": _object(
        {
            "question": {"type": "string"},
            "status": {"enum": ["conflict", "agreed", "no_figures", "not_a_count_question"]},
            "conflict": {"type": "boolean"},
            "understood": {"type": ["object", "null"], "description": "what the question asks to count"},
            "groups": {"type": "array", "items": _ref("FigureGroup")},
            **_TOTALS,
            "page": {"type": "integer"},
            "k": {"type": "integer"},
            "passages": {"type": "array", "items": _ref("SearchResult")},
        }
    ),
    "DocumentFigure": _object({**_FIGURE, "label": {"type": "string"}}),
    "Document": _object(
        {
            "doc_id": {"type": "string"},
            "title": _TEXT,
            "outlet": _TEXT,
            "agency": _TEXT,
            "published": {"type": ["string", "null"], "format": "date"},
            "date_estimated": {"type": "boolean", "description": "the page printed no date: published was read off it"},
            "url": _TEXT,
            "text": {"type": "string"},
            "passages": {
                "type": "array",
                "items": _object(
                    {
                        "passage_id": {"type": "string"},
                        "ordinal": {"type": "integer"},
                        "start": {"type": "integer"},
                        "end": {"type": "integer"},
                        "text": {"type": "string"},
                        "figures": {"type": "array", "items": _ref("DocumentFigure")},
                    }
                ),
            },
        }
    ),
    "Health": _object(
        {
            "status": {"const": "ok"},
            "backend": {"type": "string"},
            "model": {**_TEXT, "description": "embedding model of the passage vectors; null without vectors"},
            "default_model": {"type": "string"},
            "index": {"type": "object", "description": "counts, outlets, date span and versions (mizan info --json)"},
        }
    ),
    "NewDocument": {
        "type": "object",
        "description": "The fields JSON Lines ingestion reads: text (or content, body, article), title, "
        "url, outlet (or source), published (or date), agency, id.",
        "properties": {
            "text": {"type": "string"},
            "title": {"type": "string"},
            "url": {"type": "string"},
            "outlet": {"type": "string"},
            "published": {"type": "string"},
            "agency": {"type": "string"},
            "id": {"type": "string"},
        },
    },
    "AddedDocuments": _object(
        {
            "documents": {
                "type": "array",
                "items": _object(
                    {
                        "source_key": _TEXT,
                        "status": {"enum": ["added", "replaced", "unchanged", "duplicate", "skipped"]},
                        "doc_id": _TEXT,
                        "message": _TEXT,
                    }
                ),
            },
            "added": {"type": "integer"},
            "replaced": {"type": "integer"},
            "unchanged": {"type": "integer"},
            "duplicates": {"type": "integer"},
            "passages_added": {"type": "integer"},
            "skipped": {"type": "integer"},
        }
    ),
    "Deleted": _object({"deleted": {"type": "string"}}),
}


def _param(name: str, schema: dict, description: str, required: bool = False, where: str = "query") -> dict:
    return {"name": name, "in": where, "required": required, "schema": schema, "description": description}


_QUERY_PARAMS = [
    _param("q", {"type": "string", "maxLength": MAX_QUERY_CHARS}, "words or a question", required=True),
    _param("k", {"type": "integer", "minimum": 1, "maximum": MAX_K, "default": 10}, "results per page"),
    _param("page", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}, "page of results"),
    _param(
        "mode", {"enum": ["hybrid", "bm25", "dense"], "default": "hybrid"}, "hybrid falls back to bm25 without vectors"
    ),
    _param("fusion", {"enum": ["minmax", "rrf"]}, "how hybrid fuses: minmax locally, rrf on OpenSearch by default"),
    {
        **_param("outlet", {"type": "array", "items": {"type": "string"}}, "only these outlets (repeat)"),
        "explode": True,
    },
    _param("from", {"type": "string", "format": "date"}, "published on or after (YYYY-MM-DD)"),
    _param("to", {"type": "string", "format": "date"}, "published on or before (YYYY-MM-DD)"),
]
_DOC_ID = _param("doc_id", {"type": "string"}, "a document id from a search result", required=True, where="path")


def _json(schema: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _errors(*statuses: int) -> dict:
    words = {
        400: "a bad parameter or body",
        401: "missing or wrong bearer token",
        403: "writes are off (no MIZAN_API_TOKEN on the server)",
        404: "unknown document",
        413: "query over the length limit, or body too large",
        415: "body is not JSON",
        503: "the index is missing, from another version, or busy",
    }
    return {str(s): _json("Error", words[s]) for s in statuses}


_BEARER: list[dict[str, list[str]]] = [{"bearer": []}]


@cache
def openapi() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Mizan",
            "version": "1",
            "description": "Arabic news search that answers count questions with every figure the sources give.",
        },
        "paths": {
            "/api/search": {
                "get": {
                    "operationId": "search",
                    "summary": "Ranked passages (the shape `mizan search --json` prints)",
                    "parameters": _QUERY_PARAMS,
                    "responses": {"200": _json("Search", "one page of results"), **_errors(400, 413, 503)},
                }
            },
            "/api/answer": {
                "get": {
                    "operationId": "answer",
                    "summary": "Every figure the sources give for a count question, grouped (as `mizan ask --json`)",
                    "parameters": _QUERY_PARAMS,
                    "responses": {"200": _json("Answer", "the answer and the passages"), **_errors(400, 413, 503)},
                }
            },
            "/api/documents": {
                "post": {
                    "operationId": "addDocuments",
                    "summary": "Add documents; searchable on return",
                    "security": _BEARER,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "oneOf": [
                                        _ref("NewDocument"),
                                        {"type": "array", "items": _ref("NewDocument")},
                                        _object({"documents": {"type": "array", "items": _ref("NewDocument")}}),
                                    ]
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json("AddedDocuments", "at least one document was added"),
                        "200": _json("AddedDocuments", "nothing new: every document was already there"),
                        **_errors(400, 401, 403, 413, 415, 503),
                    },
                }
            },
            "/api/documents/{doc_id}": {
                "get": {
                    "operationId": "getDocument",
                    "summary": "A document with its passages and their figures",
                    "parameters": [_DOC_ID],
                    "responses": {"200": _json("Document", "the document"), **_errors(404, 503)},
                },
                "delete": {
                    "operationId": "deleteDocument",
                    "summary": "Remove a document",
                    "security": _BEARER,
                    "parameters": [_DOC_ID],
                    "responses": {"200": _json("Deleted", "removed"), **_errors(401, 403, 404, 503)},
                },
            },
            "/api/health": {
                "get": {
                    "operationId": "health",
                    "summary": "Index statistics, embedding model and backend",
                    "responses": {"200": _json("Health", "the server can search"), **_errors(503)},
                }
            },
            "/api/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This description",
                    "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {}}}},
                }
            },
        },
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
