"""When a clause sets a figure: the period its nearest time expression names.

A story's articles also carry figures of other times: an earlier event recalled («وقد قتل
آنذاك خمسة جنود», «في ديسمبر الماضي قتل خمسة مدنيين») or last month's value beside this
month's («انخفضت في مايو إلى 6.935 مليون برميل من 7.737 مليون في أبريل»). The time
expression nearest to the figure in its own sentence (within WINDOW words, not past another
figure) sets it. search/figures/answers.py keeps such a figure out of an answer about
another time; search/figures/questions.py reads the question's own period with the same
function. (Countries were tried the same way, the nearest country named: it helped dev and
cost test gold figures, so it was undone.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from search.arabic import is_number, normalize
from search.dates import month_number

WINDOW = 10  # words between a figure and the mention that sets it


@dataclass(frozen=True)
class Period:
    """A span of months (year × 12 + month − 1; year None: that month in any year), a Hijri
    year, or another time the text does not date («آنذاك»)."""

    kind: str  # "month" (Gregorian months), "hijri" (a Hijri year), "other"
    low: int = 0
    high: int = 0
    any_year: bool = False

    def label(self) -> str:
        """«2015-05», «2014», «1436H», «--05» (May, any year), «other»."""
        if self.kind != "month":
            return f"{self.low}H" if self.kind == "hijri" else "other"
        if self.any_year:
            return f"--{self.low % 12 + 1:02d}"
        (y1, m1), (y2, m2) = divmod(self.low, 12), divmod(self.high, 12)
        if m1 == 0 and m2 == 11 and y1 == y2:
            return str(y1)
        return f"{y1}-{m1 + 1:02d}" if self.low == self.high else f"{y1}-{m1 + 1:02d}/{y2}-{m2 + 1:02d}"

    def overlaps(self, other: Period) -> bool | None:
        """Whether the two periods meet; None when they cannot be compared."""
        if self.kind != other.kind or self.kind == "other":
            return None
        if self.any_year or other.any_year:
            months = lambda p: {m % 12 for m in range(p.low, p.high + 1)}  # noqa: E731
            return bool(months(self) & months(other))
        return self.low <= other.high and other.low <= self.high


_THEN = frozenset(normalize(w) for w in "آنذاك حينذاك حينها وقتها وقتذاك آنئذ".split())
_PAST = frozenset(normalize(w) for w in "الماضي الماضية المنصرم المنصرمة".split())
_MONTH_CUES = frozenset(normalize(w) for w in "في خلال شهر منتصف أواخر أوائل مطلع نهاية بداية حتى الى إلى من".split())
_YEAR_CUES = frozenset(normalize(w) for w in "عام العام لعام سنة السنة في خلال".split())
_SINCE = normalize("منذ")  # «منذ مارس»: from then until now, the figure is current
_YEAR_WORDS = frozenset(normalize(w) for w in "العام السنة عام".split())
_MONTH_WORDS = frozenset(normalize(w) for w in ("الشهر",))
_LAST_WORDS = _YEAR_WORDS | _MONTH_WORDS  # «العام الماضي», «الشهر الماضي»
# words that only date: year cues (not the prepositions), «العام الماضي»'s words, the Hijri and Gregorian marks
_DATING_WORDS = (_YEAR_CUES - {"في", "خلال"}) | _LAST_WORDS | _PAST | {"ه", "هـ", "م", normalize("شهر")}


def _year(word: str) -> int | None:
    return int(word) if is_number(word) and word.isdecimal() and len(word) == 4 and 1900 <= int(word) <= 2100 else None


def _hijri_year(word: str) -> int | None:
    return int(word) if word.isdecimal() and len(word) == 4 and 1300 <= int(word) <= 1500 else None


def time_word(word: str) -> bool:
    """A normalised word that only dates («يوليو», «2015», «1436», «لعام», «ه»): the question's period
    is checked apart (another_time), so these are no part of what it is about."""
    return (
        word in _DATING_WORDS
        or _year(word) is not None
        or _hijri_year(word) is not None
        or month_number([word], 0) is not None
    )


def times_at(words: Sequence[str], published: date | None) -> list[tuple[int, Period]]:
    """(index, period) for every time expression of the normalised words; a month without
    its year is the last such month up to `published` (any year when that is unknown)."""
    found: list[tuple[int, Period]] = []
    words = list(words)
    i = 0
    while i < len(words):
        w, prev = words[i], words[i - 1] if i else ""
        since = prev == _SINCE or (i > 1 and words[i - 2] == _SINCE)
        if w in _THEN:
            found.append((i, Period("other")))
        elif w in _LAST_WORDS and i + 1 < len(words) and words[i + 1] in _PAST and published:
            if not since:
                if w in _MONTH_WORDS:
                    m = published.year * 12 + published.month - 2
                    found.append((i, Period("month", m, m)))
                else:
                    last = published.year - 1
                    found.append((i, Period("month", last * 12, last * 12 + 11)))
            i += 2
            continue
        elif (month := month_number(words, i)) is not None:
            number, used = month
            j = i + used
            while j < len(words) and month_number(words, j) is not None:
                j += month_number(words, j)[1]  # type: ignore[index]  # «مايو (أيار)»
            year = _year(words[j]) if j < len(words) else None
            after = words[j] if j < len(words) else ""
            cued = prev in _MONTH_CUES or is_number(prev) or w[:1] == "ب" or year is not None or after in _PAST
            if cued and not since:
                if year is None and published is not None:
                    year = published.year
                    if number > published.month or (number == published.month and after in _PAST):
                        year -= 1
                m = (year or 0) * 12 + number - 1
                found.append((i, Period("month", m, m, any_year=year is None)))
            i = j + (1 if year is not None else 0)
            continue
        elif (y := _year(w)) is not None and (prev in _YEAR_CUES or (i + 1 < len(words) and words[i + 1] == "م")):
            if not since:
                found.append((i, Period("month", y * 12, y * 12 + 11)))
        elif (h := _hijri_year(w)) is not None and words[i + 1 : i + 2] == ["ه"] and not since:
            found.append((i, Period("hijri", h, h)))
        i += 1
    return found


def nearest(
    mentions: list[tuple[int, object]], first: int, last: int, skip: set[int], others: Sequence[int] = ()
) -> object | None:
    """What the mention nearest to words first..last names, within WINDOW words and not past
    another figure (`others`: «6.935 مقارنة مع 7.737 في أبريل»: April is the second's), or None."""
    best: tuple[int, object] | None = None
    for at, what in mentions:
        if at in skip or first <= at <= last:
            continue
        if any(at < o < first or last < o < at for o in others):
            continue
        distance = first - at if at < first else at - last
        if distance <= WINDOW and (best is None or distance < best[0]):
            best = (distance, what)
    return best[1] if best else None


def another_time(asked: Period | None, said: Period | None) -> bool:
    """A figure set at another time than the question asks about: a period that misses the
    question's, or «آنذاك». When the question names no time, a dated past is kept: «ما أعلنته
    الوزارة في أكتوبر الماضي، حين تحدثت عن نحو 10 آلاف» recalls an earlier report of this
    story as often as «في ديسمبر الماضي قتل خمسة» recalls another event (dropping it cost
    the sample's own earlier estimates)."""
    if said is None:
        return False
    if said.kind == "other":
        return True
    if asked is not None:
        return said.overlaps(asked) is False
    return False
