"""Arabic number agreement (web/counting.py) and the answer card's words and colours (web/card.py)."""

from __future__ import annotations

import pytest

from web.card import GROUP_COLOURS, banner, colour_slots, reported_line
from web.counting import CLAIMANT, DIFFERENT, ESTIMATE, INDEPENDENT, OTHER, PASSAGE, SOURCE, count, joined


@pytest.mark.parametrize(
    ("n", "nominative", "genitive"),
    [
        (1, "مصدر واحد", "مصدر واحد"),
        (2, "مصدران", "مصدرين"),
        (3, "3 مصادر", "3 مصادر"),
        (10, "10 مصادر", "10 مصادر"),
        (11, "11 مصدراً", "11 مصدراً"),
        (99, "99 مصدراً", "99 مصدراً"),
        (100, "100 مصدر", "100 مصدر"),
        (103, "103 مصادر", "103 مصادر"),
        (111, "111 مصدراً", "111 مصدراً"),
        (2000, "2000 مصدر", "2000 مصدر"),
    ],
)
def test_a_counted_noun_takes_the_form_its_number_calls_for(n: int, nominative: str, genitive: str) -> None:
    assert count(n, SOURCE) == nominative
    assert count(n, SOURCE, genitive=True) == genitive


def test_adjectives_agree_and_feminine_nouns_take_feminine_one() -> None:
    assert count(2, ESTIMATE, DIFFERENT) == "تقديران مختلفان"
    assert count(3, ESTIMATE, DIFFERENT) == "3 تقديرات مختلفة"
    assert count(12, ESTIMATE, DIFFERENT) == "12 تقديراً مختلفاً"
    assert count(2, SOURCE, INDEPENDENT, genitive=True) == "مصدرين مستقلين"
    assert count(1, CLAIMANT) == "جهة واحدة"
    assert count(1, PASSAGE, OTHER, say_one=False) == "مقطع آخر"
    assert count(2, PASSAGE, OTHER) == "مقطعان آخران"
    with pytest.raises(ValueError):
        count(-1, SOURCE)


def test_lists_join_with_waw_and_count_what_they_leave_out() -> None:
    assert joined(["أ"]) == "أ"
    assert joined(["أ", "ب"]) == "أ وب"
    assert joined(["أ", "ب", "ج"], 2) == "أ، ب وج"  # one more name is shorter than «وجهة أخرى»
    assert joined(["أ", "ب", "ج", "د"], 2) == "أ، ب وجهتان أخريان"
    assert joined(["أ", "ب", "ج", "د", "هـ"], 2) == "أ، ب و3 جهات أخرى"


def _group(label: str, low: int, outlets: list[str]) -> dict:
    return {"label": label, "value_low": low, "value_high": low, "unit": "جندي", "outlets": outlets}


def test_the_banner_names_the_values_and_whose_evidence_it_is() -> None:
    ten, eleven = _group("نحو 10 آلاف", 10000, ["أ", "ب"]), _group("حتى 11 ألفاً", 11000, ["ج"])
    assert banner("conflict", [ten, eleven]) == (
        "الأرقام متضاربة بين المصادر: تقديران مختلفان: نحو 10 آلاف مقابل حتى 11 ألفاً"
    )
    three = [ten, eleven, _group("12 ألفاً", 12000, ["د"])]
    assert banner("conflict", three).endswith("3 تقديرات مختلفة: نحو 10 آلاف، حتى 11 ألفاً و12 ألفاً")
    one_outlet = [_group("نحو 10 آلاف", 10000, ["أ"]), _group("حتى 11 ألفاً", 11000, ["أ"])]
    assert banner("conflict", one_outlet).startswith("الأرقام متضاربة في مصدر واحد (أ)")
    assert banner("agreed", [ten]) == "المصادر متفقة: نحو 10 آلاف، ورد في مصدرين"
    assert banner("agreed", [_group("نحو 10 آلاف", 10000, ["أ"])]) == "رقم واحد: نحو 10 آلاف، ورد في مصدر واحد (أ)"


def test_reported_by_counts_independent_reports() -> None:
    assert reported_line(["أ"], 1) == "ورد في مصدر واحد"
    assert reported_line(["أ", "ب", "ج"], 3) == "ورد في 3 مصادر مستقلة"
    assert reported_line(["أ", "ب", "ج", "د", "هـ"], 2) == "ورد في 5 مصادر (تقريران مستقلان)"


def test_colours_follow_the_value_whatever_the_order_or_company() -> None:
    groups = [_group(f"{n} آلاف", n * 1000, ["أ"]) for n in range(3, 9)]
    slots = colour_slots(groups)
    assert sorted(slots) == list(range(len(GROUP_COLOURS)))  # six values, six colours
    assert colour_slots(list(reversed(groups))) == list(reversed(slots))
    alone = [colour_slots([g])[0] for g in groups]
    pair = colour_slots(groups[:2])
    assert pair[0] == alone[0]  # the smaller of two values keeps its own colour
