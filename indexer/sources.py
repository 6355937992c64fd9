"""Who published a page (the outlet) and which news agency it credits, kept apart.

Outlets are read from lines such as «المصدر: RT», «المصدر: صحيفة الاتحاد», a
dateline prefix «المستقلة/-», a byline in guillemets «الشرق الأوسط» (واشنطن),
or a credit line «فرانس24/ رويترز» (outlet / agency). Agencies are also read
from credits in the body: «وفق ما أوردته وكالة الصحافة الفرنسية», «وفقاً لوكالة تاس».
Names are matched on normalised tokens, so «أ.ف.ب» and «أ ف ب» are the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from search.arabic import normalize, terms

_AGENCY_NAMES: dict[str, tuple[str, ...]] = {
    "رويترز": ("رويترز", "Reuters"),
    "وكالة الصحافة الفرنسية": ("وكالة الصحافة الفرنسية", "فرانس برس", "فرانس بريس", "أ ف ب", "أ.ف.ب", "AFP"),
    "أسوشيتد برس": ("أسوشيتد برس", "أسوشييتد برس", "أسوشيتدبرس", "أ.ب", "AP"),
    "وكالة الأنباء الألمانية": ("وكالة الأنباء الألمانية", "د ب أ", "د.ب.أ", "dpa"),
    "تاس": ("تاس", "TASS"),
    "إنترفاكس": ("إنترفاكس", "انترفاكس", "Interfax"),
    "ريا نوفوستي": ("ريا نوفوستي", "نوفوستي", "RIA Novosti"),
    "سبوتنيك": ("سبوتنيك", "Sputnik"),
    "الأناضول": ("الأناضول", "Anadolu"),
    "يونهاب": ("يونهاب", "Yonhap"),
    "شينخوا": ("شينخوا", "Xinhua"),
    "وكالة الأنباء السعودية": ("وكالة الأنباء السعودية", "واس"),
    "وكالة أنباء الإمارات": ("وكالة أنباء الإمارات", "وام"),
    "كونا": ("كونا", "وكالة الأنباء الكويتية"),
    "بترا": ("بترا",),
    "إفي": ("إفي", "EFE"),
    "بلومبرغ": ("بلومبرغ", "بلومبيرغ", "Bloomberg"),
}
# normalised token sequence → canonical agency name; longest sequences are tried first
_AGENCY_SEQS: list[tuple[tuple[str, ...], str]] = sorted(
    ((tuple(terms(v, stemmed=False)), name) for name, variants in _AGENCY_NAMES.items() for v in variants),
    key=lambda item: -len(item[0]),
)
_SEQS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _seq, _name in _AGENCY_SEQS:
    _SEQS_BY_FIRST.setdefault(_seq[0], []).append((_seq, _name))
# Tokens that introduce a credit shortly before an agency name.
_CREDIT_WORDS = frozenset(
    normalize(w)
    for w in [
        "وفق",
        "وفقا",
        "وفقًا",
        "حسب",
        "بحسب",
        "نقلا",
        "نقلته",
        "نقلتها",
        "نقلت",
        "أوردته",
        "أوردتها",
        "أوردت",
        "ذكرته",
        "ذكرتها",
        "ذكرت",
        "أفادت",
        "بثته",
        "بثتها",
        "نشرته",
        "نشرتها",
        "قالت",
        "لوكالة",
        "وكالة",
    ]
)
_CREDIT_WINDOW = 4

_SOURCE_LINE = re.compile(r"^\s*(?:المصدر|مصدر الخبر|source)\s*[:：]\s*(?P<name>.{2,60}?)\s*$", re.IGNORECASE)
_DATELINE = re.compile(r"^\s*(?P<name>[^\s/\-–:«»()]{2,30}(?:\s[^\s/\-–:«»()]{2,30}){0,2})\s*/\s*[-–]\s*")
_GUILLEMET_BYLINE = re.compile(r"^\s*(?:«(?P<name>[^»]{2,40})»\s*(?:\([^()]{1,40}\))?\s*)+$")
_GUILLEMET_ALL = re.compile(r"«([^»]{2,40})»")
_CREDIT_LINE = re.compile(r"^\s*(?P<outlet>[^/\s][^/]{0,30}?)\s*/\s*(?P<agency>[^/]{2,30}?)\s*[.]?\s*$")
# A line that names the publisher by its kind, perhaps with the city it writes from:
# «صحيفة الشرق الأوسط - لندن», «وكالة الأناضول – أنقرة», «موقع الجوهرة أف أم», «قناة العربية».
_OUTLET_KINDS = ("صحيفة", "جريدة", "وكالة", "موقع", "قناة", "إذاعة", "اذاعة", "مجلة", "تلفزيون", "شبكة", "راديو")
_OUTLET_LINE = re.compile(
    r"^\s*(?P<name>(?:"
    + "|".join(_OUTLET_KINDS)
    + r")\s+[^-–/|:.،,«»]{2,40}?)\s*(?:[-–/|]\s*(?P<city>[^-–/|:.،,]{2,25}))?\s*$"
)
_AMBIGUOUS_KINDS = ("موقع", "قناة", "شبكة")
_PAREN_AGENCY = re.compile(r"^\s*\((?P<name>[^()]{2,30})\)\s*$")


@dataclass(frozen=True)
class SourceLine:
    """What a source line says; either part may be missing."""

    outlet: str | None
    agency: str | None


def agency_name(text: str) -> str | None:
    """The canonical agency name if `text` is exactly an agency's name."""
    toks = tuple(terms(text, stemmed=False))
    for seq, name in _AGENCY_SEQS:
        if toks == seq:
            return name
    if toks and toks[0] in ("وكاله", "لوكاله"):
        return agency_name(" ".join(toks[1:]))
    return None


def _clean_name(name: str) -> str:
    return name.strip().strip("«»\"'“”.,:؛،-– ").strip()


def parse_source_line(line: str) -> SourceLine | None:
    """Read a whole line that names the outlet and/or the agency; None if it is not one."""
    words = line.split()
    if not words or len(words) > 8:
        return None
    m = _SOURCE_LINE.match(line)
    if m:
        name = _clean_name(m.group("name"))
        if "/" in name:
            return _split_credit(name) or SourceLine(name, None)
        agency = agency_name(name)
        return SourceLine(None, agency) if agency else SourceLine(name, None)
    m = _GUILLEMET_BYLINE.match(line)
    if m:
        names = _GUILLEMET_ALL.findall(line)
        return SourceLine(_clean_name(names[0]), None)
    m = _PAREN_AGENCY.match(line)
    if m and agency_name(m.group("name")):
        return SourceLine(None, agency_name(m.group("name")))
    if len(words) <= 7 and "/" in line and (credit := _split_credit(line)) is not None:
        return credit  # the agency side must be a known agency
    m = _OUTLET_LINE.match(line)
    # «قناة السويس», «موقع الانفجار»: words that also mean canal or place name an outlet only with a city
    ambiguous = m is not None and m.group("name").split()[0] in _AMBIGUOUS_KINDS and not m.group("city")
    if m and len(m.group("name").split()) <= 5 and not ambiguous:
        name = _clean_name(m.group("name"))
        agency = agency_name(name)
        return SourceLine(None, agency) if agency and not m.group("city") else SourceLine(name, None)
    if len(words) <= 3 and agency_name(line):
        return SourceLine(None, agency_name(line))
    return None


def _split_credit(text: str) -> SourceLine | None:
    """«فرانس24/ رويترز» → outlet فرانس24, agency رويترز."""
    m = _CREDIT_LINE.match(text)
    if not m:
        return None
    outlet, agency = _clean_name(m.group("outlet")), _clean_name(m.group("agency"))
    if not outlet or not agency:
        return None
    canonical = agency_name(agency)
    if canonical is None:
        return None
    return SourceLine(None if agency_name(outlet) else outlet, canonical)


def split_dateline(paragraph: str) -> tuple[str | None, int]:
    """An outlet written as a dateline prefix («المستقلة/- زعم الكرملين…»): (outlet, body start)."""
    m = _DATELINE.match(paragraph)
    if not m:
        return None, 0
    return _clean_name(m.group("name")), m.end()


def agencies_credited(text: str) -> list[str]:
    """Agencies the text credits («وفق وكالة الصحافة الفرنسية»), in order of first credit."""
    toks = terms(text, stemmed=False)
    found: list[str] = []
    i = 0
    while i < len(toks):
        for seq, name in _SEQS_BY_FIRST.get(toks[i], ()):
            if tuple(toks[i : i + len(seq)]) == seq:
                window = toks[max(0, i - _CREDIT_WINDOW) : i]
                if any(w in _CREDIT_WORDS for w in window) and name not in found:
                    found.append(name)
                i += len(seq) - 1
                break
        i += 1
    return found


def byline_outlets(lines: list[str]) -> list[str]:
    """Outlets named in guillemet bylines anywhere on a page, most frequent first."""
    counts: dict[str, int] = {}
    for line in lines:
        if _GUILLEMET_BYLINE.match(line):
            for name in _GUILLEMET_ALL.findall(line):
                name = _clean_name(name)
                counts[name] = counts.get(name, 0) + 1
    return sorted(counts, key=lambda n: -counts[n])
