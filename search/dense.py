"""Passage vectors and inner-product search over them with FAISS.

Vectors are L2-normalised e5 embeddings, so inner product is cosine similarity.
Rows are append-only: adding appends rows, deleting marks rows dead and searches
skip them through an ID selector; `compact()` drops dead rows and rebuilds, which
`save` does once a fifth of the rows are dead. The FAISS structure is never changed
once built: rows added after it (a delta a reader replays, search/generations.py)
form a tail searched exactly beside it, and `save` folds the tail into the structure
of the copy it writes. So `copy` is cheap and a reader can replay a write on a copy
while other requests search the original.

Search is exact (IndexFlatIP) below APPROXIMATE_FROM rows and an HNSW graph
above. The threshold is measured by bench/retrieval.py on this 2-core machine:
hybrid p50 at 300k passages is 55.5 ms with exact search (bar: 60) and 30.5 ms
with HNSW, at 100k 36.0 and 29.3 ms; HNSW costs 48 s to build at 100k and 176 s
at 300k, so the graph is saved with the index and grows in place, never rebuilt
on load. Single queries use one FAISS thread: with two, OpenMP's start-up costs
more than it saves on two cores.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import faiss
import numpy as np

from search.embeddings import REFERENCE_ENCODER

log = logging.getLogger(__name__)

FORMAT = 2
APPROXIMATE_FROM = 200_000
COMPACT_DEAD_SHARE = 0.2
_HNSW_M = 32
_HNSW_EF_SEARCH = 128
_GRAPH = "hnsw.faiss"


class DenseIndex:
    """Passage vectors of one embedding model, searchable by inner product."""

    def __init__(self, model_id: str, dimension: int, encoder: str = REFERENCE_ENCODER):
        self.model_id = model_id
        self.dimension = dimension
        self.encoder = encoder  # the runtime and precision that computed the vectors (search/embeddings.py)
        self.ids: list[str] = []  # per row; a dead row keeps its old id
        self.index_of: dict[str, int] = {}  # live ids only
        # Rows in blocks: the loaded base, then the blocks added after it. Joining them on every add
        # copied the whole matrix (1.5 GB at a million passages) for each write a reader replayed.
        self._blocks: list[np.ndarray] = [np.zeros((0, dimension), dtype=np.float32)]
        self._tail_rows: tuple[tuple[int, int], np.ndarray] | None = None
        self.alive = np.zeros(0, dtype=bool)
        self._faiss: faiss.Index | None = None  # over the first _faiss.ntotal rows; the rest is the tail
        self._shared = False  # the FAISS structure is another index's too (`copy`) or maps its file

    def __len__(self) -> int:
        return len(self.index_of)

    @property
    def vectors(self) -> np.ndarray:
        """Every row as one matrix (joined once, when a writer or a check asks; searches do not)."""
        if len(self._blocks) > 1:
            self._blocks = [np.concatenate(self._blocks)]  # a new array: a copy sharing the old keeps it
        return self._blocks[0]

    @vectors.setter
    def vectors(self, matrix: np.ndarray) -> None:
        self._blocks, self._tail_rows = [matrix], None

    def _tail(self, start: int) -> np.ndarray:
        """Rows from `start` on, joined once per state (searches read them on every query)."""
        key = (start, len(self._blocks))
        if self._tail_rows is None or self._tail_rows[0] != key:
            self._tail_rows = (key, self._rows(start))
        return self._tail_rows[1]

    def _rows(self, start: int) -> np.ndarray:
        """Rows from `start` on, joining only the blocks they lie in."""
        parts, offset = [], 0
        for block in self._blocks:
            if offset + len(block) > start:
                parts.append(block[max(0, start - offset) :])
            offset += len(block)
        return np.concatenate(parts) if len(parts) > 1 else parts[0] if parts else self._blocks[0][:0]

    def __contains__(self, passage_id: str) -> bool:
        return passage_id in self.index_of

    @property
    def approximate(self) -> bool:
        return len(self.ids) >= APPROXIMATE_FROM

    def add(self, ids: Sequence[str], vectors: np.ndarray) -> None:
        """Add vectors (an id already present is replaced)."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(ids), self.dimension):
            raise ValueError(f"expected {len(ids)} vectors of dimension {self.dimension}, got {vectors.shape}")
        self.delete([i for i in ids if i in self.index_of])
        start = len(self.ids)
        self.ids.extend(ids)
        self.index_of.update({pid: start + n for n, pid in enumerate(ids)})
        self._blocks.append(vectors)
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        if self._faiss is not None and isinstance(self._faiss, faiss.IndexHNSWFlat) != self.approximate:
            self._faiss = None  # crossed the threshold: the next search builds the other kind

    def delete(self, ids: Iterable[str]) -> int:
        rows = [self.index_of.pop(i) for i in set(ids) if i in self.index_of]
        self.alive[rows] = False
        return len(rows)

    def absorb(self, delta: DenseIndex, removed: Iterable[str]) -> None:
        """Apply a delta: take `removed` out, then add the delta's live rows (replacing present ids)."""
        self.delete(removed)
        live = np.flatnonzero(delta.alive)
        if len(live):
            self.add([delta.ids[i] for i in live.tolist()], delta.vectors[live])

    def copy(self) -> DenseIndex:
        """An index that can take writes while this one keeps serving searches (vectors and the FAISS
        structure are shared: neither is changed in place)."""
        other = DenseIndex(self.model_id, self.dimension, self.encoder)
        other.ids, other.index_of = list(self.ids), dict(self.index_of)
        other._blocks, other.alive, other._faiss = list(self._blocks), self.alive.copy(), self._faiss
        other._shared = self._shared = self._faiss is not None
        return other

    def vector(self, passage_id: str) -> np.ndarray | None:
        i = self.index_of.get(passage_id)
        if i is None:
            return None
        for block in self._blocks:
            if i < len(block):
                return block[i]
            i -= len(block)
        return None

    def compact(self) -> None:
        """Drop dead rows (renumbering the rest) and rebuild the FAISS structure."""
        keep = np.flatnonzero(self.alive)
        self.vectors = np.ascontiguousarray(self.vectors[keep])
        self.ids = [self.ids[i] for i in keep.tolist()]
        self.index_of = {pid: n for n, pid in enumerate(self.ids)}
        self.alive = np.ones(len(self.ids), dtype=bool)
        self._faiss = None

    def _index(self) -> faiss.Index:
        """The FAISS structure: built over every row when there is none; an exact one is built again once
        its tail outgrows a quarter of it (cheap), a graph never (its tail is folded in by `save`)."""
        covered = self._faiss.ntotal if self._faiss is not None else 0
        exact = self._faiss is not None and not isinstance(self._faiss, faiss.IndexHNSWFlat)
        if self._faiss is None or (exact and len(self.ids) - covered > covered // 4):
            index: faiss.Index
            if self.approximate:
                log.info("building an HNSW graph over %d vectors", len(self.ids))
                index = faiss.IndexHNSWFlat(self.dimension, _HNSW_M, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efSearch = _HNSW_EF_SEARCH
            else:
                index = faiss.IndexFlatIP(self.dimension)
            if len(self.vectors):
                index.add(np.ascontiguousarray(self.vectors))
            self._faiss, self._shared = index, False
        return self._faiss

    def _fold_tail(self) -> faiss.Index:
        """The structure over every row, for saving: a graph takes the tail in place (this index is the
        writer's own copy), which is far cheaper than building the graph again."""
        index = self._index()
        if index.ntotal < len(self.ids):
            if self._shared:  # an owned copy (a clone of a mapped graph still maps it: FAISS aborts on add)
                index = self._faiss = faiss.deserialize_index(faiss.serialize_index(index))
                self._shared = False
            index.add(np.ascontiguousarray(self._rows(index.ntotal)))
        return index

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[list[str], list[float], int]:
        """The k nearest live passages (ids, similarities) and how many passages were eligible."""
        mask = self.alive
        if allowed is not None:
            rows = np.zeros(len(self.alive), dtype=bool)
            rows[: min(len(allowed), len(rows))] = allowed[: len(rows)]
            mask = mask & rows
        eligible = int(mask.sum())
        if not eligible or k <= 0:
            return [], [], eligible
        k = min(k, eligible)
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dimension)
        index = self._index()
        covered = index.ntotal
        found = self._search_structure(index, query, k, mask[:covered]) if mask[:covered].any() else []
        if covered < len(self.ids):  # the tail, exactly
            tail = np.flatnonzero(mask[covered:])
            if len(tail):
                sims = self._tail(covered)[tail] @ query[0]
                tail += covered
                best = np.argsort(-sims, kind="stable")[:k]
                found = sorted(found + [(int(tail[b]), float(sims[b])) for b in best], key=lambda f: -f[1])[:k]
        return [self.ids[r] for r, _ in found], [s for _, s in found], eligible

    def _search_structure(
        self, index: faiss.Index, query: np.ndarray, k: int, mask: np.ndarray
    ) -> list[tuple[int, float]]:
        k = min(k, int(mask.sum()))
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            if mask.all():
                scores, rows = index.search(query, k)
            else:
                bits = np.packbits(mask.astype(np.uint8), bitorder="little")
                selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
                # faiss's type stubs lack these (they exist at run time)
                params = (
                    faiss.SearchParametersHNSW(sel=selector, efSearch=_HNSW_EF_SEARCH)  # type: ignore[attr-defined]
                    if isinstance(index, faiss.IndexHNSWFlat)
                    else faiss.SearchParameters(sel=selector)  # type: ignore[call-arg]
                )
                scores, rows = index.search(query, k, params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]

    def save(self, directory: Path) -> None:
        if len(self.alive) and (~self.alive).sum() > COMPACT_DEAD_SHARE * len(self.alive):
            self.compact()
        directory.mkdir(parents=True, exist_ok=False)
        np.save(directory / "vectors.npy", self.vectors)
        np.save(directory / "alive.npy", self.alive)
        (directory / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        meta = {"format": FORMAT, "model_id": self.model_id, "dimension": self.dimension, "encoder": self.encoder}
        (directory / "model.json").write_text(json.dumps(meta), encoding="utf-8")
        if self.approximate:  # the graph is costly to build: it is kept with the vectors
            faiss.write_index(self._fold_tail(), str(directory / _GRAPH))

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        meta = _meta(directory)
        if meta.get("format") != FORMAT:
            raise ValueError(f"vectors in {directory} have another format; rebuild the index")
        index = cls(meta["model_id"], int(meta["dimension"]), meta.get("encoder", REFERENCE_ENCODER))
        index.ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        # Vectors and graph map their files, never changed in place: a server's workers share one copy
        # in the page cache (1.5 GB of vectors and 1.8 GB of graph at a million passages), and a load
        # reads only what searches touch.
        index.vectors = np.load(directory / "vectors.npy", mmap_mode="r")
        index.alive = np.load(directory / "alive.npy")
        index.index_of = {pid: n for n, pid in enumerate(index.ids) if index.alive[n]}
        graph = directory / _GRAPH
        if graph.is_file() and index.approximate:
            index._faiss, index._shared = faiss.read_index(str(graph), faiss.IO_FLAG_MMAP_IFC), True
        return index

    @staticmethod
    def model_of(directory: Path) -> tuple[str, int]:
        meta = _meta(directory)
        return meta["model_id"], int(meta["dimension"])

    @staticmethod
    def encoder_of(directory: Path) -> str:
        """The encoder of saved vectors; those saved before it was recorded came from the reference."""
        return str(_meta(directory).get("encoder", REFERENCE_ENCODER))


def _meta(directory: Path) -> dict:
    return json.loads((directory / "model.json").read_text(encoding="utf-8"))
