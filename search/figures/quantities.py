"""Quantities written in Arabic news text, as intervals with their hedge.

The first layer of figure extraction (DESIGN.md, "Figures"; the answer issue builds
claimants, subjects and grouping on top). It reads:
- digits in any script and mixed («١60»), with separators resolved from context:
  «37,547,686» and «309.500» are thousands, «4,462 مليار» and «3٫5» are decimals;
- magnitude words in their case, dual and plural forms (ألف، آلاف، ألفاً، ألفين، مليون،
  ملايين، مليار…), word numerals («عشرة آلاف», «أحد عشر ألفاً», «مئة وخمسون»), and
  compounds («693 ألفاً و640» = 693,640; «ألفين و500» = 2,500); percentages;
- تريليون, construct duals («مليوني»), indefinite duals of counted nouns («شخصين»),
  fractions («مليون ونصف», «وثلاثة أرباع»), the Gulf press's «935ر6» (6.935);
- hedges as intervals wherever they stand (lexicon/quantities.json): before the number
  with or without a clitic («وأكثر من», «بنحو»), as a verb («فاق», «تخطى عتبة»), negated
  («لا أقل من» is at least: a negation flips the bound), after the number or its noun
  («500 شخص أو أكثر», «على الأقل», «فأكثر»); ranges (بين … و …، من … إلى …، 3-5); vague
  amounts (عشرات، مئات، آلاف، عشرات الآلاف، بالملايين).
Dates (also d-m-y and Hijri), years, clock times, scores, list markers, numbered names
(«الرقم 10», «الدورة 15», «فورمولا 1») and «one of» are not quantities; ages are.
Words are matched on the normalised tokens of search/arabic.py; spans are raw offsets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import Enum

from search.arabic import STOPWORDS, Token, is_number, normalize, number_lemma, tokenize
from search.dates import find_dates, is_month
from search.figures.lexicon import load
from search.figures.nouns import POSSESSIVES, dual_noun, lookup, power_unit


class Qualifier(Enum):
    EXACT = "exact"
    APPROX = "approx"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    RANGE = "range"
    VAGUE = "vague"


@dataclass(frozen=True)
class Quantity:
    value_low: float | None
    value_high: float | None
    qualifier: Qualifier
    start: int  # raw offsets of the number (with its hedge)
    end: int
    percent: bool = False
    noun: str | None = None  # the normalised word after the number: what is counted, when it is a noun
    dual: bool = False  # a dual is the number and the noun in one word («شخصين», «مرتين»): `noun` is its lemma
    age: bool = False  # an ordinal read as an age («طفل في الثامنة»): it counts years, never a toll


def _norm_set(*words: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in words)


_UNITS = {
    **dict.fromkeys(_norm_set("واحد", "واحدة", "أحد", "إحدى"), 1),
    **dict.fromkeys(_norm_set("اثنان", "اثنين", "اثنتان", "اثنتين", "اثنا", "اثني", "اثنتا"), 2),
    **dict.fromkeys(_norm_set("ثلاث", "ثلاثة"), 3),
    **dict.fromkeys(_norm_set("أربع", "أربعة"), 4),
    **dict.fromkeys(_norm_set("خمس", "خمسة"), 5),
    **dict.fromkeys(_norm_set("ست", "ستة"), 6),
    **dict.fromkeys(_norm_set("سبع", "سبعة"), 7),
    **dict.fromkeys(_norm_set("ثماني", "ثمانية", "ثمان"), 8),
    **dict.fromkeys(_norm_set("تسع", "تسعة"), 9),
}
_TEN = _norm_set("عشر", "عشرة")
_TENS = {
    **dict.fromkeys(_norm_set("عشرون", "عشرين"), 20),
    **dict.fromkeys(_norm_set("ثلاثون", "ثلاثين"), 30),
    **dict.fromkeys(_norm_set("أربعون", "أربعين"), 40),
    **dict.fromkeys(_norm_set("خمسون", "خمسين"), 50),
    **dict.fromkeys(_norm_set("ستون", "ستين"), 60),
    **dict.fromkeys(_norm_set("سبعون", "سبعين"), 70),
    **dict.fromkeys(_norm_set("ثمانون", "ثمانين"), 80),
    **dict.fromkeys(_norm_set("تسعون", "تسعين"), 90),
}
_HUNDREDS = {
    **dict.fromkeys(_norm_set("مئة", "مائة"), 100),
    **dict.fromkeys(_norm_set("مئتان", "مئتين", "مائتان", "مائتين", "مئتي", "مائتي"), 200),
    **{
        normalize(u + h): n * 100
        for u, n in (("ثلاث", 3), ("أربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7), ("ثمان", 8), ("تسع", 9))
        for h in ("مئة", "مائة")
    },
}
_MAGNITUDE = {"الف": 1_000, "مليون": 1_000_000, "مليار": 1_000_000_000, "تريليون": 1_000_000_000_000}
# The text layer's number lemmas stop at مليار (they are search terms too); تريليون is read here.
_TRILLIONS = _norm_set("تريليون", "تريليونا", "تريليونان", "تريليونين", "تريليونات", "التريليون", "ترليون", "ترليونات")
# «بليون» is the billion in Levantine and Egyptian writing (مليار elsewhere), read here for the same reason
_BILLIONS = _norm_set("بليون", "بليونا", "بليونان", "بليونين", "بلايين", "البليون")
_DUALS = _norm_set(
    "ألفين", "ألفان", "ألفي", "مليونين", "مليونان", "مليوني", "مليارين", "ملياران", "ملياري", "تريليونين", "تريليونان"
)
_CONSTRUCT_DUALS = {normalize("مليوني"): 1_000_000, normalize("ملياري"): 1_000_000_000}  # «حوالي مليوني مستخدم»
# Fractions after a number add to its last unit: «3 ملايين ونصف» = 3.5 million, «ساعة وربع».
_FRACTIONS = {
    **dict.fromkeys(_norm_set("ونصف", "والنصف", "ونص"), 0.5),
    **dict.fromkeys(_norm_set("وربع", "والربع"), 0.25),
    **dict.fromkeys(_norm_set("وثلث", "والثلث"), 1 / 3),
}
_THREE_QUARTERS = (normalize("وثلاثة"), normalize("أرباع"))
# A fraction standing alone counts only after a hedge: «نحو ثلثي المساحة», «حوالي نصف ساعة»,
# «أكثر من ربع السكان» (bare, «نصف النهائي» and «ربع قرن» name things, not shares).
_HEDGED_FRACTIONS = {
    **dict.fromkeys(_norm_set("نصف", "النصف"), 0.5),
    **dict.fromkeys(_norm_set("ثلث", "الثلث"), 1 / 3),
    **dict.fromkeys(_norm_set("ثلثي", "ثلثا"), 2 / 3),
    **dict.fromkeys(_norm_set("ربع", "الربع"), 0.25),
}
# Ordinals read as ages after «في»: «طفل في الثامنة», «في الثالثة عشرة من العمر».
_ORDINALS = {
    normalize(stem + end): n
    for stem, n in (
        ("الثاني", 2),
        ("الثالث", 3),
        ("الرابع", 4),
        ("الخامس", 5),
        ("السادس", 6),
        ("السابع", 7),
        ("الثامن", 8),
        ("التاسع", 9),
        ("العاشر", 10),
        ("الحادي", 1),
    )
    for end in ("", "ة")
} | {normalize("الحادية"): 1}
_AGE_AFTER = tuple(tuple(normalize(p).split()) for p in ("من العمر", "من عمره", "من عمرها", "عاما", "سنة"))
_UNTIL = _norm_set("حتى", "إلى", "الى")
_TO = _norm_set("إلى", "حتى")  # what joins the two ends of a range («من 3 إلى 5», «30 حتى 40»)
_CLOCK_AFTER = _norm_set("صباحا", "صباح", "مساء", "مساءً", "ليلا", "ظهرا", "عصرا", "فجرا", "والنصف", "والربع", "إلا")
_VAGUE = {
    normalize("عشرات"): (10, 99),
    normalize("مئات"): (100, 999),
    normalize("المئات"): (100, 999),
    normalize("العشرات"): (10, 99),
    normalize("آلاف"): (1_000, 9_999),
    normalize("الآلاف"): (1_000, 9_999),
    normalize("ملايين"): (1_000_000, 9_999_999),
    normalize("الملايين"): (1_000_000, 9_999_999),
    normalize("مليارات"): (1_000_000_000, 9_999_999_999),
    normalize("المليارات"): (1_000_000_000, 9_999_999_999),
}
# «عشرات الآلاف», «مئات الملايين»: a vague count of thousands, of millions.
_VAGUE_SCALES = {
    **dict.fromkeys(_norm_set("الآلاف", "آلاف"), 1_000),
    **dict.fromkeys(_norm_set("الملايين", "ملايين"), 1_000_000),
    **dict.fromkeys(_norm_set("المليارات", "مليارات"), 1_000_000_000),
}
# With a preposition or conjunction: «بالملايين», «وعشرات».
_VAGUE.update({c + w: v for w, v in list(_VAGUE.items()) for c in ("ب", "و") if not w.startswith("ال")})
_VAGUE.update({c + w[2:]: v for w, v in list(_VAGUE.items()) if w.startswith("ال") for c in ("بال", "وال")})


# Hedges, as normalised token sequences, read right before the number (or right after, for «على الأقل»).
def _phrases(*texts: str) -> tuple[tuple[str, ...], ...]:
    """Normalised token sequences, longest first (so «ما يصل إلى» wins over «يصل إلى»)."""
    return tuple(sorted((tuple(normalize(t).split()) for t in texts), key=len, reverse=True))


_WORDS = load("quantities")
# Hedges, as normalised token sequences, read right before the number (lexicon/quantities.json).
_BEFORE: dict[Qualifier, tuple[tuple[str, ...], ...]] = {
    Qualifier(q): _phrases(*texts) for q, texts in _WORDS["hedges_before"].items()
}
# «يتخطى عتبة 40 مليون»: a threshold word may stand between a hedge and its number.
_THRESHOLDS = _norm_set(*_WORDS["thresholds"])
# A negation before a hedge flips its bound: «لا أقل من 500» is at least 500, «لم يتجاوز 20» at most 20.
_NEGATIONS = _norm_set(*_WORDS["negations"])
_FLIPPED = {Qualifier.AT_LEAST: Qualifier.AT_MOST, Qualifier.AT_MOST: Qualifier.AT_LEAST}
# Proclitics a hedge may carry: «وأكثر من», «لأكثر من», «ولنحو», «فحوالي».
_HEDGE_CLITICS = ("ول", "وب", "فل", "فب", "و", "ف", "ل", "ب")
# Hedges after the number, or after the counted noun that follows it («500 شخص أو أكثر»).
_AFTER: dict[Qualifier, tuple[tuple[str, ...], ...]] = {
    Qualifier(q): _phrases(*texts) for q, texts in _WORDS["hedges_after"].items()
}
_CLAUSE_WORDS = _norm_set("من", "في", "على", "إلى", "عن", "أن", "إن", "الذي", "التي", "الذين", "و", "ثم")
_AFTER_REACH = 3  # tokens after the number where an after-hedge may start (the noun and an adjective between)
_AFTER_APPROX = _phrases(*_WORDS["approx_after"])
_DUAL_COUNTS = {normalize(w): normalize("مرة") for w in ("مرتين", "مرتان")}  # «مرتين»: twice
_ONE_OF = _norm_set("أحد", "إحدى", "احدى", "واحد", "واحدة")
_ONE = _norm_set("واحد", "واحدة")
_GLUED_PREFIXES = frozenset(("وال", "بال", "لل", "فال", "كال", "ولل"))
# Number words that in news are something else: the weekdays «الاثنين» and «الأحد» (not 2 and 1),
# and «المئة» of «في المئة» (a percentage, not 100).
_NOT_NUMBER_WORDS = _norm_set(
    "الاثنين", "الأحد", "والاثنين", "والأحد", "بالاثنين", "المئة", "المائة", "بالمئة", "بالمائة", "والمئة", "والمائة"
)
_RANGE_OPENERS = _norm_set(*_WORDS["range_openers"])
# Nouns that a number names rather than counts: «الرقم 10», «الدورة 15», «المصنفة 89», «الساعة 1350».
_NUMBERED = _norm_set(*_WORDS["numbered"])
_HIJRI_MONTHS = _norm_set(*_WORDS["hijri_months"])
_NUMBERED_BY_ADAD = _norm_set(
    "الأمر", "أمر", "المرسوم", "مرسوم", "القانون", "قانون", "القرار", "قرار", "المنشور", "منشور", "الفصل", "فصل"
)
_YEAR_CUES = _norm_set(*_WORDS["year_cues"])
_YEAR_EDGES = _norm_set(*_WORDS["year_edges"])
_YEARS = _norm_set("عاما", "عام", "عاماً", "سنة", "سنوات", "سنه")
_PERCENT_AFTER = _phrases(*_WORDS["percent_after"])
_NOT_NOUNS = _norm_set("من", "في", "على", "إلى", "عن", "و", "أو", "الى", "ان", "أن", "إن", "عام", "قد", "ما")
_BREAKS = "،,.;:؛!?؟)"
_TIME = re.compile(r"(?<![0-9٠-٩])[0-9٠-٩]{1,2}:[0-9٠-٩]{2}(?::[0-9٠-٩]{2})?")


@dataclass
class _Number:
    value: float
    first: int  # token indices
    last: int
    vague: tuple[float, float] | None = None
    magnitude: bool = False  # closed by a magnitude word (a compound may follow)


def _digits_value(tok: Token, raw: str, next_is_magnitude: bool) -> float:
    """The value of a digit token, reading the raw separators the normaliser folded."""
    raw_text = raw[tok.raw_start : tok.raw_end]
    groups = re.split(r"[,٬]", raw_text)
    if len(groups) == 2 and 1 <= len(groups[1]) <= 2:  # «2,8٪»: thousands come in threes, so a decimal comma
        return float(_ascii_digits(groups[0]) + "." + _ascii_digits(groups[1]))
    if len(groups) == 2 and next_is_magnitude and "." not in tok.text:
        return float(tok.text[: len(tok.text) - len(_ascii_digits(groups[1]))] + "." + _ascii_digits(groups[1]))
    parts = tok.text.split(".")
    if len(parts) > 1:
        thousands = (
            all(len(p) == 3 for p in parts[1:])
            and 1 <= len(parts[0]) <= 3
            and parts[0].lstrip("0") != ""  # «0.346 ريال» is a fraction
            and not next_is_magnitude
        )
        if thousands and ("٫" not in raw_text or len(parts) > 2):  # «5٫949٫212» groups thousands too
            return float("".join(parts))
        return float(parts[0] + "." + "".join(parts[1:]))
    return float(tok.text)


def _ra_decimal(tokens: list[Token], i: int, raw: str) -> bool:
    """Digits, «ر», digits with nothing between them: «935ر6», «3ر2»."""
    return (
        i + 2 < len(tokens)
        and tokens[i + 1].text == "ر"
        and is_number(tokens[i + 2].text)
        and tokens[i].raw_end == tokens[i + 1].raw_start
        and tokens[i + 1].raw_end == tokens[i + 2].raw_start
        and tokens[i].text.isdigit()
        and tokens[i + 2].text.isdigit()
    )


def _ascii_digits(text: str) -> str:
    return normalize(text).replace(".", "")


def _is_magnitude(word: str, after_number: bool = False) -> int | None:
    """×1000 etc. for a magnitude word; the plural (آلاف) only after a number: alone it is vague."""
    if word in _CONSTRUCT_DUALS:
        return _CONSTRUCT_DUALS[word]
    if word in _TRILLIONS or (word[:1] in "وب" and word[1:] in _TRILLIONS):
        return _MAGNITUDE["تريليون"] if after_number or not word.endswith("ات") else None
    if word in _BILLIONS or (word[:1] == "و" and word[1:] in _BILLIONS):
        return _MAGNITUDE["مليار"] if after_number or word != normalize("بلايين") else None
    lemma = number_lemma(word)
    if lemma in _MAGNITUDE and (after_number or word not in _VAGUE):
        return _MAGNITUDE[lemma]
    return None


def is_magnitude(word: str) -> bool:
    """A normalised word that multiplies the number before it («مليار», «ألفا», «ملايين»)."""
    return _is_magnitude(word, after_number=True) is not None


def _word_value(word: str) -> tuple[str, int] | None:
    """('unit'|'ten'|'tens'|'hundred', value) of a number word, also with و, ب or ال before it
    («وخمسون», «بثلاثين», «العشرين»)."""
    if word in _NOT_NUMBER_WORDS:
        return None
    forms = [word]
    for clitic in ("وال", "بال", "لل", "ال", "و", "ب", "ل"):
        if word.startswith(clitic) and len(word) - len(clitic) >= 3:
            forms.append(word[len(clitic) :])
    for w in forms:
        if w in _UNITS:
            return "unit", _UNITS[w]
        if w in _TEN:
            return "ten", 10
        if w in _TENS:
            return "tens", _TENS[w]
        if w in _HUNDREDS:
            return "hundred", _HUNDREDS[w]
    return None


def _read_number(tokens: list[Token], i: int, raw: str) -> _Number | None:
    """A number starting at token i: digits or words, with magnitudes and «و» compounds."""
    n = len(tokens)
    words = [t.text for t in tokens]
    start = i
    total = 0.0
    current = 0.0
    seen = False
    magnitude_closed = False
    last_magnitude = 1
    while i < n:
        w = words[i]
        if i > start and any(ch in raw[tokens[i - 1].raw_end : tokens[i].raw_start] for ch in "،,;:.!?؟"):
            break  # «… ومائتين، وبمليونين»: a number does not run past a comma
        mag = _is_magnitude(w, after_number=current > 0)
        if is_number(w):
            if seen and not (magnitude_closed and tokens[i - 1].text == "و"):
                break
            later = _is_magnitude(words[i + 1], after_number=True) if i + 1 < n else None
            if seen and later is not None and later >= last_magnitude:
                i -= 1  # «بين 8 آلاف و15 ألف»: a compound only descends, so a second number begins at «و»
                break
            if _ra_decimal(tokens, i, raw):  # «935ر6» = 6.935: the Gulf press's decimal mark, fraction first
                current += float(_ascii_digits(words[i + 2]) + "." + _ascii_digits(w))
                seen, magnitude_closed = True, False
                i += 3
                continue
            if (
                i + 1 < n
                and w.isdecimal()
                and words[i + 1].isdecimal()
                and len(words[i + 1]) <= 2
                and raw[tokens[i].raw_end : tokens[i + 1].raw_start] == "،"
            ):  # «104،5 ألف طن»: thousands come in threes, so a shorter group after «،» is a decimal
                current += float(_ascii_digits(w) + "." + _ascii_digits(words[i + 1]))
                seen, magnitude_closed = True, False
                i += 2
                continue
            groups = [i]  # «17،818»: an Arabic comma between digit groups is a thousands separator
            while (
                i + 1 < n
                and is_number(words[i + 1])
                and len(words[i + 1]) == 3
                and raw[tokens[i].raw_end : tokens[i + 1].raw_start] == "،"
            ):
                i += 1
                groups.append(i)
            nxt = words[i + 1] if i + 1 < n else ""
            before_magnitude = len(groups) == 1 and _is_magnitude(nxt, after_number=True) is not None
            value = _digits_value(tokens[groups[0]], raw, before_magnitude)
            for g in groups[1:]:
                value = value * 1000 + float(words[g])
            current += value
            seen, magnitude_closed = True, False
        elif mag is not None and current >= mag and i > start and is_number(words[i - 1]):
            pass  # «4,675,710 ملايين نسمة»: the number is written out, the magnitude word only repeats it
        elif mag is not None:
            if any(w[c:] in _DUALS for c in (0, 1, 2) if w[:c] in ("", "و", "ب", "ل", "وب", "ول")):  # «وألفين»
                current = max(current, 1) * 2 if not seen else current
            total += (current if current else 1) * mag
            last_magnitude = mag
            current = 0
            seen, magnitude_closed = True, True
        elif seen and (
            w in _FRACTIONS or (w == _THREE_QUARTERS[0] and i + 1 < n and words[i + 1] == _THREE_QUARTERS[1])
        ):
            fraction = _FRACTIONS.get(w, 0.75)
            if magnitude_closed and not current:
                total += fraction * last_magnitude  # «3 ملايين ونصف»
            else:
                current += fraction  # «3 ونصف مليون», «15 ونصف»
            if w not in _FRACTIONS:
                i += 1  # «وثلاثة أرباع»: two words
            if magnitude_closed and i + 1 < n and _is_magnitude(words[i + 1], True) == last_magnitude:
                i += 1  # «مليون ونصف المليون», «مليون ونصف مليون»: the magnitude named again
        elif (wv := _word_value(w)) is not None:
            kind, value = wv
            if kind == "ten" and current and current < 10:  # «أحد عشر»: teens
                current += 10
            elif kind == "hundred" and current and current < 10:  # «ثلاث مئة»
                current *= 100
            else:
                if seen and not w.startswith("و") and kind != "ten" and not (kind == "unit" and current == 0):
                    break
                current += value
            seen = True
        elif w == "و" and seen and i + 1 < n and (is_number(words[i + 1]) or _word_value(words[i + 1])):
            pass  # «693 ألفاً و640»: the next part adds
        else:
            break
        i += 1
    if not seen:
        return None
    last = i - 1
    while last > start and words[last] == "و":
        last -= 1
    return _Number(total + current, start, last, magnitude=magnitude_closed)


def _same_phrase(found: Sequence[str], phrase: tuple[str, ...]) -> bool:
    """`found` says `phrase`, its first word perhaps with a proclitic («وأكثر من», «لنحو»)."""
    if len(found) != len(phrase) or tuple(found[1:]) != phrase[1:]:
        return False
    first = found[0]
    return first == phrase[0] or any(first == c + phrase[0] for c in _HEDGE_CLITICS)


_HEDGE_PREPOSITIONS = _norm_set("إلى", "عن", "على")
_ADVERBS = _norm_set("سنويا", "يوميا", "شهريا", "أسبوعيا", "حاليا", "أحيانا", "غالبا", "عادة")


def _owned(word: str) -> bool:
    """«عددهم», «أعمارهن», «أطوالها»: what is measured, named with whose it is, inside a hedge."""
    return word.startswith("عدد") or any(word.endswith(p) and len(word) - len(p) >= 3 for p in POSSESSIVES)


def _between_hedge(word: str) -> bool:
    """A word that may stand between a hedge and its number: «تجاوز عدد القتلى 500», «لم تتجاوز
    أعمارهن الـ25», «يفوق سنويا 10 آلاف»."""
    return _owned(word) or word in _THRESHOLDS or word in _ADVERBS


def _match_before(words: list[str], i: int) -> tuple[Qualifier, int] | None:
    """The longest hedge ending right before token i («لم يتجاوز» over «يتجاوز»), its bound
    flipped by a negation before it («لا أقل من 500»: at least).

    One or two words naming what is counted may stand between («تجاوز عدد القتلى 500»),
    or sit inside a phrase that ends with «إلى» («قد يصل عددهم إلى 11 ألفاً»).
    """
    gaps = [0] + [g for g in (1, 2) if i - g >= 0 and _between_hedge(words[i - g])]
    best: tuple[Qualifier, int] | None = None
    for qualifier, phrases in _BEFORE.items():
        for phrase in phrases:
            starts = [
                i - gap - len(phrase)
                for gap in gaps
                if i - gap - len(phrase) >= 0 and _same_phrase(words[i - gap - len(phrase) : i - gap], phrase)
            ]
            inner = i - len(phrase) - 1
            if (
                len(phrase) >= 2
                and phrase[-1] in _HEDGE_PREPOSITIONS
                and inner >= 0
                and _owned(words[i - 2])
                and _same_phrase(list(words[inner : i - 2]) + [words[i - 1]], phrase)
            ):
                starts.append(inner)
            for begin in starts:
                if begin >= 0 and (best is None or begin < best[1]):
                    best = (qualifier, begin)
    if best is not None and best[0] in _FLIPPED and best[1] > 0:
        before = words[best[1] - 1]
        if before in _NEGATIONS or (before[:1] == "و" and before[1:] in _NEGATIONS):
            return _FLIPPED[best[0]], best[1] - 1
    return best


def _match_after(words: list[str], last: int) -> tuple[Qualifier, int] | None:
    """A hedge after the number, or after the noun it counts: «500 شخص أو أكثر», «10 آلاف على الأقل».
    Returns the qualifier and the hedge's last token."""
    for at in range(last + 1, min(len(words), last + 1 + _AFTER_REACH)):
        for qualifier, phrases in _AFTER.items():
            for phrase in phrases:
                if tuple(words[at : at + len(phrase)]) == phrase:
                    return qualifier, at + len(phrase) - 1
        if is_number(words[at]) or words[at] in _CLAUSE_WORDS:
            break  # another number or clause: what follows is not this number's hedge
    return None


def find_quantities(raw: str, tokens: list[Token] | None = None) -> list[Quantity]:
    """Every quantity in `raw`, in order (`tokens`: its tokens, when the caller has them)."""
    if tokens is None:
        tokens = tokenize(raw)
    words = [t.text for t in tokens]
    dates = [(d.start, d.end) for d in find_dates(raw)] + [m.span() for m in _TIME.finditer(raw)]
    out: list[Quantity] = []
    i = 0
    while i < len(tokens):
        w = words[i]
        if w in _VAGUE or (w == normalize("عشرات") and i + 1 < len(tokens)):
            vague_low, vague_high = _VAGUE.get(w, (10, 99))
            j = i
            scale = _VAGUE_SCALES.get(words[i + 1]) if i + 1 < len(tokens) else None
            if scale is not None:  # «عشرات الآلاف», «مئات الملايين»
                vague_low, vague_high, j = vague_low * scale, (vague_high + 1) * scale - 1, i + 1
            if i > 0 and is_number(words[i - 1]):
                i += 1
                continue  # «10 آلاف» was read as a number
            out.append(_quantity(tokens, words, raw, i, j, vague_low, vague_high, Qualifier.VAGUE))
            i = j + 1
            continue
        age = _ordinal_age(words, i)
        if age is not None:
            value, last = age
            found = _quantity(tokens, words, raw, i + 1, last, value, value, Qualifier.EXACT)
            out.append(replace(found, noun=None, age=True))
            i = last + 1
            continue
        if w in _HEDGED_FRACTIONS and (hedge := _match_before(words, i)) is not None:
            fraction, bound = _HEDGED_FRACTIONS[w], hedge[0]
            share_low = None if bound is Qualifier.AT_MOST else fraction
            share_high = None if bound is Qualifier.AT_LEAST else fraction
            out.append(_quantity(tokens, words, raw, hedge[1], i, share_low, share_high, bound))
            i += 1
            continue
        dual = dual_noun(w) if w not in _DUAL_COUNTS and not is_number(w) and _word_value(w) is None else None
        if dual is not None and not (i + 1 < len(words) and is_number(words[i + 1])):  # «شخصين»: two persons
            out.append(_dual(tokens, words, i))
            i += 3 if out[-1].qualifier is Qualifier.RANGE else 1
            continue
        if w in _DUAL_COUNTS:  # «مرتين»: twice
            out.append(
                Quantity(
                    2.0, 2.0, Qualifier.EXACT, tokens[i].raw_start, tokens[i].raw_end, False, _DUAL_COUNTS[w], True
                )
            )
            i += 1
            continue
        number = _read_number(tokens, i, raw) if (is_number(w) or _is_magnitude(w) or _word_value(w)) else None
        if number is None:
            i += 1
            continue
        first, last = number.first, number.last
        span = (tokens[first].raw_start, tokens[last].raw_end)
        if _skipped(tokens, words, raw, number, span, dates):
            i = last + 1
            continue
        qualifier = Qualifier.EXACT
        low: float | None = number.value
        high: float | None = number.value
        hedge = _match_before(words, first)
        if hedge:
            qualifier, begin = hedge
            first = begin
            low = None if qualifier is Qualifier.AT_MOST else number.value
            high = None if qualifier is Qualifier.AT_LEAST else number.value
        # ranges: «بين X و Y», «من X إلى Y», «X إلى Y», «X أو Y», «X-Y»
        second_at = last + 1
        if (
            first > 0
            and _range_opener(words[first - 1])
            and second_at + 2 < len(words)
            and words[second_at + 1] == "و"
            and is_number(words[second_at + 2])
            and (unit := lookup(words[second_at])) is not None
            and unit.kind == "unit"
        ):
            second_at += 1  # «بين 3000 ريال و7000 ريال»: the unit said after each end
        from_hedge = hedge is not None and words[number.first - 1] == "من"  # the hedge ends in «من»
        # «إلى» or «حتى» between two numbers: «ما يقرب من 30 حتى 40 مليون برميل»
        to = second_at < len(words) and words[second_at] in _TO
        linked = second_at + 1 < len(words) and (
            ((to or words[second_at] == "او") and qualifier is Qualifier.EXACT)
            or (to and from_hedge)  # «أعلى من مائة إلى ألف»: a range
            or (first > 0 and _range_opener(words[first - 1]) and (to or words[second_at] == "و"))
        )
        hyphen = (
            second_at < len(words)
            and is_number(words[second_at])
            and is_number(words[last])
            and raw[tokens[last].raw_end : tokens[second_at].raw_start] in ("-", "–")
        )
        if linked or hyphen:
            other = _read_number(tokens, second_at if hyphen else second_at + 1, raw)
            if other is not None:
                value2 = other.value
                if other.magnitude and not number.magnitude and number.value < other.value / 1000:
                    number.value *= other.value / max(1, _leading_value(tokens, other, raw))  # «30 إلى 50 ألفاً»
                falls = first > 0 and words[first - 1] in _FROM and to and value2 < number.value
                if not falls:  # «تراجع من 102 إلى 93»: where it was and where it is, two figures
                    qualifier, low, high = Qualifier.RANGE, min(number.value, value2), max(number.value, value2)
                    if first > 0 and _range_opener(words[first - 1]):
                        first -= 1
                    last = other.last
        after = _match_after(words, last) if qualifier in (Qualifier.EXACT, Qualifier.APPROX) else None
        if after is not None:
            qualifier = after[0]
            low, high = (number.value, None) if qualifier is Qualifier.AT_LEAST else (None, number.value)
        if qualifier is Qualifier.EXACT and any(
            tuple(words[at : at + len(phrase)]) == phrase for phrase in _AFTER_APPROX for at in (last + 1, last + 2)
        ):
            qualifier = Qualifier.APPROX  # «10 آلاف جندي تقريباً»
        out.append(_quantity(tokens, words, raw, first, last, low, high, qualifier))
        i = last + 1
    return out


def _dual(tokens: list[Token], words: list[str], i: int) -> Quantity:
    """The dual at token i as a count of two, with its hedge («نحو دولارين», «أكثر من يومين»), or
    two to N («يومين أو 3»)."""
    w = words[i]
    if i + 2 < len(words) and words[i + 1] == "او" and words[i + 2].isdecimal():
        end, most = tokens[i + 2].raw_end, max(2.0, float(words[i + 2]))
        return Quantity(2.0, most, Qualifier.RANGE, tokens[i].raw_start, end, False, w, True)
    hedge = _match_before(words, i)
    qualifier, begin = hedge if hedge else (Qualifier.EXACT, i)
    low = None if qualifier is Qualifier.AT_MOST else 2.0
    high = None if qualifier is Qualifier.AT_LEAST else 2.0
    return Quantity(low, high, qualifier, tokens[begin].raw_start, tokens[i].raw_end, False, w, True)


def _ordinal_age(words: list[str], i: int) -> tuple[int, int] | None:
    """«في الثامنة» (+ «عشرة», «والعشرين») read as an age: its value and last token, when
    «من العمر» follows or a person is named right before; never a clock time («في الثامنة صباحاً»)."""
    if words[i] not in ("في", "فى") or i + 1 >= len(words) or words[i + 1] not in _ORDINALS:
        return None
    value, last = _ORDINALS[words[i + 1]], i + 1
    nxt = words[last + 1] if last + 1 < len(words) else ""
    if nxt in _TEN:
        value, last = value + 10, last + 1
    elif nxt.startswith("و") and (tens := _word_value(nxt)) is not None and tens[0] == "tens":
        value, last = value + tens[1], last + 1
    if value < 2:  # «في الحادي» alone is no age; «في الحادية عشرة» is
        return None
    after = words[last + 1 : last + 3]
    if after[:1] and after[0] in _CLOCK_AFTER:
        return None
    aged = any(tuple(after[: len(p)]) == p for p in _AGE_AFTER)
    person = i > 0 and (noun := lookup(words[i - 1])) is not None and noun.kind == "human"
    return (value, last) if aged or person else None


def _range_opener(word: str) -> bool:
    """«بين», «من», «يتراوح», with a conjunction on them («وبين 18 و23»)."""
    return word in _RANGE_OPENERS or (word[:1] in "وف" and word[1:] in _RANGE_OPENERS)


def _leading_value(tokens: list[Token], number: _Number, raw: str) -> float:
    tok = tokens[number.first]
    return _digits_value(tok, raw, True) if is_number(tok.text) else 1.0


def _skipped(tokens, words, raw, number: _Number, span: tuple[int, int], dates) -> bool:
    """Dates, years, clock times, numbered names, scores and list markers are not quantities."""
    if any(s <= span[0] < e for s, e in dates):
        return True
    if _numeric_date(tokens, words, raw, number):
        return True  # «15-11-1436هـ», «3 /3 /1436هـ»
    previous = words[number.first - 1] if number.first else ""
    counted_definite = previous.startswith("ال") and words[number.first].startswith("ال") and not is_number(previous)
    if _before_month(words, number.last + 1) and not counted_definite:
        return True  # «يوم 30 أكتوبر», «يومي 27 و28 أكتوبر», «الـ30 من شهر يوليو»: a day of the month
    tok = tokens[number.first]
    if is_number(tok.text) and len(tok.text) >= 9 and tok.text.startswith("0"):
        return True  # a phone number
    if _plus_joined(tokens, raw, number):
        return True  # «مجموعة 5+1», «1+5»: a name, not a count
    if _list_marker(tokens, words, raw, number):
        return True  # «الترتيب: 1- الترجي 19 ن 2-النجم …», «وفق الآتي : 1 - حادث …»
    if len(previous) == 1 and previous.isalpha() and previous not in ("و", "ب", "ل", "ف", "ك"):
        return True  # «الطائرة "أ 320"»: a letter and a number name a model
    if _day_and_month(tokens, words, raw, number):
        return True  # «الموافق 4/ 10»: a day and its month
    if _listed_days(words, number):
        return True  # «مارس في أيام 3، 10، 17»: days of the month named before
    numbered = previous in _NUMBERED or (previous[:2] == "لل" and "ال" + previous[2:] in _NUMBERED)
    if previous == "و" and number.first > 1 and is_number(words[number.first - 2]):
        head = number.first - 2
        while head > 0 and (words[head - 1] == "و" or is_number(words[head - 1])):
            head -= 1
        following = words[number.last + 1] if number.last + 1 < len(words) else ""
        numbered = head > 0 and words[head - 1] in _NUMBERED and lookup(following) is None  # «الفصلين 227 و239»
    text_named = words[number.first - 2] if number.first > 1 else ""
    by_adad = text_named in _NUMBERED_BY_ADAD or text_named[1:] in _NUMBERED_BY_ADAD
    if previous == "عدد" and (by_adad or (text_named[:2] == "لل" and "ال" + text_named[2:] in _NUMBERED_BY_ADAD)):
        numbered = True  # «الأمر عدد 161», «القانون عدد 52 لسنة 1992»: the Tunisian "No."
    if numbered or (previous == "ال" and number.first > 1 and words[number.first - 2] in _NUMBERED):
        return True  # «الرقم 10», «دورتها الـ 14»
    edition = number.first > 2 and words[number.first - 2].startswith("ال") and words[number.first - 3] in _NUMBERED
    if previous == "ال" and edition:
        return True  # «القمة العربية الـ28»: an edition with its adjective
    before = raw[max(0, tok.raw_start - 1) : tok.raw_start]
    after = raw[tokens[number.last].raw_end : tokens[number.last].raw_end + 1]
    latin_before = number.first > 0 and previous.isascii() and previous.isalpha()
    word_start = tok.raw_start
    while word_start > 0 and raw[word_start - 1].isalpha():
        word_start -= 1
    glued = normalize(raw[word_start : tok.raw_start])
    if glued and number.first == number.last and power_unit(glued, _int_or_zero(tok.text)):
        return True  # «103,000 كم2», «125 سم3»: the 2 squares the unit before it, it counts nothing
    if len(glued) >= 3 and glued not in _GLUED_PREFIXES:
        return True  # «نوماد08»: digits glued to a word name it; «و2000», «لـ15», «الـ30» are clitics
    if (
        (before.isascii() and before.isalpha())
        or latin_before
        or (before == "-" and number.first and _glued(tokens, number.first, raw))
    ):
        return True  # «JO25», «نوت-7»: part of a name
    if _score(tokens, words, raw, number):
        return True
    line_start = raw.rfind("\n", 0, tok.raw_start) + 1
    if (
        not raw[line_start : tok.raw_start].strip()
        and is_number(tok.text)
        and raw[tok.raw_end : tok.raw_end + 2].strip()[:1] in "-–)."
    ):
        return True  # «2 – دعم …» at the start of a line: a list marker
    nxt = words[number.last + 1] if number.last + 1 < len(words) else ""
    if nxt in _CLOCK_AFTER and number.value <= 24 and not number.magnitude:
        return True  # «حتى الـ12 ظهرا», «4 عصرا»: a clock time
    if nxt in _MINUTES and previous == "و" and _HOUR in words[max(0, number.first - 4) : number.first]:
        return True  # «الساعة العاشرة و27 دقيقة»: the minutes of a clock time
    if previous == _EACH and _word_value(words[number.first]) == ("unit", 1):
        return True  # «تعطي كل واحد 500 جنيه»: each one, not a count of one
    if previous in _PHONE_WORDS or (number.first > 1 and words[number.first - 2] in _PHONE_WORDS):
        return True  # «الرقم الأخضر 80100191», «هاتف 71 123 456»
    first_word = words[number.first]
    if not is_number(first_word):
        wv = _word_value(first_word)
        if first_word.startswith(("ال", "وال")) and previous.startswith(("ال", "وال")) and wv and wv[0] != "unit":
            return True  # «الجولة الثانية والعشرين»: an ordinal; «السنوات الأربع» counts
        if wv and wv[0] == "ten" and ((previous.endswith("ه") and previous.startswith("ال")) or previous in _ORDINALS):
            return True  # «السادسة عشر», «القرن الثالث عشر»: an ordinal teen
        if previous == normalize("عبد"):
            return True  # «عبد الواحد»: a name
        bare = first_word[1:] if first_word[:1] in "ولب" and first_word[1:] in _ONE_OF else first_word
        one_of = bare not in _ONE or nxt == "من" or nxt.startswith("ال")  # «مرة واحدة» counts one
        if bare in _ONE_OF and number.first == number.last and not is_number(nxt) and one_of:
            return True  # «أحد الطرفين», «إحدى فرق», «واحد من»: one of, not a count
    if is_number(tok.text) and tok.text.isdigit() and number.first == number.last:
        value = int(tok.text)
        cue = previous in _YEAR_CUES or previous[1:] in _YEAR_CUES or "ال" + previous[2:] in _YEAR_CUES
        if cue and 3 <= len(tok.text) <= 4 and value <= 2100 and (after == "م" or nxt in _ERA):
            return True  # «عام 1094م», «للعام 2014 م»: a year of the common era
        hijri_month = previous in _HIJRI_MONTHS
        slash_year = after == "/" or raw[tok.raw_end : tok.raw_end + 2].strip() == "/"
        if 1300 <= value <= 1500 and (after in ("ه", "هـ") or nxt in ("ه", "هـ", "هجري", "هجريه") or hijri_month):
            return True  # a Hijri year: «1436هـ», «20 رمضان 1438»
        if 1300 <= value <= 1500 and slash_year and number.last + 1 < len(words) and is_number(words[number.last + 1]):
            return True  # an academic year in Hijri years: «1436 / 1437هـ»
        named_year = previous in _YEAR_NOUNS or previous[1:] in _YEAR_NOUNS or "ال" + previous[2:] in _YEAR_NOUNS
        if len(tok.text) == 4 and 1000 <= value < 1800 and named_year and lookup(nxt) is None:
            return True  # «منذ عام 1006», «نشر عام 1431»: a year, older or Hijri
        if len(tok.text) == 4 and 1800 <= value <= 2100:
            if cue or is_month(previous):
                return True  # «عام 2015», «للعام 2014», «سبتمبر 1895»
            if (previous in _YEAR_EDGES or previous[1:] in _YEAR_EDGES) and lookup(nxt) is None:
                return True  # «قبل نهاية 2020»; not «نهاية 2000 ريال»
            cued = any(w.startswith("عدد") for w in words[max(0, number.first - 3) : number.first])
            until = previous in _UNTIL or (previous[:1] == "و" and previous[1:] in _UNTIL)  # «وحتى 2015»
            linked = nxt in _UNTIL or (nxt[:1] == "و" and nxt[1:] in _UNTIL)
            after_span = words[number.last + 3] if number.last + 3 < len(words) else ""
            if (
                linked
                and _year_like(words[number.last + 2] if number.last + 2 < len(words) else "")
                and lookup(after_span) is None
            ) or (until and number.first > 1 and _year_like(words[number.first - 2]) and lookup(nxt) is None):
                return True  # «من 2010 وحتى 2015»: a span of years
            if cued or (_match_before(words, number.first) is not None and not until):
                return False  # «أكثر من 2000 شخص», «بلغ عدد الزوار 2015»: a count, not a year
            closes = raw[tok.raw_end : tok.raw_end + 2].strip()[:1]
            if closes and closes in _BREAKS:
                return True  # «مطلع العام الفائت 2014، حيث …»: nothing counted follows a year
            if previous == "و" and number.first > 1 and _year_like(words[number.first - 2]):
                return True  # «سنتي 2014 و2015»
            gap = raw[tok.raw_end : tokens[number.last + 1].raw_start].strip() if number.last + 1 < len(tokens) else ""
            after_pair = words[number.last + 2] if number.last + 2 < len(words) else ""
            if gap in _DASHES and _year_like(nxt) and 0 < int(nxt) - value <= 1:
                return True  # «2013-2014», «2015 - 2016», «2016/2017»: a season or an academic year
            if gap in _DASHES and _year_like(nxt) and int(nxt) > value and not _counted_by(after_pair):
                return True  # «1945-1962»: a span of years
            before_gap = raw[tokens[number.first - 1].raw_end : tok.raw_start].strip() if number.first else ""
            if before_gap in _DASHES and _year_like(previous) and int(previous) < value and not _counted_by(nxt):
                return True  # … and its second year
            counted = lookup(nxt) is not None or (previous != "في" and _counted_by(nxt))
            return not counted  # a year («في 2024 والتي …»), not «و2000 علبة سجائر»
    return False


_MINUTES = _norm_set("دقيقة", "دقائق")
_HOUR = normalize("الساعة")
_EACH = normalize("كل")
_PHONE_WORDS = _norm_set("الرقم", "رقم", "هاتف", "الهاتف", "جوال", "الجوال")


def _counted_by(word: str) -> bool:
    """A word after a number that can say what it counts («2000 علبة»), so the number is no year."""
    if word[:1] in "وف" and len(word) > 3 and not word.endswith(("ا", "ين", "ات", "ون")) and lookup(word) is None:
        return False  # «2015 - 2016 وأضاف البلاغ»: a new clause
    return lookup(word) is not None or (
        len(word) >= 3
        and not word.startswith("ال")
        and word not in _NOT_NOUNS
        and not word.startswith(("ي", "ت", "ن", "س"))
        and not is_month(word)
        and word not in STOPWORDS
    )


def _year_like(word: str) -> bool:
    return word.isdecimal() and len(word) == 4 and 1800 <= int(word) <= 2100


def _int_or_zero(text: str) -> int:
    return int(text) if text.isdigit() else 0


def _numeric_date(tokens: list[Token], words: list[str], raw: str, number: _Number) -> bool:
    """Part of a numeric date: three numbers joined by «-» or «/», the last a year («4-12-1436»)."""
    i = number.first
    for start in (i - 2, i - 1, i):  # the number may be the day, the month or the year
        parts = [start, start + 1, start + 2]
        if start < 0 or parts[-1] >= len(words) or not all(is_number(words[p]) for p in parts):
            continue
        gaps = [raw[tokens[a].raw_end : tokens[a + 1].raw_start].strip() for a in parts[:2]]
        if all(g in ("-", "/") for g in gaps) and len(words[parts[2]]) == 4:
            return True
    return False


_LIST_MARKER_MAX = 30  # list items are numbered 1, 2, 3 …: a larger number before a dash is no marker


def _list_marker(tokens: list[Token], words: list[str], raw: str, number: _Number) -> bool:
    """A small number and a dash before a word that opens a list item: «1- الترجي», «2 - حادث»."""
    i, j = number.first, number.last + 1
    if i != number.last or not words[i].isdigit() or int(words[i]) > _LIST_MARKER_MAX or j >= len(tokens):
        return False
    if raw[tokens[i].raw_end : tokens[j].raw_start].strip() not in ("-", "–"):
        return False
    if is_number(words[j]) or lookup(words[j]) is not None:
        return False  # «3-5 أيام», «5 - أيام»
    return (
        i == 0 or any(ch in raw[tokens[i - 1].raw_end : tokens[i].raw_start] for ch in ":\n.؛") or _after_item(words, i)
    )


def _after_item(words: list[str], i: int) -> bool:
    """The number follows a previous item's figure and unit («… 19 ن 2-النجم»): a list goes on."""
    return any(is_number(w) for w in words[max(0, i - 3) : i])


def _plus_joined(tokens: list[Token], raw: str, number: _Number) -> bool:
    """A number written against another with «+» between («5+1»)."""
    i, j = number.first, number.last
    left = i > 0 and is_number(tokens[i - 1].text) and raw[tokens[i - 1].raw_end : tokens[i].raw_start] == "+"
    right = (
        j + 1 < len(tokens)
        and is_number(tokens[j + 1].text)
        and raw[tokens[j].raw_end : tokens[j + 1].raw_start] == "+"
    )
    return left or right


def _glued(tokens: list[Token], i: int, raw: str) -> bool:
    """Token i follows a word with no space before its hyphen: «نوت-7»."""
    return raw[tokens[i - 1].raw_end : tokens[i].raw_start] == "-"


def _score(tokens: list[Token], words: list[str], raw: str, number: _Number) -> bool:
    """«4-1», «6 / 5», «بنتيجة 3 - 1»: a match result, not a quantity (nor a range)."""
    i, j = number.first, number.last + 1
    if j + 1 < len(words) and words[j] == _AGAINST and is_number(words[j + 1]) and _cue_before(words, i) in _SCORE_CUES:
        return True  # «بنتيجة 79 مقابل 67»
    if i > 1 and words[i - 1] == _AGAINST and is_number(words[i - 2]) and _cue_before(words, i - 2) in _SCORE_CUES:
        return True
    if _cue_before(words, i) in _SCORE_CUES and any(
        w == _AGAINST or (w == _WITHOUT and k + 1 < len(words) and words[k + 1] == _REPLY)
        for k, w in enumerate(words[j : j + 2], start=j)
    ):
        return True  # «بنتيجة 3 أشواط دون رد», «بنتيجة ثلاثة أشواط مقابل صفر»
    paired = i > 0 and is_number(words[i - 1]) and raw[tokens[i - 1].raw_end : tokens[i].raw_start].strip() in _DASHES
    if paired and _score_pair(words[i - 1], words[i], _cue_before(words, i - 1)):
        return True  # the second of a pair
    if j >= len(words) or not is_number(words[i]) or not is_number(words[j]):
        return False
    gap = raw[tokens[number.last].raw_end : tokens[j].raw_start].strip()
    return gap in _DASHES and _score_pair(words[i], words[j], _cue_before(words, i))


def _cue_before(words: list[str], i: int) -> str:
    """A score cue among the 8 words (numbers aside) before token i («بنتيجة شوطين مقابل شوط : 6-4 . 4-6»),
    else the word before."""
    seen = 0
    for w in reversed(words[:i]):  # the set scores between count for nothing: «(24/26, 19/25, 17/25)»
        if w in _SCORE_CUES:
            return w
        seen += not is_number(w)
        if seen >= 8:
            break
    return words[i - 1] if i else ""


def _score_pair(a: str, b: str, before: str) -> bool:
    if not (a.isdigit() and b.isdigit()):
        return False
    x, y = int(a), int(b)
    return before in _SCORE_CUES or (x >= y and x <= 20 and y <= 20)


_SCORE_CUES = _norm_set(*_WORDS["score_cues"])
_AGAINST = normalize("مقابل")
_WITHOUT, _REPLY = normalize("دون"), normalize("رد")
_DASHES = ("-", "/", "–")
_FROM = _norm_set("من", "ومن")
_ERA = _norm_set("م", "ميلادي", "ميلادية")


_THE_MONTH = normalize("الشهر")
_YEAR_NOUNS = _norm_set("عام", "العام", "سنة", "السنة")
_DAY_WORDS = _norm_set("أيام", "ايام", "الأيام", "يومي", "يوما")


def _day_and_month(tokens: list[Token], words: list[str], raw: str, number: _Number) -> bool:
    """«4/ 10», «30/10»: a day (1–31) and a month (1–12) joined by a slash, no year after them."""
    i = number.first
    if number.last != i or not words[i].isdigit():
        return False
    for a in (i - 1, i):  # the number may be the day or the month
        b = a + 1
        if a < 0 or b >= len(words) or not (words[a].isdigit() and words[b].isdigit()):
            continue
        if raw[tokens[a].raw_end : tokens[b].raw_start].strip() != "/":
            continue
        if b + 1 < len(tokens) and raw[tokens[b].raw_end : tokens[b + 1].raw_start].strip() == "/":
            continue  # a full date is _numeric_date's
        if a > 0 and raw[tokens[a - 1].raw_end : tokens[a].raw_start].strip() == "/":
            continue
        day, month = int(words[a]), int(words[b])
        if 1 <= day <= 31 and 1 <= month <= 12 and len(words[a]) <= 2 and len(words[b]) <= 2:
            return _cue_before(words, a) not in _SCORE_CUES  # «بنتيجة 2/1» is a score
    return False


def _listed_days(words: list[str], number: _Number) -> bool:
    """A list of days after «أيام» with its month named just before: «مارس في أيام 3، 10، 17»."""
    i = number.first
    while i > 0 and (is_number(words[i - 1]) or words[i - 1] == "و"):
        i -= 1
    if i == number.first and not (number.first + 1 < len(words) and is_number(words[number.first + 1])):
        return False  # «أيام 3» alone is no list
    if i == 0 or words[i - 1] not in _DAY_WORDS:
        return False
    return any(is_month(w) or w in _HIJRI_MONTHS for w in words[max(0, i - 4) : i - 1])


def _before_month(words: list[str], at: int) -> bool:
    """A month name at `at` (Hijri too), after «من (شهر)» there, or after «و N» / «إلى N» there."""
    if at < len(words) and (is_month(words[at]) or words[at] in _HIJRI_MONTHS or words[at] == "منه"):
        return True  # «حتى 21 منه»: of the month just named
    if at + 1 < len(words) and words[at] == "من":
        if words[at + 1] == _THE_MONTH:
            return True  # «إلى غاية 15 من الشهر نفسه»
        k = at + 2 if words[at + 1] == normalize("شهر") else at + 1
        return k < len(words) and (is_month(words[k]) or words[k] in _HIJRI_MONTHS)
    if at + 2 < len(words) and words[at] == "الي" and is_number(words[at + 1]) and is_month(words[at + 2]):
        return True
    while at + 1 < len(words) and words[at] == "و" and is_number(words[at + 1]):
        at += 2  # «أيام 4 و5 و8 و12 ديسمبر»: a list of days shares the month after its last
    return at < len(words) and (is_month(words[at]) or words[at] in _HIJRI_MONTHS)


def _quantity(
    tokens: list[Token], words: list[str], raw: str, first: int, last: int, low, high, qualifier: Qualifier
) -> Quantity:
    percent = False
    after = last + 1
    if after <= len(tokens):
        tail = raw[tokens[last].raw_end : tokens[last].raw_end + 2]
        if "%" in tail or "٪" in tail:
            percent = True
        for phrase in _PERCENT_AFTER:
            if tuple(words[after : after + len(phrase)]) == phrase:
                percent = True
    noun = None
    hedge_after = any(tuple(words[after : after + len(p)]) == p for ps in _AFTER.values() for p in ps)
    if (
        not percent
        and not hedge_after
        and after < len(words)
        and not is_number(words[after])
        and words[after] not in _NOT_NOUNS
    ):
        noun = words[after]
    return Quantity(
        round(float(low), 6) if low is not None else None,  # 3.8 × 10⁹ without float noise
        round(float(high), 6) if high is not None else None,
        qualifier,
        tokens[first].raw_start,
        tokens[last].raw_end,
        percent,
        noun,
    )
