"""`mizan check`: is a local index whole? Which part is damaged, and the command that repairs it.

Checks, in order, each only when the one before it passed (a later part cannot be read
without the earlier one): the manifest (readable, of this Mizan's versions); the SQLite
database (`PRAGMA integrity_check`, its tables readable); the current lexical generation
(loads with the parts it stands on, one row per stored passage); the current vector
generation when the manifest names a model (loads likewise, of the manifest's model and
dimension, one vector per stored passage).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from search import generations
from search.backends.local import DENSE_KEY, LEXICAL_KEY
from search.bm25 import BM25Index
from search.dense import DenseIndex
from search.errors import MizanError
from search.store import DATABASE, MANIFEST, connect_read_only, read_manifest, recover_interrupted_swap


@dataclass
class CheckReport:
    index_dir: Path
    problems: list[str] = field(default_factory=list)
    documents: int | None = None
    passages: int | None = None
    vectors: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict:
        return {
            "index": str(self.index_dir),
            "ok": self.ok,
            "problems": self.problems,
            "documents": self.documents,
            "passages": self.passages,
            "vectors": self.vectors,
        }


def repair_command(index_dir: Path, database_readable: bool) -> str:
    if database_readable:
        return f"mizan index --rebuild --index {index_dir}"  # re-reads the files the index recorded
    return f"mizan index PATH... --rebuild --index {index_dir}"  # the records of which files are lost with it


def check_index(index_dir: Path | str) -> CheckReport:
    """What is damaged in the index at `index_dir` (an empty `problems` when nothing is)."""
    index_dir = Path(index_dir)
    report = CheckReport(index_dir)
    recover_interrupted_swap(index_dir)
    try:
        manifest = read_manifest(index_dir)
    except MizanError as exc:
        report.problems.append(f"manifest: {exc}")
        return report
    meta: dict[str, str] = {}
    try:
        conn = _read_only(index_dir / DATABASE)
        try:
            verdict = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
            report.documents = conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            report.passages = conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
            conn.execute("SELECT COUNT(*) FROM figures").fetchone()
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        finally:
            conn.close()
    except sqlite3.Error as exc:
        report.problems.append(
            f"database {DATABASE}: damaged ({exc}); index your files again: {repair_command(index_dir, False)}"
        )
        return report
    rebuild = repair_command(index_dir, True)
    report.problems += _check_lexical(index_dir, meta.get(LEXICAL_KEY), report.passages, rebuild)
    if manifest.embedding_model:
        report.vectors = True
        report.problems += _check_dense(
            index_dir, meta.get(DENSE_KEY), report.passages, manifest.embedding_model, manifest.embedding_dimension
        )
    return report


def _read_only(db: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone()
        return conn
    except sqlite3.OperationalError as exc:
        if "unable to open" not in str(exc):
            conn.close()
            raise
        conn.close()
        return connect_read_only(db)  # a read-only volume: no WAL index can be created beside it


def _check_lexical(index_dir: Path, generation: str | None, passages: int | None, rebuild: str) -> list[str]:
    if generation is None or not (index_dir / generation).is_dir():
        return [f"lexical index: missing ({generation or 'not recorded'}); rebuild it: {rebuild}"]
    try:
        bm25 = generations.load_stack(index_dir, generation, BM25Index.load)
    except Exception as exc:  # any damage to its files: numpy, JSON or shape errors alike
        return [f"lexical index {generation}: damaged ({type(exc).__name__}); rebuild it: {rebuild}"]
    if passages is not None and len(bm25) != passages:
        return [f"lexical index {generation}: {len(bm25)} passages, the database {passages}; rebuild it: {rebuild}"]
    return []


def _check_dense(
    index_dir: Path, generation: str | None, passages: int | None, model: str, dimension: int | None
) -> list[str]:
    rebuild = f"mizan index --rebuild --index {index_dir}"
    if generation is None or not (index_dir / generation).is_dir():
        return [f"vectors: missing ({generation or 'not recorded'}) though {MANIFEST} names {model}; {rebuild}"]
    try:
        dense = generations.load_stack(index_dir, generation, DenseIndex.load)
    except Exception as exc:  # any damage to its files
        return [f"vectors {generation}: damaged ({type(exc).__name__}); {rebuild}"]
    problems = []
    if len(dense.vectors) != len(dense.ids) or len(dense.alive) != len(dense.ids):
        problems.append(
            f"vectors {generation}: its files disagree ({len(dense.vectors)} vectors, {len(dense.ids)} ids)"
        )
    if dense.model_id != model or (dimension is not None and dense.dimension != dimension):
        problems.append(
            f"vectors {generation}: of {dense.model_id} ({dense.dimension} dims), {MANIFEST} says {model}; {rebuild}"
        )
    if passages is not None and len(dense) != passages:
        problems.append(f"vectors {generation}: {len(dense)} passages, the database {passages}; {rebuild}")
    return problems
