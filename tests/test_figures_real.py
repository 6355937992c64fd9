"""Golden figures from real news sentences, one test per class the figure issue named.

Every sentence below is quoted from the ANT Corpus v1.1 (Jawhara FM, Tunisia; Apache-2.0,
../shared/corpus/ant_jawharafm.README.md), from articles outside the figure benchmark, and
named by the article's docno. The benchmark itself (bench/figures.py) measures these
classes on annotated real text; these tests keep each class from coming back.
"""

from __future__ import annotations

import pytest

from search.figures import extract_figures
from search.figures.questions import NotACountQuestion, parse_question


def _figures(text: str) -> list[tuple]:
    return [(f.value_low, f.value_high, f.qualifier) for f in extract_figures(text)]


def _first(text: str, number: str):
    """The figure whose raw text starts with `number`."""
    for f in extract_figures(text):
        if text[f.start : f.end].startswith(number) or number in text[f.start : f.end]:
            return f
    raise AssertionError(f"no figure {number!r} in {text!r}")


# ---------------------------------------------------------------- hedges

HEDGES = [
    # JA-diverse-293-20170419: a hedge after the noun
    (
        "ويعد هذا الشهر الفرصة الوحيدة أمام الهواة لرصده، لأنه لن يمر بهذا القرب من كوكبنا مرة أخرى إلا بعد "
        "نحو 500 عام أو أكثر، وفقا لناسا.",
        "نحو 500",
        (500, None, "at_least"),
    ),
    # JA-diverse-124-20161231: «على الأقل» after the noun
    (
        "قالت مصادر إعلامية فنلندية، إن 3 أشخاص على الأقل، أصيبوا بجروح، بعد أن قام سائق شاحنة بدهسهم قرب محطة "
        "ميترو في العاصمة هيلسنكي.",
        "3",
        (3, None, "at_least"),
    ),
    # JA-diverse-251-20170416: a hedge with a clitic («وأكثر من»)
    (
        'عاشت خلال ثلاث قرون وشهدت حربين عالميتين وأكثر من 90 حكومة إيطالية حتى أطلق عليها اسم "عميدة البشرية".',
        "وأكثر من 90",
        (90, None, "at_least"),
    ),
    # JA-diverse-89-20160313: «بأكثر من»
    (
        'وقد قرر الأمير السعودي حينها امتلاك أحد أكبر فنادق ترامب وهو "بلازا نيويورك" بأكثر من 300 مليون دولار، '
        "حسب تقرير لصحيفة نيويورك تايمز.",
        "بأكثر من 300",
        (300_000_000, None, "at_least"),
    ),
    # JA-culture-73-20170327: a negated hedge with «عددهم» between it and its number
    (
        'تمّ عرضها في "قاعة البلاص" أمام بعض المشاهدين، لم يتجاوز عددهم 3 أشخاص وهو شيء مؤسف للغاية حسب تعبيره.',
        "لم يتجاوز",
        (None, 3, "at_most"),
    ),
    # JA-diverse-264-20170411: «لا تتجاوز»
    (
        'أما بطاقات "الدرجة الأولى" من نفس الصنف، فتباع بأسعار لا تتجاوز 52 دولارا للبطاقة الواحدة.',
        "لا تتجاوز",
        (None, 52, "at_most"),
    ),
    # JA-diverse-354-20170513: «ما لا يقل عن» is at least
    (
        'وقد تم طلاء ما لا يقل عن 12 منزلا في حي "بيناس تانجول" بألوان ساطعة خلال شهر مارس.',
        "ما لا يقل عن 12",
        (12, None, "at_least"),
    ),
    # JA-diverse-338-20160224: a verb hedge («تفوق»)
    (
        "كما اجتاحت الأطفال وخاصة الشريحة العمرية التى تتراوح بين 8 و10 سنوات بنسبة تفوق 45 بالمائة حسب علوان.",
        "تفوق 45",
        (45, None, "at_least"),
    ),
    # JA-internationalNews-149-11012017: «تريليون» is a magnitude
    (
        "أفادت دراسة أعدتها منظمة الصحة العالمية والمعهد الوطني الأمريكي بأن التدخين يكلف الاقتصاد العالمي أكثر من "
        "تريليون دولار سنوياً",
        "أكثر من تريليون",
        (1e12, None, "at_least"),
    ),
    # JA-economy-22-20170105: a range of trillions
    (
        "وسييصل بين نحو 60 دولة وباستثمارات متوقعة تتراوح بين 4 و8 تريليونات دولار.",
        "بين 4",
        (4e12, 8e12, "range"),
    ),
    # JA-localNews-299-06072016: «ألفين و800»
    (
        "وكانت مفوضية اللاجئين التابعة للأمم المتحدة قالت, الشهر الماضي, إن اكثر من 10 آلاف مهاجر ماتوا غرقا منذ "
        "عام 2014, بينهم أكثر من ألفين و800 شخص هذا العام.",
        "أكثر من ألفين",
        (2800, None, "at_least"),
    ),
]


@pytest.mark.parametrize(("text", "number", "expected"), HEDGES)
def test_hedges_become_intervals_wherever_they_stand(text: str, number: str, expected: tuple) -> None:
    f = _first(text, number)
    assert (f.value_low, f.value_high, f.qualifier) == expected


def test_fractions_add_to_their_unit() -> None:
    # The fraction classes, on the number words as news writes them (figures of real sentences above cover
    # the rest): «مليون ونصف», «3 ملايين ونصف», «مليونين وثلاثة أرباع».
    from search.figures.quantities import find_quantities

    for text, value in [
        ("نحو مليون ونصف مليون شجرة", 1_500_000),
        ("3 ملايين ونصف دولار", 3_500_000),
        ("مليونين وثلاثة أرباع", 2_750_000),
        ("ألفين ومائتين شخص", 2_200),
    ]:
        (q,) = find_quantities(text)
        assert q.value_low == value, text


# ---------------------------------------------------------------- not quantities

NOT_QUANTITIES = [
    # JA-sport-1006-20170416: a match score
    "تمكن فريق الهلال الرياضي بالشابة من تحقيق الصعود إلى الرابطة المحترفة الثانية للمرة الأولى منذ تأسيسه بعد "
    "فوزه اليوم بنتيجة 5 - 0 على مستقبل رجيش.",
    # JA-diverse-470-20170620: a Hijri day
    "حيث يصادف يوم غد الأربعاء المقبل 21 جوان الموافق لـ 26 رمضان، الانقلاب الصيفي معلنا بداية فصل الصيف فلكيًا.",
    # JA-internationalNews-1214-20170615: a Hijri date and year
    "يتمتع السعوديون بإجازة مطولة لعيد الفطر تبدا من اليوم الخميس الموافق لـ 20 رمضان 1438 (15 جوان 2017).",
]


@pytest.mark.parametrize("text", NOT_QUANTITIES)
def test_scores_and_hijri_dates_are_not_figures(text: str) -> None:
    assert _figures(text) == []


def test_a_minute_of_play_and_a_named_product_are_not_counts() -> None:
    # JA-diverse-163-20170310
    text = (
        "وكان الفريق الفرنسي ضامنا لتأهله حتى الدقيقة 88، اذ كان يتأخر بنتيجة 1-3، الا ان النادي الكاتالوني قلب "
        "الأمور رأسا على عقب وسجل ثلاثة أهداف في الدقائق السبع الأخيرة."
    )
    got = {(f.value_low, f.noun) for f in extract_figures(text)}
    assert got == {(3, "اهداف"), (7, "الدقائق")}
    # JA-diverse-1-20170120: «France 3» is a channel's name
    assert all(f.value_low != 3 for f in extract_figures("وأكد المصدر ذاته أن قناة France 3 ومنتج البرنامج يستعدون"))


def test_a_count_that_looks_like_a_year_after_a_conjunction() -> None:
    # JA-economy-31-20170122
    text = (
        'وأوضح المصدر ذاته أن "من بين المحجوزات 129 رأسا من الخرفان من سلالة أجنبية، و2000 علبة سجائر، وحوالي '
        '137 كلغ من تبغ الشيشة (المعسل)، و306 قطع من الملابس والأحذية".'
    )
    assert [f.value_low for f in extract_figures(text)] == [129, 2000, 137, 306]


# ---------------------------------------------------------------- categories


def test_dead_and_injured_in_one_sentence_keep_their_categories() -> None:
    # JA-internationalNews-161-20150911: the «عدد X … number» shape for both
    text = (
        'ذكر الموقع الرسمي للدفاع المدني السعودي على حساب التواصل الاجتماعي "تويتر" أن عدد الوفيات بلغ حتى الآن  '
        "107 أشخاص ، فيما بلغ عدد المصابين 238 مصابًا."
    )
    assert [(f.value_low, f.category) for f in extract_figures(text)] == [(107, "dead"), (238, "injured")]
    # JA-internationalNews-64-02112016: the injured noun before its number, after a figure that is not a toll
    text = (
        "وأضاف البيان أن الـ 672 المتبقين كانوا أفرادا في قوى الأمن العراقية، بما فيها البيشمركة، والشرطة، "
        "وميليشيات أخرى تقاتل إلى جانب القوات الحكومية، فيما بلغ عدد الجرحى 1358 شخصا."
    )
    assert [(f.value_low, f.category) for f in extract_figures(text)][-1] == (1358, "injured")


def test_a_verb_carries_the_category_of_an_elided_or_anaphoric_noun() -> None:
    # JA-internationalNews-1066-20170409
    text = (
        "يذكر أن 21 شخصا لقوا حتفهم فيما جرح حوالي 69 آخرين في إنفجار عبوة ناسفة صباح اليوم الأحد قرب كنيسة مار "
        "جرجس في مدينة طنطا المصرية."
    )
    assert [(f.value_low, f.category) for f in extract_figures(text)] == [(21, "dead"), (69, "injured")]
    # JA-internationalNews-1033-20140216: «وإصابة 13 آخرين»
    text = (
        "أعلنت وزارة الصحّة المصرية عن مقتل 4 سيّاح من كوريا الجنوبية وإصابة 13 آخرين إثر انفجار حافلة سياحية "
        "بمنطقة طابا جنوب سيناء."
    )
    assert [(f.value_low, f.category) for f in extract_figures(text)] == [(4, "dead"), (13, "injured")]
    # JA-internationalNews-1256-20170618: a dual is the number and the noun
    text = "أعلن وزير الأمن المالي عن مقتل شخصين وتحرير نحو 20 رهينة في هجوم إرهابي على موقع سياحي قرب العاصمة باماكو."
    two = extract_figures(text)[0]
    assert (two.value_low, two.category, two.unit) == (2, "dead", "شخص")


def test_an_age_is_a_quantity_but_not_a_toll() -> None:
    # JA-internationalNews-954-20170524
    text = (
        "وكانت الشرطة قالت إن رجلا ولد في بريطانيا يدعى سلمان عبيدي (22 عاما) هو منفذ التفجير في قاعة حفلات "
        "مانشستر أرينا."
    )
    (age,) = extract_figures(text)
    assert (age.value_low, age.category, age.claimant) == (22, None, "الشرطة")


# ---------------------------------------------------------------- claimants


def test_the_subject_before_its_verb_is_the_claimant() -> None:
    # JA-internationalNews-850-20170408
    text = (
        "وكانت وزارة الدفاع الروسية قالت إن 23 صاروخا فقط من المدمرة الأمريكية أصابوا مطار الشعيرات السورية، ولا "
        "يعلم أين سقطت الـ36 صاروخا الأخرى."
    )
    assert extract_figures(text)[0].claimant == "وزارة الدفاع الروسية"


def test_the_same_source_resolves_to_the_source_it_refers_to() -> None:
    # JA-culture-71-20170331 (the second sentence) after a sentence naming the source, as articles put it
    text = (
        "أعلنت المندوبية الجهوية للثقافة بالقيروان تأجيل الدورة الرابعة. "
        "وأكد المصدر ذاته، لمراسل الجوهرة أف أم في الجهة، أن الهدف من وراء هذا التأجيل ضمان نجاح 3 محطات."
    )
    assert _first(text, "3").claimant == "المندوبية الجهوية للثقافة بالقيروان"


def test_as_he_put_it_is_not_a_source() -> None:
    # JA-culture-73-20170327: «حسب تعبيره» credits the speaker named before
    text = (
        'ولفت "بوسعيد"إلى أنّ بعض الأفلام تمّ عرضها في "قاعة البلاص" أمام بعض المشاهدين، لم يتجاوز عددهم '
        "3 أشخاص وهو شيء مؤسف للغاية حسب تعبيره."
    )
    assert _first(text, "لم يتجاوز").claimant != "تعبيره"


def test_a_subordinating_conjunction_is_not_the_claimant() -> None:
    # JA-internationalNews-1258-20170618: «…، إذ أعلنت خلالها برلين …»: «إذ» opens the clause, the subject follows
    text = (
        "وكانت الحكومة الألمانية قد رعت يومي 12 و13 يونيو الجاري في برلين قمة بين مجموعة العشرين وأفريقيا في "
        "إطار مبادرة الشراكة الجديدة بين الطرفين، إذ أعلنت خلالها برلين عن تخصيص 300 مليون أورو إضافية لمساعدة "
        "الدول الأفريقية التي ترغب في إدخال إصلاحات."
    )
    claimant = _first(text, "300").claimant
    assert claimant is not None and claimant.endswith("برلين")


# ---------------------------------------------------------------- questions


@pytest.mark.parametrize(
    ("question", "noun", "measure", "category"),
    [
        ("عدد الجنود الكوريين في روسيا", "الجنود", None, None),
        ("حصيلة قتلى تفجير أبها", "قتلي", None, "dead"),
        ("ما طول نهر النيل؟", None, "length", None),
        ("ما قيمة الصفقة؟", None, "money", None),
        ("كم شخصا اعتقلت الداخلية؟", "شخصا", None, "captured"),
        ("ما عدد المعتقلين؟", "المعتقلين", None, "captured"),
        ("كم عدد الذين اعتقلتهم قوات الأمن في بنزرت؟", "اشخاص", None, "captured"),
        ("كم عدد الذين قتلتهم العاصفة؟", "اشخاص", None, "dead"),
        ("ما حجم شحنة حبوب الكبتاجون التي أحبطها الجمرك؟", "حبوب", None, None),
        ("كم شحنة ضبطت؟", "شحنه", None, "captured"),
        ("كم كلف المشروع؟", None, "money", None),
        ("ما كمية الأمطار التي سقطت؟", "الامطار", None, None),
    ],
)
def test_count_questions_in_every_form(question: str, noun, measure, category) -> None:
    q = parse_question(question)
    assert (q.noun_word, q.measure, q.category) == (noun, measure, category)


@pytest.mark.parametrize("text", ["ارتفاع أسعار النفط", "معاهدة الشراكة الاستراتيجية"])
def test_searches_are_not_count_questions(text: str) -> None:
    with pytest.raises(NotACountQuestion):
        parse_question(text)


# ---------------------------------------------------------------- squared and cubed units


def test_a_squared_or_cubed_unit_is_an_area_or_a_volume() -> None:
    from search.figures.nouns import noun_of

    # JA-localNews-2050-20140704
    area = _first("اندلع اليوم الجمعة حريق على مساحة 1000 متر مربع بمنطقة البلفيدير بالعاصمة", "1000")
    # JA-localNews-100-20170124
    volume = _first("طلب عروض لكراء محطة لتحلية مياه البحر بطاقة إنتاج يومية تبلغ 7000 متر مكعب", "7000")
    assert (area.value_low, noun_of(area.noun or "").cls) == (1000, "area")
    assert (volume.value_low, noun_of(volume.noun or "").cls) == (7000, "volume")


def test_an_exponent_glued_to_its_unit_is_not_a_figure() -> None:
    from search.figures.nouns import noun_of

    # JA-localNews-3354-20161020: «سم3» is cubic centimetres, not a count of 3
    text = "ـ ذات سعة إسطوانة تتراوح بين 50 و125 سم3 : 5,000 ـ ذات سعة إسطوانة تفوق 125 سم3  20,000"
    figures = extract_figures(text)
    assert [(f.value_low, f.value_high) for f in figures] == [(50, 125), (5000, 5000), (125, None), (20000, 20000)]
    assert noun_of(figures[0].noun or "").cls == "volume"


def test_the_medium_a_speaker_told_is_not_part_of_the_speaker() -> None:
    # JA-internationalNews-92-20170130: «لوكالة "رويترز"» is whom the witness told
    text = (
        'وقال شاهد عيان لوكالة "رويترز" إن نحو ثلاثة مسلحين أطلقوا النار على نحو 40 شخصاً داخل المركز الثقافي '
        "الإسلامي في كيبيك"
    )
    assert _first(text, "40").claimant == "شاهد عيان"
    # JA-diverse-375-20160306: a study «لوكالة الفضاء» is the agency's own
    text = "أوضحت دراسة جديدة لوكالة الفضاء ناسا أن موجة الجفاف في شرق البحر الأبيض المتوسط هي الأسوأ منذ 900 عام"
    assert _first(text, "900").claimant == "دراسة جديدة لوكالة الفضاء ناسا"


def test_a_source_after_lam_keeps_its_article_and_ends_before_the_clause() -> None:
    # JA-diverse-370-20170529: «وفقاً للحسابات» is «ل» + «الحسابات»
    text = (
        "وفي العالم العربي كشفت وكالة أنباء الشرق الأوسط أن الجزائر تشهد هذا العام أطول مدة صيام لشهر رمضان، "
        "وفقاً للحسابات الفلكية، بمعدل 16 ساعة و44 دقيقة، فيما يكون أقصرها بالصومال بـ13 ساعة"
    )
    assert _first(text, "16").claimant == "الحسابات الفلكية"
    # JA-diverse-283-20170323: «فإنه» opens what the source says
    text = (
        "وطبقا للصحيفة الأمريكية فإنه منذ أكتوبر 2016 تمّت أربعة حوادث مشابهة على الأقل في الولايات المتحدة "
        "الأمريكية ونشرت على فيسبوك"
    )
    assert _first(text, "أربعة").claimant == "الصحيفة الأمريكية"


# ---------------------------------------------------------------- numbers in their Arabic shapes


VALUES = [
    # JA-economy-267-20160822: the Arabic comma as a decimal mark (a group shorter than three digits)
    (
        "سجلت صادرات التمور الى غاية 22 اوت 2016 أرقاما قياسية، حيث قدّرت ب104،5 ألف طن (بعائدات 446.4 مليون "
        "دينار) مقابل 95،6 ألف طن",
        [(104_500, 104_500, "exact"), (446_400_000, 446_400_000, "exact"), (95_600, 95_600, "exact")],
    ),
    # JA-internationalNews-142-20170201: a compound only descends, so «و15 الف» starts the range's end
    (
        "وحسب تقريره هناك تحفيز يتراوح بين 8 الاف و15 الف بيزو",
        [(8_000, 15_000, "range")],
    ),
    # JA-sport-638-20170304: «مئات الملايين» is one vague amount
    (
        "أبرم، في السنوات القليلة الماضية، العديد من العقود مقابل مئات الملايين من اليورو مع حكومة ولاية ريو",
        [(100_000_000, 999_999_999, "vague")],
    ),
    # JA-culture-87-20170417 and JA-diverse-118-20170221: a fraction after a hedge is a share
    ("محققا وحده نحو ثلثي عائدات عطلة نهاية الأسبوع.", [(0.666667, 0.666667, "approx")]),
    (
        "ووجدت الدراسة التي أن أكثر من نصف العاملين في العاصمة البريطانية، لندن، يعانون من الإجهاد",
        [(0.5, None, "at_least")],
    ),
    # JA-localNews-756-20160607: years, a season («2013-2014») and a day of a month are not figures
    (
        "سيقع الانطلاق في صرف منحة التدريس بمراكز العمل الدوري لسنتي 2013-2014 و2014-2015 بداية من 15 جوان 2016",
        [],
    ),
    # JA-culture-22-20161114: «للدورة 27» numbers an edition
    (
        "وكانت وزارة الشؤون الثقافية قد دعت في بلاغ أصدرته اليوم الهيئة المديرة للدورة 27 لأيام قرطاج السينمائية",
        [],
    ),
]


@pytest.mark.parametrize(("text", "expected"), VALUES)
def test_numbers_in_their_arabic_shapes(text: str, expected: list[tuple]) -> None:
    assert _figures(text) == expected


AGES = [
    # JA-diverse-221-20150508, JA-diverse-283-20170323, JA-internationalNews-954-20170524
    ("تمكنت السلطات الاسبانية من إيقاف فتاة مغربية عمدت أمس الخميس إلى تهريب طفل افريقي في الثامنة من عمره", 8),
    ("تعرّضت فتاة في الخامسة عشرة من عمرها للاغتصاب في مدينة شيكاغو الأمريكية", 15),
    ("وتتكشف هويات الضحايا شيئا فشيئا ومن بينهم طفلة في الثامنة من العمر ومراهقتان", 8),
]


@pytest.mark.parametrize(("text", "age"), AGES)
def test_an_ordinal_after_fi_is_an_age_and_no_toll(text: str, age: int) -> None:
    ages = [f for f in extract_figures(text) if f.value_low == age]
    assert len(ages) == 1 and ages[0].category is None


def test_an_ordinal_hour_is_no_age() -> None:
    assert _figures("وصل الوفد في الثامنة صباحا إلى مقر الولاية") == []


# ---------------------------------------------------------------- who says it, as Jawhara FM writes it

CLAIMANTS = [
    # JA-localNews-4213-20170520: the correspondent told is not the source
    (
        "وأفاد مصدر أمني لمراسل الجوهرة اف ام بالجهة، بأنه تم القبض على احدهما، مشيرا إلى أنهما أصيلا منطقة "
        "رجيش تتراوح أعمارهما بين 25 و27 سنة.",
        "بين 25",
        "مصدر أمني",
    ),
    # JA-society-338-20160225: «وفقا لما جاء في بلاغ لوزارة …»: the ministry issued the statement
    (
        "وحجز الأمن لدى الموقوفين 3 سبائك من مادّة مطليّة باللّون الأصفر، وفقا لما جاء في بلاغ لوزارة الداخلية اليوم.",
        "3",
        "وزارة الداخلية",
    ),
    # JA-localNews-4285-20170524: «حسب ما أفاد به …»
    (
        "أذن وكيل الجمهورية بالمحكمة الابتدائية بقفصة اليوم الأربعاء، بإيقاف 3 أشخاص مشتبه بهم في قضايا تحيّل، "
        "حسب ما أفاد به وكيل الجمهورية، محمد الخليفي.",
        "3",
        "وكيل الجمهورية",
    ),
]


@pytest.mark.parametrize(("text", "number", "claimant"), CLAIMANTS)
def test_claimants_as_the_station_writes_them(text: str, number: str, claimant: str) -> None:
    assert _first(text, number).claimant == claimant


def test_the_speaker_continues_when_the_verb_names_only_the_medium_told() -> None:
    # JA-localNews-3645-20160818: the first sentence names the speaker, the second continues him
    text = (
        "قال المدير الجهوي لحفظ الصحة بنابل، عمر السليمي، اليوم الخميس إنه لوحظ تزايد حالات داء الكلب لدى "
        "الحيوان العام الحالي بولاية نابل مع تسجيل عدد من الإصابات بداء الكلب.\n"
        'وأضاف لمراسلة "الجوهرة أف أم" أنه تم تسجيل نحو 51 حالة مؤكدة منذ بداية العام.'
    )
    assert _first(text, "نحو 51").claimant == "المدير الجهوي لحفظ الصحة بنابل"


def test_a_passive_estimate_names_no_one() -> None:
    # JA-economy-267-20160822: «قدّرت ب…» is "was estimated at"
    assert _first("حيث قدّرت ب104،5 ألف طن", "104").claimant is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # JA-internationalNews-720-20170324: «حتفهم» is the 12's; the boat carried 22, alive or not
        (
            "لقي 12 شخصا حتفهم بعد غرق قارب مطاطي كان يقل 22 سوريا ويتجه إلى اليونان قبالة بلدة كوشاداسي المطلة "
            "على بحر إيجه.",
            ["dead", None],
        ),
        # JA-internationalNews-275-20150913
        (
            "لقي ثلاثة أشخاص سوريين بينهم طفل حتفهم صباح اليوم الأحد في حادث غرق مركب كان يقل نحو 100 مهاجر قبالة "
            "جزيرة فارماكونيسي اليونانية.",
            ["dead", None],
        ),
    ],
)
def test_a_category_word_a_figure_took_is_not_the_next_figures(text: str, expected: list) -> None:
    assert [f.category for f in extract_figures(text)] == expected


def test_a_category_question_takes_any_name_for_the_people_it_befell() -> None:
    """«عدد الموقوفين» is answered by «القبض على 431 إرهابيا»: the arrest, not the word for them."""
    from search.figures.answers import _counts_what_was_asked

    q = parse_question("كم عدد الموقوفين؟")
    for text in (
        # JA-internationalNews-995-20160506 and JA-internationalNews-1142-20170609
        "وأضاف نفس المصدر أنه تم إيقاف 3 إرهابيين، بينهم ليبيان بحوزتهما جوازا سفر مزوّران",
        "في حين تم القبض على 8 مهربين ببرج باجي مختار وضبط شاحنة وكمية من المواد الغذائية",
    ):
        f = extract_figures(text)[0]
        assert f.category == "captured"
        assert _counts_what_was_asked(q, f, text, None) is not None  # type: ignore[arg-type]


def test_the_maghreb_word_for_residents_asks_for_a_population() -> None:
    assert parse_question("كم عدد متساكني ولاية نابل؟").noun.cls == "resident"  # type: ignore[union-attr]


def test_bayyana_before_an_continues_the_speaker() -> None:
    # JA-economy-170-20161129: «وبين أن» (he explained that), not «بين» (between)
    text = (
        "وأكد إيلومالو عزمه الاستثمار في تونس مجال البنوك والتمويل. وبين أن هذا البنك لديه فروع في أكثر من 20 "
        "دولة إفريقية جنوبي الصحراء ويقدم خدماته لأكثر من 40 مليون عميل."
    )
    assert (_first(text, "أكثر من 20").claimant or "").startswith("إيلومالو")


def test_adad_after_a_legal_text_numbers_it() -> None:
    # JA-localNews-1347-20170216: «الأمر عدد 161» is decree No. 161
    text = (
        "وبين أن المحكمة الادارية، التي لجأ اليها نواب لجنة المالية والتخطيط (من المعارضة) للطعن في الأمر عدد 161 "
        'لعدم "مطابقته للقانون'
    )
    assert _figures(text) == []


def test_a_passive_estimate_with_its_subject_names_no_one() -> None:
    # JA-economy-163-20150920: «قدرت قيمة المحجوز ب…» is "the value was estimated at"
    text = "وقدرت قيمة المحجوز ب106 آلاف دينار، تنضاف اليها حوالي 60 ألف دينار"
    assert [f.claimant for f in extract_figures(text)] == [None, None]


def test_the_correspondent_after_the_source_is_not_part_of_it() -> None:
    # JA-society-1034-20170615
    text = "وحجز أكثر من 110 آلاف دينار لديهما، بحسب ما أفاد به مصدر أمني مراسل الجوهرة أف أم في المنستير."
    assert _first(text, "أكثر من 110").claimant == "مصدر أمني"


def test_a_decree_number_is_not_a_figure() -> None:
    # JA-localNews-4566-20170609
    text = "وذلك عملا باحكام الفصل عدد 4 من الامر 2948 لسنة 2010 المؤرخ في 9 نوفمبر 2010"
    assert _figures(text) == []


def test_a_span_of_years_is_not_a_figure() -> None:
    # JA-economy-248-20170506: the 43 billion is the figure, 2006 and 2016 bound its period
    text = (
        "خسرت تونس ما يعادل 43 مليار دينار من العملة الصعبة خلال الفترة الممتدة من 2006 إلى 2016 تبعا للنظام "
        "الاستثنائي المسند للشركات"
    )
    assert _figures(text) == [(43_000_000_000, 43_000_000_000, "exact")]


def test_a_number_before_minhum_counts_part_of_the_figure_before_it() -> None:
    # JA-society-552-20160429: 16 of the 29 poisoned pupils; «نقل 16» says no one's words
    text = (
        "تم صباح اليوم الجمعة تسجيل 29 حالة تسمم في صفوف تلاميذ مبيت المدرسة الإعدادية خير الدين بالفحص من ولاية "
        "زغوان، مما استوجب نقل 16 منهم إلى المستشفى المحلي بالمعتمدية"
    )
    whole, part = extract_figures(text)
    assert (whole.unit, whole.category) == ("حاله", "injured")  # poisoning is an injury
    assert (part.value_low, part.unit, part.category, part.claimant) == (16, "حاله", "injured", None)


def test_a_plural_in_construct_is_the_noun_it_inflects() -> None:
    # JA-localNews-2632-20170311: «من جرحى الحادث»; asked as «مصابي الحادث», the construct of «مصابين»
    text = (
        "غادر 4 من جرحى حادث البلفدير الذي جد صباح السبت، للمستشفى بعد تلقيهم الاسعافات الطبية اللازمة، فيما يخضع "
        "بقية المصابين وعددهم 7 للمراقبة الطبية"
    )
    assert _first(text, "4").category == "injured"
    q = parse_question("كم عدد مصابي حادث البلفدير؟")
    assert (q.noun.cls, q.category) == ("injured", "injured")


def test_a_noun_with_a_possessive_pronoun_is_the_noun() -> None:
    # JA-diverse-96-20161029: «عدد سكانها» with a preposition («منذ») after the first number
    text = (
        "وبعد أن كان عدد سكانها 50 ألف منذ 10 سنوات وصل الآن الى 4 آلاف والسبب فى ذلك هو هجره معظم سكانها إلى "
        "المدن الكبرى"
    )
    assert [(f.value_low, f.unit) for f in extract_figures(text)] == [(50_000, "ساكن"), (10, "سنه"), (4000, "ساكن")]
    # JA-internationalNews-391-20161021: «عدد ضحاياها» says the dead
    text = (
        "وتقول الإحصائيات الرسمية إن الحوادث المرورية في الهند تحصد أرواح نحو 400 شخص يوميا، في حين يبلغ عدد "
        "ضحاياها 159 ألف شخص كل سنة."
    )
    assert _first(text, "159").category == "dead"
    assert parse_question("كم عدد سكانها؟").noun.cls == "resident"


def test_the_name_ali_is_not_the_preposition_ala() -> None:
    # both normalise to «علي»; the name is written with ي. JA-internationalNews-1180-20160501,
    # JA-society-421-20170224
    text = "وقال حاكم منطقة غازي عنتاب علي يرليكايا إن 9 من الجرحى هم من رجال الشرطة"
    assert _first(text, "9").claimant == "حاكم منطقة غازي عنتاب علي يرليكايا"
    text = (
        "وأكد الكاتب العام لبلدية تستور علي الغربي أن الأمطار الأخيرة ساهمت في تدهور حالة الحائط الممتد على طوال "
        "حوالي 30 مترا خطيّا"
    )
    assert _first(text, "حوالي 30").claimant == "الكاتب العام لبلدية تستور علي الغربي"


def test_a_rule_after_tibqan_or_hasab_is_no_source() -> None:
    # JA-localNews-2084-20170303: «طبقا لأحكام الفصل 96» follows the 6 years; the spokesman gives them
    text = (
        "كما قضت الدائرة ذاتها، وفق ما صرح به سفيان السليطي، الناطق الرسمي باسم المحكمة الابتدائية بتونس والقطب "
        "القضائي لمكافحة الإرهاب، بالسجن 6 سنوات مع النفاذ العاجل ضد محمد عماد الطرابلسي في نفس القضية، طبقا "
        "لأحكام الفصل 96 من المجلة الجزائية"
    )
    assert _first(text, "6").claimant == "سفيان السليطي"


def test_claimants_of_other_shapes_of_the_reporting_clause() -> None:
    # JA-localNews-2540-20160617: «وكان X قد أعلن»
    text = (
        'وكان وزير التربية ناجي جلول قد أعلن في تصريح اليوم ل"الجوهرة أف أم" أن التلميذ أسامة الجمني المرسم بنفس '
        "المعهد ونفس الشعبة قد تحصل بدوره على معدل 19.27"
    )
    assert _first(text, "19.27").claimant == "وزير التربية ناجي جلول"
    # JA-internationalNews-355-20151129: «تشير القائمة إلى أن»
    text = (
        "إذ تشير القائمة إلى أن الهدايا المخصصة من المملكة إلى السيدة الأولى ميشيل أوباما وابنتي الرئيس ماليا "
        "وساشا، قدرت بـ 1.35 مليون دولار."
    )
    assert _first(text, "1.35").claimant == "القائمة"
    # JA-internationalNews-319-20170220: «حسب ما علم لدى X»: X, not the verb
    text = (
        "سجلت هذا الإثنين هزة أرضية بولاية الجزائر، بلغت قوتها 7ر3 درجة على سلم ريشتر، حسب ما علم لدى مركز البحث "
        "في علم الفلك والفيزياء الفلكية والجيوفيزياء."
    )
    assert _first(text, "7ر3").claimant.startswith("مركز البحث")
    # JA-diverse-120-20170222: a fronted «ومن بين …» is not the verb's subject
    text = (
        "ومن بين البلدان الأعلى دخلا رجحت الدراسة التي أجريت بإشراف إمبريال كوليدج بالتعاون مع منظمة الصحة العالمية "
        "أن تأتي الولايات المتحدة في ذيل قائمة متوسط العمر المتوقع في عام 2030، ورجحت أن يبلغ متوسط العمر بها 79.5 "
        "عام للرجال"
    )
    assert not (_first(text, "79.5").claimant or "").startswith("ومن")


def test_a_hedge_verb_with_an_adverb_or_a_possessed_noun_before_its_number() -> None:
    # JA-localNews-3714-20170502: «يفوق سنويا 10 آلاف»
    text = "أكد وزير التجهيز والإسكان، محمد صالح العرفاوي أن عدد حوادث المرور في تونس يفوق سنويا 10 آلاف"
    assert _figures(text) == [(10_000, None, "at_least")]
    # JA-internationalNews-497-20160514: «لم تتجاوز أعمارهن ال 25 سنة»
    text = 'خططت لها مجموعة تتكون من 4 فتيات لم تتجاوز أعمارهن ال 25 سنة ينتمين إلى جماعة "المسلمات الجديدات"'
    assert _figures(text) == [(4, 4, "exact"), (None, 25, "at_most")]


@pytest.mark.parametrize(
    "text",
    [
        # JA-localNews-1627-20161030: the minutes of a clock time
        "سجلت محطات رصد الزلازل التابعة للمعهد الوطني للرصد الجوي في حدود الساعة العاشرة و27 دقيقة من صباح اليوم",
        # JA-localNews-1678-20151228: a list of days before one month
        "من الوصول إلى مواقع تتحصن بها مجموعات ارهابية بجبلي الشعانبي والمغيلة وذلك أيام 4 و 5 و 8 و12 ديسمبر",
        # JA-localNews-623-18112016: the 21st congress
        "وأوضح عوينة عي افتتاح المؤتمر 21 للأمراض الصدرية والحساسية",
        # JA-localNews-437-20170131: a phone number
        "أو الاتصال بمنظمة الدفاع عن المستهلك أو على الرقم الأخضر 80100191",
        # JA-localNews-455-01042016: numbers joined by «+» name something («مجموعة 5+1» too)
        "وذلك على الأماكن التاليّة : سوسة : حي الرياض 1+2,حي التعمير ,حي الزهراء",
        # JA-sport-548-20170226: a minute of added time
        "و أضاف الثاني في الدقيقة 90+2 .",
    ],
)
def test_times_days_editions_and_phone_numbers_are_not_figures(text: str) -> None:
    assert _figures(text) == []


def test_a_noun_before_al_number_and_prisoners_that_something_befell() -> None:
    # JA-diverse-65-20170203: «السنوات الـ20 المقبلة» counts years
    text = "على مدى السنوات الـ20 المقبلة."
    assert [(f.value_low, f.unit) for f in extract_figures(text)] == [(20, "سنه")]
    # JA-diverse-211-20170329: the 28th summit is no figure
    assert _figures("شهدت القمة العربية الـ28 المنعقدة في منطقة البحر الميت") == []
    # JA-internationalNews-613-20170329: the prisoners killed are dead, not held
    text = (
        'وقالت حكومة ولاية "نويفو ليون" المكسيكية إن حوالي 50 سجينا هاجموا الثلاثاء صيدلية السجن واضرموا النار في '
        "عدد من الزنزانات، مما أسفر عن مقتل سجينين وإصابة 13 آخرين."
    )
    assert [f.category for f in extract_figures(text)] == ["captured", "dead", "injured"]


def test_a_fraction_of_a_million_and_more_hedges() -> None:
    # JA-localNews-2433-20161202: «0.690 مليون» is 690 thousand, not 690 million
    assert _figures("*اتفاقية هبة بقيمة 0.690 مليون يورو من قبل البنك الألماني للتنمية (KFW)") == [
        (690_000, 690_000, "exact")
    ]
    # JA-internationalNews-56-20170125: the Maghreb's «أزيد من»
    text = "لزلزال مدمر خلف أزيد من 8900 قتيل وآلاف الجرحى والمفقودين"
    assert _first(text, "أزيد من 8900").value_high is None


def test_cases_of_death_are_the_dead() -> None:
    # JA-internationalNews-676-20160207: «حالات وفاة» («وفاة» begins with و and is no new clause)
    text = (
        'وكانت السلطات الكولمبية قد أعلنت يوم الجمعة عن 3 حالات وفاة بفيروس" زيكا" الذي ينتقل عن طريق لسع بعوض يسمى '
        '"البعوض النمر"'
    )
    assert (_first(text, "3").category, _first(text, "3").claimant) == ("dead", "السلطات الكولمبية")


def test_conveyed_from_someone_is_that_someones() -> None:
    # JA-internationalNews-294-20151109: «نقل X عن مصدر في وزارة الداخلية قوله»
    text = (
        "ونقل التلفزيون الإيطالي عن مصدر في وزارة الداخلية، قوله إن بن نصر كان قد وصل في 4 أكتوبر الماضي إلى جزيرة "
        "لامبيدوزا الإيطالية تحت اسم مستعار ضمن مجموعة من نحو 200 من المهاجرين"
    )
    assert _first(text, "نحو 200").claimant == "مصدر في وزارة الداخلية"


def test_two_years_are_not_two_cents() -> None:
    # JA-diverse-331-20170426
    text = "نجا رضيع يبلغ من العمر سنتين من الموت المحقق بعد أن مرت سيارة من فوقه في الصين."
    assert [(f.value_low, f.unit) for f in extract_figures(text)] == [(2, "سنه")]


@pytest.mark.parametrize(
    ("text", "number", "claimant"),
    [
        # JA-localNews-4630-20170618: «حسبما» is «حسب ما»
        (
            "ليرتفع عدد أسماك التن الأحمر المحجوزة، خلال هذا الأسبوع، إلى 108 بوزن يفوق 6 أطنان، حسبما أفاد به مصدر "
            "من الحرس البحري بالمهدية، مراسل الجوهرة أف أم في الجهة.",
            "108",
            "مصدر من الحرس البحري بالمهدية",
        ),
        # JA-localNews-3334-20170407: «بناء على معلومات وردت عليها» is the basis of a raid, not a source
        (
            "تمكّنت فرقة الأبحاث والتفتيش التابعة للحرس الوطني بسيدي بوزيد، اثر مداهمة إحدى المنازل بمنطقة السد "
            "بمعتمدية السبالة بناء على معلومات وردت عليها، من حجز 7 آلاف خرطوشة لبنادق صيد.",
            "7 آلاف",
            None,
        ),
        # JA-localNews-1665-20170223: «قدرت القيمة … بـ» is estimated, by no one named
        ("وقد قدرت القيمة المالية الجملية للمحجوز بـ166.310 ألف دينار", "166.310 ألف", None),
    ],
)
def test_claimants_from_the_second_review(text: str, number: str, claimant: str | None) -> None:
    assert _first(text, number).claimant == claimant


def test_a_fall_from_one_level_to_another_is_two_figures() -> None:
    # JA-economy-315-20140428: «بتراجع من 102 الى 93 يوم توريد» is no range
    text = (
        "بلغ الاحتياطي من العملة الصعبة للبلاد الى غاية 25 أفريل 2014 مستوى 391ر10 مليار دينار مقابل 944ر10 مليار "
        "دينار في أفريل 2013 أي بتراجع من 102 الى 93 يوم توريد خلال نفس الفترة،وفق البنك المركزي التونسي."
    )
    assert _figures(text)[-2:] == [(102, 102, "exact"), (93, 93, "exact")]


def test_a_score_against_is_not_a_figure() -> None:
    # JA-sport-892-20170318
    text = "و كان المنتخب التونسي قد فاز في اللقاء الأول على حساب المنتخب المغربي بنتيجة 79 مقابل 67 و ينفرد بذلك"
    assert _figures(text) == []


def test_each_clause_keeps_its_own_category() -> None:
    # JA-internationalNews-15-20170120: «بينما أصيب 20» is the second figure's, not the first's
    text = (
        "قتل 3 أشخاص بينما أصيب 20، بعد عملية دهس قامت بها سيارة عمدا لعدد من المشاة، الجمعة، وسط مدينة ملبورن، ثاني "
        "أكبر مدن أستراليا حسب حصيلة قدمتها الشرطة الأسترالية."
    )
    assert [f.category for f in extract_figures(text)] == ["dead", "injured"]
    # JA-localNews-2220-20140410: «إيقاف 6 من هذه العناصر» counts the elements
    text = (
        "أن مواجهات ليلة البارحة التي اندلعت في الروحية من ولاية سليانة بين أعوان الأمن وعدد من العناصر المحسوبة على "
        "التيار المتشدّد أسفرت عن إصابة 3 أعوان وإيقاف 6 من هذه العناصر"
    )
    assert [(f.category, f.noun) for f in extract_figures(text)][-1] == ("captured", "العناصر")


def test_a_hedge_before_a_dual() -> None:
    # JA-economy-218-20170407: «منذ أكثر من أسبوعين» is at least two weeks
    text = "وتشهد ولاية تطاوين منذ أكثر من أسبوعين تحركات احتجاجية للمطالبة بالحق في التشغيل والتنمية."
    assert [(f.value_low, f.value_high, f.qualifier, f.unit) for f in extract_figures(text)] == [
        (2, None, "at_least", "اسبوع")
    ]


def test_spans_of_years_and_pages_are_not_figures() -> None:
    # JA-localNews-3431-20170407: a school year with spaces around its dash, then a new clause
    assert _figures("وبدأ العمل به في السنة الدراسية 2015 - 2016 وأضاف البلاغ ان الوزارة") == []
    # JA-localNews-3395-20170104: an olive season
    text = "شارف موسم جني الزيتون 2016/2017 على الانتهاء ويتوقع ان يصل الإنتاج الوطني من زيت الزيتون إلى 100 ألف طن"
    assert _figures(text) == [(100_000, 100_000, "exact")]
    # JA-localNews-3431-20170407: «ص 139» is a page, and so is the 145 listed after it
    assert _figures("التمرينان في كتاب اللغة للسنة التاسعة ص 139 و145 حيث يطلب") == []


def test_an_idiom_an_addressee_and_a_post_before_a_title_in_claimants() -> None:
    # JA-internationalNews-611-20170320: «كشف النقاب عن» («النقاب» is no part of the name)
    text = (
        "كشفت الولايات المتحدة الأمريكية النقاب عن 750 تسجيلا مصورا لتجارب نووية سرية جرت في الفترة ما بين 1945-1962."
    )
    assert [(f.value_low, f.claimant) for f in extract_figures(text)] == [(750, "الولايات المتحدة الأمريكية")]
    # JA-internationalNews-819-20170502: «للسيد شي» is the one spoken to
    text = "أوضح الرئيس للسيد شي أن هناك شيئا يريد أن يبلغه به، وهو إطلاق 59 صاروخا على سوريا"
    assert _first(text, "59").claimant == "الرئيس"


def test_committal_warrants_hold_and_a_pardon_frees() -> None:
    # JA-localNews-2259-20140805: «بطاقات ايداع بالسجن في حق 12» are 12 held
    text = (
        "أصدر وكيل الجمهورية بالمحكمة الابتدائية بسوسة اليوم بطاقات ايداع بالسجن في حق 12 منتسبا للتيار الديني "
        "المتشدد بالقلعة الكبرى"
    )
    assert [f.category for f in extract_figures(text)] == ["captured"]


def test_maghreb_units_and_an_adverb_after_the_number() -> None:
    # JA-localNews-4657-20170617: «هك» is hectares
    text = 'استرجعت الدولة يوم الخميس الماضي عقارا دوليا فلاحيا يمسح 12 هك في منطقة "وادي المرسلين"'
    assert [f.unit for f in extract_figures(text)] == ["هك"]
    # JA-economy-111-20170223: «مليم», the thousandth of a dinar
    text = "والكيلوغرام الواحد من لحم الدجاج الذي ارتفع إلى 2800 مليم مقابل 1900 مليم في سبتمبر"
    assert [f.unit for f in extract_figures(text)] == ["كيلوغرام", "مليم", "مليم"]  # «الكيلوغرام الواحد» too
    # JA-localNews-3924-20170516: «سنويا» is when, not what; «كلغ» is kilograms
    text = "أن كلفة تبذير الخبر في تونس بلغت حوالي 100 مليار سنويا ( 42 كلغ من الخبز تتلفه كل أسرة سنويا)"
    assert [f.noun for f in extract_figures(text)][0] != "سنويا"
    assert _first(text, "42").unit == "كلغ"


def test_people_taken_to_hospital_are_injured() -> None:
    # JA-internationalNews-466-20161219: the poisoned taken to hospital, beside the dead
    text = (
        'وفقا لمعلوماتنا، توفي 16 شخصا على الأقل جراء كحول مسمم صنعته إحدى السيدات صباح اليوم". ونقل 16 شخصا '
        "آخرين إلى المستشفيات المحلية في حالة خطر"
    )
    assert [f.category for f in extract_figures(text)] == ["dead", "injured"]
    # JA-localNews-1700-20150311: «بنقل 5 عاملات الى المستشفى»
    text = "وتدخلت مصالح الحماية المدنية وقامت بنقل 5 عاملات الى المستشفى الجهوي وإخماد حريق"
    assert [f.category for f in extract_figures(text)] == ["injured"]


@pytest.mark.parametrize(
    "text",
    [
        # JA-culture-82-20170406: a day «من الشهر نفسه»
        "التي ستنطلق فعاليّاتها يوم 8 أفريل 2017 لتتواصل إلى غاية 15 من الشهر نفسه.",
        # JA-localNews-2910-20170315: the Tunisian «عدد» after «للقانون»
        "فيتعلق بعرض مشروع تنقيح جزئي واستثنائي للقانون عدد 52 ، في انتظار استكمال مناقشة المراجعة الشاملة",
        # JA-localNews-3028-20170318: a letter and a number name an aircraft
        'أعلنت الخطوط التونسية، أن الطائرة "أ 320"، التي أقلعت صباح السبت من مطار تونس قرطاج',
        # JA-sport-1250-20170527: a stage of a tournament
        "بالإضافة لوصوله لدور 16 بدوري أبطال أوروبا، حيث ودّع البطولة أمام ليستر سيتي.",
        # JA-localNews-546-20170201: two articles of a code, the second listed after the first
        "مشيرة إلى أنه لابد من الإسراع بإلغاء الفصلين 227 و239 من المجلة الجزائية",
        # JA-sport-912-20170116, JA-sport-1031-20170415: a result in sets, and the sets' scores
        "عقب تغلبه صباح اليوم على الياباني قو صويدا بنتيجة ثلاثة أشواط مقابل صفر تفاصيلها 6-3 . 6-4 . 6-3 .",
        "تمكن الترجي الرياضي التونسي من الفوز على النجم الساحلي بنتيجة 3 أشواط دون رد تفاصيلها (24/26, 19/25,17/25)",
        # JA-culture-118-20170607: a season's year
        "وستكون جاهزة في أواخر صيف 2017 مضيفا أن هذه المسرحية ستكون مفاجأة سارة",
        # JA-technology-32-20160501: a year before 1800
        "كان العالم ابن سينا تحدث عنها في أحد كتبه منذ عام 1006، حول الظاهرة الفلكية",
        # JA-diverse-117-20170221: days of the month, listed after it
        "ومن المنتظر أن يتكرر يوم الجمعة  خلال هذا الشهر أي مارس في أيام 3، 10، 17، 24، 31.",
    ],
)
def test_days_years_names_stages_and_set_scores_are_not_figures(text: str) -> None:
    assert _figures(text) == []


def test_verbs_of_nearness_hedge_approximately() -> None:
    # JA-politic-339-20160404: «ناهزت الـ15 مليار»
    text = "من خلال طلب الحكومة قروضا من المؤسسات الماليّة الدوليّة ناهزت الـ15 مليار دينار."
    assert _figures(text) == [(15_000_000_000, 15_000_000_000, "approx")]


def test_a_bare_amount_is_in_the_currency_of_the_amount_before_it() -> None:
    # JA-internationalNews-925-20170512: «1.94 مليار» is in dollars, a unit the text does not repeat
    text = "بعدما هبط صافي ربح العام المالي الذي انتهى في مارس إلى 340 مليون دولار، مقابل 1.94 مليار في العام المالي السابق"
    found = [(f.value_low, f.unit, f.noun) for f in extract_figures(text)]
    assert found == [(340_000_000, "دولار", "دولار"), (1_940_000_000, "دولار", None)]


def test_a_century_is_no_figure() -> None:
    # JA-diverse-371-20170529: «في القرن 21»
    assert _figures("وأشارت إلى أن سمنة الطفولة من أخطر المشكلات الصحية في القرن 21، ومن المحتمل") == []
    # JA-localNews-3367-20150418: the century is not counted, the four centuries of its age are
    text = "ويعود الى آخر الفترة الوسيطة وبداية الفترة الحديثة اي من القرن 17 ميلادي وعمره أربعة قرون"
    assert _figures(text) == [(4, 4, "exact")]


def test_bodies_named_with_a_category_a_foreign_name_and_what_a_verb_approved() -> None:
    # JA-diverse-456-20170614: «أوكسفام» is a name, not a verbal noun that ends it
    text = "وأظهر تقرير سابق لمنظمة أوكسفام أن هناك 8 أشخاص هم الأغنى عالمياً"
    assert _first(text, "8").claimant == "تقرير سابق لمنظمة أوكسفام"
    # JA-localNews-4823-20160704: a body's name may hold «شهداء وجرحى» after its «ل»
    text = (
        "أعلنت الهيئة العامة لشهداء وجرحى الثورة والعمليات الإرهابية، أنه سيتم إسناد منحة بقيمة 500 دينار "
        "لكافة عائلات شهداء الثورة"
    )
    assert _first(text, "500").claimant == "الهيئة العامة لشهداء وجرحى الثورة والعمليات الإرهابية"
    # JA-localNews-2710-20170313: «أقرت منذ أيام مشروع»: «منذ» opens no name; the mayor said it
    text = "قال محمد المكني رئيس بلدية سوسة، إن البلدية أقرت منذ أيام مشروع بكلفة 8 ملايين دينار لإصلاح الطرقات"
    assert _first(text, "8 ملايين").claimant == "محمد المكني رئيس بلدية سوسة"


def test_an_owned_noun_before_a_definite_numeral_and_the_metre_after_a_length() -> None:
    # JA-localNews-974-20161203: «وإيقاف عناصرها الثلاثة»: three of its members, arrested
    text = "تمكنت من تفكيك عصابة مختصة في السرقة وإيقاف عناصرها الثلاثة وهم من أصحاب السوابق."
    f = _first(text, "الثلاثة")
    assert (f.noun, f.category) == ("عناصرها", "captured")
    # JA-localNews-3042-20170318: «أطفالها الأربعة»
    assert _first("كي تعيل أطفالها الأربعة، فحصولها على شهائدها", "الأربعة").noun == "اطفالها"


def test_bilion_is_a_billion() -> None:
    # JA-technology-37-20170215: «بليون», the billion of Levantine and Egyptian writing
    text = "ونما بطريقة سريعة جعلت «غوغل» يقدّم طلباً لشرائه بمبلغ 1.6 بليون دولار."
    assert [(f.value_low, f.unit) for f in extract_figures(text)] == [(1_600_000_000, "دولار")]


def test_numbers_that_open_the_items_of_a_list_are_not_figures() -> None:
    # JA-sport-1169-20170506: a standings table; its points stay figures
    text = "الترتيب قبل الجولة الثالثة :  1- الترجي الرياضي 19 ن 2-النجم الساحلي 17ن 3- النادي الافريقي 14ن"
    assert [f.value_low for f in extract_figures(text)] == [19, 17, 14]


def test_she_spoke_of_is_a_verb_of_saying() -> None:
    # JA-localNews-1384-20170217: «وتحدثت ألفة يوسف عن …»
    text = (
        "وتحدثت ألفة يوسف عن غياب الدور الثقافي في مقاومة الإرهاب وعن بلد كانت في السبيعينات تطبع من الكتاب "
        "الواحد في المعدل 3 ألاف نسخة لتصبح اليوم 500 نسخة فقط"
    )
    assert _first(text, "500").claimant == "ألفة يوسف"


def test_a_span_of_years_with_hatta_stays_out() -> None:
    # JA-diverse-273-20170408: «من 1990 حتى 2015» is a period, not a range of figures
    text = "قد استند إلى عادات التدخين في 195 دولة ومنطقة في الفترة من 1990 حتى 2015، وخلص هذا التقرير"
    assert _figures(text) == [(195, 195, "exact")]
