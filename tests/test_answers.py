"""Answers end to end: the mission's question over the seeds and the sample corpus, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from search.engine import Query, QueryError, SearchEngine, SearchMode
from search.figures.answers import answer, arabic_number
from tests.conftest import REPO

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"


@pytest.fixture(scope="module")
def seeds_engine(seeds_index: Path):
    engine = SearchEngine.open(seeds_index)  # real vectors: the default hybrid search
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def sample_engine(sample_index: Path):
    engine = SearchEngine.open(sample_index)
    yield engine
    engine.close()


def _values(answer: dict) -> set[float]:
    return {v for g in answer["groups"] for f in g["figures"] for v in (f["value_low"], f["value_high"]) if v}


def test_the_seeds_answer_is_a_conflict_between_10000_and_11000(seeds_engine: SearchEngine) -> None:
    result = answer(seeds_engine, Query(QUESTION))
    assert result["status"] == "conflict" and result["conflict"] is True
    assert [(g["value_low"], g["value_high"]) for g in result["groups"]] == [(10_000, 10_000), (None, 11_000)]
    ten, eleven = result["groups"]

    assert ten["outlets"] == ["الشرق الأوسط"] and ten["label"] == "10 آلاف" and ten["unit"] == "جندي"
    claimants = " ".join(f["claimant"] or "" for f in ten["figures"])
    assert "الولايات المتحدة" in claimants and "البنتاغون" in claimants

    assert eleven["qualifier"] == "at_most" and eleven["label"] == "حتى 11 ألفاً"
    assert eleven["outlets"] == ["المستقلة"]
    (figure,) = eleven["figures"]
    assert figure["claimant"] == "تقديرات أوكرانية وكورية جنوبية"
    start, end = figure["sentence_span"]
    assert figure["sentence"][start:end] == "قد يصل عددها إلى 11 ألف"

    # Russian casualties, Indian soldiers and missiles are not North Korean soldiers
    assert not _values(result) & {693_640, 20, 1_000, 4}
    assert result["passages"] and result["understood"]["subject"] == ["كور", "شمال"]


def test_every_figure_points_at_its_passage(seeds_engine: SearchEngine) -> None:
    result = answer(seeds_engine, Query(QUESTION))
    backend = seeds_engine.backend
    for group in result["groups"]:
        for f in group["figures"]:
            (passage,) = backend.get_passages([f["passage_id"]])
            start, end = f["span"]
            assert passage.doc_id == f["doc_id"]
            assert f["sentence"] in passage.text and passage.text[start:end] in f["sentence"]


def test_the_sample_corpus_gives_the_groups_its_readme_lists(sample_engine: SearchEngine) -> None:
    result = answer(sample_engine, Query(QUESTION))
    assert result["status"] == "conflict"
    ten, eleven = result["groups"]
    # data/sample/README.md: 10,000 in articles 1, 2, 5, 7, 8, 13, 14; up to 11,000 in 4, 5, 7, 8, 13
    assert sorted(ten["outlets"]) == sorted(
        [
            "صحيفة الأفق الجديد",
            "وكالة المشرق للأنباء",
            "وكالة الواحة للأنباء",
            "موقع البوصلة نيوز",
            "جريدة الرائد اليومية",
            "موقع الرصد الدولي",
            "شبكة المنارة الإخبارية",
        ]
    )
    assert (ten["label"], ten["qualifier"]) == ("نحو 10 آلاف", "approx")
    assert sorted(eleven["outlets"]) == sorted(
        [
            "قناة الضفاف الإخبارية",
            "وكالة الواحة للأنباء",
            "موقع البوصلة نيوز",
            "جريدة الرائد اليومية",
            "موقع الرصد الدولي",
        ]
    )
    assert eleven["label"] == "حتى 11 ألفاً"
    # Russian losses (700 ألف, 800 ألف), spectators (11 ألف متفرج), farmers and sanctions are not in it
    assert not _values(result) & {700_000, 800_000, 11_000.5, 400, 1_000}
    assert all(f["unit"] == "جندي" for g in result["groups"] for f in g["figures"])


def test_one_group_is_an_agreed_answer(sample_engine: SearchEngine) -> None:
    result = answer(sample_engine, Query("كم صاروخاً أرسلت كوريا الشمالية إلى روسيا؟"))
    assert result["status"] == "agreed" and not result["conflict"]
    (group,) = result["groups"]
    assert (group["value_low"], group["value_high"], group["label"]) == (1_000, None, "أكثر من ألف")
    assert len(group["outlets"]) == 3


def test_the_dead_are_not_the_injured(sample_engine: SearchEngine) -> None:
    dead = answer(sample_engine, Query("كم عدد القتلى في السيول؟"))
    injured = answer(sample_engine, Query("كم عدد المصابين في السيول؟"))
    assert [g["label"] for g in dead["groups"]] == ["14"]
    assert [g["label"] for g in injured["groups"]] == ["37"]


def test_no_matching_figure_says_so_and_still_returns_passages(sample_engine: SearchEngine) -> None:
    result = answer(sample_engine, Query("كم عدد الديناصورات في روسيا؟"))  # a noun no passage counts
    assert result["status"] == "no_figures" and result["groups"] == [] and result["passages"]


def test_a_question_that_asks_no_count_still_gets_passages(sample_engine: SearchEngine) -> None:
    result = answer(sample_engine, Query("معاهدة الشراكة الاستراتيجية"))
    assert result["status"] == "not_a_count_question" and result["understood"] is None and result["passages"]


@pytest.mark.parametrize(("text", "message"), [("   ", "empty query"), ("كم " * 300, "too long")])
def test_bad_questions_are_refused_with_a_clear_message(sample_engine: SearchEngine, text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        answer(sample_engine, Query(text, mode=SearchMode.BM25))


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (10_000, "10 آلاف"),
        (11_000, "11 ألفاً"),
        (1_000, "ألف"),
        (2_000, "ألفان"),
        (693_640, "693,640"),
        (1_300_000, "1.3 مليون"),
        (4e9, "4 مليارات"),
        (12.5, "12.5"),
        (850, "850"),
    ],
)
def test_values_are_written_as_an_arabic_reader_writes_them(value: float, written: str) -> None:
    assert arabic_number(value) == written


def test_mizan_ask_prints_the_documented_json(sample_index: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "web.cli", "ask", QUESTION, "--index", str(sample_index), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert {"question", "conflict", "groups", "passages"} <= set(result)
    group = result["groups"][0]
    assert {"value_low", "value_high", "qualifier", "label", "unit", "outlets", "figures"} <= set(group)
    figure_keys = {"value_low", "value_high", "qualifier", "unit", "claimant", "outlet", "published", "doc_id"}
    assert figure_keys | {"passage_id", "sentence", "span"} <= set(group["figures"][0])
    assert {"doc_id", "passage_id", "title", "outlet", "published", "score", "text", "highlights"} <= set(
        result["passages"][0]
    )

    text = subprocess.run(
        [sys.executable, "-m", "web.cli", "ask", QUESTION, "--index", str(sample_index)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert text.returncode == 0 and "الأرقام متضاربة بين المصادر" in text.stdout and "[نحو 10 آلاف]" in text.stdout

    empty = subprocess.run(
        [sys.executable, "-m", "web.cli", "ask", "", "--index", str(sample_index)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    assert empty.returncode == 2 and "empty query" in empty.stderr and "Traceback" not in empty.stderr


def test_claimants_and_reporting_outlets_are_separate_fields(sample_engine: SearchEngine) -> None:
    result = answer(sample_engine, Query(QUESTION))
    ten = result["groups"][0]
    assert "وزارة الدفاع الأميركية (البنتاغون)" in ten["claimants"]
    assert "وزارة الخارجية الأميركية" in ten["claimants"]
    assert not set(ten["claimants"]) & set(ten["outlets"])  # who says it is not who printed it
    assert 1 <= ten["independent_reports"] <= len(ten["outlets"])
    assert ten["support"] == ten["independent_reports"] + len(ten["claimants"])
    assert ten["first_published"] <= ten["last_published"]


def _answer_over(tmp_path: Path, records: list[dict], question: str) -> dict:
    """The BM25 answer to `question` over an index of these news records, built in tmp_path."""
    from tests.conftest import build_index

    source = tmp_path / "news.jsonl"
    source.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    build_index([source], tmp_path / "index")
    engine = SearchEngine.open(tmp_path / "index")
    try:
        return answer(engine, Query(question, mode=SearchMode.BM25))
    finally:
        engine.close()


def _story(title: str, *texts: str) -> list[dict]:
    """News records of one story under one title, one per outlet (أ, ب, ج …)."""
    return [
        {"url": f"https://{site}.example/1", "source": outlet, "title": title, "text": text}
        for site, outlet, text in zip("abcdef", "أبجدهو", texts, strict=False)
    ]


def test_a_wire_story_reprinted_is_one_report_not_three(tmp_path: Path) -> None:
    # The toll sentence is quoted from ANT Corpus v1.1, JA-internationalNews-1085-20170604 (Jawhara FM,
    # Apache-2.0); two outlets reprint it word for word, a third reports the toll in its own words.
    wire = (
        'وأكد نائب مدير سكوتلاند يارد، مارك رولي، في مؤتمر صحفي خاص عقده اليوم الأحد، "أن 7 أشخاص قتلوا '
        'على يد 3 مهاجمين" جراء هذه العملية التي صنفتها السلطات إرهابية.'
    )
    own = "قالت الشرطة البريطانية إن سبعة أشخاص لقوا حتفهم في هجوم جسر لندن وسوق بورو مساء السبت."
    records = [
        {
            "url": "https://a.example/1",
            "source": "وكالة أ",
            "title": "هجوم لندن",
            "text": wire + " وتواصل الشرطة التحقيق.",
        },
        {
            "url": "https://b.example/1",
            "source": "صحيفة ب",
            "title": "هجوم جسر لندن",
            "text": wire + " وأغلقت المحطات.",
        },
        {"url": "https://c.example/1", "source": "موقع ج", "title": "ضحايا لندن", "text": own},
    ]
    result = _answer_over(tmp_path, records, "كم شخصا قتل في هجوم لندن؟")
    (group,) = [g for g in result["groups"] if g["value_low"] == 7]
    assert sorted(group["outlets"]) == sorted(["وكالة أ", "صحيفة ب", "موقع ج"])
    assert group["independent_reports"] == 2  # the reprint is not a second confirmation


def test_amounts_in_different_units_are_never_one_group() -> None:
    from search.figures import extract_figures
    from search.figures.answers import _group, _Match

    # Constructed: a region's area in km² and a garden's in m², the same number of thousands, and
    # the region's area again in other words
    texts = [
        "تبلغ مساحة ولاية قبلي 22 ألف كيلومتر مربع.",
        "أنجزت بلدية قبلي حديقة على مساحة 22 ألف متر مربع.",
        "تمتد ولاية قبلي على 22 ألف كم2.",
    ]
    matches = [
        _Match(f, f"p{n}", f"d{n}", None, None, None, text, 1.0, n)
        for n, text in enumerate(texts)
        for f in extract_figures(text)
    ]
    groups = _group(matches)
    assert sorted(sorted(m.passage_id for m in g) for g in groups) == [["p0", "p2"], ["p1"]]


def test_the_word_that_names_an_area_is_no_part_of_the_topic(sample_engine: SearchEngine) -> None:
    # «مساحة» is what is asked, checked by the figure's unit (km²); left in the topic, it let any
    # place's area pass for Iceland's (ARCD «كم تبلغ مساحة ايسلندا؟»)
    from search.figures.answers import _topic
    from search.figures.questions import parse_question

    topic = _topic(sample_engine, parse_question("كم تبلغ مساحة آيسلندا؟"))
    assert list(topic.keys.values()) == ["ايسلند"]
    kept = _topic(sample_engine, parse_question("كم تبلغ قيمة صادرات تونس؟"))
    assert "قيم" in kept.keys  # «قيمة» says which amount is asked: it stays


def test_an_amount_of_another_total_does_not_answer(tmp_path: Path) -> None:
    # Constructed: exports asked; production and consumption of the same oil stand beside them
    records = _story(
        "زيت الزيتون",
        "بلغت صادرات تونس من زيت الزيتون 200 ألف طن هذا الموسم.",
        "وبلغ إنتاج تونس من زيت الزيتون 300 ألف طن، فيما بلغ الاستهلاك المحلي 40 ألف طن.",
    )
    result = _answer_over(tmp_path, records, "كم بلغت صادرات تونس من زيت الزيتون؟")
    assert [g["value_low"] for g in result["groups"]] == [200_000]


def test_a_figure_set_in_another_place_does_not_answer(tmp_path: Path) -> None:
    # Constructed: Egypt's heat-wave toll asked; one passage gives the toll in Cairo governorate,
    # another a neighbouring country's, a third Egypt's own
    records = _story(
        "موجة الحر",
        "أعلنت وزارة الصحة المصرية وفاة 21 شخصا بسبب موجة الحر في مصر.",
        "وسجلت موجة الحر وفاة 15 شخصا بمحافظة القاهرة وحدها.",
        "وفي السودان، تسببت موجة الحر في وفاة 9 أشخاص.",
    )
    result = _answer_over(tmp_path, records, "كم شخصا توفي بسبب موجة الحر في مصر؟")
    assert [g["value_low"] for g in result["groups"]] == [21]


def test_a_topic_word_the_counted_noun_carries_is_named_by_the_noun(tmp_path: Path) -> None:
    # Constructed: «العمرة» is in the question, «معتمر» (its root) in the answer's sentence only
    records = _story("وزير الحج", "وتمنى الوزير أن يكون المعتمرون الذين بلغ عددهم ستة ملايين معتمر قد نعموا بالزيارة.")
    result = _answer_over(tmp_path, records, "كم عدد المعتمرين في موسم العمرة؟")
    assert [g["value_low"] for g in result["groups"]] == [6_000_000]
