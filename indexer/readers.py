"""Read files and folders of news into cleaned articles (`Incoming`), reporting what can't be read.

Formats, by extension and then by content:
- scraped page text (.txt or no extension) and HTML (.html, .htm) — cleaned by indexer/clean.py,
  and a page carrying several full articles yields each one;
- JSON Lines (.jsonl, .ndjson, and .gz of either) and JSON (.json: an object or a list of
  objects), one article per record, with the common field names of news feeds.
A file that cannot be read is reported by name with the reason and skipped; the rest goes on.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import BinaryIO

from indexer.clean import Article, split_page
from indexer.encoding import decode_bytes
from indexer.html import looks_like_html, parse_html
from search.dates import parse_date
from search.errors import InputNotFound, UnreadableFile
from search.models import Document

log = logging.getLogger(__name__)

TITLE_FIELDS = ("title", "headline", "name")
TEXT_FIELDS = ("text", "content", "body", "article", "article_body", "articleBody", "full_text")
SUMMARY_FIELDS = ("abstract", "description", "summary", "lead")
URL_FIELDS = ("url", "link", "canonical_url", "href")
OUTLET_FIELDS = ("outlet", "source", "src", "site", "publisher", "source_name", "website")
DATE_FIELDS = (
    "published",
    "date",
    "time",
    "published_at",
    "publishedAt",
    "pubdate",
    "pub_date",
    "date_published",
    "datePublished",
    "date_iso",
    "datetime",
    "date_extracted",
    "created_at",
)
ID_FIELDS = ("id", "docno", "doc_id", "guid")

# Documentation that sits beside news files in a folder is not news.
_NOT_NEWS_PREFIXES = ("readme", "license", "licence", "copying", "changelog", "notice")
_JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json.gz")
_MAX_PROBLEMS_PER_FILE = 5


@dataclass
class Incoming:
    """A cleaned article ready for the store, before ids and passages."""

    source_key: str
    source_path: str
    title: str
    text: str
    outlet: str | None
    agency: str | None
    published: date | None
    url: str | None
    date_estimated: bool = False  # `published` was estimated from the page's text, not printed as its date

    def document(self, doc_id: str) -> Document:
        """This article as a document with that id (passages not cut yet)."""
        return Document(
            doc_id=doc_id,
            source_key=self.source_key,
            source_path=self.source_path,
            title=self.title,
            text=self.text,
            outlet=self.outlet,
            agency=self.agency,
            published=self.published,
            url=self.url,
            date_estimated=self.date_estimated,
        )


@dataclass
class FileProblem:
    path: str
    message: str


def iter_files(paths: Iterable[str | Path]) -> list[Path]:
    """Every file under the given paths, sorted, skipping hidden ones; a missing path is an error."""
    paths = list(paths)
    missing = [str(p) for p in paths if not Path(p).exists()]
    if missing:
        raise InputNotFound(f"no such file or directory: {', '.join(missing)}; check the path and run again")
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                hidden = any(part.startswith(".") for part in f.relative_to(p).parts)
                if f.is_file() and not hidden and not f.name.lower().startswith(_NOT_NEWS_PREFIXES):
                    files.append(f)
        else:
            files.append(p)
    seen: set[Path] = set()
    out = []
    for f in files:
        r = f.resolve()
        if r not in seen:
            seen.add(r)
            out.append(r)
    return out


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _first(record: dict, fields: tuple[str, ...]) -> object:
    for name in fields:
        value = record.get(name)
        if isinstance(value, dict):
            value = value.get("name") or value.get("title")
        if value not in (None, "", [], {}):
            return value
    return None


def _str(value: object) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _fallback_title(text: str) -> str:
    words = text.split()
    return " ".join(words[:12]) + (" …" if len(words) > 12 else "")


def _clean_text(text: str) -> tuple[str, Article | None]:
    """Cleaned body of a feed record: its first article, or its paragraphs as given."""
    articles = split_page(text, use_titles=False)
    if articles:
        return articles[0].text, articles[0]
    paragraphs = [" ".join(p.split()) for p in text.split("\n")]
    return "\n\n".join(p for p in paragraphs if p), None


def record_to_incoming(record: dict, *, path: str, where: str) -> Incoming | None:
    """One JSON record as an article, or None when it has no text."""
    raw_text = _first(record, TEXT_FIELDS) or _first(record, SUMMARY_FIELDS)
    if not isinstance(raw_text, str) or not raw_text.strip():
        return None
    text, article = _clean_text(raw_text)
    if not text:
        return None
    url = _str(_first(record, URL_FIELDS))
    rid = _str(_first(record, ID_FIELDS))
    title = _str(_first(record, TITLE_FIELDS)) or _fallback_title(text)
    published = parse_date(_first(record, DATE_FIELDS))
    estimated = False
    if published is None and article is not None:
        published, estimated = article.published, article.date_estimated
    return Incoming(
        source_key=url or f"{path}#{rid or where}",
        source_path=path,
        title=title,
        text=text,
        outlet=_str(_first(record, OUTLET_FIELDS)) or (article.outlet if article else None),
        agency=_str(record.get("agency")) or (article.agency if article else None),
        published=published,
        url=url,
        date_estimated=estimated,
    )


def _read_json_lines(path: Path, stream: Iterable[bytes], problems: list[FileProblem]) -> Iterator[Incoming]:
    bad = 0
    for lineno, raw in enumerate(stream, 1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            bad += 1
            if bad <= _MAX_PROBLEMS_PER_FILE:
                problems.append(FileProblem(str(path), f"line {lineno}: not UTF-8, skipped"))
            continue
        except json.JSONDecodeError as exc:
            bad += 1
            if bad <= _MAX_PROBLEMS_PER_FILE:
                problems.append(FileProblem(str(path), f"line {lineno}: invalid JSON ({exc.msg}), skipped"))
            continue
        if not isinstance(record, dict):
            continue
        incoming = record_to_incoming(record, path=str(path), where=f"line{lineno}")
        if incoming is not None:
            yield incoming
    if bad > _MAX_PROBLEMS_PER_FILE:
        problems.append(FileProblem(str(path), f"{bad - _MAX_PROBLEMS_PER_FILE} more bad lines skipped"))


def _page_articles(path: Path, text: str) -> Iterator[Incoming]:
    meta_title = meta_outlet = meta_url = None
    meta_date: date | None = None
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or looks_like_html(text):
        page = parse_html(text)
        text = page.text
        # The page's own headline beats a section label the line cleaner might take for a title.
        meta_title = page.h1[0] if page.h1 else page.title
        meta_outlet, meta_url = page.outlet, page.url
        meta_date = parse_date(page.published)
    articles = split_page(text)
    for n, article in enumerate(articles):
        main = n == 0  # page-level metadata describes the page's first article
        title = (meta_title if main else None) or article.title or _fallback_title(article.text)
        yield Incoming(
            source_key=f"{path}#{n}",
            source_path=str(path),
            title=title,
            text=article.text,
            outlet=(meta_outlet if main else None) or article.outlet or meta_outlet,
            agency=article.agency,
            published=(meta_date if main else None) or article.published,
            url=meta_url if main else None,
            date_estimated=not (meta_date and main) and article.date_estimated,
        )


def read_file(
    path: Path, problems: list[FileProblem], progress: Callable[[int], None] | None = None
) -> Iterator[Incoming]:
    """Articles in one file; problems are appended to `problems` and the file is skipped or partly read."""
    name = str(path)
    lower = path.name.lower()
    try:
        if lower.endswith(_JSONL_SUFFIXES):
            with open(path, "rb") as raw:
                stream = gzip.GzipFile(fileobj=raw) if lower.endswith(".gz") else raw
                yield from _read_json_lines(path, _lines_reporting(stream, raw, progress), problems)
            return
        data = path.read_bytes()
        if progress:
            progress(len(data))
        if lower.endswith(".json"):
            payload = json.loads(decode_bytes(data, name=name).text)
            records = payload if isinstance(payload, list) else [payload]
            for n, record in enumerate(records):
                if isinstance(record, dict):
                    incoming = record_to_incoming(record, path=name, where=f"item{n}")
                    if incoming:
                        yield incoming
            return
        if lower.endswith(".gz"):
            raise UnreadableFile(f"{name}: a .gz file that is not JSON Lines (.jsonl.gz); skipped")
        text = decode_bytes(data, name=name).text
        found = False
        for incoming in _page_articles(path, text):
            found = True
            yield incoming
        if not found:
            problems.append(FileProblem(name, "no article text found (only navigation or short lines), skipped"))
    except UnreadableFile as exc:
        problems.append(FileProblem(name, str(exc).removeprefix(name + ": ")))
    except (gzip.BadGzipFile, EOFError) as exc:
        problems.append(FileProblem(name, f"broken gzip file ({exc}); the part before the damage was read"))
    except PermissionError:
        problems.append(FileProblem(name, "permission denied; fix its permissions and index it again"))
    except (OSError, ValueError) as exc:
        problems.append(FileProblem(name, f"cannot read ({exc}), skipped"))


def _lines_reporting(stream: Iterable[bytes], raw: BinaryIO, progress: Callable[[int], None] | None) -> Iterator[bytes]:
    """The lines of `stream`, reporting the bytes consumed from the file underneath (compressed, for .gz)."""
    pos = 0
    for line in stream:
        if progress:
            now = raw.tell()
            if now != pos:
                progress(now - pos)
                pos = now
        yield line
