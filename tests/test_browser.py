"""The pages in a real headless Chromium (Debian's), against `mizan serve`: the mission's question
typed into the box, every page kind at phone widths (360, 390, 414 px) and a desktop's (1366 px)
with no sideways scroll, the answer inside the first phone screen, a readable timeline, and
axe-core's accessibility rules. Screenshots go to test-artifacts/browser/ (kept by CI).

Skipped with a reason where Chromium, Playwright or axe-core is missing, unless
MIZAN_REQUIRE_BROWSER=1 (set by .ci/run, which installs them): there a missing one fails the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import REPO, SAMPLE, Server, build_index

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"
CHROMIUM = os.environ.get("MIZAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("MIZAN_ARTIFACTS", REPO / "test-artifacts")) / "browser"
AXE = REPO / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"  # npm ci --prefix tests/axe
# As root, in a sandbox without a network: no sandboxing of its own, and no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONES = (360, 390, 414)
DESKTOP = 1366
WIDTHS = (*PHONES, DESKTOP)


def _need(reason: str) -> None:
    if os.environ.get("MIZAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MIZAN_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


def _q(text: str) -> str:
    return quote(text, safe="")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).is_file():
        _need(f"needs Chromium at {CHROMIUM}: apt-get install chromium (or set MIZAN_CHROMIUM)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need("needs Playwright's Python package: pip install -e '.[dev]'")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def server(seeds_index: Path) -> Iterator[Server]:
    """The seeds: real scraped articles, with vectors (hybrid search), some without a date."""
    server = Server(seeds_index, "--workers", "2")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def sample_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The sample corpus: a conflict, an agreed answer and a question without figures."""
    index = tmp_path_factory.mktemp("browser-sample") / "index"
    build_index([SAMPLE], index)
    server = Server(index, "--workers", "2")
    yield server
    server.stop()


# Every page kind, on the sample index (path, what the page must show).
PAGES = {
    "home": ("/", "form.searchbox"),
    "conflict": (f"/search?q={_q(QUESTION)}", ".banner.conflict"),
    "agreed": (f"/search?q={_q('كم عدد الصواريخ التي أطلقتها كوريا الشمالية؟')}", ".banner.agreed"),
    "no-figures": (f"/search?q={_q('كم عدد السفن في الميناء؟')}", ".banner.none"),
    "keywords": (f"/search?q={_q('العقوبات الأوروبية')}", ".results .result"),
    "filters": (
        f"/search?q={_q(QUESTION)}&outlet={_q('موقع الرصد الدولي')}&from=2024-11-01&to=2025-06-30",
        ".filters-box[open]",
    ),
    "filters-nothing": (f"/search?q={_q(QUESTION)}&from=2030-01-01", ".banner.none"),
    "empty": (f"/search?q={_q('كلمةغيرموجودةإطلاقاً')}", ".empty"),
    "page-2": (f"/search?q={_q(QUESTION)}&k=3&page=2", ".to-answer"),
    "document": ("/documents/{doc}?q=" + _q(QUESTION), ".doc-figures"),
    "error-404-document": ("/documents/d_nope?q=" + _q("روسيا"), ".error"),
    "error-404-route": ("/nowhere", ".error"),
    "error-empty-query": ("/search?q=%20%20", ".error"),
    "error-page": (f"/search?q={_q('روسيا')}&page=0", ".error"),
    "error-dates": (f"/search?q={_q('روسيا')}&from=2025-01-01&to=2024-01-01", ".error"),
    "error-too-long": ("/search?q=" + _q("ك" * 501), ".error"),
}


def _first_document(server: Server) -> str:
    import json
    import urllib.request

    with urllib.request.urlopen(f"{server.url}/api/answer?q={_q(QUESTION)}") as r:
        return json.load(r)["groups"][0]["figures"][0]["doc_id"]


def _open(browser, url: str, width: int, problems: list[str] | None = None):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": width, "height": 844 if width < 1000 else 900}, locale="ar")
    if problems is not None:
        # an error page's own status is logged as a failed load: count only scripts' errors and subresources
        page.on(
            "console",
            lambda m: (
                problems.append(m.text)
                if m.type == "error" and not m.text.startswith("Failed to load resource")
                else None
            ),
        )
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on(
            "response",
            lambda r: (
                problems.append(f"{r.status} {r.url}")
                if r.request.resource_type != "document" and r.status >= 400
                else None
            ),
        )
    page.goto(url)
    return page


def _overflow(page) -> list[str]:  # type: ignore[no-untyped-def]
    """What sticks out sideways: the document wider than the screen, or elements past its edges."""
    return page.evaluate(
        """() => {
          const out = [];
          const root = document.documentElement;
          if (root.scrollWidth > innerWidth) out.push(`scrollWidth ${root.scrollWidth} > ${innerWidth}`);
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if (!r.width || getComputedStyle(el).position === 'absolute') continue;
            if (el.closest('details:not([open])') && el.tagName !== 'SUMMARY' && el.tagName !== 'DETAILS') continue;
            if (r.left < -1 || r.right > innerWidth + 1) out.push(`${el.tagName}.${el.className} ${r.left}..${r.right}`);
          }
          return out.slice(0, 5);
        }"""
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_kind_fits_the_screen(browser, sample_server: Server, width: int) -> None:
    doc = _first_document(sample_server)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for kind, (path, shows) in PAGES.items():
        problems: list[str] = []
        page = _open(browser, sample_server.url + path.format(doc=doc), width, problems)
        assert page.locator(shows).count() > 0, (kind, width)
        assert not _overflow(page), (kind, width, _overflow(page))
        assert page.locator("h1").count() == 1, (kind, width)
        page.screenshot(path=str(ARTIFACTS / f"{kind}-{width}.png"), full_page=True)
        assert not problems, (kind, problems)  # no script errors, no blocked resources (CSP)
        page.close()


@pytest.mark.parametrize("width", PHONES)
def test_the_answer_fits_the_first_phone_screen(browser, server: Server, sample_server: Server, width: int) -> None:
    """Every group's value and claimants, and the banner naming the values, without scrolling."""
    for srv in (server, sample_server):
        page = _open(browser, f"{srv.url}/search?q={_q(QUESTION)}", width)
        height = page.viewport_size["height"]
        banner = page.locator(".banner.conflict")
        rows = page.locator(".summary .sum")
        assert rows.count() >= 2
        for n in range(rows.count()):
            value = rows.nth(n).locator(".sum-value").inner_text()
            assert value.split()[0] in banner.inner_text()  # the banner names every value
            for part in (".sum-value", ".sum-who"):
                box = rows.nth(n).locator(part).bounding_box()
                assert box and box["y"] + box["height"] <= height, (srv.url, width, n, part, box)
            assert rows.nth(n).locator(".sum-who").inner_text().startswith("يقوله: ")
        box = banner.bounding_box()
        assert box and box["y"] + box["height"] <= height
        page.close()


def test_the_timeline_is_readable_on_a_phone(browser, sample_server: Server) -> None:
    page = _open(browser, f"{sample_server.url}/search?q={_q(QUESTION)}", 390)
    sizes = page.evaluate(
        """() => [...document.querySelectorAll('svg.timeline text')].map(t => {
             const svg = t.ownerSVGElement, vb = svg.viewBox && svg.viewBox.baseVal;
             const scale = vb && vb.width ? svg.getBoundingClientRect().width / vb.width : 1;
             return parseFloat(getComputedStyle(t).fontSize) * scale;
           })"""
    )
    assert sizes and min(sizes) >= 11, sizes
    # each point's details by a tap, not only a hover tooltip
    details = page.locator(".timeline-box details.points")
    assert not details.locator("li").first.is_visible()
    details.locator("summary").click()
    assert details.locator("li").first.is_visible()
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('svg.timeline circle')].reduce((n, c) => n + +c.dataset.figures, 0)"
    )
    assert details.locator("li").count() == drawn  # every figure listed, each point counting those it stands for
    page.close()


@pytest.mark.parametrize(("name", "width", "height"), [("desktop", 1366, 900), ("phone", 390, 844)])
def test_the_question_typed_into_the_box_shows_both_estimates(
    browser, server: Server, name: str, width: int, height: int
) -> None:
    page = browser.new_page(viewport={"width": width, "height": height}, locale="ar")
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url + "/")
    box = page.get_by_role("searchbox")
    box.fill(QUESTION)
    box.press("Enter")
    page.wait_for_selector(".answer .group")

    banner = page.locator(".banner.conflict").inner_text()
    assert banner.startswith("الأرقام متضاربة بين المصادر: تقديران مختلفان:")
    groups = page.locator(".answer .group")
    assert groups.count() == 2
    ten, eleven = groups.nth(0), groups.nth(1)
    assert ten.locator(".value").inner_text().startswith("10 آلاف")
    assert "الشرق الأوسط" in ten.locator(".support").inner_text()
    assert "البنتاغون" in ten.locator(".claimants").inner_text()
    assert eleven.locator(".value").inner_text().startswith("حتى 11 ألفاً")
    assert "المستقلة" in eleven.locator(".support").inner_text()
    assert "تقديرات أوكرانية وكورية جنوبية" in eleven.locator(".claimants").inner_text()
    assert eleven.locator("blockquote mark").inner_text() == "قد يصل عددها إلى 11 ألف"
    assert "10 آلاف" in banner and "حتى 11 ألفاً" in banner

    # side by side on a desktop, one under the other on a phone
    a, b = ten.bounding_box(), eleven.bounding_box()
    assert a and b
    if name == "desktop":
        assert abs(a["y"] - b["y"]) < 2 and b["x"] < a["x"]  # right to left: the first group is on the right
    else:
        assert b["y"] > a["y"] + a["height"] - 1

    # the source link opens the document at the passage, and the document leads back
    ten.locator("a.more").first.click()
    page.wait_for_selector("article.document")
    anchor = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}']").is_visible()
    page.locator(".back a").click()
    page.wait_for_selector(".answer .group")
    assert page.get_by_role("searchbox").input_value() == QUESTION

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"answer-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    assert not problems, problems  # no script errors, no blocked resources (CSP)
    page.close()


def test_results_work_without_javascript(browser, server: Server) -> None:
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1024, "height": 800})
    page = context.new_page()
    page.goto(server.url + "/")
    page.get_by_role("searchbox").fill("صواريخ")
    page.get_by_role("button", name="ابحث").click()
    page.wait_for_selector(".results .result")
    assert page.locator(".results mark").count() > 0
    context.close()


def test_a_query_of_spaces_is_refused_by_the_box(browser, server: Server) -> None:
    page = _open(browser, server.url + "/", 390)
    box = page.get_by_role("searchbox")
    box.fill("   ")
    box.press("Enter")
    page.wait_for_timeout(300)
    assert page.url.rstrip("/") == server.url and not box.evaluate("b => b.validity.valid")
    page.close()


@pytest.mark.parametrize("width", (390, DESKTOP))
def test_axe_finds_no_violations_on_any_page_kind(browser, sample_server: Server, width: int) -> None:
    if not AXE.is_file():
        _need(f"needs axe-core at {AXE}: npm ci --prefix tests/axe")
    doc = _first_document(sample_server)
    source = AXE.read_text(encoding="utf-8")
    found: dict[str, list[str]] = {}
    for kind, (path, _) in PAGES.items():
        page = _open(browser, sample_server.url + path.format(doc=doc), width)
        for details in page.locator("details").all():  # check what a tap reveals too
            details.evaluate("d => d.open = true")
        page.evaluate(source)  # through the DevTools protocol: the page's CSP does not apply, as it should not
        result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
        violations = [
            f"{v['id']} ({v['impact']}): {len(v['nodes'])}× {v['nodes'][0]['target']}" for v in result["violations"]
        ]
        if violations:
            found[kind] = violations
        page.close()
    assert not found, found


def test_chromium_is_the_debian_one() -> None:
    if shutil.which(CHROMIUM) is None:
        _need(f"needs Chromium at {CHROMIUM}")
    assert Path(CHROMIUM).resolve().is_file()
