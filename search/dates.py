"""Publication dates as news pages write them, in Arabic and English.

Handles Egyptian/Gulf (أكتوبر), Levantine (تشرين الأول) and Maghrebi (أكتوبر، جانفي)
month names, paired names («تشرين الثاني/نوفمبر», «أغسطس/آب»), English names with
ordinals («4th, February 2024»), «أبريل 26, 2025», Arabic-Indic digits, d/m/y and ISO.
Matching runs on normalised text (search.arabic), offsets are mapped back to raw.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from search.arabic import normalize, normalize_with_map

_MONTHS: dict[str, int] = {}


def _months(n: int, *names: str) -> None:
    for name in names:
        _MONTHS[normalize(name)] = n


_months(1, "يناير", "كانون الثاني", "جانفي", "january", "jan")
_months(2, "فبراير", "شباط", "فيفري", "february", "feb")
_months(3, "مارس", "آذار", "march", "mar")
_months(4, "أبريل", "إبريل", "نيسان", "أفريل", "april", "apr")
_months(5, "مايو", "أيار", "ماي", "may")
_months(6, "يونيو", "يونيه", "حزيران", "جوان", "june", "jun")
_months(7, "يوليو", "يوليه", "تموز", "جويلية", "جويلة", "july", "jul")
_months(8, "أغسطس", "آب", "أوت", "august", "aug")
_months(9, "سبتمبر", "أيلول", "september", "sept", "sep")
_months(10, "أكتوبر", "تشرين الأول", "october", "oct")
_months(11, "نوفمبر", "تشرين الثاني", "november", "nov")
_months(12, "ديسمبر", "كانون الأول", "december", "dec")


def is_month(word: str) -> bool:
    """A normalised month name, or the first word of one («تشرين» of «تشرين الأول»)."""
    return any(w in _MONTHS or w in _MONTH_FIRST_WORDS for w in (word, word[1:] if word[:1] in ("و", "ب") else ""))


_MONTH_FIRST_WORDS = frozenset(m.split()[0] for m in _MONTHS if " " in m)


def month_number(words: list[str], i: int) -> tuple[int, int] | None:
    """The month named by normalised words[i] (with its second word: «تشرين الأول»), as
    (number, words used), or None; a «و»/«ب»/«في» glued before it is allowed («بمايو»)."""
    w = words[i]
    for bare in (w, w[1:] if w[:1] in ("و", "ب", "ل") else None):
        if not bare:
            continue
        if i + 1 < len(words) and f"{bare} {words[i + 1]}" in _MONTHS:
            return _MONTHS[f"{bare} {words[i + 1]}"], 2
        if bare in _MONTHS and bare not in _MONTH_FIRST_WORDS:
            return _MONTHS[bare], 1
    return None


# Longest names first so «كانون الثاني» wins over a shorter overlap.
_MONTH = "(?:" + "|".join(re.escape(m) for m in sorted(_MONTHS, key=len, reverse=True)) + ")"
_NOT_LETTER_BEFORE = r"(?<![^\W\d_])"
_NOT_LETTER_AFTER = r"(?![^\W\d_])"
_MONTH_PAIR = rf"(?P<m1>{_MONTH}){_NOT_LETTER_AFTER}(?:\s*[/\-]\s*{_MONTH}{_NOT_LETTER_AFTER})?"
_MONTH_PAIR2 = rf"(?P<m2>{_MONTH}){_NOT_LETTER_AFTER}(?:\s*[/\-]\s*{_MONTH}{_NOT_LETTER_AFTER})?"

_PATTERNS = [
    # 2024-10-30, 2024-10-30T09:00:00+03:00
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    # 2024/10/30
    re.compile(r"(?<!\d)(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})(?!\d)"),
    # 30/10/2024, 30-10-2024, 30.10.2024 (day first, as Arabic sites write it)
    re.compile(r"(?<![\d.])(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4})(?!\d)"),
    # 30 أكتوبر 2024, 4th, February 2024, 13 تشرين الثاني/نوفمبر 2024
    re.compile(
        rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_NOT_LETTER_BEFORE}{_MONTH_PAIR},?\s+(?P<y>\d{{4}})(?!\d)"
    ),
    # أبريل 26, 2025 / February 4, 2024
    re.compile(rf"{_NOT_LETTER_BEFORE}{_MONTH_PAIR2}\s+(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,?\s*(?P<y2>\d{{4}})(?!\d)"),
]


@dataclass(frozen=True)
class DateMatch:
    value: date
    start: int  # raw offsets
    end: int


def _month_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    return _MONTHS.get(re.sub(r"\s+", " ", token))


def _build(y: str, m: str, d: str) -> date | None:
    month = _month_number(m)
    if month is None:
        return None
    try:
        value = date(int(y), month, int(d))
    except ValueError:
        return None
    return value if 1900 <= value.year <= 2100 else None


def find_dates(raw: str) -> list[DateMatch]:
    """Every full date (day, month and year) written in `raw`, in order, without overlaps."""
    norm = normalize_with_map(raw)
    found: list[tuple[int, int, date]] = []
    for pattern in _PATTERNS:
        for m in pattern.finditer(norm.text):
            g = m.groupdict()
            if g.get("y2"):
                value = _build(g["y2"], g["m2"], g["d2"])
            else:
                value = _build(g["y"], g.get("m1") or g["m"], g["d"])
            if value is None:
                continue
            if any(s < m.end() and m.start() < e for s, e, _ in found):
                continue
            found.append((m.start(), m.end(), value))
    found.sort()
    out = []
    for s, e, value in found:
        rs, re_ = norm.raw_span(s, e)
        out.append(DateMatch(value, rs, re_))
    return out


def parse_date(value: object) -> date | None:
    """A date from a metadata field: ISO strings and timestamps, or any form `find_dates` reads."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = value / 1000 if value > 1e11 else value  # milliseconds since the epoch
        try:
            return datetime.fromtimestamp(seconds, UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    matches = find_dates(str(value))
    return matches[0].value if matches else None
