"""The top k of one BM25 posting segment, compiled: MaxScore over whole posting lists.

numpy spends most of a query's time at a million passages on temporaries and on passes over every
posting of the common terms; one compiled pass (numba, cached on disk after the first call) scores
each posting once, in place, and touches the long lists only at the passages that can still win.

The lists are walked rarest first. Once what the lists left could add to a passage none of the
walked lists holds is below the k-th best score so far, no such passage can enter the top k: each
remaining list is read once, adding only to the passages already found whose score so far plus
the remaining lists' bounds still reaches the k-th best (marked in `seen`), and counting the
passages it holds that no list before it did, so that the count of matches stays exact. A list's
bound is idf · tf_max·(k1 + 1)/(tf_max + the smallest norm): above every posting's contribution
without a pass over the norms. The k-th best so far is kept among the passages at or above it
(`TOP`), found by a heap of k. Scores are the exact BM25 sums, rounded to `TIE` to compare.
"""

from __future__ import annotations

import numpy as np
from numba import njit

TIE = 1e-9  # sums of the same contributions in another order differ below this; they must tie
UNSEEN, SEEN, LIVE, TOP = 0, 1, 2, 3  # a passage's state in the `seen` buffer (uint8)


@njit(cache=True, nogil=True)
def _round(x):  # pragma: no cover - compiled
    """To TIE, as numpy's round(x, 9) (scores must equal those the reference rounds)."""
    return np.rint(x * 1e9) / 1e9


@njit(cache=True, nogil=True)
def _kth(out, rows, m, keep, use_keep, k):  # pragma: no cover - compiled
    """The k-th best of out[rows[:m]] among the passages kept (0 with fewer than k): a min-heap of the
    k best, one comparison for most passages (numba's np.partition is several times numpy's)."""
    if k <= 0:
        return 0.0
    heap = np.empty(k, dtype=np.float64)
    size = 0
    for i in range(m):
        d = rows[i]
        if use_keep and not keep[d]:
            continue
        v = out[d]
        if size < k:
            j = size
            heap[j] = v
            size += 1
            while j > 0:  # sift up
                parent = (j - 1) >> 1
                if heap[parent] <= heap[j]:
                    break
                heap[parent], heap[j] = heap[j], heap[parent]
                j = parent
        elif v > heap[0]:
            heap[0] = v
            j = 0
            while True:  # sift down
                child = 2 * j + 1
                if child >= k:
                    break
                if child + 1 < k and heap[child + 1] < heap[child]:
                    child += 1
                if heap[j] <= heap[child]:
                    break
                heap[j], heap[child] = heap[child], heap[j]
                j = child
    return heap[0] if size == k else 0.0


@njit(cache=True, nogil=True)
def top_of_segment(
    indptr, docs, tfs, tids, weights, norms, norm_min, k1, keep, use_keep, out, seen, k, floor, prunable
):  # pragma: no cover - compiled
    """Passages of this segment that may be among the k best, their rounded scores, how many passages
    of the segment match (and are kept), and the k-th best score known afterwards.

    `tids`/`weights`: the query's terms (ids in this segment's vocabulary, rarest first) and their
    idf times their count in the query. `out`/`seen`: zeroed buffers (float64, uint8) over every
    passage, left zeroed. `floor`: a k-th best score already reached elsewhere (other segments), 0
    at first."""
    n = len(tids)
    starts = np.zeros(n, dtype=np.int64)
    ends = np.zeros(n, dtype=np.int64)
    left = np.zeros(n + 1, dtype=np.float64)  # bound of lists i and after
    for i in range(n - 1, -1, -1):
        t = tids[i]
        if t + 1 < len(indptr):
            starts[i] = indptr[t]
            ends[i] = indptr[t + 1]
        tf_max = 0.0
        for p in range(starts[i], ends[i]):
            if tfs[p] > tf_max:
                tf_max = tfs[p]
        bound = weights[i] * tf_max * (k1 + 1.0) / (tf_max + norm_min) if tf_max > 0 else 0.0
        left[i] = left[i + 1] + bound
    capacity = 0
    for i in range(n):
        capacity += ends[i] - starts[i]
    touched = np.empty(capacity, dtype=np.int64)
    m = 0
    # TOP: the kept passages at or above the threshold, the only ones the k-th best can be among
    # (scores only rise, and a passage that rises past it is met in the list that lifts it)
    top = np.empty(capacity, dtype=np.int64)
    tops = 0
    threshold = floor
    done = 0
    while done < n:
        if prunable and threshold > 0 and left[done] < threshold:
            break
        w = weights[done]
        for p in range(starts[done], ends[done]):
            d = docs[p]
            tf = np.float64(tfs[p])
            out[d] += w * tf * (k1 + 1.0) / (tf + norms[d])
            state = seen[d]
            if state == UNSEEN:
                touched[m] = d
                m += 1
            if state != TOP and out[d] >= threshold and (not use_keep or keep[d]):
                seen[d] = TOP
                top[tops] = d
                tops += 1
            elif state == UNSEEN:
                seen[d] = SEEN
        done += 1
        if prunable and done < n and tops >= k:
            threshold = max(threshold, _kth(out, top, tops, keep, False, k))
            c = 0
            for i in range(tops):
                d = top[i]
                if out[d] >= threshold:
                    top[c] = d
                    c += 1
                else:
                    seen[d] = SEEN
            tops = c

    # the passages that can still win are marked LIVE; each list left is read once, adding to those
    # and counting the passages it holds that no list before it does (marked, but for the last list)
    live = np.empty(m, dtype=np.int64)
    count = 0
    for i in range(m):
        d = touched[i]
        if (not use_keep or keep[d]) and out[d] + left[done] >= threshold - TIE:
            seen[d] = LIVE
            live[count] = d
            count += 1
        else:
            seen[d] = SEEN
    marked = np.empty(capacity - (ends[n - 1] - starts[n - 1]) if n else 0, dtype=np.int64)
    marks = 0
    extra = 0
    for j in range(done, n):
        if j > done:
            threshold = max(threshold, _kth(out, live, count, keep, False, k))
            c = 0
            for i in range(count):  # drop the passages that can no longer reach the k-th best
                d = live[i]
                if out[d] + left[j] >= threshold - TIE:
                    live[c] = d
                    c += 1
                else:
                    seen[d] = SEEN
            count = c
        w = weights[j]
        last = j == n - 1
        for p in range(starts[j], ends[j]):
            d = docs[p]
            state = seen[d]
            if state == LIVE:
                tf = np.float64(tfs[p])
                out[d] += w * tf * (k1 + 1.0) / (tf + norms[d])
            elif state == UNSEEN:
                if not last:
                    seen[d] = SEEN
                    marked[marks] = d
                    marks += 1
                if not use_keep or keep[d]:
                    extra += 1

    cut = 0.0
    if k > 0:  # below it, a passage is not in the top k (the caller merges segments and cuts at k)
        threshold = max(threshold, _kth(out, live, count, keep, False, k))
        cut = _round(threshold - TIE)
    total = extra
    chosen = 0
    rows = np.empty(m, dtype=np.int64)
    scores = np.empty(m, dtype=np.float64)
    for i in range(m):
        d = touched[i]
        score = _round(out[d])
        out[d] = 0.0
        seen[d] = UNSEEN
        if score <= 0 or (use_keep and not keep[d]):
            continue
        total += 1
        if k > 0 and score >= cut:
            rows[chosen] = d
            scores[chosen] = score
            chosen += 1
    for i in range(marks):
        seen[marked[i]] = UNSEEN
    return rows[:chosen], scores[:chosen], total, threshold


def load() -> None:
    """Load the compiled search (compiling it, once per machine, when no cached build fits), so that
    a server's first query does not wait for it."""
    indptr = np.array([0, 1], dtype=np.int64)
    docs, tfs = np.zeros(1, dtype=np.int32), np.ones(1, dtype=np.float32)
    for array in (indptr, docs, tfs):  # as search/bm25.py holds postings
        array.setflags(write=False)
    out, seen = np.zeros(1, dtype=np.float64), np.zeros(1, dtype=np.uint8)
    tids, weights, norms = np.zeros(1, dtype=np.int64), np.ones(1, dtype=np.float64), np.ones(1, dtype=np.float64)
    no_keep = np.zeros(0, dtype=bool)
    top_of_segment(indptr, docs, tfs, tids, weights, norms, 1.0, 1.2, no_keep, False, out, seen, 10, 0.0, True)
