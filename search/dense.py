"""Passage vectors and inner-product search over them with FAISS.

Vectors are L2-normalised e5 embeddings, so inner product is cosine similarity.
The index keeps a float32 matrix and the passage id of each row; adding appends
rows, deleting drops them. Search is exact (faiss IndexFlatIP) by default; above
`APPROXIMATE_FROM` rows an HNSW graph is built instead (the threshold comes from
bench/retrieval.py: the size where exact search passes the latency bar).
Single queries use one thread: with two, FAISS's OpenMP start-up costs more than
it saves on a 2-core machine.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path

import faiss
import numpy as np

log = logging.getLogger(__name__)

FORMAT = 1
APPROXIMATE_FROM = 1_000_000
_HNSW_M = 32
_HNSW_EF_SEARCH = 128


class DenseIndex:
    """Passage vectors of one embedding model, searchable by inner product."""

    def __init__(self, model_id: str, dimension: int):
        self.model_id = model_id
        self.dimension = dimension
        self.ids: list[str] = []
        self.index_of: dict[str, int] = {}
        self.vectors = np.zeros((0, dimension), dtype=np.float32)
        self._faiss: faiss.Index | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, passage_id: str) -> bool:
        return passage_id in self.index_of

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
        self._faiss = None

    def delete(self, ids: Iterable[str]) -> int:
        drop = sorted(self.index_of[i] for i in set(ids) if i in self.index_of)
        if not drop:
            return 0
        keep = np.ones(len(self.ids), dtype=bool)
        keep[drop] = False
        self.vectors = self.vectors[keep]
        self.ids = [pid for pid, k in zip(self.ids, keep.tolist(), strict=True) if k]
        self.index_of = {pid: n for n, pid in enumerate(self.ids)}
        self._faiss = None
        return len(drop)

    def vector(self, passage_id: str) -> np.ndarray | None:
        i = self.index_of.get(passage_id)
        return None if i is None else self.vectors[i]

    def _index(self) -> faiss.Index:
        if self._faiss is None:
            index: faiss.Index
            if len(self.ids) >= APPROXIMATE_FROM:
                index = faiss.IndexHNSWFlat(self.dimension, _HNSW_M, faiss.METRIC_INNER_PRODUCT)
                index.hnsw.efSearch = _HNSW_EF_SEARCH
            else:
                index = faiss.IndexFlatIP(self.dimension)
            if len(self.vectors):
                index.add(self.vectors)
            self._faiss = index
        return self._faiss

    def search(
        self, query: np.ndarray, k: int, *, allowed: np.ndarray | None = None
    ) -> tuple[list[str], list[float], int]:
        """The k nearest passages (ids, similarities) and how many passages were eligible."""
        eligible = len(self.ids) if allowed is None else int(allowed[: len(self.ids)].sum())
        if not eligible or k <= 0:
            return [], [], eligible
        k = min(k, eligible)
        query = np.ascontiguousarray(query, dtype=np.float32).reshape(1, self.dimension)
        index = self._index()
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            if allowed is None:
                scores, rows = index.search(query, k)
            else:
                bits = np.packbits(allowed[: len(self.ids)].astype(np.uint8), bitorder="little")
                selector = faiss.IDSelectorBitmap(len(self.ids), faiss.swig_ptr(bits))
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
        directory.mkdir(parents=True, exist_ok=False)
        np.save(directory / "vectors.npy", self.vectors)
        (directory / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        meta = {"format": FORMAT, "model_id": self.model_id, "dimension": self.dimension}
        (directory / "model.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> DenseIndex:
        meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"vectors in {directory} have another format; rebuild the index")
        index = cls(meta["model_id"], int(meta["dimension"]))
        index.ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        index.index_of = {pid: n for n, pid in enumerate(index.ids)}
        index.vectors = np.load(directory / "vectors.npy")
        return index

    @staticmethod
    def model_of(directory: Path) -> tuple[str, int]:
        meta = json.loads((directory / "model.json").read_text(encoding="utf-8"))
        return meta["model_id"], int(meta["dimension"])
