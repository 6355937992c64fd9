"""The backend protocol every backend implements, and the shapes it answers in.

Backends hold documents and passages and answer lexical and dense sub-queries;
fusion, highlighting and result shaping happen above them (search/engine.py), so
every backend ranks alike. A contract test suite (tests/backend_contract.py) is
inherited by each backend's tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from search.figures import Figure
from search.models import Document, Passage
from search.query import Filters


@dataclass(frozen=True)
class Hits:
    """One sub-query's answer: passage ids best first, their scores, and how many matched in all."""

    ids: list[str]
    scores: list[float]
    total: int


class Backend(Protocol):
    name: str

    def add(self, documents: Sequence[Document]) -> None:
        """Add documents with their passages (ids already set); replaces documents with the same id."""

    def delete(self, doc_ids: Sequence[str]) -> int:
        """Remove documents and their passages; returns how many existed."""

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> Hits: ...

    def dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> Hits: ...

    def get_document(self, doc_id: str, *, with_passages: bool = True) -> Document | None: ...

    def get_passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        """The passages that exist, in the order asked."""

    def figures(self, passage_ids: Sequence[str]) -> dict[str, list[Figure]]:
        """The figures extracted from each passage when it was added (passages without any are absent)."""

    def stats(self) -> dict: ...

    def close(self) -> None: ...
