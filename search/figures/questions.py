"""Count questions: what «كم عدد الجنود الكوريين الشماليين في روسيا؟» asks for.

A count question names what is counted (the noun after «كم عدد», «ما عدد», «كم يبلغ
عدد», «بكم يقدر عدد», or right after «كم»: «كم جندياً», «كم مرة», «كم طناً»), or a measure
(«كم تبلغ مساحة …» → area, «كم تبعد …» → length). Around the noun it names what
happened to the counted (الذين قتلوا → dead), whose they are (the adjectives right after
the noun: الكوريين الشماليين), and the rest of the subject (في روسيا). Words are
compared as keys that places and their adjectives share (search.figures.nouns.subject_key).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from search.arabic import STOPWORDS, is_number, normalize, tokenize
from search.figures.nouns import (
    CATEGORY_OF_CLASS,
    MEASURES,
    Noun,
    category_label,
    category_of,
    is_nisba,
    lookup,
    noun_of,
    subject_key,
)
from search.figures.setting import Period, times_at

_KAM = frozenset(("كم", "لكم", "بكم", "فكم", "وكم"))
_COUNT_WORDS = frozenset(normalize(w) for w in "عدد عد عددد تعداد إجمالي مجموع حجم حصيلة مقدار كمية".split())
_AMOUNT_WORDS = frozenset(normalize(w) for w in "حجم إجمالي مجموع مقدار كمية".split())  # the size of X, not a count
_SKIP_AFTER_KAM = frozenset(
    normalize(w)
    for w in (
        "كان كانت يكون تكون يبلغ تبلغ بلغ بلغت يقدر تقدر قدر قدرت يصل تصل وصل وصلت هو هي هناك من يوجد توجد "
        "اصبح أصبح أصبحت ارتفع ارتفعت"
    ).split()
)
_WHAT = frozenset(("ما", "ماهو", "ماهي", "وما"))
_CONTAINERS = frozenset(normalize(w) for w in "شحنة شحنات كمية كميات".split())
_RELATIVES = frozenset(normalize(w) for w in "الذين اللذين اللواتي اللاتي".split())
_QUESTION_WORDS = (
    frozenset(normalize(w) for w in "كم لكم بكم ما ماذا هل الذي التي الذين اللذين اللتين اللتى اللتي".split())
    | _SKIP_AFTER_KAM
    | _COUNT_WORDS
)


def asks_words(word: str) -> bool:
    """A normalised word that frames the question, not its topic («كم», «عدد», «بلغ»)."""
    return word in _QUESTION_WORDS


class NotACountQuestion(ValueError):
    """The text asks for no count or measure."""


@dataclass(frozen=True)
class CountQuestion:
    text: str
    noun: Noun | None  # what is counted
    noun_word: str | None  # as the question writes it, normalised
    measure: str | None = None  # area, length, weight, money, time, resident, percent (no noun)
    category: str | None = None  # dead, injured, … ("+"-joined), when the question asks about those
    attached: tuple[str, ...] = ()  # subject keys of the adjectives right after the noun
    context: tuple[str, ...] = field(default_factory=tuple)  # subject keys of the other content words
    counted: bool = True  # «كم عدد X», «كم X»: a count of X; False for an amount X names («كم بلغت صادرات …»)
    period: Period | None = None  # the time it names (search/figures/setting.py) («في مايو 2015», «لعام 1436هـ»)

    @property
    def percent(self) -> bool:
        return self.measure == "percent"

    def to_json(self) -> dict:
        return {
            "noun": self.noun_word,
            "noun_class": self.noun.cls if self.noun else None,
            "measure": self.measure,
            "category": self.category,
            "subject": list(self.attached),
            "context": list(self.context),
            "period": None if self.period is None else self.period.label(),
        }


def parse_question(text: str) -> CountQuestion:
    """The count a question asks for; NotACountQuestion when it asks for none."""
    words = [t.text for t in tokenize(text)]
    at = _count_start(words)
    if at is None:
        raise NotACountQuestion(text)
    i = at
    while i < len(words) and words[i] in _SKIP_AFTER_KAM:
        i += 1
    noun_at: int | None = None
    measure: str | None = None
    counted = at >= len(words) or words[at] not in _SKIP_AFTER_KAM  # «كم بلغت صادرات …»: an amount
    if i < len(words) and words[i] in _COUNT_WORDS:
        counted = words[i] not in _AMOUNT_WORDS
        i += 1
        while i < len(words) and words[i] in ("من", "ال"):
            i += 1
        if i < len(words) and not is_number(words[i]) and (words[i] not in _QUESTION_WORDS or words[i] in _RELATIVES):
            noun_at = i
    elif i < len(words) and measure_of(words[i]):
        measure = measure_of(words[i])
        if i + 1 < len(words) and measure != "percent" and measure_of(words[i + 1]) == "resident":
            measure = "resident"  # «كم كان عدد سكان …» is read above; «كم تعداد سكان …» here
    elif i < len(words) and words[i] not in _QUESTION_WORDS and not is_number(words[i]) and not _verb(words[i]):
        noun_at = i  # «كم جندياً», «كم مرة», «كم طناً»; not «كم تستطيع …»
    while (
        noun_at is not None and words[noun_at] in _CONTAINERS and noun_at + 1 < len(words) and _held(words[noun_at + 1])
    ):
        noun_at += 1  # «ما حجم شحنة حبوب الكبتاجون»: the pills are counted, the shipment holds them
    if noun_at is not None and words[noun_at] in _RELATIVES:
        words[noun_at] = normalize("أشخاص")  # «كم عدد الذين اعتقلتهم …»: people; the verb says what befell them
    if noun_at is not None and measure_of(words[noun_at]) in ("resident", "percent", "area", "money"):
        measure = measure_of(words[noun_at])  # «كم عدد سكان …», «ما نسبة …»
    noun = noun_of(words[noun_at]) if noun_at is not None and measure not in ("percent",) else None
    if measure == "resident":
        noun = noun_of(normalize("سكان"))
    # «كم كيلومتراً مربعاً»: an area
    square = noun_at is not None and noun_at + 1 < len(words) and words[noun_at + 1].startswith("مربع")
    if noun is not None and noun.cls == "length" and square:
        measure = "area"
    categories = set()
    if noun is not None and not noun.known and noun_at is not None and category_of(words[noun_at]):
        categories.add(category_of(words[noun_at]) or "")
        noun = noun_of(normalize("أشخاص"))  # «كم عدد الوفيات»: people, dead
    if noun is not None and noun.cls in CATEGORY_OF_CLASS:
        categories.add(CATEGORY_OF_CLASS[noun.cls])
    attached: list[str] = []
    context: list[str] = []
    j = (noun_at + 1) if noun_at is not None else i + 1
    definite = noun_at is not None and words[noun_at].startswith("ال")
    while (
        noun_at is not None
        and j < len(words)
        and is_nisba(words[j])
        and (words[j].startswith("ال") or not definite)
        and not _verb(words[j])
    ):
        attached.append(subject_key(words[j]))
        j += 1
    used = set(range(at, j))
    for n, w in enumerate(words):
        if n in used or w in STOPWORDS or w in _QUESTION_WORDS or is_number(w):
            continue
        c = category_of(w)
        if c is not None:
            categories.add(c)
            continue
        if n > 0 and words[n - 1] in _KAM:
            continue
        context.append(subject_key(w))
    if noun is None or noun.kind != "human":
        context = attached + context  # «جوائز الغرامي»: whose only matters for counted people
        attached = []
    return CountQuestion(
        text=text,
        noun=noun,
        noun_word=words[noun_at] if noun_at is not None else None,
        measure=measure,
        category=category_label(categories),
        attached=tuple(dict.fromkeys(attached)),
        context=tuple(dict.fromkeys(k for k in context if k not in attached)),
        counted=counted,
        period=next((p for _, p in times_at(words, None)), None),
    )


def _count_start(words: list[str]) -> int | None:
    """Where the asked-for count starts: after «كم»; at the count word or measure after «ما»
    («ما عدد», «ما هو طول», «ما قيمة»); or at a count word the text opens with («عدد الجنود …»,
    «حصيلة قتلى …»: a question typed as a search). None when the text asks for no count."""
    for n, w in enumerate(words):
        if w in _KAM:
            return n + 1
        if w in _WHAT:
            k = n + 1
            if k < len(words) and words[k] in ("هو", "هي"):
                k += 1
            if k < len(words) and (words[k] in _COUNT_WORDS or measure_of(words[k])):
                return k
    k = 1 if words and words[0] in ("و", "ما") else 0
    while k < len(words) and words[k] in _SKIP_AFTER_KAM:
        k += 1  # «بلغ عدد …», «يبلغ عدد …»
    if k < len(words) and words[k] in _COUNT_WORDS and k + 1 < len(words) and not is_number(words[k + 1]):
        return k
    return None


def _held(word: str) -> bool:
    """A word after «شحنة»/«كمية» that names what it holds («حبوب»), not a verb («كم شحنة ضبطت»)."""
    return not _verb(word) and category_of(word) is None and word not in STOPWORDS and word not in _QUESTION_WORDS


def _verb(word: str) -> bool:
    """A word after «كم» that is a verb, not what is counted: «كم تستطيع», «كم قللت», «كم يشكل»."""
    if lookup(word) is not None or measure_of(word):
        return False
    return word.startswith(("ي", "ت", "ن")) or (word.endswith("ت") and not word.endswith("ات"))


def measure_of(word: str) -> str | None:
    """The measure a normalised word names («مساحة»: area, «طول»: length), or None."""
    for form in (word, word[2:] if word.startswith("ال") else word):
        if form in MEASURES:
            return MEASURES[form]
    return None
