"""The scale-out backend: the same documents, passages, figures and vectors in an OpenSearch index.

Layout and every body sent: search/backends/opensearch_bodies.py. Connection settings and
error messages: search/backends/opensearch_config.py. The engine fuses `lexical` and `dense`
itself (search.fusion), so both backends rank alike; `hybrid` runs the same fusion inside
OpenSearch through a search pipeline instead (one round trip; exact ties may order
differently, see opensearch_fusion.py).

Scores: `lexical` carries OpenSearch's BM25 scores times (k1 + 1), which Lucene leaves out, so they
are the local BM25's; `hybrid` with RRF is scaled to the engine's weights likewise; `dense` the knn
scores, which for faiss `innerproduct` are 1 + cosine for a positive cosine (min-max and RRF fusion
are blind to that shift), 1/(1 − cosine) below zero.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from functools import partial
from typing import Any

import numpy as np
from opensearchpy import NotFoundError, TransportError, helpers
from tqdm import tqdm

from search.backends import opensearch_bodies as bodies
from search.backends.base import Filters, Hits
from search.backends.local import indexed_text
from search.backends.opensearch_config import OpenSearchConfig, translated_errors
from search.embeddings import DEFAULT_MODEL
from search.encoders import default_encoder, shared_encoder
from search.engine import HYBRID_DEPTH, HYBRID_WEIGHTS
from search.errors import BackendError, IndexingFailed, IndexNotFound, IndexVersionMismatch, MizanError
from search.figures import Figure, context_before, extract_figures
from search.fusion import FusionMode, Ranked, fuse
from search.models import Document, Passage

log = logging.getLogger(__name__)

KNOWN_DIMENSIONS = {DEFAULT_MODEL: 384}  # so opening an index does not load the model to learn its width
MIN_VERSION = (2, 10)  # hybrid query and normalization-processor
RRF_VERSION = (2, 19)  # score-ranker-processor
_MGET_CHUNK = 1000
_EMBED_CHUNK = 256  # passages embedded at a time while the bulk stream asks for more
_LISTED_FAILURES = 10
_PLUGINS = "the cluster needs the k-NN and neural-search plugins, which the opensearchproject/opensearch image has"
_STALE_CHUNK = 1000  # documents per delete_by_query (its terms query takes at most 65,536)

Embed = Callable[[list[str]], np.ndarray]


def _version(number: str) -> tuple[int, int]:
    major, minor, *_ = (int(part) if part.isdigit() else 0 for part in (number.split("-")[0].split(".") + ["0"]))
    return major, minor


def _hits(response: dict, k: int | None = None, scale: float = 1.0) -> Hits:
    found = response["hits"]["hits"][:k]
    total = response["hits"]["total"]
    return Hits(
        [h["_id"] for h in found],
        [float(h["_score"]) * scale for h in found],
        int(total["value"] if isinstance(total, dict) else total),
    )


def _figure(source: dict) -> Figure:
    values: dict[str, Any] = {name: source.get(name) for name in bodies.FIGURE_FIELDS}
    for bound in ("value_low", "value_high"):  # JSON writes 10000.0 as 10000
        if values[bound] is not None:
            values[bound] = float(values[bound])
    return Figure(**values)


def _spans(marked: str) -> list[list[int]]:
    """[start, end) spans of the marked words in the unmarked text."""
    pre, post = bodies.HIGHLIGHT_TAGS
    spans: list[list[int]] = []
    offset = 0
    for i, part in enumerate(marked.split(pre)):
        if i == 0:
            offset += len(part)
            continue
        word, _, rest = part.partition(post)
        spans.append([offset, offset + len(word)])
        offset += len(word) + len(rest)
    return spans


def _failure(item: dict) -> tuple[str, str]:
    """(record id, "status type: reason") of a failed bulk item."""
    info = next(iter(item.values()))
    error = info.get("error")
    if isinstance(error, dict):
        reason = f"{error.get('type')}: {error.get('reason')}"
    else:
        reason = str(error)
    return str(info.get("_id")), " ".join(f"{info.get('status')} {reason}".split())[:200]


class OpenSearchBackend:
    """One OpenSearch index; creates it and its search pipelines when missing (`create=True`)."""

    name = "opensearch"

    def __init__(
        self,
        config: OpenSearchConfig | None = None,
        *,
        model: str | None = DEFAULT_MODEL,
        dimension: int | None = None,
        client: Any = None,
        embed: Embed | None = None,
        create: bool = True,
        chunk_size: int = 500,
        max_retries: int = 5,
        initial_backoff: int = 2,
        max_backoff: int = 60,
        bulk_timeout: float = 120.0,
        progress: bool | None = None,
        shards: int = 1,
        replicas: int = 0,
    ):
        self.config = config or OpenSearchConfig.from_env()
        self.index = self.config.index
        self.client = client if client is not None else self.config.client()
        self.model = model
        self._dimension = dimension
        self._embed = embed
        self.chunk_size, self.max_retries = chunk_size, max_retries
        self.initial_backoff, self.max_backoff, self.bulk_timeout = initial_backoff, max_backoff, bulk_timeout
        self.progress = progress
        self.shards, self.replicas = shards, replicas
        self.pipelines = bodies.pipeline_names(self.index)
        self._meta: dict = {}
        self.shard_count = shards  # read back from the index by ensure_index
        self._dirty = False
        info = self._call("answer", lambda: self.client.info())
        self.version = str(info.get("version", {}).get("number", "0"))
        if info.get("version", {}).get("distribution") != "opensearch" or _version(self.version) < MIN_VERSION:
            raise BackendError(
                f"{self.config.url} runs {info.get('version', {}).get('distribution', 'Elasticsearch')} "
                f"{self.version}; Mizan needs OpenSearch 2.10 or later (2.19 or later for rrf fusion): upgrade it"
            )
        self.ensure_index(create=create)
        if create:
            self.ensure_pipelines()

    # ------------------------------------------------------------ setup

    def _call(self, doing: str, request: Callable[[], Any]) -> Any:
        with translated_errors(self.config, doing):
            return request()

    def _rebuild_hint(self) -> str:
        return (
            f"delete it (`curl -X DELETE {self.config.url}/{self.index}`) or set MIZAN_OPENSEARCH_INDEX to a new "
            "name, then add the documents again"
        )

    def dimension(self) -> int | None:
        """The width of this model's vectors (None without a model)."""
        if self.model is None:
            return None
        if self._dimension is None:
            self._dimension = KNOWN_DIMENSIONS.get(self.model) or shared_encoder(self.model).dimension
        return self._dimension

    def ensure_index(self, *, create: bool = True) -> None:
        """Create the index when missing; refuse one built by another format, normaliser, figure reader or model."""
        if not self._call("check the index", lambda: self.client.indices.exists(index=self.index)):
            if not create:
                raise IndexNotFound(
                    f"no index {self.index!r} at OpenSearch {self.config.url}; create it by adding documents, "
                    "or set MIZAN_OPENSEARCH_INDEX to an existing one"
                )
            body = bodies.index_body(self.model, self.dimension(), shards=self.shards, replicas=self.replicas)
            try:
                with translated_errors(self.config, "create the index", _PLUGINS):
                    self.client.indices.create(index=self.index, body=body)
                log.info("created OpenSearch index %s at %s", self.index, self.config.url)
            except BackendError:
                if not self.client.indices.exists(index=self.index):  # not a race with another writer
                    raise
        found = self._call("read the index mapping", lambda: self.client.indices.get(index=self.index))
        index = next(iter(found.values()))
        self._check_meta((index["mappings"].get("_meta") or {}).get("mizan"))
        self.shard_count = int(index.get("settings", {}).get("index", {}).get("number_of_shards", 1))

    def _check_meta(self, meta: dict | None) -> None:
        where = f"index {self.index!r} at {self.config.url}"
        if not isinstance(meta, dict):
            raise IndexVersionMismatch(
                f"{where} was not made by Mizan (its mapping has no _meta.mizan); "
                "set MIZAN_OPENSEARCH_INDEX to another name"
            )
        ours = bodies.index_meta(self.model, self.dimension())["mizan"]
        labels = {
            "mapping_version": "OpenSearch layout",
            "format_version": "index format",
            "normaliser_version": "Arabic normaliser",
            "figures_version": "figure reader",
        }
        for key, label in labels.items():
            if meta.get(key) != ours[key]:
                raise IndexVersionMismatch(
                    f"{where} was built with {label} v{meta.get(key)}, this Mizan uses v{ours[key]}, so searches "
                    f"and answers would not match it; {self._rebuild_hint()}"
                )
        theirs = meta.get("embedding_model")
        if theirs != self.model or (
            theirs is not None and meta.get("embedding_dimension") != ours["embedding_dimension"]
        ):
            held = f"vectors of {theirs}" if theirs else "no passage vectors"
            wanted = f"vectors of {self.model}" if self.model else "no vectors"
            raise IndexVersionMismatch(
                f"{where} holds {held}, but {wanted} were asked for; open it with model={theirs!r}, "
                f"or, for the new model, {self._rebuild_hint()}"
            )
        self._meta = meta

    def ensure_pipelines(self) -> None:
        """Create the hybrid search pipelines; one already stored with our body is left alone (no PUT)."""
        wanted = {self.pipelines[FusionMode.MINMAX]: bodies.minmax_pipeline_body()}
        if _version(self.version) >= RRF_VERSION:
            wanted[self.pipelines[FusionMode.RRF]] = bodies.rrf_pipeline_body()
        for pipeline, body in wanted.items():
            try:
                stored = self.client.search_pipeline.get(id=pipeline).get(pipeline)
            except TransportError:
                stored = None  # missing or unreadable: the PUT below makes it, or says why it cannot
            if stored != body:
                with translated_errors(self.config, "create a search pipeline", _PLUGINS):
                    self.client.search_pipeline.put(id=pipeline, body=body)

    @property
    def default_fusion(self) -> FusionMode:
        """RRF where the cluster has it (2.19+): it needs no score scale, so OpenSearch's BM25 and knn
        scores fuse without tuning; min-max before that."""
        return FusionMode.RRF if _version(self.version) >= RRF_VERSION else FusionMode.MINMAX

    @property
    def dense_model(self) -> str | None:
        """The embedding model of the passage vectors (from the index's _meta), or None without vectors."""
        return self._meta.get("embedding_model")

    def refresh(self) -> None:
        """Make this backend's writes searchable now; nothing to do otherwise (the engine calls it per search,
        and OpenSearch shows other writers' changes by itself within its refresh interval)."""
        if self._dirty:
            self._call("refresh the index", lambda: self.client.indices.refresh(index=self.index))
            self._dirty = False

    # ------------------------------------------------------------ queries

    def _search(self, doing: str, body: dict, **params: Any) -> dict:
        return self._call(doing, lambda: self.client.search(index=self.index, body=body, **params))

    def _scored_search(self) -> dict[str, str]:
        """Several shards score with their own term statistics unless a first round trip gathers the
        whole index's (dfs_query_then_fetch): then BM25 ranks as over one shard, as locally."""
        return {"search_type": "dfs_query_then_fetch"} if self.shard_count > 1 else {}

    def lexical(self, query: str, k: int, filters: Filters | None = None) -> Hits:
        response = self._search("search", bodies.lexical_body(query, k, filters), **self._scored_search())
        return _hits(response, scale=bodies.BM25_SCORE_SCALE)  # the local BM25's scale

    def _require_vectors(self) -> None:
        if self.dense_model is None:
            raise MizanError(
                f"index {self.index!r} has no passage vectors (created without a model); search it with "
                f"--mode bm25, or {self._rebuild_hint()} with a model"
            )

    def dense(self, vector: np.ndarray, k: int, filters: Filters | None = None) -> Hits:
        self._require_vectors()
        if k <= 0:
            return Hits([], [], 0)
        return _hits(self._search("search", bodies.dense_body(vector, k, filters)))

    def hybrid(
        self,
        text: str,
        vector: np.ndarray,
        k: int,
        filters: Filters | None = None,
        fusion: FusionMode = FusionMode.MINMAX,
    ) -> Hits:
        """Lexical and dense fused inside OpenSearch by our search pipeline: the top k of the fused list."""
        self._require_vectors()
        if fusion is FusionMode.RRF and _version(self.version) < RRF_VERSION:
            raise BackendError(
                f"rrf fusion needs OpenSearch 2.19 or later and {self.config.url} runs {self.version}; "
                "use minmax fusion, or upgrade the cluster"
            )
        if k <= 0:
            return Hits([], [], 0)
        if self.shard_count > 1:
            return self._fused_here(text, vector, k, filters, fusion)
        body = bodies.hybrid_body(text, vector, k, filters)
        scale = bodies.RRF_SCORE_SCALE if fusion is FusionMode.RRF else 1.0  # the engine's fused scale
        return _hits(self._search("search", body, search_pipeline=self.pipelines[fusion]), k, scale)

    def _fused_here(self, text: str, vector: np.ndarray, k: int, filters: Filters | None, fusion: FusionMode) -> Hits:
        """Hybrid search over several shards: the pipeline cannot run after dfs_query_then_fetch (the
        neural-search plugin skips or refuses it), so both sub-queries run here and the engine's fusion
        (search.fusion) fuses them, exactly as for the local backend."""
        wide = max(k, HYBRID_DEPTH)
        lexical, dense = self.lexical(text, wide, filters), self.dense(vector, wide, filters)
        fused = fuse([Ranked(lexical.ids, lexical.scores), Ranked(dense.ids, dense.scores)], fusion, HYBRID_WEIGHTS)[:k]
        # the passages that hold the words; the engine adds those near in meaning (search/engine.py)
        return Hits([pid for pid, _ in fused], [score for _, score in fused], lexical.total)

    def term_weights(self, terms: Sequence[str]) -> dict[str, float]:
        """The BM25 idf of each search term in this index, as LocalBackend.term_weights gives it (the answer
        layer weighs a question's topic words by it): one request, counts over every shard."""
        if not terms:
            return {}
        response = self._search("weigh the question's terms", bodies.term_weights_body(terms))
        count = _hits(response).total
        buckets = response["aggregations"]["df"]["buckets"]
        out = {}
        for term in terms:
            df = int(buckets.get(term, {}).get("doc_count", 0))
            out[term] = float(np.log1p((count - df + 0.5) / (df + 0.5))) if df else 0.0
        return out

    def similarities(self, vector: np.ndarray, passage_ids: Sequence[str]) -> dict[str, float]:
        """Cosine of each passage's stored vector to `vector`, in float32 as the local backend computes it
        (the answer layer weighs passages by it); passages without a vector are left out."""
        if self.dense_model is None or not passage_ids:
            return {}
        found = self._mget(list(dict.fromkeys(passage_ids)), _source_includes=[bodies.VECTOR_FIELD])
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        return {
            pid: float(np.dot(np.asarray(source[bodies.VECTOR_FIELD], dtype=np.float32), query))
            for pid, source in found.items()
            if source.get(bodies.VECTOR_FIELD)
        }

    def highlights(self, query: str, passage_ids: Sequence[str]) -> dict[str, list[list[int]]]:
        """[start, end) spans of the words OpenSearch matched in each passage's text."""
        if not passage_ids:
            return {}
        response = self._search("highlight", bodies.highlight_body(query, passage_ids))
        out: dict[str, list[list[int]]] = {}
        for hit in response["hits"]["hits"]:
            spans = {tuple(s) for field in hit.get("highlight", {}).values() for s in _spans(field[0])}
            out[hit["_id"]] = [list(s) for s in sorted(spans)]
        return out

    # ------------------------------------------------------------ documents

    def _mget(self, ids: Sequence[str], **params: Any) -> dict[str, dict]:
        """The sources of the records that exist, by id."""
        found: dict[str, dict] = {}
        for start in range(0, len(ids), _MGET_CHUNK):
            chunk = list(ids[start : start + _MGET_CHUNK])
            request = partial(self.client.mget, index=self.index, body=bodies.mget_body(chunk), **params)
            response = self._call("read documents", request)
            found.update({d["_id"]: d.get("_source", {}) for d in response["docs"] if d.get("found")})
        return found

    def get_document(self, doc_id: str, *, with_passages: bool = True) -> Document | None:
        source = self._mget([bodies.DOC_PREFIX + doc_id]).get(bodies.DOC_PREFIX + doc_id)
        if source is None:
            return None
        body = source["document"]
        doc = Document(
            doc_id=source["doc_id"],
            source_key=body["source_key"],
            title=body["title"],
            text=body["text"],
            outlet=source.get("outlet"),
            agency=body.get("agency"),
            published=date.fromisoformat(source["published"]) if source.get("published") else None,
            url=body.get("url"),
            source_path=body.get("source_path"),
            date_estimated=bool(body.get("date_estimated")),
        )
        if with_passages:
            response = self._search("read a document's passages", bodies.passages_of_body(doc_id))
            doc.passages = [self._passage(h["_id"], h["_source"]) for h in response["hits"]["hits"]]
        return doc

    @staticmethod
    def _passage(passage_id: str, source: dict) -> Passage:
        return Passage(passage_id, source["doc_id"], source["ordinal"], source["start"], source["end"], source["text"])

    def get_passages(self, passage_ids: Sequence[str]) -> list[Passage]:
        excluded = [bodies.VECTOR_FIELD, "figures", bodies.TERMS_FIELD]
        found = self._mget(list(dict.fromkeys(passage_ids)), _source_excludes=excluded)
        return [self._passage(pid, found[pid]) for pid in passage_ids if found.get(pid, {}).get("kind") == "passage"]

    def figures(self, passage_ids: Sequence[str]) -> dict[str, list[Figure]]:
        found = self._mget(list(dict.fromkeys(passage_ids)), _source_includes=["figures"])
        return {pid: [_figure(f) for f in source["figures"]] for pid, source in found.items() if source.get("figures")}

    def stats(self) -> dict:
        aggs = self._search("count documents", bodies.stats_body())["aggregations"]
        docs, passages = aggs["documents"], aggs["passages"]
        return {
            "backend": self.name,
            "index": self.index,
            "url": self.config.url,
            "opensearch_version": self.version,
            "documents": docs["doc_count"],
            "passages": passages["doc_count"],
            "figures": passages["figures"]["doc_count"],
            "undated_documents": docs["undated"]["doc_count"],
            "outlets": [{"outlet": b["key"], "documents": b["doc_count"]} for b in docs["outlets"]["buckets"]],
            "published_from": docs["published_from"].get("value_as_string"),
            "published_to": docs["published_to"].get("value_as_string"),
            "format_version": self._meta.get("format_version"),
            "normaliser_version": self._meta.get("normaliser_version"),
            "figures_version": self._meta.get("figures_version"),
            "embedding_model": self.dense_model,
            "embedding_dimension": self._meta.get("embedding_dimension"),
            "lexical_passages": passages["doc_count"],
            "dense_passages": passages["doc_count"] if self.dense_model else 0,
        }

    # ------------------------------------------------------------ writes

    def _embedder(self) -> Embed:
        if self._embed is None:
            model = self.dense_model
            assert model is not None
            # the cluster records no encoder: vectors at the reference precision, the same from every machine
            encoder = default_encoder(model, precision="fp32")
            self._embed = lambda texts: shared_encoder(model, encoder=encoder).encode_passages(texts, progress=False)
        return self._embed

    def _holders(self, docs: list[Document], passage_ids: list[str]) -> dict[str, str]:
        """The doc_id of each record these documents would write that exists already: passage ids come
        from the text alone, so another document may hold a passage."""
        ids = [bodies.DOC_PREFIX + d.doc_id for d in docs] + passage_ids
        found = self._mget(ids, _source_includes=["doc_id"])
        return {rid: source["doc_id"] for rid, source in found.items() if "doc_id" in source}

    @staticmethod
    def _figures_of(doc: Document, passage: Passage) -> list[Figure]:
        try:
            return extract_figures(passage.text, context_before(doc.text, passage.start))
        except Exception:  # a reader bug must not cost the whole run its documents (as in search/store.py)
            log.exception("figures of passage %s could not be read; it is stored without them", passage.passage_id)
            return []

    def _actions(self, docs: list[Document], passages: list[tuple[Document, Passage]]) -> Iterator[dict]:
        for doc in docs:
            yield {"_index": self.index, "_id": bodies.DOC_PREFIX + doc.doc_id, "_source": bodies.document_source(doc)}
        embed = self._embedder() if self.dense_model else None
        for start in range(0, len(passages), _EMBED_CHUNK):
            group = passages[start : start + _EMBED_CHUNK]
            vectors: list[np.ndarray | None] = [None] * len(group)
            if embed is not None:
                matrix = embed([indexed_text(doc.title, p.text) for doc, p in group])
                width = self._meta.get("embedding_dimension")
                if matrix.shape != (len(group), width):
                    raise MizanError(
                        f"the embedder gave vectors of shape {matrix.shape} for {len(group)} passages; index "
                        f"{self.index!r} expects {width} dimensions of {self.dense_model}: open it with that model"
                    )
                vectors = list(matrix)
            for (doc, passage), vector in zip(group, vectors, strict=True):
                source = bodies.passage_source(doc, passage, self._figures_of(doc, passage), vector)
                yield {"_index": self.index, "_id": passage.passage_id, "_source": source}

    def add(self, documents: Sequence[Document]) -> None:
        """Index documents with their passages; a document with the same id is replaced, and adding the
        same documents again changes nothing (same _ids). Raises IndexingFailed naming the documents
        OpenSearch refused, after indexing the others."""
        latest = {doc.doc_id: doc for doc in documents}  # the last version of a document wins, as locally
        if not latest:
            return
        docs = list(latest.values())
        holders = self._holders(docs, list(dict.fromkeys(p.passage_id for d in docs for p in d.passages)))
        # A passage (its id comes from its text) belongs to one document: the one holding it when that one
        # is re-added with it, else the first here; one held by a document not being added stays with it.
        keeps = {p.passage_id: d.doc_id for d in docs for p in d.passages if holders.get(p.passage_id) == d.doc_id}
        wanted: dict[str, tuple[Document, Passage]] = {}
        for doc in docs:
            for passage in doc.passages:
                pid, holder = passage.passage_id, holders.get(passage.passage_id)
                if holder is not None and holder not in latest:
                    continue
                if keeps.get(pid, doc.doc_id) == doc.doc_id and pid not in wanted:
                    wanted[pid] = (doc, passage)
        kept = list(wanted.values())
        owner_of = {bodies.DOC_PREFIX + d.doc_id: d.doc_id for d in docs} | {p.passage_id: d.doc_id for d, p in kept}
        failed: dict[str, list[str]] = {}
        count = len(docs) + len(kept)
        quiet = self.progress is False or (self.progress is None and count < 2000)
        self._dirty = True
        with tqdm(total=count, unit="record", desc="opensearch", disable=quiet) as bar:
            results = helpers.streaming_bulk(
                self.client,
                self._actions(docs, kept),
                chunk_size=self.chunk_size,
                max_retries=self.max_retries,  # 429s, for the whole request or some items, with backoff
                initial_backoff=self.initial_backoff,
                max_backoff=self.max_backoff,
                raise_on_error=False,  # failed items are summarised after the run
                request_timeout=self.bulk_timeout,
            )
            after = "the documents sent before are indexed: add them again once it is fixed (adding is idempotent)"
            with translated_errors(self.config, "index documents", after):
                for ok, item in results:
                    bar.update(1)
                    if not ok:
                        record, reason = _failure(item)
                        failed.setdefault(owner_of.get(record, record), []).append(f"{record}: {reason}")
        self.refresh()
        replaced = [d for d in docs if bodies.DOC_PREFIX + d.doc_id in holders and d.doc_id not in failed]
        self._remove_stale(replaced, kept)
        if failed:
            raise IndexingFailed(self._failure_summary(failed, len(docs)))

    def _remove_stale(self, replaced: list[Document], kept: list[tuple[Document, Passage]]) -> None:
        """Remove the passages that the new versions of documents no longer have."""
        for start in range(0, len(replaced), _STALE_CHUNK):
            group = {d.doc_id for d in replaced[start : start + _STALE_CHUNK]}
            keep = [p.passage_id for d, p in kept if d.doc_id in group]
            body = bodies.stale_passages_body(sorted(group), keep)
            request = partial(
                self.client.delete_by_query, index=self.index, body=body, refresh=True, conflicts="proceed"
            )
            self._call("remove replaced passages", request)

    @staticmethod
    def _failure_summary(failed: dict[str, list[str]], total: int) -> str:
        listed = "; ".join(f"{doc_id} ({reasons[0]})" for doc_id, reasons in list(failed.items())[:_LISTED_FAILURES])
        more = f"; and {len(failed) - _LISTED_FAILURES} more" if len(failed) > _LISTED_FAILURES else ""
        return (
            f"OpenSearch refused {len(failed)} of {total} documents: {listed}{more}; "
            "the others are indexed: fix these and add them again (adding is idempotent)"
        )

    def delete(self, doc_ids: Sequence[str]) -> int:
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return 0
        existing = self._call(
            "count documents", lambda: self.client.count(index=self.index, body=bodies.documents_query(ids))
        )["count"]
        self._call(
            "delete documents",
            lambda: self.client.delete_by_query(
                index=self.index, body=bodies.delete_documents_body(ids), refresh=True, conflicts="proceed"
            ),
        )
        return int(existing)

    def drop(self) -> None:
        """Delete the index and its search pipelines (tests, and rebuilding from scratch)."""
        self._call("delete the index", lambda: self.client.indices.delete(index=self.index, ignore_unavailable=True))
        for pipeline in self.pipelines.values():
            with contextlib.suppress(NotFoundError):
                self.client.search_pipeline.delete(id=pipeline)

    def close(self) -> None:
        self.client.close()


def delete_index(config: OpenSearchConfig) -> None:
    """Delete the index `config` names, whatever built it (`mizan index --rebuild --backend opensearch`)."""
    client = config.client()
    try:
        with translated_errors(config, "delete the index"):
            client.indices.delete(index=config.index, ignore_unavailable=True)
    finally:
        client.close()


def from_env(**kwargs: Any) -> OpenSearchBackend:
    """The backend the MIZAN_OPENSEARCH_* variables describe (see opensearch_config.py)."""
    return OpenSearchBackend(OpenSearchConfig.from_env(), **kwargs)
