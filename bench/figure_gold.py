"""The real-news figure benchmark's gold: schema, dev/test split, loading and checks.

Two files in bench/figures_gold/ (guidelines: bench/figures_gold/README.md):
- figures.jsonl: one paragraph of a real article per line, with every quantity in it
  annotated (value, hedge, category, counted noun, claimant) by character offsets;
- questions.jsonl: count questions over stories several SaudiNewsNet outlets reported,
  with every outlet's figure that answers them (offsets) and figures that must not appear.

Nothing of SaudiNewsNet's text is stored: articles are named by url and everything else
by [start, end) offsets into the article body (bench/news_corpus.py resolves them).

The split is by article (figures) and by story (questions, so that no article of a test
story is read while tuning): an id whose SHA-1 falls in the lower 45% of the hash space is
test. bench/figures_gold/split.json freezes the result; `check` fails when they disagree.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

GOLD_DIR = Path(__file__).resolve().parent / "figures_gold"
FIGURES_FILE = GOLD_DIR / "figures.jsonl"
QUESTIONS_FILE = GOLD_DIR / "questions.jsonl"
SPLIT_FILE = GOLD_DIR / "split.json"
TEST_SHARE = 45  # percent of the hash space that is test

QUALIFIERS = ("exact", "approx", "at_least", "at_most", "range", "vague")
CATEGORIES = ("dead", "injured", "missing", "displaced", "captured")

Span = tuple[int, int]


def split_of(key: str) -> str:
    """ "test" or "dev" for an article id (figures) or a story key (questions)."""
    h = int(hashlib.sha1(key.encode("utf-8")).hexdigest()[:8], 16)
    return "test" if h % 100 < TEST_SHARE else "dev"


@dataclass(frozen=True)
class GoldFigure:
    span: Span  # the number with its hedge
    value_low: float | None
    value_high: float | None
    qualifier: str
    percent: bool
    category: str | None  # "+"-joined, sorted, as search/nouns.category_label writes it
    noun: Span | None  # the counted word
    claimant: Span | None  # who the text credits (may lie in an earlier paragraph)
    denied: bool


@dataclass(frozen=True)
class GoldParagraph:
    article: str
    paragraph: Span
    figures: tuple[GoldFigure, ...]
    annotator: str

    @property
    def split(self) -> str:
        return split_of(self.article)


@dataclass(frozen=True)
class GoldAnswer:
    article: str
    span: Span
    value_low: float | None
    value_high: float | None
    qualifier: str
    claimant: Span | None


@dataclass(frozen=True)
class GoldQuestion:
    qid: str
    story: str  # the story's key: questions about one story share it (and its split)
    question: str
    category: str | None
    articles: tuple[str, ...]  # every article of the story the annotator read
    gold: tuple[GoldAnswer, ...]
    forbidden: tuple[GoldAnswer, ...]
    split_key: str = ""  # the first story key of the stories sharing articles with this one

    @property
    def split(self) -> str:
        return split_of(self.split_key or self.story)


def _span(value: object) -> Span | None:
    if value is None:
        return None
    assert isinstance(value, list) and len(value) == 2, f"a span is [start, end], not {value!r}"
    return int(value[0]), int(value[1])


def _value(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _category(value: object) -> str | None:
    if not value:
        return None
    parts = sorted(set(str(value).split("+")))
    return "+".join(parts)


def _figure(record: dict) -> GoldFigure:
    span = _span(record["span"])
    assert span is not None
    return GoldFigure(
        span,
        _value(record.get("value_low")),
        _value(record.get("value_high")),
        record["qualifier"],
        bool(record.get("percent", False)),
        _category(record.get("category")),
        _span(record.get("noun")),
        _span(record.get("claimant")),
        bool(record.get("denied", False)),
    )


def _answer(record: dict) -> GoldAnswer:
    span = _span(record["span"])
    assert span is not None
    return GoldAnswer(
        record["article"],
        span,
        _value(record.get("value_low")),
        _value(record.get("value_high")),
        record.get("qualifier", "exact"),
        _span(record.get("claimant")),
    )


def _lines(path: Path) -> Iterator[tuple[int, dict]]:
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            yield n, json.loads(line)


def load_paragraphs(path: Path = FIGURES_FILE) -> list[GoldParagraph]:
    return load_paragraphs_from([r for _, r in _lines(path)])


def load_questions(path: Path = QUESTIONS_FILE) -> list[GoldQuestion]:
    return load_questions_from([r for _, r in _lines(path)])


# ---------------------------------------------------------------- checks


def _check_values(where: str, low: float | None, high: float | None, qualifier: str) -> list[str]:
    problems = []
    if qualifier not in QUALIFIERS:
        problems.append(f"{where}: qualifier {qualifier!r} is not one of {QUALIFIERS}")
    if qualifier == "at_least" and (low is None or high is not None):
        problems.append(f"{where}: at_least needs value_low and value_high null")
    if qualifier == "at_most" and (high is None or low is not None):
        problems.append(f"{where}: at_most needs value_high and value_low null")
    if qualifier in ("exact", "approx") and (low is None or low != high):
        problems.append(f"{where}: {qualifier} needs value_low == value_high")
    if qualifier in ("range", "vague") and (low is None or high is None or low >= high):
        problems.append(f"{where}: {qualifier} needs value_low < value_high")
    return problems


def _check_span(where: str, body: str, span: Span | None, within: Span | None = None) -> list[str]:
    if span is None:
        return []
    s, e = span
    if not 0 <= s < e <= len(body):
        return [f"{where}: span {list(span)} is outside the body ({len(body)} characters)"]
    if body[s].isspace() or body[e - 1].isspace():
        return [f"{where}: span {list(span)} starts or ends with a space"]
    if within and not (within[0] <= s and e <= within[1]):
        return [f"{where}: span {list(span)} is outside its paragraph {list(within)}"]
    return []


def check_file(path: Path) -> list[str]:
    """Problems in a gold file: schema, offsets, values; the frozen split where one exists."""
    from bench.news_corpus import article  # reads ../shared

    problems: list[str] = []
    questions = "question" in path.read_text(encoding="utf-8")[:2000]
    frozen = json.loads(SPLIT_FILE.read_text(encoding="utf-8")) if SPLIT_FILE.exists() else None
    groups = _story_groups([r for _, r in _lines(path)]) if questions else {}
    for n, r in _lines(path):
        where = f"line {n}"
        try:
            if questions:
                q = replace(load_questions_from([r])[0], split_key=groups[r["story"]])
                if q.category and any(c not in CATEGORIES for c in q.category.split("+")):
                    problems.append(f"{where}: unknown category {q.category}")
                for kind, answers in (("gold", q.gold), ("forbidden", q.forbidden)):
                    for a in answers:
                        body = article(a.article).body
                        problems += _check_span(f"{where} {kind}", body, a.span)
                        problems += _check_span(f"{where} {kind} claimant", body, a.claimant)
                        if kind == "gold":
                            problems += _check_values(f"{where} {kind}", a.value_low, a.value_high, a.qualifier)
                        if a.article not in q.articles:
                            problems.append(f"{where}: {kind} article {a.article} is not in articles")
                if frozen and q.story in frozen.get("stories", {}) and frozen["stories"][q.story] != q.split:
                    problems.append(f"{where}: story {q.story} moved out of its frozen split")
            else:
                p = load_paragraphs_from([r])[0]
                body = article(p.article).body
                problems += _check_span(where, body, p.paragraph)
                for i, f in enumerate(p.figures):
                    w = f"{where} figure {i}"
                    problems += _check_span(w, body, f.span, p.paragraph)
                    problems += _check_span(w + " noun", body, f.noun)
                    problems += _check_span(w + " claimant", body, f.claimant)
                    problems += _check_values(w, f.value_low, f.value_high, f.qualifier)
                    if f.category and any(c not in CATEGORIES for c in f.category.split("+")):
                        problems.append(f"{w}: unknown category {f.category}")
                if frozen and p.article in frozen.get("articles", {}) and frozen["articles"][p.article] != p.split:
                    problems.append(f"{where}: article {p.article} moved out of its frozen split")
        except (KeyError, AssertionError, TypeError, ValueError) as e:
            problems.append(f"{where}: {type(e).__name__}: {e}")
    return problems


def load_paragraphs_from(records: list[dict]) -> list[GoldParagraph]:
    return [
        GoldParagraph(
            r["article"],
            _span(r["paragraph"]) or (0, 0),
            tuple(_figure(f) for f in r["figures"]),
            r.get("annotator", ""),
        )
        for r in records
    ]


def load_questions_from(records: list[dict]) -> list[GoldQuestion]:
    keys = _story_groups(records)
    return [
        GoldQuestion(
            r["qid"],
            r["story"],
            r["question"],
            _category(r.get("category")),
            tuple(r["articles"]),
            tuple(_answer(a) for a in r["gold"]),
            tuple(_answer(a) for a in r.get("forbidden", [])),
            keys[r["story"]],
        )
        for r in records
    ]


def _story_groups(records: list[dict]) -> dict[str, str]:
    """story → the smallest story key of its group: stories that share an article are split together."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    owner: dict[str, str] = {}
    for r in records:
        find(r["story"])
        for a in r["articles"]:
            if a in owner:
                x, y = find(owner[a]), find(r["story"])
                parent[max(x, y)] = min(x, y)
            else:
                owner[a] = r["story"]
    return {story: find(story) for story in parent}


def freeze_split() -> dict:
    """The split of every article and story in the gold files, written to split.json."""
    split = {
        "rule": f"sha1(id) % 100 < {TEST_SHARE} is test",
        "articles": {p.article: p.split for p in load_paragraphs()} if FIGURES_FILE.exists() else {},
        "stories": {q.story: q.split for q in load_questions()} if QUESTIONS_FILE.exists() else {},
    }
    SPLIT_FILE.write_text(json.dumps(split, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return split
