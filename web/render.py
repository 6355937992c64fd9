"""HTML pieces built in Python: highlighted text, snippets, dates, and the SVG timeline.

Everything from the index or the query passes through `escape` here or through Jinja's
autoescaping; only the markup these functions add is trusted.
"""

from __future__ import annotations

from datetime import date

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

GROUP_COLOURS = ("#b3261e", "#0b57d0", "#146c2e", "#8e4ec6", "#b06000", "#00796b")
_W = 720
_LABELS = 190  # the outlet column, on the right as Arabic reads
_ROW = 26
_TOP, _AXIS, _LEGEND = 12, 34, 30
_TICKS = 5
_LEGEND_PER_ROW = 3  # group labels per legend row: more would run off the chart


def _dated_points(groups: list[dict]) -> list[tuple[date, int, dict]]:
    points = []
    for n, group in enumerate(groups):
        for f in group["figures"]:
            if not f.get("published"):
                continue
            try:
                day = date.fromisoformat(f["published"][:10])
            except ValueError:
                continue
            points.append((day, n, f))
    return points


def timeline_svg(groups: list[dict]) -> Markup | None:
    """Each dated figure on a row for its outlet, placed by publication date and coloured by its
    group, so an analyst sees which outlet said what when; None when the figures span under two dates.

    Drawn on the server so it needs no script; each point's <title> gives outlet, date and value.
    """
    points = _dated_points(groups)
    if len({p[0] for p in points}) < 2:
        return None
    outlets = list(dict.fromkeys(f.get("outlet") or "؟" for _, _, f in sorted(points, key=lambda p: p[0])))
    first, last = min(p[0] for p in points), max(p[0] for p in points)
    span_days = (last - first).days
    plot_left, plot_right = 50, _W - _LABELS - 40
    legend_rows = (min(len(groups), len(GROUP_COLOURS)) + _LEGEND_PER_ROW - 1) // _LEGEND_PER_ROW
    height = _TOP + _ROW * len(outlets) + _AXIS + _LEGEND * legend_rows

    def x(day: date) -> float:
        return round(plot_left + (plot_right - plot_left) * (day - first).days / span_days, 1)

    def y(outlet: str) -> float:
        return _TOP + _ROW * outlets.index(outlet) + _ROW / 2

    axis_y = _TOP + _ROW * len(outlets) + 4
    parts = [
        Markup(
            '<svg class="timeline" viewBox="0 0 {w} {h}" role="img" direction="ltr" '
            'aria-label="الأرقام بحسب تاريخ النشر والمصدر" xmlns="http://www.w3.org/2000/svg">'
        ).format(w=_W, h=height),
    ]
    for outlet in outlets:
        row = y(outlet)
        parts.append(
            Markup(
                '<line x1="{a}" y1="{y}" x2="{b}" y2="{y}" stroke="#e3e3e3"/>'
                '<text x="{t}" y="{ty}" font-size="12" text-anchor="start" fill="#333" direction="rtl">{o}</text>'
            ).format(a=plot_left, b=plot_right, y=row, t=_W - 6, ty=row + 4, o=outlet)
        )
    parts.append(
        Markup('<line x1="{a}" y1="{y}" x2="{b}" y2="{y}" stroke="#888"/>').format(a=plot_left, b=plot_right, y=axis_y)
    )
    ticks = (
        sorted({first + (last - first) * i // (_TICKS - 1) for i in range(_TICKS)}) if span_days >= 4 else [first, last]
    )
    for day in ticks:
        parts.append(
            Markup(
                '<line x1="{x}" y1="{a}" x2="{x}" y2="{b}" stroke="#888"/>'
                '<text x="{x}" y="{ty}" font-size="11" text-anchor="middle" fill="#444" direction="rtl">{t}</text>'
            ).format(x=x(day), a=axis_y, b=axis_y + 4, ty=axis_y + 17, t=arabic_date(day.isoformat()))
        )
    placed: dict[tuple[float, float], int] = {}
    for day, n, f in sorted(points, key=lambda p: (p[0], p[1])):
        colour = GROUP_COLOURS[n % len(GROUP_COLOURS)]
        tip = f"{f.get('outlet') or '؟'} — {arabic_date(f['published'])} — {groups[n]['label']}"
        if f.get("claimant"):
            tip += f" — بحسب {f['claimant']}"
        cx, cy = x(day), y(f.get("outlet") or "؟")
        slot = (cy, round(cx / 12))
        cx += 12 * placed.get(slot, 0)  # points of one outlet on the same days stand side by side
        placed[slot] = placed.get(slot, 0) + 1
        parts.append(
            Markup(
                '<circle cx="{x}" cy="{y}" r="6" fill="{c}" stroke="#fff" stroke-width="1.5">'
                "<title>{t}</title></circle>"
            ).format(x=cx, y=cy, c=colour, t=tip)
        )
    legend_top = _TOP + _ROW * len(outlets) + _AXIS
    for n, group in enumerate(groups[: len(GROUP_COLOURS)]):
        lx = plot_right - (n % _LEGEND_PER_ROW) * 160
        legend_y = legend_top + _LEGEND * (n // _LEGEND_PER_ROW) + 18
        parts.append(
            Markup(
                '<circle cx="{x}" cy="{y}" r="6" fill="{c}"/>'
                '<text x="{tx}" y="{ty}" font-size="12" text-anchor="start" fill="#222" direction="rtl">{t}</text>'
            ).format(x=lx, y=legend_y - 4, c=GROUP_COLOURS[n], tx=lx - 10, ty=legend_y, t=group["label"])
        )
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
