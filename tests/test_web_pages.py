"""The HTML pages through Flask's test client: answer card, passages, paging, filters, document page,
export, error pages, and escaping of everything that comes from the query or the index."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote, quote_plus, unquote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import REPO, WEB_TOKEN
from web.render import marked, snippet, timeline_svg

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"
TOKEN = WEB_TOKEN


class Page(HTMLParser):
    """The tags and attributes of a page, to check what it loads and what it runs."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.script_bodies: list[str] = []
        self._in_script = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.script_bodies.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag]


def _get(client: FlaskClient, path: str, **params: object) -> str:
    r = client.get(path, query_string=params)
    assert r.status_code == 200, r.get_data(as_text=True)[:500]
    return r.get_data(as_text=True)


def _text(html: str) -> str:
    """The page's visible words, tags dropped, whitespace folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _post(app: Flask, doc: dict) -> str:
    r = app.test_client().post("/api/documents", json=doc, headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 201, r.get_data(as_text=True)
    return r.get_json()["documents"][0]["doc_id"]


def test_pages_are_arabic_rtl_and_load_only_their_own_assets(client: FlaskClient) -> None:
    doc_id = client.get("/api/search", query_string={"q": "روسيا"}).get_json()["results"][0]["doc_id"]
    for path in ("/", f"/search?q={QUESTION}", f"/documents/{doc_id}", "/documents/nope"):
        html = client.get(path).get_data(as_text=True)
        page = Page(html)
        (root,) = page.all("html")
        assert root == {"lang": "ar", "dir": "rtl"}
        assert any(m.get("name") == "viewport" for m in page.all("meta"))
        assert not page.script_bodies, "no inline script"
        for tag, attrs in page.tags:
            assert "style" not in attrs and not any(a.startswith("on") for a in attrs), (tag, attrs)
        for attrs in page.all("script") + page.all("link"):
            src = attrs.get("src") or attrs.get("href") or ""
            assert src.startswith("/static/"), src
    for asset in ("/static/mizan.css", "/static/mizan.js"):
        assert client.get(asset).status_code == 200


def test_home_has_the_search_box_and_example_questions(client: FlaskClient) -> None:
    page = Page(_get(client, "/"))
    (form,) = [f for f in page.all("form") if f.get("role") == "search"]
    assert form["action"] == "/search" and form["method"] == "get"
    (box,) = [i for i in page.all("input") if i.get("name") == "q"]
    assert box["maxlength"] == "500"
    examples = [a["href"] for a in page.all("a") if (a.get("href") or "").startswith("/search?q=")]
    assert len(examples) >= 3


def _groups(html: str) -> list[str]:
    return re.findall(r'<article class="group [^"]*"[^>]*>(.*?)</article>', html, re.S)


def test_the_answer_card_shows_the_conflicting_groups_side_by_side(client: FlaskClient) -> None:
    html = _get(client, "/search", q=QUESTION)
    text = _text(html)
    api = client.get("/api/answer", query_string={"q": QUESTION}).get_json()
    ten, eleven = api["groups"][:2]
    # the banner names both values, with the dual
    assert f"الأرقام متضاربة بين المصادر: تقديران مختلفان: {ten['label']} مقابل {eleven['label']}" in text
    groups = _groups(html)
    assert len(groups) == len(api["groups"]) >= 2
    # claimants first, then the outlets that reported it, counted with agreement
    first = _text(groups[0])
    assert first.index("يقوله: " + ten["claimants"][0]) < first.index("ورد في 7 مصادر مستقلة")
    assert "ورد في 5 مصادر مستقلة" in _text(groups[1]) and "حتى 11 ألفاً" in _text(groups[1])
    # one source card per figure: outlet, date, claimant, the sentence with its figure marked, a link to it
    cards = re.findall(r'<div class="source[^"]*">(.*?)</div>', groups[0], re.S)
    assert len(cards) == len(ten["figures"])
    f = ten["figures"][0]
    assert f["outlet"] in cards[0] and "28 أكتوبر 2024" in cards[0]
    assert f"يقوله: {f['claimant']}" in _text(cards[0])
    start, end = f["sentence_span"]
    assert f"<mark>{f['sentence'][start:end]}</mark>" in cards[0]
    assert f'href="/documents/{f["doc_id"]}?q=' in cards[0] and f"#{f['passage_id']}" in cards[0]
    # the estimates span months: a timeline where every figure is a point or counted on one, a lane per value
    (svg,) = re.findall(r'<svg class="timeline".*?</svg>', html, re.S)
    assert sum(map(int, re.findall(r'data-figures="(\d+)"', svg))) == sum(len(g["figures"]) for g in api["groups"])
    assert ten["label"] in svg and eleven["label"] in svg and "صحيفة الأفق الجديد" in svg
    assert 'href="/export/answer.csv?q=' in html and 'href="/export/answer.json?q=' in html


def test_the_summary_gives_every_group_before_the_columns(client: FlaskClient) -> None:
    html = _get(client, "/search", q=QUESTION)
    api = client.get("/api/answer", query_string={"q": QUESTION}).get_json()
    summary = re.search(r'<ol class="summary".*?</ol>', html, re.S)
    assert summary and html.index('class="summary"') < html.index('class="groups"')
    rows = re.findall(r'<li class="sum [^"]*">(.*?)</li>', summary.group(0), re.S)
    assert len(rows) == len(api["groups"])
    for row, group in zip(rows, api["groups"], strict=True):
        words = _text(row)
        assert group["label"] in words and group["claimants"][0] in words
        assert "ورد في" in words and "2024" in words  # its date span
    # four claimants of the first group: two names, then the rest counted («وجهتان أخريان»)
    assert len(api["groups"][0]["claimants"]) == 4 and "وجهتان أخريان" in _text(rows[0])


def test_group_colours_follow_the_value_not_the_rank(client: FlaskClient) -> None:
    def colours(**params: object) -> dict[str, str]:
        html = _get(client, "/search", q=QUESTION, **params)
        return {label: css for css, label in re.findall(r'<article class="group ([^"]*)" aria-label="([^"]*)"', html)}

    everything = colours()
    assert len(set(everything.values())) == len(everything) >= 2
    assert "agreed" not in everything.values()
    later = colours(**{"from": "2024-11-15"})  # a date filter changes which groups there are and their order
    shared = set(everything) & set(later)
    assert shared and all(everything[label] == later[label] for label in shared if len(later) > 1)
    # an agreed answer is green, never a group colour; the banner does not claim "the sources" for one outlet
    agreed = _get(client, "/search", q="كم عدد الصواريخ التي أطلقتها كوريا الشمالية؟")
    assert '<article class="group agreed"' in agreed and 'class="banner agreed"' in agreed
    outlet = client.get("/api/answer", query_string={"q": QUESTION}).get_json()["groups"][0]["outlets"][0]
    one = _text(_get(client, "/search", q=QUESTION, outlet=outlet))
    assert "الأرقام متضاربة بين المصادر" not in one and "المصادر متفقة" not in one
    assert f"مصدر واحد ({outlet})" in one


def test_an_agreed_answer_and_a_question_without_figures(client: FlaskClient) -> None:
    agreed = _text(_get(client, "/search", q="كم عدد الصواريخ التي أطلقتها كوريا الشمالية؟"))
    assert "المصادر متفقة: أكثر من ألف، ورد في 3 مصادر" in agreed
    none = _text(_get(client, "/search", q="كم عدد السفن في الميناء؟"))
    assert "لم نجد في المقاطع رقماً يجيب" in none and "الأرقام متضاربة" not in none


def test_keyword_search_has_no_card_and_marks_the_query_words(client: FlaskClient) -> None:
    html = _get(client, "/search", q="العقوبات الأوروبية")
    assert 'class="answer' not in html
    assert re.search(r"كلمات البحث في (مقطع واحد|مقطعين|\d+ مقاطع|\d+ مقطعاً)", _text(html))
    marks = re.findall(r"<mark>(.*?)</mark>", html)
    assert marks and all(("عقوب" in m) or ("اوروب" in m) or ("أوروب" in m) for m in marks), marks


def test_highlights_cover_whole_raw_words_with_harakat_and_prefixes(writable: Flask) -> None:
    _post(
        writable,
        {
            "title": "تقرير عن الجُنُود",
            "text": "وَالجُنُودُ عادوا إلى الثكنات، وقال القائد إن الجندي الأخير وصل مساءً.",
            "outlet": "جريدة الاختبار",
            "url": "https://example.test/harakat",
        },
    )
    html = _get(writable.test_client(), "/search", q="الجنود الثكنات")
    assert "<mark>وَالجُنُودُ</mark>" in html and "<mark>الثكنات</mark>" in html


def test_paging_and_the_result_count(client: FlaskClient) -> None:
    first = _get(client, "/search", q="روسيا", k=3)
    total = int(re.search(r"كلمات البحث في (\d+) مقطعاً", first).group(1))
    assert total > 6 and "عرض 1–3" in first
    assert 'rel="next"' in first and "page=2" in first
    second = _get(client, "/search", q="روسيا", k=3, page=2)
    assert "عرض 4–6" in second and 'rel="prev"' in second and 'aria-current="page">2<' in second
    beyond = _text(_get(client, "/search", q="روسيا", k=100, page=2))
    assert "لا مزيد من النتائج" in beyond


def test_filters_by_outlet_and_date_range(client: FlaskClient) -> None:
    html = _get(client, "/search", q="الجنود الكوريين")
    outlets = re.findall(r'<option value="([^"]+)"', html)
    assert len(outlets) >= 5
    chosen = re.findall(r'<span class="outlet">([^<]+)</span>', html.split('class="passages"')[1])[-1]
    assert chosen in outlets
    filtered = _get(client, "/search", q="الجنود الكوريين", outlet=chosen)
    shown = re.findall(r'<span class="outlet">([^<]+)</span>', filtered.split('class="passages"')[1])
    assert shown and set(shown) == {chosen}
    assert f'<option value="{chosen}" selected>' in filtered
    dated = _get(client, "/search", q="الجنود الكوريين", **{"from": "2025-01-01", "to": "2025-12-31"})
    days = re.findall(r'<time datetime="([\d-]+)"', dated.split('class="passages"')[1])
    assert days and all(d.startswith("2025") for d in days)
    assert 'name="from" value="2025-01-01"' in dated


def test_the_empty_state_helps(client: FlaskClient) -> None:
    text = _text(_get(client, "/search", q="كلمةغيرموجودةإطلاقاً"))
    assert "لا نتائج" in text and "لم نجد مقطعاً يطابق «كلمةغيرموجودةإطلاقاً»" in text and "كلمات أقل" in text
    html = _get(client, "/search", q="كلمةغيرموجودةإطلاقاً", outlet="جريدة الرائد اليومية")
    assert "ابحث في كل المصادر والتواريخ" in html


def test_the_document_page_has_anchors_and_its_figures(client: FlaskClient) -> None:
    hit = client.get("/api/search", query_string={"q": "10 آلاف جندي كوري شمالي", "k": 1}).get_json()["results"][0]
    html = _get(client, f"/documents/{hit['doc_id']}")
    doc = client.get(f"/api/documents/{hit['doc_id']}").get_json()
    for p in doc["passages"]:
        assert f'id="{p["passage_id"]}"' in html
    figures = [f for p in doc["passages"] for f in p["figures"]]
    assert f"الأرقام في هذا المقال ({len(figures)})" in html
    assert html.count('<mark class="figure">') == len(figures)
    assert doc["title"] in html and (doc["outlet"] or "") in html


@pytest.mark.parametrize(
    ("path", "status", "words", "kept"),
    [
        ("/documents/d_nope", 404, "لا مقال بهذا المعرّف", ""),
        ("/documents/d_nope?q=روسيا", 404, "لا مقال بهذا المعرّف", "روسيا"),
        ("/nowhere", 404, "لا صفحة بهذا العنوان", ""),
        ("/search?q=" + "ك" * 501, 413, "طول السؤال 501 حرف، والحد 500 حرف", "ك" * 501),
        ("/search?q=روسيا&k=0", 400, "عدد النتائج في الصفحة عدد صحيح من 1 إلى 100", "روسيا"),
        ("/search?q=روسيا&page=0", 400, "رقم الصفحة عدد صحيح من 1 إلى 50، لا «0»", "روسيا"),
        ("/search?q=روسيا&page=99", 400, "رقم الصفحة عدد صحيح من 1 إلى 50، لا «99»", "روسيا"),
        ("/search?q=روسيا&from=31-10-2024", 400, "تاريخ البداية «31-10-2024» ليس تاريخاً", "روسيا"),
        ("/search?q=روسيا&from=2025-01-01&to=2024-01-01", 400, "تاريخ البداية (2025-01-01) بعد تاريخ النهاية", "روسيا"),
        ("/search", 400, "اكتب سؤالاً أو كلمات للبحث", ""),
        ("/search?q=%20%20%20", 400, "اكتب سؤالاً أو كلمات للبحث", ""),
    ],
)
def test_browser_errors_are_arabic_pages_that_keep_the_query(
    client: FlaskClient, path: str, status: int, words: str, kept: str
) -> None:
    r = client.get(path)
    assert r.status_code == status and r.mimetype == "text/html"
    html = r.get_data(as_text=True)
    assert words in _text(html)
    assert not re.search(r"must be|is not|give the|no such|keep it", html)  # no English developer text
    (box,) = [i for i in Page(html).all("input") if i.get("name") == "q"]
    assert box["value"] == kept
    if kept and len(kept) <= 500:  # back to the results of the same words, the bad parameter dropped
        assert f'href="/search?q={quote_plus(kept)}"' in html and f"العودة إلى نتائج «{kept}»" in html
    else:
        assert "العودة إلى الصفحة الرئيسية" in html


def test_the_api_keeps_its_json_error_shape(client: FlaskClient) -> None:
    for path in ("/api/search?q=روسيا&page=0", "/api/search?q=%20", "/api/documents/d_nope"):
        r = client.get(path)
        body = r.get_json()
        assert r.mimetype == "application/json" and set(body) == {"error"} and set(body["error"]) == {"code", "message"}


def test_the_search_box_refuses_spaces_only_before_sending() -> None:
    page = Page((REPO / "web" / "templates" / "_searchbox.html").read_text(encoding="utf-8"))
    (box,) = page.all("input")
    assert "required" in box and re.fullmatch(box["pattern"], "  روسيا ") and not re.fullmatch(box["pattern"], "   ")


def test_export_gives_the_figure_table_as_csv_and_json(client: FlaskClient) -> None:
    api = client.get("/api/answer", query_string={"q": QUESTION}).get_json()
    r = client.get("/export/answer.csv", query_string={"q": QUESTION})
    assert r.mimetype == "text/csv" and "attachment" in r.headers["Content-Disposition"]
    text = r.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert len(rows) == sum(len(g["figures"]) for g in api["groups"])
    assert rows[0]["group"] == "1" and rows[0]["group_label"] == api["groups"][0]["label"]
    assert {r["outlet"] for r in rows if r["group"] == "2"} == set(api["groups"][1]["outlets"])
    r = client.get("/export/answer.json", query_string={"q": QUESTION})
    body = json.loads(r.get_data(as_text=True))
    assert "attachment" in r.headers["Content-Disposition"]
    assert body["status"] == "conflict" and len(body["figures"]) == len(rows)
    assert body["figures"][0]["sentence"] == rows[0]["sentence"]


def test_the_export_names_url_agency_and_one_spelling_per_body(client: FlaskClient) -> None:
    api = client.get("/api/answer", query_string={"q": QUESTION}).get_json()
    r = client.get("/export/answer.csv", query_string={"q": QUESTION})
    rows = list(csv.DictReader(io.StringIO(r.get_data(as_text=True)[1:])))
    assert {"url", "agency", "claimant", "date_estimated"} <= set(rows[0])
    for row, f in zip(rows, [f for g in api["groups"] for f in g["figures"]], strict=True):
        doc = client.get(f"/api/documents/{f['doc_id']}").get_json()
        assert row["url"] == (doc["url"] or "") and row["agency"] == (doc["agency"] or "")
    assert any(row["url"].startswith("https://") for row in rows)
    # «وزارة الدفاع الأميركية» and «وزارة الدفاع الأميركية (البنتاغون)» are one body, spelled once
    raw = {f["claimant"] for g in api["groups"] for f in g["figures"]}
    assert "وزارة الدفاع الأميركية" in raw and "وزارة الدفاع الأميركية (البنتاغون)" in raw
    spelled = {row["claimant"] for row in rows}
    assert "وزارة الدفاع الأميركية (البنتاغون)" in spelled and "وزارة الدفاع الأميركية" not in spelled
    assert "الاستخبارات الكورية الجنوبية" not in spelled
    # the file is named after the question and the day, in Arabic for browsers that read RFC 6266
    disposition = r.headers["Content-Disposition"]
    day = date.today().isoformat()
    assert f'filename="mizan-answer-{day}.csv"' in disposition
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    assert name == f"mizan-كم-عدد-الجنود-الكوريين-الشماليين-في-روسيا-{day}.csv"
    exported = client.get("/export/answer.json", query_string={"q": QUESTION})
    assert exported.headers["Content-Disposition"].endswith(quote(f"روسيا-{day}.json", safe=""))


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_from_the_query_or_the_index_is_escaped_everywhere(writable: Flask) -> None:
    doc_id = _post(
        writable,
        {
            "title": f"عنوان {HOSTILE}",
            "text": f'قال =HYPERLINK("http://evil") {HOSTILE} إن 450 جندياً وصلوا إلى بلدة تل زعتر يوم الأحد.',
            "outlet": f"=cmd|' /C calc'!A0 {HOSTILE}",
            "url": "javascript:alert(1)",
            "published": "2025-03-01",
        },
    )
    client = writable.test_client()
    question = f"كم عدد الجنود الذين وصلوا إلى تل زعتر؟ {HOSTILE}"
    pages = {
        "results": _get(client, "/search", q=question),
        "keywords": _get(client, "/search", q=f"تل زعتر {HOSTILE}"),
        "empty": _get(client, "/search", q=f"{HOSTILE} كلمةغيرموجودة"),
        "document": _get(client, f"/documents/{doc_id}"),
        "error": client.get("/documents/" + "%3Cscript%3E").get_data(as_text=True),
    }
    assert "450" in pages["results"] and 'class="group' in pages["results"]  # the card was drawn
    assert "<mark>" in pages["keywords"]
    for name, html in pages.items():
        assert "<script>alert" not in html and "<img src=x" not in html, name
        assert "javascript:alert" not in html, name
        page = Page(html)
        assert all(set(a) <= {"src", "defer"} for a in page.all("script")), name
        assert not page.all("img"), name
    assert "&lt;script&gt;" in pages["results"] and "&lt;script&gt;" in pages["document"]

    rows = list(
        csv.reader(
            io.StringIO(client.get("/export/answer.csv", query_string={"q": question}).get_data(as_text=True)[1:])
        )
    )
    assert len(rows) > 1
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@")), cell  # no formula reaches a spreadsheet
    exported = client.get("/export/answer.json", query_string={"q": question})
    assert exported.mimetype == "application/json" and json.loads(exported.get_data(as_text=True))["figures"]
    api = client.get("/api/answer", query_string={"q": question})
    assert api.mimetype == "application/json" and api.headers["X-Content-Type-Options"] == "nosniff"


def test_marked_and_snippet_escape_and_cut_at_words() -> None:
    assert str(marked("a <b> c", [[2, 5]])) == "a <mark>&lt;b&gt;</mark> c"
    text = "كلمة " * 200 + "الهدف " + "كلمة " * 200
    start = text.index("الهدف")
    cut = str(snippet(text, [[start, start + 5]]))
    assert "<mark>الهدف</mark>" in cut and cut.startswith("… ") and cut.endswith(" …")
    assert len(cut) < 500 and " كلمة " in cut


def test_the_filter_form_keeps_what_the_url_chose(client: FlaskClient) -> None:
    html = _get(client, "/search", q="روسيا", outlet=["مصدر لم يعد في القائمة", "موقع الرصد الدولي"], fusion="rrf")
    assert '<select name="outlet" multiple>' in html
    assert '<option value="مصدر لم يعد في القائمة" selected>' in html
    assert '<option value="موقع الرصد الدولي" selected>' in html
    assert '<input type="hidden" name="fusion" value="rrf">' in html


def test_the_timeline_keeps_undated_figures_and_labels_each_lane_with_its_value() -> None:
    from web.card import card

    result = {
        "status": "conflict",
        "groups": [
            {
                "label": label,
                "value_low": low,
                "value_high": low,
                "outlets": [f"مصدر {n}" for n in range(3)],
                "claimants": [],
                "figures": [
                    {"published": day, "outlet": f"مصدر {n}", "claimant": None, "date_estimated": n == 1}
                    for n, day in enumerate(("2024-10-01", None, "2025-01-0" + str(n + 1)))
                ],
            }
            for n, (label, low) in enumerate((("نحو 10 آلاف", 10000), ("حتى 11 ألفاً", 11000)))
        ],
    }
    chart = timeline_svg(card(result).groups)
    assert chart is not None and chart.undated
    svg = str(chart.svg)
    assert svg.count("<circle") == 6 and "بلا تاريخ" in svg
    assert "نحو 10 آلاف</text>" in svg and "حتى 11 ألفاً</text>" in svg  # the value on its lane, not colour alone
    assert "viewBox" not in svg  # text keeps its CSS size at any width
    sizes = [int(n) for n in re.findall(r'font-size="(\d+)"', svg)]
    assert sizes and min(sizes) >= 12
    xs = [float(x) for x in re.findall(r'<circle cx="([\d.]+)%"', svg)]
    assert all(0 <= x <= 100 for x in xs)
    assert [p["date"] for p in chart.points].count("بلا تاريخ") == 2
    # one date alone, or no date at all, is no timeline
    lone = {**result, "groups": [{**result["groups"][0], "figures": result["groups"][0]["figures"][1:2]}]}
    assert timeline_svg(card(lone).groups) is None
    # a story reported many times in a few days: the points of a lane too close to tell apart are one,
    # with their number on it, and no two points of a lane overlap at any width
    days = [f"2024-10-{d:02d}" for d in (1, 1, 1, 2, 3, 20, 21, 30)] + [None, None]
    busy = {
        **result,
        "groups": [
            {**result["groups"][0], "figures": [{"published": d, "outlet": f"مصدر {n}"} for n, d in enumerate(days)]}
        ],
    }
    chart = timeline_svg(card(busy).groups)
    assert chart is not None and len(chart.points) == len(days)
    svg = str(chart.svg)
    counts = [int(n) for n in re.findall(r'data-figures="(\d+)"', svg)]
    assert sum(counts) == len(days) and len(counts) < len(days)
    xs = sorted(float(x) for x in re.findall(r'<circle cx="([\d.]+)%"', svg))
    assert all(b - a >= 7 for a, b in itertools.pairwise(xs))  # 22 px apart on a 320 px screen
    for n in counts:
        if n > 1:
            assert f'aria-hidden="true">{n}</text>' in svg


def test_results_are_grouped_by_document_and_page_two_has_no_card(client: FlaskClient) -> None:
    api = client.get("/api/search", query_string={"q": QUESTION, "k": 10}).get_json()
    docs = list(dict.fromkeys(r["doc_id"] for r in api["results"]))
    assert len(docs) < len(api["results"])  # the same article ranks more than once on this page
    html = _get(client, "/search", q=QUESTION, k=10)
    assert len(Page(html).all("h1")) == 1 and "نتائج البحث عن «" in html
    items = re.findall(r'<li class="result">(.*?)</li>\s*(?=<li class="result">|</ol>)', html, re.S)
    assert len(items) == len(docs)  # one entry per article, at its best passage's rank
    first_links = [re.search(r'href="/documents/([^?"]+)', item).group(1) for item in items]
    assert first_links == docs
    for doc in docs:
        more = sum(1 for r in api["results"] if r["doc_id"] == doc) - 1
        item = items[docs.index(doc)]
        if more == 1:
            assert "مقطع آخر من هذا المقال" in _text(item)
        elif more == 2:
            assert "مقطعان آخران من هذا المقال" in _text(item)
        elif more:
            assert f"{more} مقاطع أخرى من هذا المقال" in _text(item)
    second = _get(client, "/search", q=QUESTION, k=3, page=2)
    assert 'class="answer' not in second and 'class="groups"' not in second
    assert "الجواب وجدول الأرقام في الصفحة الأولى" in second and 'class="result"' in second
    assert len(Page(second).all("h1")) == 1


def test_undated_and_estimated_dates_are_said(writable: Flask) -> None:
    _post(
        writable,
        {
            "title": "خبر بلا تاريخ عن الجنود",
            "text": "قال مسؤول عسكري إن 450 جندياً وصلوا إلى بلدة تل زعتر يوم الأحد.",
            "outlet": "جريدة الاختبار",
            "url": "https://example.test/undated",
        },
    )
    client = writable.test_client()
    html = _get(client, "/search", q="كم عدد الجنود الذين وصلوا إلى تل زعتر؟")
    (group,) = [g for g in _groups(html) if "450" in g]
    assert "بلا تاريخ" in _text(group) and "يقوله: مسؤول عسكري" in _text(group)
    assert "بلا تاريخ" in _text(html.split('class="passages"')[1])


def test_the_document_page_names_claimants_and_leads_back(client: FlaskClient) -> None:
    hit = client.get("/api/search", query_string={"q": "10 آلاف جندي كوري شمالي", "k": 1}).get_json()["results"][0]
    doc = client.get(f"/api/documents/{hit['doc_id']}").get_json()
    html = _get(client, f"/documents/{hit['doc_id']}", q="الجنود الكوريين")
    claimants = [f["claimant"] for p in doc["passages"] for f in p["figures"] if f["claimant"]]
    assert claimants and all(c in html for c in claimants)
    cells = re.findall(r'<td data-label="([^"]+)">', html)
    assert {"ماذا يعدّ", "يقوله", "الجملة"} <= set(cells)  # the phone layout labels each cell
    assert not re.search(r"<td[^>]*>\s*</td>", html)  # no empty cell, so no empty row on a phone
    assert (
        'href="/search?q=%D8%A7%D9%84%D8%AC%D9%86%D9%88%D8%AF' in html and "العودة إلى نتائج «الجنود الكوريين»" in html
    )
    assert "العودة إلى نتائج" not in _get(client, f"/documents/{hit['doc_id']}")


def test_the_count_is_honest_about_words_and_meaning(seeds_index) -> None:
    """Every passage is a dense candidate, so counting them would report the whole index: the page and
    the API count the passages that hold the words, then those near in meaning above a floor."""
    from search.engine import SEMANTIC_FLOOR
    from web.app import create_app
    from web.counting import PASSAGE, count

    client = create_app({"INDEX": str(seeds_index)}).test_client()
    passages = client.get("/api/health").get_json()["index"]["passages"]
    far = "وصفة كعكة الشوكولاتة بالبندق"
    api = client.get("/api/search", query_string={"q": far}).get_json()
    lexical = client.get("/api/search", query_string={"q": far, "mode": "bm25"}).get_json()["total"]
    assert api["total"] == lexical < passages and api["total_near"] == 0  # the whole index is not a match
    assert not any(r["near"] for r in api["results"])
    html = _get(client, "/search", q=far)
    heading = _text(re.search(r'<h2 id="passages-title".*?</h2>', html, re.S).group(0))
    assert heading.startswith(f"كلمات البحث في {count(lexical, PASSAGE, genitive=True)} ·") and lexical < passages
    assert "قريب بالمعنى" not in html and "بلا كلمات البحث" in html  # far candidates are not called near
    assert 'rel="next"' not in html  # no pages of far candidates
    question = "الاتحاد الأوروبي يفرض عقوبات على روسيا"
    near = _text(_get(client, "/search", q=question))
    assert re.search(r"ومعها (مقطع قريب|مقطعان قريبان|\d+ مقاطع قريبة|\d+ مقطعاً قريباً) بالمعنى", near)
    found = client.get("/api/search", query_string={"q": question, "k": 50}).get_json()
    assert found["total_near"] == sum(r["near"] for r in found["results"]) > 0
    assert all(not r["highlights"] for r in found["results"] if r["near"])  # near: none of the words
    assert 0.7 < SEMANTIC_FLOOR < 0.9


def test_source_cards_name_the_agency_their_article_credits(writable: Flask) -> None:
    _post(
        writable,
        {
            "title": "وصول جنود إلى تل زعتر",
            "text": "قال مسؤول عسكري إن 450 جندياً وصلوا إلى بلدة تل زعتر يوم الأحد.",
            "outlet": "جريدة الاختبار",
            "agency": "وكالة الأنباء التجريبية",
            "published": "2025-03-01",
            "url": "https://example.test/agency",
        },
    )
    html = _get(writable.test_client(), "/search", q="كم عدد الجنود الذين وصلوا إلى تل زعتر؟")
    (group,) = [g for g in _groups(html) if "450" in g]
    assert '<span class="agency">نقلاً عن وكالة الأنباء التجريبية</span>' in group
