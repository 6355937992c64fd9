"""Golden table for figures: what each counts, about whom, who says so.

Rows are (text, value_low, value_high, qualifier, unit, category, subject, claimant);
unit is the counted noun's lemma (normalised), None where nothing is counted.
The sentences come from the seeds, the sample corpus, or are written as news writes.
"""

from __future__ import annotations

import pytest

from search.figures import extract_figures, sentences
from search.figures.nouns import lookup, same_count

GOLDEN = [
    # the seeds (../shared/seeds), as printed
    (
        "يأتي ذلك بعدما أكدت الولايات المتحدة، الاثنين، أن 10 آلاف جندي كوري شمالي يتدربون في روسيا.",
        10_000,
        10_000,
        "exact",
        "جندي",
        None,
        "كوري شمالي",
        "الولايات المتحدة",
    ),
    (
        "قالت وزارة الدفاع الأميركية (البنتاغون)، اليوم (الاثنين)، إن أوكرانيا لن تواجه أي قيود جديدة، "
        "في حين قدّرت أن 10 آلاف جندي من كوريا الشمالية تم نشرهم في شرق روسيا.",
        10_000,
        10_000,
        "exact",
        "جندي",
        None,
        "من كوريا الشمالية",
        "وزارة الدفاع الأميركية (البنتاغون)",
    ),
    (
        "وقالت المتحدثة المساعدة باسم «البنتاغون» سابرينا سينغ «نعتقد أن جمهورية كوريا الشعبية الديموقراطية "
        "أرسلت نحو 10 آلاف جندي للتدريب في شرق روسيا».",
        10_000,
        10_000,
        "approx",
        "جندي",
        None,
        None,
        "المتحدثة المساعدة باسم «البنتاغون» سابرينا سينغ",
    ),
    (
        "هذه هي المرة الأولى التي يؤكد فيها الكرملين وجود قوات كورية شمالية، والتي قد يصل عددها إلى 11 ألف "
        "جندي، وفقًا لتقديرات أوكرانية وكورية جنوبية.",
        None,
        11_000,
        "at_most",
        "جندي",
        None,
        None,
        "تقديرات أوكرانية وكورية جنوبية",
    ),
    (
        "أعلنت كييف ارتفاع عدد قتلى وجرحى العسكريين الروس منذ بداية الحرب بفبراير 2022 إلى نحو 693 ألفاً و640 جندياً.",
        693_640,
        693_640,
        "approx",
        "جندي",
        "dead+injured",
        None,
        "كييف",
    ),
    (
        "اندلعت اشتباكات مسلحة أسفرت عن مقتل 20 جنديا هنديا وأربعة جنود صينيين على الأقل.",
        20,
        20,
        "exact",
        "جندي",
        "dead",
        "هنديا",
        None,
    ),
    (
        "أعلن وزير الدفاع الكوري الجنوبي كيم يونغ هيون، الخميس، أن كوريا الشمالية أرسلت أكثر من ألف صاروخ لروسيا.",
        1_000,
        None,
        "at_least",
        "صاروخ",
        None,
        None,
        "وزير الدفاع الكوري الجنوبي كيم يونغ هيون",
    ),
    # the sample corpus (data/sample)
    (
        "وبحسب تقديرات الاستخبارات الكورية الجنوبية، فإن الجنود الكوريين الشماليين المنتشرين في روسيا قد يصل "
        "عددهم إلى 11 ألفاً، يتمركز معظمهم في منطقة كورسك.",
        None,
        11_000,
        "at_most",
        "جندي",
        None,
        None,
        "تقديرات الاستخبارات الكورية الجنوبية",
    ),
    (
        "لقي 14 شخصاً حتفهم وأصيب 37 آخرون، بينهم أطفال، جراء سيول جارفة.",
        14,
        14,
        "exact",
        "شخص",
        "dead",
        None,
        None,
    ),
    (
        "وأوضح ممثل عن جهاز الاستخبارات أن هذا التقدير يتجاوز الرقم الذي أعلنه البنتاغون، حين تحدث عن نحو 10 آلاف جندي.",
        10_000,
        10_000,
        "approx",
        "جندي",
        None,
        None,
        "ممثل عن جهاز الاستخبارات",
    ),
    # counted nouns in their forms
    ("قتل 12 قتيلاً في القصف", 12, 12, "exact", "قتيل", "dead", None, None),
    ("ارتفع عدد القتلى إلى 300 قتيل", 300, 300, "exact", "قتيل", "dead", None, None),
    ("وأصيب 40 جريحاً", 40, 40, "exact", "جريح", "injured", None, None),
    ("نقل ثلاثة جرحى إلى المستشفى", 3, 3, "exact", "جريح", "injured", None, None),
    ("شارك عشرات الآلاف من المتظاهرين", 10_000, 99_999, "vague", "متظاهر", None, None, None),
    ("تعمل في القطاع 250 شركة", 250, 250, "exact", "شركه", None, None, None),
    ("حصاد نحو 1.3 مليون طن من القمح", 1_300_000, 1_300_000, "approx", "طن", None, "من القمح", None),
    ("حدود بطول 3,500 كيلومتر", 3_500, 3_500, "exact", "كيلومتر", None, None, None),
    ("صفقة بقيمة 4 مليارات دولار", 4e9, 4e9, "exact", "دولار", None, None, None),
    ("نزح ألفان و500 شخص", 2_500, 2_500, "exact", "شخص", "displaced", None, None),
    ("فقد 7 أشخاص بعد غرق القارب، بحسب خفر السواحل", 7, 7, "exact", "شخص", None, None, "خفر السواحل"),
    ("وعُثر على خمسة مفقودين", 5, 5, "exact", "مفقود", "missing", None, None),
    ("ونفى الجيش مقتل 50 جندياً في الهجوم", 50, 50, "exact", "جندي", "dead", None, "الجيش"),
]


@pytest.mark.parametrize(("text", "low", "high", "qualifier", "unit", "category", "subject", "claimant"), GOLDEN)
def test_golden(text: str, low, high, qualifier: str, unit, category, subject, claimant) -> None:
    f = extract_figures(text)[0]
    got = (f.value_low, f.value_high, f.qualifier, f.unit, f.category, f.subject, f.claimant)
    assert got == (low, high, qualifier, unit, category, subject, claimant)


def test_a_denial_is_marked() -> None:
    (f,) = extract_figures("ونفى الجيش مقتل 50 جندياً في الهجوم")
    assert f.denied and f.claimant == "الجيش"
    (g,) = extract_figures("وأكد الجيش مقتل 50 جندياً في الهجوم")
    assert not g.denied


def test_spans_and_sentences_are_raw_offsets() -> None:
    text = "قال المتحدث إن الوضع هادئ. وأعلنت الوزارة أن نحو ١٠ آلاف جنديٍّ وصلوا أمس."
    (f,) = extract_figures(text)
    assert text[f.start : f.end] == "نحو ١٠ آلاف"
    assert text[f.sentence_start : f.sentence_end] == "وأعلنت الوزارة أن نحو ١٠ آلاف جنديٍّ وصلوا أمس."
    assert f.claimant == "الوزارة" and f.unit == "جندي"


def test_two_figures_in_one_sentence_keep_their_own_nouns_and_categories() -> None:
    got = extract_figures("لقي 14 شخصاً حتفهم وأصيب 37 آخرون في السيول")
    assert [(f.value_low, f.unit, f.category) for f in got] == [(14, "شخص", "dead"), (37, "اخر", "injured")]
    # the commonest casualty phrasing: the second noun says what it counts, not the words before it
    got = extract_figures("خلفت السيول الجارفة 14 قتيلا و37 جريحا ونزوح مئات الأسر.")
    assert [(f.value_low, f.category) for f in got][:2] == [(14, "dead"), (37, "injured")]


def test_dates_days_years_and_weekdays_are_not_figures() -> None:
    text = "وقالت زاخاروفا يوم 30 أكتوبر، الاثنين، إن القوات ستصل يومي 27 و28 أكتوبر، وعام 2020 بلغ الخلاف ذروته."
    assert extract_figures(text) == []


def test_sentences_do_not_split_decimals() -> None:
    text = "ارتفع النمو 3.5 في المئة. وقال الوزير إن ذلك جيد"
    assert [text[s:e] for s, e in sentences(text)] == ["ارتفع النمو 3.5 في المئة.", "وقال الوزير إن ذلك جيد"]


@pytest.mark.parametrize(
    ("asked", "found", "same"),
    [
        ("جنود", "جنديا", True),
        ("الجنود", "عسكري", True),
        ("قتلى", "قتيلا", True),
        ("القتلى", "الجرحى", False),
        ("الجرحى", "مصابين", True),
        ("النازحين", "مفقودين", False),
        ("المشيعين", "شخص", True),
        ("صواريخ", "قذيفة", False),
        ("الشركات", "شركة", True),
    ],
)
def test_counted_nouns_meet_across_plurals_and_apart_across_meanings(asked: str, found: str, same: bool) -> None:
    from search.arabic import normalize
    from search.figures.nouns import noun_of

    assert same_count(noun_of(normalize(asked)), noun_of(normalize(found))) is same
    assert lookup(normalize(found)) is not None


def test_a_figure_reader_failure_loses_no_document(tmp_path, monkeypatch, caplog) -> None:
    import search.store
    from search.store import Store
    from tests.conftest import SAMPLE, build_index

    def broken(text: str):
        raise ValueError("a reader bug")

    monkeypatch.setattr(search.store, "extract_figures", broken)
    report = build_index([SAMPLE / "feeds"], tmp_path / "index")
    assert report.documents_added == 4
    with Store.open(tmp_path / "index") as store:
        assert store.stats()["figures"] == 0 and store.stats()["passages"] > 4
    assert "could not be read" in caplog.text


def test_a_quotation_that_runs_past_its_sentence_keeps_its_speaker() -> None:
    text = (
        "وقال المتحدث باسم الدفاع المدني إن «فرق الإنقاذ تعمل منذ الفجر. وقد انتشلنا حتى الآن 12 جثة من تحت "
        "الأنقاض». وفي سياق آخر، ارتفعت أسعار النفط 3 في المائة."
    )
    dead, oil = extract_figures(text)
    assert dead.claimant == "المتحدث باسم الدفاع المدني"
    assert oil.claimant is None  # the quotation closed before it


@pytest.mark.parametrize(
    ("text", "number", "claimant"),
    [
        ("وأفاد ناشطون بأن القصف أدى إلى مقتل 3 مواطنين", "3", "ناشطون"),  # «بأن» is «that», not «estimated at»
        ("من جهة أخرى أعلنت مصادر أمنية أن 20 عنصرا قتلوا", "20", "مصادر أمنية"),  # a fronted phrase is no subject
        (
            "وأوضح المدير الطبي في العيادات التخصصية الدكتور محمد الزعبي أن العيادات استقبلت 970 حالة",
            "970",
            "المدير الطبي في العيادات التخصصية الدكتور محمد الزعبي",  # «في» inside a post that a title ends
        ),
        ("وقال الوزير في تصريح صحفي إن 20 شخصا قتلوا", "20", "الوزير"),  # … but not before a statement
        ("وقسمت الفرق إلى 4 مجموعات بحسب التصنيف العالمي", "4", None),  # a criterion, not a source
        ("وذلك وفق الآتي : تم ضبط 97 موقوفا", "97", None),  # «الآتي» announces a list, it is no source
        ("وكان المسعفون قالوا إن 20 شخصا قتلوا", "20", "المسعفون"),  # a verb of saying in the plural
        ("وأفادا أنهما دفعا 1500 دينار", "1500", None),  # … whose subject is not named: «أنهما» is no name
        ("قال لـ «الاقتصادية» مصدر مطلع في المستشفى إن 3 مرضى أصيبوا", "3", "مصدر مطلع في المستشفى"),
        ("وأضاف لـ«الشرق الأوسط» أن 30 مريضا غادروا", "30", None),  # the medium told, the speaker elided
        ("قتل 20 شخصا، كما قالت مصادر سورية معارضة", "20", "مصادر سورية معارضة"),
        ("وقال الوزير إن الخسائر تقدر بحوالي 30 مليون دينار", "بحوالي 30 مليون", "الوزير"),
        ("وقدرت وزارة الصحة عدد المصابين بـ 300 شخص", "300", "وزارة الصحة"),  # active: the ministry estimates
        (  # a post with a category word before the title that ends it
            "وقال مدير الوحدة القانونية في نادي الأسير المحامي جواد بولس إن 300 أسير مضربون",
            "300",
            "مدير الوحدة القانونية في نادي الأسير المحامي جواد بولس",
        ),
        (  # «كما أشار» continues the speaker before
            "وقال المهندس سامي الحربي إن المشروع تأخر. كما أشار إلى أن هنالك نوعا من الأشجار يصل عمره إلى 25 سنة.",
            "25",
            "المهندس سامي الحربي",
        ),
        # «حسب» takes no «ل»: the «ل» of «لوحة» is the word's own; the verb after the source ends it
        ("وبحسب لوحة المشروع تبلغ قيمة العقد 75 مليون ريال", "75 مليون", "لوحة المشروع"),
        # «يفيد بوجود حريق»: what the report says, after its «ب»; the speaker is the one before
        ("وأفاد المتحدث بأن الهيئة تلقت بلاغا يفيد بوجود حريق وتم توجيه ست فرق", "ست", "المتحدث"),
    ],
)
def test_claimant_shapes(text: str, number: str, claimant: str | None) -> None:
    found = [f for f in extract_figures(text) if text[f.start : f.end] == number]
    assert found and found[0].claimant == claimant


def test_naql_is_transport_unless_it_conveys_from_someone() -> None:
    text = "وتشمل الخدمات جمع ونقل والتخلص من النفايات بقيمة 20 مليون ريال"
    assert [f.claimant for f in extract_figures(text)] == [None]
    text = "ونقلت وكالة رويترز عن مصدر أمني أن 20 شخصا قتلوا"
    assert [f.claimant for f in extract_figures(text)] == ["مصدر أمني"]


def test_money_lost_in_percent_is_no_toll() -> None:
    assert [f.category for f in extract_figures("وبلغت خسائره أكثر من 10% هذا الشهر")] == [None]
    # a category said before the figure is its own: «على خلفية عمليات قتل» after it is not
    assert [f.category for f in extract_figures("تم اعتقال اثني عشر شخصا على خلفية عمليات قتل")] == ["captured"]


def test_pardoned_prisoners_are_not_held() -> None:
    assert [f.category for f in extract_figures("أصدر الرئيس عفوا عن 20 سجينا")] == [None]
    assert [f.category for f in extract_figures("احتجاز 30 سجينا")] == ["captured"]


def test_one_after_a_noun_counts_that_noun_and_ukhra_is_no_person() -> None:
    text = "يقع نصف أراضيها الآخر في أقل من متر واحد (3.28 قدم) فوق مستوى سطح البحر."
    assert [(f.value_low, f.unit) for f in extract_figures(text)] == [(1, "متر"), (3.28, "قدم")]
    text = "وبين العرب والبربر من جهة أخرى، وقد انصهرت هذه المكونات في بوتقة واحدة"
    assert [f.unit for f in extract_figures(text)] == ["بوتقه"]
    assert lookup("اخري") is None  # «أخرى» (ى written ي) is not the construct of «آخرين»


def test_a_particle_or_other_after_a_number_is_no_noun() -> None:
    # «كما» after an amount opens a clause; «أخرى» describes an elided noun
    text = "تبلغ الأرصدة 29 مليار دولار وليس 100 مليار كما قالت واشنطن، ولديها ديون بمبلغ 50 مليار أخرى"
    assert [f.noun for f in extract_figures(text)][1:] == [None, None]
    assert [f.unit for f in extract_figures(text)][:2] == ["دولار", "دولار"]


def test_m_after_a_length_is_the_metre() -> None:
    # «م» alone is also the era after a year («1037 م»); after «بطول»/«وعرض» it is the metre
    found = [(f.value_low, f.unit) for f in extract_figures("مسبح بطول 50 م وعرض 25 م، بني عام 1037 م")]
    assert found == [(50, "متر"), (25, "متر")]


def test_a_speaker_named_before_the_passage_is_followed_into_it() -> None:
    # «المصادر» refers back to «مصادر محلية», named in the paragraph before the passage
    from search.figures import context_before

    document = (
        "وقالت مصادر محلية إن 13 مسلحا قتلوا أمس جراء غارات على مواقع متفرقة.\n\n"
        "وأضافت المصادر أن نحو سبع غارات جوية شنت منذ ساعات الصباح الأولى."
    )
    start = document.index("وأضافت")
    alone = extract_figures(document[start:])
    read = extract_figures(document[start:], context_before(document, start))
    assert [f.claimant for f in alone] == ["المصادر"]
    assert [(f.value_low, f.claimant) for f in read] == [(7, "مصادر محلية")]
    assert [document[start:][f.start : f.end] for f in read] == ["نحو سبع"]  # spans are the passage's own


def test_the_context_starts_at_a_whole_sentence() -> None:
    from search.figures import context_before
    from search.figures.extract import CONTEXT_CHARS

    document = "أ" * CONTEXT_CHARS + ". وقال الوزير إن العدد ارتفع.\n" + "وأضاف أن 5 حالات سجلت."
    start = document.index("وأضاف")
    assert context_before(document, start) == "وقال الوزير إن العدد ارتفع."
    assert context_before(document, 0) == ""


@pytest.mark.parametrize(
    "text",
    [
        "ووجهت له تهمة السرقة طبقا للفصلين 228 و229 من المجلة الجزائية.",  # law articles, not a source
        "صنف الباحثون 39 طعاماً حسب محتواها من الألياف.",  # «by» its content
        "والجدير ذكره أن الوزارة سجلت 40 حالة.",  # the journalist's stock phrase
    ],
)
def test_a_rule_or_a_stock_phrase_is_no_claimant(text: str) -> None:
    assert {f.claimant for f in extract_figures(text)} == {None}
