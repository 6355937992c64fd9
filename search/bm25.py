"""BM25 over pre-tokenised passages, with adds and deletes without a rebuild.

score(q, d) = Σ_{t in q} idf(t) · tf·(k1 + 1) / (tf + k1·(1 − b + b·|d|/avgdl)),
the query's repeated terms counted as often as they occur, with one of two idfs:
- "lucene" (default, as Lucene and OpenSearch): idf = ln(1 + (N − df + 0.5)/(df + 0.5)),
  always positive, so a passage holding a query term always matches;
- "okapi", rank-bm25's BM25Okapi: idf = ln(N − df + 0.5) − ln(df + 0.5), a negative idf
  replaced by ε · (mean idf of the vocabulary) — and a term in exactly half the passages
  weighs 0. Tests check this variant against rank-bm25 and the default by hand.

With the Lucene idf, |d| is also read as Lucene stores it (`lengths` "lucene"): in one byte,
exact below 24 terms, above that 24 plus the rest cut to its 4 leading bits (SmallFloat.
intToByte4), and N and avgdl count only passages with at least one term (the field's
docCount); so the local engine ranks exactly as OpenSearch's BM25 on the same terms
(bench/lucene.py measures it). "exact" keeps |d| as counted (rank-bm25 does).

Postings are term-major CSR segments in numpy (passage index and term frequency
per posting). Adding passages appends a segment; deleting marks them dead and
adjusts the statistics; `compact()` merges segments and drops the dead. Scores are
computed at query time from tf and lengths, so N, avgdl and idf are always those
of the live passages (what a rebuild would give); `search` runs compiled
(search/maxscore.py). `absorb` replays a small index saved as a delta
(search/generations.py) onto a large one, and `copy` lets a reader do so without
touching the index other requests are searching.
"""

from __future__ import annotations

import json
import logging
import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from search import maxscore

log = logging.getLogger(__name__)

FORMAT = 1
_NO_KEEP = np.zeros(0, dtype=bool)  # the compiled search takes an array either way


@dataclass(frozen=True)
class BM25Params:
    k1: float = 1.2
    b: float = 0.75
    idf: str = "lucene"  # or "okapi" (rank-bm25's BM25Okapi)
    epsilon: float = 0.25  # okapi only
    lengths: str | None = None  # "lucene" or "exact"; None: "lucene" with the Lucene idf, else "exact"

    def __post_init__(self) -> None:
        if self.idf not in ("lucene", "okapi"):
            raise ValueError(f"unknown idf variant {self.idf!r}: use 'lucene' or 'okapi'")
        if self.lengths not in (None, "lucene", "exact"):
            raise ValueError(f"unknown length encoding {self.lengths!r}: use 'lucene' or 'exact'")

    @property
    def lucene_lengths(self) -> bool:
        return self.lengths == "lucene" or (self.lengths is None and self.idf == "lucene")


def lucene_length(lengths: np.ndarray) -> np.ndarray:
    """Passage lengths as Lucene's BM25 reads them back from its one-byte norm (SmallFloat.byte4ToInt of
    intToByte4): below 24 exact; above, 24 plus the rest truncated to its 4 most significant bits."""
    n = np.asarray(lengths, dtype=np.int64)
    rest = np.maximum(n - 24, 0)
    shift = np.maximum(np.frexp(rest.astype(np.float64))[1] - 4, 0)  # frexp's exponent is the bit length
    return np.where(n < 24, n, 24 + ((rest >> shift) << shift))


@dataclass
class _State:
    """What scoring needs of one state of the index (a write starts a new one)."""

    n: int
    norms: np.ndarray  # k1·(1 − b + b·|d|/avgdl) of each passage
    norm_min: float  # the smallest of them: a bound on every contribution without reading the others
    mean_idf: float
    all_alive: bool


@dataclass
class _Buffers:
    out: np.ndarray
    seen: np.ndarray


@dataclass
class _Segment:
    """Postings of one batch: for term id t, positions indptr[t]:indptr[t+1] (terms past the end: none)."""

    indptr: np.ndarray  # int64, len = vocabulary size when built + 1
    docs: np.ndarray  # int32 passage index
    tfs: np.ndarray  # float32 term frequency

    def __post_init__(self) -> None:
        # never changed in place: a loaded base maps its files (shared by a server's workers), and the
        # compiled search is built for read-only arrays only
        for part in (self.indptr, self.docs, self.tfs):
            part.setflags(write=False)

    def postings(self, tid: int) -> tuple[np.ndarray, np.ndarray]:
        if tid + 1 >= len(self.indptr):
            return self.docs[:0], self.tfs[:0]
        s, e = self.indptr[tid], self.indptr[tid + 1]
        return self.docs[s:e], self.tfs[s:e]


class BM25Index:
    """A BM25 index over passages identified by string ids."""

    def __init__(self, params: BM25Params | None = None):
        self.params = params or BM25Params()
        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []
        self.ids: list[str] = []
        self.index_of: dict[str, int] = {}
        self.df = np.zeros(0, dtype=np.int64)
        self.doc_len = np.zeros(0, dtype=np.int64)
        self.alive = np.zeros(0, dtype=bool)
        self.segments: list[_Segment] = []
        self._cache: _State | None = None  # statistics of the current state
        self._unsettled: list[np.ndarray] = []  # rows deleted and still counted in df (see _settle)
        self._local = threading.local()  # per-thread search buffers

    # ------------------------------------------------------------ size

    def __len__(self) -> int:
        return int(self.alive.sum())

    def __contains__(self, passage_id: str) -> bool:
        i = self.index_of.get(passage_id)
        return i is not None and bool(self.alive[i])

    @property
    def total_len(self) -> int:
        return int(self.doc_len[self.alive].sum())

    # ------------------------------------------------------------ writes

    def add(self, ids: Sequence[str], token_lists: Iterable[Sequence[str]]) -> None:
        """Add passages (an id already present is replaced)."""
        present = [i for i in ids if i in self]
        if present:
            self.delete(present)
        start = len(self.ids)
        term_col = array("q")  # 8 bytes per token, where a list of ints costs 36
        lengths = array("q")
        vocab, terms = self.vocab, self.terms

        def term_id(tok: str) -> int:
            tid = vocab.get(tok)
            if tid is None:
                tid = vocab[tok] = len(terms)
                terms.append(tok)
            return tid

        for tokens in token_lists:
            lengths.append(len(tokens))
            term_col.extend(map(term_id, tokens))
        if len(lengths) != len(ids):
            raise ValueError(f"{len(ids)} ids but {len(lengths)} token lists")
        per_doc = np.frombuffer(lengths, dtype=np.int64)
        segment = None
        if term_col:
            doc_col = np.repeat(np.arange(start, start + len(per_doc), dtype=np.int64), per_doc)
            segment = _build_segment(np.frombuffer(term_col, dtype=np.int64), doc_col, len(terms))
        self._append(ids, per_doc, segment)

    def _append(self, ids: Sequence[str], lengths: np.ndarray, segment: _Segment | None) -> None:
        """Take passages numbered from len(self.ids) on, with their postings (term ids of this vocabulary)."""
        start = len(self.ids)
        for n, pid in enumerate(ids):
            self.index_of[pid] = start + n
        self.ids.extend(ids)
        self.doc_len = np.concatenate([self.doc_len, lengths.astype(np.int64)])
        self.alive = np.concatenate([self.alive, np.ones(len(ids), dtype=bool)])
        vocab_size = len(self.terms)
        if len(self.df) < vocab_size:
            self.df = np.concatenate([self.df, np.zeros(vocab_size - len(self.df), dtype=np.int64)])
        if segment is not None:
            self.df[: len(segment.indptr) - 1] += np.diff(segment.indptr)  # one posting per (term, passage)
            self.segments.append(segment)
        self._cache = None
        if len(self.segments) > 8:
            self.compact()

    def absorb(self, delta: BM25Index, removed: Iterable[str]) -> None:
        """Apply a delta: take `removed` out, then add the delta's live passages (replacing present ids)."""
        self.delete(removed)
        delta.compact()  # one segment of live passages only
        present = [pid for pid in delta.ids if pid in self]
        if present:
            self.delete(present)
        if not delta.ids:
            return
        vocab, terms = self.vocab, self.terms
        to_global = np.empty(len(delta.terms), dtype=np.int64)
        for n, term in enumerate(delta.terms):
            tid = vocab.get(term)
            if tid is None:
                tid = vocab[term] = len(terms)
                terms.append(term)
            to_global[n] = tid
        segment = None
        if delta.segments:
            local = delta.segments[0]
            term_col = to_global[np.repeat(np.arange(len(local.indptr) - 1), np.diff(local.indptr))]
            segment = _csr(term_col, local.docs.astype(np.int64) + len(self.ids), local.tfs, len(terms))
        self._append(delta.ids, delta.doc_len, segment)

    def copy(self) -> BM25Index:
        """An index that can take writes while this one keeps serving searches (segments are shared)."""
        other = BM25Index(self.params)
        other.vocab, other.terms = dict(self.vocab), list(self.terms)
        other.ids, other.index_of = list(self.ids), dict(self.index_of)
        self._settle()
        other.df, other.doc_len, other.alive = self.df.copy(), self.doc_len, self.alive.copy()
        other.segments = list(self.segments)
        return other

    def delete(self, ids: Iterable[str]) -> int:
        """Mark passages dead and take them out of N, avgdl and df; returns how many were live."""
        idx = np.asarray([self.index_of[i] for i in ids if i in self], dtype=np.int64)
        if not len(idx):
            return 0
        self.alive[idx] = False
        self._unsettled.append(idx)  # df is corrected once for all of them, at the next read of it
        for i in idx.tolist():
            del self.index_of[self.ids[i]]
        self._cache = None
        return len(idx)

    def _settle(self) -> None:
        """Take passages deleted since the last read of df out of it: one pass over the postings for
        all of them (a reader replaying several deltas at a million passages made one pass each)."""
        if not self._unsettled:
            return
        dead = np.zeros(len(self.alive), dtype=bool)
        dead[np.concatenate(self._unsettled)] = True
        self._unsettled = []
        for seg in self.segments:
            hit = dead[seg.docs]
            if hit.any():
                term_of_posting = np.searchsorted(seg.indptr, np.flatnonzero(hit), side="right") - 1
                self.df -= np.bincount(term_of_posting, minlength=len(self.df))[: len(self.df)]

    def compact(self) -> None:
        """Merge all segments into one and drop dead passages (renumbering the live ones)."""
        self._settle()
        if len(self.segments) <= 1 and self.alive.all():
            return
        keep = np.flatnonzero(self.alive)
        renumber = np.full(len(self.alive), -1, dtype=np.int64)
        renumber[keep] = np.arange(len(keep))
        terms_parts, docs_parts, tfs_parts = [], [], []
        for seg in self.segments:
            live = self.alive[seg.docs]
            term_of_posting = np.repeat(np.arange(len(seg.indptr) - 1), np.diff(seg.indptr))
            terms_parts.append(term_of_posting[live])
            docs_parts.append(renumber[seg.docs[live]])
            tfs_parts.append(seg.tfs[live])
        self.ids = [self.ids[i] for i in keep.tolist()]
        self.index_of = {pid: n for n, pid in enumerate(self.ids)}
        self.doc_len = self.doc_len[keep]
        self.alive = np.ones(len(keep), dtype=bool)
        if terms_parts:
            t = np.concatenate(terms_parts)
            d = np.concatenate(docs_parts)
            f = np.concatenate(tfs_parts)
            self.segments = [_csr(t, d, f, len(self.terms))]
        else:
            self.segments = []
        self._cache = None

    # ------------------------------------------------------------ reads

    def _doc_count(self) -> int:
        """N: the live passages (with Lucene lengths, those with at least one term, as Lucene's docCount)."""
        return self._state().n

    def _state(self) -> _State:
        """N, per-passage k1·(1 − b + b·|d|/avgdl) and the vocabulary's mean idf, for the live passages;
        computed once per state of the index (a write starts a new one)."""
        if self._cache is None:
            self._settle()
            k1, b = self.params.k1, self.params.b
            live = self.doc_len[self.alive]
            n = int((live > 0).sum()) if self.params.lucene_lengths else len(live)
            avgdl = int(live.sum()) / n if n else 1.0
            lengths = lucene_length(self.doc_len) if self.params.lucene_lengths else self.doc_len
            norms = k1 * (1 - b + b * lengths / (avgdl or 1.0))
            mean_idf = 0.0
            if self.params.idf == "okapi":
                present = self.df[self.df > 0].astype(np.float64)
                idf = np.log(n - present + 0.5) - np.log(present + 0.5)
                mean_idf = float(idf.mean()) if len(idf) else 0.0
            norm_min = float(norms.min()) if len(norms) else 0.0
            self._cache = _State(n, norms, norm_min, mean_idf, bool(self.alive.all()))
        return self._cache

    def idf(self, term: str) -> float:
        tid = self.vocab.get(term)
        n = self._doc_count()  # settles df
        if tid is None or self.df[tid] <= 0:
            return 0.0
        df = float(self.df[tid])
        if self.params.idf == "lucene":
            return float(np.log1p((n - df + 0.5) / (df + 0.5)))
        value = float(np.log(n - df + 0.5) - np.log(df + 0.5))
        return value if value >= 0 else self.params.epsilon * self._state().mean_idf

    def _weights(self, query: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The query's term ids with a non-zero idf, and each one's idf times its count in the query."""
        weights: dict[int, float] = {}
        for term in query:
            tid = self.vocab.get(term)
            if tid is not None:
                weights[tid] = weights.get(tid, 0.0) + self.idf(term)
        tids = np.array([t for t, w in weights.items() if w != 0.0], dtype=np.int64)
        return tids, np.array([weights[t] for t in tids.tolist()], dtype=np.float64)

    def holding(self, query: Sequence[str], ids: Sequence[str]) -> set[str]:
        """Which of `ids` hold a query term (binary search in each term's postings: no scoring)."""
        rows = np.array(sorted(self.index_of[i] for i in ids if i in self), dtype=np.int64)
        found = np.zeros(len(rows), dtype=bool)
        for term in dict.fromkeys(query):
            tid = self.vocab.get(term)
            if tid is None or not len(rows):
                continue
            for seg in self.segments:
                docs, _ = seg.postings(tid)
                if len(docs):
                    at = np.minimum(np.searchsorted(docs, rows), len(docs) - 1)
                    found |= docs[at] == rows
        return {self.ids[r] for r in rows[found].tolist()}

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage index (dead ones 0) for a tokenised query."""
        state = self._state()
        k1 = self.params.k1
        out = np.zeros(len(self.alive), dtype=np.float64)
        tids, weights = self._weights(query)
        for tid, weight in zip(tids.tolist(), weights.tolist(), strict=True):
            for seg in self.segments:
                docs, tfs32 = seg.postings(tid)
                tfs = tfs32.astype(np.float64)  # stored compact, scored in double like the reference
                out[docs] += weight * (tfs * (k1 + 1)) / (tfs + state.norms[docs])
        if not state.all_alive:
            out[~self.alive] = 0.0
        return out

    def search(
        self, query: Sequence[str], k: int = 10, *, allowed: np.ndarray | None = None
    ) -> tuple[list[str], list[float], int]:
        """The k best (ids, scores) and how many passages match at all; `allowed` masks passage indices.

        Each segment is searched by the compiled MaxScore of search/maxscore.py, rarest term first, the
        k-th best score of one segment carried into the next; the top k is exact, ties at the k-th cut
        by insertion order. Scores accumulate in buffers kept per thread and left zeroed."""
        state = self._state()
        tids, weights = self._weights(query)
        keep = self._keep(allowed)
        buffers = self._buffers()
        prunable = k > 0 and bool((weights > 0).all())  # bounds need contributions of one sign
        floor, total = 0.0, 0
        rows_found, scores_found = [], []
        for seg in self.segments:
            inside = tids + 1 < len(seg.indptr)  # terms added after this segment have no postings in it
            lengths = seg.indptr[tids[inside] + 1] - seg.indptr[tids[inside]]
            order = np.argsort(lengths, kind="stable")
            order = order[lengths[order] > 0]
            if not len(order):
                continue
            rows, scores, matched, floor = maxscore.top_of_segment(
                seg.indptr, seg.docs, seg.tfs, tids[inside][order], weights[inside][order],
                state.norms, state.norm_min, float(self.params.k1),
                keep if keep is not None else _NO_KEEP, keep is not None,
                buffers.out, buffers.seen, max(k, 0), floor, prunable,
            )  # fmt: skip
            total += matched
            rows_found.append(rows)
            scores_found.append(scores)
        if not total or k <= 0 or not rows_found:
            return [], [], total
        rows, scores = np.concatenate(rows_found), np.concatenate(scores_found)
        order = np.lexsort((rows, -scores))[:k]  # score, then insertion order: stable ties
        return [self.ids[i] for i in rows[order].tolist()], scores[order].tolist(), total

    def _keep(self, allowed: np.ndarray | None) -> np.ndarray | None:
        """Which passages may be returned (live and allowed); None for all of them."""
        keep = None if self._state().all_alive else self.alive
        if allowed is not None:
            mask = np.zeros(len(self.alive), dtype=bool)
            mask[: min(len(allowed), len(mask))] = allowed[: len(mask)]
            keep = mask if keep is None else keep & mask
        return keep

    def _buffers(self) -> _Buffers:
        """This thread's score and seen buffers, as long as the index (a server searches from threads)."""
        local = self._local.__dict__
        buffers: _Buffers | None = local.get("buffers")
        if buffers is None or len(buffers.seen) < len(self.alive):
            buffers = local["buffers"] = _Buffers(
                np.zeros(len(self.alive), dtype=np.float64), np.zeros(len(self.alive), dtype=np.uint8)
            )
        return buffers

    # ------------------------------------------------------------ files

    def save(self, directory: Path) -> None:
        """Write the index (compacted) as plain files into a new directory."""
        self.compact()
        directory.mkdir(parents=True, exist_ok=False)
        seg = (
            self.segments[0]
            if self.segments
            else _Segment(np.zeros(1, np.int64), np.zeros(0, np.int32), np.zeros(0, np.float32))
        )
        np.save(directory / "indptr.npy", seg.indptr)
        np.save(directory / "docs.npy", seg.docs)
        np.save(directory / "tfs.npy", seg.tfs)
        np.save(directory / "doc_len.npy", self.doc_len)
        np.save(directory / "df.npy", self.df)
        (directory / "terms.json").write_text(json.dumps(self.terms, ensure_ascii=False), encoding="utf-8")
        (directory / "ids.json").write_text(json.dumps(self.ids), encoding="utf-8")
        (directory / "params.json").write_text(json.dumps({"format": FORMAT, **asdict(self.params)}), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> BM25Index:
        meta = json.loads((directory / "params.json").read_text(encoding="utf-8"))
        if meta.pop("format") != FORMAT:
            raise ValueError(f"BM25 files in {directory} have another format; rebuild the index")
        index = cls(BM25Params(**meta))
        index.terms = json.loads((directory / "terms.json").read_text(encoding="utf-8"))
        index.vocab = {t: n for n, t in enumerate(index.terms)}
        index.ids = json.loads((directory / "ids.json").read_text(encoding="utf-8"))
        index.index_of = {pid: n for n, pid in enumerate(index.ids)}
        index.doc_len = np.load(directory / "doc_len.npy")
        index.df = np.load(directory / "df.npy")
        index.alive = np.ones(len(index.ids), dtype=bool)
        indptr = np.load(directory / "indptr.npy")
        if len(indptr) > 1:
            docs, tfs = (np.load(directory / name, mmap_mode="r") for name in ("docs.npy", "tfs.npy"))
            index.segments = [_Segment(indptr, docs, tfs)]
        return index


def _build_segment(term_col: np.ndarray, doc_col: np.ndarray, vocab_size: int) -> _Segment:
    """CSR postings (term-major, passages ascending) with term frequencies from (term, passage) pairs."""
    width = int(doc_col.max()) + 1
    keys, tf = np.unique(term_col * width + doc_col, return_counts=True)
    terms, docs = np.divmod(keys, width)  # sorted by term, then passage
    return _Segment(_indptr(terms, vocab_size), docs.astype(np.int32), tf.astype(np.float32))


def _csr(term_col: np.ndarray, doc_col: np.ndarray, tfs: np.ndarray, vocab_size: int) -> _Segment:
    """CSR postings from one (term, passage, tf) triple per posting, in any order."""
    order = np.lexsort((doc_col, term_col))
    return _Segment(_indptr(term_col, vocab_size), doc_col[order].astype(np.int32), tfs[order].astype(np.float32))


def _indptr(term_col: np.ndarray, vocab_size: int) -> np.ndarray:
    indptr = np.zeros(vocab_size + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_col, minlength=vocab_size), out=indptr[1:])
    return indptr
