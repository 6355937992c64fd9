"""Counted nouns in Arabic: the one helper every page uses to write «مصدر واحد», «مصدران»,
«3 مصادر», «11 مصدراً», «100 مصدر», with an adjective agreeing in number and case.

Numbers are written in digits, as Arabic news sites do; only the noun (and its adjective)
changes form: singular for one, dual for two, plural for 3–10, accusative singular (tamyiz)
for 11–99, and the genitive singular after a round hundred (100, 1000).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Word:
    """The forms of a noun or adjective a count can call for.

    one: singular («مصدر»); two / two_gen: dual, nominative and genitive («مصدران» / «مصدرين»);
    few: the plural after 3–10 («مصادر»); many: the accusative singular after 11–99 («مصدراً»).
    """

    one: str
    two: str
    two_gen: str
    few: str
    many: str
    feminine: bool = False


SOURCE = Word("مصدر", "مصدران", "مصدرين", "مصادر", "مصدراً")
PASSAGE = Word("مقطع", "مقطعان", "مقطعين", "مقاطع", "مقطعاً")
ARTICLE = Word("مقال", "مقالان", "مقالين", "مقالات", "مقالاً")
ESTIMATE = Word("تقدير", "تقديران", "تقديرين", "تقديرات", "تقديراً")
FIGURE = Word("رقم", "رقمان", "رقمين", "أرقام", "رقماً")
LETTER = Word("حرف", "حرفان", "حرفين", "أحرف", "حرفاً")
REPORT = Word("تقرير", "تقريران", "تقريرين", "تقارير", "تقريراً")
CLAIMANT = Word("جهة", "جهتان", "جهتين", "جهات", "جهةً", feminine=True)
# adjectives after a non-human noun: the plural takes the feminine singular («مصادر مستقلة»)
DIFFERENT = Word("مختلف", "مختلفان", "مختلفين", "مختلفة", "مختلفاً")
INDEPENDENT = Word("مستقل", "مستقلان", "مستقلين", "مستقلة", "مستقلاً")
NEAR = Word("قريب", "قريبان", "قريبين", "قريبة", "قريباً")
OTHER = Word("آخر", "آخران", "آخرين", "أخرى", "آخر")
OTHER_F = Word("أخرى", "أخريان", "أخريين", "أخرى", "أخرى")  # after a feminine noun («جهات أخرى»)


def _form(word: Word, n: int, genitive: bool) -> str:
    tail = n % 100 if n >= 100 else n
    if n >= 100 and tail in (0, 1, 2):
        return word.one  # «100 مصدر», «101 مصدر»: the genitive singular after a hundred
    if tail == 1:
        return word.one
    if tail == 2:
        return word.two_gen if genitive else word.two
    if 3 <= tail <= 10:
        return word.few
    return word.many


def count(n: int, noun: Word, adjective: Word | None = None, *, genitive: bool = False, say_one: bool = True) -> str:
    """`n` of `noun`, as written after a verb (nominative) or a preposition (`genitive`):
    count(1, SOURCE) → «مصدر واحد», count(2, ESTIMATE, DIFFERENT) → «تقديران مختلفان»,
    count(7, SOURCE, genitive=True) → «7 مصادر», count(11, SOURCE) → «11 مصدراً»;
    without `say_one`, one is the noun alone: count(1, PASSAGE, OTHER, say_one=False) → «مقطع آخر»."""
    if n < 0:
        raise ValueError(f"a count is never negative: {n}")
    if n == 0:
        text = f"لا {noun.few}"  # «لا مصادر»
        return f"{text} {adjective.few}" if adjective else text
    words = [_form(noun, n, genitive)]
    if adjective is not None:
        words.append(_form(adjective, n, genitive))
    if n == 1:
        if not say_one:
            return " ".join(words)
        words.append("واحدة" if noun.feminine else "واحد")
        return " ".join(words)
    if n == 2 and n < 100:
        return " ".join(words)
    return f"{n} " + " ".join(words)


def joined(items: list[str], limit: int | None = None) -> str:
    """«أ»، «أ و ب», «أ، ب و ج»; past `limit` items, the rest as a count: «أ، ب و3 جهات أخرى»."""
    if limit is not None and len(items) > limit + 1:  # one more name is shorter than «وجهة أخرى»
        rest = len(items) - limit
        return "، ".join(items[:limit]) + " و" + count(rest, CLAIMANT, OTHER_F)
    if len(items) <= 1:
        return "".join(items)
    return "، ".join(items[:-1]) + " و" + items[-1]
