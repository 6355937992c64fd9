"""Indexing runs: files → articles → documents and passages in the store, in one transaction.

Per article: a content-derived id; a source key already holding the same content
is left alone (re-indexing is a no-op), one holding other content is replaced;
exact and near-duplicate documents are recorded as duplicates of the stored one
instead of being stored twice; passages repeating a stored passage are recorded
the same way. An unchanged file (same SHA-256) is not even parsed again.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexer.dedup import Fingerprint
from indexer.passages import make_passages
from indexer.readers import FileProblem, Incoming, file_sha256, iter_files, read_file, record_to_incoming
from search.ahead import AheadEmbedder
from search.backends.base import Backend
from search.backends.local import DENSE_KEY, DenseComponent, index_components, indexed_text
from search.dense import DenseIndex
from search.embeddings import DEFAULT_MODEL
from search.encoders import shared_encoder
from search.errors import IndexBusy, IndexNotFound, MizanError
from search.figures import context_before
from search.models import Document
from search.store import IndexWriter, Store, posted_documents, recorded_files, recover_interrupted_swap

log = logging.getLogger(__name__)


class NothingIndexed(MizanError):
    """Every input failed: the index is left as it was."""

    def __init__(self, message: str, report: IngestReport):
        super().__init__(message)
        self.report = report


@dataclass
class IngestReport:
    files_read: int = 0
    files_unchanged: int = 0
    files_failed: int = 0
    documents_added: int = 0
    documents_replaced: int = 0
    documents_unchanged: int = 0
    documents_removed: int = 0
    duplicates_exact: int = 0
    duplicates_near: int = 0
    passages_added: int = 0
    passages_duplicate: int = 0
    problems: list[FileProblem] = field(default_factory=list)
    # files holding duplicates whose original was replaced or removed: read again at the end of the run
    reread: set[str] = field(default_factory=set, repr=False)

    @property
    def changed(self) -> bool:
        return bool(
            self.documents_added
            or self.documents_replaced
            or self.documents_removed
            or self.duplicates_exact
            or self.duplicates_near
        )

    def to_json(self) -> dict:
        data = asdict(self)
        del data["reread"]
        data["problems"] = [{"path": p.path, "message": p.message} for p in self.problems]
        return data


def document_id(source_key: str, content: str) -> str:
    return "d_" + hashlib.blake2b(f"{source_key}\0{content}".encode(), digest_size=8).hexdigest()


def ingest(store: Store, item: Incoming, report: IngestReport) -> list[tuple[str, str]]:
    """Add one article to the store (inside an open IndexWriter transaction); returns the passages it
    stored, as (passage id, indexed text), for embedding ahead of the commit."""
    fp = Fingerprint(item.title + "\n" + item.text)
    doc_id = document_id(item.source_key, fp.hash)
    existing = store.doc_id_for_source(item.source_key)
    if existing == doc_id or store.duplicate_hash_for_source(item.source_key) == fp.hash:
        report.documents_unchanged += 1
        return []
    if existing is not None or store.duplicate_for_source(item.source_key) is not None:
        report.reread |= store.delete_source(item.source_key)
        report.documents_replaced += 1
    doc = item.document(doc_id)
    same = store.doc_with_content(fp.hash)
    if same is not None:
        store.insert_duplicate(doc, same, "exact", 1.0, fp.hash)
        report.duplicates_exact += 1
        return []
    if fp.band_keys:
        match = fp.best_match(store.doc_candidates(fp.band_keys), store.document_fingerprint_text)
        if match is not None:
            store.insert_duplicate(doc, match[0], "near", match[1], fp.hash)
            report.duplicates_near += 1
            return []
    store.insert_document(doc, fp.hash, fp.signature, fp.band_keys)
    report.documents_added += 1
    stored: list[tuple[str, str]] = []
    copied: list[tuple[str, float]] = []  # (passage it repeats, similarity)
    for passage in make_passages(doc_id, doc.text):
        if store.passage_exists(passage.passage_id):
            store.insert_passage_duplicate(doc_id, passage.ordinal, passage.passage_id, 1.0)
            report.passages_duplicate += 1
            copied.append((passage.passage_id, 1.0))
            continue
        pfp = Fingerprint(passage.text)
        match = pfp.best_match(store.passage_candidates(pfp.band_keys), store.passage_text) if pfp.band_keys else None
        if match is not None:
            store.insert_passage_duplicate(doc_id, passage.ordinal, match[0], match[1])
            report.passages_duplicate += 1
            copied.append(match)
            continue
        store.insert_passage(passage, pfp.signature, pfp.band_keys, context_before(doc.text, passage.start))
        report.passages_added += 1
        stored.append((passage.passage_id, indexed_text(doc.title, passage.text)))
    if not stored and copied:
        # Every passage repeats another document's: this is that document's copy, recorded with its outlet
        # as a duplicate, not a document with no passage that no search could ever find.
        original = store.get_passage(copied[0][0])
        if original is not None and original.doc_id != doc_id:
            store.delete_document(doc_id)
            store.insert_duplicate(doc, original.doc_id, "near", min(sim for _, sim in copied), fp.hash)
            report.documents_added -= 1
            report.duplicates_near += 1
    return stored


def index_paths(
    paths: Sequence[str | Path],
    index_dir: str | Path,
    *,
    rebuild: bool = False,
    progress: bool | None = None,
    embed: bool = True,
    model: str = DEFAULT_MODEL,
    device: str | None = None,
    precision: str | None = None,
) -> IngestReport:
    """Index files and folders into `index_dir`; all or nothing.

    With `rebuild`, a fresh index is built from `paths` (or, when none are given,
    from the files the existing index recorded) and replaces the old one.
    `progress=None` shows a progress bar only on a terminal. With `embed`, passages get
    vectors from `model` (on `device`: cpu, cuda; default cuda when there is one), computed at
    `precision` for a new or rebuilt index (default: bf16 where the CPU has it natively, or what a
    rebuild's old vectors were computed with); an existing index is always written with its own.
    """
    index_dir = Path(index_dir)
    recover_interrupted_swap(index_dir)  # before anything looks at what is there
    if rebuild and not paths:
        paths = _recorded_paths(index_dir)
    files = iter_files(paths)  # a missing path fails here, before the index is touched
    if not files:
        raise MizanError(f"no files found under {', '.join(map(str, paths))}; nothing to index")
    existed = index_dir.exists() and not rebuild
    report = IngestReport()
    total = sum(f.stat().st_size for f in files)
    if not embed and not rebuild:
        _refuse_stale_vectors(index_dir)
    components = index_components(
        progress,
        embed=embed,
        model=model,
        device=device,
        reuse_from=index_dir if rebuild and existed_before(index_dir) else None,
        precision=precision,
    )
    # Taken while the index exists: a server's API writes and this run take turns instead of clashing.
    turn = waiting_for_writers(index_dir, CLI_WRITE_WAIT_S) if existed_before(index_dir) else contextlib.nullcontext()
    dense = next((c for c in components if isinstance(c, DenseComponent)), None)
    with turn, IndexWriter(index_dir, rebuild=rebuild, components=components) as store:
        # Passages are encoded in a child process as they are stored, so reading and cleaning on one
        # core and the model on the others run at once (search/ahead.py).
        ahead = dense.embed_ahead(store, index_dir) if dense is not None else None
        try:
            with tqdm(
                total=total,
                unit="B",
                unit_scale=True,
                desc="indexing",
                disable=None if progress is None else not progress,
            ) as bar:
                for path in files:
                    _index_file(store, path, report, bar, ahead=ahead)
                    bar.set_postfix_str(_rates(report, ahead, bar), refresh=False)
                if rebuild:
                    _carry_posted(store, index_dir, report, ahead)
                _reread(store, report, bar, ahead)
            if report.files_failed and not report.files_read and not report.files_unchanged:
                raise NothingIndexed(_nothing_message(report, index_dir, existed), report)
        except BaseException:
            if dense is not None:
                dense.cancel_ahead()
            raise
    return report


def _rates(report: IngestReport, ahead: AheadEmbedder | None, bar: tqdm) -> str:
    """The bar's tail: documents and passages stored and embedded, with their rates."""
    elapsed = max(bar.format_dict.get("elapsed", 0.0), 1e-9)
    parts = [
        f"{report.documents_added} docs ({report.documents_added / elapsed:.0f}/s)",
        f"{report.passages_added} passages ({report.passages_added / elapsed:.0f}/s)",
    ]
    if ahead is not None:
        parts.append(f"{ahead.embedded} embedded ({ahead.embedded / elapsed:.1f}/s)")
    return ", ".join(parts)


def _index_file(
    store: Store, path: Path, report: IngestReport, bar: tqdm, force: bool = False, ahead: AheadEmbedder | None = None
) -> None:
    name = str(path)
    size = path.stat().st_size
    try:
        sha = file_sha256(path)
    except OSError as exc:
        report.problems.append(FileProblem(name, f"cannot read ({exc.strerror or exc}); skipped"))
        report.files_failed += 1
        bar.update(size)
        return
    if not force and store.file_sha(name) == sha:
        report.files_unchanged += 1
        bar.update(size)
        return
    problems_before = len(report.problems)
    previous = set(store.source_keys_of_path(name))
    produced: list[str] = []
    consumed = 0

    def advance(n: int) -> None:
        nonlocal consumed
        consumed += n
        bar.update(n)

    for n, item in enumerate(read_file(path, report.problems, advance), 1):
        produced.append(item.source_key)
        stored = ingest(store, item, report)
        if ahead is not None and stored:
            ahead.submit(stored)
        if n % 50 == 0:  # one file may hold a whole corpus: the rates move within it
            bar.set_postfix_str(_rates(report, ahead, bar), refresh=False)
    bar.update(max(0, size - consumed))
    if not produced and len(report.problems) > problems_before:
        report.files_failed += 1
        return
    for stale in previous - set(produced):
        report.reread |= store.delete_source(stale)
        report.documents_removed += 1
    store.record_file(name, sha, len(produced))
    report.files_read += 1


def existed_before(index_dir: Path) -> bool:
    return (index_dir / "manifest.json").is_file()


def _refuse_stale_vectors(index_dir: Path) -> None:
    """Indexing without embeddings into an index that has them would leave them out of step."""
    if not existed_before(index_dir):
        return
    with Store.open(index_dir) as store:
        if store.get_meta(DENSE_KEY) is not None:
            raise MizanError(
                f"{index_dir} has passage vectors; indexing with --no-embed would leave them out of step. "
                "Drop --no-embed (only new passages are embedded)"
            )


def _recorded_paths(index_dir: Path) -> list[str]:
    paths = [p for p in recorded_files(index_dir) if Path(p).exists()]
    if not paths:
        raise MizanError(
            f"{index_dir} records no readable source files to rebuild from; "
            f"give them: mizan index PATH... --index {index_dir} --rebuild"
        )
    return paths


def _nothing_message(report: IngestReport, index_dir: Path, existed: bool) -> str:
    state = f"the index at {index_dir} is as it was" if existed else "no index was created"
    return f"nothing indexed: every input was skipped ({len(report.problems)} problem(s) above); {state}"


# ---------------------------------------------------------------- writes from the API

WRITE_LOCK = "write.lock"
WRITE_WAIT_S = 30.0  # how long an API write waits for another writer before answering "busy" (under gunicorn's timeout)
CLI_WRITE_WAIT_S = 600.0  # `mizan index` waits longer: nobody is holding a connection open for it
API_ORIGIN = "api"  # the source path of documents posted through the API


@contextlib.contextmanager
def waiting_for_writers(index_dir: Path, timeout: float = WRITE_WAIT_S) -> Iterator[None]:
    """Hold the index's write lock, waiting for other writers (other web workers) in turn.

    IndexWriter alone refuses a second writer after a few seconds; API writes queue instead,
    so two documents posted at once are both stored.
    """
    if not existed_before(index_dir):
        raise IndexNotFound(f"no index at {index_dir}; create it first with `mizan index PATH --index {index_dir}`")
    deadline = time.monotonic() + timeout
    with open(index_dir / WRITE_LOCK, "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise IndexBusy(
                        f"{index_dir} has been busy with another write for {timeout:.0f} s; try again later"
                    ) from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _vector_model(index_dir: Path) -> tuple[str, str] | None:
    """The model and the encoder of the index's passage vectors, or None when it has none."""
    if not existed_before(index_dir):
        raise IndexNotFound(f"no index at {index_dir}; create it first with `mizan index PATH --index {index_dir}`")
    with Store.open(index_dir) as store:
        generation = store.get_meta(DENSE_KEY)
        if generation is None:
            return None
        return store.manifest.embedding_model or DEFAULT_MODEL, DenseIndex.encoder_of(index_dir / generation)


def _embed_ahead(items: Sequence[Incoming], model: str, encoder: str) -> dict[str, np.ndarray]:
    """The vectors of every passage the items could add, by indexed text, computed before the write
    lock is taken: embedding is most of a write's time, and writers would otherwise queue behind it."""
    texts = sorted({indexed_text(i.title, p.text) for i in items for p in make_passages("ahead", i.text)})
    if not texts:
        return {}
    embedder = shared_encoder(model, encoder=encoder)
    vectors = embedder.encode_passages(texts, progress=False)  # in bounded batches
    return dict(zip(texts, vectors, strict=True))


@contextlib.contextmanager
def _api_write(index_dir: Path, items: Sequence[Incoming] = ()) -> Iterator[Store]:
    """An API write: the items' vectors first (if the index keeps vectors), then its turn at the write
    lock and one IndexWriter that keeps the index's parts in step."""
    vectors = _vector_model(index_dir)
    prepared = _embed_ahead(items, *vectors) if vectors is not None else None
    with waiting_for_writers(index_dir):
        now = _vector_model(index_dir)  # a rebuild may have added or dropped vectors meanwhile
        if now != vectors:
            prepared = None
        model = now[0] if now is not None else DEFAULT_MODEL
        components = index_components(False, embed=now is not None, model=model, prepared=prepared)
        with IndexWriter(index_dir, components=components) as store:
            yield store


@dataclass
class RecordOutcome:
    """What became of one posted record."""

    source_key: str | None
    status: str  # added, replaced, unchanged, duplicate, skipped
    doc_id: str | None = None  # the stored document (for a duplicate: the one it repeats)
    message: str | None = None


def index_records(
    records: Sequence[dict], index_dir: str | Path, *, origin: str = API_ORIGIN
) -> tuple[IngestReport, list[RecordOutcome]]:
    """Add JSON records (the fields JSON Lines ingestion reads) to an existing index, all or nothing.

    A record's source key is its url, else `origin#id`, else `origin#` + a hash of the record,
    so posting the same record again changes nothing. Passages get vectors when the index has them.
    """
    index_dir = Path(index_dir)
    report = IngestReport()
    outcomes: list[RecordOutcome] = []
    posted = _posted(records, origin, report)
    with _api_write(index_dir, [item for item in posted if item is not None]) as store:
        for item in posted:
            if item is None:
                outcomes.append(RecordOutcome(None, "skipped", message=NO_TEXT))
                continue
            before = (report.documents_added, report.documents_replaced, report.documents_unchanged)
            ingest(store, item, report)
            outcomes.append(_outcome(store, item.source_key, before, report))
        _reread(store, report)
    return report, outcomes


NO_TEXT = "no text in any of the text fields; skipped"


def _posted(records: Sequence[dict], origin: str, report: IngestReport) -> list[Incoming | None]:
    """The posted records as articles, None for one without text (reported as a problem)."""
    items: list[Incoming | None] = []
    for n, record in enumerate(records):
        where = hashlib.blake2b(json.dumps(record, sort_keys=True).encode(), digest_size=8).hexdigest()
        item = record_to_incoming(record, path=origin, where=where)
        if item is None:
            report.problems.append(FileProblem(f"{origin}[{n}]", NO_TEXT))
        items.append(item)
    return items


def _outcome(store: Store, key: str, before: tuple[int, int, int], report: IngestReport) -> RecordOutcome:
    doc_id = store.doc_id_for_source(key)
    if doc_id is None:
        return RecordOutcome(key, "duplicate", store.duplicate_for_source(key))
    if report.documents_replaced > before[1]:
        return RecordOutcome(key, "replaced", doc_id)
    if report.documents_added > before[0]:
        return RecordOutcome(key, "added", doc_id)
    return RecordOutcome(key, "unchanged", doc_id)


def remove_documents(doc_ids: Sequence[str], index_dir: str | Path) -> int:
    """Remove stored documents by id; returns how many existed. Duplicates that pointed at one come back."""
    index_dir = Path(index_dir)
    report = IngestReport()
    removed = 0
    with _api_write(index_dir) as store:
        for doc_id in doc_ids:
            key = store.source_key_of(doc_id)
            if key is not None:
                report.reread |= store.delete_source(key)
                removed += 1
        _reread(store, report)
    return removed


def _carry_posted(store: Store, index_dir: Path, report: IngestReport, ahead: AheadEmbedder | None = None) -> None:
    """Documents posted through the API have no file to be read again from: take them from the old index."""
    for row in posted_documents(index_dir, API_ORIGIN):
        item = Incoming(
            source_key=row["source_key"],
            source_path=API_ORIGIN,
            title=row["title"],
            text=row["text"],
            outlet=row["outlet"],
            agency=row["agency"],
            published=date.fromisoformat(row["published"]) if row["published"] else None,
            url=row["url"],
        )
        stored = ingest(store, item, report)
        if ahead is not None and stored:
            ahead.submit(stored)


def _reread(store: Store, report: IngestReport, bar: tqdm | None = None, ahead: AheadEmbedder | None = None) -> None:
    """Read again the files whose duplicates lost their original in this write."""
    with tqdm(disable=True) if bar is None else contextlib.nullcontext(bar) as progress:
        while report.reread:
            path = Path(report.reread.pop())
            if path.is_file():
                _index_file(store, path, report, progress, force=True, ahead=ahead)


# ---------------------------------------------------------------- indexing into a server backend


def server_document_id(source_key: str) -> str:
    """A server backend's document id: from the source key alone, so a changed article keeps its id
    and `backend.add` replaces it (the local store finds replacements by source key instead)."""
    return "d_" + hashlib.blake2b(f"{source_key}\0server".encode(), digest_size=8).hexdigest()


def _document(item: Incoming) -> Document:
    """An article as a document with its id and passages, for `backend.add`."""
    doc = item.document(server_document_id(item.source_key))
    doc.passages = make_passages(doc.doc_id, doc.text)
    return doc


def add_records(
    records: Sequence[dict], backend: Backend, *, origin: str = API_ORIGIN
) -> tuple[IngestReport, list[RecordOutcome]]:
    """`index_records` for a server backend (OpenSearch): the same fields, ids and outcomes, through
    `backend.add`; the server orders concurrent writes itself."""
    report = IngestReport()
    outcomes: list[RecordOutcome] = []
    docs: list[Document] = []
    for item in _posted(records, origin, report):
        if item is None:
            outcomes.append(RecordOutcome(None, "skipped", message=NO_TEXT))
            continue
        doc = _document(item)
        stored = backend.get_document(doc.doc_id, with_passages=False)
        if stored is not None and (stored.title, stored.text) == (doc.title, doc.text):
            report.documents_unchanged += 1
            outcomes.append(RecordOutcome(item.source_key, "unchanged", doc.doc_id))
            continue
        docs.append(doc)
        report.documents_added += 1
        report.passages_added += len(doc.passages)
        if stored is not None:
            report.documents_replaced += 1
        outcomes.append(RecordOutcome(item.source_key, "replaced" if stored else "added", doc.doc_id))
    if docs:
        backend.add(docs)
    return report, outcomes


BACKEND_BATCH_DOCS = 200  # documents per backend.add: bounded memory, and a progress step


def index_paths_into(paths: Sequence[str | Path], backend: Backend, *, progress: bool | None = None) -> IngestReport:
    """Index files into a backend that is not the local store (OpenSearch), through `backend.add`.

    The same readers, cleaning and passages as `index_paths`; a document's id comes from its
    source key (`server_document_id`), so re-running is idempotent and a changed article
    replaces its old version instead of standing beside it. A server backend holds no
    fingerprints: exact duplicates are dropped within a run; near-duplicate detection is the
    local store's (index there first and export, if it matters).
    """
    files = iter_files(paths)
    if not files:
        raise MizanError(f"no files found under {', '.join(map(str, paths))}; nothing to index")
    report = IngestReport()
    seen: set[str] = set()
    batch: list[Document] = []

    def flush() -> None:
        if batch:
            backend.add(batch)
            report.documents_added += len(batch)
            report.passages_added += sum(len(d.passages) for d in batch)
            batch.clear()

    total = sum(f.stat().st_size for f in files)
    with tqdm(
        total=total, unit="B", unit_scale=True, desc="indexing", disable=None if progress is None else not progress
    ) as bar:
        for path in files:
            problems_before = len(report.problems)
            produced = 0
            for item in read_file(path, report.problems, bar.update):
                produced += 1
                fp = Fingerprint(item.title + "\n" + item.text)
                if fp.hash in seen:
                    report.duplicates_exact += 1
                    continue
                seen.add(fp.hash)
                doc = _document(item)
                batch.append(doc)
                if len(batch) >= BACKEND_BATCH_DOCS:
                    flush()
                    bar.set_postfix(docs=report.documents_added, passages=report.passages_added, refresh=False)
            if not produced and len(report.problems) > problems_before:
                report.files_failed += 1
            else:
                report.files_read += 1
        flush()
    if report.files_failed and not report.files_read:
        raise NothingIndexed(
            f"nothing indexed: every input was skipped ({len(report.problems)} problem(s) above)", report
        )
    return report
