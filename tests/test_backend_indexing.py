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


def test_a_changed_article_replaces_its_old_version(tmp_path: Path) -> None:
    from indexer.pipeline import add_records

    backend = _empty_backend(tmp_path / "ix")
    record = {"url": "https://example.test/a", "title": "خبر", "text": "وصل 300 متطوع إلى البلدة صباح الأحد."}
    report, (first,) = add_records([record], backend)
    assert first.status == "added" and report.documents_added == 1
    _, (same,) = add_records([record], backend)
    assert same.status == "unchanged" and same.doc_id == first.doc_id
    changed = {**record, "text": "وصل 450 متطوعاً إلى البلدة صباح الأحد، بحسب تصحيح البلدية."}
    report, (again,) = add_records([changed], backend)
    assert again.status == "replaced" and again.doc_id == first.doc_id and report.documents_replaced == 1
    assert backend.stats()["documents"] == 1  # the old version is gone, not beside the new one
    (passage,) = backend.get_document(first.doc_id).passages
    assert "450" in passage.text and {
        f.value_low for f in backend.figures([passage.passage_id])[passage.passage_id]
    } == {450}
    backend.close()
