"""The contract every backend must pass (Haystack's mixin pattern).

A backend's test module subclasses `BackendContract` and provides a `backend`
fixture: an empty backend of its kind, ready for writes.
"""

from __future__ import annotations

from datetime import date

import pytest

from indexer.passages import make_passages
from search.arabic import normalize
from search.backends.base import Filters
from search.models import Document


def make_document(doc_id: str, title: str, text: str, outlet: str, published: str | None) -> Document:
    doc = Document(
        doc_id=doc_id,
        source_key=f"contract:{doc_id}",
        title=title,
        text=text,
        outlet=outlet,
        published=date.fromisoformat(published) if published else None,
    )
    doc.passages = make_passages(doc_id, text)
    return doc


DOCS = [
    make_document(
        "d_troops",
        "البنتاغون: عشرة آلاف جندي كوري شمالي في روسيا",
        "قالت وزارة الدفاع الأميركية إن نحو 10 آلاف جندي كوري شمالي يتدربون في شرق روسيا.",
        "الأفق",
        "2024-10-28",
    ),
    make_document(
        "d_missiles",
        "سيول: أكثر من ألف صاروخ",
        "أعلن وزير الدفاع الكوري الجنوبي أن كوريا الشمالية أرسلت أكثر من ألف صاروخ إلى روسيا.",
        "الضفاف",
        "2024-11-21",
    ),
    make_document(
        "d_floods",
        "سيول جارفة في المحافظة الشرقية",
        "خلفت السيول الجارفة 14 قتيلا و37 جريحا ونزوح مئات الأسر في المحافظة الشرقية.",
        "صدى الجنوب",
        "2024-11-13",
    ),
    make_document(
        "d_undated",
        "الدوري: الشروق يفوز",
        "فاز فريق الشروق على الرمال بثلاثة أهداف مقابل هدف في مباراة الدوري.",
        "الملعب",
        None,
    ),
]


class BackendContract:
    @pytest.fixture
    def filled(self, backend):
        backend.add(DOCS)
        return backend

    def test_lexical_finds_and_ranks(self, filled) -> None:
        hits = filled.lexical("الجنود الكوريين في روسيا", 10)
        assert hits.ids and hits.ids[0] == DOCS[0].passages[0].passage_id
        assert hits.scores == sorted(hits.scores, reverse=True)
        assert hits.total == len(hits.ids)

    def test_lexical_folds_spelling_like_the_index(self, filled) -> None:
        # harakat, a Persian keyboard's letters and Arabic-Indic digits still find the passage
        assert filled.lexical("صَارُوخ", 5).ids == [DOCS[1].passages[0].passage_id]
        assert filled.lexical("کوریا الشمالیة", 5).total == 2
        assert filled.lexical("١٤ قتيلا", 5).ids == [DOCS[2].passages[0].passage_id]

    def test_no_match(self, filled) -> None:
        hits = filled.lexical("كلمة لا توجد أبدا", 5)
        assert (hits.ids, hits.total) == ([], 0)

    def test_filters_by_outlet_and_date(self, filled) -> None:
        by_outlet = filled.lexical("روسيا", 10, Filters(outlets=("الضفاف",)))
        assert by_outlet.ids == [DOCS[1].passages[0].passage_id]
        by_date = filled.lexical("روسيا", 10, Filters(date_from=date(2024, 11, 1), date_to=date(2024, 12, 31)))
        assert by_date.ids == [DOCS[1].passages[0].passage_id]
        # an undated document is outside any date range
        assert filled.lexical("الشروق", 10, Filters(date_from=date(2000, 1, 1))).total == 0

    def test_documents_and_passages(self, filled) -> None:
        doc = filled.get_document("d_floods")
        assert doc is not None and doc.outlet == "صدى الجنوب" and doc.published == date(2024, 11, 13)
        assert [p.text for p in doc.passages] == [DOCS[2].text]
        wanted = [DOCS[1].passages[0].passage_id, "p_missing", DOCS[0].passages[0].passage_id]
        assert [p.doc_id for p in filled.get_passages(wanted)] == ["d_missiles", "d_troops"]
        assert filled.get_document("d_nope") is None

    def test_delete_and_replace(self, filled) -> None:
        assert filled.delete(["d_missiles", "d_nope"]) == 1
        assert filled.lexical("صاروخ", 5).total == 0
        assert filled.get_document("d_missiles") is None
        changed = make_document(
            "d_troops", "تحديث", "قدرت الاستخبارات عددهم بما يصل إلى 11 ألف جندي.", "الأفق", "2024-12-01"
        )
        filled.add([changed])
        assert filled.lexical("الاستخبارات", 5).ids == [changed.passages[0].passage_id]
        assert filled.lexical("يتدربون", 5).total == 0
        assert normalize(filled.get_document("d_troops").title) == normalize("تحديث")

    def test_figures_are_stored_with_their_passages(self, filled) -> None:
        troops, _, floods, _ = (d.passages[0].passage_id for d in DOCS)
        figures = filled.figures([troops, floods, "p_missing"])
        assert set(figures) == {troops, floods}  # an unknown passage is absent
        (soldiers,) = figures[troops]
        assert (soldiers.value_low, soldiers.qualifier, soldiers.unit) == (10_000, "approx", "جندي")
        assert soldiers.claimant == "وزارة الدفاع الأميركية"
        text = DOCS[0].passages[0].text
        assert text[soldiers.start : soldiers.end] == "نحو 10 آلاف"
        values = {f.value_low: f.category for f in figures[floods]}
        assert values[14] == "dead" and values[37] == "injured"
        filled.delete(["d_floods"])
        assert floods not in filled.figures([floods])

    def test_stats(self, filled) -> None:
        stats = filled.stats()
        assert stats["documents"] == 4 and stats["passages"] == 4 and stats["backend"] == filled.name
