"""What count questions ask for: (question, noun class, measure, category, subject keys, context keys)."""

from __future__ import annotations

import pytest

from search.figures.questions import NotACountQuestion, parse_question

CASES = [
    ("كم عدد الجنود الكوريين الشماليين في روسيا؟", "soldier", None, None, ("كور", "شمال"), ("روس",)),
    ("ما عدد الجنود الكوريين الشماليين في روسيا؟", "soldier", None, None, ("كور", "شمال"), ("روس",)),
    ("كم يبلغ عدد الجنود الكوريين في روسيا", "soldier", None, None, ("كور",), ("روس",)),
    ("بكم يقدر عدد الجنود الروس؟", "soldier", None, None, ("روس",), ()),
    ("كم عدد القتلى في الفيضانات؟", "dead", None, "dead", (), ("فيضانات",)),
    ("كم عدد الجنود الذين قتلوا في الهند؟", "soldier", None, "dead", (), ("هند",)),
    ("كم عدد الجرحى؟", "injured", None, "injured", (), ()),
    ("كم عدد النازحين من القرى؟", "displaced", None, "displaced", (), ("قري",)),
    ("كم صاروخاً أرسلت كوريا الشمالية إلى روسيا؟", "missile", None, None, (), ("ارسلت", "كور", "شمال", "روس")),
    ("كم مرة فاز المنتخب بالكأس؟", "times", None, None, (), ("فاز", "منتخب", "كاس")),
    ("كم طناً من القمح حصدت المحافظة؟", "weight", None, None, (), ("قمح", "حصدت", "محافظ")),
    ("كم تبلغ مساحة الكويت؟", None, "area", None, (), ("كويت",)),
    ("كم يبلغ عدد سكان الصين؟", "resident", "resident", None, (), ("صين",)),
    ("كم كيلومترا مربعا نقص من الغابة", "length", "area", None, (), ("مربع", "نقص", "غاب")),
    ("كم تبعد مكة عن الطائف؟", None, "length", None, (), ("مكه", "طائف")),
    ("ما نسبة البطالة في البلاد؟", None, "percent", None, (), ("بطال", "بلاد")),
]


@pytest.mark.parametrize(("question", "noun_class", "measure", "category", "subject", "context"), CASES)
def test_count_questions(question: str, noun_class, measure, category, subject, context) -> None:
    q = parse_question(question)
    got = (q.noun.cls if q.noun else None, q.measure, q.category, q.attached, q.context)
    assert got == (noun_class, measure, category, subject, context)


@pytest.mark.parametrize("text", ["ما هي عاصمة فرنسا؟", "الجنود الكوريون في روسيا", "متى وصل الجنود؟", "؟"])
def test_other_questions_are_not_count_questions(text: str) -> None:
    with pytest.raises(NotACountQuestion):
        parse_question(text)


def test_an_unknown_noun_is_kept_by_its_stem() -> None:
    q = parse_question("كم عدد الديناصورات في المتحف؟")
    assert q.noun is not None and not q.noun.known and q.noun.cls.startswith("stem:")
