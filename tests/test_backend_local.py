"""The local backend passes the backend contract, and keeps its lexical files consistent."""

from __future__ import annotations

from pathlib import Path

import pytest

from search import generations
from search.backends.local import LEXICAL_KEY, LocalBackend, index_components
from search.store import IndexWriter, Store
from tests.backend_contract import DOCS, BackendContract


@pytest.fixture
def backend(tmp_path: Path):
    with IndexWriter(tmp_path / "ix", components=index_components(progress=False)):
        pass  # an empty index
    b = LocalBackend(tmp_path / "ix")
    yield b
    b.close()


class TestLocalBackend(BackendContract):
    pass


def test_a_crash_while_saving_the_lexical_index_leaves_the_previous_state(backend, monkeypatch, tmp_path) -> None:
    import search.bm25 as bm25

    backend.add(DOCS[:2])
    generation = backend.store.get_meta(LEXICAL_KEY)
    real_save = bm25.BM25Index.save

    def dying(self, directory):
        real_save(self, directory)
        raise OSError("disk full")

    monkeypatch.setattr(bm25.BM25Index, "save", dying)
    with pytest.raises(OSError, match="disk full"):
        backend.add(DOCS[2:])
    monkeypatch.undo()
    backend.refresh()
    assert backend.store.get_meta(LEXICAL_KEY) == generation
    assert backend.stats()["documents"] == 2 and backend.lexical("جارفة", 5).total == 0
    backend.add(DOCS[2:])  # the next write works and clears the half-written generation
    assert backend.lexical("جارفة", 5).total == 1
    stack = generations.parts_of(tmp_path / "ix", backend.store.get_meta(LEXICAL_KEY))
    assert sorted(f"lexical/{p.name}" for p in (tmp_path / "ix" / "lexical").iterdir()) == [p.name for p in stack]


def test_another_process_write_is_seen_after_refresh(backend, tmp_path) -> None:
    other = LocalBackend(tmp_path / "ix")
    other.add(DOCS[:1])
    assert backend.lexical("روسيا", 5).total == 0  # still the generation it loaded
    backend.refresh()
    assert backend.lexical("روسيا", 5).total == 1
    other.close()


def test_an_index_without_lexical_files_asks_for_a_rebuild(tmp_path: Path) -> None:
    with IndexWriter(tmp_path / "ix"):  # no components: database only
        pass
    with pytest.raises(Exception, match="rebuild it with `mizan index --rebuild"):
        LocalBackend(tmp_path / "ix")
    with Store.open(tmp_path / "ix") as store:
        assert store.get_meta(LEXICAL_KEY) is None
