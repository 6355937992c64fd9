"""Turn the lines of a scraped news page into clean articles.

A scraped page mixes the article with navigation, repeated titles and photo
captions, "related articles" teasers, comments, share prompts and footers, and
sometimes a second full article. We classify each line, cut the page at zone
markers («مقالات ذات صلة», «اقرأ أيضاً», «التعليقات»…) and source lines
(«المصدر: RT», «الشرق الأوسط» (واشنطن)), and keep runs of body paragraphs:

- the first run of the page is the main article;
- a run after a zone marker is an article only with a header (a title repeated
  as pages print it, or a title followed by a date line) and at least two
  paragraphs of real length, which teasers and comments do not have.

Each article keeps its title, date line, outlet and credited agency.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import Enum

from indexer.sources import SourceLine, agencies_credited, byline_outlets, parse_source_line, split_dateline
from search.arabic import normalize
from search.dates import find_dates


class Kind(Enum):
    BODY = "body"
    SHORT = "short"  # a short line: title, subhead, menu item, teaser headline
    CAPTION = "caption"
    DATE = "date"
    SOURCE = "source"
    MARKER = "marker"  # starts a related/teaser zone
    COMMENTS = "comments"  # starts a comment zone
    JUNK = "junk"


BODY_MIN_WORDS = 12  # with a sentence end; a line of 12-24 words without one reads as a headline
BODY_UNPUNCTUATED_WORDS = 25
ZONE_ARTICLE_MIN_PARAGRAPHS = 2
ZONE_ARTICLE_MIN_WORDS = 60
_TITLE_MAX_WORDS = 30
_REPEAT_WINDOW = 8

_ARABIC = re.compile(r"[\u0621-\u064a]")
_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06f0-\u06f9]")
_SENTENCE_END = re.compile(r"[.!؟?…»\"”]\s*$")


def _phrases(*items: str) -> tuple[str, ...]:
    return tuple(normalize(i) for i in items)


_ZONE_PHRASES = _phrases(
    "مقالات ذات صلة",
    "مقالات ذات علاقة",
    "اقرأ أيضا",
    "اقرأ أيضاً",
    "إقرأ أيضاً",
    "اقرأ المزيد",
    "أخبار ذات صلة",
    "مواضيع ذات صلة",
    "موضوعات ذات صلة",
    "قد يعجبك أيضا",
    "قد يهمك",
    "قد يهمك أيضا",
    "الأكثر قراءة",
    "الأكثر مشاهدة",
    "اخترنا لك",
    "شاهد أيضا",
    "المزيد من الأخبار",
    "كلمات دلالية",
    "الكلمات المفتاحية",
    "الوسوم",
    "وسوم",
    "related",
    "read more",
    "read also",
    "more stories",
    "tags",
)
_COMMENT_PHRASES = _phrases(
    "التعليقات",
    "تعليقات",
    "تعليقات القراء",
    "اترك تعليقا",
    "اترك تعليقاً",
    "أضف تعليقا",
    "أضف تعليقك",
    "أضف تعليق",
    "comments",
    "leave a reply",
    "leave a comment",
)
_JUNK_PHRASES = _phrases(
    "شارك",
    "شارك هذا",
    "شارك المقال",
    "شارك الخبر",
    "share",
    "اشترك",
    "تابعونا",
    "تابعنا",
    "حمل التطبيق",
    "جميع الحقوق محفوظة",
    "حقوق النشر",
    "اكتشاف المزيد من",
    "continue reading",
    "لن يتم نشر عنوان بريدك",
    "النشرة البريدية",
    "نشرتنا البريدية",
    "سجل الدخول",
    "تسجيل الدخول",
    "الصفحة الرئيسية",
    "إعلان",
    "advertisement",
)
_CAPTION_CREDIT_WORDS = set(
    _phrases(
        "رويترز",
        "أرشيفية",
        "أرشيف",
        "غيتي",
        "صورة",
        "الصورة",
        "متداولة",
        "إكس",
        "getty",
        "afp",
        "ap",
        "epa",
        "reuters",
        "الأوسط",
        "الشرق",
        "فيسبوك",
        "تويتر",
        "وكالات",
        "واس",
        "سانا",
        "الأناضول",
    )
)
_ABBREVIATION = re.compile(r"^[\u0621-\u064aA-Za-z](?:[.\s]+[\u0621-\u064aA-Za-z]){1,3}\.?$")
_TRAILING_PAREN = re.compile(r"\(([^()]{1,50})\)\s*$")
_READING_TIME = re.compile(r"^\d+\s*(?:دقائق|دقيقة|دقيقه|min|mins|minutes|خبر|تعليق|تعليقات|مشاهدة|views?)$", re.I)
_BULLET = re.compile(r"^[•·▪◦●\-–*|>»]\s*")
_DATE_LABELS = re.compile(
    r"تاريخ النشر|نشر في|نشرت في|نشر بتاريخ|اخر تحديث|تحديث|بتوقيت|published|updated|posted|last|on|gmt|utc|am|pm"
    r"|الاحد|الاثنين|الثلاثاء|الاربعاء|الخميس|الجمعه|السبت|sunday|monday|tuesday|wednesday|thursday|friday|saturday"
    r"|\d{1,2}:\d{2}(?::\d{2})?|[\W_]+"
)
_INLINE_TAIL_MARKER = re.compile(r"\s*(?:أخبار ذات صلة|مقالات ذات صلة|اقرأ أيضاً?|إقرأ أيضاً?|اقرأ المزيد)\s*:?\s*$")


@dataclass
class Line:
    text: str
    kind: Kind
    words: int
    source: SourceLine | None = None
    dates: list[date] = field(default_factory=list)


@dataclass
class Article:
    """One article found on a page."""

    title: str | None
    paragraphs: list[str]
    published: date | None = None
    outlet: str | None = None
    agency: str | None = None
    date_estimated: bool = False  # no date printed for the article: `published` read off the page (estimate_date)

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


def _starts_with_phrase(norm: str, phrases: tuple[str, ...]) -> bool:
    return any(norm == p or norm.startswith(p + " ") or norm.startswith(p + ":") for p in phrases)


def _is_caption(text: str) -> bool:
    m = _TRAILING_PAREN.search(text)
    if not m:
        return False
    inner = m.group(1).strip()
    if _ABBREVIATION.match(inner):
        return True
    inner_words = set(normalize(inner).replace("-", " ").split())
    return len(inner.split()) <= 6 and bool(inner_words & _CAPTION_CREDIT_WORDS)


def _is_date_line(text: str, norm: str) -> list[date]:
    matches = find_dates(text)
    if not matches:
        return []
    rest = text
    for m in reversed(matches):
        rest = rest[: m.start] + " " + rest[m.end :]
    leftover = _DATE_LABELS.sub(" ", normalize(rest).lower()).split()
    return [m.value for m in matches] if len(leftover) <= 2 else []


def classify(text: str) -> Line:
    """What one stripped, non-empty line of a page is."""
    text = _strip_tail_marker(text) or text
    norm = normalize(text).lower()
    words = len(text.split())
    bare = _BULLET.sub("", norm).strip(" :.-–|")
    if words <= 8 and _starts_with_phrase(bare, _COMMENT_PHRASES):
        return Line(text, Kind.COMMENTS, words)
    if words <= 10 and _starts_with_phrase(bare, _ZONE_PHRASES):
        return Line(text, Kind.MARKER, words)
    source = parse_source_line(text)
    if source is not None:
        return Line(text, Kind.SOURCE, words, source=source)
    dates = _is_date_line(text, norm) if words <= 14 and _DIGIT.search(text) else []
    if dates:
        return Line(text, Kind.DATE, words, dates=dates)
    if _is_caption(text):
        return Line(text, Kind.CAPTION, words)
    has_arabic = bool(_ARABIC.search(text))
    if (
        (not has_arabic and words <= 4)
        or (words <= 6 and text.rstrip().endswith(":"))
        or _READING_TIME.match(norm)
        or (words <= 15 and _starts_with_phrase(bare, _JUNK_PHRASES))
        or "©" in text
        or (words < 3 and not _SENTENCE_END.search(text))
    ):
        return Line(text, Kind.JUNK, words)
    ends_sentence = bool(_SENTENCE_END.search(text))
    if (
        words >= BODY_UNPUNCTUATED_WORDS
        or (words >= BODY_MIN_WORDS and ends_sentence)
        or (words >= 5 and ends_sentence and not _BULLET.match(text))
    ):
        return Line(text, Kind.BODY, words)
    return Line(text, Kind.SHORT, words)


def page_lines(text: str) -> list[str]:
    """Non-empty lines of a page with whitespace collapsed."""
    out = []
    for raw in text.splitlines():
        line = " ".join(raw.split())
        if line:
            out.append(line)
    return out


def _is_title_like(line: Line) -> bool:
    return (
        line.kind in (Kind.SHORT, Kind.BODY)
        and 2 <= line.words <= _TITLE_MAX_WORDS
        and not line.text.endswith((".", ":", "،"))
        and bool(_ARABIC.search(line.text))
    )


def _header_evidence(lines: list[Line], title_at: int, stop: int) -> bool:
    """A title repeated shortly after itself, or followed by a date line: how pages print articles."""
    title = lines[title_at].text
    for j in range(title_at + 1, min(stop, title_at + 1 + _REPEAT_WINDOW)):
        if lines[j].text == title:
            return True
        if lines[j].kind is Kind.DATE and j <= title_at + 2:
            return True
    return False


def _find_title(lines: list[Line], first_body: int, floor: int) -> int | None:
    """The title of an article: the nearest title-like line above its first paragraph."""
    for j in range(first_body - 1, floor - 1, -1):
        line = lines[j]
        if line.kind in (Kind.CAPTION, Kind.JUNK, Kind.DATE, Kind.SOURCE):
            continue  # «صحيفة … - مدينة» and date lines sit between a title and its body
        if _is_title_like(line):
            # A title printed twice: take the first print, which sits above any standfirst.
            for k in range(max(floor, j - _REPEAT_WINDOW), j):
                if lines[k].text == line.text:
                    return k
            return j
        if line.kind is Kind.BODY:
            continue
        return None
    return None


@dataclass
class _Span:
    title_at: int | None
    first_body: int
    last_body: int
    end: int  # exclusive: the boundary line that closed the segment, or len(lines)
    in_zone: bool
    floor: int  # first line of the segment (or of the cut) the article was found in


def _segments(lines: list[Line]) -> list[tuple[int, int, bool]]:
    """(start, end, in_zone) runs between boundaries; a boundary only counts once something preceded it."""
    out = []
    start = 0
    in_zone = False
    seen_body = False
    for i, line in enumerate(lines):
        if line.kind is Kind.BODY:
            seen_body = True
        boundary = line.kind in (Kind.MARKER, Kind.COMMENTS) or (line.kind is Kind.SOURCE and seen_body)
        if boundary:
            out.append((start, i, in_zone))
            start = i + 1
            in_zone = True
    out.append((start, len(lines), in_zone))
    return out


def _spans(lines: list[Line]) -> list[_Span]:
    spans: list[_Span] = []
    for start, end, in_zone in _segments(lines):
        body = [i for i in range(start, end) if lines[i].kind is Kind.BODY]
        if not body:
            continue
        # A header with evidence inside the segment starts a new article there.
        cuts = [body[0]]
        for i in body[1:]:
            t = _find_title(lines, i, cuts[-1] + 1)
            if t is not None and t > cuts[-1] and _header_evidence(lines, t, i + 1):
                cuts.append(i)
        for n, first in enumerate(cuts):
            last_candidates = [b for b in body if b >= first and (n + 1 == len(cuts) or b < cuts[n + 1])]
            floor = start if n == 0 else cuts[n - 1] + 1
            title_at = _find_title(lines, first, floor)
            stop = cuts[n + 1] if n + 1 < len(cuts) else end
            spans.append(_Span(title_at, first, last_candidates[-1], stop, in_zone or n > 0, floor))
    return spans


def _accept(lines: list[Line], span: _Span) -> bool:
    if not span.in_zone:
        return True
    if span.title_at is None or not _header_evidence(lines, span.title_at, span.first_body + 1):
        return False
    body = [lines[i] for i in range(span.first_body, span.last_body + 1) if lines[i].kind is Kind.BODY]
    return len(body) >= ZONE_ARTICLE_MIN_PARAGRAPHS and sum(b.words for b in body) >= ZONE_ARTICLE_MIN_WORDS


def _strip_tail_marker(paragraph: str) -> str:
    return _INLINE_TAIL_MARKER.sub("", paragraph).rstrip()


_LENIENT_MIN_WORDS = 8


def _build_article(lines: list[Line], span: _Span, page_outlets: list[str], use_title: bool) -> Article:
    """With use_title False (a feed record: no navigation, the title is a field), lines of
    eight words or more around the body are kept too: feeds often drop the final full stop."""
    title = lines[span.title_at].text if (use_title and span.title_at is not None) else None
    seen = {title} if title else set()
    paragraphs: list[str] = []
    outlet = agency = None
    header_from = span.title_at if span.title_at is not None else span.first_body
    published = next(
        (lines[j].dates[0] for j in range(header_from, span.last_body + 1) if lines[j].kind is Kind.DATE), None
    )
    if use_title:
        standfirst = range(span.title_at + 1, span.first_body) if span.title_at is not None else range(0)
        before = [j for j in standfirst if lines[j].kind is Kind.SHORT and lines[j].words >= _LENIENT_MIN_WORDS]
        after: list[int] = []
    else:
        before = [j for j in range(span.floor, span.first_body) if lines[j].words >= _LENIENT_MIN_WORDS]
        after = [j for j in range(span.last_body + 1, span.end) if lines[j].words >= _LENIENT_MIN_WORDS]
    for j in [*before, *range(span.first_body, span.last_body + 1), *after]:
        line = lines[j]
        if line.kind is Kind.SOURCE and line.source:
            outlet = outlet or line.source.outlet
            agency = agency or line.source.agency
            continue
        keep = line.kind is Kind.BODY or (line.kind is Kind.SHORT and line.words >= 3)
        if not keep or line.text in seen:
            continue
        seen.add(line.text)
        text = _strip_tail_marker(line.text)
        if not paragraphs:
            dateline_outlet, cut = split_dateline(text)
            if dateline_outlet:
                outlet = outlet or dateline_outlet
                text = text[cut:]
        if text:
            paragraphs.append(text)
    # Lines after the last paragraph up to the boundary: short closing sentences and source lines.
    for j in range(span.last_body + 1, min(len(lines), span.end + 1)):
        line = lines[j]
        if line.kind is Kind.SOURCE and line.source:
            outlet = outlet or line.source.outlet
            agency = agency or line.source.agency
    if outlet is None and page_outlets:
        outlet = page_outlets[0]
    if agency is None:
        credited = agencies_credited("\n".join(paragraphs))
        agency = "، ".join(credited) if credited else None
    estimated = published is None
    if estimated:
        published = estimate_date(lines[span.floor : span.end], paragraphs)
    return Article(title, paragraphs, published, outlet, agency, estimated and published is not None)


_UPDATED = re.compile(r"(?:آخر|اخر)\s+تحديث|تم التحديث|updated|last modified", re.IGNORECASE)
_LEDE_PARAGRAPHS = 2


def estimate_date(lines: list[Line], paragraphs: list[str]) -> date | None:
    """A publication date for an article whose page prints none beside it: the latest full date
    among the article's own other date lines («آخر تحديث: …», a date under the body), its dated
    captions, and its lede (an article reports the latest day it names). None when it names
    no full date; callers mark what this returns as estimated, never as printed."""
    found: list[date] = []
    for line in lines:
        if line.kind is Kind.DATE:
            found.extend(line.dates)
        elif line.kind is Kind.CAPTION or _UPDATED.search(line.text):
            found.extend(m.value for m in find_dates(line.text))
    for paragraph in paragraphs[:_LEDE_PARAGRAPHS]:
        found.extend(m.value for m in find_dates(paragraph))
    return max(found) if found else None


def _demote_repeated_headlines(lines: list[Line]) -> None:
    """A long line printed twice without a full stop is a headline, not a paragraph."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.text] = counts.get(line.text, 0) + 1
    for line in lines:
        repeated_headline = counts[line.text] > 1 and line.words <= _TITLE_MAX_WORDS
        if line.kind is Kind.BODY and repeated_headline and not line.text.rstrip().endswith((".", "؟", "?", "!")):
            line.kind = Kind.SHORT


def split_page(text: str, *, use_titles: bool = True) -> list[Article]:
    """The articles on a scraped page, cleaned of boilerplate, in page order."""
    lines = [classify(t) for t in page_lines(text)]
    if not lines:
        return []
    _demote_repeated_headlines(lines)
    page_outlets = byline_outlets([line.text for line in lines])
    page_outlets += [ln.source.outlet for ln in lines if ln.kind is Kind.SOURCE and ln.source and ln.source.outlet]
    spans = _spans(lines)
    accepted = [s for s in spans if _accept(lines, s)]
    if not accepted and spans:
        # No clear main article (e.g. a marker above it): keep the run with the most body text.
        accepted = [max(spans, key=lambda s: sum(lines[i].words for i in range(s.first_body, s.last_body + 1)))]
    articles = [_build_article(lines, s, page_outlets, use_titles) for s in accepted]
    return [a for a in articles if a.paragraphs]
