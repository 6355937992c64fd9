"""Cut a cleaned document into paragraph-sized passages with stable, content-derived ids.

Passages follow paragraphs: short paragraphs are merged with the next until a
passage has MIN_WORDS, and a paragraph longer than MAX_WORDS is cut at sentence
ends. MAX_WORDS keeps a passage well inside the 512 tokens of multilingual-e5
(Arabic news averages about 1.6 of its tokens per word, plus the "passage: " prefix).
"""

from __future__ import annotations

import hashlib
import re

from search.arabic import terms
from search.models import Passage

MAX_WORDS = 200
MIN_WORDS = 40

_PARAGRAPH = re.compile(r"[^\n]+(?:\n(?!\n)[^\n]+)*")
_SENTENCE = re.compile(r"[^.!?؟؛…]+(?:[.!?؟؛…]+[\"'”»)]*|$)\s*")
_WORD = re.compile(r"\S+")


def passage_id(text: str) -> str:
    """Id from the normalised words, so spacing, harakat or punctuation changes keep it."""
    key = " ".join(terms(text, stemmed=False)) or text
    return "p_" + hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _words(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _split_long(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Spans of at most MAX_WORDS inside [start, end), cut at sentence ends where possible."""
    pieces: list[tuple[int, int]] = []
    cur_start, cur_words = None, 0
    for m in _SENTENCE.finditer(text, start, end):
        if not m.group().strip():
            continue
        s, e = m.start(), m.end()
        words = _words(text, s, e)
        if words > MAX_WORDS:  # one enormous sentence: cut it by words
            if cur_start is not None:
                pieces.append((cur_start, s))
                cur_start, cur_words = None, 0
            spans = [w.span() for w in _WORD.finditer(text, s, e)]
            for i in range(0, len(spans), MAX_WORDS):
                chunk = spans[i : i + MAX_WORDS]
                pieces.append((chunk[0][0], chunk[-1][1]))
            continue
        if cur_start is not None and cur_words + words > MAX_WORDS:
            pieces.append((cur_start, s))
            cur_start, cur_words = None, 0
        if cur_start is None:
            cur_start = s
        cur_words += words
    if cur_start is not None:
        pieces.append((cur_start, end))
    return [(s, len(text[:e].rstrip())) if text[s:e].strip() else (s, e) for s, e in pieces]


def chunk_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) spans of the passages of `text`."""
    paragraphs = [(m.start(), m.end()) for m in _PARAGRAPH.finditer(text) if m.group().strip()]
    chunks: list[tuple[int, int, int]] = []  # start, end, words
    cur: list[int] | None = None  # [start, end, words]
    for start, end in paragraphs:
        words = _words(text, start, end)
        if words > MAX_WORDS:
            if cur:
                chunks.append((cur[0], cur[1], cur[2]))
                cur = None
            chunks.extend((s, e, _words(text, s, e)) for s, e in _split_long(text, start, end))
            continue
        if cur and cur[2] < MIN_WORDS and cur[2] + words <= MAX_WORDS:
            cur[1], cur[2] = end, cur[2] + words
            continue
        if cur:
            chunks.append((cur[0], cur[1], cur[2]))
        cur = [start, end, words]
    if cur:
        chunks.append((cur[0], cur[1], cur[2]))
    # A short tail joins the passage before it when they fit together.
    if len(chunks) >= 2 and chunks[-1][2] < MIN_WORDS // 2 and chunks[-2][2] + chunks[-1][2] <= MAX_WORDS:
        last = chunks.pop()
        prev = chunks.pop()
        chunks.append((prev[0], last[1], prev[2] + last[2]))
    return [(s, e) for s, e, _ in chunks]


def make_passages(doc_id: str, text: str) -> list[Passage]:
    return [Passage(passage_id(text[s:e]), doc_id, n, s, e, text[s:e]) for n, (s, e) in enumerate(chunk_spans(text))]
