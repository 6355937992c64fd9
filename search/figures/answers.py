"""Answers to count questions: every figure the sources give, grouped, conflicts side by side.

`answer` runs the hybrid search for the question and reads the stored figures of every
passage it ranks (to ANSWER_DEPTH: figures are stored per passage, so reading them is one
query), keeps those that count what the question asks about whom it asks
(search/figures/questions.py), of the total it asks about (exports, not the production beside
them: lexicon/nouns.json "aggregates"), and are relevant to it on evidence that does not hinge on one
lexicon hit (the passage's rank, the question's idf-weighted terms in the figure's sentence
and passage, the category, the subject), groups them into compatible values, and ranks the
groups by independent evidence: each independent report once (a wire copy and its reprints
are one), each distinct claimant once. The result is one dict, the shape `mizan ask --json`
prints and the API returns:

    {"question", "status", "conflict", "understood",
     "groups": [{"value_low", "value_high", "qualifier", "label", "unit",
                 "claimants", "outlets", "independent_reports", "support",
                 "first_published", "last_published",
                 "figures": [{"value_low", "value_high", "qualifier", "unit", "noun", "category",
                              "subject", "claimant", "denied", "outlet", "published",
                              "date_estimated", "doc_id", "passage_id", "title", "sentence",
                              "span", "sentence_span"}]}],
     "passages": [search results]}

status: "conflict" (two or more groups), "agreed" (one), "no_figures" (the passages
carry no figure that matches), "not_a_count_question" (the question asks for no count:
the passages are still returned). Values are numbers; an open bound is null.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from typing import Any, Protocol

from search.arabic import STOPWORDS, normalize, stem, terms, tokenize
from search.figures import Figure
from search.figures.extract import is_report_verb
from search.figures.nouns import (
    GENERIC_HUMAN,
    Noun,
    aggregate_of,
    alias_keys,
    category_of,
    is_nisba,
    lookup,
    noun_of,
    place_keys,
    same_count,
    skeleton,
    subject_key,
)
from search.figures.questions import (
    CountQuestion,
    NotACountQuestion,
    asks_words,
    measure_of,
    parse_question,
)
from search.figures.setting import another_time, nearest, time_word, times_at
from search.query import Query, SearchMode


class Searcher(Protocol):
    """What answering needs of a search engine (search.engine.SearchEngine): its passages, their
    highlights, and the stored figures of its backend."""

    backend: Any

    def search(self, query: Query, *, highlights: bool = True, depth: int | None = None) -> dict: ...

    def highlight(self, results: list[dict], query_text: str) -> None: ...

    def similarities(self, text: str, passage_ids: list[str]) -> dict[str, float]: ...


ANSWER_DEPTH = 100  # passages whose figures are read: every passage the search ranks, up to this many
TOLERANCE = 0.02  # values within 2% are the same figure written differently
# Relevance (fitted on the dev split of bench/figures.py and the «كم» questions; never on test):
KEEP_RATIO = 0.5  # figures scoring under half the best match are dropped as off-topic
RANK_WEIGHT = 1.0  # the passage's place in the search (1 at the top, falling with rank)
RANK_HALF = 20  # the rank at which that evidence has halved
SUBJECT_WEIGHT = 1.0  # the question's words in the figure's own sentence
NEAR_WEIGHT = 0.5  # … in its passage and title
UNSAID_CATEGORY = 0.5  # a figure that does not say the category the question asks for, in a sentence that does
SEMANTIC_WEIGHT = 1.0  # the passage's e5 similarity to the question, rescaled across the passages read
CLAUSE_WEIGHT = 2.0  # … within AROUND words of the figure itself
AROUND = 6
SAME_CLASS = 0.5  # a noun of the asked noun's class but another entry (إقليم for ولاية)
MIN_TOPIC = 0.35  # the share of the question's topic (idf-weighted) a figure's passage and title must name
PLACES = 1  # a figure set in another place than the question names is dropped
COGNATES = 1  # a topic term of the counted noun's root is named by the noun itself
AGGREGATES = 1  # an amount of another total than the one asked (production for exports) is dropped
COPY_SIMILARITY = 0.6  # sentences sharing this share of their words are one report (a wire copy), not two

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
    date_estimated: bool = False  # the page printed no date: `published` was read off it
    report: int = -1  # the independent report this figure belongs to (wire copies share one)

    def point(self) -> tuple[float, float]:
        """The values this figure names: the number it gives, both ends of a range."""
        f = self.figure
        low = f.value_low if f.value_low is not None else f.value_high
        high = f.value_high if f.value_high is not None else f.value_low
        assert low is not None and high is not None
        return low, high


def _keys(words: Iterable[str]) -> set[str]:
    """Subject keys of normalised words («الكوريين» and «كوريا» share one)."""
    keys = set()
    for w in words:
        keys.add(subject_key(w))
        keys.update(alias_keys(w))
        if w[:1] in ("و", "ب", "ل", "ف", "ك") and len(w) > 4:
            keys.add(subject_key(w[1:]))
    return keys


def _coverage(wanted: tuple[str, ...], keys: set[str]) -> float:
    return sum(1 for k in wanted if k in keys) / len(wanted) if wanted else 0.0


def _counts_what_was_asked(q: CountQuestion, f: Figure, sentence: str, reading: _Reading) -> float | None:
    """How well the figure's noun answers the question's (0–1), None when it does not."""
    open_question = q.noun is None and q.measure is None  # «كم يشكل النفط من دخل دبي؟»
    if q.percent != f.percent and not open_question:
        return None
    if q.percent:
        return 1.0
    # «وليس 100 مليار»: no noun written, the unit shared with the amount before it
    found: Noun | None = noun_of(f.noun) if f.noun else noun_of(f.unit) if f.unit and not f.percent else None
    if q.measure is not None and q.measure != "resident":
        square = q.measure == "area" and found is not None and found.cls == "length" and "مربع" in normalize(sentence)
        if (found is None or found.cls != q.measure) and not square:
            return None
        return 1.0
    if q.noun is None:
        return 0.5 if found is None or found.kind != "unit" else None
    # «كم عدد القتلى», «عدد الموقوفين»: the noun asked is the category itself (its class, or a
    # category word the lexicon reads as people), so what befell them matters, not what they are called
    category_noun = bool(q.category) and (
        q.noun.cls == q.category or (q.noun_word is not None and category_of(q.noun_word) == q.category)
    )
    if found is None and category_noun and f.category == q.category:
        return 0.8  # «وإصابة 66 بالإجهاد»: a bare number the category names, for «كم عدد المصابين»
    if found is None:
        # a bare number («العرقلات (118)»): it counts what the question asks when its sentence names that
        named = any(_same_noun(q.noun, noun_of(w)) for w in reading.sentence_words(f))
        return 0.6 if named else None
    if same_count(q.noun, found):
        if q.noun.cls == "resident" and found.cls == GENERIC_HUMAN:
            return 1.0  # a population is counted in persons: «عدد سكان آسيا» — «4,462 مليار نسمة»
        if found.cls != q.noun.cls:
            return 0.75
        return 1.0 if found.lemma == q.noun.lemma or not q.noun.known else SAME_CLASS  # ولاية asked, إقليم found
    # «كم عدد القتلى»: a figure of dead soldiers or dead people answers it
    if category_noun and found.kind == "human":
        return 0.9
    if not q.noun.known and not found.known and q.noun.lemma == found.lemma:
        return 1.0
    asked_skeleton = skeleton(q.noun_word) if not q.noun.known and q.noun_word else ""
    if len(asked_skeleton) >= 3 and f.noun and asked_skeleton == skeleton(f.noun):
        return 0.9  # «كم موقع»: «أربعة مواقع», a broken plural outside the lexicon
    # «ضحايا» asked, «وفاة 3 مسافرين» found: a figure that says the category counts people
    if category_noun and f.category == q.category and not found.known:
        return 0.8  # «عدد الموقوفين»: «القبض على 431 إرهابيا»
    # «فازت ستة مرات بجائزة غرامي» answers «كم جائزة غرامي»: times of winning what was asked
    # (people are not counted in times: «تضاعف سكان آسيا أربع مرات» is no population)
    if (
        found.cls == "times"
        and q.noun.kind != "human"
        and any(_same_noun(q.noun, noun_of(w)) for w in reading.sentence_words(f))
    ):
        return 0.6
    # «كم سعودياً …»: a nationality asked as the noun; people of it counted under another noun
    if not q.noun.known and q.noun_word and is_nisba(q.noun_word) and found.kind in ("human", "unknown"):
        key = subject_key(q.noun_word)
        return 0.75 if key in _keys(reading.sentence_words(f)) else None
    # «كم بلغت صادرات …», «ما حجم الإنفاق»: an amount asked by its name, given in a unit
    if not q.noun.known and not q.counted and found.kind == "unit" and found.cls != "time":
        return 0.6
    return None


def _same_noun(asked: Noun, word: Noun) -> bool:
    return asked.cls == word.cls


@dataclass(frozen=True)
class _Topic:
    """What the question is about beyond what it counts: its search terms, each weighted by how
    rare it is in the index (idf), so «تيانجين» weighs more than «عدد» or «أعلنت». A term is
    found by its stem or by its subject key (كوري and كوريا, the adjective and the place)."""

    weights: dict[str, float]  # stem → weight
    keys: dict[str, str]  # stem → subject key
    aggregate: str | None = None  # the total the question asks an amount of («صادرات»: exports)
    # terms the counted noun itself carries («العمرة» in «كم عدد المعتمرين في موسم العمرة»): the
    # noun names them wherever it stands («6 ملايين معتمر هذا العام» is of the Umrah season)
    implied: frozenset[str] = frozenset()
    carrier: str | None = None  # the counted noun's stem
    places: frozenset[str] = frozenset()  # where the question sets what it counts («في مصر»)
    _seen: dict[str, frozenset[str]] = field(default_factory=dict)  # word → the terms it names

    def coverage(self, words: Iterable[str]) -> float:
        total = sum(self.weights.values())
        if not total:
            return 1.0
        found: set[str] = set()
        for w in set(words):
            found |= self._terms_of(w)
        return sum(self.weights[t] for t in found) / total

    def _terms_of(self, word: str) -> frozenset[str]:
        """The topic terms a word names (by stem, subject key or alias), remembered per answer."""
        hit = self._seen.get(word)
        if hit is None:
            keys = {subject_key(word), *alias_keys(word)}  # «بيونغ يانغ» names North Korea
            stems = {stem(word)}
            bare = _preposition_off(word)
            if bare:
                stems.add(stem(bare))  # «بقيمة» names قيمة, «لسندات» سندات
            hit = frozenset(t for t in self.weights if t in stems or self.keys[t] in keys)
            if self.carrier is not None and self.carrier in stems:
                hit |= self.implied
            self._seen[word] = hit
        return hit


# The prepositions written onto a word (ب، ل، ك): the light stem keeps them, so «بولاية» and
# «ولاية» are two index terms; a word of five letters or more is read both ways.
_PREPOSITIONS = ("ب", "ل", "ك")


def _preposition_off(word: str) -> str | None:
    return word[1:] if len(word) >= 5 and word[0] in _PREPOSITIONS and word not in STOPWORDS else None


_LONG_VOWELS = str.maketrans("", "", "اوي")  # on normalised words: ى is ي, أ إ آ are ا
_HAMZAS = str.maketrans("ئؤ", "ءء")


def _cognate(term: str, noun: str) -> bool:
    """The term's consonants stand in order in a longer noun: one root («عمر» in «معتمر», «حج» in
    «حاج», «لجوء» in «لاجئ»)."""
    consonants = term.translate(_LONG_VOWELS).translate(_HAMZAS)
    letters = iter(noun.translate(_HAMZAS))
    return 2 <= len(consonants) < len(noun) and all(c in letters for c in consonants)


def _topic(engine: Searcher, q: CountQuestion) -> _Topic:
    """The question's topic: its terms less those that frame it (كم، عدد), name what is counted
    or what happened to it (checked apart, by noun and category)."""
    asked = terms(q.text, stemmed=False)
    words = [
        w
        for w in asked
        if w != q.noun_word
        and not asks_words(w)
        and measure_of(w) != "area"  # «مساحة»: a figure in km² says it already; «قيمة», «عمر» say what is measured
        and category_of(w) is None
        and w not in STOPWORDS
        and not time_word(w)
        and not is_report_verb(w)  # «التي أعلنت الوزارة …»: who said it, checked as the claimant
    ]
    bare = {w: _preposition_off(w) for w in words}
    candidates = {stem(w) for w in words} | {stem(b) for b in bare.values() if b}
    weigh = getattr(engine.backend, "term_weights", None)
    known = {t: max(0.0, float(x)) for t, x in (weigh(sorted(candidates)) if weigh is not None else {}).items()}
    keys: dict[str, str] = {}
    for w in words:
        term, b = stem(w), bare[w]
        if b and known.get(stem(b), 0.0) > 0 and not 0 < known.get(term, 0.0) <= known[stem(b)]:
            term, w = stem(b), b  # «بولاية»: the index knows «ولاية» better, a preposition on it
        keys.setdefault(term, subject_key(w))
    weights = {t: known.get(t, 0.0) for t in keys} if weigh is not None else dict.fromkeys(keys, 1.0)
    aggregate = next((a for a in map(aggregate_of, asked) if a), None)
    carrier = stem(q.noun_word) if q.noun_word else None
    implied = frozenset(t for t in weights if carrier and _cognate(t, carrier)) if COGNATES else frozenset()
    places = frozenset(place_keys(asked, named=True)) if PLACES else frozenset()
    return _Topic(weights, keys, aggregate, implied, carrier if implied else None, places)


class _Reading:
    """One passage being read for an answer: its words tokenised once, and what the figures
    that count the right thing need of it, computed when first asked for."""

    def __init__(self, hit: dict, titles: dict[str, list[str]], topic: _Topic, figures: list[Figure]):
        self.hit = hit
        self.figures = figures
        self.titles = titles
        self.topic = topic
        self._sentences: dict[int, list[str]] = {}
        self._settings: dict[int, list] = {}
        self._tokens: dict[int, list] = {}
        self._around: dict[int, list[str]] = {}  # figure start → the words around it

    @cached_property
    def words(self) -> list[str]:
        """The passage's normalised words and its title's (tokenised once per title)."""
        title = self.hit["title"] or ""
        if title not in self.titles:  # shared by the passages of one document
            self.titles[title] = terms(title, stemmed=False)
        return terms(self.hit["text"], stemmed=False) + self.titles[title]

    def words_around(self, f: Figure) -> list[str]:
        """The words within AROUND words of the figure, in its sentence: the question's words near it
        (read for the topic and for the figure's place: tokenised once)."""
        if f.start not in self._around:
            text = self.hit["text"]
            before = terms(text[f.sentence_start : f.start], stemmed=False)[-AROUND:]
            self._around[f.start] = before + terms(text[f.end : f.sentence_end], stemmed=False)[:AROUND]
        return self._around[f.start]

    def aggregate_before(self, f: Figure) -> str | None:
        """The total the nearest word before the figure in its sentence names («بلغ إنتاج … 10.3»)."""
        for w in reversed(terms(self.hit["text"][f.sentence_start : f.start], stemmed=False)):
            found = aggregate_of(w)
            if found is not None:
                return found
        return None

    def sentence_words(self, f: Figure) -> list[str]:
        if f.sentence_start not in self._sentences:
            self._sentences[f.sentence_start] = terms(
                self.hit["text"][f.sentence_start : f.sentence_end], stemmed=False
            )
        return self._sentences[f.sentence_start]

    @cached_property
    def published(self) -> date | None:
        try:
            return date.fromisoformat((self.hit.get("published") or "")[:10])
        except ValueError:
            return None

    def _times(self, f: Figure) -> list:
        """The time expressions of the figure's sentence, with their word positions."""
        if f.sentence_start not in self._settings:
            tokens = tokenize(self.hit["text"][f.sentence_start : f.sentence_end])
            self._settings[f.sentence_start] = times_at([t.text for t in tokens], self.published)
            self._tokens[f.sentence_start] = tokens
        return self._settings[f.sentence_start]

    def another_time(self, q: CountQuestion, f: Figure) -> bool:
        """The figure's clause sets it at another time than the question asks about."""
        times = self._times(f)
        if not times:
            return False
        tokens = self._tokens[f.sentence_start]

        def words_of(o: Figure) -> list[int]:
            start, end = o.start - o.sentence_start, o.end - o.sentence_start
            return [i for i, t in enumerate(tokens) if t.raw_end > start and t.raw_start < end]

        inside = words_of(f) or [0]
        first, last = inside[0], inside[-1]
        others = [i for o in self.figures if o.sentence_start == f.sentence_start and o is not f for i in words_of(o)]
        sentence = self.hit["text"][f.sentence_start : f.sentence_end]
        at = sentence.find(f.claimant) if f.claimant else -1
        claimed = {i for i, t in enumerate(tokens) if at >= 0 and at <= t.raw_start < at + len(f.claimant or "")}
        said = nearest(times, first, last, claimed, others)  # the claimant's words date its statement, not the figure
        return another_time(q.period, said)  # type: ignore[arg-type]

    @cached_property
    def keys(self) -> set[str]:
        """Subject keys of the passage and its title."""
        return _keys(self.words)

    @cached_property
    def topic_coverage(self) -> float:
        return self.topic.coverage(self.words)


def _match(q: CountQuestion, f: Figure, sentence: str, reading: _Reading) -> float | None:
    """A score for how well a figure answers the question; None when it does not. What it
    needs of the passage around the figure is read only for figures that count the right thing."""
    noun_score = _counts_what_was_asked(q, f, sentence, reading)
    if noun_score is None:
        return None
    words = reading.sentence_words(f)
    score = 1.0 + noun_score
    if (f.category or None) != (q.category or None):
        # the dead are not the injured, nor all the soldiers; but «22 سعودياً تسمموا» answers
        # «كم سعودياً أصيب بالتسمم» when the category is said around the figure, not on it
        # … unless a figure of that category stands in the sentence: then the word is that one's
        said = q.category is not None and any(category_of(w) == q.category for w in words)
        taken = any(o.category == q.category for o in reading.figures if o.sentence_start == f.sentence_start)
        if f.category or not said or taken:
            return None
        score -= UNSAID_CATEGORY
    if q.attached and f.subject:
        theirs = {subject_key(w.text) for w in tokenize(f.subject) if is_nisba(w.text) or len(w.text) > 3}
        theirs -= {"من"}
        if theirs and not theirs & set(q.attached):
            return None  # «20 جندياً هندياً» do not answer a question about North Korean soldiers
    if q.attached:
        here = _coverage(q.attached, _keys(words))
        near = _coverage(q.attached, reading.keys)
        if here == 0 and (near == 0 or noun_score < 1):
            return None  # a looser noun (شخص for جندي) must name the subject in its own sentence
        score += SUBJECT_WEIGHT * here + NEAR_WEIGHT * near
    if reading.topic.weights:
        here, wide = reading.topic.coverage(words), reading.topic_coverage
        if max(here, wide) < MIN_TOPIC:
            return None  # too little of what the question is about is near this figure
        score += SUBJECT_WEIGHT * here + NEAR_WEIGHT * wide
        score += CLAUSE_WEIGHT * reading.topic.coverage(reading.words_around(f))
    if reading.topic.places:
        around = reading.words_around(f)
        elsewhere = place_keys(around) - reading.topic.places
        if elsewhere and not reading.topic.places & _keys(around):
            return None  # Egypt's toll asked: «و40 مصابا بمحافظة القاهرة», «وفي بورما … 46»
    if AGGREGATES and reading.topic.aggregate is not None:
        named = reading.aggregate_before(f)
        if named is not None and named != reading.topic.aggregate:
            return None  # exports asked, «وبلغ إنتاج المملكة 10.3 مليون برميل» is production
    if reading.another_time(q, f):
        return None  # «وقد قتل آنذاك خمسة جنود», «من 7.737 مليون برميل في أبريل» for May
    if f.denied:
        score -= 0.5
    return score


def _semantic(engine: Searcher, text: str, passage_ids: list[str]) -> dict[str, float]:
    """Each passage's e5 similarity to the question, rescaled to 0–1 across the passages read
    (cosines of e5 crowd into a narrow band; their order is the evidence)."""
    if not SEMANTIC_WEIGHT or not passage_ids:
        return {}
    sims = engine.similarities(text, passage_ids)
    if not sims:
        return {}
    low, high = min(sims.values()), max(sims.values())
    return {pid: (s - low) / (high - low) if high > low else 1.0 for pid, s in sims.items()}


def _evidence(group: list[_Match]) -> float:
    """How strongly the sources stand behind a group: each independent report counts once, by
    its best figure's relevance, and each further distinct claimant adds its best relevance too
    (seven outlets repeating one body are one report per copy chain, one claimant)."""
    best_by_report: dict[int, float] = {}
    for m in group:
        if not m.figure.denied:
            best_by_report[m.report] = max(best_by_report.get(m.report, 0.0), m.score)
    best_by_claimant: dict[str, float] = {}
    for m in group:
        if m.figure.claimant and not m.figure.denied:
            key = claimant_key(m.figure.claimant)
            best_by_claimant[key] = max(best_by_claimant.get(key, 0.0), m.score)
    claimants = sorted(best_by_claimant.values(), reverse=True)[1:]  # the first is already a report's
    return sum(best_by_report.values()) + sum(claimants)


def _unit(f: Figure) -> str | None:
    """The unit an amount is measured in («كم²», «دولار»); None for counts of people or things."""
    entry = lookup(f.unit) if f.unit and not f.percent else None
    return entry.lemma if entry is not None and entry.kind == "unit" else None


def _compatible(a: _Match, b: _Match) -> bool:
    ua, ub = _unit(a.figure), _unit(b.figure)
    if ua is not None and ub is not None and ua != ub:
        return False  # 30 ألف متر مربع and 30,528 كم² are not one figure written two ways
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


def _group_json(group: list[_Match], copies: dict[str, list[str]]) -> dict:
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
    # outlets whose copies of a document were stored as its duplicates reported it too (one report)
    for m in group:
        outlets += [o for o in copies.get(m.passage_id, ()) if not m.figure.denied and o not in outlets]
    ordered = sorted(group, key=lambda m: (-m.score, m.published or "9999", m.rank))
    claimants = _claimants(group)
    reports = len({m.report for m in group if not m.figure.denied})
    dates = sorted(m.published for m in group if m.published)
    return {
        "value_low": _number(low),
        "value_high": _number(high),
        "qualifier": qualifier,
        "label": label(low, high, qualifier, group[0].sentence, group[0].figure),
        "unit": unit,
        "claimants": claimants,  # who says it, each once
        "outlets": outlets,  # who printed it ("reported by")
        "independent_reports": reports,  # outlets, a wire copy and its reprints counted once
        "support": reports + len(claimants),
        "first_published": dates[0] if dates else None,
        "last_published": dates[-1] if dates else None,
        "figures": [_figure_json(m) for m in ordered],
    }


def claimant_key(claimant: str) -> str:
    """One spelling per body: «وزارة الداخلية السعودية» and «لوزارة الداخلية» meet on their words."""
    keys = [subject_key(t.text[1:] if t.text[:1] in "لبو" and len(t.text) > 4 else t.text) for t in tokenize(claimant)]
    return " ".join(k for k in keys if k)


def _claimants(group: list[_Match]) -> list[str]:
    """The group's distinct claimants, as first written, a shorter name folded into a longer one
    that holds all its words («الوزارة» aside: that is resolved when the figure is read)."""
    seen: dict[str, str] = {}
    for m in sorted(group, key=lambda m: -m.score):
        c = m.figure.claimant
        if not c or m.figure.denied:
            continue
        key = claimant_key(c)
        words = set(key.split())
        same = next((k for k in seen if words <= set(k.split()) or set(k.split()) <= words), None)
        if same is None:
            seen[key] = c
        elif len(words) > len(same.split()):
            seen[key] = seen.pop(same)
    return list(seen.values())


def _reports(matches: list[_Match]) -> None:
    """Number the independent reports: figures from one outlet, or from sentences so alike
    that one was copied from the other (a wire story reprinted), share a report."""
    bags: list[tuple[set[str], str | None]] = []
    for m in sorted(matches, key=lambda m: (m.published or "9999", m.rank)):
        words = set(terms(m.sentence, stemmed=False))
        for n, (other, outlet) in enumerate(bags):
            if (m.outlet is not None and outlet == m.outlet) or _jaccard(words, other) >= COPY_SIMILARITY:
                m.report = n
                break
        else:
            m.report = len(bags)
            bags.append((words, m.outlet))


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


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
        "date_estimated": m.date_estimated,
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
    # One search serves both: its first page is shown, every passage it ranks (to ANSWER_DEPTH) is read.
    wide = engine.search(replace(query, page=1), highlights=False, depth=max(ANSWER_DEPTH, query.k))
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
        "total_near": shown["total_near"],
        "page": query.page,
        "k": query.k,
        "passages": shown["results"],
    }
    try:
        q = parse_question(query.text)
    except NotACountQuestion:
        return {**out, "status": "not_a_count_question", "understood": None}
    hits = wide["results"]
    topic = _topic(engine, q)
    figures = engine.backend.figures([h["passage_id"] for h in hits])
    matches: list[_Match] = []
    titles: dict[str, list[str]] = {}
    # the question's vector is the search's own, except in bm25 mode: no model is run for it there
    read = [h["passage_id"] for h in hits if h["passage_id"] in figures]
    meaning = _semantic(engine, query.text, read) if query.mode is not SearchMode.BM25 else {}
    for rank, hit in enumerate(hits):
        if hit["passage_id"] not in figures:
            continue
        reading = _Reading(hit, titles, topic, figures[hit["passage_id"]])
        for f in figures[hit["passage_id"]]:
            sentence = hit["text"][f.sentence_start : f.sentence_end]
            score = _match(q, f, sentence, reading)
            if score is None:
                continue
            score += RANK_WEIGHT * RANK_HALF / (RANK_HALF + rank)  # the search's own view of the passage
            score += SEMANTIC_WEIGHT * meaning.get(hit["passage_id"], 0.0)  # e5: how near its meaning is
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
                    bool(hit.get("date_estimated")),
                )
            )
    if matches:
        best = max(m.score for m in matches)
        matches = [m for m in matches if m.score >= KEEP_RATIO * best]
    precise = [m for m in matches if m.figure.qualifier != "vague"]
    if precise:
        matches = precise  # «آلاف الجنود» says less than any source that gives a number
    _reports(matches)
    groups = _group(matches)
    groups.sort(key=lambda g: (-_evidence(g), min(m.rank for m in g)))
    copy_outlets = getattr(engine.backend, "copy_outlets", None)
    copies = copy_outlets(list({m.passage_id for m in matches})) if copy_outlets is not None and matches else {}
    rendered = [_group_json(g, copies) for g in groups]
    status = "conflict" if len(rendered) >= 2 else "agreed" if rendered else "no_figures"
    return {**out, "status": status, "conflict": status == "conflict", "understood": q.to_json(), "groups": rendered}
