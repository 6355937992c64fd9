"""The embedded backend: the SQLite store plus a BM25 index in plain files, no server.

Index directory additions:
    lexical/gNNNNNN/   BM25 arrays (search/bm25.py); `meta.lexical` in SQLite names the current one

Every write goes through `IndexWriter` with `LexicalComponent`, which updates the
BM25 index from the passages the write added and removed, saves it as a new
generation and records its name in the same transaction; readers notice the new
generation and load it (`LocalBackend.refresh`).
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from search.arabic import search_terms
from search.backends.base import Filters, Hits
from search.bm25 import BM25Index
from search.errors import IndexVersionMismatch, MizanError
from search.models import Document, Passage
from search.store import IndexWriter, Store

log = logging.getLogger(__name__)

LEXICAL_KEY = "lexical"
LEXICAL_DIR = "lexical"


def lexical_text(title: str, passage_text: str) -> str:
    """What BM25 indexes for a passage: its document's title travels with it (a passage alone lacks context)."""
    return f"{title}\n{passage_text}"


def _next_generation(current: str | None) -> str:
    number = int(current.rsplit("g", 1)[-1]) + 1 if current else 1
    return f"{LEXICAL_DIR}/g{number:06d}"


class LexicalComponent:
    """Keeps the BM25 files in step with the store inside each write."""

    def __init__(self, progress: bool | None = None):
        self.progress = progress

    def before_commit(self, store: Store, index_dir: Path) -> None:
        current = store.get_meta(LEXICAL_KEY)
        usable = current is not None and (index_dir / current).is_dir()
        if usable and not store.added_passages and not store.removed_passages:
            return
        if usable:
            assert current is not None
            bm25 = BM25Index.load(index_dir / current)
            bm25.delete(store.removed_passages)
            added = list(store.added_passages)
            todo: list[str] | None = added
            count = len(added)
        else:  # a new index, or one written before it had a lexical index: build from every passage
            bm25 = BM25Index()
            todo = None
            count = store.passage_count()
        ids: list[str] = []
        tokens: list[list[str]] = []
        with tqdm(total=count, unit="passage", desc="lexical index", disable=self._quiet(count)) as bar:
            for pid, title, text in store.passages_for_indexing(todo):
                ids.append(pid)
                tokens.append(search_terms(lexical_text(title, text)))
                bar.update(1)
        bm25.add(ids, tokens)
        generation = _next_generation(current)
        target = index_dir / generation
        if target.exists():  # left by a run that died before its commit
            shutil.rmtree(target)
        bm25.save(target)
        store.set_meta(LEXICAL_KEY, generation)

    def after_commit(self, index_dir: Path, meta: dict[str, str]) -> None:
        keep = meta.get(LEXICAL_KEY)
        folder = index_dir / LEXICAL_DIR
        if not folder.is_dir():
            return
        for generation in folder.iterdir():
            if f"{LEXICAL_DIR}/{generation.name}" != keep:
                shutil.rmtree(generation, ignore_errors=True)

    def _quiet(self, count: int) -> bool | None:
        if self.progress is False or count < 2000:
            return True
        return None if self.progress is None else not self.progress


def index_components(progress: bool | None = None) -> list:
    """The structures a local index keeps beside its database."""
    return [LexicalComponent(progress)]


class LocalBackend:
    """Reads an index directory; writes through IndexWriter so readers always see a consistent state."""

    name = "local"

    def __init__(self, index_dir: Path | str):
        self.index_dir = Path(index_dir)
        self.store = Store.open(self.index_dir)
        self._generation: str | None = None
        self._bm25: BM25Index | None = None
        self._filter_cache: dict[Filters, np.ndarray] = {}
        self.refresh()

    def refresh(self) -> None:
        """Load the lexical index again if another writer replaced it."""
        generation = self.store.get_meta(LEXICAL_KEY)
        if generation is None or not (self.index_dir / generation).is_dir():
            raise IndexVersionMismatch(
                f"{self.index_dir} has no lexical index (it was built by an older Mizan); "
                f"rebuild it with `mizan index --rebuild --index {self.index_dir}`"
            )
        if generation != self._generation:
            self._bm25 = BM25Index.load(self.index_dir / generation)
            self._generation = generation
            self._filter_cache.clear()

    @property
    def bm25(self) -> BM25Index:
        assert self._bm25 is not None
        return self._bm25

    # ------------------------------------------------------------ queries

    def _allowed(self, filters: Filters | None) -> np.ndarray | None:
        if filters is None or filters.empty:
            return None
        mask = self._filter_cache.get(filters)
        if mask is None:
            ids = self.store.passage_ids_where(
                list(filters.outlets) or None,
                filters.date_from.isoformat() if filters.date_from else None,
                filters.date_to.isoformat() if filters.date_to else None,
            )
            mask = np.zeros(len(self.bm25.alive), dtype=bool)
            index_of = self.bm25.index_of
            mask[[index_of[i] for i in ids if i in index_of]] = True
            if len(self._filter_cache) > 64:
                self._filter_cache.clear()
            self._filter_cache[filters] = mask
        return mask

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> Hits:
        ids, scores, total = self.bm25.search(search_terms(query), k, allowed=self._allowed(filters))
        return Hits(ids, scores, total)

    def dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> Hits:
        raise MizanError("this index has no passage embeddings yet; search it with --mode bm25")

    # ------------------------------------------------------------ documents

    def get_document(self, doc_id: str) -> Document | None:
        return self.store.get_document(doc_id)

    def get_passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        found = (self.store.get_passage(pid) for pid in passage_ids)
        return [p for p in found if p is not None]

    def stats(self) -> dict:
        stats = self.store.stats()
        stats["backend"] = self.name
        stats["lexical_passages"] = len(self.bm25)
        return stats

    # ------------------------------------------------------------ writes

    def add(self, documents: Sequence[Document]) -> None:
        with IndexWriter(self.index_dir, components=index_components(progress=False)) as store:
            for doc in documents:
                if store.get_document(doc.doc_id, with_passages=False) is not None:
                    store.delete_document(doc.doc_id)
                store.insert_document(doc, f"api:{doc.doc_id}", None, [])
                for passage in doc.passages:
                    if not store.passage_exists(passage.passage_id):
                        store.insert_passage(passage, None, [])
        self.refresh()

    def delete(self, doc_ids: Sequence[str]) -> int:
        removed = 0
        with IndexWriter(self.index_dir, components=index_components(progress=False)) as store:
            for doc_id in doc_ids:
                removed += store.delete_document(doc_id)
        self.refresh()
        return removed

    def close(self) -> None:
        self.store.close()
