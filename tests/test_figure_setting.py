"""When a clause sets a figure (search/figures/setting.py).

The sentences are quoted from the ANT Corpus v1.1 (Jawhara FM, Tunisia; Apache-2.0), by
article id; the questions are our own.
"""

from __future__ import annotations

from datetime import date

from search.arabic import tokenize
from search.figures.questions import parse_question
from search.figures.setting import Period, another_time, nearest, times_at


def _words(text: str) -> list[str]:
    return [t.text for t in tokenize(text)]


def _at(words: list[str], number: str) -> int:
    return words.index(number)


def test_last_year_sets_a_figure_at_another_time() -> None:
    # JA-diverse-353-20170514
    text = 'الرئيس المشارك في بنك "غولدمان ساكس" جون وينبرغ الذي قبض العام الماضي 124 مليون دولار أميركي'
    published = date(2017, 5, 14)
    words = _words(text)
    times = times_at(words, published)
    assert [p.label() for _, p in times] == ["2016"]
    said = nearest(times, _at(words, "124"), _at(words, "124") + 1, set())  # type: ignore[arg-type]
    assert isinstance(said, Period)
    asked = parse_question("كم دولاراً قبض جون وينبرغ في 2017؟").period
    assert asked is not None and another_time(asked, said)  # last year's pay, not this year's
    assert not another_time(parse_question("كم دولاراً قبض جون وينبرغ في 2016؟").period, said)
    # a question that names no time keeps a dated past: it may recall an earlier report of the story
    assert not another_time(None, said)


def test_then_sets_a_figure_at_another_time() -> None:
    # JA-localNews-160-20170126: the 1978 toll, recalled in 2017; «آنذاك» is another time, whatever is asked
    text = (
        "فانطلقت الأحداث منذ 24 جانفي 1978 لتبلغ أوجها يوم 26 جانفي إذ سقط آنذاك قتلى وجرحى "
        "واعترفت الحكومة بسقوط 52 قتيلا"
    )
    words = _words(text)
    said = nearest(times_at(words, date(2017, 1, 26)), _at(words, "52"), _at(words, "52"), set())
    assert isinstance(said, Period) and said.kind == "other" and another_time(None, said)


def test_last_week_is_the_same_time() -> None:
    # JA-internationalNews-382-20170227: «الأسبوع الماضي» is the story's own week
    text = "وأعلنت وزارة الدفاع الجزائرية الأسبوع الماضي أن قوات الجيش قتلت 14 إرهابياً في ولاية البويرة"
    words = _words(text)
    said = nearest(times_at(words, date(2017, 2, 27)), _at(words, "14"), _at(words, "14"), set())
    assert said is None


def test_a_time_past_another_figure_is_that_figures() -> None:
    # the month after the second number dates the second, not the first
    words = _words("انخفضت الصادرات في مايو إلى 6 ملايين برميل مقارنة مع 7 ملايين برميل في أبريل")
    times = times_at(words, date(2015, 7, 20))
    first = nearest(times, _at(words, "6"), _at(words, "6") + 1, set(), [_at(words, "7")])
    second = nearest(times, _at(words, "7"), _at(words, "7") + 1, set(), [_at(words, "6")])
    assert isinstance(first, Period) and first.label() == "2015-05"
    assert isinstance(second, Period) and second.label() == "2015-04"
    asked = parse_question("كم بلغت صادرات السعودية من النفط الخام في مايو 2015؟").period
    assert asked is not None and asked.label() == "2015-05"
    assert not another_time(asked, first) and another_time(asked, second)


def test_since_and_unmarked_words_set_no_time() -> None:
    # «منذ» counts up to now; a month word needs a cue before it («في», a day) or a year after
    assert times_at(_words("ارتفع عدد الضحايا منذ مارس إلى 20"), date(2015, 7, 1)) == []
    assert times_at(_words("قالت تيريزا ماي إن 20 شخصا"), date(2017, 6, 1)) == []
    hijri = parse_question("كم عدد المعتمرين في موسم العمرة لعام 1436هـ؟").period
    assert hijri is not None and hijri.label() == "1436H"
    assert another_time(hijri, Period("hijri", 1435, 1435))
    assert not another_time(hijri, Period("month", 2015 * 12, 2015 * 12 + 11))  # calendars not compared
