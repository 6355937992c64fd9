"""The local document store: one index directory with a manifest and a SQLite file.

Layout of an index directory:
    manifest.json   format, normaliser and figure-extraction versions, creation time (written atomically)
    mizan.sqlite    documents, passages with their figures, duplicates, near-duplicate buckets, indexed files

Writes are transactional. `IndexWriter` either runs inside one SQLite transaction
on an existing index, or builds a new index in a sibling temporary directory and
renames it into place on success; so a crash or Ctrl-C in the middle of a run
leaves the previous state (or no index at all) intact.
"""

from __future__ import annotations

import contextlib
import json
import logging
import shutil
import signal
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from search import durable
from search.arabic import NORMALISER_VERSION
from search.durable import kill_point
from search.errors import IndexBusy, IndexDamaged, IndexNotFound, IndexVersionMismatch, NotAnIndex
from search.figures import FIGURES_VERSION, Figure, extract_figures
from search.models import Document, Passage

log = logging.getLogger(__name__)

FORMAT_VERSION = 4  # 2: meta table and the lexical index beside the database; 3: figures; 4: date_estimated
MANIFEST = "manifest.json"
DATABASE = "mizan.sqlite"
_TMP_PREFIX = ".mizan-tmp-"
BUSY_TIMEOUT_S = 5.0  # how long a writer waits for another writer before giving up

_SCHEMA = """
CREATE TABLE documents (
    doc_id       TEXT PRIMARY KEY,
    source_key   TEXT NOT NULL UNIQUE,
    source_path  TEXT,
    title        TEXT NOT NULL,
    outlet       TEXT,
    agency       TEXT,
    published    TEXT,
    date_estimated INTEGER NOT NULL DEFAULT 0,  -- 1: the page printed no date, `published` was read off its text
    url          TEXT,
    text         TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    signature    BLOB,
    added_at     TEXT NOT NULL
);
CREATE INDEX documents_content_hash ON documents(content_hash);
CREATE INDEX documents_source_path ON documents(source_path);

CREATE TABLE passages (
    passage_id TEXT PRIMARY KEY,
    doc_id     TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal    INTEGER NOT NULL,
    start      INTEGER NOT NULL,
    end        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    signature  BLOB
);
CREATE INDEX passages_doc ON passages(doc_id, ordinal);

-- The figures of each passage (search/figures/extract.py), extracted when the passage is stored.
CREATE TABLE figures (
    passage_id     TEXT NOT NULL REFERENCES passages(passage_id) ON DELETE CASCADE,
    ordinal        INTEGER NOT NULL,
    value_low      REAL,
    value_high     REAL,
    qualifier      TEXT NOT NULL,
    percent        INTEGER NOT NULL,
    unit           TEXT,
    noun           TEXT,
    category       TEXT,
    subject        TEXT,
    claimant       TEXT,
    denied         INTEGER NOT NULL,
    start          INTEGER NOT NULL,
    end            INTEGER NOT NULL,
    sentence_start INTEGER NOT NULL,
    sentence_end   INTEGER NOT NULL,
    PRIMARY KEY (passage_id, ordinal)
);

-- Near-duplicate candidates: MinHash band keys (see indexer/dedup.py).
CREATE TABLE doc_bands (
    band_key INTEGER NOT NULL,
    doc_id   TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE
);
CREATE INDEX doc_bands_key ON doc_bands(band_key);
CREATE INDEX doc_bands_doc ON doc_bands(doc_id);

CREATE TABLE passage_bands (
    band_key   INTEGER NOT NULL,
    passage_id TEXT NOT NULL REFERENCES passages(passage_id) ON DELETE CASCADE
);
CREATE INDEX passage_bands_key ON passage_bands(band_key);
CREATE INDEX passage_bands_passage ON passage_bands(passage_id);

-- Documents not stored because another stored document says the same.
CREATE TABLE duplicates (
    source_key   TEXT PRIMARY KEY,
    duplicate_of TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    kind         TEXT NOT NULL CHECK (kind IN ('exact', 'near')),
    similarity   REAL NOT NULL,
    content_hash TEXT NOT NULL,
    title        TEXT,
    outlet       TEXT,
    published    TEXT,
    url          TEXT,
    source_path  TEXT
);
CREATE INDEX duplicates_of ON duplicates(duplicate_of);

-- Passages of stored documents that were not stored because they repeat another passage.
CREATE TABLE passage_duplicates (
    doc_id       TEXT NOT NULL REFERENCES documents(doc_id) ON DELETE CASCADE,
    ordinal      INTEGER NOT NULL,
    duplicate_of TEXT NOT NULL REFERENCES passages(passage_id) ON DELETE CASCADE,
    similarity   REAL NOT NULL,
    PRIMARY KEY (doc_id, ordinal)
);
CREATE INDEX passage_duplicates_of ON passage_duplicates(duplicate_of);

-- Which files of the index directory are current (e.g. the lexical index generation).
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Files already read, by content hash: an unchanged file is not parsed again.
CREATE TABLE files (
    path       TEXT PRIMARY KEY,
    sha256     TEXT NOT NULL,
    documents  INTEGER NOT NULL,
    indexed_at TEXT NOT NULL
);
"""


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Manifest:
    format_version: int
    normaliser_version: int
    created_at: str
    embedding_model: str | None = None  # set once the index has passage vectors
    embedding_dimension: int | None = None
    figures_version: int = FIGURES_VERSION

    def to_json(self) -> dict:
        return {
            "format": "mizan-index",
            "format_version": self.format_version,
            "normaliser_version": self.normaliser_version,
            "created_at": self.created_at,
            "embedding_model": self.embedding_model,
            "embedding_dimension": self.embedding_dimension,
            "figures_version": self.figures_version,
        }


def record_embedding_model(index_dir: Path, model: str | None, dimension: int | None) -> None:
    """Note the passage vectors' model in the manifest (after the commit that wrote them)."""
    manifest = read_manifest(index_dir)
    if (manifest.embedding_model, manifest.embedding_dimension) != (model, dimension):
        updated = Manifest(
            manifest.format_version,
            manifest.normaliser_version,
            manifest.created_at,
            model,
            dimension,
            manifest.figures_version,
        )
        _write_json_atomically(Path(index_dir) / MANIFEST, updated.to_json())


def _write_json_atomically(path: Path, data: dict) -> None:
    durable.write_atomically(path, json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def read_manifest(index_dir: Path, *, any_figures: bool = False) -> Manifest:
    """The manifest of `index_dir`, refusing one this code cannot read.

    `any_figures`: accept figures from another figure reader (a rebuild takes only the vectors)."""
    index_dir = Path(index_dir)
    manifest_path = index_dir / MANIFEST
    if not index_dir.exists():
        raise IndexNotFound(f"no index at {index_dir}: build one with `mizan index PATH --index {index_dir}`")
    if not manifest_path.is_file():
        if (index_dir / DATABASE).is_file():  # ours, with its manifest lost
            raise IndexDamaged(
                f"{index_dir} has a {DATABASE} but no {MANIFEST}: damaged; index your files again: "
                f"mizan index PATH... --rebuild --index {index_dir}"
            )
        raise NotAnIndex(f"{index_dir} is not a Mizan index (no {MANIFEST}); pass another --index directory")
    try:
        data = json.loads(manifest_path.read_text(encoding="utf-8"))
        dimension = data.get("embedding_dimension")
        manifest = Manifest(
            int(data["format_version"]),
            int(data["normaliser_version"]),
            str(data["created_at"]),
            data.get("embedding_model"),
            int(dimension) if dimension is not None else None,
            int(data.get("figures_version", 0)),
        )
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:  # «[]», «null», garbage
        raise NotAnIndex(
            f"{manifest_path} is damaged ({type(exc).__name__}); index your files again: "
            f"mizan index PATH... --rebuild --index {index_dir}"
        ) from exc
    rebuild = f"rebuild it with `mizan index --rebuild --index {index_dir}`"
    if manifest.format_version != FORMAT_VERSION:
        raise IndexVersionMismatch(
            f"{index_dir} has index format {manifest.format_version}, this Mizan reads format "
            f"{FORMAT_VERSION}; {rebuild}"
        )
    if manifest.normaliser_version != NORMALISER_VERSION:
        raise IndexVersionMismatch(
            f"{index_dir} was built with Arabic normaliser v{manifest.normaliser_version}, this Mizan uses "
            f"v{NORMALISER_VERSION}, so queries would not match it; {rebuild}"
        )
    if manifest.figures_version != FIGURES_VERSION and not any_figures:
        raise IndexVersionMismatch(
            f"{index_dir} holds figures extracted by version {manifest.figures_version} of the figure reader, "
            f"this Mizan reads figures with version {FIGURES_VERSION}, so answers would miss them; {rebuild}"
        )
    if not (index_dir / DATABASE).is_file():
        raise IndexDamaged(
            f"{index_dir} has a manifest but no {DATABASE}: damaged; index your files again: "
            f"mizan index PATH... --rebuild --index {index_dir}"
        )
    return manifest


def _connect(db_path: Path) -> sqlite3.Connection:
    # check_same_thread off: a web worker's threads share one reader, one at a time (web/app.py locks it).
    conn = sqlite3.connect(db_path, isolation_level=None, timeout=BUSY_TIMEOUT_S, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.OperationalError as exc:
        if "readonly" not in str(exc) and "unable to open" not in str(exc):
            raise
        conn.close()
        return connect_read_only(db_path)  # another user's index, a read-only volume: it can still be searched
    return conn


def connect_read_only(db_path: Path) -> sqlite3.Connection:
    """A database nobody can write here: opened immutable (no lock or WAL files to create), which is
    exact because every write ends with a checkpoint that empties the WAL into the database."""
    conn = sqlite3.connect(
        f"file:{db_path}?mode=ro&immutable=1", uri=True, isolation_level=None, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    return conn


def _doc_row_to_document(row: sqlite3.Row) -> Document:
    return Document(
        doc_id=row["doc_id"],
        source_key=row["source_key"],
        source_path=row["source_path"],
        title=row["title"],
        text=row["text"],
        outlet=row["outlet"],
        agency=row["agency"],
        published=date.fromisoformat(row["published"]) if row["published"] else None,
        url=row["url"],
        date_estimated=bool(row["date_estimated"]),
    )


class Store:
    """Read access to an index directory (and writes, inside an `IndexWriter`)."""

    def __init__(self, index_dir: Path, conn: sqlite3.Connection, manifest: Manifest):
        self.index_dir = Path(index_dir)
        self.conn = conn
        self.manifest = manifest
        # What this write session changed, for the search structures built beside the database.
        self.added_passages: dict[str, None] = {}  # insertion-ordered set
        self.removed_passages: set[str] = set()
        self.restored_passages: set[str] = set()  # added ones the index had before this write

    @classmethod
    def open(cls, index_dir: Path | str, *, any_figures: bool = False) -> Store:
        index_dir = Path(index_dir)
        recover_interrupted_swap(index_dir)
        manifest = read_manifest(index_dir, any_figures=any_figures)
        return cls(index_dir, _connect(index_dir / DATABASE), manifest)

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ reads

    def get_document(self, doc_id: str, *, with_passages: bool = True) -> Document | None:
        row = self.conn.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return None
        doc = _doc_row_to_document(row)
        if with_passages:
            doc.passages = self.passages_of(doc_id)
        return doc

    def passages_of(self, doc_id: str) -> list[Passage]:
        rows = self.conn.execute(
            "SELECT passage_id, doc_id, ordinal, start, end, text FROM passages WHERE doc_id = ? ORDER BY ordinal",
            (doc_id,),
        )
        return [Passage(**dict(r)) for r in rows]

    def get_passage(self, passage_id: str) -> Passage | None:
        row = self.conn.execute(
            "SELECT passage_id, doc_id, ordinal, start, end, text FROM passages WHERE passage_id = ?", (passage_id,)
        ).fetchone()
        return Passage(**dict(row)) if row else None

    def copy_outlets(self, passage_ids: list[str]) -> dict[str, list[str]]:
        """For each passage, the outlets that printed it too but whose copy was not stored: documents
        recorded as duplicates of its document, and documents whose passage repeats it."""
        out: dict[str, list[str]] = {}
        for start in range(0, len(passage_ids), 500):
            chunk = passage_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT p.passage_id, d.outlet FROM passages p JOIN duplicates d ON d.duplicate_of = p.doc_id "
                f"WHERE d.outlet IS NOT NULL AND p.passage_id IN ({marks}) "
                f"UNION ALL SELECT pd.duplicate_of, doc.outlet FROM passage_duplicates pd "
                f"JOIN documents doc ON doc.doc_id = pd.doc_id "
                f"WHERE doc.outlet IS NOT NULL AND pd.duplicate_of IN ({marks})",
                chunk + chunk,
            )
            for passage_id, outlet in rows:
                out.setdefault(passage_id, []).append(outlet)
        return out

    def figures_of(self, passage_ids: list[str]) -> dict[str, list[Figure]]:
        """The stored figures of some passages, in passage order."""
        out: dict[str, list[Figure]] = {}
        for start in range(0, len(passage_ids), 500):
            chunk = passage_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT * FROM figures WHERE passage_id IN ({marks}) ORDER BY passage_id, ordinal", chunk
            )
            for row in rows:
                values = dict(row)
                pid = values.pop("passage_id")
                del values["ordinal"]
                values["percent"] = bool(values["percent"])
                values["denied"] = bool(values["denied"])
                out.setdefault(pid, []).append(Figure(**values))
        return out

    def iter_documents(self) -> Iterator[Document]:
        """Documents ordered by date (undated last), then title; without their text's passages."""
        rows = self.conn.execute("SELECT * FROM documents ORDER BY published IS NULL, published, title, doc_id")
        for row in rows:
            yield _doc_row_to_document(row)

    def iter_passages(self) -> Iterator[Passage]:
        rows = self.conn.execute("SELECT passage_id, doc_id, ordinal, start, end, text FROM passages ORDER BY rowid")
        for row in rows:
            yield Passage(**dict(row))

    def passage_counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT doc_id, COUNT(*) FROM passages GROUP BY doc_id")
        return {doc_id: n for doc_id, n in rows}

    def stats(self) -> dict:
        one = lambda sql: self.conn.execute(sql).fetchone()[0]  # noqa: E731
        outlets = [
            {"outlet": r[0], "documents": r[1]}
            for r in self.conn.execute(
                "SELECT outlet, COUNT(*) FROM documents GROUP BY outlet ORDER BY COUNT(*) DESC, outlet"
            )
        ]
        first, last = self.conn.execute("SELECT MIN(published), MAX(published) FROM documents").fetchone()
        return {
            "index": str(self.index_dir),
            "documents": one("SELECT COUNT(*) FROM documents"),
            "passages": one("SELECT COUNT(*) FROM passages"),
            "duplicate_documents": one("SELECT COUNT(*) FROM duplicates"),
            "duplicate_passages": one("SELECT COUNT(*) FROM passage_duplicates"),
            "figures": one("SELECT COUNT(*) FROM figures"),
            "undated_documents": one("SELECT COUNT(*) FROM documents WHERE published IS NULL"),
            "files": one("SELECT COUNT(*) FROM files"),
            "outlets": outlets,
            "published_from": first,
            "published_to": last,
            "format_version": self.manifest.format_version,
            "normaliser_version": self.manifest.normaliser_version,
            "figures_version": self.manifest.figures_version,
            "created_at": self.manifest.created_at,
            "embedding_model": self.manifest.embedding_model,
            "embedding_dimension": self.manifest.embedding_dimension,
        }

    # ------------------------------------------------------------ lookups used while indexing

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def passage_ids(self) -> list[str]:
        """Every passage id, in insertion order (without reading the texts)."""
        return [r[0] for r in self.conn.execute("SELECT passage_id FROM passages ORDER BY rowid")]

    def passage_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM passages").fetchone()[0])

    def passages_for_indexing(self, passage_ids: list[str] | None = None) -> Iterator[tuple[str, str, str]]:
        """(passage_id, document title, passage text) of some passages, or of all in insertion order."""
        sql = "SELECT p.passage_id, d.title, p.text FROM passages p JOIN documents d USING (doc_id)"
        if passage_ids is None:
            yield from self.conn.execute(sql + " ORDER BY p.rowid")
            return
        for start in range(0, len(passage_ids), 500):
            chunk = passage_ids[start : start + 500]
            rows = {
                r[0]: r
                for r in self.conn.execute(sql + f" WHERE p.passage_id IN ({','.join('?' * len(chunk))})", chunk)
            }
            for pid in chunk:
                if pid in rows:
                    yield rows[pid]

    def passage_ids_where(self, outlets: list[str] | None, date_from: str | None, date_to: str | None) -> list[str]:
        """Passages whose document has one of the outlets and a publication date in [from, to]."""
        clauses, args = [], []
        if outlets:
            clauses.append(f"d.outlet IN ({','.join('?' * len(outlets))})")
            args.extend(outlets)
        if date_from:
            clauses.append("d.published >= ?")
            args.append(date_from)
        if date_to:
            clauses.append("d.published <= ?")
            args.append(date_to)
        where = " AND ".join(clauses) or "1"
        rows = self.conn.execute(
            f"SELECT p.passage_id FROM passages p JOIN documents d USING (doc_id) WHERE {where}", args
        )
        return [r[0] for r in rows]

    def file_sha(self, path: str) -> str | None:
        row = self.conn.execute("SELECT sha256 FROM files WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    def indexed_paths(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM files ORDER BY path")]

    def doc_id_for_source(self, source_key: str) -> str | None:
        row = self.conn.execute("SELECT doc_id FROM documents WHERE source_key = ?", (source_key,)).fetchone()
        return row[0] if row else None

    def source_key_of(self, doc_id: str) -> str | None:
        row = self.conn.execute("SELECT source_key FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return row[0] if row else None

    def duplicate_hash_for_source(self, source_key: str) -> str | None:
        row = self.conn.execute("SELECT content_hash FROM duplicates WHERE source_key = ?", (source_key,)).fetchone()
        return row[0] if row else None

    def duplicate_for_source(self, source_key: str) -> str | None:
        row = self.conn.execute("SELECT duplicate_of FROM duplicates WHERE source_key = ?", (source_key,)).fetchone()
        return row[0] if row else None

    def doc_with_content(self, content_hash: str) -> str | None:
        row = self.conn.execute("SELECT doc_id FROM documents WHERE content_hash = ?", (content_hash,)).fetchone()
        return row[0] if row else None

    def doc_candidates(self, band_keys: list[int]) -> list[tuple[str, bytes | None]]:
        """(doc_id, signature) of stored documents sharing a MinHash band."""
        marks = ",".join("?" * len(band_keys))
        rows = self.conn.execute(
            f"SELECT DISTINCT d.doc_id, d.signature FROM doc_bands b JOIN documents d USING (doc_id) "
            f"WHERE b.band_key IN ({marks})",
            band_keys,
        )
        return [(r[0], r[1]) for r in rows]

    def document_fingerprint_text(self, doc_id: str) -> str:
        """The text a document's signature was computed from (title and body)."""
        row = self.conn.execute("SELECT title, text FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return f"{row[0]}\n{row[1]}" if row else ""

    def passage_text(self, passage_id: str) -> str:
        row = self.conn.execute("SELECT text FROM passages WHERE passage_id = ?", (passage_id,)).fetchone()
        return row[0] if row else ""

    def passage_exists(self, passage_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM passages WHERE passage_id = ?", (passage_id,)).fetchone() is not None

    def passage_candidates(self, band_keys: list[int]) -> list[tuple[str, bytes | None]]:
        marks = ",".join("?" * len(band_keys))
        rows = self.conn.execute(
            f"SELECT DISTINCT p.passage_id, p.signature FROM passage_bands b JOIN passages p "
            f"USING (passage_id) WHERE b.band_key IN ({marks})",
            band_keys,
        )
        return [(r[0], r[1]) for r in rows]

    def source_keys_of_path(self, source_path: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT source_key FROM documents WHERE source_path = ? "
            "UNION SELECT source_key FROM duplicates WHERE source_path = ?",
            (source_path, source_path),
        )
        return [r[0] for r in rows]

    # ------------------------------------------------------------ writes (inside IndexWriter)

    def insert_document(self, doc: Document, content_hash: str, signature: bytes | None, band_keys: list[int]) -> None:
        self.conn.execute(
            "INSERT INTO documents (doc_id, source_key, source_path, title, outlet, agency, published, date_estimated, "
            "url, text, content_hash, signature, added_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (
                doc.doc_id,
                doc.source_key,
                doc.source_path,
                doc.title,
                doc.outlet,
                doc.agency,
                doc.published.isoformat() if doc.published else None,
                int(doc.date_estimated),
                doc.url,
                doc.text,
                content_hash,
                signature,
                _now(),
            ),
        )
        self.conn.executemany(
            "INSERT INTO doc_bands (band_key, doc_id) VALUES (?, ?)", [(k, doc.doc_id) for k in band_keys]
        )

    def insert_passage(
        self, passage: Passage, signature: bytes | None, band_keys: list[int], context: str = ""
    ) -> None:
        """Store a passage and its figures; `context` is its document's text before it (who says a figure)."""
        self.conn.execute(
            "INSERT INTO passages (passage_id, doc_id, ordinal, start, end, text, signature) VALUES (?,?,?,?,?,?,?)",
            (passage.passage_id, passage.doc_id, passage.ordinal, passage.start, passage.end, passage.text, signature),
        )
        self.added_passages[passage.passage_id] = None
        if passage.passage_id in self.removed_passages:  # removed and stored again within this write:
            self.restored_passages.add(passage.passage_id)  # the index still has it (same content)
        self.removed_passages.discard(passage.passage_id)
        try:
            figures = extract_figures(passage.text, context)
        except Exception:  # a reader bug must not cost the whole run its documents
            log.exception("figures of passage %s could not be read; it is stored without them", passage.passage_id)
            figures = []
        self.conn.executemany(
            "INSERT INTO figures VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [(passage.passage_id, n, *astuple(f)) for n, f in enumerate(figures)],  # columns in field order
        )
        self.conn.executemany(
            "INSERT INTO passage_bands (band_key, passage_id) VALUES (?, ?)",
            [(k, passage.passage_id) for k in band_keys],
        )

    def insert_passage_duplicate(self, doc_id: str, ordinal: int, duplicate_of: str, similarity: float) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO passage_duplicates (doc_id, ordinal, duplicate_of, similarity) VALUES (?,?,?,?)",
            (doc_id, ordinal, duplicate_of, similarity),
        )

    def insert_duplicate(
        self, doc: Document, duplicate_of: str, kind: str, similarity: float, content_hash: str
    ) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO duplicates (source_key, duplicate_of, kind, similarity, content_hash, title, "
            "outlet, published, url, source_path) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (
                doc.source_key,
                duplicate_of,
                kind,
                similarity,
                content_hash,
                doc.title,
                doc.outlet,
                doc.published.isoformat() if doc.published else None,
                doc.url,
                doc.source_path,
            ),
        )

    def delete_document(self, doc_id: str) -> int:
        """Remove one stored document and its passages; 0 if there is none."""
        row = self.conn.execute("SELECT source_key FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            return 0
        self.delete_source(row[0])
        return 1

    def delete_source(self, source_key: str) -> set[str]:
        """Remove whatever a source key holds: its document (with passages) or its duplicate record.

        Returns the files of duplicates that pointed at the removed document: their records
        go with it, so those files must be read again for their articles to come back.
        """
        orphaned = {
            r[0]
            for r in self.conn.execute(
                "SELECT x.source_path FROM duplicates x JOIN documents d ON x.duplicate_of = d.doc_id "
                "WHERE d.source_key = ? AND x.source_path IS NOT NULL",
                (source_key,),
            )
        }
        gone = [
            r[0]
            for r in self.conn.execute(
                "SELECT p.passage_id FROM passages p JOIN documents d USING (doc_id) WHERE d.source_key = ?",
                (source_key,),
            )
        ]
        for pid in gone:
            if self.added_passages.pop(pid, "absent") == "absent" or pid in self.restored_passages:
                self.removed_passages.add(pid)  # the index has it: take it out
                self.restored_passages.discard(pid)
            # else stored by this write and removed again: the index never had it
        self.conn.execute("DELETE FROM documents WHERE source_key = ?", (source_key,))
        self.conn.execute("DELETE FROM duplicates WHERE source_key = ?", (source_key,))
        return orphaned

    def record_file(self, path: str, sha256: str, documents: int) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO files (path, sha256, documents, indexed_at) VALUES (?,?,?,?)",
            (path, sha256, documents, _now()),
        )


def posted_documents(index_dir: Path | str, origin: str) -> list[sqlite3.Row]:
    """Documents that came from no file (posted through the API as `origin`), read without the version
    check: a rebuild from the recorded files carries them over instead of losing them."""
    db = Path(index_dir) / DATABASE
    if not db.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(
                "SELECT source_key, title, text, outlet, agency, published, url FROM documents "
                "WHERE source_path = ? ORDER BY rowid",
                (origin,),
            ).fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []


def recorded_files(index_dir: Path | str) -> list[str]:
    """Source files an index recorded, read without the version check (for rebuilding an old index)."""
    db = Path(index_dir) / DATABASE
    if not db.is_file():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return [r[0] for r in conn.execute("SELECT path FROM files ORDER BY path")]
        finally:
            conn.close()
    except sqlite3.Error:
        return []


class IndexComponent(Protocol):
    """A structure kept beside the database (lexical index, vectors) and updated with it."""

    def before_commit(self, store: Store, index_dir: Path) -> None: ...

    def after_commit(self, index_dir: Path, meta: dict[str, str]) -> None: ...


# Index directories this process has saved a run into (committed, and swapped into place for a
# new or rebuilt index): an interrupt after that must not be reported as leaving them unchanged.
SAVED: list[Path] = []


class IndexWriter:
    """A context manager giving a writable `Store`; commits on success, leaves no trace on failure.

    mode "update": add to the index at `index_dir`, creating it if absent.
    mode "rebuild": build a fresh index and swap it in place of the old one at the end.
    """

    def __init__(self, index_dir: Path | str, *, rebuild: bool = False, components: list[IndexComponent] | None = None):
        self.index_dir = Path(index_dir)
        self.rebuild = rebuild
        self.components = components or []
        self._tmp_dir: Path | None = None
        self.store: Store | None = None

    def __enter__(self) -> Store:
        target = self.index_dir
        recover_interrupted_swap(target)
        _remove_stale_tmp_dirs(target)
        if target.exists() and not self.rebuild:
            if not target.is_dir():
                raise NotAnIndex(f"{target} is a file, not an index directory; pass another --index")
            if any(target.iterdir()) or (target / MANIFEST).exists():
                store = Store.open(target)
                try:
                    store.conn.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as exc:
                    store.close()
                    raise IndexBusy(
                        f"{target} is being written by another process; wait for it to finish and run again"
                    ) from exc
                self.store = store
                return store
        ours = (target / MANIFEST).is_file() or (target / DATABASE).is_file()  # whole or damaged
        if self.rebuild and target.exists() and not ours and any(target.iterdir()):
            raise NotAnIndex(f"{target} is not a Mizan index; refusing to replace it. Pass another --index")
        # A new index is built beside its final place and renamed into it on success.
        target.parent.mkdir(parents=True, exist_ok=True)
        self._tmp_dir = Path(tempfile.mkdtemp(prefix=_TMP_PREFIX + target.name + "-", dir=target.parent))
        manifest = Manifest(FORMAT_VERSION, NORMALISER_VERSION, _now())
        _write_json_atomically(self._tmp_dir / MANIFEST, manifest.to_json())
        conn = _connect(self._tmp_dir / DATABASE)
        conn.executescript(_SCHEMA)
        conn.execute("BEGIN IMMEDIATE")
        self.store = Store(self._tmp_dir, conn, manifest)
        return self.store

    def __exit__(self, exc_type, exc, tb) -> None:
        store = self.store
        assert store is not None
        if exc_type is not None:
            with contextlib.suppress(sqlite3.Error):  # the connection may already have rolled back
                store.conn.execute("ROLLBACK")
            store.close()
            if self._tmp_dir is not None:
                shutil.rmtree(self._tmp_dir, ignore_errors=True)
            return
        try:
            # Files beside the database are written first under new names; the commit that
            # records those names in `meta` is the switch, so a crash before it changes nothing.
            for component in self.components:
                component.before_commit(store, store.index_dir)
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                store.conn.execute("ROLLBACK")
            store.close()
            if self._tmp_dir is not None:
                shutil.rmtree(self._tmp_dir, ignore_errors=True)
            raise
        kill_point("before the commit")
        with _interrupts_held():  # a Ctrl-C between the commit and its record would be reported wrongly
            store.conn.execute("COMMIT")
            if self._tmp_dir is None:
                SAVED.append(self.index_dir)  # from here an interrupt leaves this run's changes in the index
        kill_point("committed")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        meta = dict(store.conn.execute("SELECT key, value FROM meta").fetchall())
        store.close()
        kill_point("checkpointed")
        if self._tmp_dir is not None:
            with _interrupts_held():  # the swap is two renames: Ctrl-C lands after both, and is told so
                self._swap_into_place(self._tmp_dir)
                SAVED.append(self.index_dir)
        for component in self.components:
            component.after_commit(self.index_dir, meta)
            kill_point(f"tidied after {type(component).__name__}")

    def _swap_into_place(self, built: Path) -> None:
        target = self.index_dir
        if target.exists():
            # Two renames: the old index stays whole until the new one is in place.
            old = _old_copy(target)
            shutil.rmtree(old, ignore_errors=True)
            durable.replace(target, old)
            durable.replace(built, target)
            shutil.rmtree(old, ignore_errors=True)
            kill_point("removed the old copy")
        else:
            durable.replace(built, target)
        log.debug("index written to %s", target)


@contextlib.contextmanager
def _interrupts_held() -> Iterator[None]:
    """A Ctrl-C during the block is raised when it is done. A handler, not a signal mask: the OS may
    hand the signal to any thread (torch's, tqdm's), and Python raises it in the main thread at once.
    Only the main thread sets handlers, and only there does Python raise KeyboardInterrupt anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            raise KeyboardInterrupt


def _old_copy(target: Path) -> Path:
    """Where a rebuild moves the live index aside while it swaps the new one in."""
    return target.with_name(_TMP_PREFIX + target.name + "-old")


def recover_interrupted_swap(target: Path) -> bool:
    """A rebuild killed between its two renames leaves no index at `target` and the previous one
    aside: put it back (a rename; never a delete). True when it did."""
    old = _old_copy(target)
    if target.exists() or not (old / MANIFEST).is_file():
        return False
    try:
        durable.replace(old, target)
    except OSError as exc:  # a read-only volume: say how to recover rather than fail obscurely
        raise IndexNotFound(
            f"{target} is missing but the index a killed rebuild moved aside is at {old}; "
            f"rename it back to {target.name} (could not: {exc.strerror})"
        ) from exc
    log.warning("restored %s: a rebuild was interrupted while swapping it", target)
    return True


def _remove_stale_tmp_dirs(target: Path) -> None:
    """Remove half-built indexes a killed run left beside `target`."""
    parent = target.parent
    if not parent.is_dir():
        return
    for leftover in parent.glob(_TMP_PREFIX + target.name + "-*"):
        if leftover == _old_copy(target) and not target.exists():
            continue  # the only copy of an index: recover_interrupted_swap restores it, nothing deletes it
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
