"""The vector index: exact inner-product search, adds, deletes, filters and files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("faiss", reason="faiss-cpu is part of the default install")

from search.dense import DenseIndex  # noqa: E402


def unit(rng: np.random.Generator, n: int, dim: int = 16) -> np.ndarray:
    v = rng.normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def brute(vectors: np.ndarray, q: np.ndarray, k: int) -> list[int]:
    return np.argsort(-(vectors @ q), kind="stable")[:k].tolist()


def test_exact_search_equals_brute_force_through_churn(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    vecs = unit(rng, 200)
    index = DenseIndex("test-model", 16)
    index.add([f"p{i}" for i in range(120)], vecs[:120])
    index.add([f"p{i}" for i in range(120, 200)], vecs[120:])
    index.delete([f"p{i}" for i in range(0, 200, 3)])
    live = [i for i in range(200) if i % 3]
    q = unit(rng, 1)[0]
    ids, scores, eligible = index.search(q, 10)
    assert eligible == len(live)
    assert ids == [f"p{live[j]}" for j in brute(vecs[live], q, 10)]
    assert scores == pytest.approx(sorted((vecs[live] @ q).tolist(), reverse=True)[:10], abs=1e-5)
    index.save(tmp_path / "dense")
    loaded = DenseIndex.load(tmp_path / "dense")
    assert loaded.search(q, 10)[0] == ids
    assert DenseIndex.model_of(tmp_path / "dense") == ("test-model", 16)


def test_filters_and_replacement() -> None:
    rng = np.random.default_rng(5)
    vecs = unit(rng, 50)
    index = DenseIndex("m", 16)
    index.add([f"p{i}" for i in range(50)], vecs)
    allowed = np.zeros(50, dtype=bool)
    allowed[[4, 9, 33]] = True
    ids, _, eligible = index.search(vecs[9], 10, allowed=allowed)
    assert eligible == 3 and ids[0] == "p9" and set(ids) == {"p4", "p9", "p33"}
    index.add(["p9"], vecs[10:11])  # replaced: p9 now points where p10 does
    assert len(index) == 50 and index.search(vecs[10], 2)[0][:2] in (["p10", "p9"], ["p9", "p10"])
    assert index.search(vecs[0], 5, allowed=np.zeros(50, dtype=bool)) == ([], [], 0)


def test_shape_is_checked() -> None:
    with pytest.raises(ValueError, match="dimension 16"):
        DenseIndex("m", 16).add(["a"], np.zeros((1, 8), dtype=np.float32))


def test_approximate_index_above_the_threshold(monkeypatch) -> None:
    import search.dense as dense

    monkeypatch.setattr(dense, "APPROXIMATE_FROM", 100)
    rng = np.random.default_rng(11)
    vecs = unit(rng, 400, 32)
    index = DenseIndex("m", 32)
    index.add([f"p{i}" for i in range(400)], vecs)
    assert type(index._index()).__name__ == "IndexHNSWFlat"
    hits = 0
    for q in unit(rng, 20, 32):
        exact = {f"p{j}" for j in brute(vecs, q, 10)}
        hits += len(exact & set(index.search(q, 10)[0]))
    assert hits / 200 >= 0.9  # recall@10 of the graph against exact search
    allowed = np.zeros(400, dtype=bool)
    allowed[::7] = True
    ids, _, eligible = index.search(vecs[14], 5, allowed=allowed)
    assert eligible == 58 and ids[0] == "p14" and all(int(i[1:]) % 7 == 0 for i in ids)


def saved_graph(tmp_path: Path, monkeypatch, seed: int, total: int) -> np.ndarray:
    """`total` unit vectors, the first 200 saved in tmp_path/g1 with an HNSW graph (the threshold lowered)."""
    import search.dense as dense

    monkeypatch.setattr(dense, "APPROXIMATE_FROM", 100)
    vecs = unit(np.random.default_rng(seed), total, 32)
    index = DenseIndex("m", 32)
    index.add([f"p{i}" for i in range(200)], vecs[:200])
    index.save(tmp_path / "g1")
    return vecs


def test_the_graph_is_saved_and_grows_in_place(tmp_path: Path, monkeypatch) -> None:
    vecs = saved_graph(tmp_path, monkeypatch, 17, 300)
    assert (tmp_path / "g1" / "hnsw.faiss").is_file()
    loaded = DenseIndex.load(tmp_path / "g1")
    graph = loaded._faiss
    assert graph is not None and graph.ntotal == 200  # read from disk, not rebuilt
    loaded.delete(["p5"])
    reader = loaded.copy()  # what other requests search while a write is replayed on `loaded`
    loaded.add([f"p{i}" for i in range(200, 300)], vecs[200:])
    assert loaded._faiss is graph and graph.ntotal == 200  # never changed in place: the new rows are a tail
    assert loaded.search(vecs[250], 1)[0] == ["p250"]  # found in the tail
    assert loaded.search(vecs[7], 1)[0] == ["p7"]  # and in the graph
    assert "p5" not in loaded.search(vecs[5], 10)[0]
    assert reader.search(vecs[250], 1)[0] != ["p250"] and len(reader) == 199
    loaded.save(tmp_path / "g2")
    assert graph.ntotal == 200 and reader.search(vecs[7], 1)[0] == ["p7"]  # the shared graph is untouched
    again = DenseIndex.load(tmp_path / "g2")
    assert again._faiss is not None and again._faiss.ntotal == 300  # the tail was folded into the saved graph
    assert len(again) == 299 and again.search(vecs[250], 1)[0] == ["p250"]


def test_a_loaded_graph_maps_its_files_and_a_writer_folds_into_its_own_copy(tmp_path: Path, monkeypatch) -> None:
    """Workers share the vectors and the graph through the page cache; FAISS aborts the process on an
    add to a mapped graph, so the writer that folds a tail in must first make the graph its own."""
    vecs = saved_graph(tmp_path, monkeypatch, 23, 260)
    loaded = DenseIndex.load(tmp_path / "g1")
    assert isinstance(loaded._blocks[0], np.memmap) and not loaded._blocks[0].flags.writeable
    loaded.add([f"p{i}" for i in range(200, 260)], vecs[200:])  # no copy in between: its own, but mapped
    loaded.save(tmp_path / "g2")
    again = DenseIndex.load(tmp_path / "g2")
    assert again._faiss is not None and again._faiss.ntotal == 260
    assert again.search(vecs[230], 1)[0] == ["p230"] and loaded.search(vecs[3], 1)[0] == ["p3"]


def test_many_deletions_are_compacted_on_save(tmp_path: Path) -> None:
    rng = np.random.default_rng(19)
    vecs = unit(rng, 100)
    index = DenseIndex("m", 16)
    index.add([f"p{i}" for i in range(100)], vecs)
    index.delete([f"p{i}" for i in range(50)])
    index.save(tmp_path / "d")
    loaded = DenseIndex.load(tmp_path / "d")
    assert len(loaded.ids) == len(loaded) == 50 and loaded.alive.all()
    assert loaded.search(vecs[70], 1)[0] == ["p70"]
