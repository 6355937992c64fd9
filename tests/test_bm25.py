"""BM25 scores: the okapi variant equals rank-bm25's BM25Okapi, the default (Lucene's idf) the formula
by hand; through adds, deletes, compaction and files."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from search.arabic import terms
from search.bm25 import BM25Index, BM25Params

OKAPI = BM25Params(k1=1.5, b=0.75, idf="okapi", epsilon=0.25)  # rank-bm25's defaults

TEXTS = [
    "أكدت الولايات المتحدة أن 10 آلاف جندي كوري شمالي يتدربون في روسيا",
    "قالت وزارة الدفاع الأميركية إن نحو عشرة آلاف جندي من كوريا الشمالية في شرق روسيا",
    "قدرت الاستخبارات الأوكرانية عدد الجنود الكوريين الشماليين بما يصل إلى 11 ألف جندي",
    "أعلنت كوريا الجنوبية أن بيونغ يانغ أرسلت أكثر من ألف صاروخ إلى روسيا",
    "صادق البرلمان الروسي على معاهدة الدفاع المشترك مع كوريا الشمالية",
    "فاز فريق الشروق على الرمال في مباراة الدوري بثلاثة أهداف مقابل هدف",
    "ارتفعت أسعار النفط في الأسواق العالمية بعد قرار أوبك خفض الإنتاج",
    "افتتح معرض الكتاب الدولي أبوابه بمشاركة 850 دار نشر من الدول العربية",
    "سيول جارفة في المحافظة الشرقية تخلف قتلى وجرحى ونازحين",
    "روسيا روسيا روسيا في كل الأخبار اليوم عن روسيا",
]
QUERIES = [
    "كم عدد الجنود الكوريين الشماليين في روسيا",
    "روسيا",  # in more than half the passages: rank-bm25's epsilon idf
    "صاروخ كوريا الجنوبية",
    "معرض الكتاب",
    "كلمة غير موجودة",
    "روسيا روسيا الجنود",  # repeated query terms count twice
]


def reference_scores(texts: list[str], query: str) -> np.ndarray:
    return BM25Okapi([terms(t) for t in texts]).get_scores(terms(query))


def scores_by_id(index: BM25Index, query: str) -> dict[str, float]:
    s = index.scores(terms(query))
    return {pid: s[i] for pid, i in index.index_of.items()}


def build(texts: list[str], ids: list[str] | None = None, params: BM25Params = OKAPI) -> BM25Index:
    index = BM25Index(params)
    index.add(ids or [f"p{n}" for n in range(len(texts))], [terms(t) for t in texts])
    return index


@pytest.mark.parametrize("query", QUERIES)
def test_scores_equal_rank_bm25(query: str) -> None:
    index = build(TEXTS)
    got = scores_by_id(index, query)
    want = reference_scores(TEXTS, query)
    assert [got[f"p{n}"] for n in range(len(TEXTS))] == pytest.approx(list(want), abs=1e-9)


def test_added_in_batches_then_deleted_equals_a_fresh_build() -> None:
    index = BM25Index(OKAPI)
    index.add(["p0", "p1", "p2"], [terms(t) for t in TEXTS[:3]])
    index.add([f"p{n}" for n in range(3, 10)], [terms(t) for t in TEXTS[3:]])
    index.delete(["p1", "p5"])
    live = [n for n in range(10) if n not in (1, 5)]
    for query in QUERIES:
        got = scores_by_id(index, query)
        want = reference_scores([TEXTS[n] for n in live], query)
        assert [got[f"p{n}"] for n in live] == pytest.approx(list(want), abs=1e-9)
    assert len(index) == 8 and "p1" not in index and "p0" in index


def test_compaction_and_files_keep_the_scores(tmp_path: Path) -> None:
    index = build(TEXTS)
    index.delete(["p3"])
    before = {q: scores_by_id(index, q) for q in QUERIES}
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    for q in QUERIES:
        assert scores_by_id(loaded, q) == pytest.approx(before[q], abs=1e-12)
    assert len(loaded) == 9 and "p3" not in loaded


def test_search_ranks_and_counts() -> None:
    index = build(TEXTS)
    ids, scores, total = index.search(terms("الجنود الكوريين الشماليين في روسيا"), k=3)
    want = reference_scores(TEXTS, "الجنود الكوريين الشماليين في روسيا")
    assert total == int((want > 0).sum())
    assert ids == [f"p{n}" for n in np.argsort(-want, kind="stable")[:3]]
    assert scores == sorted(scores, reverse=True)
    allowed = np.zeros(len(TEXTS), dtype=bool)
    allowed[[0, 5]] = True
    ids, _, total = index.search(terms("الجنود روسيا"), k=10, allowed=allowed)
    assert ids == ["p0"] and total == 1
    assert index.search(terms("كلمة غير موجودة"), k=5) == ([], [], 0)


def test_random_corpus_matches_reference_after_churn() -> None:
    rng = random.Random(7)
    vocab = [f"w{n}" for n in range(60)]
    docs = {f"d{n}": [rng.choice(vocab) for _ in range(rng.randint(1, 30))] for n in range(300)}
    index = BM25Index(OKAPI)
    items = list(docs.items())
    for start in range(0, 300, 37):
        batch = items[start : start + 37]
        index.add([k for k, _ in batch], [v for _, v in batch])
    gone = rng.sample(sorted(docs), 60)
    index.delete(gone)
    if rng.random() < 2:
        index.compact()
    live = [k for k in docs if k not in gone]
    ref = BM25Okapi([docs[k] for k in live])
    for _ in range(20):
        query = [rng.choice(vocab) for _ in range(rng.randint(1, 5))]
        got = index.scores(query)
        want = ref.get_scores(query)
        assert [got[index.index_of[k]] for k in live] == pytest.approx(list(want), abs=1e-9)


def lucene_by_hand(texts: list[str], query: str, k1: float = 1.2, b: float = 0.75) -> list[float]:
    import math

    docs = [terms(t) for t in texts]
    n = len(docs)
    avgdl = sum(map(len, docs)) / n
    out = []
    for doc in docs:
        score = 0.0
        for q in terms(query):
            df = sum(1 for d in docs if q in d)
            if not df:
                continue
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            tf = doc.count(q)
            score += idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * len(doc) / avgdl))
        out.append(score)
    return out


@pytest.mark.parametrize("query", QUERIES)
def test_default_lucene_idf_by_hand(query: str) -> None:
    index = build(TEXTS, params=BM25Params())
    got = scores_by_id(index, query)
    assert [got[f"p{n}"] for n in range(len(TEXTS))] == pytest.approx(lucene_by_hand(TEXTS, query), abs=1e-9)


def test_lucene_idf_matches_a_term_in_half_the_passages() -> None:
    texts = ["روسيا اليوم", "روسيا أمس", "الصين اليوم", "الهند أمس"]
    assert build(texts, params=BM25Params()).search(terms("روسيا"), 5)[2] == 2
    assert build(texts, params=OKAPI).search(terms("روسيا"), 5)[2] == 0  # rank-bm25 weighs it 0


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pruned_search_is_exhaustive_search(seed: int) -> None:
    """MaxScore skips walking the frequent terms' postings: its top k and its count of matches must be
    those of scoring every passage, with deletions, several segments, filters and k = 0."""
    rng = np.random.default_rng(seed)
    vocabulary = [f"t{n}" for n in range(300)]
    weights = 1.0 / np.arange(1, 301) ** 1.1  # Zipf: a few terms in most passages, most in few
    weights /= weights.sum()
    index = BM25Index()
    for batch in range(3):  # three segments
        ids = [f"p{batch}-{n}" for n in range(700)]
        index.add(ids, [list(rng.choice(vocabulary, size=rng.integers(1, 40), p=weights)) for _ in ids])
    index.delete([f"p1-{n}" for n in range(0, 700, 7)])
    allowed = rng.random(len(index.alive)) < 0.6
    for _ in range(60):
        query = list(rng.choice(vocabulary, size=rng.integers(1, 7), p=weights))
        query += list(rng.choice(vocabulary[150:], size=rng.integers(0, 3)))  # a rare term or two
        for k in (0, 1, 10, 100):
            for mask in (None, allowed):
                ids, scores, total = index.search(query, k, allowed=mask)
                full = np.round(index.scores(query), 9)
                if mask is not None:
                    full[~mask] = 0.0
                assert total == int((full > 0).sum())
                expected = sorted(np.flatnonzero(full > 0).tolist(), key=lambda i: (-full[i], i))[:k]
                assert [index.index_of[i] for i in ids] == expected
                assert scores == pytest.approx(full[expected].tolist())
    buffers = index._buffers()  # the compiled search leaves its buffers as it found them
    assert not buffers.out.any() and not buffers.seen.any()


def test_holding_says_which_passages_hold_a_query_term() -> None:
    index = BM25Index()
    index.add([f"p{n}" for n in range(len(TEXTS))], [terms(t) for t in TEXTS])
    index.add(["extra"], [terms("روسيا والصين")])  # a second segment
    index.delete(["p0"])
    query = terms("روسيا الصواريخ")
    full = index.scores(query)
    expected = {index.ids[i] for i in np.flatnonzero(full > 0)}
    assert index.holding(query, [*index.ids, "absent"]) == expected and "p0" not in expected
    assert index.holding(terms("كلمة غائبة"), index.ids) == set()
