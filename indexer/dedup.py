"""Exact and near-duplicate detection for documents and passages.

Exact: a hash of the normalised words, blind to spacing, harakat and punctuation.
Near: MinHash over word 3-shingles with locality-sensitive banding (8 bands of 4
rows: pairs at Jaccard 0.8 become candidates with probability > 0.98), then the
true Jaccard of the candidate's shingles decides against NEAR_DUPLICATE. Texts
that write different numbers are never near-duplicates: the figures are what
Mizan compares, and a templated report with new figures is new information.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Callable
from functools import lru_cache

import numpy as np

from search.arabic import terms

NEAR_DUPLICATE = 0.8
MIN_TERMS_FOR_NEAR = 12  # shorter texts are compared exactly only
# Below this share of equal MinHash values a pair is not checked exactly: at Jaccard 0.8,
# 32 values fall under half agreeing with probability about 1e-5.
_ESTIMATE_FLOOR = 0.5
_BANDS, _ROWS = 8, 4
_PERMS = _BANDS * _ROWS
_PRIME = np.uint64((1 << 32) + 15)
_rng = np.random.RandomState(20241030)
_A = _rng.randint(1, 1 << 31, size=_PERMS, dtype=np.int64).astype(np.uint64)
_B = _rng.randint(0, 1 << 31, size=_PERMS, dtype=np.int64).astype(np.uint64)


def content_hash(words: list[str]) -> str:
    return hashlib.blake2b(" ".join(words).encode("utf-8"), digest_size=16).hexdigest()


@lru_cache(maxsize=100_000)
def _word_hash(word: str) -> int:
    return zlib.crc32(word.encode("utf-8"))


_MIX = (np.uint64(0x9E3779B1), np.uint64(0x85EBCA77), np.uint64(0xC2B2AE3D))
_MASK32 = np.uint64(0xFFFFFFFF)


def shingles(words: list[str]) -> set[int]:
    """32-bit hashes of the word 3-grams (stable across runs: signatures are stored)."""
    if not words:
        return set()
    h = np.fromiter(map(_word_hash, words), dtype=np.uint64, count=len(words))
    if len(words) < 3:
        return {int((h * _MIX[0]).sum() & _MASK32)}
    mixed = (h[:-2] * _MIX[0] + h[1:-1] * _MIX[1] + h[2:] * _MIX[2]) & _MASK32
    return set(mixed.tolist())


def minhash(shingle_set: set[int]) -> np.ndarray:
    x = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))
    # a < 2**31 and x < 2**32: the product stays below 2**63, no overflow
    return ((np.outer(_A, x) + _B[:, None]) % _PRIME).min(axis=1)


def band_keys(signature: np.ndarray) -> list[int]:
    rows = signature.reshape(_BANDS, _ROWS)
    return [(band << 32) | zlib.crc32(rows[band].tobytes()) for band in range(_BANDS)]


def _numbers(words: list[str]) -> set[str]:
    return {w for w in words if w[0].isdigit()}


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


class Fingerprint:
    """Everything dedup needs about one text, computed once."""

    def __init__(self, text: str):
        self.words = terms(text, stemmed=False)
        self.hash = content_hash(self.words)
        self.numbers = _numbers(self.words)
        self.near_ok = len(self.words) >= MIN_TERMS_FOR_NEAR
        self.shingles = shingles(self.words) if self.near_ok else set()
        sig = minhash(self.shingles) if self.near_ok else None
        self._sig = sig
        self.signature: bytes | None = sig.tobytes() if sig is not None else None
        self.band_keys: list[int] = band_keys(sig) if sig is not None else []

    def best_match(
        self, candidates: list[tuple[str, bytes | None]], text_of: Callable[[str], str]
    ) -> tuple[str, float] | None:
        """The candidate (id, signature) most similar to this text, if at least NEAR_DUPLICATE."""
        best: tuple[str, float] | None = None
        for cid, sig in candidates:
            # The signatures' agreement estimates Jaccard; only plausible pairs pay for the exact check.
            agreement = (
                float(np.mean(np.frombuffer(sig, dtype=np.uint64) == self._sig))
                if sig is not None and self._sig is not None
                else 1.0
            )
            if agreement < _ESTIMATE_FLOOR:
                continue
            words = terms(text_of(cid), stemmed=False)
            if _numbers(words) != self.numbers:
                continue  # same wording, other figures (a daily market report): not a duplicate
            score = jaccard(self.shingles, shingles(words))
            if score >= NEAR_DUPLICATE and (best is None or score > best[1]):
                best = (cid, score)
        return best
