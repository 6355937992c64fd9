"""The records that flow from the indexer into the store and out of search."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class Passage:
    """A paragraph-sized chunk of a document's cleaned text.

    `start`/`end` are character offsets into `Document.text`; `text` is that slice.
    """

    passage_id: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass
class Document:
    """One cleaned news article with its metadata and passages."""

    doc_id: str
    source_key: str  # where it came from: "path#n" or the url; re-indexing a key replaces its document
    title: str
    text: str  # cleaned body, paragraphs separated by a blank line
    outlet: str | None = None  # the publisher of the page
    agency: str | None = None  # the news agency it credits, kept apart from the outlet
    published: date | None = None
    url: str | None = None
    source_path: str | None = None
    date_estimated: bool = False  # the page printed no date: `published` was read off its text (clean.py)
    passages: list[Passage] = field(default_factory=list)
