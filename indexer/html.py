"""HTML news pages to text lines and metadata, with the standard library's parser.

Scripts, styles, navigation, headers, footers, asides, forms, figures and
elements whose class or id names a boilerplate role (comments, share, related,
newsletter…) are skipped. Block elements end lines, so the text that comes out
has the same shape as a scraped plain-text page and goes through the same
cleaner (indexer/clean.py). Metadata comes from Open Graph, article:* and
JSON-LD tags, then <h1>, <title> and <time>.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_SKIP_TAGS = {
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "iframe",
    "svg",
    "figure",
    "figcaption",
    "button",
    "select",
    "template",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
}
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "li",
    "ul",
    "ol",
    "br",
    "tr",
    "td",
    "th",
    "table",
    "blockquote",
    "pre",
    "dd",
    "dt",
    "dl",
    "hr",
    "address",
    "body",
}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BOILERPLATE_ATTR = re.compile(
    r"comment|share|sharing|social|related|newsletter|subscribe|breadcrumb|sidebar|menu|navbar|advert|\bads?\b"
    r"|promo|cookie|popup|modal|footer|tags?\b|read-?more|most-?read|recommend",
    re.IGNORECASE,
)


@dataclass
class HtmlPage:
    text: str
    title: str | None = None
    published: str | None = None
    outlet: str | None = None
    url: str | None = None
    h1: list[str] = field(default_factory=list)


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, skipping)
        self.skip_depth = 0
        self.lines: list[str] = []
        self.current: list[str] = []
        self.meta: dict[str, str] = {}
        self.title_parts: list[str] = []
        self.in_title = False
        self.h1: list[str] = []
        self.h1_parts: list[str] | None = None
        self.times: list[str] = []
        self.jsonld: list[str] = []
        self.in_jsonld = False
        self.canonical: str | None = None

    def _flush(self) -> None:
        line = " ".join("".join(self.current).split())
        if line:
            self.lines.append(line)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or a.get("itemprop") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"].strip())
            return
        if tag == "link" and "canonical" in a.get("rel", "").lower():
            self.canonical = a.get("href") or None
            return
        if tag == "title":
            self.in_title = True
        if tag == "script" and "ld+json" in a.get("type", "").lower():
            self.in_jsonld = True
        if tag == "time" and a.get("datetime"):
            self.times.append(a["datetime"])
        if tag in _VOID_TAGS:
            if tag in ("br", "hr") and not self.skip_depth:
                self._flush()
            return
        role = " ".join((a.get("class", ""), a.get("id", ""), a.get("role", "")))
        skipping = tag in _SKIP_TAGS or bool(_BOILERPLATE_ATTR.search(role)) or a.get("aria-hidden") == "true"
        self.stack.append((tag, skipping))
        if skipping:
            self.skip_depth += 1
        if tag in _BLOCK_TAGS and not self.skip_depth:
            self._flush()
        if tag == "h1" and not self.skip_depth:
            self.h1_parts = []

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if tag == "script":
            self.in_jsonld = False
        if tag in _VOID_TAGS:
            return
        # Close up to the matching open tag; tolerate unclosed inner tags.
        for depth in range(len(self.stack) - 1, -1, -1):
            if self.stack[depth][0] == tag:
                for _, skipping in self.stack[depth:]:
                    if skipping:
                        self.skip_depth -= 1
                del self.stack[depth:]
                break
        if tag == "h1" and self.h1_parts is not None:
            text = " ".join("".join(self.h1_parts).split())
            if text:
                self.h1.append(text)
            self.h1_parts = None
        if tag in _BLOCK_TAGS and not self.skip_depth:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title_parts.append(data)
            return
        if self.in_jsonld:
            self.jsonld.append(data)
            return
        if self.skip_depth:
            return
        self.current.append(data)
        if self.h1_parts is not None:
            self.h1_parts.append(data)


def _jsonld_fields(blobs: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}

    def visit(node: object) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item)
        elif isinstance(node, dict):
            if "@graph" in node:
                visit(node["@graph"])
            for key in ("headline", "datePublished", "url"):
                if isinstance(node.get(key), str):
                    out.setdefault(key, node[key])
            publisher = node.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                out.setdefault("publisher", publisher["name"])

    for blob in blobs:
        try:
            visit(json.loads(blob))
        except ValueError:
            continue
    return out


def parse_html(markup: str) -> HtmlPage:
    """Text lines and metadata of an HTML page."""
    parser = _Extractor()
    parser.feed(markup)
    parser.close()
    parser._flush()
    meta = parser.meta
    ld = _jsonld_fields(["".join(parser.jsonld)]) if parser.jsonld else {}
    title = (
        meta.get("og:title")
        or ld.get("headline")
        or (parser.h1[0] if parser.h1 else None)
        or " ".join("".join(parser.title_parts).split())
        or None
    )
    published = (
        meta.get("article:published_time")
        or meta.get("datepublished")
        or ld.get("datePublished")
        or meta.get("date")
        or meta.get("pubdate")
        or (parser.times[0] if parser.times else None)
    )
    outlet = meta.get("og:site_name") or ld.get("publisher") or meta.get("application-name")
    url = parser.canonical or meta.get("og:url") or ld.get("url")
    return HtmlPage("\n".join(parser.lines), title, published, outlet, url, parser.h1)


def looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)
