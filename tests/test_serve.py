"""`mizan serve` as users run it: gunicorn with several workers sharing one index on disk."""

from __future__ import annotations

import json
import shutil
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, Server, build_index
from web.cli import main as mizan_main

TOKEN = "serve-token"


def _get(url: str) -> tuple[int, dict, dict]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, dict(r.headers), json.loads(r.read())
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), json.loads(exc.read())


def _post(url: str, body: object) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=120) as r:
        return r.status


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    index = tmp_path_factory.mktemp("serve") / "index"
    build_index([SAMPLE], index)
    server = Server(index, "--workers", "3", env={"MIZAN_API_TOKEN": TOKEN})
    yield server
    server.stop()


def test_it_is_gunicorn_with_several_workers(server: Server) -> None:
    import subprocess

    status, headers, health = _get(server.url + "/api/health")
    assert status == 200 and headers["Server"].startswith("gunicorn")
    assert health["index"]["documents"] == 14
    import time

    deadline = time.monotonic() + 30
    while True:  # workers boot one after another
        children = subprocess.run(
            ["pgrep", "-P", str(server.proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        if len(children) >= 3 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert len(children) == 3


def test_documents_posted_at_once_reach_every_worker(server: Server) -> None:
    codes: list[int] = []

    def post(n: int) -> None:
        doc = {
            "title": f"خبر الاختبار {n}",
            "text": f"قالت البلدية إن {100 + n} عامل وصلوا إلى قرية وادي الريحان لإصلاح الطريق، في الدفعة {n}.",
            "url": f"https://example.test/serve/{n}",
            "outlet": "جريدة الاختبار",
        }
        codes.append(_post(server.url + "/api/documents", doc))

    threads = [threading.Thread(target=post, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201, 201, 201]
    # every worker answers (requests spread over them): each sees all three without a restart
    query = urllib.parse.urlencode({"q": "وادي الريحان", "k": 10})
    seen = set()
    for _ in range(12):
        results = _get(f"{server.url}/api/search?{query}")[2]["results"]
        seen.add(sum(1 for r in results if r["outlet"] == "جريدة الاختبار"))
    assert seen == {3}


def test_errors_keep_their_shape_behind_gunicorn(server: Server) -> None:
    status, _, body = _get(server.url + "/api/search?q=" + urllib.parse.quote("ب" * 501))
    assert status == 413 and body["error"]["code"] == "query_too_long"
    status, _, body = _get(server.url + "/api/documents/d_missing")
    assert status == 404 and body["error"]["code"] == "unknown_document"


def test_serve_refuses_a_missing_index_before_binding(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = mizan_main(["serve", "--index", str(tmp_path / "nothing"), "--port", "1"])
    assert code != 0
    err = capsys.readouterr().err
    assert "mizan index" in err and "Traceback" not in err


def test_serve_stops_cleanly(tmp_path: Path) -> None:
    index = tmp_path / "index"
    shutil.copytree(SAMPLE, tmp_path / "sample")
    build_index([tmp_path / "sample"], index)
    server = Server(index, "--workers", "2")
    output = server.stop()
    assert server.proc.returncode == 0, output
    assert "Listening at" in output
