"""`mizan serve` as users run it: gunicorn with several workers sharing one index on disk."""

from __future__ import annotations

import json
import shutil
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SAMPLE, Server, build_index
from web.cli import main as mizan_main
from web.worker import READ_TIMEOUT_S

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


# ---------------------------------------------------------------- hostile and slow clients (web/worker.py)


def _raw(server: Server, data: bytes, timeout: float = 30.0) -> tuple[int, dict[str, str], dict]:
    """Send bytes as they are; the status, headers and JSON body of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(data)
        answer = b""
        while b"\r\n\r\n" not in answer or len(answer.partition(b"\r\n\r\n")[2]) < _length(answer):
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return int(lines[0].split()[1]), headers, json.loads(body)


def _length(answer: bytes) -> int:
    for line in answer.partition(b"\r\n\r\n")[0].split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            return int(line.split(b":")[1])
    return 1 << 30


def _assert_ours(status: int, headers: dict[str, str], body: dict, expected: int, code: str) -> None:
    assert status == expected, (status, body)
    assert body["error"]["code"] == code and body["error"]["message"]
    assert headers["content-type"].startswith("application/json")
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_sixteen_slow_clients_do_not_stall_the_server(server: Server) -> None:
    held = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(16)]
    try:
        for sock in held:  # half a request, then silence
            sock.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.5)
        for _ in range(6):  # requests reach every worker
            started = time.monotonic()
            status, _, _ = _get(server.url + "/api/health")
            assert status == 200 and time.monotonic() - started < 1.0
    finally:
        for sock in held:
            sock.close()


def test_errors_gunicorn_answers_itself_have_our_shape(server: Server) -> None:
    line = b"GET /api/search?q=" + b"a" * 10_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    _assert_ours(*_raw(server, line), 414, "uri_too_long")
    bad_length = b"POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"
    _assert_ours(*_raw(server, bad_length), 400, "bad_request")
    many = b"GET /api/health HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: 1\r\n" % n for n in range(200)) + b"\r\n"
    _assert_ours(*_raw(server, many), 431, "headers_too_large")


_POST_HEAD = (
    f"POST /api/documents HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: Bearer {TOKEN}\r\n"
).encode()


@pytest.mark.slow
def test_a_body_shorter_than_its_length_is_answered_not_awaited(server: Server) -> None:
    started = time.monotonic()
    status, headers, body = _raw(server, _POST_HEAD + b'Content-Length: 100\r\n\r\n{"title":')
    _assert_ours(status, headers, body, 400, "incomplete_body")
    assert time.monotonic() - started < READ_TIMEOUT_S + 5


def test_a_chunked_body_over_the_cap_is_413_like_a_plain_one(server: Server) -> None:
    body = b"[" + b"1," * 4_500_000 + b"1]"  # 9 MB
    step = 1 << 16
    chunks = b"".join(
        b"%x\r\n%s\r\n" % (len(body[i : i + step]), body[i : i + step]) for i in range(0, len(body), step)
    )
    status, headers, answer = _raw(server, _POST_HEAD + b"Transfer-Encoding: chunked\r\n\r\n" + chunks + b"0\r\n\r\n")
    _assert_ours(status, headers, answer, 413, "too_large")
