"""HTML pieces built in Python: highlighted text, snippets, dates, and the SVG timeline.

Everything from the index or the query passes through `escape` here or through Jinja's
autoescaping; only the markup these functions add is trusted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from markupsafe import Markup, escape

SNIPPET_CHARS = 420

_MONTHS = "يناير فبراير مارس أبريل مايو يونيو يوليو أغسطس سبتمبر أكتوبر نوفمبر ديسمبر".split()


def marked(text: str, spans: list[list[int]] | list[tuple[int, int]], css: str = "") -> Markup:
    """`text` escaped, with each [start, end) span wrapped in <mark>."""
    attr = Markup(' class="{}"').format(css) if css else Markup("")
    out: list[Markup] = []
    last = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if start < last or end <= start:
            continue  # overlapping or empty: keep the first
        out.append(escape(text[last:start]))
        out.append(Markup("<mark{}>{}</mark>").format(attr, text[start:end]))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)


def snippet(text: str, spans: list[list[int]], width: int = SNIPPET_CHARS) -> Markup:
    """The passage, or a window of it around its first match, cut at spaces, with matches marked."""
    if len(text) <= width:
        return marked(text, spans)
    first = spans[0][0] if spans else 0
    begin = max(0, first - width // 4)
    if begin:
        space = text.find(" ", begin)
        begin = space + 1 if 0 <= space < first else begin
    end = min(len(text), begin + width)
    if end < len(text):
        space = text.rfind(" ", begin, end)
        end = space if space > begin else end
    inside = [[s - begin, e - begin] for s, e in spans if s >= begin and e <= end]
    body = marked(text[begin:end], inside)
    return Markup("{}{}{}").format("… " if begin else "", body, " …" if end < len(text) else "")


def arabic_date(value: str | None) -> str:
    """«2024-10-31» → «31 أكتوبر 2024»; undated stays empty."""
    if not value:
        return ""
    try:
        day = date.fromisoformat(value[:10])
    except ValueError:
        return value
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


# ---------------------------------------------------------------- timeline

_LANE = 46  # one lane per group: its value written above its points
_TOP = 4
_AXIS = 34
_PLOT = (4.0, 78.0)  # where dated points go, in % of the chart's width (time runs left to right)
_UNDATED = (86.0, 97.0)  # the «بلا تاريخ» column
# points of one lane closer than this (% of the width: 22 px on a 320 px phone) are drawn as one, the
# number of figures written on it, so that no point hides another at any width
_NEAR = 7.0
_LANE_FONT, _AXIS_FONT, _COUNT_FONT = 13, 12, 12  # CSS px: no viewBox, so text never shrinks with the chart


class _Lane(Protocol):
    label: str
    css: str
    colour: str
    figures: list[dict]


@dataclass
class Timeline:
    svg: Markup
    points: list[dict]  # the same points as a list: what a tap or a screen reader gets
    undated: bool


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def timeline_svg(groups: Sequence[_Lane]) -> Timeline | None:
    """One lane per group, its value written on it; each figure placed by publication date, the
    undated ones in a «بلا تاريخ» column of their own; figures of a lane too close to tell apart are
    one point with their number on it. None without two figures and one date.

    Coordinates are percentages of the chart's width and text sizes CSS pixels (no viewBox), so
    the chart fills a phone's width without its text shrinking below a readable size.
    """
    figures = [(n, f, _day(f.get("published"))) for n, g in enumerate(groups) for f in g.figures]
    days = sorted({d for _, _, d in figures if d})
    if len(figures) < 2 or not days:
        return None
    first, last = days[0], days[-1]
    span = (last - first).days
    undated = any(d is None for _, _, d in figures)

    def x(day: date | None) -> float:
        if day is None:
            return (_UNDATED[0] + _UNDATED[1]) / 2
        if not span:
            return (_PLOT[0] + _PLOT[1]) / 2
        return round(_PLOT[0] + (_PLOT[1] - _PLOT[0]) * (day - first).days / span, 2)

    height = _TOP + _LANE * len(groups) + _AXIS
    axis_y = _TOP + _LANE * len(groups) + 4
    parts = [
        Markup(
            '<svg class="timeline" width="100%" height="{h}" role="img" direction="ltr" '
            'aria-label="الأرقام بحسب تاريخ النشر، صفّ لكل تقدير" xmlns="http://www.w3.org/2000/svg">'
        ).format(h=height)
    ]
    for n, group in enumerate(groups):
        top = _TOP + _LANE * n
        parts.append(
            Markup(
                '<text x="99%" y="{ty}" font-size="{fs}" font-weight="700" text-anchor="start" direction="rtl" '
                'fill="{c}">{label}</text>'
                '<line x1="{a}%" y1="{ly}" x2="{b}%" y2="{ly}" stroke="#dadce0"/>'
            ).format(
                ty=top + 15, fs=_LANE_FONT, c=group.colour, label=group.label, a=_PLOT[0], b=_UNDATED[1], ly=top + 31
            )
        )
    parts.append(
        Markup('<line x1="{a}%" y1="{y}" x2="{b}%" y2="{y}" stroke="#5f6368"/>').format(
            a=_PLOT[0], b=_PLOT[1], y=axis_y
        )
    )
    # right-to-left text: "end" is its left edge, so the first date reads rightwards from the axis' start
    ticks = [(first, "end", _PLOT[0]), (last, "start", _PLOT[1])] if span else [(first, "middle", x(first))]
    for tick, anchor, at in ticks:
        parts.append(
            Markup(
                '<text x="{x}%" y="{y}" font-size="{fs}" text-anchor="{a}" fill="#3c4043" direction="rtl">{t}</text>'
            ).format(x=at, y=axis_y + 18, fs=_AXIS_FONT, a=anchor, t=arabic_date(tick.isoformat()))
        )
    if undated:
        parts.append(
            Markup(
                '<line x1="{d}%" y1="{t}" x2="{d}%" y2="{b}" stroke="#9aa0a6" stroke-dasharray="3 3"/>'
                '<text x="{m}%" y="{y}" font-size="{fs}" text-anchor="middle" fill="#3c4043">بلا تاريخ</text>'
            ).format(
                d=(_PLOT[1] + _UNDATED[0]) / 2,
                t=_TOP,
                b=axis_y,
                m=(_UNDATED[0] + _UNDATED[1]) / 2,
                y=axis_y + 18,
                fs=_AXIS_FONT,
            )
        )
    points: list[dict] = []
    clusters: dict[tuple[int, float], list[str]] = {}  # (lane, x of its first point) -> the tips it holds
    for n, f, day in sorted(figures, key=lambda p: (p[2] or date.max, p[0])):
        when = arabic_date(f["published"]) if day else "بلا تاريخ"
        if day and f.get("date_estimated"):
            when += " (تاريخ تقديري)"
        outlet = f.get("outlet") or "مصدر غير معروف"
        points.append(
            {
                "label": groups[n].label,
                "css": groups[n].css,
                "outlet": outlet,
                "date": when,
                "claimant": f.get("claimant"),
            }
        )
        at = x(day)  # dated points come in time order: each joins the first point of its lane near it
        start = next((a for (lane, a) in clusters if lane == n and abs(at - a) < _NEAR), at)
        tip = f"{outlet} — {when}" + (f" — يقوله: {f['claimant']}" if f.get("claimant") else "")
        clusters.setdefault((n, start), []).append(tip)
    for (n, at), tips in clusters.items():
        group, y = groups[n], _TOP + _LANE * n + 31
        many = len(tips) > 1
        parts.append(
            Markup(
                '<circle cx="{x}%" cy="{y}" r="{r}" fill="{c}" stroke="#fff" stroke-width="1.5" data-figures="{k}">'
                "<title>{tip}</title></circle>"
            ).format(
                x=at, y=y, r=10 if many else 7, c=group.colour, k=len(tips), tip=f"{group.label}: " + "؛ ".join(tips)
            )
        )
        if many:  # how many figures the point stands for, written on it
            parts.append(
                Markup(
                    '<text x="{x}%" y="{y}" font-size="{fs}" font-weight="700" text-anchor="middle" '
                    'dominant-baseline="central" fill="#fff" aria-hidden="true">{k}</text>'
                ).format(x=at, y=y, fs=_COUNT_FONT, k=len(tips))
            )
    parts.append(Markup("</svg>"))
    return Timeline(Markup("").join(parts), points, undated)
