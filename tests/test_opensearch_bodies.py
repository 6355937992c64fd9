"""Every body the OpenSearch backend sends, against golden files and against OpenSearch's documented API.

The golden files are the reviewed wire format: a change to a body fails here until the files are
regenerated on purpose, with
    MIZAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_opensearch_bodies.py
and the diff of tests/golden/opensearch/ read before it is committed.
"""

from __future__ import annotations

import difflib
import json
import os
import re
import unicodedata
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from search.arabic import NORMALISER_VERSION, STOPWORDS, fold_char, normalize, search_terms
from search.backends import opensearch_bodies as bodies
from search.backends.base import Filters
from search.backends.local import indexed_text
from search.bm25 import BM25Params
from search.embeddings import DEFAULT_MODEL
from search.engine import HYBRID_DEPTH, HYBRID_WEIGHTS
from search.figures import FIGURES_VERSION, Figure
from search.fusion import RRF_RANK_CONSTANT, FusionMode
from search.models import Document, Passage
from search.store import FORMAT_VERSION

GOLDEN = Path(__file__).parent / "golden" / "opensearch"
UPDATE = os.environ.get("MIZAN_UPDATE_GOLDEN") == "1"

QUERY = "الجنود الكوريين في روسيا"
VECTOR = [0.5, -0.5, 0.25, -0.75]  # a query vector cut short: bodies do not depend on the width
FILTERS = Filters(outlets=("الأفق", "الضفاف"), date_from=date(2024, 11, 1), date_to=date(2024, 12, 31))
INDEX = "mizan"

SAMPLE_DOC = Document(
    doc_id="d_troops",
    source_key="seeds/troops.txt#0",
    title="البنتاغون: عشرة آلاف جندي كوري شمالي في روسيا",
    text="قالت وزارة الدفاع الأميركية إن نحو 10 آلاف جندي كوري شمالي يتدربون في شرق روسيا.",
    outlet="الأفق",
    agency="رويترز",
    published=date(2024, 10, 28),
    url="https://example.org/troops",
    source_path="seeds/troops.txt",
)
SAMPLE_PASSAGE = Passage("p_8298c2e6ec487bda", "d_troops", 0, 0, len(SAMPLE_DOC.text), SAMPLE_DOC.text)
SAMPLE_FIGURE = Figure(
    10000.0,
    10000.0,
    "approx",
    False,
    "جندي",
    "جندي",
    None,
    "كوري شمالي",
    "وزارة الدفاع الأميركية",
    False,
    31,
    42,
    0,
    80,
)


def _search_request(mode: FusionMode) -> dict:
    return {
        "params": {"search_pipeline": bodies.pipeline_names(INDEX)[mode]},
        "body": bodies.hybrid_body(QUERY, VECTOR, 10, FILTERS),
    }


CASES: dict[str, Callable[[], object]] = {
    "index": lambda: bodies.index_body(DEFAULT_MODEL, 384),
    "index_lexical_only": lambda: bodies.index_body(None, None),
    "pipeline_minmax": bodies.minmax_pipeline_body,
    "pipeline_rrf": bodies.rrf_pipeline_body,
    "lexical": lambda: bodies.lexical_body(QUERY, 10),
    "lexical_filtered": lambda: bodies.lexical_body(QUERY, 20, FILTERS),
    "lexical_outlet_only": lambda: bodies.lexical_body(QUERY, 10, Filters(outlets=("الملعب",))),
    "dense": lambda: bodies.dense_body(VECTOR, 10),
    "dense_filtered": lambda: bodies.dense_body(VECTOR, 10, Filters(date_from=date(2024, 11, 1))),
    "hybrid_minmax": lambda: _search_request(FusionMode.MINMAX),
    "hybrid_rrf": lambda: _search_request(FusionMode.RRF),
    "highlight": lambda: bodies.highlight_body(QUERY, ["p_8298c2e6ec487bda", "p_f58bf46216ba9f27"]),
    "passages_of": lambda: bodies.passages_of_body("d_troops"),
    "mget": lambda: bodies.mget_body(["doc:d_troops", "p_8298c2e6ec487bda"]),
    "count_documents": lambda: bodies.documents_query(["d_missiles", "d_nope"]),
    "delete_documents": lambda: bodies.delete_documents_body(["d_missiles", "d_nope"]),
    "stale_passages": lambda: bodies.stale_passages_body(["d_troops"], ["p_8298c2e6ec487bda"]),
    "stats": bodies.stats_body,
    "term_weights": lambda: bodies.term_weights_body(["جنود", "كوري", "جنود"]),
    "document_record": lambda: bodies.document_source(SAMPLE_DOC),
    "passage_record": lambda: bodies.passage_source(SAMPLE_DOC, SAMPLE_PASSAGE, [SAMPLE_FIGURE], VECTOR),
}


def golden(name: str) -> object:
    return json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))


def _dump(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, indent=2) + "\n"
    return text.replace("\ue000", "\\ue000").replace("\ue001", "\\ue001")  # the highlight marks, visible


@pytest.mark.parametrize("name", sorted(CASES))
def test_body_matches_its_golden_file(name: str) -> None:
    path = GOLDEN / f"{name}.json"
    built = CASES[name]()
    if UPDATE:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        path.write_text(_dump(built), encoding="utf-8")
    how = "regenerate with MIZAN_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_opensearch_bodies.py and review the diff"
    assert path.is_file(), f"{path} is missing; {how}"
    expected = path.read_text(encoding="utf-8")
    if json.loads(expected) != json.loads(_dump(built)):
        diff = "".join(
            difflib.unified_diff(expected.splitlines(True), _dump(built).splitlines(True), str(path), "built")
        )
        pytest.fail(f"the {name} body changed; if that is deliberate, {how}:\n{diff}")


def test_every_golden_file_is_a_case() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.json")) == sorted(CASES)


# ---------------------------------------------------------------- against the documented API


def test_index_body_declares_a_faiss_hnsw_innerproduct_knn_vector() -> None:
    body = bodies.index_body(DEFAULT_MODEL, 384)
    assert body["settings"]["index"]["knn"] is True  # index.knn: true, or knn queries are refused
    vector = body["mappings"]["properties"][bodies.VECTOR_FIELD]
    assert vector["type"] == "knn_vector" and vector["dimension"] == 384
    method = vector["method"]
    assert (method["name"], method["engine"], method["space_type"]) == ("hnsw", "faiss", "innerproduct")
    assert set(method["parameters"]) == {"m", "ef_construction"}
    assert 2 <= method["parameters"]["m"] <= 100  # the documented range for m
    lexical_only = bodies.index_body(None, None)
    assert bodies.VECTOR_FIELD not in lexical_only["mappings"]["properties"]
    assert "knn" not in lexical_only["settings"]["index"]


def test_index_meta_records_our_versions_and_model() -> None:
    meta = bodies.index_body(DEFAULT_MODEL, 384)["mappings"]["_meta"]["mizan"]
    assert meta == {
        "mapping_version": bodies.MAPPING_VERSION,
        "format_version": FORMAT_VERSION,
        "normaliser_version": NORMALISER_VERSION,
        "figures_version": FIGURES_VERSION,
        "embedding_model": DEFAULT_MODEL,
        "embedding_dimension": 384,
    }


def test_lexical_ranking_reads_mizans_terms_with_the_local_bm25_parameters() -> None:
    body = bodies.index_body(None, None)
    analysis, properties = body["settings"]["analysis"], body["mappings"]["properties"]
    assert analysis["analyzer"][bodies.TERMS] == {"type": "custom", "tokenizer": "mizan_whitespace"}
    assert analysis["tokenizer"]["mizan_whitespace"]["type"] == "whitespace"
    terms = properties[bodies.TERMS_FIELD]
    assert (terms["type"], terms["analyzer"], terms["similarity"]) == ("text", bodies.TERMS, bodies.SIMILARITY)
    similarity = body["settings"]["index"]["similarity"][bodies.SIMILARITY]
    assert similarity == {"type": "BM25", "k1": BM25Params().k1, "b": BM25Params().b}
    for field in bodies.WORD_FIELDS:  # unstemmed words, for names, number words and highlights
        assert properties[field] == {"type": "text", "analyzer": bodies.WORDS}
    for field in ("outlet", "doc_id", "passage_id", "kind"):
        assert properties[field]["type"] == "keyword"
    assert properties["published"]["type"] == "date"
    assert properties["document"] == {"type": "object", "enabled": False}  # never searched


def test_a_passage_record_carries_the_terms_the_local_bm25_indexes() -> None:
    record = bodies.passage_source(SAMPLE_DOC, SAMPLE_PASSAGE, [], None)
    terms = record[bodies.TERMS_FIELD].split(" ")
    assert terms == search_terms(indexed_text(SAMPLE_DOC.title, SAMPLE_PASSAGE.text))
    assert all(t and not t.isspace() and len(t) <= bodies.MAX_TOKEN_CHARS for t in terms)
    assert "الف" in terms and "اف" not in terms  # آلاف as our stemmer reads it, not light10's اف


def test_the_word_pattern_is_our_tokeniser_in_javas_syntax() -> None:
    # Python's [^\W\d_] is exactly the letters, letter numbers and other numbers of Unicode.
    letters = re.compile(r"[^\W\d_]")
    assert bodies.WORD_PATTERN == r"[0-9]+(?:\.[0-9]+)*|[\p{L}\p{Nl}\p{No}]+"
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        assert bool(letters.fullmatch(ch)) == (unicodedata.category(ch) in ("Lu", "Ll", "Lt", "Lm", "Lo", "Nl", "No"))


def test_the_words_analyzer_is_our_normaliser_and_stopwords() -> None:
    analysis = bodies.index_body(None, None)["settings"]["analysis"]
    words = analysis["analyzer"][bodies.WORDS]
    assert words["char_filter"] == ["mizan_fold", "mizan_digit_groups", "mizan_decimal_mark"]
    assert analysis["tokenizer"][words["tokenizer"]] == {"type": "pattern", "pattern": bodies.WORD_PATTERN, "group": 0}
    assert analysis["filter"]["mizan_stop"] == {"type": "stop", "stopwords": sorted(STOPWORDS)}
    digit_groups, decimal = (analysis["char_filter"][n] for n in ("mizan_digit_groups", "mizan_decimal_mark"))
    for raw in ("10,000", "١٠٬٠٠٠", "2٫5", "1,2,3", "a,1", "1, 2"):
        folded = "".join(fold_char(c) for c in raw)
        replaced = re.sub(decimal["pattern"], decimal["replacement"], re.sub(digit_groups["pattern"], "", folded))
        assert replaced == normalize(raw)


def test_char_mappings_parse_and_fold_every_character_as_our_normaliser() -> None:
    rule = re.compile(r"((?:\\u[0-9a-f]{4})+)=>((?:\\u[0-9a-f]{4})*)")
    folds = {}
    for mapping in bodies.char_mappings():
        found = rule.fullmatch(mapping)
        assert found, f"{mapping!r} is not a mapping char filter rule"
        lhs, rhs = (bytes(part, "ascii").decode("unicode_escape") for part in found.groups())
        assert normalize(lhs) == rhs, mapping
        folds[lhs] = rhs
    sample = "الْجُنُودُ الكوريّون ـ آلاف ﻻ ﷲ Ｍizan É ١٢٣ ۴۵ \u200fروسيا\u200e و\u0654"
    assert normalize(sample) == "".join(folds.get(c, c) for c in sample.replace("و\u0654", "\ue000")).replace(
        "\ue000", folds["و\u0654"]
    )


def test_figures_are_nested_with_every_figure_field() -> None:
    figures = bodies.index_body(None, None)["mappings"]["properties"]["figures"]
    assert figures["type"] == "nested"
    assert set(figures["properties"]) == set(bodies.FIGURE_FIELDS)  # a new Figure field must be mapped
    record = bodies.passage_source(SAMPLE_DOC, SAMPLE_PASSAGE, [SAMPLE_FIGURE], None)
    assert Figure(**record["figures"][0]) == SAMPLE_FIGURE
    assert bodies.VECTOR_FIELD not in record


def test_minmax_pipeline_is_the_engines_fusion() -> None:
    (processor,) = bodies.minmax_pipeline_body()["phase_results_processors"]
    spec = processor["normalization-processor"]
    assert spec["normalization"] == {"technique": "min_max"}
    assert spec["combination"]["technique"] == "arithmetic_mean"
    weights = spec["combination"]["parameters"]["weights"]
    assert weights == list(HYBRID_WEIGHTS) and sum(weights) == pytest.approx(1.0)
    assert all(0.0 <= w <= 1.0 for w in weights)
    assert len(weights) == len(bodies.hybrid_body(QUERY, VECTOR, 10)["query"]["hybrid"]["queries"])


def test_rrf_pipeline_uses_our_rank_constant() -> None:
    (processor,) = bodies.rrf_pipeline_body()["phase_results_processors"]
    combination = processor["score-ranker-processor"]["combination"]
    assert combination == {"technique": "rrf", "rank_constant": RRF_RANK_CONSTANT}
    assert 1 <= combination["rank_constant"] <= 10_000  # the documented range


def test_hybrid_puts_the_filters_in_each_sub_query_and_fuses_the_engines_depth() -> None:
    body = bodies.hybrid_body(QUERY, VECTOR, 10, FILTERS)
    hybrid = body["query"]["hybrid"]
    assert set(hybrid) == {"queries"}  # a top-level hybrid filter needs OpenSearch 3.0
    lexical, dense = hybrid["queries"]
    assert len(hybrid["queries"]) <= 5
    assert lexical["bool"]["filter"] == bodies.filter_clauses(FILTERS)
    assert dense["knn"]["vector"]["filter"]["bool"]["filter"] == bodies.filter_clauses(FILTERS)
    assert body["size"] == dense["knn"]["vector"]["k"] == HYBRID_DEPTH
    assert bodies.hybrid_body(QUERY, VECTOR, 300)["size"] == 300  # deep pages ask for more


def test_lexical_matches_the_querys_own_terms_and_counts_every_match() -> None:
    body = bodies.lexical_body(QUERY + " الجنود", 10)
    assert body["track_total_hits"] is True and body["_source"] is False and body["size"] == 10
    match = body["query"]["match"][bodies.TERMS_FIELD]
    assert match == {"query": " ".join(search_terms(QUERY + " الجنود"))}  # OR, a repeated term counted twice
    assert match["query"].split() == ["جنود", "كوري", "روسيا", "جنود"]
    assert bodies.lexical_body("في ما هل", 10)["query"]["match"][bodies.TERMS_FIELD]["query"] == ""
    assert bodies.filter_clauses(Filters()) == [] and bodies.filter_clauses(None) == []
    assert bodies.filter_clauses(Filters(date_to=date(2024, 1, 31))) == [
        {"range": {"published": {"lte": "2024-01-31"}}}
    ]
