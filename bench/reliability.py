"""Reliability battery: crashes, interrupts, damaged indexes, hostile clients and contended writes.

    .venv/bin/python bench/reliability.py [--fuzz 1200] [--skip kills,damage,server,writes]

1. kills: every write path (a new index, adding, adding with vectors, a rebuild, a removal) is
   run to each of its kill points (search/durable.py) and killed there with SIGKILL, and again
   with SIGINT (Ctrl-C). Survived: the index is the one before or the one after, `mizan check`
   passes, an interrupted run says which (and prints no traceback), and the next run completes.
2. damage: an index of the bundled sample, with vectors, damaged in each of the ways listed in
   DAMAGE. Survived: `mizan check` names the part and `mizan index --rebuild`; search, ask, info
   and docs print at most one line and no traceback; the app answers /api/search, /api/answer and
   the results page without a 500; and the rebuild repairs it.
3. server: `mizan serve` (gunicorn) on that index. 16 connections that send half a request and
   hold it open while /api/health is timed; then --fuzz requests over every route, method and body
   shape: no 500, no traceback in the server's log, every /api/ error in the JSON error shape.
4. writes: 4 writers post documents while 4 readers search, against the same server; latency of
   each. --index names another index for this part (e.g. bench/results/load/index).

Prints one table per part and writes bench/results/reliability.json.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

SAMPLE = REPO_ROOT / "data" / "sample"
RESULTS = REPO_ROOT / "bench" / "results"
MIZAN = str(Path(sys.executable).with_name("mizan"))
TOKEN = "reliability-token"
EXTRA = {"title": "خبر جديد عن الأمطار", "text": "قتل 5 أشخاص في سيول ضربت القرية أمس، وفق الدفاع المدني."}


def run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        argv, cwd=REPO_ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True, timeout=600
    )


def state(index: Path) -> tuple | None:
    """What a reader sees of an index: documents, passages, vectors and one search (None: no index)."""
    from search.engine import SearchEngine
    from search.query import Query, SearchMode
    from search.store import Store, _old_copy

    if not index.exists() and not _old_copy(index).exists():
        return None
    with Store.open(index) as store:
        docs = sorted(d.doc_id for d in store.iter_documents())
        passages = sorted(p.passage_id for p in store.iter_passages())
        vectors = store.stats().get("dense_passages")
    engine = SearchEngine.open(index)
    try:
        hits = [r["passage_id"] for r in engine.search(Query("الأمطار", k=5, mode=SearchMode.BM25))["results"]]
    finally:
        engine.close()
    return docs, passages, vectors, hits


# ---------------------------------------------------------------- 1. kills and interrupts


def _template(work: Path, name: str, paths: list[Path], embed: bool) -> Path | None:
    if not paths:
        return None
    index = work / "templates" / name
    if not index.exists():
        argv = [MIZAN, "index", *map(str, paths), "--index", str(index), "--quiet"]
        done = run(argv + ([] if embed else ["--no-embed"]))
        if done.returncode:
            sys.exit(f"could not build {name}: {done.stderr}")
    return index


def _lay(template: Path | None, index: Path) -> None:
    index.parent.mkdir(parents=True, exist_ok=True)
    if template is not None:
        shutil.copytree(template, index)


def walk(name: str, argv: list[str], template: Path | None, work: Path) -> list[dict]:
    """Kill `argv + [index]` at each of its points, with SIGKILL and with SIGINT."""
    listing = work / name / "listing" / "index"
    _lay(template, listing)
    log = work / name / "points.txt"
    if run([*argv, str(listing)], {"MIZAN_KILL_POINTS": str(log)}).returncode:
        sys.exit(f"{name}: the uninterrupted run failed")
    points = [line.split(" ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]
    reference = work / name / "reference" / "index"
    _lay(template, reference)
    before = state(reference)
    run([*argv, str(reference)])
    after = state(reference)
    rows = []
    for sig in ("KILL", "INT"):
        for n, point in enumerate(points, start=1):
            index = work / name / f"{sig}-{n}" / "index"
            _lay(template, index)
            done = run([*argv, str(index)], {"MIZAN_KILL_AT": str(n), "MIZAN_KILL_SIGNAL": sig})
            seen = state(index)
            ok = seen in (before, after)
            said = ""
            if sig == "INT":
                said = done.stderr.strip()
                if argv[0] == MIZAN:  # the CLI says which state it left, in one line, with no traceback
                    truthful = ("was saved" in said) if seen == after else ("as it was" in said)
                    one_line = len(said.splitlines()) == 1 and "Traceback" not in said
                    ok = ok and done.returncode == 130 and truthful and one_line
                else:  # a library call (the API's removal): interrupted, the state is all that counts
                    ok = ok and done.returncode != 0
            else:
                ok = ok and done.returncode == -signal.SIGKILL
            if seen is not None:
                ok = ok and run([MIZAN, "check", "--index", str(index)]).returncode == 0
            ok = ok and run([*argv, str(index)]).returncode == 0 and state(index) == after
            rows.append({"path": name, "signal": sig, "point": point, "survived": ok, "said": said[-200:]})
            shutil.rmtree(index.parent)
    return rows


def kills(work: Path) -> list[dict]:
    extra = work / "extra.jsonl"
    extra.write_text(json.dumps(EXTRA, ensure_ascii=False) + "\n", encoding="utf-8")
    feeds = _template(work, "feeds", [SAMPLE / "feeds"], embed=False)
    vectors = _template(work, "feeds-vectors", [SAMPLE / "feeds"], embed=True)
    assert feeds is not None
    from search.store import Store

    with Store.open(feeds) as store:
        doc = min(d.doc_id for d in store.iter_documents())
    removal = f"import sys; from indexer.pipeline import remove_documents; remove_documents([{doc!r}], sys.argv[1])"
    plain = ["--no-embed", "--quiet", "--index"]
    paths: list[tuple[str, list[str], Path | None]] = [
        ("new index", [MIZAN, "index", str(SAMPLE / "feeds"), *plain], None),
        ("adding", [MIZAN, "index", str(extra), *plain], feeds),
        ("adding with vectors", [MIZAN, "index", str(extra), "--quiet", "--index"], vectors),
        ("rebuild", [MIZAN, "index", str(SAMPLE / "feeds"), str(extra), "--rebuild", *plain], feeds),
        ("removal (API DELETE)", [sys.executable, "-c", removal], feeds),
    ]
    rows = []
    for name, argv, template in paths:
        started = time.monotonic()
        rows += walk(name, argv, template, work / "kills")
        print(f"  {name}: {time.monotonic() - started:.0f} s", file=sys.stderr)
    return rows


# ---------------------------------------------------------------- 2. damaged indexes


def _generation(index: Path, part: str) -> Path:
    return sorted((index / part).iterdir())[-1]


def _truncate(path: Path, size: int | None = None) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 if size is None else size])


def _manifest(index: Path, **changes: object) -> None:
    path = index / "manifest.json"
    path.write_text(json.dumps({**json.loads(path.read_text(encoding="utf-8")), **changes}), encoding="utf-8")


def _meta(index: Path, key: str, value: str) -> None:
    import sqlite3

    with contextlib.closing(sqlite3.connect(index / "mizan.sqlite")) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = ?", (value, key))
        conn.commit()


def _stand_on_missing(folder: Path) -> None:
    """The newest part's listing names a base that is not there (a delta whose base was lost)."""
    listing = json.loads((folder / "parts.json").read_text(encoding="utf-8"))
    first = listing[0]["name"].rsplit("/", 1)[0] + "/g000000"
    (folder / "parts.json").write_text(json.dumps([{"name": first, "rows": 5}, *listing]), encoding="utf-8")


def _lex(index: Path, name: str) -> Path:
    return _generation(index, "lexical") / name


def _dense(index: Path, name: str) -> Path:
    return _generation(index, "dense") / name


DAMAGE: dict[str, Callable[[Path], None]] = {
    "database truncated to 0 bytes": lambda ix: _truncate(ix / "mizan.sqlite", 0),
    "database truncated to 100 bytes": lambda ix: _truncate(ix / "mizan.sqlite", 100),
    "database truncated to half": lambda ix: _truncate(ix / "mizan.sqlite"),
    "database overwritten": lambda ix: (ix / "mizan.sqlite").write_bytes(b"x" * 8192),
    "database deleted": lambda ix: (ix / "mizan.sqlite").unlink(),
    "manifest holds []": lambda ix: (ix / "manifest.json").write_text("[]"),
    "manifest holds null": lambda ix: (ix / "manifest.json").write_text("null"),
    "manifest garbage": lambda ix: (ix / "manifest.json").write_text("{garbage"),
    "manifest deleted": lambda ix: (ix / "manifest.json").unlink(),
    "manifest names another model": lambda ix: _manifest(ix, embedding_model="not/a-model"),
    "manifest of another normaliser": lambda ix: _manifest(ix, normaliser_version=0),
    "lexical terms.json garbage": lambda ix: _lex(ix, "terms.json").write_text("garbage"),
    "lexical terms.json deleted": lambda ix: _lex(ix, "terms.json").unlink(),
    "lexical tfs.npy truncated": lambda ix: _truncate(_lex(ix, "tfs.npy"), 100),
    "lexical docs.npy deleted": lambda ix: _lex(ix, "docs.npy").unlink(),
    "lexical indptr.npy garbage": lambda ix: _lex(ix, "indptr.npy").write_bytes(b"\x93NUMPY garbage"),
    "lexical doc_len.npy truncated": lambda ix: _truncate(_lex(ix, "doc_len.npy"), 90),
    "lexical folder deleted": lambda ix: shutil.rmtree(ix / "lexical"),
    "lexical parts.json garbage": lambda ix: _lex(ix, "parts.json").write_text("{"),
    "lexical parts.json names a missing base": lambda ix: _stand_on_missing(_generation(ix, "lexical")),
    "meta names a missing lexical generation": lambda ix: _meta(ix, "lexical", "lexical/g999999"),
    "dense vectors.npy garbage": lambda ix: _dense(ix, "vectors.npy").write_bytes(b"garbage" * 100),
    "dense vectors.npy truncated": lambda ix: _truncate(_dense(ix, "vectors.npy")),
    "dense vectors.npy deleted": lambda ix: _dense(ix, "vectors.npy").unlink(),
    "dense ids.json garbage": lambda ix: _dense(ix, "ids.json").write_text("[1, 2"),
    "dense ids.json deleted": lambda ix: _dense(ix, "ids.json").unlink(),
    "dense model.json garbage": lambda ix: _dense(ix, "model.json").write_text("nope"),
    "dense alive.npy deleted": lambda ix: _dense(ix, "alive.npy").unlink(),
    "dense folder deleted": lambda ix: shutil.rmtree(ix / "dense"),
    "dense parts.json names a missing base": lambda ix: _stand_on_missing(_generation(ix, "dense")),
    "meta names a missing dense generation": lambda ix: _meta(ix, "dense", "dense/g999999"),
}


def _cli(*argv: str) -> tuple[int, str]:
    """`mizan ARGV` in this process (the model loads once for the whole battery): exit code and stderr."""
    from web.cli import main

    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException as exc:  # noqa: BLE001 - escaping main is what this battery looks for
            return 99, f"Traceback: {exc!r}"
    return code, err.getvalue()


def damage(work: Path) -> list[dict]:
    from search.check import check_index
    from web.app import create_app

    whole = _template(work, "sample-vectors", [SAMPLE], embed=True)
    assert whole is not None
    documents = len(state(whole)[0])  # type: ignore[index]
    rows = []
    for name, harm in DAMAGE.items():
        index = work / "damage" / name.replace(" ", "-") / "index"
        _lay(whole, index)
        harm(index)
        report = check_index(index)
        named = (not report.ok) and "--rebuild" in report.problems[0]
        lines_ok = True
        for command in (["search", "مطر"], ["ask", "كم عدد القتلى؟"], ["info"], ["docs"]):
            code, err = _cli(*command, "--index", str(index))
            lines_ok &= code != 99 and "Traceback" not in err and len(err.strip().splitlines()) <= 1
        client = create_app({"INDEX": str(index)}).test_client()
        statuses = [
            client.get(path, query_string={"q": "كم عدد القتلى؟"}).status_code
            for path in ("/api/search", "/api/answer", "/search")
        ]
        # the repair the check names: a plain rebuild, or one given the files when the database is lost
        sources = [str(SAMPLE)] if report.problems and "PATH" in report.problems[0] else []
        repaired = _cli("index", *sources, "--rebuild", "--index", str(index), "--quiet")[0] == 0
        repaired = repaired and check_index(index).ok and len(state(index)[0]) == documents  # type: ignore[index]
        rows.append(
            {
                "damage": name,
                "named": named,
                "one_line": lines_ok,
                "http": statuses,
                "no_500": 500 not in statuses,
                "repaired": repaired,
                "survived": named and lines_ok and 500 not in statuses and repaired,
                "problem": report.problems[0][:160] if report.problems else "",
            }
        )
        shutil.rmtree(index.parent)
    return rows


# ---------------------------------------------------------------- 3. the server under hostile clients


class Serving:
    def __init__(self, index: Path, log: Path):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w", encoding="utf-8")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(
            [MIZAN, "serve", "--index", str(index), "--port", str(self.port)],
            env={**os.environ, "MIZAN_API_TOKEN": TOKEN},
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=5):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("mizan serve did not start")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)
        self.log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None) -> tuple:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            data, status, kind = r.read(), r.status, r.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        data, status, kind = exc.read(), exc.code, exc.headers.get("Content-Type", "")
    except OSError as exc:
        return -1, "", str(exc).encode(), time.perf_counter() - started
    return status, kind, data, time.perf_counter() - started


def slow_clients(server: Serving, count: int = 16) -> dict:
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(count)]
    for sock in held:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
    time.sleep(0.5)
    waits = [request(server.url + "/api/health")[3] for _ in range(10)]
    for sock in held:
        sock.close()
    return {"slow_connections": count, "health_max_s": round(max(waits), 3), "within_1s": max(waits) < 1.0}


def fuzz_cases(n: int, doc_id: str, seed: int = 13) -> list[tuple[str, str, bytes | None, dict]]:
    """(method, path with query, body, headers): every route, with good, odd and hostile values."""
    rng = random.Random(seed)
    words = ["كم", "عدد", "القتلى", "جنود", "روسيا", "", " ", "\u200f", "%", "<script>", "' OR 1=1 --", "\x00", "🙂"]
    values = ["", "0", "-1", "1", "2", "99", "abc", "1e9", "٣", "2024-13-45", "2025-01-01", "null", "[]", "\ud800x"]
    routes = [
        "/",
        "/search",
        "/api/search",
        "/api/answer",
        "/export/answer.csv",
        "/export/answer.json",
        f"/documents/{doc_id}",
        f"/api/documents/{doc_id}",
        "/api/documents/nope",
        "/api/health",
        "/api/openapi.json",
        "/static/mizan.css",
        "/static/../../etc/passwd",
        "/nowhere",
    ]
    params = ["q", "k", "page", "mode", "fusion", "outlet", "from", "to", "x"]
    bodies: list[bytes] = [
        json.dumps(EXTRA, ensure_ascii=False).encode(),
        b"{broken",
        b"\xff\xfe{}",
        b"[]",
        b'["a string"]',
        b'{"title": "\\ud800", "text": "x"}',
        b"[" * 5000 + b"]" * 5000,
        b'{"text": ' + json.dumps("ن" * 210_000).encode() + b"}",
        b'{"documents": {"text": 5}}',
        b"null",
        b'{"text": 12, "title": ["a"], "published": {"x": 1}, "url": 7}',
    ]
    cases = []
    for _ in range(n):
        path = rng.choice(routes)
        query = {rng.choice(params): rng.choice(values + [" ".join(rng.sample(words, 3))]) for _ in range(3)}
        if rng.random() < 0.05:
            query["q"] = "ب" * rng.choice([499, 501, 3000])
        encoded = urllib.parse.urlencode(query, errors="surrogatepass") if rng.random() < 0.9 else "%ZZ&&=%"
        method = rng.choice(["GET"] * 6 + ["POST", "DELETE", "PUT", "OPTIONS", "HEAD"])
        body, headers = None, {}
        if method == "POST" or rng.random() < 0.1:
            path = "/api/documents" if rng.random() < 0.8 else path
            body = rng.choice(bodies)
            headers["Content-Type"] = rng.choice(["application/json", "text/plain", "application/json; charset=latin1"])
            if rng.random() < 0.7:
                headers["Authorization"] = rng.choice([f"Bearer {TOKEN}", "Bearer wrong", "Basic x", ""])
        if method == "DELETE" and rng.random() < 0.5:
            path = rng.choice(["/api/documents/nope", "/api/documents/%00"])
            headers["Authorization"] = f"Bearer {TOKEN}"
        cases.append((method, f"{path}?{encoded}", body, headers))
    return cases


def fuzz(server: Serving, n: int, doc_id: str) -> dict:
    outcome = {"requests": 0, "status_500": 0, "api_outside_shape": 0, "no_answer": 0, "examples": []}
    for method, path, body, headers in fuzz_cases(n, doc_id):
        status, kind, data, _ = request(server.url + path, method, body, headers)
        outcome["requests"] += 1
        bad = None
        if status == -1:
            outcome["no_answer"] += 1
            bad = "no answer"
        elif status >= 500:
            outcome["status_500"] += 1
            bad = f"{status}"
        elif path.startswith("/api/") and status >= 400 and method != "HEAD":
            try:
                error = json.loads(data)["error"]
                assert kind.startswith("application/json") and error["code"] and error["message"]
            except Exception:  # noqa: BLE001
                outcome["api_outside_shape"] += 1
                bad = f"{status} outside the shape"
        if bad and len(outcome["examples"]) < 5:
            outcome["examples"].append(f"{method} {path[:80]} -> {bad}")
    return outcome


# ---------------------------------------------------------------- 4. writes under contention


def contention(server: Serving, writers: int = 4, readers: int = 4, posts: int = 10) -> dict:
    write_s: list[float] = []
    read_s: list[float] = []
    errors: list[int] = []
    stop = threading.Event()

    def write(w: int) -> None:
        for n in range(posts):
            doc = {
                "title": f"خبر مكتوب {w}-{n}",
                "text": f"أعلنت السلطات أن {w * 100 + n + 7} أشخاص أصيبوا في حادث وقع في المدينة رقم {w}-{n}.",
                "url": f"https://example.test/contention/{w}/{n}",
            }
            headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
            status, _, _, took = request(server.url + "/api/documents", "POST", json.dumps(doc).encode(), headers)
            write_s.append(took)
            if status not in (200, 201):
                errors.append(status)

    def read() -> None:
        while not stop.is_set():
            status, _, _, took = request(server.url + "/api/search?" + urllib.parse.urlencode({"q": "حادث المدينة"}))
            read_s.append(took)
            if status != 200:
                errors.append(status)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
    lookers = [threading.Thread(target=read) for _ in range(readers)]
    for t in lookers + threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    for t in lookers:
        t.join()
    return {
        "writers": writers,
        "readers": readers,
        "writes": len(write_s),
        "reads": len(read_s),
        "errors": len(errors),
        "write_p50_s": round(statistics.median(write_s), 3),
        "write_p95_s": round(_pct(write_s, 0.95), 3),
        "read_p50_s": round(statistics.median(read_s), 3),
        "read_p95_s": round(_pct(read_s, 0.95), 3),
    }


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# ---------------------------------------------------------------- the run


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fuzz", type=int, default=1200, help="hostile requests to send (default 1200)")
    ap.add_argument("--skip", default="", help="parts to leave out: kills,damage,server,writes")
    ap.add_argument("--index", type=Path, help="run the contended writes on a copy of this index instead")
    ap.add_argument("--out", type=Path, default=RESULTS / "reliability.json")
    args = ap.parse_args(argv)
    skip = set(filter(None, args.skip.split(",")))
    result: dict = {}
    with tempfile.TemporaryDirectory(prefix="mizan-reliability-") as tmp:
        work = Path(tmp)
        if "kills" not in skip:
            print("kills and interrupts at every write step…", file=sys.stderr)
            rows = kills(work)
            result["kills"] = rows
            print("\n| write path | signal | points | survived |\n|---|---|---|---|")
            for path in dict.fromkeys(r["path"] for r in rows):
                for sig in ("KILL", "INT"):
                    these = [r for r in rows if r["path"] == path and r["signal"] == sig]
                    print(f"| {path} | SIG{sig} | {len(these)} | {sum(r['survived'] for r in these)} |")
            failed = [r for r in rows if not r["survived"]]
            print(f"| all | | {len(rows)} | {len(rows) - len(failed)} |")
            for r in failed:
                print(f"  not survived: {r['path']} SIG{r['signal']} at {r['point']!r}: {r['said']}")
        if "damage" not in skip:
            print("damaged indexes…", file=sys.stderr)
            rows = damage(work)
            result["damage"] = rows
            print("\n| damage | check names part + repair | CLI one line | HTTP (search, answer, page) | repaired |")
            print("|---|---|---|---|---|")
            for r in rows:
                print(f"| {r['damage']} | {r['named']} | {r['one_line']} | {r['http']} | {r['repaired']} |")
            print(f"| all {len(rows)} | | | | survived {sum(r['survived'] for r in rows)} |")
        if not {"server", "writes"} <= skip:
            base = _template(work, "sample-vectors", [SAMPLE], embed=True)
            assert base is not None
            served = work / "served" / "index"
            _lay(args.index or base, served)
            doc_id = state(served)[0][0]  # type: ignore[index]
            server = Serving(served, work / "server.log")
            try:
                if "server" not in skip:
                    print("slow clients and fuzzing…", file=sys.stderr)
                    result["slow_clients"] = slow_clients(server)
                    result["fuzz"] = fuzz(server, args.fuzz, doc_id)
                if "writes" not in skip:
                    print("writes under contention…", file=sys.stderr)
                    result["contention"] = contention(server)
            finally:
                server.stop()
            log = (work / "server.log").read_text(encoding="utf-8", errors="replace")
            result["server_tracebacks"] = log.count("Traceback")
            print("\n| server | value |\n|---|---|")
            for key in ("slow_clients", "fuzz", "contention"):
                for name, value in result.get(key, {}).items():
                    if name != "examples":
                        print(f"| {key}: {name} | {value} |")
            print(f"| tracebacks in the server's log | {result['server_tracebacks']} |")
            for example in result.get("fuzz", {}).get("examples", []):
                print(f"  {example}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
