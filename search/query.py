"""A query as the engine and the answer layer take it: text, paging, mode, filters, fusion; validated.

Below the backends and the figure layer: both use it, it uses neither."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum

from search.errors import MizanError
from search.fusion import FusionMode


@dataclass(frozen=True)
class Filters:
    """Restrict results to some outlets and a publication date range (inclusive)."""

    outlets: tuple[str, ...] = ()
    date_from: date | None = None
    date_to: date | None = None

    @property
    def empty(self) -> bool:
        return not self.outlets and self.date_from is None and self.date_to is None


MAX_QUERY_CHARS = 500
MAX_K = 100
MAX_PAGE = 50


class QueryError(MizanError):
    """A query the engine cannot run; the message says how to fix it."""

    exit_code = 2


class SearchMode(Enum):
    HYBRID = "hybrid"
    BM25 = "bm25"
    DENSE = "dense"

    @classmethod
    def parse(cls, value: str) -> SearchMode:
        try:
            return cls(value.lower())
        except ValueError:
            choices = ", ".join(m.value for m in cls)
            raise QueryError(f"unknown search mode {value!r}; use one of: {choices}") from None


@dataclass(frozen=True)
class Query:
    text: str
    k: int = 10
    page: int = 1
    mode: SearchMode = SearchMode.HYBRID
    filters: Filters = Filters()
    fusion: FusionMode | None = None  # None: the backend's default (minmax locally, rrf on OpenSearch)

    def validated(self) -> Query:
        text = " ".join(self.text.split())
        if not text:
            raise QueryError("empty query: type the words or the question to search for")
        if len(text) > MAX_QUERY_CHARS:
            raise QueryError(f"query too long ({len(text)} characters); keep it under {MAX_QUERY_CHARS}")
        if not 1 <= self.k <= MAX_K:
            raise QueryError(f"k must be between 1 and {MAX_K}, not {self.k}")
        if not 1 <= self.page <= MAX_PAGE:
            raise QueryError(f"page must be between 1 and {MAX_PAGE}, not {self.page}")
        f = self.filters
        if f.date_from and f.date_to and f.date_from > f.date_to:
            raise QueryError(f"the date range is empty: from {f.date_from} is after to {f.date_to}")
        return Query(text, self.k, self.page, self.mode, self.filters, self.fusion)
