"""The real-news corpora of ../shared/corpus, by article id, for the figure benchmark and its annotators.

    .venv/bin/python bench/news_corpus.py find WORD... [--corpus snn|ant] [--source S] [--from D] [--to D] [--limit N]
    .venv/bin/python bench/news_corpus.py show ID              # paragraphs with character offsets
    .venv/bin/python bench/news_corpus.py locate ID "words"    # offsets of every occurrence of the words
    .venv/bin/python bench/news_corpus.py span ID START END    # the text at [START, END)
    .venv/bin/python bench/news_corpus.py words ID START END   # each word of [START, END) with its offsets
    .venv/bin/python bench/news_corpus.py sample snn|ant N  # random paragraphs with numbers (JSON lines)
    .venv/bin/python bench/news_corpus.py check FILE...        # validate gold files (bench/figures_gold/)

An article's id is its url for SaudiNewsNet (unique in the corpus) and its `docno` for ANT
Jawhara FM. Offsets are Python string indices into the article's body as the corpus stores
it (`content` for SaudiNewsNet, `text` for ANT), so gold files can point at SaudiNewsNet's
text without holding it (its licence allows benchmarks only). What this tool prints goes to
the terminal, never into the repository.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = REPO_ROOT.parent / "shared"
CORPORA = {
    "snn": SHARED / "corpus" / "saudinewsnet.jsonl.gz",
    "ant": SHARED / "corpus" / "ant_jawharafm.jsonl.gz",
}


@dataclass(frozen=True)
class Article:
    corpus: str  # snn | ant
    id: str
    outlet: str
    date: str  # YYYY-MM-DD (SaudiNewsNet: the extraction date, the authoring date after 2015-08-01)
    title: str
    body: str
    url: str


def _article(corpus: str, record: dict) -> Article:
    if corpus == "snn":
        return Article(
            "snn",
            record["url"],
            record["source"],
            record["date_extracted"][:10],
            record.get("title") or "",
            record.get("content") or "",
            record["url"],
        )
    return Article(
        "ant",
        record["docno"],
        record.get("src") or "Jawhara FM",
        (record.get("date_iso") or record.get("time") or "")[:10],
        record.get("title") or "",
        record.get("text") or "",
        record.get("url") or "",
    )


def articles(corpus: str) -> Iterator[Article]:
    with gzip.open(CORPORA[corpus], "rt", encoding="utf-8") as f:
        for line in f:
            yield _article(corpus, json.loads(line))


@cache
def _by_id() -> dict[str, Article]:
    return {a.id: a for corpus in CORPORA for a in articles(corpus)}


def corpus_of(article_id: str) -> str:
    return "snn" if article_id.startswith("http") else "ant"


def article(article_id: str) -> Article:
    """The article with this id; KeyError when no corpus holds it."""
    return _by_id()[article_id]


def available() -> bool:
    return all(path.exists() for path in CORPORA.values())


def paragraph_spans(body: str) -> list[tuple[int, int]]:
    """[start, end) of each non-empty line of a body (the corpora put one paragraph per line)."""
    spans, start = [], 0
    for line in body.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def paragraph_of(body: str, offset: int) -> tuple[int, int]:
    """The paragraph span holding `offset`."""
    for start, end in paragraph_spans(body):
        if start <= offset < end:
            return start, end
    raise ValueError(f"offset {offset} is in no paragraph")


# ---------------------------------------------------------------- CLI for annotators


def _find(args: argparse.Namespace) -> None:
    words = args.words
    shown = 0
    for corpus in [args.corpus] if args.corpus else list(CORPORA):
        for a in articles(corpus):
            if args.source and a.outlet != args.source:
                continue
            if (args.date_from and a.date < args.date_from) or (args.date_to and a.date > args.date_to):
                continue
            text = a.title + "\n" + a.body
            if not all(w in text for w in words):
                continue
            at = a.body.find(words[0])
            snippet = a.body[max(0, at - 80) : at + 160].replace("\n", " ") if at >= 0 else ""
            print(f"{a.id}\t{a.outlet}\t{a.date}\t{a.title}\n    {snippet}\n")
            shown += 1
            if shown >= args.limit:
                return


def _show(args: argparse.Namespace) -> None:
    a = article(args.id)
    print(f"id: {a.id}\noutlet: {a.outlet}\ndate: {a.date}\ntitle: {a.title}\n")
    for start, end in paragraph_spans(a.body):
        print(f"[{start}:{end}] {a.body[start:end]}\n")


def _locate(args: argparse.Namespace) -> None:
    a = article(args.id)
    at = a.body.find(args.words)
    if at < 0:
        print("not found", file=sys.stderr)
    while at >= 0:
        print(f"{at} {at + len(args.words)}")
        at = a.body.find(args.words, at + 1)


def _words(args: argparse.Namespace) -> None:
    body = article(args.id).body
    for m in re.finditer(r"\S+", body[args.start : args.end]):
        print(f"{args.start + m.start()} {args.start + m.end()} {m.group()}")


def _span(args: argparse.Namespace) -> None:
    print(article(args.id).body[args.start : args.end])


_NUMBER_HINT = re.compile(r"[0-9٠-٩]|عشرات|مئات|آلاف|ألف|مليون|مليار|نحو|أكثر من")


def sample_paragraphs(corpus: str, n: int, seed: int, must: str | None = None) -> list[tuple[str, int, int]]:
    """`n` paragraphs (article id, start, end) drawn at random from those that hold a digit or a
    number word and read as prose (100–900 characters) — and match `must`, a regular expression,
    when given: the figure benchmark's paragraphs."""
    wanted = re.compile(must) if must else None
    pool = []
    for a in articles(corpus):
        for start, end in paragraph_spans(a.body):
            text = a.body[start:end]
            if 100 <= len(text) <= 900 and _NUMBER_HINT.search(text) and (wanted is None or wanted.search(text)):
                pool.append((a.id, start, end))
    random.Random(seed).shuffle(pool)
    picked, per_article = [], Counter()  # at most one paragraph per article: more articles, more voices
    for item in pool:
        if per_article[item[0]] == 0:
            picked.append(item)
            per_article[item[0]] += 1
        if len(picked) == n:
            break
    return picked


def _sample(args: argparse.Namespace) -> None:
    for article_id, start, end in sample_paragraphs(args.corpus, args.n, args.seed, args.must):
        print(json.dumps({"article": article_id, "paragraph": [start, end]}, ensure_ascii=False))


def _check(args: argparse.Namespace) -> None:
    from bench.figure_gold import check_file  # the gold schema lives with the benchmark

    bad = 0
    for path in args.files:
        for problem in check_file(Path(path)):
            print(f"{path}: {problem}")
            bad += 1
    print("ok" if not bad else f"{bad} problems")


def main(argv: list[str] | None = None) -> int:
    if str(REPO_ROOT) not in sys.path:
        sys.path.insert(0, str(REPO_ROOT))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("find", help="articles holding every word")
    p.add_argument("words", nargs="+")
    p.add_argument("--corpus", choices=sorted(CORPORA))
    p.add_argument("--source")
    p.add_argument("--from", dest="date_from")
    p.add_argument("--to", dest="date_to")
    p.add_argument("--limit", type=int, default=30)
    p.set_defaults(run=_find)
    p = sub.add_parser("show", help="an article's paragraphs with offsets")
    p.add_argument("id")
    p.set_defaults(run=_show)
    p = sub.add_parser("locate", help="offsets of a string in an article's body")
    p.add_argument("id")
    p.add_argument("words")
    p.set_defaults(run=_locate)
    p = sub.add_parser("words", help="each word of [start, end) with its offsets")
    p.add_argument("id")
    p.add_argument("start", type=int)
    p.add_argument("end", type=int)
    p.set_defaults(run=_words)
    p = sub.add_parser("span", help="the body text at [start, end)")
    p.add_argument("id")
    p.add_argument("start", type=int)
    p.add_argument("end", type=int)
    p.set_defaults(run=_span)
    p = sub.add_parser("sample", help="random paragraphs with numbers, one per article (JSON lines)")
    p.add_argument("corpus", choices=sorted(CORPORA))
    p.add_argument("n", type=int)
    p.add_argument("--seed", type=int, default=2015)
    p.add_argument("--must", help="a regular expression the paragraph must match")
    p.set_defaults(run=_sample)
    p = sub.add_parser("check", help="validate gold files")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=_check)
    args = parser.parse_args(argv)
    try:
        args.run(args)
    except KeyError as e:
        print(f"no article with id {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
