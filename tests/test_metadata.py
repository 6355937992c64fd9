"""Golden cases for publication dates, outlets and agencies as news pages write them."""

from __future__ import annotations

from datetime import date

import pytest

from indexer.clean import Kind, classify
from indexer.encoding import decode_bytes
from indexer.sources import SourceLine, agencies_credited, parse_source_line, split_dateline
from search.dates import find_dates, parse_date
from search.errors import UnreadableFile


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("تاريخ النشر: 4th, February 2024 GMT", "2024-02-04"),
        ("30 أكتوبر 2024", "2024-10-30"),
        ("أبريل 26, 2025آخر تحديث: أبريل 26, 2025", "2025-04-26"),
        ("٤ أغسطس ٢٠٢١", "2021-08-04"),
        ("۱۲ مهر ۱۴۰۳ — 3 اكتوبر 2024", "2024-10-03"),
        ("نشر في: 29/10/2024", "2024-10-29"),
        ("2024-10-30T09:00:00+03:00", "2024-10-30"),
        ("2024/10/30", "2024-10-30"),
        ("الأربعاء 13 تشرين الثاني/نوفمبر 2024", "2024-11-13"),
        ("18 جانفي 2017", "2017-01-18"),
        ("5 أوت 2016", "2016-08-05"),
        ("1 آذار 2023", "2023-03-01"),
        ("February 4, 2024", "2024-02-04"),
        ("الخميس، 21 نوفمبر 2024 - 10:15 ص", "2024-11-21"),
    ],
)
def test_dates(text: str, expected: str) -> None:
    assert find_dates(text)[0].value.isoformat() == expected


@pytest.mark.parametrize("text", ["في أغسطس/آب 2024", "يومي 27 و28 أكتوبر", "31/02/2024", "الساعة 10:30", "عام 2022"])
def test_not_full_dates(text: str) -> None:
    assert find_dates(text) == []


def test_date_offsets_are_raw() -> None:
    text = "نُشِرَ في ٤ أغسطس ٢٠٢١ مساءً"
    (m,) = find_dates(text)
    assert text[m.start : m.end] == "٤ أغسطس ٢٠٢١"


def test_parse_date_from_fields() -> None:
    assert parse_date("2015-07-21 02:51:32").isoformat() == "2015-07-21"
    assert parse_date(1700000000).isoformat() == "2023-11-14"
    assert parse_date(1700000000000).isoformat() == "2023-11-14"
    assert parse_date("") is None and parse_date(None) is None and parse_date("غدا") is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("المصدر: RT", SourceLine("RT", None)),
        ("المصدر: صحيفة الاتحاد", SourceLine("صحيفة الاتحاد", None)),
        ("المصدر: رويترز", SourceLine(None, "رويترز")),
        ("«الشرق الأوسط» (واشنطن)", SourceLine("الشرق الأوسط", None)),
        ("«الشرق الأوسط» (كييف) «الشرق الأوسط» (موسكو)", SourceLine("الشرق الأوسط", None)),
        ("فرانس24/ رويترز", SourceLine("فرانس24", "رويترز")),
        ("الجزيرة نت / أ ف ب", SourceLine("الجزيرة نت", "وكالة الصحافة الفرنسية")),
        ("(رويترز)", SourceLine(None, "رويترز")),
    ],
)
def test_source_lines(line: str, expected: SourceLine) -> None:
    assert parse_source_line(line) == expected


@pytest.mark.parametrize(
    "line",
    ["كوريا الجنوبية: بيونغ يانغ أرسلت أكثر من ألف صاروخ إلى روسيا", "واشنطن/بكين", "Share this content:", "الرئيسية"],
)
def test_not_source_lines(line: str) -> None:
    assert parse_source_line(line) is None


def test_dateline_outlet() -> None:
    assert split_dateline("المستقلة/- زعم الكرملين يوم السبت") == ("المستقلة", len("المستقلة/- "))
    assert split_dateline("وكالة الواحة للأنباء/- قالت الاستخبارات") == (
        "وكالة الواحة للأنباء",
        len("وكالة الواحة للأنباء/- "),
    )
    assert split_dateline("قال الوزير إن 10/ 20 من الطلاب") == (None, 0)


def test_agencies_credited_in_the_body_only_when_credited() -> None:
    text = (
        "وقال روته، وفق ما أوردته «وكالة الصحافة الفرنسية»، إن التعاون يهدد الأمن. "
        "وأحجمت المتحدثة عن التأكيد، حسب وكالة «رويترز» للأنباء. ونقل بيان نقلته وكالة تاس. "
        "وكانت رويترز قد نشرت صورا للموقع."  # a mention, not a credit: already counted anyway
    )
    assert agencies_credited(text) == ["وكالة الصحافة الفرنسية", "رويترز", "تاس"]
    assert agencies_credited("نشرت رويترز تقريرا مطولا عن الاقتصاد.") == []


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("مقالات ذات صلة", Kind.MARKER),
        ("إقرأ أيضاً:", Kind.MARKER),
        ("اقرأ أيضا", Kind.MARKER),
        ("كلمات دلالية: كوريا الجنوبية كوريا الشمالية", Kind.MARKER),
        ("التعليقات", Kind.COMMENTS),
        ("اترك تعليقاً", Kind.COMMENTS),
        ("صورة من أمام مبنى سفارة كوريا الشمالية في موسكو 30 أكتوبر 2024 (إ.ب.أ)", Kind.CAPTION),
        ("ماثيو ميلر المتحدث باسم الخارجية الأميركية (أرشيفية - رويترز)", Kind.CAPTION),
        ("TT", Kind.JUNK),
        ("Gettyimages.ru", Kind.JUNK),
        ("نشرت في:", Kind.JUNK),
        ("2 دقائق", Kind.JUNK),
        ("شارك هذا المقال", Kind.JUNK),
        ("جميع الحقوق محفوظة © 2024", Kind.JUNK),
        ("تاريخ النشر: 4th, February 2024 GMT", Kind.DATE),
        ("المصدر: RT", Kind.SOURCE),
        ("واشنطن وبكين تناقشان الشائعات بشأن وجود قوات كورية شمالية في روسيا", Kind.SHORT),
        ("وقالت المتحدثة إن التعاون الاستراتيجي بين البلدين ليس غير عادي أو استثنائي على الإطلاق.", Kind.BODY),
    ],
)
def test_line_kinds(line: str, kind: Kind) -> None:
    assert classify(line).kind is kind


def test_decoding_reports_what_to_do() -> None:
    with pytest.raises(UnreadableFile, match="empty file"):
        decode_bytes(b"  \n", name="x")
    with pytest.raises(UnreadableFile, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00", name="x")
    assert decode_bytes("\ufeffنص".encode("utf-8")).text == "نص"
    assert decode_bytes("نص عربي في هذا الملف".encode("utf-16")).text == "نص عربي في هذا الملف"
    page = '<html><head><meta charset="windows-1256"></head><body>هذا نص عربي من موقع قديم</body></html>'
    decoded = decode_bytes(page.encode("cp1256"))
    assert decoded.encoding == "cp1256" and "هذا نص عربي" in decoded.text


def test_an_undated_page_gets_an_estimated_date_marked_as_such() -> None:
    # Body: ANT Corpus v1.1, JA-internationalNews-161-20150911 (Jawhara FM, Apache-2.0); the page
    # prints no date under its title, only an «آخر تحديث» line at its foot.
    from indexer.clean import split_page

    page = "\n".join(
        [
            "السعودية: ارتفاع عدد ضحايا سقوط رافعة الحرم",
            'ذكر الموقع الرسمي للدفاع المدني السعودي على حساب التواصل الاجتماعي "تويتر" أن عدد الوفيات '
            "بلغ حتى الآن 107 أشخاص، فيما بلغ عدد المصابين 238 مصابًا.",
            "آخر تحديث: 11 سبتمبر 2015",
        ]
    )
    (article,) = split_page(page)
    assert (article.published, article.date_estimated) == (date(2015, 9, 11), True)
    dated = split_page("\n".join([page.split("\n")[0], "11 سبتمبر 2015", page.split("\n")[1]]))[0]
    assert (dated.published, dated.date_estimated) == (date(2015, 9, 11), False)
    undated = split_page("\n".join(page.split("\n")[:2]))[0]
    assert (undated.published, undated.date_estimated) == (None, False)  # nothing to go on: never invented
