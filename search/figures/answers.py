"""Answers to count questions: every figure the sources give, grouped, conflicts side by side.

`answer` runs the hybrid search for the question, reads the stored figures of the
passages it finds (search/figures/extract.py), keeps those that count what the question asks
about whom it asks (search/figures/questions.py), groups them into compatible values, and
ranks the groups by how many outlets support them. The result is one dict, the shape
`mizan ask --json` prints and the API returns:

    {"question", "status", "conflict", "understood",
     "groups": [{"value_low", "value_high", "qualifier", "label", "unit", "outlets",
                 "figures": [{"value_low", "value_high", "qualifier", "unit", "claimant",
                              "denied", "outlet", "published", "doc_id", "passage_id",
                              "title", "sentence", "span", "sentence_span"}]}],
     "passages": [search results]}

status: "conflict" (two or more groups), "agreed" (one), "no_figures" (the passages
carry no figure that matches), "not_a_count_question" (the question asks for no count:
the passages are still returned). Values are numbers; an open bound is null.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Protocol

from search.arabic import normalize, tokenize
from search.figures import Figure
from search.figures.nouns import Noun, alias_keys, is_nisba, noun_of, same_count, subject_key
from search.figures.questions import CountQuestion, NotACountQuestion, parse_question
from search.query import Query


class Searcher(Protocol):
    """What answering needs of a search engine (search.engine.SearchEngine): its passages, their
    highlights, and the stored figures of its backend."""

    backend: Any

    def search(self, query: Query, *, highlights: bool = True) -> dict: ...

    def highlight(self, results: list[dict], query_text: str) -> None: ...


ANSWER_DEPTH = 30  # passages whose figures are read
TOLERANCE = 0.02  # values within 2% are the same figure written differently
KEEP_RATIO = 0.5  # figures scoring under half the best match are dropped as off-topic

_QUALIFIER_ORDER = ("exact", "approx", "at_most", "at_least", "range", "vague")


@dataclass
class _Match:
    figure: Figure
    passage_id: str
    doc_id: str
    outlet: str | None
    published: str | None
    title: str | None
    sentence: str
    score: float
    rank: int

    def point(self) -> tuple[float, float]:
        """The values this figure names: the number it gives, both ends of a range."""
        f = self.figure
        low = f.value_low if f.value_low is not None else f.value_high
        high = f.value_high if f.value_high is not None else f.value_low
        assert low is not None and high is not None
        return low, high


def _keys(text: str) -> set[str]:
    keys = set()
    for t in tokenize(text):
        w = t.text
        keys.add(subject_key(w))
        keys.update(alias_keys(w))
        if w[:1] in ("و", "ب", "ل", "ف", "ك") and len(w) > 4:
            keys.add(subject_key(w[1:]))
    return keys


def _coverage(wanted: tuple[str, ...], keys: set[str]) -> float:
    return sum(1 for k in wanted if k in keys) / len(wanted) if wanted else 0.0


def _counts_what_was_asked(q: CountQuestion, f: Figure, sentence: str) -> float | None:
    """How well the figure's noun answers the question's (0–1), None when it does not."""
    open_question = q.noun is None and q.measure is None  # «كم يشكل النفط من دخل دبي؟»
    if q.percent != f.percent and not open_question:
        return None
    if q.percent:
        return 1.0
    found: Noun | None = noun_of(f.noun) if f.noun else None
    if q.measure is not None and q.measure != "resident":
        square = q.measure == "area" and found is not None and found.cls == "length" and "مربع" in normalize(sentence)
        if (found is None or found.cls != q.measure) and not square:
            return None
        return 1.0
    if q.noun is None:
        return 0.5 if found is None or found.kind != "unit" else None
    if found is None:
        # a bare number («العرقلات (118)»): it counts what the question asks when its sentence names that
        named = any(_same_noun(q.noun, noun_of(t.text)) for t in tokenize(sentence))
        return 0.6 if named else None
    if same_count(q.noun, found):
        return 1.0 if found.cls == q.noun.cls else 0.75
    # «كم عدد القتلى»: a figure of dead soldiers or dead people answers it
    if q.category and q.noun.cls == q.category and found.kind == "human":
        return 0.9
    if not q.noun.known and not found.known and q.noun.lemma == found.lemma:
        return 1.0
    return None


def _same_noun(asked: Noun, word: Noun) -> bool:
    return asked.cls == word.cls


def _match(q: CountQuestion, f: Figure, sentence: str, around: Callable[[], set[str]]) -> float | None:
    """A score for how well a figure answers the question; None when it does not.

    `around()`: the subject keys of the figure's passage and its document's title (read only
    for figures that count the right thing: most figures stop before it)."""
    noun_score = _counts_what_was_asked(q, f, sentence)
    if noun_score is None:
        return None
    if (f.category or None) != (q.category or None):
        return None  # the dead are not the injured, nor all the soldiers
    if q.attached and f.subject:
        theirs = {subject_key(w.text) for w in tokenize(f.subject) if is_nisba(w.text) or len(w.text) > 3}
        theirs -= {"من"}
        if theirs and not theirs & set(q.attached):
            return None  # «20 جندياً هندياً» do not answer a question about North Korean soldiers
    sentence_keys = _keys(sentence)
    score = 1.0 + noun_score
    if q.attached:
        here = _coverage(q.attached, sentence_keys)
        near = _coverage(q.attached, around())
        if here == 0 and (near == 0 or noun_score < 1):
            return None  # a looser noun (شخص for جندي) must name the subject in its own sentence
        score += here + 0.5 * near
    if q.context:
        here, near = _coverage(q.context, sentence_keys), _coverage(q.context, around())
        if here == 0 and near == 0:
            return None  # nothing of what the question is about is near this figure
        score += here + 0.5 * near
    if f.denied:
        score -= 0.5
    return score


def _compatible(a: _Match, b: _Match) -> bool:
    (alo, ahi), (blo, bhi) = a.point(), b.point()
    return alo <= bhi * (1 + TOLERANCE) and blo <= ahi * (1 + TOLERANCE)


def _group(matches: list[_Match]) -> list[list[_Match]]:
    """Single-link groups of compatible figures, scanned in value order."""
    groups: list[list[_Match]] = []
    for m in sorted(matches, key=lambda m: m.point()):
        for g in groups:
            if any(_compatible(m, other) for other in g):
                g.append(m)
                break
        else:
            groups.append([m])
    return groups


def _qualifier(group: list[_Match]) -> str:
    counts = Counter(m.figure.qualifier for m in group)
    return max(counts, key=lambda q: (counts[q], -_QUALIFIER_ORDER.index(q)))


def _group_json(group: list[_Match]) -> dict:
    qualifier = _qualifier(group)
    points = [m.point() for m in group]
    low: float | None = min(p[0] for p in points)
    high: float | None = max(p[1] for p in points)
    if qualifier == "at_most":
        low = None
    elif qualifier == "at_least":
        high = None
    units = Counter(m.figure.unit for m in group if m.figure.unit)
    unit = units.most_common(1)[0][0] if units else None
    outlets = list(dict.fromkeys(m.outlet for m in group if m.outlet and not m.figure.denied))
    ordered = sorted(group, key=lambda m: (-m.score, m.published or "9999", m.rank))
    return {
        "value_low": _number(low),
        "value_high": _number(high),
        "qualifier": qualifier,
        "label": label(low, high, qualifier, group[0].sentence, group[0].figure),
        "unit": unit,
        "outlets": outlets,
        "support": len(outlets),
        "figures": [_figure_json(m) for m in ordered],
    }


def figure_json(f: Figure, sentence: str) -> dict:
    """One figure's own fields; `sentence` is its sentence's text (span: offsets in the passage)."""
    return {
        "value_low": _number(f.value_low),
        "value_high": _number(f.value_high),
        "qualifier": f.qualifier,
        "unit": f.unit,
        "noun": f.noun,
        "category": f.category,
        "subject": f.subject,
        "claimant": f.claimant,
        "denied": f.denied,
        "sentence": sentence,
        "span": [f.start, f.end],
        "sentence_span": [f.start - f.sentence_start, f.end - f.sentence_start],
    }


def _figure_json(m: _Match) -> dict:
    return {
        **figure_json(m.figure, m.sentence),
        "outlet": m.outlet,
        "published": m.published,
        "doc_id": m.doc_id,
        "passage_id": m.passage_id,
        "title": m.title,
    }


def _number(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


# ---------------------------------------------------------------- labels

_MAGNITUDES = (
    (1_000_000_000, ("مليار", "ملياران", "مليارات", "ملياراً")),
    (1_000_000, ("مليون", "مليونان", "ملايين", "مليوناً")),
    (1_000, ("ألف", "ألفان", "آلاف", "ألفاً")),
)


def arabic_number(value: float) -> str:
    """A value as an Arabic news reader writes it: «10 آلاف», «11 ألفاً», «1.3 مليون», «693,640»."""
    for size, (one, two, few, many) in _MAGNITUDES:
        if value >= size:
            count = value / size
            if count == int(count):
                n = int(count)
                if n == 1:
                    return one
                if n == 2:
                    return two
                if n <= 10:
                    return f"{n} {few}"
                if n < 1000:
                    return f"{n} {many}"
            elif round(count, 3) == count and count < 1000 and size >= 1_000_000:
                return f"{count:g} {one}"
            break
    if value == int(value):
        return f"{int(value):,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def label(low: float | None, high: float | None, qualifier: str, sentence: str, figure: Figure) -> str:
    """How an Arabic reader would write a group: «نحو 10 آلاف», «حتى 11 ألفاً», «بين 3 و5 آلاف»."""
    if qualifier == "vague":
        return sentence[figure.start - figure.sentence_start : figure.end - figure.sentence_start]
    percent = "%" if figure.percent else ""
    if low is not None and high is not None and low != high:
        return f"بين {arabic_number(low)}{percent} و{arabic_number(high)}{percent}"
    value = high if low is None else low
    assert value is not None
    text = arabic_number(value) + percent
    prefix = {"approx": "نحو ", "at_least": "أكثر من ", "at_most": "حتى "}.get(qualifier, "")
    return prefix + text


# ---------------------------------------------------------------- answering


def answer(engine: Searcher, query: Query) -> dict:
    """The answer to a count question (see the module docstring for the shape)."""
    query = query.validated()
    depth = max(ANSWER_DEPTH, query.k)
    # One search serves both: its first page is shown, its top passages are read for figures.
    wide = engine.search(replace(query, k=min(depth, 100), page=1), highlights=False)
    if query.page == 1:
        shown = {**wide, "results": [dict(r) for r in wide["results"][: query.k]], "k": query.k}
        engine.highlight(shown["results"], query.text)  # only the passages shown are marked
    else:
        shown = engine.search(query)
    out = {
        "question": query.text,
        "conflict": False,
        "groups": [],
        "total": shown["total"],
        "page": query.page,
        "k": query.k,
        "passages": shown["results"],
    }
    try:
        q = parse_question(query.text)
    except NotACountQuestion:
        return {**out, "status": "not_a_count_question", "understood": None}
    hits = wide["results"]
    figures = engine.backend.figures([h["passage_id"] for h in hits])
    matches: list[_Match] = []
    for rank, hit in enumerate(hits):
        if hit["passage_id"] not in figures:
            continue
        around = cache(lambda hit=hit: _keys(hit["text"]) | _keys(hit["title"] or ""))
        for f in figures[hit["passage_id"]]:
            sentence = hit["text"][f.sentence_start : f.sentence_end]
            score = _match(q, f, sentence, around)
            if score is None:
                continue
            score += 0.5 / (1 + rank)  # the search's own view of the passage breaks ties
            matches.append(
                _Match(
                    f,
                    hit["passage_id"],
                    hit["doc_id"],
                    hit["outlet"],
                    hit["published"],
                    hit["title"],
                    sentence,
                    score,
                    rank,
                )
            )
    if matches:
        best = max(m.score for m in matches)
        matches = [m for m in matches if m.score >= KEEP_RATIO * best]
    precise = [m for m in matches if m.figure.qualifier != "vague"]
    if precise:
        matches = precise  # «آلاف الجنود» says less than any source that gives a number
    groups = _group(matches)
    groups.sort(
        key=lambda g: (
            -len({m.outlet for m in g if m.outlet and not m.figure.denied}),
            -len({m.figure.claimant for m in g if m.figure.claimant}),  # then independent claimants
            -max(m.score for m in g),  # the best match, not the sum: a passage repeating a number is one source
            -sum(m.score for m in g),
            min(m.rank for m in g),
        )
    )
    rendered = [_group_json(g) for g in groups]
    status = "conflict" if len(rendered) >= 2 else "agreed" if rendered else "no_figures"
    return {**out, "status": status, "conflict": status == "conflict", "understood": q.to_json(), "groups": rendered}
