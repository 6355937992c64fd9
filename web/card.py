"""What the answer card says, in words and colours, computed once from an answer dict.

The banner names the values it contrasts and says whose evidence it rests on (one outlet
under a filter is not «the sources»); each group gets a colour chosen from its value, so the
same estimate keeps its colour when a filter or a page changes the groups' order; the summary
gives every group at a glance: value, claimants, the outlets that reported it, its dates.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from web.counting import DIFFERENT, ESTIMATE, INDEPENDENT, REPORT, SOURCE, count, joined
from web.render import arabic_date

# Group colours: none is the conflict red or the agreed green, so a colour never reads as a state.
# All reach 4.5:1 against white, so they can carry text too.
GROUP_COLOURS = ("#0b57d0", "#8e24aa", "#a14c00", "#00695c", "#ad1457", "#4e5d78")
AGREED_SLOT = -1  # the one group of an agreed answer takes the state's green
CLAIMANTS_SHOWN = 2  # names in the summary line before «و3 جهات أخرى»

UNDATED = "بلا تاريخ"
ESTIMATED = "تاريخ تقديري"


@dataclass
class GroupView:
    label: str
    unit: str | None
    slot: int  # index into GROUP_COLOURS, or AGREED_SLOT
    claimants: list[str]
    outlets: list[str]
    independent: int
    claimants_line: str
    reported_line: str
    dates: str
    undated: int
    figures: list[dict] = field(default_factory=list)

    @property
    def colour(self) -> str:
        return "#146c2e" if self.slot == AGREED_SLOT else GROUP_COLOURS[self.slot]

    @property
    def css(self) -> str:
        return "agreed" if self.slot == AGREED_SLOT else f"c{self.slot}"


@dataclass
class Card:
    status: str
    banner: str
    groups: list[GroupView]


def _value_key(group: dict) -> str:
    return f"{group.get('value_low')}|{group.get('value_high')}|{group.get('unit') or ''}"


def colour_slots(groups: list[dict]) -> list[int]:
    """A colour per group from a hash of its value (not its rank): stable across filters and
    pages. Two values on one slot: the smaller value keeps it, the other takes the next free one."""
    slots: dict[int, int] = {}
    taken: set[int] = set()
    by_value = sorted(range(len(groups)), key=lambda n: (groups[n].get("value_low") or 0, _value_key(groups[n])))
    for n in by_value:
        slot = zlib.crc32(_value_key(groups[n]).encode()) % len(GROUP_COLOURS)
        for step in range(len(GROUP_COLOURS)):
            if (slot + step) % len(GROUP_COLOURS) not in taken:
                slot = (slot + step) % len(GROUP_COLOURS)
                break
        taken.add(slot)
        slots[n] = slot
    return [slots[n] for n in range(len(groups))]


def date_span(first: str | None, last: str | None) -> str:
    if not first:
        return ""
    if not last or last[:10] == first[:10]:
        return arabic_date(first)
    return f"{arabic_date(first)} – {arabic_date(last)}"


def claimants_line(claimants: list[str], limit: int | None = CLAIMANTS_SHOWN) -> str:
    """Who says it, nominative after «يقوله» (so «مسؤولو» stays as the sentence wrote it)."""
    if not claimants:
        return "لم تُنسبه المصادر إلى قائل"
    return "يقوله: " + joined(claimants, limit)


def reported_line(outlets: list[str], independent: int) -> str:
    """The outlets that printed it ("reported by"), counted, and how many of them are independent."""
    if not outlets:
        return "لم يرد إلا في خبر ينفيه"
    line = "ورد في " + count(len(outlets), SOURCE, genitive=True)
    if len(outlets) > 1:
        if independent >= len(outlets):
            line = "ورد في " + count(len(outlets), SOURCE, INDEPENDENT, genitive=True)
        elif independent >= 1:
            line += f" ({count(independent, REPORT, INDEPENDENT)})"
    return line


def banner(status: str, groups: list[dict]) -> str:
    """The card's first line: the state, on whose evidence, and the values it contrasts."""
    outlets = list(dict.fromkeys(o for g in groups for o in g.get("outlets") or []))
    if status == "conflict":
        labels = [g["label"] for g in groups]
        values = " مقابل ".join(labels) if len(labels) == 2 else joined(labels)
        where = "بين المصادر" if len(outlets) != 1 else f"في مصدر واحد ({outlets[0]})"
        return f"الأرقام متضاربة {where}: {count(len(groups), ESTIMATE, DIFFERENT)}: {values}"
    if status == "agreed":
        value = groups[0]["label"]
        if len(outlets) > 1:
            return f"المصادر متفقة: {value}، ورد في {count(len(outlets), SOURCE, genitive=True)}"
        if outlets:
            return f"رقم واحد: {value}، ورد في مصدر واحد ({outlets[0]})"
        return f"رقم واحد: {value}"
    return "لم نجد في المقاطع رقماً يجيب عن هذا السؤال."


def card(result: dict) -> Card:
    groups = result.get("groups") or []
    status = result.get("status", "")
    slots = [AGREED_SLOT] if status == "agreed" else colour_slots(groups)
    views = []
    for group, slot in zip(groups, slots, strict=False):
        figures = group.get("figures") or []
        views.append(
            GroupView(
                label=group["label"],
                unit=group.get("unit") if group.get("unit") != "%" else None,
                slot=slot,
                claimants=list(group.get("claimants") or []),
                outlets=list(group.get("outlets") or []),
                independent=int(group.get("independent_reports") or 0),
                claimants_line=claimants_line(group.get("claimants") or []),
                reported_line=reported_line(group.get("outlets") or [], int(group.get("independent_reports") or 0)),
                dates=date_span(group.get("first_published"), group.get("last_published")),
                undated=sum(1 for f in figures if not f.get("published")),
                figures=figures,
            )
        )
    return Card(status, banner(status, groups), views)
