"""The embedded backend: the SQLite store plus BM25 and vector files beside it, no server.

Index directory additions:
    lexical/gNNNNNN/   BM25 arrays (search/bm25.py); `meta.lexical` in SQLite names the current one
    dense/gNNNNNN/     passage vectors and their model (search/dense.py); `meta.dense`

Every write goes through `IndexWriter` with these components, which save the passages the
write added and removed as a new generation (a small delta on the ones before it, or now
and then a new base: search/generations.py) and record its name in the same transaction;
readers notice the new generation and replay it (`LocalBackend.refresh`). A passage whose
vector is already there (same content, same id) is never embedded again.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np
from tqdm import tqdm

from search import durable, generations
from search.ahead import AheadEmbedder
from search.arabic import search_terms
from search.backends.base import Filters, Hits
from search.bm25 import BM25Index
from search.dense import DenseIndex
from search.embeddings import DEFAULT_MODEL
from search.encoders import PassageEncoder, default_encoder, shared_encoder
from search.errors import IndexDamaged, IndexVersionMismatch, MizanError
from search.figures import Figure, context_before
from search.models import Document, Passage
from search.store import DATABASE, IndexWriter, Store, record_embedding_model

log = logging.getLogger(__name__)

LEXICAL_KEY = "lexical"
_LEXICAL_BATCH = 20_000
LEXICAL_DIR = "lexical"
DENSE_KEY = "dense"
DENSE_DIR = "dense"


def indexed_text(title: str, passage_text: str) -> str:
    """What BM25 and the embedding model see of a passage: its document's title travels with it."""
    return f"{title}\n{passage_text}"


def _next_generation(folder: str, current: str | None) -> str:
    number = int(current.rsplit("g", 1)[-1]) + 1 if current else 1
    return f"{folder}/g{number:06d}"


def _keep_only(index_dir: Path, folder: str, keep: str | None) -> None:
    """Remove generations the current one does not stand on (old ones, or ones a dead run left)."""
    path = index_dir / folder
    needed = generations.kept(index_dir, keep)
    if path.is_dir():
        for generation in path.iterdir():
            if f"{folder}/{generation.name}" not in needed:
                shutil.rmtree(generation, ignore_errors=True)


def _current(store: Store, index_dir: Path, key: str) -> tuple[str | None, bool]:
    """The generation `meta` names for `key`, and whether this write leaves it as it is."""
    current = store.get_meta(key)
    if current is None or not (index_dir / current).is_dir():
        return None, False  # none yet (or lost): build from every passage
    return current, not store.added_passages and not store.removed_passages


def _stack_plan(index_dir: Path, current: str | None, rows: int, removed: int) -> generations.Plan:
    parts = generations.parts_of(index_dir, current) if current is not None else None
    return generations.plan_write(parts, rows, removed)


def _replay(
    index_dir: Path, parts: list[generations.Part], into: generations.S, read: Callable[[Path], generations.S]
) -> set[str]:
    """Replay deltas onto `into` (a new, empty delta): the ids they removed from the parts before them."""
    removed: set[str] = set()
    for part in parts:
        gone = generations.removed_by(index_dir, part)
        into.absorb(read(index_dir / part.name), gone)
        removed.update(gone)
    return removed


def _publish(
    store: Store,
    index_dir: Path,
    folder: str,
    key: str,
    current: str | None,
    save: Callable[[Path], None],
    rows: int,
    where: generations.Plan | None = None,
    removed: set[str] | None = None,
) -> None:
    """Save a new generation beside the database and name it in this write's transaction: a base of
    `rows` rows, or (`where` a delta) a delta of `rows` rows that removes `removed` from `where.stays`."""
    generation = _next_generation(folder, current)
    target = index_dir / generation
    if target.exists():  # left by a run that died before its commit
        shutil.rmtree(target)
    save(target)
    if where is None or where.base:
        generations.write_parts(target, [generations.Part(generation, rows)])
    else:
        gone = removed or set()
        generations.write_parts(target, [*where.stays, generations.Part(generation, rows, len(gone))], gone)
    durable.fsync_tree(target)  # on disk before the commit that names it
    durable.fsync_dir(target.parent)
    store.set_meta(key, generation)


def _quiet(progress: bool | None, count: int) -> bool | None:
    """tqdm's `disable`: off for small jobs, on a terminal only unless asked."""
    if progress is False or count < 2000:
        return True
    return None if progress is None else not progress


class LexicalComponent:
    """Keeps the BM25 files in step with the store inside each write."""

    def __init__(self, progress: bool | None = None):
        self.progress = progress

    def before_commit(self, store: Store, index_dir: Path) -> None:
        current, unchanged = _current(store, index_dir, LEXICAL_KEY)
        if unchanged:
            return
        added = list(store.added_passages)
        removed = sorted(store.removed_passages)
        where = _stack_plan(index_dir, current, len(added), len(removed))
        todo: list[str] | None = added
        count = len(added)
        gone: set[str] = set()
        if current is None:  # a new index, or one written before it had a lexical index: every passage
            bm25, todo, count = BM25Index(), None, store.passage_count()
        elif where.base:
            bm25 = generations.load_stack(index_dir, current, BM25Index.load)
        else:  # a delta: this write's passages, and the small deltas it takes the place of
            bm25 = BM25Index()
            gone = _replay(index_dir, where.merged, bm25, BM25Index.load)
        bm25.delete(removed)
        ids: list[str] = []
        tokens: list[list[str]] = []
        with tqdm(total=count, unit="passage", desc="lexical index", disable=_quiet(self.progress, count)) as bar:
            for pid, title, text in store.passages_for_indexing(todo):
                ids.append(pid)
                tokens.append(search_terms(indexed_text(title, text)))
                bar.update(1)
                if len(ids) == _LEXICAL_BATCH:  # bounded memory: each batch becomes a segment
                    bm25.add(ids, tokens)
                    ids, tokens = [], []
        bm25.add(ids, tokens)
        bm25.compact()  # as saved: its rows are its live passages
        _publish(store, index_dir, LEXICAL_DIR, LEXICAL_KEY, current, bm25.save, len(bm25), where, gone | set(removed))

    def after_commit(self, index_dir: Path, meta: dict[str, str]) -> None:
        _keep_only(index_dir, LEXICAL_DIR, meta.get(LEXICAL_KEY))


class DenseComponent:
    """Keeps the passage vectors in step with the store inside each write."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        *,
        device: str | None = None,
        progress: bool | None = None,
        reuse_from: Path | None = None,
        prepared: Mapping[str, np.ndarray] | None = None,
        precision: str | None = None,
    ):
        self.model = model
        self.device = device
        self.precision = precision  # for a new index; an existing one keeps its own
        self.progress = progress
        self.reuse_from = reuse_from  # an older index whose vectors a rebuild may take instead of re-embedding
        # Vectors embedded before the write lock was taken, by indexed text: a write then holds the
        # lock for its file work only, not for seconds of embedding (indexer/pipeline.py).
        self.prepared = prepared or {}
        self._ahead: AheadEmbedder | None = None
        self._reuse: DenseIndex | None = None
        self._reuse_read = False  # loaded once: embed_ahead and the commit both ask

    def embed_ahead(self, store: Store, index_dir: Path) -> AheadEmbedder | None:
        """Start encoding the passages this run stores in a child process (search/ahead.py), with the
        encoder the commit will use; None where the commit will refuse the write (another model)."""
        current, _ = _current(store, index_dir, DENSE_KEY)
        if current is not None and DenseIndex.model_of(index_dir / current)[0] != self.model:
            return None
        # The vectors this write keeps are not sent: the index's own (a passage stored again with the
        # same content has the same id), or for a rebuild the old index's of the same encoder.
        skip: Callable[[str], bool] | None = None
        if current is not None:
            encoder = DenseIndex.encoder_of(index_dir / current)
            skip = store.restored_passages.__contains__  # read as the run stores them
        else:
            reuse = self._reusable()
            encoder = self._encoder(reuse)
            if reuse is not None and reuse.encoder == encoder:
                skip = reuse.__contains__
        self._ahead = AheadEmbedder(self.model, device=self.device, encoder=encoder, skip=skip, progress=self.progress)
        return self._ahead

    def cancel_ahead(self) -> None:
        if self._ahead is not None:
            self._ahead.cancel()
            self._ahead = None

    def before_commit(self, store: Store, index_dir: Path) -> None:
        ahead, self._ahead = self._ahead, None
        try:
            self._update(store, index_dir, ahead)
        finally:
            if ahead is not None:
                ahead.cancel()  # a no-op once it has finished

    def _update(self, store: Store, index_dir: Path, ahead: AheadEmbedder | None) -> None:
        current, unchanged = _current(store, index_dir, DENSE_KEY)
        if unchanged:
            return
        removed = sorted(store.removed_passages)
        if current is not None:
            model_id, dimension = DenseIndex.model_of(index_dir / current)
            if model_id != self.model:
                raise IndexVersionMismatch(
                    f"{index_dir} holds vectors of {model_id}, not {self.model}; index with --model {model_id}, "
                    f"or rebuild it for the new model with `mizan index --rebuild --model {self.model} --index DIR`"
                )
            # the index has a vector for every stored passage, so only the added ones stored before
            # (removed and stored again, the same content) have one: no need to read its id lists
            wanted = [pid for pid in store.added_passages if pid not in store.restored_passages]
            encoder = DenseIndex.encoder_of(index_dir / current)  # one encoder per index, never mixed
        else:
            wanted = store.passage_ids()
        reuse = self._reusable()
        if current is None:
            # a new index: the precision asked for, else the vectors a rebuild can keep, else this machine's
            encoder = self._encoder(reuse)
        if reuse is not None and (reuse.encoder != encoder or (current is not None and reuse.dimension != dimension)):
            reuse = None
        missing = [pid for pid in wanted if reuse is None or pid not in reuse]
        vectors = self._vectors_of(store, missing, encoder, ahead)
        where = _stack_plan(index_dir, current, len(wanted), len(removed))
        gone: set[str] = set()
        dense: DenseIndex
        if current is None:
            if reuse is not None:
                dimension = reuse.dimension
            elif vectors:
                dimension = len(next(iter(vectors.values())))
            else:  # nothing to embed: the model says how wide its vectors are
                dimension = self._embedder(encoder).dimension
            dense = DenseIndex(self.model, dimension, encoder)
        elif where.base:
            dense = generations.load_stack(index_dir, current, DenseIndex.load)
        else:  # a delta: this write's vectors, and the small deltas it takes the place of
            dense = DenseIndex(self.model, dimension, encoder)
            gone = _replay(index_dir, where.merged, dense, DenseIndex.load)
        dense.delete(removed)
        if reuse is not None:
            taken = [pid for pid in wanted if pid in reuse]
            if taken:
                dense.add(taken, reuse.vectors[[reuse.index_of[pid] for pid in taken]])
        if vectors:
            dense.add(list(vectors), np.stack(list(vectors.values())))
        if not where.base:
            dense.compact()  # a delta holds live rows only
        _publish(store, index_dir, DENSE_DIR, DENSE_KEY, current, dense.save, len(dense), where, gone | set(removed))

    def _vectors_of(
        self, store: Store, missing: list[str], encoder: str, ahead: AheadEmbedder | None
    ) -> dict[str, np.ndarray]:
        """Vectors of the passages no index has: prepared before the write, from the run's embedding
        child, or encoded here."""
        if not missing:
            return {}
        texts = {pid: indexed_text(title, text) for pid, title, text in store.passages_for_indexing(missing)}
        if ahead is not None:  # what the run stored is there or on its way; the rest goes the same way
            ahead.submit([(pid, texts[pid]) for pid in missing if texts[pid] not in self.prepared])
            self.prepared = {**self.prepared, **ahead.finish()}
        vectors = {pid: self.prepared[texts[pid]] for pid in missing if texts[pid] in self.prepared}
        todo = [pid for pid in missing if pid not in vectors]
        if todo:
            progress = _quiet(self.progress, len(todo)) is not True
            encoded = self._embedder(encoder).encode_passages([texts[pid] for pid in todo], progress=progress)
            vectors.update(zip(todo, encoded, strict=True))
        return vectors

    def _encoder(self, reuse: DenseIndex | None) -> str:
        if self.precision is None and reuse is not None:
            return reuse.encoder
        return default_encoder(self.model, self.device, self.precision)

    def _embedder(self, encoder: str) -> PassageEncoder:
        return shared_encoder(self.model, self.device, encoder)

    def _reusable(self) -> DenseIndex | None:
        if not self._reuse_read:
            self._reuse, self._reuse_read = self._load_reusable(), True
        return self._reuse

    def _load_reusable(self) -> DenseIndex | None:
        if self.reuse_from is None:
            return None
        try:
            # vectors do not depend on the figure reader: a rebuild for a new one keeps them
            with Store.open(self.reuse_from, any_figures=True) as old:
                generation = old.get_meta(DENSE_KEY)
            if generation is None or not (self.reuse_from / generation).is_dir():
                return None
            if DenseIndex.model_of(self.reuse_from / generation)[0] != self.model:
                return None
            return generations.load_stack(self.reuse_from, generation, DenseIndex.load)
        except Exception:  # noqa: BLE001 - old vectors that cannot be read (damaged) are embedded again
            log.info("the vectors of %s cannot be reused; embedding every passage", self.reuse_from, exc_info=True)
            return None

    def after_commit(self, index_dir: Path, meta: dict[str, str]) -> None:
        current = meta.get(DENSE_KEY)
        _keep_only(index_dir, DENSE_DIR, current)
        if current and (index_dir / current).is_dir():
            record_embedding_model(index_dir, *DenseIndex.model_of(index_dir / current))


def index_components(
    progress: bool | None = None,
    *,
    embed: bool = True,
    model: str = DEFAULT_MODEL,
    device: str | None = None,
    reuse_from: Path | None = None,
    prepared: Mapping[str, np.ndarray] | None = None,
    precision: str | None = None,
) -> list:
    """The structures a local index keeps beside its database."""
    components: list = [LexicalComponent(progress)]
    if embed:
        components.append(
            DenseComponent(
                model, device=device, progress=progress, reuse_from=reuse_from, prepared=prepared, precision=precision
            )
        )
    return components


class LocalBackend:
    """Reads an index directory; writes through IndexWriter so readers always see a consistent state."""

    name = "local"

    def __init__(self, index_dir: Path | str):
        self.index_dir = Path(index_dir)
        try:
            self.store = Store.open(self.index_dir)
        except (sqlite3.Error, OSError) as exc:
            raise self._damaged(exc) from exc
        self._database = self._database_id()
        self._generation: str | None = None
        self._bm25: BM25Index | None = None
        self._dense_generation: str | None = None
        self._dense: DenseIndex | None = None
        # the bases last read: a new generation that stands on them costs only its deltas
        self._lexical_stacks = generations.Stacks(BM25Index.load)
        self._dense_stacks = generations.Stacks(DenseIndex.load)
        self._filter_cache: dict[tuple[str, Filters], np.ndarray] = {}
        try:
            self.refresh()
        except MizanError:
            self.store.close()
            raise
        except (sqlite3.Error, ValueError, OSError, KeyError, EOFError) as exc:  # damaged files, not input
            self.store.close()
            raise self._damaged(exc) from exc

    def _damaged(self, exc: BaseException) -> IndexDamaged:
        return IndexDamaged(
            f"the index at {self.index_dir} is damaged ({type(exc).__name__}); `mizan check --index "
            f"{self.index_dir}` names the part and the command that repairs it"
        )

    def _database_id(self) -> tuple[int, int] | None:
        try:
            st = (self.index_dir / DATABASE).stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def refresh(self) -> None:
        """Load what another writer changed: a new lexical or dense generation, or a whole new index
        (`mizan index --rebuild` swaps the directory: a long-running server must not keep the old one)."""
        database = self._database_id()
        if database is not None and database != self._database:
            fresh = Store.open(self.index_dir)  # refuses a rebuilt index of another version, with the fix
            self.store.close()
            self.store, self._database = fresh, database
            self._generation = self._dense_generation = None
            self._lexical_stacks.forget()
            self._dense_stacks.forget()
        for attempt in range(3):
            try:
                self._load_generations()
                return
            except FileNotFoundError:
                # a writer published a newer generation and removed the one just read: read meta again
                if attempt == 2:
                    raise IndexVersionMismatch(
                        f"{self.index_dir} has no lexical index (it was built by an older Mizan, or damaged); "
                        f"rebuild it with `mizan index --rebuild --index {self.index_dir}`"
                    ) from None
                time.sleep(0.05)

    def _load_generations(self) -> None:
        generation = self.store.get_meta(LEXICAL_KEY)
        if generation is None or not (self.index_dir / generation).is_dir():
            raise FileNotFoundError(generation)
        if generation != self._generation:
            self._bm25 = self._lexical_stacks.load(self.index_dir, generation)
            self._generation = generation
            self._filter_cache.clear()
        dense = self.store.get_meta(DENSE_KEY)
        if dense != self._dense_generation:
            self._dense = self._dense_stacks.load(self.index_dir, dense) if dense else None
            self._dense_generation = dense
            self._filter_cache.clear()
            recorded = self.store.manifest.embedding_model
            if self._dense is not None and recorded and recorded != self._dense.model_id:
                # queries would be embedded by one model and compared with vectors of another
                raise IndexDamaged(
                    f"{self.index_dir}: the vectors are of {self._dense.model_id} but manifest.json says {recorded}; "
                    f"`mizan check --index {self.index_dir}` names the command that repairs it"
                )

    @property
    def dense_model(self) -> str | None:
        """The embedding model of the passage vectors, or None when the index has none."""
        return self._dense.model_id if self._dense is not None else None

    @property
    def dense_encoder(self) -> str | None:
        """The runtime and precision that computed the passage vectors (search/embeddings.py)."""
        return self._dense.encoder if self._dense is not None else None

    @property
    def bm25(self) -> BM25Index:
        assert self._bm25 is not None
        return self._bm25

    # ------------------------------------------------------------ queries

    def _allowed(self, filters: Filters | None, which: str) -> np.ndarray | None:
        """A mask over the rows of the lexical or the dense index: the passages the filters let through."""
        if filters is None or filters.empty:
            return None
        mask = self._filter_cache.get((which, filters))
        if mask is None:
            ids = self.store.passage_ids_where(
                list(filters.outlets) or None,
                filters.date_from.isoformat() if filters.date_from else None,
                filters.date_to.isoformat() if filters.date_to else None,
            )
            if which == LEXICAL_KEY:
                size, index_of = len(self.bm25.alive), self.bm25.index_of
            else:
                assert self._dense is not None
                size, index_of = len(self._dense.alive), self._dense.index_of
            mask = np.zeros(size, dtype=bool)
            mask[[index_of[i] for i in ids if i in index_of]] = True
            if len(self._filter_cache) > 64:
                self._filter_cache.clear()
            self._filter_cache[(which, filters)] = mask
        return mask

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> Hits:
        ids, scores, total = self.bm25.search(search_terms(query), k, allowed=self._allowed(filters, LEXICAL_KEY))
        return Hits(ids, scores, total)

    def holding_words(self, query: str, passage_ids: Sequence[str]) -> set[str]:
        """The passages among `passage_ids` that hold a word of `query` (title or text, as BM25 reads them)."""
        return self.bm25.holding(search_terms(query), passage_ids)

    def term_weights(self, terms: Sequence[str]) -> dict[str, float]:
        """The BM25 idf of each search term (search.arabic.search_terms) in this index."""
        return {t: self.bm25.idf(t) for t in terms}

    def similarities(self, vector: np.ndarray, passage_ids: Sequence[str]) -> dict[str, float]:
        """Cosine of each passage's stored vector to `vector` (passages without one are left out)."""
        if self._dense is None:
            return {}
        out = {}
        for pid in passage_ids:
            v = self._dense.vector(pid)
            if v is not None:
                out[pid] = float(np.dot(v, vector))
        return out

    def dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> Hits:
        if self._dense is None:
            raise MizanError(
                f"{self.index_dir} has no passage vectors (indexed with --no-embed); search it with --mode bm25, "
                f"or add them with `mizan index --rebuild --index {self.index_dir}`"
            )
        ids, scores, total = self._dense.search(vector, k, allowed=self._allowed(filters, DENSE_KEY))
        return Hits(ids, scores, total)

    # ------------------------------------------------------------ documents

    def get_document(self, doc_id: str, *, with_passages: bool = True) -> Document | None:
        return self.store.get_document(doc_id, with_passages=with_passages)

    def get_passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        found = (self.store.get_passage(pid) for pid in passage_ids)
        return [p for p in found if p is not None]

    def figures(self, passage_ids: Sequence[str]) -> dict[str, list[Figure]]:
        return self.store.figures_of(list(passage_ids))

    def copy_outlets(self, passage_ids: Sequence[str]) -> dict[str, list[str]]:
        """Outlets that printed each passage too, their copy recorded as a duplicate and not stored."""
        return self.store.copy_outlets(list(passage_ids))

    def stats(self) -> dict:
        stats = self.store.stats()
        stats["backend"] = self.name
        stats["lexical_passages"] = len(self.bm25)
        stats["dense_passages"] = len(self._dense) if self._dense is not None else 0
        stats["encoder"] = self._dense.encoder if self._dense is not None else None
        return stats

    # ------------------------------------------------------------ writes

    def add(self, documents: Sequence[Document]) -> None:
        with IndexWriter(self.index_dir, components=self._components()) as store:
            for doc in documents:
                if store.get_document(doc.doc_id, with_passages=False) is not None:
                    store.delete_document(doc.doc_id)
                store.insert_document(doc, f"api:{doc.doc_id}", None, [])
                for passage in doc.passages:
                    if not store.passage_exists(passage.passage_id):
                        store.insert_passage(passage, None, [], context_before(doc.text, passage.start))
        self.refresh()

    def delete(self, doc_ids: Sequence[str]) -> int:
        removed = 0
        with IndexWriter(self.index_dir, components=self._components()) as store:
            for doc_id in doc_ids:
                removed += store.delete_document(doc_id)
        self.refresh()
        return removed

    def _components(self) -> list:
        model = self.dense_model
        return index_components(progress=False, embed=model is not None, model=model or DEFAULT_MODEL)

    def close(self) -> None:
        self.store.close()
