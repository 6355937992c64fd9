"""Indexing through the backend protocol (the path a server backend such as OpenSearch takes),
shown on the local backend: same documents, passages and figures as the local pipeline, idempotent."""

from __future__ import annotations

from pathlib import Path

from indexer.pipeline import index_paths_into
from search.backends.local import LocalBackend, index_components
from search.store import IndexWriter
from tests.conftest import SAMPLE, build_index


def _empty_backend(path: Path) -> LocalBackend:
    with IndexWriter(path, components=index_components(progress=False, embed=False)):
        pass
    return LocalBackend(path)


def test_backend_indexing_matches_the_local_pipeline(tmp_path: Path) -> None:
    build_index([SAMPLE], tmp_path / "pipeline")
    reference = LocalBackend(tmp_path / "pipeline")
    backend = _empty_backend(tmp_path / "through-backend")
    report = index_paths_into([SAMPLE], backend, progress=False)
    assert report.documents_added == reference.stats()["documents"] == 14
    assert report.files_read == 10 and not report.problems
    mine, theirs = backend.stats(), reference.stats()
    for key in ("documents", "passages", "figures"):
        assert mine[key] == theirs[key], key
    ids = [p.passage_id for d in reference.store.iter_documents() for p in reference.store.passages_of(d.doc_id)]
    assert backend.figures(ids).keys() == reference.figures(ids).keys()
    # a second run changes nothing: same ids
    index_paths_into([SAMPLE], backend, progress=False)
    assert backend.stats()["documents"] == 14 and backend.stats()["passages"] == theirs["passages"]
    reference.close()
    backend.close()


def test_exact_duplicates_are_dropped_within_a_run(tmp_path: Path) -> None:
    one = next(p for p in sorted(SAMPLE.rglob("*.txt")))
    copies = tmp_path / "copies"
    copies.mkdir()
    for name in ("a.txt", "b.txt"):
        (copies / name).write_bytes(one.read_bytes())
    backend = _empty_backend(tmp_path / "ix")
    report = index_paths_into([copies], backend, progress=False)
    assert report.duplicates_exact >= 1 and backend.stats()["documents"] == report.documents_added
    backend.close()
