"""Figures: the quantities of a passage with what they count, about whom, and who says so.

DESIGN.md, "Figures". Built on search/figures/quantities.py (the number and its hedge) and
search/figures/nouns.py (what is counted). For each quantity in a passage:
- the counted noun: the word after the number («10 آلاف جندي»), after «من» («11 ألفاً من
  الجنود»), the definite noun before a definite number («السنوات الأربع»), the dual itself
  («شخصين»), the unit of an age before it («في سن 39»), or, for a bare number, the noun its
  clause counts («عدد القتلى … 500»);
- the category: what happened to the counted, from the noun (قتلى، إصابات) or from the words
  of its clause before it («مقتل 20 جندياً», «أودت بحياة 14») or after it with the noun
  elided («21 شخصا لقوا حتفهم», «عشرة مدنيين بينهم أطفال قتلوا»); a partitive share
  («منهم 22») takes its whole's; an age, a sum or a thing is never a toll;
- the subject: adjectives of origin and «من» phrases attached to the noun («جندي كوري
  شمالي», «جندي من كوريا الشمالية», «جنديا هنديا»);
- the claimant: a source phrase after the figure or closing its sentence («وفقاً لتقديرات
  أوكرانية», «… حسب تقرير الطب الشرعي»), else the subject of the nearest reporting verb
  before it, after the verb («قالت وزارة الدفاع الأميركية (البنتاغون)») or before it
  («وكانت الرياض أعلنت»), walking back past verbs whose subject is elided («وأضاف أن»,
  «وقال: "…"», a participle «قائلة»); «بيان لوزارة …» credits the ministry; «المصدر نفسه»
  and a bare «الوزارة» resolve to what they refer to in the passage; a denial is marked;
- the sentence, and the raw character spans of the figure and its sentence in the passage.
Everything is read on normalised tokens; spans and texts are raw.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from search.arabic import STOPWORDS, Token, is_number, normalize, tokenize
from search.figures.lexicon import load
from search.figures.nouns import (
    CATEGORY_OF_CLASS,
    CATEGORY_WORDS,
    POSSESSIVES,
    category_label,
    category_of,
    dual_noun,
    is_category_noun,
    is_nisba,
    lookup,
    power_unit,
)
from search.figures.quantities import Quantity, find_quantities, is_magnitude

FIGURES_VERSION = 14  # bump when extraction changes what is stored (the index format records it)

_MAX_CLAUSE_BACK = 14  # tokens read before a number for its category
_MAX_CLAUSE_AHEAD = 8  # tokens read after it for a verb that carries the category
_UNIT_REACH = 6  # tokens from an amount's unit to a bare amount after it that shares it
_MAX_CLAIMANT = 8  # tokens in a claimant
_QUOTED_NAME = 5  # words in quotes that can still be a name («المرصد السوري لحقوق الإنسان»), not a quotation
_SOURCE_AFTER = 5  # «… 11 ألف جندي، وفقاً لـ…»: a source phrase this close after the number is its source


@dataclass(frozen=True)
class Figure:
    value_low: float | None
    value_high: float | None
    qualifier: str  # search.figures.quantities.Qualifier value
    percent: bool
    unit: str | None  # the counted noun's lemma (جندي for جنود), "%" for a percentage, None when unknown
    noun: str | None  # the counted word, normalised (جنديا)
    category: str | None  # what happened to the counted: dead, injured, missing, displaced, captured ("+"-joined)
    subject: str | None  # raw words attached to the noun that say whose («كوري شمالي»)
    claimant: str | None  # raw: who says so
    denied: bool  # the claimant denies it (نفى)
    start: int  # raw span of the figure in the passage
    end: int
    sentence_start: int  # raw span of its sentence in the passage
    sentence_end: int


_SENTENCE_END = re.compile(r"(?<=[.!?؟])[\s»\"”]*\s|\n+")

_WORDS = load("claimants")  # lexicon/claimants.json
_NOT_DUAL = frozenset(normalize(w) for w in ("نقل", "قدر", "قدّر", "ذكر"))
_SAID = frozenset(normalize(w) for w in _WORDS["report_verbs"])
# … and their past plural and dual («قالوا», «أفادا»); not «نقلا», «قدرا» (the adverb «نقلاً», an amount)
_PAST_SAID = [v for v in _SAID if not v.startswith(("ي", "ت", "ن")) and not v.endswith(("ت", "ي", "ا", "ه"))]
_REPORT_VERBS = _SAID | {v + "وا" for v in _PAST_SAID} | {v + "ا" for v in _PAST_SAID if v not in _NOT_DUAL}
_PARTICIPLES = frozenset(normalize(w) for w in _WORDS["participles"])
_DENIALS = frozenset(normalize(w) for w in _WORDS["denials"])
# Phrases naming a source after them: «وفقاً لـ», «بحسب», «نقلاً عن», «استناداً إلى».
_SOURCE_PHRASES = tuple(tuple(normalize(p).split()) for p in _WORDS["source_phrases"])
_SOURCE_FIRST = frozenset(p[0] for p in _SOURCE_PHRASES) | frozenset("و" + p[0] for p in _SOURCE_PHRASES)
_CLAIMANT_STOPS = frozenset(normalize(w) for w in _WORDS["stops"])
_REPRESENTATIVES = frozenset(normalize(w) for w in _WORDS["representatives"])
_CONTENT_STARTS = frozenset(normalize(w) for w in _WORDS["content_starts"])
_DOCUMENTS = frozenset(normalize(w) for w in _WORDS["documents"])
_CRITERIA = frozenset(normalize(w) for w in _WORDS["criteria"])
_AGE_WORDS = frozenset(normalize(w) for w in "سن عمر بعمر بسن".split())
_AGE_NOUNS = frozenset(normalize(w) for w in "العمر عمره عمرها عاما سنة".split())
_PERCENT_WORDS = frozenset(normalize(w) for w in "في المئة المائة بالمئة بالمائة".split())
_PARTITIVES = frozenset(normalize(w) for w in "منهم منها بينهم بينها بينهن منهن".split())
_CLAUSE_BOUNDARIES = frozenset(normalize(w) for w in _WORDS["clause_boundaries"])
# «حسب تعبيره», «على حد قوله»: the speaker already named, not a new source
_OWN_WORDS = frozenset(normalize(w) for w in _WORDS["own_words"])
_PRONOUN_PREPOSITIONS = frozenset(normalize(w) for w in _WORDS["pronoun_prepositions"])
_ELIDED_AFTER = frozenset(normalize(w) for w in _WORDS["elided_after"])
_MEDIA_TOLD = frozenset(normalize(w) for w in _WORDS["media_told"])
_GUILLEMETS = re.compile("[«»]")
_QUOTE_OPEN = '«"“('
_QUOTE_CLOSE = {"«": "»", '"': '"', "“": "”", "(": ")"}
_BREAKS = "،,:;.!?؟"
_NOT_NOUNS = frozenset(
    normalize(w)
    for w in (
        "من في على إلى الى عن و أو أن إن عام قد ما لا التي الذي الذين اللواتي اللاتي وذلك هذا هذه أيضا بكثير فقط "
        "تقريبا منهم منها بينهم بينما فيما حيث وهو وهي وهم منذ خلال قبل بعد حتى عند لدى مقابل ضمن "
        "سنويا يوميا شهريا أسبوعيا أخرى آخر"
    ).split()
)


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) raw spans of the sentences of a passage."""
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


CONTEXT_CHARS = 600  # how much of the text before a passage its figures may be credited from


def context_before(document: str, start: int) -> str:
    """The end of a document's text before a passage starting at `start`: up to CONTEXT_CHARS,
    from a paragraph or sentence start, so a speaker named there can be followed into the passage
    («وقالت مصادر محلية …» ⏎ «وأشارت المصادر إلى أن 6 …»)."""
    head = document[max(0, start - CONTEXT_CHARS) : start]
    if start > CONTEXT_CHARS:  # the first sentence is cut: start at the next one
        boundary = _SENTENCE_END.search(head)
        head = head[boundary.end() :] if boundary else ""
    return head.rstrip()


def extract_figures(text: str, context: str = "") -> list[Figure]:
    """Every figure of a passage's raw text, in order. `context` is the text before the passage in
    its document (context_before): read for who says a figure, never for figures of its own."""
    alone = _figures(text)
    if not context or not _looks_back(text, alone):
        return alone  # most passages: nothing the text before could change
    shift = len(context) + 1
    return [
        replace(
            f,
            start=f.start - shift,
            end=f.end - shift,
            sentence_start=f.sentence_start - shift,
            sentence_end=f.sentence_end - shift,
        )
        for f in _figures(context + "\n" + text)
        if f.sentence_start >= shift
    ]


def _looks_back(text: str, figures: list[Figure]) -> bool:
    """Whether the text before the passage may name who says one of its figures: a claimant that
    may stand for a fuller name or for the source before («المصادر», «المصدر نفسه»), or none in
    one of the first two sentences when it opens with an elided speaker («وأضاف أن …»)."""
    for f in figures:
        said = tuple(t.text.removeprefix("و") for t in tokenize(f.claimant)) if f.claimant else ()
        if len(said) == 1 or said in _SAME_SOURCE:
            return True
    first = {s for s, _ in sentences(text)[:2]}
    bare = [f for f in figures if f.claimant is None and f.sentence_start in first]
    if not bare:
        return False
    tokens = _tokenized(text)
    starts = [t.raw_start for t in tokens]
    words = [t.text for t in tokens]
    for f in bare:
        lo = bisect.bisect_left(starts, f.sentence_start)
        hi = bisect.bisect_left(starts, f.sentence_end)
        if _opens_with_elided_verb(text, tokens, words, lo, hi):
            return True
    return False


@lru_cache(maxsize=4)  # a passage is tokenised once for its figures and once more to see if it looks back
def _tokenized(text: str) -> list[Token]:
    return tokenize(text)


def _figures(text: str) -> list[Figure]:
    tokens = _tokenized(text)
    quantities = find_quantities(text, tokens)
    if not quantities:
        return []
    starts = [t.raw_start for t in tokens]
    words = [t.text for t in tokens]
    spans = sentences(text)
    sentence_starts = [s for s, _ in spans]
    located = []
    taken: set[int] = set()  # tokens that belong to some quantity
    claimed: set[int] = set()  # category words a figure already read as its own («46 قتيلا», «لقوا حتفهم»)
    for q in quantities:
        first = bisect.bisect_left(starts, q.start)
        last = max(first, bisect.bisect_left(starts, q.end) - 1)
        located.append((q, first, last))
        taken.update(range(first, last + 1))
    out: list[Figure] = []
    for q, first, last in located:
        s_index = max(0, bisect.bisect_right(sentence_starts, q.start) - 1)
        s_start, s_end = spans[s_index]
        lo = bisect.bisect_left(starts, s_start)
        hi = bisect.bisect_left(starts, s_end)  # tokens [lo, hi) are the sentence's
        figure = _figure(text, tokens, words, starts, q, first, last, lo, hi, taken, claimed, spans, s_index)
        before = out[-1] if out and out[-1].sentence_start == figure.sentence_start else None
        if figure.category is None and before is not None and before.category and _partitive_before(words, first):
            figure = replace(figure, category=before.category)  # «أصيب 50 زائرا منهم 22 سعوديا»: 22 of the injured
        if figure.noun is None and before is not None and before.unit and is_magnitude(words[last]):
            unit = lookup(before.unit)
            if (
                unit is not None
                and unit.kind == "unit"
                and first - _UNIT_REACH <= bisect.bisect_left(starts, before.end)
            ):
                # «تبلغ 29 مليار دولار وليس 100 مليار»: the amount after is in the currency before
                # (its unit; the text names no noun for it)
                figure = replace(figure, unit=before.unit)
        if before is not None and last + 1 < len(words) and words[last + 1] in _PARTITIVES:
            # «تسجيل 29 حالة تسمم … نقل 16 منهم إلى المستشفى»: 16 of the 29, counted as they were
            figure = replace(figure, unit=before.unit, noun=before.noun, category=figure.category or before.category)
        out.append(figure)
    return out


def _partitive_before(words: list[str], first: int) -> bool:
    """«منهم 22», «من بينهم 3»: the figure counts some of the figure before it."""
    return any(w in _PARTITIVES for w in words[max(0, first - 2) : first])


def _figure(
    text: str,
    tokens: list[Token],
    words: list[str],
    starts: list[int],
    q: Quantity,
    first: int,
    last: int,
    lo: int,
    hi: int,
    taken: set[int],
    claimed: set[int],
    spans: list[tuple[int, int]],
    s_index: int,
) -> Figure:
    power = None if q.dual or q.percent else _power_unit(text, tokens, words, last + 1, hi)
    if q.dual:
        noun_at: int | None = last  # «شخصين», «مرتين»: the dual is the number and the noun (after any hedge)
    elif power is not None:
        noun_at = last + 1  # «103,000 كم2», «7000 متر مكعب»: an area or a volume
    elif q.percent:  # «97 في المائة من البالغين»: what the share is of
        j = last + 1
        while j < hi and words[j] in _PERCENT_WORDS:
            j += 1
        noun_at = j + 1 if j + 1 < hi and words[j] == "من" and _may_be_noun(words[j + 1]) else None
    elif q.age:  # «في الثالثة عشرة من العمر»: the age's word, when the text names one
        after = [j for j in range(last + 1, min(hi, last + 3)) if words[j] in _AGE_NOUNS]
        noun_at = after[0] if after else None
    elif first == last and first > lo and words[first].startswith("ال") and _owned_or_definite(words[first - 1]):
        noun_at = first - 1  # «السنوات الأربع», «وأضلاعه الثلاث», «وضيوفها الستة»: the noun stands before
    elif (
        power is None
        and last + 1 < hi
        and words[last + 1] == _METRE_SIGN
        and _LENGTH_CUES & set(words[max(lo, first - 3) : first])
    ):
        noun_at = last + 1  # «بطول 400 م»: «م» is the metre after a length (alone it may be the era)
    elif first == last and first > lo and words[first] in _ONE and _one_of_noun_before(words, first, taken):
        noun_at = first - 1  # «متر واحد», «في بوتقة واحدة»: one of the noun before it
    elif (
        first >= lo + 2
        and words[first - 1] == "ال"
        and words[first - 2].startswith(_DEFINITE)
        and first - 2 not in taken
        and (last + 1 >= hi or words[last + 1].startswith("ال"))  # an adjective after, not «الـ431 داعشياً»
    ):
        noun_at = first - 2  # «الدول الـ26 الأضعف», «الأشهر الـ9 السابقة»: the noun stands before «الـ»
    else:
        noun_at = _noun_index(text, tokens, words, last, lo, hi, taken)
    noun = power or (words[noun_at] if noun_at is not None else None)
    if q.dual and q.noun != noun:
        noun = q.noun  # «مرتين» counts مرة
    elif noun is None and first > lo and lookup(words[first - 1]) is not None and words[first - 1] in _AGE_WORDS:
        noun = words[first - 1]  # «في سن 39», «بعمر 38»: an age, its unit before it
    entry = (q.dual and dual_noun(noun)) or lookup(noun) if noun else None  # «سنتين» is two years, not cents
    if noun == _METRE_SIGN:
        entry = lookup(normalize("متر"))
    categories = set()
    if entry is not None and entry.cls == _HELD:
        # «مقتل سجينين»: what befell the prisoners, when the clause says it; «العفو عن 20 سجينا»: they
        # are freed; else they are held
        befell = _categories_before(text, tokens, words, first, lo, taken | claimed)
        freed = any(w in _FREED for w in words[max(lo, first - _MAX_CLAUSE_BACK) : first])
        categories |= befell or (set() if freed else {CATEGORY_OF_CLASS[_HELD]})
    elif entry is not None and entry.cls in CATEGORY_OF_CLASS:
        categories.add(CATEGORY_OF_CLASS[entry.cls])  # «37 جريحا» says itself what it counts
        claimed.add(noun_at if noun_at is not None else first)
    elif noun is not None and entry is None and category_of(noun) is not None and noun_at != first:
        categories.add(category_of(noun) or "")  # «9 إصابات»
        claimed.add(noun_at if noun_at is not None else first)
    else:  # «14 قتيلا و37 جريحا»: the words before 37 belong to the figure before it
        categories |= _categories_before(text, tokens, words, first, lo, taken | claimed)
    after_from = (noun_at if noun_at is not None and noun_at > last else last) + 1
    # «قتل 3 أشخاص بينما أصيب 20», «اعتقال 12 شخصا على خلفية عمليات قتل»: a figure whose category
    # is said before it takes no other from the clause after it (it still claims its own: «لقي 12 حتفهم»)
    said_before = set(categories)
    for at in range(after_from, min(hi, after_from + _MAX_CLAUSE_AHEAD)):
        w = words[at]
        if at in taken or any(ch in text[tokens[at - 1].raw_end : tokens[at].raw_start] for ch in "،,;:"):
            break
        if w in _CLAUSE_BOUNDARIES:
            break
        if w in CATEGORY_WORDS and at == after_from and noun_at is not None and noun_at > last:
            categories.add(CATEGORY_WORDS[w])  # «3 حالات وفاة»: what the cases are («وفاة» is no «و» clause)
            claimed.add(at)
            break
        if w[0] in "وف" and len(w) > 2:
            break  # «لقي 14 شخصاً حتفهم وأصيب …», «14 قتيلا و37 جريحا ونزوح …»: the next clause
        c = category_of(w)
        if c is not None and not w.startswith("ال") and not is_category_noun(w):
            if not said_before or c in said_before:
                categories.add(c)  # «لقوا حتفهم», «عشرة مدنيين بينهم أطفال قتلوا»: the verb of this figure
                claimed.add(at)  # … and no later figure's («حتفهم … وتضرر أكثر من مائتي ألف شخص»)
            break
    if q.percent:
        categories.discard("casualties")  # «بلغت خسائره أكثر من 10%»: money lost, not people
    if q.age or (entry is not None and entry.kind in ("unit", "time", "thing") and "captured" not in categories):
        categories = set()  # «بقتل صديقته البالغة 43 عاما»: an age, a sum or a thing is not a toll
    elif entry is not None and entry.kind != "human":
        categories.discard("captured")  # «ضبط 5 أطنان»: things are seized, people are arrested
    elif not categories and not q.percent and _hospitalised(text, tokens, words, first, last, lo, hi):
        categories.add("injured")
    attached = noun_at is not None and noun_at in (last + 1, last + 2)  # after the number (or «من»)
    subject = _subject(text, tokens, words, noun_at, hi) if attached and noun_at is not None else None
    claimant, denied = _claimant(text, tokens, words, first, last, lo, hi, taken)
    opened = _open_quote(text, q.start) if claimant is None else None
    if opened is not None and opened < spans[s_index][0]:
        # «وأضاف البنك أن «… . وفي حالة عدم حدوثه … عند مستوى 1050 دولارًا»»: a quotation that
        # runs on past its sentence is still its speaker's
        o_index = max(0, bisect.bisect_right([a for a, _ in spans], opened) - 1)
        o_lo = bisect.bisect_left(starts, spans[o_index][0])
        o_at = bisect.bisect_left(starts, opened)
        claimant, denied = _claimant(text, tokens, words, o_at, o_at - 1, o_lo, o_at, taken)
    if claimant is None:
        # a sentence opening with an elided subject («وأضاف أن …») continues the previous speaker
        for back in (s_index - 1, s_index - 2):
            if back < 0 or not _opens_with_elided_verb(text, tokens, words, lo, hi):
                break
            p_lo = bisect.bisect_left(starts, spans[back][0])
            p_hi = bisect.bisect_left(starts, spans[back][1])
            claimant, denied = _claimant(text, tokens, words, p_hi, p_hi - 1, p_lo, p_hi, taken)
            if claimant is not None:
                break
    if claimant is not None:
        claimant = _resolved(text, tokens, words, starts, spans, s_index, claimant, taken)
    unit: str | None = noun
    if q.percent:
        unit = "%"
    elif entry is not None:
        unit = entry.lemma
    return Figure(
        q.value_low,
        q.value_high,
        q.qualifier.value,
        q.percent,
        unit,
        noun,
        category_label(categories),
        subject,
        claimant,
        denied,
        q.start,
        q.end,
        spans[s_index][0],
        spans[s_index][1],
    )


_DEFINITE = ("ال", "لل", "وال", "بال", "فال")
_METRE_SIGN = normalize("م")
_LENGTH_CUES = frozenset(
    normalize(w)
    for w in (
        "طول بطول وبطول طوله عرض بعرض وعرض عرضه عمق بعمق وعمق عمقه ارتفاع بارتفاع وارتفاع ارتفاعه مسافة بمسافة"
    ).split()
)


def _owned_or_definite(word: str) -> bool:
    """A noun a definite numeral may follow: definite («السنوات») or owned («وأضلاعه», «وضيوفها»)."""
    if word.startswith(_DEFINITE):
        return True
    return len(word) >= 5 and not is_number(word) and word.endswith((*POSSESSIVES, "ه"))


_ONE = frozenset(normalize(w) for w in ("واحد", "واحدة"))


def _one_of_noun_before(words: list[str], first: int, taken: set[int]) -> bool:
    return first - 1 not in taken and _may_be_noun(words[first - 1])


_HELD = "prisoner"  # the noun class of prisoners: held, unless the clause says what befell them
_FREED = frozenset(
    normalize(w) for w in "عفو عفوا العفو بالعفو أفرج أفرجت الإفراج بالإفراج سراح إطلاق يفرج تفرج".split()
)
# «ونقل 66 آخرون إلى المستشفيات», «إسعاف 5 عاملات للمستشفى»: people taken to hospital are hurt or ill
_TAKEN = frozenset(
    normalize(w)
    for w in "نقل ونقل بنقل وبنقل نقلت ونقلت نقلوا ونقلوا إسعاف وإسعاف أسعف أسعفت إدخال وإدخال أدخل أدخلت".split()
)
_HOSPITAL = normalize("مستشفى")[:-1]  # «المستشفى», «للمستشفيات», «بمستشفى»
_TAKEN_BACK = 3  # tokens between the verb and the number («نقل 16», «تم نقل نحو 40»)
_HOSPITAL_AHEAD = 6  # … and from the number to the hospital («نقل 66 آخرون إلى المستشفيات»)


def _hospitalised(text: str, tokens: list[Token], words: list[str], first: int, last: int, lo: int, hi: int) -> bool:
    """The people counted were taken to hospital: the clause's verb before them, a hospital after."""
    if not any(words[i] in _TAKEN for i in range(max(lo, first - _TAKEN_BACK), first)):
        return False
    for j in range(last + 1, min(hi, last + 1 + _HOSPITAL_AHEAD)):
        if any(ch in text[tokens[j - 1].raw_end : tokens[j].raw_start] for ch in "،,;:.") or is_number(words[j]):
            return False
        if _HOSPITAL in words[j]:
            return True
    return False


_SQUARE = normalize("مربع")
_CUBE = normalize("مكعب")


def _power_unit(text: str, tokens: list[Token], words: list[str], at: int, hi: int) -> str | None:
    """A length unit at token `at` squared or cubed («كم2», «سم3», «متر مربع», «كيلومترات مربعة», «م
    مكعب»): the lexicon's area or volume word for it, else None."""
    if at + 1 >= hi:
        return None
    after = words[at + 1]
    if not text[tokens[at].raw_end : tokens[at + 1].raw_start] and after in ("2", "3"):
        exponent = int(after)  # glued to the unit
    elif after.startswith((_SQUARE, "ال" + _SQUARE)):
        exponent = 2
    elif after.startswith((_CUBE, "ال" + _CUBE)):
        exponent = 3
    else:
        return None
    return power_unit(words[at], exponent)


def _noun_index(
    text: str, tokens: list[Token], words: list[str], last: int, lo: int, hi: int, taken: set[int]
) -> int | None:
    """The token that says what the number counts."""
    j = last + 1
    while j + 1 < hi and words[j] == "و" and is_number(words[j + 1]):
        j += 2  # «أعمارهم 3 و5 و9 و14 سنة»: the list shares the noun after its last number
    if j < hi and j not in taken and not any(ch in text[tokens[last].raw_end : tokens[j].raw_start] for ch in _BREAKS):
        w = words[j]
        if w == "من" and j + 2 < hi and words[j + 1] in _DEMONSTRATIVES:
            return j + 2  # «6 من هذه العناصر»
        if w == "من" and j + 1 < hi and (lookup(words[j + 1]) is not None or words[j + 1].startswith("ال")):
            return j + 1  # «11 ألفاً من الجنود»
        if lookup(w) is not None or _may_be_noun(w):
            return j
    # a bare number: the noun its clause counts, «عدد X», or the nearest known noun before it
    for i in range(last - 1, lo - 1, -1):
        if words[i].startswith("عدد") and i + 1 < hi and i + 1 not in taken and lookup(words[i + 1]) is not None:
            return i + 1
    # «قد يصل عددهم إلى 11 ألفاً»: the pronoun refers back, possibly past other figures
    pronoun = any(w.startswith("عدد") and len(w) > 3 for w in words[max(lo, last - 5) : last])
    for i in range(last - 1, (lo if pronoun else max(lo, last - _MAX_CLAUSE_BACK)) - 1, -1):
        if i in taken and not pronoun:
            break
        entry = lookup(words[i])
        adjective = i > lo and words[i].startswith("ال") and words[i - 1].startswith("ال") and is_nisba(words[i])
        if entry is not None and entry.kind in ("human", "thing") and not adjective:
            return i  # not «الاستخبارات العسكرية»: there العسكرية describes, it does not count
    return None


def _may_be_noun(word: str) -> bool:
    """An unknown word after a number that can be what it counts (not a particle or a verb)."""
    if is_number(word) or word in _NOT_NOUNS or word in STOPWORDS or len(word) < 3:
        return False
    if word.startswith(("بال", "لل", "كال", "فال")):
        return False  # «إصابة 66 بالإجهاد»: a prepositional phrase, not what is counted
    if word[0] in "وف" and len(word) > 3 and not word.endswith(("ا", "ين", "ات", "ون")):
        return False  # a new clause: «… 11 ألفاً وأن …»; not «16 فريقاً»
    return not word.startswith(("ي", "سي", "ست"))  # imperfect verbs: «يتمركز», «يتدربون»


def _categories_before(
    text: str, tokens: list[Token], words: list[str], first: int, lo: int, taken: set[int]
) -> set[str]:
    """Categories of the nearest run of category words before the number in its clause."""
    found: set[str] = set()
    for i in range(first - 1, max(lo, first - _MAX_CLAUSE_BACK) - 1, -1):
        if i in taken or any(ch in text[tokens[i].raw_end : tokens[i + 1].raw_start] for ch in "،,;:"):
            break
        c = category_of(words[i])
        if c is not None:
            found.add(c)
            if not is_category_noun(words[i]):
                break  # «وأصيب 37»: the verb of this figure; what comes before belongs to another clause
        elif (found and words[i] != "و") or words[i] in _CLAUSE_BOUNDARIES:
            break
    return found


def _subject(text: str, tokens: list[Token], words: list[str], noun_at: int, hi: int) -> str | None:
    """Adjectives of origin and «من» + place attached after the noun, as written."""
    j = noun_at + 1
    end = None
    while j < hi and j - noun_at <= 4:
        gap = text[tokens[j - 1].raw_end : tokens[j].raw_start]
        if any(ch in gap for ch in _BREAKS):
            break
        w = words[j]
        place = w.endswith("يا") and (not words[noun_at].endswith("ا") or w[0] in "لب")
        if is_nisba(w) and not place:
            end = j  # an accusative adjective follows an accusative noun: «جنديا هنديا», not «صاروخ لروسيا»
        elif w == "من" and end is None and j + 1 < hi and words[j + 1][:1].isalpha():
            end = j + 1  # «من كوريا الشمالية»
            j += 1
        else:
            break
        j += 1
    if end is None:
        return None
    start = noun_at + 1
    return text[tokens[start].raw_start : tokens[end].raw_end]


def _opens_with_elided_verb(text: str, tokens: list[Token], words: list[str], lo: int, hi: int) -> bool:
    """«وأضاف أن …», «وقال: "…"», «كما أشار إلى أن …»: a reporting verb whose subject is the previous speaker."""
    if lo + 1 < hi and words[lo] in _CLAUSE_OPENERS:
        lo += 1  # «كما أشار», «ثم أضاف»
    if lo >= hi or _verb_at(words, lo) not in _REPORT_VERBS:
        return False
    after = words[lo + 1] if lo + 1 < hi else ""
    # «وأضاف أن …», «وقال: "…"», «وقال أمام اللجنة …»: no subject follows the verb
    return (
        lo + 1 >= hi
        or after in _ELIDED_AFTER
        or after in _CLAIMANT_STOPS
        or _told_medium(after)  # «وأضاف لمراسلة "الجوهرة أف أم" أنه …»
        or _quote_follows(text, tokens, lo)
    )


def _open_quote(text: str, at: int) -> int | None:
    """The offset of the «…» quotation still open at `at`, or None (guillemets only: a straight
    «"» does not say whether it opens or closes)."""
    opened: list[int] = []
    for m in _GUILLEMETS.finditer(text, 0, at):
        if m.group() == "«":
            opened.append(m.start())
        elif opened:
            opened.pop()
    return opened[-1] if opened else None


def _quote_follows(text: str, tokens: list[Token], i: int) -> bool:
    """A colon or an opening quote right after token i: what follows is said, not who says it."""
    gap = text[tokens[i].raw_end : tokens[i + 1].raw_start] if i + 1 < len(tokens) else ""
    return ":" in gap or any(ch in gap for ch in _QUOTE_OPEN)


def _strip_conj(word: str) -> str:
    return word[1:] if word[:1] in ("و", "ف") and word[1:] in _REPORT_VERBS else word


def is_report_verb(word: str) -> bool:
    """A normalised verb of saying («أعلنت», «وقال»): it frames who says a figure, not what it is about."""
    return _strip_conj(word) in _REPORT_VERBS


_HASAB = frozenset(normalize(w) for w in ("حسب", "بحسب", "وحسب", "وبحسب"))
_BAYYANA = frozenset(normalize(w) for w in ("بين", "وبين", "فبين"))
_EXPLAINED = normalize("أوضح")


def _verb_at(words: list[str], i: int) -> str:
    """The word at i as a reporting verb would be read: without its conjunction, and «وبيّن أن»
    read as «أوضح أن» (unvowelled, «بين» is also "between", so only before «أن»)."""
    if words[i] in _BAYYANA and i + 1 < len(words) and words[i + 1] in _ELIDED_AFTER:
        return _EXPLAINED
    return _strip_conj(words[i])


def _source_phrase_at(words: list[str], i: int) -> int | None:
    """If a source phrase starts at token i, the index where its source starts."""
    if words[i] not in _SOURCE_FIRST:
        return None
    for phrase in _SOURCE_PHRASES:
        w = words[i]
        if tuple(words[i : i + len(phrase)]) == phrase or (len(phrase) == 1 and w[1:] == phrase[0] and w[0] == "و"):
            k = i + len(phrase)
            glued = phrase[0] == _HASABAMA
            if k < len(words) and words[k] == "ل":
                k += 1  # «وفقاً لـ X»: the tatweel was dropped, «ل» stands alone
            if glued or (k < len(words) and words[k] in ("ما", "لما")):  # «وفق ما أعلنته وزارة …», «حسبما»
                k += 0 if glued else 1
                if k < len(words) and any(words[k].startswith(v) for v in _REPORT_VERBS if len(v) >= 3):
                    k += 1
                elif k + 1 < len(words) and words[k] in _CAME_IN and words[k + 1] == "في":
                    k += 2  # «وفقا لما جاء في بلاغ لوزارة الداخلية»: the statement's author
                elif k + 1 < len(words) and words[k + 1] in _LEARNT_FROM:
                    k += 2  # «حسب ما علم لدى مركز البحث …»: the body it was learnt from
                elif k + 2 < len(words) and words[k + 2] in _LEARNT_FROM and words[k].startswith("علم"):
                    k += 3  # «حسب ما علمت الجوهرة من مصادر أمنية»
            if k < len(words) and _criterion(words[k]):
                return None  # «بحسب التصنيف العالمي», «بناء على المادة 34»: by a rule, not by anyone's word
            return k
    return None


def _criterion(word: str) -> bool:
    """A rule, a measure or an order that «حسب» or «وفقاً لـ» can follow instead of a source."""
    for w in (word, word[1:] if word[:1] == "ل" else word):
        bare = w[2:] if w.startswith(("ال", "لل")) else w
        # «للفصلين 228 و229», «حسب محتواها»: a dual or a possessive of the same rule
        dual = bare[:-2] if bare.endswith(("ين", "ان")) and len(bare) > 4 else bare
        own = _unsuffixed(bare)
        if {w, bare, dual, own, own[:-1] + "ي" if own.endswith("ا") else own} & _CRITERIA:
            return True
    return False


def _claimant(
    text: str, tokens: list[Token], words: list[str], first: int, last: int, lo: int, hi: int, taken: set[int]
) -> tuple[str | None, bool]:
    """Who says so: a source phrase after the figure, else the nearest reporting verb before it."""
    for i in range(last + 1, min(hi, last + 1 + _SOURCE_AFTER)):
        if i in taken:
            break
        k = _source_phrase_at(words, i)
        if k is not None:
            found = _phrase(text, tokens, words, k, hi, strip_lam=True)
            if found and words[k] not in _OWN_WORDS:
                return found, False
    participle = None  # «… قائلة "4 سنوات …"»: said by the subject of the clause's verb
    for i in range(first - 1, lo - 1, -1):
        w = _verb_at(words, i)
        if w in _PARTICIPLES and participle is None:
            participle = i
        k = _source_phrase_at(words, i)
        if k is not None and k < first and words[k] not in _OWN_WORDS:
            found = _phrase(text, tokens, words, k, first, strip_lam=True)
            if found:
                return found, False
        if w in _REPORT_VERBS and any(_estimated_at(x) for x in words[i + 1 : min(first, i + 5)]):
            continue  # «يُقدَّر بنحو 60 ألف»: a passive «estimated at» names no one
        measured = words[i + 1][2:] if i + 1 < first and words[i + 1].startswith("ال") else words[i + 1]
        passive = w in _ESTIMATED and i + 1 < first and _unsuffixed(measured) in _CONTENT_STARTS
        if passive and any(_estimated_at(x) for x in words[i + 1 : first + 1]):
            continue  # «وتقدر قيمتها المالية بحوالي …»: what is estimated follows, no one estimates it
        if w in _REPORT_VERBS and i + 1 == first:
            continue  # «استوجب نقل 16 منهم»: the figure is the verb's object, not what someone said
        if w in _CONVEYED:
            if _FROM not in words[i + 1 : first]:
                continue  # «جمع ونقل النفايات»: «نقل» reports only what it conveys «عن» someone
            origin = _phrase(text, tokens, words, words.index(_FROM, i + 1) + 1, first, strip_lam=False)
            if origin:
                return origin, False  # «نقلت وسائل إعلام روسية عن رئيس مركز …»: the one it quotes
        if w in _REPORT_VERBS:
            denied = w in _DENIALS or any(_strip_conj(x) in _DENIALS for x in words[lo:i])
            found = _subject_before(text, tokens, words, i, lo)
            if not found and not _quote_follows(text, tokens, i):
                found = _phrase(text, tokens, words, i + 1, first, strip_lam=False)
            if found:
                return found, denied
    if participle is not None and participle > lo + 1:
        found = _phrase(text, tokens, words, lo + 1, participle, strip_lam=False)  # the verb opens the sentence
        if found:
            return found, False
    for i in range(last + 1, hi):  # «طعنها 53 طعنة منها 7 قاتلة حسب تقرير الطب الشرعي»: the sentence's source
        if words[i] in _AS and i + 1 < hi and _strip_conj(words[i + 1]) in _REPORT_VERBS:
            found = _phrase(text, tokens, words, i + 2, hi, strip_lam=False)  # «…، كما قالت مصادر معارضة»
            if found:
                return found, False
        k = _source_phrase_at(words, i)
        if k is not None and words[k] not in _OWN_WORDS:
            found = _phrase(text, tokens, words, k, hi, strip_lam=True)
            if found:
                return found, False
    return None, False


# Words that open a clause before its verb without being its subject: auxiliaries, and the
# conjunctions that subordinate it («…، إذ أكد الوزير أن …», «حيث قالت الشرطة …»).
_CLAUSE_OPENERS = frozenset(
    normalize(w)
    for w in (
        "و كان كانت وكان وكانت قد وقد كما وكما فيما بينما ثم فقد لكن ولكن "
        "إذ وإذ حيث وحيث حين وحين عندما وعندما بعدما لذا لذلك ولذلك إذا وإذا فإذا لقد ولقد"
    ).split()
)


def _subject_before(text: str, tokens: list[Token], words: list[str], verb: int, lo: int) -> str | None:
    """The subject standing before its reporting verb («وكانت الرياض أعلنت …», «الشرطة قالت …»):
    the words between the clause's start and the verb, when they read as a name (1–6 words)."""
    start = verb
    while start > lo and not any(ch in text[tokens[start - 1].raw_end : tokens[start].raw_start] for ch in _BREAKS):
        start -= 1
    while start < verb and words[start] in _CLAUSE_OPENERS:
        start += 1
    if verb - start >= 2 and words[verb - 1] in _QAD:
        verb -= 1  # «وكان وزير التربية ناجي جلول قد أعلن»
    if not 1 <= verb - start <= 6 or words[start] in _FRONTED:
        return None  # «من جهة أخرى أعلنت مصادر …», «ومن بين البلدان … رجحت الدراسة»: not who
    if _unsuffixed(words[start]) in _CONTENT_STARTS:
        return None  # «قيمة هذه العقارات تقدر بـ»: what is estimated, not who estimates it
    for j in range(start, verb):
        w = words[j]
        bare = w[1:] if w[:1] in "وف" and w[1:] in _CLAIMANT_STOPS else w  # «وفي هذا الإطار أكد …»
        if is_number(w) or bare in _CLAIMANT_STOPS or _strip_conj(w) in _REPORT_VERBS or category_of(w) is not None:
            return None
    if words[start].startswith(("ي", "ت", "ن")) and lookup(words[start]) is None:
        return None  # a verb opens the clause: «تم …», «يذكر …»
    return text[tokens[start].raw_start : tokens[verb - 1].raw_end]


_FRONTED = frozenset(normalize(w) for w in "من ومن مع ومع عن وعن لدى ولدى لكنه لكنها لكنهم ولكنه ولكنها ولكنهم".split())
_QAD = frozenset(normalize(w) for w in ("قد", "لقد"))
_CORRESPONDENTS = frozenset(normalize(w) for w in ("مراسل", "مراسلة", "مراسلنا", "مراسلتنا"))
_ESTIMATED = frozenset(normalize(w) for w in ("قدر", "قدرت", "يقدر", "تقدر"))
_AS = frozenset(normalize(w) for w in ("كما", "وكما"))
_CONVEYED = frozenset(normalize(w) for w in ("نقل", "نقلت", "ينقل", "تنقل"))
_FROM = normalize("عن")
_DEMONSTRATIVES = frozenset(normalize(w) for w in "هذه هذا هؤلاء تلك أولئك".split())
_HASABAMA = normalize("حسبما")
_LEARNT_FROM = frozenset(normalize(w) for w in ("لدى", "من"))
_CAME_IN = frozenset(normalize(w) for w in ("جاء", "ورد", "وردت", "جاءت"))

# «المصدر نفسه»: the source named before; «الوزارة», «المتحدث»: the fuller mention before.
_SAME_SOURCE = frozenset(
    tuple(normalize(p).split())
    for p in ("المصدر نفسه", "المصدر ذاته", "نفس المصدر", "ذات المصدر", "المصادر نفسها", "المصادر ذاتها")
)


def _resolved(
    text: str,
    tokens: list[Token],
    words: list[str],
    starts: list[int],
    spans: list[tuple[int, int]],
    s_index: int,
    claimant: str,
    taken: set[int],
) -> str:
    """A claimant that refers back, replaced by what it refers to in the passage."""
    said = tuple(t.text for t in tokenize(claimant))
    said = tuple(w[1:] if w[:1] == "و" and w[1:] in ("المصدر", "نفس") else w for w in said)
    if said in _SAME_SOURCE:
        for back in range(s_index - 1, -1, -1):
            b_lo = bisect.bisect_left(starts, spans[back][0])
            b_hi = bisect.bisect_left(starts, spans[back][1])
            earlier, _ = _claimant(text, tokens, words, b_hi, b_hi - 1, b_lo, b_hi, taken)
            if earlier and tuple(t.text for t in tokenize(earlier)) not in _SAME_SOURCE:
                return earlier
        return claimant
    if len(said) == 1 and said[0].startswith("ال") and len(said[0]) > 3:
        bare = said[0][2:]
        end = bisect.bisect_left(starts, spans[s_index][0])
        for j in range(end - 1, -1, -1):  # «وزارة الداخلية» for «الوزارة», «المتحدث باسم …» for «المتحدث»
            w = words[j]
            # «تلقت الشرطة نداء»: an indefinite word after the definite noun is no part of its name
            linked = j + 1 < len(words) and (words[j + 1][:1] in ("ا", "ب", "ل") or w != said[0])
            if (w == bare or w[1:] == bare or w == said[0]) and linked:
                fuller = _phrase(text, tokens, words, j, len(words), strip_lam=True)
                if fuller and len(tokenize(fuller)) >= 2:
                    return fuller
    return claimant


def _unsuffixed(word: str) -> str:
    """The word without a possessive pronoun: «قيمتها» → «قيمه», «تحقيقها» → «تحقيق»."""
    for suffix in ("هما", "هم", "ها", "ه"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            bare = word[: -len(suffix)]
            return bare[:-1] + "ه" if bare.endswith("ت") else bare
    return word


def _estimated_at(word: str) -> bool:
    """«بـ», «بنحو», «بحوالي», «ب104» after «يقدر/قدرت»: the passive «estimated at» a figure."""
    if word in _ELIDED_AFTER:
        return False  # «وأفاد ناشطون بأن …»: «that», not «at»
    return word == "ب" or (word[:1] == "ب" and (word[1:] in _CLAIMANT_STOPS or is_number(word[1:])))


def _verbal_noun(word: str) -> bool:
    """An indefinite verbal noun (تفعيل: «تأجيل», «تسجيل»; افتعال/انفعال: «اكتمال», «ارتفاع»): what is
    announced begins here, not who announces it («أعلنت المندوبية … تأجيل الدورة»)."""
    if len(word) < 5 or word.startswith("ال"):
        return False
    # افعال/افتعال/انفعال have five or six letters, استفعال opens with «است»: not «أوكسفام»
    measure = len(word) <= 6 or word.startswith("است")
    return (word[0] == "ت" and word[-2] == "ي") or (
        word[0] == "ا" and word[-2] == "ا" and not word.endswith("ات") and measure
    )


def _told_medium(word: str) -> bool:
    """«لوكالة», «لصحيفة», «للصحفيين»: a medium a speaker told, after «ل»."""
    if word.startswith("لل"):
        return "ال" + word[2:] in _MEDIA_TOLD
    return word.startswith("ل") and word[1:] in _MEDIA_TOLD


_ALI = normalize("على")
_FI = normalize("في")
_INSIDE_A_BODY = _REPRESENTATIVES | frozenset(
    normalize(w) for w in "مصدر مصادر مسؤولون مسؤولين عضو أعضاء متحدثة مسؤولة".split()
)
_HONORIFICS = frozenset(normalize(w) for w in _WORDS["honorifics"])
_HONORIFIC_REACH = 5  # words from «في» to the title that opens the name


def _honorific_ahead(text: str, tokens: list[Token], words: list[str], j: int, limit: int) -> int | None:
    """The index of a title that opens a name («الدكتور», «اللواء») a few words after «في», in one
    clause: the «في» belongs to the speaker's post, not to what is said."""
    for m in range(j + 1, min(limit, j + 1 + _HONORIFIC_REACH)):
        if any(ch in text[tokens[m - 1].raw_end : tokens[m].raw_start] for ch in _BREAKS):
            return None
        if words[m] in _HONORIFICS:
            return m
    return None


def _past_medium(text: str, tokens: list[Token], j: int, limit: int) -> int:
    """The token after the medium a speaker told, named from token j: a quoted name, or one word."""
    opener = next((ch for ch in text[tokens[j - 1].raw_end : tokens[j].raw_start] if ch in _QUOTE_OPEN), None)
    if opener is None:
        return j + 1
    close_at = text.find(_QUOTE_CLOSE[opener], tokens[j].raw_start)
    m = j
    while close_at >= 0 and m < limit and tokens[m].raw_start < close_at:
        m += 1
    return m


def _phrase(text: str, tokens: list[Token], words: list[str], k: int, limit: int, *, strip_lam: bool) -> str | None:
    """The noun phrase naming a source, from token k: up to a comma, «أن», a long quote or a date word."""
    end = None
    j = k
    quote_close = None
    longest = _MAX_CLAIMANT
    through = 0  # tokens before this index belong to a post that a title ends
    while j < limit and j - k < longest:
        w = words[j]
        if j > k:
            gap = text[tokens[j - 1].raw_end : tokens[j].raw_start]
            if quote_close and quote_close in gap:
                gap = gap[gap.index(quote_close) + 1 :]  # the short quote closed: «البنتاغون»
                quote_close = None
            opener = next((ch for ch in gap if ch in _QUOTE_OPEN), None)
            if opener:
                close_at = text.find(_QUOTE_CLOSE[opener], tokens[j].raw_start)
                inside = [t for t in tokens[j:] if t.raw_start < close_at] if close_at >= 0 else []
                if close_at < 0 or len(inside) > _QUOTED_NAME:
                    break  # a quotation, not a name: «نعتقد أن …»
                quote_close = _QUOTE_CLOSE[opener]
            elif any(ch in gap for ch in _BREAKS):
                break
        if w == "عن" and j > k and words[j - 1] in _REPRESENTATIVES:
            pass  # «ممثل عن جهاز الاستخبارات»
        elif j > k and _told_medium(w) and words[k] not in _DOCUMENTS:
            break  # «قال المتحدث لوكالة الأنباء»: the speaker, not the agency told («دراسة لوكالة ناسا» is NASA's)
        elif j > k and w == _ALI and text[tokens[j].raw_start : tokens[j].raw_end][-1:] == "ي":
            pass  # «اللواء علي إبراهيم»: the name, written with ي, not the preposition «على»
        elif w == _FI and k < j <= k + 2 and _strip_conj(words[k]) in _INSIDE_A_BODY:
            pass  # «مصدر في وزارة الداخلية», «مسؤول أمني في الشرطة»: who, inside which body
        elif j > k and w == _FI and (titled := _honorific_ahead(text, tokens, words, j, limit)) is not None:
            longest = _MAX_CLAIMANT + _HONORIFIC_REACH  # «المدير الطبي في العيادات … الدكتور محمد الزعبي»
            through = titled  # … the post's words, whatever they are («نادي الأسير»), up to the title
        elif j < through:
            pass
        elif (
            is_number(w)
            or w in _CLAIMANT_STOPS
            or (w[:1] in "بلوف" and w[1:] in _CLAIMANT_STOPS and len(w) > 3)  # «بنحو», «لأكثر»
            # «يفيد بوجود حريق»: what is reported, after its «ب»
            or (w[:1] == "ب" and (_unsuffixed(w[1:]) in _CONTENT_STARTS or _verbal_noun(_unsuffixed(w[1:]))))
            or (
                j > k
                and (
                    _strip_conj(w) in _REPORT_VERBS
                    or _unsuffixed(w) in _CONTENT_STARTS
                    # «الهيئة العامة لشهداء وجرحى الثورة»: a body's name may hold a category after «ل»
                    or (
                        category_of(w) is not None
                        and not (j > k + 1 and any(x[:1] == "ل" for x in words[k + 1 : j + 1]))
                    )
                    or _verbal_noun(_unsuffixed(w))
                )
            )
        ):
            break  # «أعلنت كييف ارتفاع …», «نفى الجيش مقتل …»: what is claimed starts here
        if j == k and w in _PRONOUN_PREPOSITIONS:
            k += 1  # «تقول فيه وزارة الخارجية»
            j += 1
            continue
        if j > k and w in _OWN_WORDS:
            break  # «عن المسؤول قوله»: his words follow
        if j > k and w.startswith("لل") and "ال" + w[2:] in _HONORIFICS:
            break  # «أوضح الرئيس للسيد شي أن»: the one spoken to
        if j > k and (w == "ل" or w in _CORRESPONDENTS):
            break  # «مصدر أمني ل"الجوهرة أف أم"», «مصدر أمني مراسل الجوهرة»: the medium told
        if j == k and w == "ل" and j + 1 < limit:
            k = j = _past_medium(text, tokens, j + 1, limit)  # «قال لـ"الاقتصادية" مصدر مطلع»: then the speaker
            continue
        if j == k and (w in _REPORT_VERBS or w in _PARTICIPLES or w == "ما" or _told_medium(w)):
            break  # «وأضاف لمراسلة …»: the medium told, the speaker elided
        end = j
        j += 1
    while end is not None and end > k and words[end] == _FI:
        end -= 1  # «مصدر في» with nothing after it: the «في» was not the body's
    if end is None:
        return None
    start = tokens[k].raw_start
    after_hasab = k > 0 and words[k - 1] in _HASAB  # «بحسب لوحة المشروع»: «حسب» takes no «ل»
    if strip_lam and not after_hasab and words[k].startswith("ل") and len(words[k]) > 3 and lookup(words[k]) is None:
        start += 1  # «لتقديرات» → «تقديرات»
        while start < len(text) and text[start] == "\u0640":
            start += 1
    if (
        words[k] in _DOCUMENTS
        and k + 1 <= end
        and words[k + 1].startswith("ل")
        and len(words[k + 1]) > 3
        and lookup(words[k + 1][1:]) is None
    ):
        start = tokens[k + 1].raw_start + 1  # «بلاغ لوزارة الداخلية»: the ministry says it, the statement carries it
    phrase = text[start : tokens[end].raw_end]
    if start > tokens[k].raw_start and text[tokens[k].raw_start : tokens[k].raw_start + 2] == "لل":
        phrase = "ا" + phrase  # «للتقرير» is «ل» + «التقرير»: its article wrote one lam for two
    following = text[tokens[end].raw_end : tokens[end].raw_end + 1]
    for opener, closer in _QUOTE_CLOSE.items():
        if opener != closer and phrase.count(opener) > phrase.count(closer) and following == closer:
            phrase += closer  # «(البنتاغون)» closes inside the name
    return phrase.strip() or None
