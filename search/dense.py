"""Passage vectors and inner-product search over them with FAISS.

Vectors are L2-normalised e5 embeddings, so inner product is cosine similarity.
Rows are append-only: adding appends rows (and adds them to the FAISS structure
in place), deleting marks rows dead and searches skip them through an ID
selector; `compact()` drops dead rows and rebuilds, which `save` does once a
fifth of the rows are dead.

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
        self.vectors = np.zeros((0, dimension), dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self._faiss: faiss.Index | None = None

    def __len__(self) -> int:
        return len(self.index_of)

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
        self.vectors = np.concatenate([self.vectors, vectors]) if len(self.vectors) else vectors
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        if self._faiss is not None:
            if isinstance(self._faiss, faiss.IndexHNSWFlat) == self.approximate:
                self._faiss.add(vectors)  # grows in place: no rebuild
            else:
                self._faiss = None  # crossed the threshold: the next search builds the other kind

    def delete(self, ids: Iterable[str]) -> int:
        rows = [self.index_of.pop(i) for i in set(ids) if i in self.index_of]
        self.alive[rows] = False
        return len(rows)

    def vector(self, passage_id: str) -> np.ndarray | None:
        i = self.index_of.get(passage_id)
        return None if i is None else self.vectors[i]

    def compact(self) -> None:
        """Drop dead rows (renumbering the rest) and rebuild the FAISS structure."""
        keep = np.flatnonzero(self.alive)
        self.vectors = np.ascontiguousarray(self.vectors[keep])
        self.ids = [self.ids[i] for i in keep.tolist()]
        self.index_of = {pid: n for n, pid in enumerate(self.ids)}
        self.alive = np.ones(len(self.ids), dtype=bool)
        self._faiss = None

    def _index(self) -> faiss.Index:
        if self._faiss is None:
            index: faiss.Index
            if self.approximate:
                log.info("building an HNSW graph over %d vectors", len(self.ids))
                index = faiss.IndexHNSWFlat(self.dimension, _HNSW_M, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efSearch = _HNSW_EF_SEARCH
            else:
                index = faiss.IndexFlatIP(self.dimension)
            if len(self.vectors):
                index.add(np.ascontiguousarray(self.vectors))
            self._faiss = index
        return self._faiss

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
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            if eligible == len(self.alive):
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
        found = [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]
        return [self.ids[r] for r, _ in found], [s for _, s in found], eligible

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
            faiss.write_index(self._index(), str(directory / _GRAPH))

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        meta = _meta(directory)
        if meta.get("format") != FORMAT:
            raise ValueError(f"vectors in {directory} have another format; rebuild the index")
        index = cls(meta["model_id"], int(meta["dimension"]), meta.get("encoder", REFERENCE_ENCODER))
        index.ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        index.vectors = np.load(directory / "vectors.npy")
        index.alive = np.load(directory / "alive.npy")
        index.index_of = {pid: n for n, pid in enumerate(index.ids) if index.alive[n]}
        graph = directory / _GRAPH
        if graph.is_file() and index.approximate:
            index._faiss = faiss.read_index(str(graph))
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
