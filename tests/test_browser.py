"""The mission's question typed into the search box of a real headless Chromium (Debian's), against
`mizan serve` on the seeds index. Screenshots go to test-artifacts/browser/ (outside git).

Skipped with a reason where Chromium or Playwright is missing, unless MIZAN_REQUIRE_BROWSER=1
(set by .ci/run, which installs them): there a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, Server

QUESTION = "كم عدد الجنود الكوريين الشماليين في روسيا؟"
CHROMIUM = os.environ.get("MIZAN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("MIZAN_ARTIFACTS", REPO / "test-artifacts")) / "browser"
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


def _need(reason: str) -> None:
    if os.environ.get("MIZAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (MIZAN_REQUIRE_BROWSER=1)")
    pytest.skip(reason)


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
    server = Server(seeds_index, "--workers", "2")
    yield server
    server.stop()


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

    assert page.locator(".banner.conflict").inner_text().startswith("الأرقام متضاربة بين المصادر")
    groups = page.locator(".answer .group")
    assert groups.count() == 2
    ten, eleven = groups.nth(0), groups.nth(1)
    assert ten.locator(".value").inner_text().startswith("10 آلاف")
    assert "الشرق الأوسط" in ten.locator(".support").inner_text()
    assert eleven.locator(".value").inner_text().startswith("حتى 11 ألفاً")
    assert "المستقلة" in eleven.locator(".support").inner_text()
    assert "تقديرات أوكرانية وكورية جنوبية" in eleven.inner_text()
    assert eleven.locator("blockquote mark").inner_text() == "قد يصل عددها إلى 11 ألف"

    # side by side on a desktop, one under the other on a phone
    a, b = ten.bounding_box(), eleven.bounding_box()
    assert a and b
    if name == "desktop":
        assert abs(a["y"] - b["y"]) < 2 and b["x"] < a["x"]  # right to left: the first group is on the right
    else:
        assert b["y"] > a["y"] + a["height"] - 1

    # the source link opens the document at the passage
    ten.locator("a.more").first.click()
    page.wait_for_selector("article.document")
    anchor = page.url.split("#", 1)[1]
    assert page.locator(f"[id='{anchor}']").is_visible()
    page.go_back()
    page.wait_for_selector(".answer .group")

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


def test_chromium_is_the_debian_one() -> None:
    if shutil.which(CHROMIUM) is None:
        _need(f"needs Chromium at {CHROMIUM}")
    assert Path(CHROMIUM).resolve().is_file()
