"""The five original scraped pages: every article, its metadata, and no boilerplate in any passage.

The expected table was written by reading the pages. Pages 000, 001, 003 and 004
print no publication date (the dates in 001/003 are photo captions), so theirs is null.
"""

from __future__ import annotations

import pytest

from search.store import Store
from tests.conftest import build_index

EXPECTED = [
    # (file, title, outlet, agency, published)
    ("000", "واشنطن وبكين تناقشان الشائعات بشأن وجود قوات كورية شمالية في روسيا", "RT", None, None),
    # printed undated; estimated from its dated photo caption («… في موسكو 30 أكتوبر 2024»)
    (
        "001",
        "موسكو تعلن عن محادثات «استراتيجية» مع كوريا الشمالية",
        "الشرق الأوسط",
        "وكالة الصحافة الفرنسية",
        "2024-10-30",
    ),
    ("001", "الولايات المتحدة ترحب بجهود الهند والصين لخفض التوترات الحدودية بينهما", "الشرق الأوسط", None, None),
    ("002", "مسؤول روسي يزور سول إثر تصريحات بشأن كوريا الشمالية", "صحيفة الاتحاد", None, "2024-02-04"),
    (
        "002",
        "روسيا تزعم تحرير الكامل لكورسك وتعترف بوجود قوات من كوريا الشمالية",
        "المستقلة",
        "تاس، إنترفاكس",
        "2025-04-26",
    ),
    (
        "003",
        "«الناتو»: نشر قوات كورية شمالية في روسيا يعكس «يأس» بوتين",
        "الشرق الأوسط",
        "وكالة الصحافة الفرنسية",
        None,
    ),
    (
        "003",
        "لا قيود على استخدام أوكرانيا للأسلحة الأميركية إذا دخلت كوريا الشمالية الحرب",
        "الشرق الأوسط",
        "وكالة الصحافة الفرنسية، رويترز",
        "2024-10-21",  # estimated from the latest date its own lines name
    ),
    (
        "004",
        "روسيا ” تباشر تعاونا دفاعيا شاملا” مع كوريا الشمالية وتواصل شراكتها مع الهند والصين",
        "فرانس24",
        "رويترز",
        None,
    ),
]

# Text that is on the pages but is not article text: none of it may reach a passage.
BOILERPLATE = [
    # navigation and section lists (000)
    "أين يمكنك متابعتنا",
    "أقسام مهمة",
    "27 خبر",
    "خطة ترامب لإنهاء الحرب في غزة",
    "90 دقيقة",
    "Stories",
    # captions, image credits and repeated headlines
    "(إ.ب.أ)",
    "(أ.ب)",
    "(أ.ف.ب)",
    "(رويترز)",
    "Gettyimages",
    "TT",
    "صورة من أمام مبنى سفارة",
    "الأمين العام لحلف شمال الأطلسي «ناتو» مارك روته (أ.ب)",
    "ماثيو ميلر المتحدث باسم الخارجية الأميركية (",
    # related-article teasers (001, 003), including their figures
    "مقالات ذات صلة",
    "أرسلت أكثر من ألف صاروخ",
    "عقوبات أميركية جديدة ضد",
    "398 شركة أجنبية",
    "ممرّ الحبوب",
    "محاكاة لرد على هجوم نووي",
    "أكياس الجثث",
    "693 ألفاً و640",
    "سحب قواتها من روسيا",
    "«الشرق الأوسط» (",
    "الصين «قلقة» من التوتر",
    # comments and the headlines under them (000)
    "التعليقات",
    "قسد تدعو الأكراد",
    "ليندسي غراهام",
    "محافظ جديد للرقة",
    "صهر ترامب",
    # tags, read-also, source and credit lines (002, 004)
    "أخبار ذات صلة",
    "كلمات دلالية",
    "إقرأ أيضاً",
    "المصدر:",
    "آخر تحديث",
    "تاريخ النشر",
    "المستقلة/-",
    "فرانس24/ رويترز",
    "Share this content",
    "اكتشاف المزيد من موقع دار طيبة",
    "اشترك للحصول",
    "اشترك الآن",
    "اترك تعليقاً",
    "لن يتم نشر عنوان بريدك",
    "Continue reading",
    "نشرت في",
    "2 دقائق",
]

# Article text that must be kept (a sentence from each article, including the figures that matter).
KEPT = [
    "مناقشة الولايات المتحدة بشكل مباشر مع الصين الشائعات",
    "أن 10 آلاف جندي كوري شمالي يتدربون في روسيا",
    "أسفرت عن مقتل 20 جنديا هنديا",
    "والتي قد يصل عددها إلى 11 ألف جندي، وفقًا لتقديرات أوكرانية وكورية جنوبية",
    "يزور أندريه رودينكو، نائب وزير الخارجية الروسي",
    "مؤشراً على «يأس» الرئيس الروسي فلاديمير بوتين",
    "أرسلت نحو 10 آلاف جندي للتدريب في شرق روسيا",
    "دشننا تعاونا فعالا وشاملا مع جمهورية كوريا الديمقراطية الشعبية",
]


@pytest.fixture(scope="module")
def seeds_index(tmp_path_factory):
    from tests.conftest import shared_path

    seeds = shared_path("seeds")
    index = tmp_path_factory.mktemp("seeds") / "index"
    report = build_index([seeds], index)
    assert report.problems == []
    store = Store.open(index)
    yield store
    store.close()


def test_every_article_with_title_outlet_agency_and_date(seeds_index: Store) -> None:
    docs = list(seeds_index.iter_documents())
    got = sorted(
        (
            d.source_path.rsplit("/", 1)[-1][:3],
            d.title,
            d.outlet,
            d.agency,
            d.published.isoformat() if d.published else None,
        )
        for d in docs
    )
    assert got == sorted(EXPECTED)


def test_estimated_dates_are_marked_and_printed_ones_are_not(seeds_index: Store) -> None:
    estimated = sorted(
        d.published.isoformat() for d in seeds_index.iter_documents() if d.date_estimated and d.published
    )
    assert estimated == ["2024-10-21", "2024-10-30"]
    printed = [d for d in seeds_index.iter_documents() if d.published and not d.date_estimated]
    assert sorted(d.published.isoformat() for d in printed) == ["2024-02-04", "2025-04-26"]


def test_second_articles_are_their_own_documents(seeds_index: Store) -> None:
    keys = sorted(d.source_key.rsplit("/", 1)[-1] for d in seeds_index.iter_documents())
    assert [k for k in keys if k.endswith("#1")] == [
        "001_78b45eea4fa95a6e.txt#1",
        "002_7f3ffb81817a861b.txt#1",
        "003_98a60036945e7930.txt#1",
    ]


def test_no_boilerplate_reaches_any_passage(seeds_index: Store) -> None:
    passages = list(seeds_index.iter_passages())
    assert passages
    leaks = [(b, p.passage_id) for p in passages for b in BOILERPLATE if b in p.text]
    assert leaks == []


def test_article_text_is_kept(seeds_index: Store) -> None:
    everything = "\n".join(p.text for p in seeds_index.iter_passages())
    missing = [k for k in KEPT if k not in everything]
    assert missing == []


def test_title_is_not_repeated_inside_the_body(seeds_index: Store) -> None:
    for doc in seeds_index.iter_documents():
        assert doc.title not in doc.text, doc.title


def test_passages_slice_the_document_text(seeds_index: Store) -> None:
    for doc in seeds_index.iter_documents():
        full = seeds_index.get_document(doc.doc_id)
        assert full is not None and full.passages
        for p in full.passages:
            assert full.text[p.start : p.end] == p.text
