"""Writes save deltas (search/generations.py): the stacked index always equals one built from scratch.

Random writes — new documents, documents replaced (some of their passages unchanged), documents
removed — through the same IndexWriter components as `mizan index` and the API, with small
thresholds so deltas, merges of deltas and new bases all happen within a few dozen writes.
After every write a long-lived reader (which replays only new deltas) and a fresh load must
rank exactly as a BM25 index and a vector index built from the store's live passages.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import numpy as np
import pytest

from indexer.passages import make_passages
from search import generations
from search.arabic import search_terms
from search.backends.local import (
    DENSE_KEY,
    LEXICAL_KEY,
    DenseComponent,
    LocalBackend,
    index_components,
    indexed_text,
)
from search.bm25 import BM25Index
from search.check import check_index
from search.dense import DenseIndex
from search.models import Document
from search.store import IndexWriter, Store

WORDS = (
    "وزارة الصحة أعلنت تسجيل إصابات جديدة في المحافظة الشرقية بعد السيول الجارفة التي ضربت القرى "
    "الجيش الكوري الشمالي أرسل جنودا إلى روسيا بحسب البنتاغون وسيول والاستخبارات الأوكرانية"
).split()
QUERIES = ["الصحة إصابات", "جنودا روسيا", "السيول القرى", "البنتاغون", "المحافظة الشرقية الجيش"]
DIM = 8


class FakeEmbedder:
    """Vectors from a hash of the text: the same text, the same vector, with no model to load."""

    dimension = DIM

    def encode_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return np.stack([vector_of(t) for t in texts])


def vector_of(text: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def document(doc_id: str, paragraphs: list[str]) -> Document:
    text = "\n\n".join(paragraphs)
    doc = Document(doc_id=doc_id, source_key=f"api:{doc_id}", title=f"خبر {doc_id}", text=text, outlet="الأفق")
    doc.passages = make_passages(doc_id, text)
    return doc


@pytest.fixture
def small_thresholds(monkeypatch) -> None:
    monkeypatch.setattr(generations, "MIN_BASE_ROWS", 24)
    monkeypatch.setattr(generations, "MAX_DELTAS", 4)
    monkeypatch.setattr(DenseComponent, "_embedder", lambda self, encoder: FakeEmbedder())


def write(index: Path, add: list[Document] = (), remove: list[str] = ()) -> None:  # type: ignore[assignment]
    with IndexWriter(index, components=index_components(progress=False)) as store:
        for doc_id in remove:
            store.delete_document(doc_id)
        for doc in add:
            if store.get_document(doc.doc_id, with_passages=False) is not None:
                store.delete_document(doc.doc_id)
            store.insert_document(doc, doc.source_key, None, [])
            for passage in doc.passages:
                if not store.passage_exists(passage.passage_id):
                    store.insert_passage(passage, None, [])


def expected(index: Path) -> tuple[BM25Index, dict[str, str]]:
    """BM25 over the store's live passages built in one go, and each passage's indexed text."""
    with Store.open(index) as store:
        rows = list(store.passages_for_indexing(None))
    texts = {pid: indexed_text(title, text) for pid, title, text in rows}
    bm25 = BM25Index()
    bm25.add(list(texts), [search_terms(t) for t in texts.values()])
    return bm25, texts


def assert_same(index: Path, reader: LocalBackend) -> None:
    reference, texts = expected(index)
    with Store.open(index) as store:
        lexical, dense = store.get_meta(LEXICAL_KEY), store.get_meta(DENSE_KEY)
    fresh = generations.load_stack(index, lexical, BM25Index.load)
    reader.refresh()
    for q in QUERIES:
        want = reference.search(search_terms(q), 50)
        for got in (fresh.search(search_terms(q), 50), reader.bm25.search(search_terms(q), 50)):
            assert sorted(got[0]) == sorted(want[0]) and got[2] == want[2]
            assert dict(zip(got[0], got[1], strict=True)) == pytest.approx(dict(zip(want[0], want[1], strict=True)))
    vectors = generations.load_stack(index, dense, DenseIndex.load)
    assert set(vectors.index_of) == set(texts) == set(reader._dense.index_of)  # type: ignore[union-attr]
    for pid, text in texts.items():
        assert np.allclose(vectors.vector(pid), vector_of(text))
    probe = vector_of("probe")
    brute = sorted(texts, key=lambda pid: -float(vector_of(texts[pid]) @ probe))[:5]
    assert reader.dense(probe, 5).ids == brute
    parts = generations.parts_of(index, lexical) + generations.parts_of(index, dense)
    on_disk = {f"{folder}/{p.name}" for folder in ("lexical", "dense") for p in (index / folder).iterdir()}
    assert on_disk == {p.name for p in parts}  # nothing else kept, nothing needed removed
    assert check_index(index).ok


def test_random_writes_rank_as_a_fresh_build(tmp_path: Path, small_thresholds) -> None:
    rng = random.Random(5)
    index = tmp_path / "ix"

    def paragraph() -> str:
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 14)))

    live: dict[str, list[str]] = {}
    first = [document(f"d{n}", [paragraph() for _ in range(2)]) for n in range(3)]
    write(index, first)
    live.update({d.doc_id: d.text.split("\n\n") for d in first})
    reader = LocalBackend(index)
    shapes: set[tuple[bool, int]] = set()
    for step in range(40):
        op = rng.random()
        if op < 0.5 or len(live) < 3:
            docs = [document(f"d{100 + step}_{n}", [paragraph() for _ in range(rng.randint(1, 3))]) for n in range(2)]
            write(index, docs)
            live.update({d.doc_id: d.text.split("\n\n") for d in docs})
        elif op < 0.75:  # replaced: one paragraph kept (same passage id), one new
            doc_id = rng.choice(sorted(live))
            doc = document(doc_id, [live[doc_id][0], paragraph()])
            write(index, [doc])
            live[doc_id] = doc.text.split("\n\n")
        else:
            doc_id = rng.choice(sorted(live))
            write(index, remove=[doc_id])
            del live[doc_id]
        with Store.open(index) as store:
            parts = generations.parts_of(index, store.get_meta(LEXICAL_KEY))
        shapes.add((len(parts) == 1, len(parts)))
        assert_same(index, reader)
    reader.close()
    assert (True, 1) in shapes and any(n > 2 for _, n in shapes)  # new bases and stacks of deltas both happened


def test_a_delta_write_reads_no_base(tmp_path: Path, small_thresholds, monkeypatch) -> None:
    index = tmp_path / "ix"
    write(index, [document(f"d{n}", [" ".join(WORDS[n : n + 10])]) for n in range(30)])
    read: list[str] = []
    for cls in (BM25Index, DenseIndex):
        real = cls.load

        def spying(directory: Path, real=real):  # type: ignore[no-untyped-def]
            read.append(f"{directory.parent.name}/{directory.name}")
            return real(directory)

        monkeypatch.setattr(cls, "load", staticmethod(spying))
    write(index, [document("new", ["الجيش الكوري الشمالي أرسل جنودا"])], remove=["d3"])
    with Store.open(index) as store:
        assert len(generations.parts_of(index, store.get_meta(LEXICAL_KEY))) == 2  # base and the new delta
    assert read == []  # neither the BM25 base nor the vectors were read
    monkeypatch.undo()
    assert_same(index, LocalBackend(index))


def test_a_reader_replays_only_new_deltas(tmp_path: Path, small_thresholds, monkeypatch) -> None:
    index = tmp_path / "ix"
    write(index, [document(f"d{n}", [" ".join(WORDS[n : n + 10])]) for n in range(30)])
    reader = LocalBackend(index)
    base = reader.bm25
    write(index, [document("new", ["الجيش الكوري الشمالي أرسل جنودا"])])
    loaded: list[str] = []
    stacks = reader._lexical_stacks
    monkeypatch.setattr(stacks, "_read", lambda d: loaded.append(d.name) or BM25Index.load(d))
    reader.refresh()
    assert len(loaded) == 1 and reader.bm25 is not base  # the delta alone, replayed on a copy
    assert "new" not in {reader.store.get_passage(p).doc_id for p in base.ids if reader.store.get_passage(p)}
    assert (
        reader.lexical("جنودا الكوري", 3).ids[0]
        == make_passages("new", "الجيش الكوري الشمالي أرسل جنودا")[0].passage_id
    )
    reader.close()


def test_a_damaged_listing_keeps_every_part(tmp_path: Path, small_thresholds) -> None:
    index = tmp_path / "ix"
    write(index, [document(f"d{n}", [" ".join(WORDS[n : n + 10])]) for n in range(30)])
    write(index, [document("new", ["الجيش الكوري الشمالي أرسل جنودا"])])
    with Store.open(index) as store:
        current = store.get_meta(LEXICAL_KEY)
    (index / current / generations.PARTS).write_text("{")
    before = sorted(p.name for p in (index / "lexical").iterdir())
    assert generations.kept(index, current) == {f"lexical/{name}" for name in before}
