"""HTML pieces built in Python: highlighted text, snippets, dates, and the SVG timeline.

Everything from the index or the query passes through `escape` here or through Jinja's
autoescaping; only the markup these functions add is trusted.
"""

from __future__ import annotations

from datetime import date

from markupsafe import Markup, escape

from search.answers import arabic_number

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

GROUP_COLOURS = ("#b3261e", "#0b57d0", "#146c2e", "#8e4ec6", "#b06000", "#00796b")
_W, _H = 720, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 70, 20, 20, 60


def _dated_points(groups: list[dict]) -> list[tuple[date, float, float, int, dict]]:
    points = []
    for n, group in enumerate(groups):
        for f in group["figures"]:
            if not f.get("published"):
                continue
            try:
                day = date.fromisoformat(f["published"][:10])
            except ValueError:
                continue
            low = f["value_low"] if f["value_low"] is not None else f["value_high"]
            high = f["value_high"] if f["value_high"] is not None else f["value_low"]
            if low is None or high is None:
                continue
            points.append((day, float(low), float(high), n, f))
    return points


def timeline_svg(groups: list[dict]) -> Markup | None:
    """Each dated figure by publication date (x) and value (y), coloured by group; None under two dates.

    Drawn on the server so it needs no script; <title> elements give the details on hover.
    """
    points = _dated_points(groups)
    if len({p[0] for p in points}) < 2:
        return None
    first, last = min(p[0] for p in points), max(p[0] for p in points)
    span_days = max(1, (last - first).days)
    top_value = max(p[2] for p in points) * 1.1 or 1.0
    plot_w, plot_h = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def x(day: date) -> float:
        return _LEFT + plot_w * (day - first).days / span_days

    def y(value: float) -> float:
        return _TOP + plot_h * (1 - value / top_value)

    parts = [
        Markup(
            '<svg class="timeline" viewBox="0 0 {w} {h}" role="img" direction="ltr" '
            'aria-label="الأرقام بحسب تاريخ النشر" xmlns="http://www.w3.org/2000/svg">'
        ).format(w=_W, h=_H),
        Markup('<line x1="{l}" y1="{b}" x2="{r}" y2="{b}" stroke="#888"/>').format(
            l=_LEFT, r=_W - _RIGHT, b=_TOP + plot_h
        ),
        Markup('<line x1="{l}" y1="{t}" x2="{l}" y2="{b}" stroke="#888"/>').format(l=_LEFT, t=_TOP, b=_TOP + plot_h),
    ]
    for value in (0.0, top_value / 2, top_value / 1.1):
        parts.append(
            Markup('<text x="{x}" y="{y}" font-size="11" text-anchor="end" fill="#444">{t}</text>').format(
                x=_LEFT - 6, y=round(y(value) + 4, 1), t=arabic_number(round(value))
            )
        )
    for day in sorted({first, last}):
        parts.append(
            Markup('<text x="{x}" y="{y}" font-size="11" text-anchor="middle" fill="#444">{t}</text>').format(
                x=round(x(day), 1), y=_TOP + plot_h + 16, t=arabic_date(day.isoformat())
            )
        )
    for day, low, high, n, f in sorted(points, key=lambda p: (p[0], p[3])):
        colour = GROUP_COLOURS[n % len(GROUP_COLOURS)]
        cx = round(x(day), 1)
        tip = f"{f.get('outlet') or '؟'} — {arabic_date(f['published'])} — {arabic_number(low)}"
        if high != low:
            tip += f"–{arabic_number(high)}"
            parts.append(
                Markup('<line x1="{x}" y1="{a}" x2="{x}" y2="{b}" stroke="{c}" stroke-width="4"/>').format(
                    x=cx, a=round(y(low), 1), b=round(y(high), 1), c=colour
                )
            )
        cy = round(y(high if f["qualifier"] == "at_most" else low), 1)
        parts.append(
            Markup('<circle cx="{x}" cy="{y}" r="6" fill="{c}"><title>{t}</title></circle>').format(
                x=cx, y=cy, c=colour, t=tip
            )
        )
        parts.append(
            Markup('<text x="{x}" y="{y}" font-size="11" text-anchor="middle" fill="{c}">{t}</text>').format(
                x=cx, y=round(cy - 10, 1), c=colour, t=f.get("outlet") or ""
            )
        )
    for n, group in enumerate(groups[: len(GROUP_COLOURS)]):
        lx = _LEFT + n * 150
        parts.append(
            Markup(
                '<rect x="{x}" y="{y}" width="10" height="10" fill="{c}"/>'
                '<text x="{tx}" y="{ty}" font-size="12" fill="#222">{t}</text>'
            ).format(x=lx, y=_H - 18, c=GROUP_COLOURS[n], tx=lx + 14, ty=_H - 9, t=group["label"])
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
