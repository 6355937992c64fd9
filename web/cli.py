"""The `mizan` command line.

    mizan index PATH... [--index DIR] [--backend local|opensearch] [--rebuild] [--no-embed] [--model ID]
                [--device D] [--quiet] [--json]
    mizan search QUERY [--index DIR] [--k N] [--page P] [--mode hybrid|bm25|dense] [--fusion minmax|rrf]
                 [--outlet X] [--from D] [--to D] [--json]
    mizan ask QUESTION [--index DIR] [--k N] [--mode …] [--outlet X] [--from D] [--to D] [--json]
    mizan serve [--index DIR] [--backend local|opensearch] [--host H] [--port P] [--workers N] [--dev] [--access-log]
    mizan info [--index DIR] [--json]
    mizan docs [--index DIR] [--json]
    mizan check [--index DIR] [--json]     # is the index whole? which part is damaged, and the repair

DIR defaults to $MIZAN_INDEX, else ./mizan-index. --backend opensearch (or MIZAN_BACKEND=opensearch)
uses the OpenSearch index that MIZAN_OPENSEARCH_URL / _INDEX / _USER / _PASSWORD describe instead.
Errors print one line saying what to do and exit non-zero; nothing half-written is left behind.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sqlite3
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from indexer.pipeline import IngestReport, NothingIndexed, index_paths, index_paths_into
from search.backends import backend_name
from search.backends.base import Filters
from search.check import check_index
from search.embeddings import DEFAULT_MODEL, PRECISIONS
from search.engine import Query, QueryError, SearchEngine, SearchMode
from search.errors import MizanError
from search.figures.answers import answer
from search.fusion import FusionMode
from search.store import SAVED, Store

DEFAULT_INDEX = "mizan-index"


def default_index() -> str:
    return os.environ.get("MIZAN_INDEX") or DEFAULT_INDEX


def _print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def _report_problems(report: IngestReport) -> None:
    for problem in report.problems:
        print(f"skipped: {problem.path}: {problem.message}", file=sys.stderr)


def _index_opensearch(args: argparse.Namespace) -> IngestReport:
    """`mizan index --backend opensearch`: the files into the index $MIZAN_OPENSEARCH_* names."""
    from search.backends.opensearch import OpenSearchBackend, delete_index
    from search.backends.opensearch_config import OpenSearchConfig

    if not args.paths:
        raise MizanError("give the files to index: an OpenSearch index records no source files to rebuild from")
    config = OpenSearchConfig.from_env()
    if args.rebuild:
        delete_index(config)
    progress = False if args.quiet else None
    backend = OpenSearchBackend(config, model=None if args.no_embed else args.model, progress=progress)
    try:
        return index_paths_into(args.paths, backend, progress=progress)
    finally:
        backend.close()


def cmd_index(args: argparse.Namespace) -> int:
    try:
        if backend_name(args.backend) == "opensearch":
            report = _index_opensearch(args)
        else:
            report = index_paths(
                args.paths,
                args.index,
                rebuild=args.rebuild,
                progress=False if args.quiet else None,
                embed=not args.no_embed,
                model=args.model,
                device=args.device,
                precision=args.precision,
            )
    except NothingIndexed as exc:
        _report_problems(exc.report)
        raise
    _report_problems(report)
    if args.json:
        _print_json(report.to_json())
        return 0
    where = "OpenSearch" if backend_name(args.backend) == "opensearch" else args.index
    print(
        f"{where}: {report.documents_added} documents added, {report.documents_replaced} replaced, "
        f"{report.documents_unchanged} unchanged, {report.documents_removed} removed; "
        f"{report.duplicates_exact + report.duplicates_near} duplicates not stored "
        f"({report.duplicates_exact} exact, {report.duplicates_near} near); "
        f"{report.passages_added} passages added, {report.passages_duplicate} repeated passages not stored; "
        f"files: {report.files_read} read, {report.files_unchanged} unchanged, {report.files_failed} skipped"
    )
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    report = check_index(Path(args.index))
    if args.json:
        _print_json(report.to_json())
    elif report.ok:
        vectors = ", vectors" if report.vectors else ""
        print(f"{args.index}: ok ({report.documents} documents, {report.passages} passages, lexical index{vectors})")
    else:
        for problem in report.problems:
            print(f"{args.index}: {problem}")
    return 0 if report.ok else 1


def cmd_info(args: argparse.Namespace) -> int:
    if backend_name(args.backend) == "opensearch":
        engine = SearchEngine.open(args.index, "opensearch")
        try:
            stats = engine.backend.stats()
        finally:
            engine.close()
        _print_json(stats)  # the cluster's own words: one JSON object either way
        return 0
    with Store.open(args.index) as store:
        stats = store.stats()
    if args.json:
        _print_json(stats)
        return 0
    span = f"{stats['published_from']} … {stats['published_to']}" if stats["published_from"] else "no dates"
    print(f"index:       {stats['index']}")
    print(
        f"documents:   {stats['documents']} ({stats['undated_documents']} undated, "
        f"{stats['duplicate_documents']} duplicates not stored)"
    )
    print(f"passages:    {stats['passages']} ({stats['duplicate_passages']} repeated passages not stored)")
    print(f"published:   {span}")
    print(f"files:       {stats['files']}")
    print(f"versions:    format {stats['format_version']}, normaliser {stats['normaliser_version']}")
    model = stats.get("embedding_model")
    print(f"vectors:     {model} ({stats['embedding_dimension']} dimensions)" if model else "vectors:     none")
    print("outlets:")
    for row in stats["outlets"]:
        print(f"  {row['documents']:>6}  {row['outlet'] or '(unknown)'}")
    return 0


def cmd_docs(args: argparse.Namespace) -> int:
    with Store.open(args.index) as store:
        counts = store.passage_counts()
        rows = [
            {
                "doc_id": d.doc_id,
                "title": d.title,
                "outlet": d.outlet,
                "agency": d.agency,
                "published": d.published.isoformat() if d.published else None,
                "url": d.url,
                "passages": counts.get(d.doc_id, 0),
            }
            for d in store.iter_documents()
        ]
    if args.json:
        _print_json(rows)
        return 0
    for r in rows:
        print(
            "\t".join(
                str(r[k] if r[k] is not None else "-")
                for k in ("doc_id", "published", "outlet", "agency", "passages", "title")
            )
        )
    return 0


def _parse_day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise QueryError(f"{flag} {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-10-31") from None


def _parse_fusion(value: str | None) -> FusionMode | None:
    if value is None:
        return None
    try:
        return FusionMode(value.lower())
    except ValueError:
        raise QueryError(f"unknown fusion {value!r}; use minmax or rrf") from None


def _query(args: argparse.Namespace) -> Query:
    return Query(
        text=args.query,
        k=args.k,
        page=args.page,
        mode=SearchMode.parse(args.mode),
        fusion=_parse_fusion(args.fusion),
        filters=Filters(
            tuple(args.outlet or ()), _parse_day(args.date_from, "--from"), _parse_day(args.date_to, "--to")
        ),
    )


def _ask_engine(args: argparse.Namespace, method: Callable[[SearchEngine, Query], dict]) -> dict:
    """Run `SearchEngine.search` or `answer` for the command's query, on the command's index."""
    query = _query(args)
    engine = SearchEngine.open(args.index, args.backend)
    try:
        return method(engine, query)
    finally:
        engine.close()


def cmd_search(args: argparse.Namespace) -> int:
    result = _ask_engine(args, SearchEngine.search)
    if args.json:
        _print_json(result)
        return 0
    first = (result["page"] - 1) * result["k"] + 1
    shown = len(result["results"])
    print(
        f"{result['total']} passages match «{result['query']}» ({result['mode']}); showing {first}–{first + shown - 1}"
        if shown
        else f"no passage matches «{result['query']}» ({result['mode']})"
    )
    for n, r in enumerate(result["results"], first):
        print(f"\n{n}. {r['title']} — {r['outlet'] or '?'}, {r['published'] or 'undated'}  [{r['score']:.3f}]")
        print(f"   {_marked(r['text'], r['highlights'])}")
    return 0


_STATUS = {
    "conflict": "the sources disagree (الأرقام متضاربة بين المصادر)",
    "agreed": "the sources agree",
    "no_figures": "no passage gives a matching figure; the passages found are below",
    "not_a_count_question": "this is not a count question (كم / ما عدد …); the passages found are below",
}


def cmd_ask(args: argparse.Namespace) -> int:
    result = _ask_engine(args, answer)
    if args.json:
        _print_json(result)
        return 0
    print(f"«{result['question']}»: {_STATUS[result['status']]}")
    for n, group in enumerate(result["groups"], 1):
        outlets = "، ".join(group["outlets"]) or "?"
        print(f"\n{n}. {group['label']} {group['unit'] or ''} — {len(group['outlets'])} outlet(s): {outlets}")
        for f in group["figures"]:
            who = f["claimant"] or "the outlet itself"
            denied = " (denies it)" if f["denied"] else ""
            print(f"   - {f['outlet'] or '?'}, {f['published'] or 'undated'}; {who}{denied}")
            start, end = f["sentence_span"]
            sentence = f["sentence"]
            print(f"     {sentence[:start]}[{sentence[start:end]}]{sentence[end:]}".replace("\n", " "))
    if result["passages"]:
        print("\npassages:")
        for n, r in enumerate(result["passages"], 1):
            print(f"{n}. {r['title']} — {r['outlet'] or '?'}, {r['published'] or 'undated'}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from web.serve import serve  # Flask and gunicorn load only for this command

    backend = backend_name(args.backend)
    what = "OpenSearch" if backend == "opensearch" else args.index
    if backend == "local":  # refuse a damaged index before saying anything is being served
        report = check_index(Path(args.index))
        if not report.ok:
            raise MizanError(report.problems[0])
    print(f"mizan: serving {what} on http://{args.host}:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    serve(Path(args.index), args.host, args.port, args.workers, args.dev, args.access_log, backend=backend)
    return 0


def _marked(text: str, spans: list[list[int]], width: int = 400) -> str:
    """The passage with matches in [brackets], cut around the first match."""
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start] + "[" + text[start:end] + "]")
        last = end
    out.append(text[last:])
    marked = "".join(out).replace("\n", " ")
    if len(marked) <= width:
        return marked
    first = marked.find("[")
    begin = max(0, first - width // 4)
    return ("…" if begin else "") + marked[begin : begin + width] + "…"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mizan", description="Mizan: Arabic news search that lines up the figures each source gives."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    index_help = f"index directory (default: $MIZAN_INDEX, else ./{DEFAULT_INDEX})"

    p = sub.add_parser(
        "index",
        help="add files and folders of news to an index",
        description="Read pages (.txt, .html), JSON Lines (.jsonl, .jsonl.gz) and JSON into the "
        "index. Re-indexing unchanged files changes nothing; the run is all or nothing.",
    )
    p.add_argument(
        "paths", nargs="*", metavar="PATH", help="files or folders (with --rebuild: default the recorded ones)"
    )
    p.add_argument("--index", default=None, help=index_help)
    _backend_option(p)
    p.add_argument(
        "--rebuild",
        action="store_true",
        help="build a fresh index and replace the old one (needed after a version change)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--json", action="store_true", help="print the run's report as JSON")
    p.add_argument(
        "--no-embed", action="store_true", help="no passage vectors: faster indexing, but only --mode bm25 search"
    )
    p.add_argument(
        "--model",
        default=DEFAULT_MODEL,
        help=f"sentence-transformers model for passage vectors (default {DEFAULT_MODEL}, provisioned "
        "offline; another id needs network access)",
    )
    p.add_argument("--device", default=None, help="where to embed: cpu or cuda (default: cuda when present)")
    p.add_argument(
        "--precision",
        choices=PRECISIONS,
        default=None,
        help="arithmetic for the passage vectors of a new or rebuilt index, on OpenVINO (CPU) or torch (GPU) "
        "(default: bf16 where the CPU has it natively, AMX or AVX512-BF16; a rebuild keeps its old vectors' "
        "encoder); an existing index keeps its own",
    )
    p.set_defaults(func=cmd_index)

    p = sub.add_parser(
        "search",
        help="search the passages of an index",
        description="Ranked passages for a query, with the query words highlighted.",
    )
    p.add_argument("query", metavar="QUERY", help="words or a question, in Arabic or any language")
    _query_options(p, index_help)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser(
        "ask",
        help="answer a count question with every figure the sources give",
        description="For a question like «كم عدد الجنود الكوريين الشماليين في روسيا؟»: the figures the "
        "passages give, grouped by value, each with outlet, date, claimant and sentence; conflicting "
        "groups side by side; then the passages.",
    )
    p.add_argument("query", metavar="QUESTION", help="a count question (كم عدد …، ما عدد …، كم يبلغ …)")
    _query_options(p, index_help)
    p.set_defaults(func=cmd_ask)

    from web.serve import DEFAULT_HOST, DEFAULT_PORT, default_workers

    p = sub.add_parser(
        "serve",
        help="serve the search page and the JSON API",
        description="The web search box, answer card and JSON API over an index, served by gunicorn "
        "with several worker processes. Writes (POST/DELETE /api/documents) need MIZAN_API_TOKEN.",
    )
    p.add_argument("--index", default=None, help=index_help)
    _backend_option(p)
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    p.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"worker processes (default {default_workers()}: one per core, at least 2)",
    )
    p.add_argument("--dev", action="store_true", help="Flask's development server instead (one process)")
    p.add_argument("--access-log", action="store_true", help="log every request to stderr")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("check", help="verify a local index; name the damaged part and the command that repairs it")
    p.add_argument("--index", default=None, help=index_help)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("info", help="counts, outlets, date span and versions of an index")
    p.add_argument("--index", default=None, help=index_help)
    _backend_option(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("docs", help="one row per document: id, date, outlet, agency, passages, title")
    p.add_argument("--index", default=None, help=index_help)
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_docs)
    return parser


def _backend_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--backend",
        default=None,
        help="local (default: the index directory) or opensearch (the cluster and index that "
        "MIZAN_OPENSEARCH_URL and MIZAN_OPENSEARCH_INDEX name); default $MIZAN_BACKEND, else local",
    )


def _query_options(p: argparse.ArgumentParser, index_help: str) -> None:
    """The options `search` and `ask` share."""
    p.add_argument("--index", default=None, help=index_help)
    _backend_option(p)
    p.add_argument("--k", type=int, default=10, help="results per page (1-100, default 10)")
    p.add_argument("--page", type=int, default=1, help="page of results (default 1)")
    p.add_argument(
        "--mode",
        default="hybrid",
        help="hybrid (default: words and meaning; bm25 when the index has no vectors), bm25 or dense",
    )
    p.add_argument(
        "--fusion", default=None, help="how hybrid fuses: minmax or rrf (default: minmax locally, rrf on OpenSearch)"
    )
    p.add_argument("--outlet", action="append", help="only this outlet (repeat for several)")
    p.add_argument("--from", dest="date_from", metavar="DATE", help="published on or after (YYYY-MM-DD)")
    p.add_argument("--to", dest="date_to", metavar="DATE", help="published on or before (YYYY-MM-DD)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if getattr(args, "index", None) is None and hasattr(args, "index"):
        args.index = default_index()
    if args.command == "index" and not args.paths and not args.rebuild:
        parser.error("give at least one PATH to index (or --rebuild to re-read the recorded files)")
    SAVED.clear()  # what this command saves, for an honest report if it is interrupted
    try:
        return args.func(args)
    except MizanError as exc:
        print(f"mizan: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except sqlite3.DatabaseError as exc:  # a damaged database file met outside the backend's own checks
        index = getattr(args, "index", None) or default_index()
        print(
            f"mizan: error: the index database is damaged ({exc}); `mizan check --index {index}` names the "
            "part and the command that repairs it",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        if SAVED:  # interrupted while tidying up after the commit: say what is true
            print(f"mizan: interrupted after this run was saved: its changes are in {SAVED[-1]}", file=sys.stderr)
        else:
            print("mizan: interrupted; the index is as it was before this run", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
