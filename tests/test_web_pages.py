"""The HTML pages through Flask's test client: answer card, passages, paging, filters, document page,
export, error pages, and escaping of everything that comes from the query or the index."""

from __future__ import annotations

import csv
import io
import json
import re
from html.parser import HTMLParser

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import WEB_TOKEN
from web.render import marked, snippet

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


def test_the_answer_card_shows_the_conflicting_groups_side_by_side(client: FlaskClient) -> None:
    html = _get(client, "/search", q=QUESTION)
    text = _text(html)
    assert "الأرقام متضاربة بين المصادر" in text
    groups = re.findall(r'<article class="group group-\d"[^>]*>(.*?)</article>', html, re.S)
    assert len(groups) >= 2
    assert "نحو 10 آلاف" in _text(groups[0]) and "7 مصادر" in _text(groups[0])
    assert "حتى 11 ألفاً" in _text(groups[1]) and "5 مصادر" in _text(groups[1])
    # one source card per figure: outlet, date, claimant, the sentence with its figure marked, a link to it
    cards = re.findall(r'<div class="source[^"]*">(.*?)</div>', groups[0], re.S)
    api = client.get("/api/answer", query_string={"q": QUESTION}).get_json()
    assert len(cards) == len(api["groups"][0]["figures"])
    first = api["groups"][0]["figures"][0]
    assert first["outlet"] in cards[0] and "28 أكتوبر 2024" in cards[0]
    assert f"بحسب: {first['claimant']}" in _text(cards[0])
    start, end = first["sentence_span"]
    assert f"<mark>{first['sentence'][start:end]}</mark>" in cards[0]
    assert f'href="/documents/{first["doc_id"]}#{first["passage_id"]}"' in cards[0]
    # the estimates span months: a timeline with one point per dated figure
    (svg,) = re.findall(r'<svg class="timeline".*?</svg>', html, re.S)
    dated = sum(1 for g in api["groups"] for f in g["figures"] if f["published"])
    assert svg.count("<title>") == dated and "صحيفة الأفق الجديد" in svg  # one point per dated figure
    assert 'href="/export/answer.csv?q=' in html and 'href="/export/answer.json?q=' in html


def test_an_agreed_answer_and_a_question_without_figures(client: FlaskClient) -> None:
    agreed = _text(_get(client, "/search", q="كم عدد الصواريخ التي أطلقتها كوريا الشمالية؟"))
    assert "المصادر متفقة: أكثر من ألف" in agreed
    none = _text(_get(client, "/search", q="كم عدد السفن في الميناء؟"))
    assert "لم نجد في المقاطع رقماً يجيب" in none and "الأرقام متضاربة" not in none


def test_keyword_search_has_no_card_and_marks_the_query_words(client: FlaskClient) -> None:
    html = _get(client, "/search", q="العقوبات الأوروبية")
    assert 'class="answer"' not in html
    assert "مقطعاً تطابق البحث" in html
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
    total = int(re.search(r"(\d+) مقطعاً تطابق البحث", first).group(1))
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
    ("path", "status", "words"),
    [
        ("/documents/d_nope", 404, "الصفحة غير موجودة"),
        ("/nowhere", 404, "الصفحة غير موجودة"),
        ("/search?q=" + "ك" * 501, 413, "السؤال أطول مما ينبغي"),
        ("/search?q=روسيا&k=0", 400, "k: must be between"),
        ("/search", 400, "q:"),
    ],
)
def test_browser_errors_are_html_pages(client: FlaskClient, path: str, status: int, words: str) -> None:
    r = client.get(path)
    assert r.status_code == status and r.mimetype == "text/html"
    assert words in r.get_data(as_text=True)


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


def test_the_timeline_legend_wraps_instead_of_leaving_the_chart() -> None:
    from web.render import timeline_svg

    groups = [
        {
            "label": f"{n} آلاف",
            "figures": [{"published": f"2024-1{n % 3}-0{n + 1}", "outlet": f"مصدر {n}", "claimant": None}],
        }
        for n in range(6)
    ]
    svg = str(timeline_svg(groups))
    xs = [float(x) for x in re.findall(r'<circle cx="([-\d.]+)"', svg)]
    assert len(xs) == 12 and min(xs) >= 0  # six points and six legend keys, all inside the chart
