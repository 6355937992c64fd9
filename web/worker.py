"""The gunicorn worker `mizan serve` runs: threads that a slow or silent client cannot hold.

gunicorn's threaded worker keeps idle connections on a poller, but once a client has sent its
first bytes a thread reads the rest of its headers and body with blocking reads that never give
up: two clients that send half a request and wait took every thread of the default server. Here
each blocking read gives up after `READ_TIMEOUT_S` of silence, as if the client had hung up, so a
thread is back in the pool within that time (a half-sent body then reads short, which the app
answers 400). Errors gunicorn answers itself (a request line or headers too long, a malformed
request) get the API's JSON error shape and the security headers instead of gunicorn's HTML.
"""

from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import TConn, ThreadWorker

from web.app import SECURITY_HEADERS

READ_TIMEOUT_S = 10.0  # silence tolerated inside one request; a live client sends far sooner

# The app's security headers (web/app.py), and a policy for a body that is JSON, never a page.
_HEADERS = (
    *SECURITY_HEADERS,
    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"),
    ("Cache-Control", "no-store"),
)

_CODES = {
    400: ("bad_request", "the request could not be read; check its request line, headers and body"),
    403: ("forbidden", "the request was refused"),
    414: ("uri_too_long", "the request line is too long; send a shorter query (at most about 8 kB)"),
    417: ("expectation_failed", "the server does not support that Expect header"),
    431: ("headers_too_large", "the request's headers are too many or too long"),
    501: ("not_implemented", "that transfer coding is not supported; send the body plainly or chunked"),
}


class _PatientSocket(socket.socket):
    """A client socket whose blocking reads give up after READ_TIMEOUT_S and read as end of input."""

    def setblocking(self, flag: bool) -> None:
        # gunicorn switches a connection to blocking mode before each request; bounded instead
        super().settimeout(READ_TIMEOUT_S if flag else 0.0)

    def recv(self, bufsize: int, flags: int = 0) -> bytes:
        try:
            return super().recv(bufsize, flags)
        except TimeoutError:  # the parser takes b"" for a hang-up: closed quietly, or a short body
            return b""


def json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn's `util.write_error`, in the API's shape: {"error": {"code", "message"}}."""
    code, message = _CODES.get(status_int, ("http_error", "the request failed"))
    if status_int >= 500 and status_int != 501:
        code, message = "internal_error", "something went wrong on the server; it has been logged, try again"
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    head = [f"HTTP/1.1 {status_int} {reason}", "Connection: close", "Content-Type: application/json"]
    head += [f"{name}: {value}" for name, value in _HEADERS]
    head.append(f"Content-Length: {len(body)}")
    util.write_nonblock(sock, ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
    _linger(sock)


def _linger(sock: socket.socket, most: int = 1 << 20) -> None:
    """Read what the client is still sending (the rest of a too-long request line) before the close:
    closing with unread bytes resets the connection, and the client would never see the answer."""
    try:
        sock.shutdown(socket.SHUT_WR)
        sock.settimeout(0.5)
        while most > 0:
            chunk = sock.recv(65536)
            if not chunk:
                break
            most -= len(chunk)
    except OSError:
        pass


class MizanWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's threaded worker with bounded reads and JSON errors (see the module's docstring)."""

    def init_process(self) -> None:
        util.write_error = json_error  # the base worker writes its own errors through this function
        super().init_process()

    def accept(self, listener: Any) -> None:
        try:
            plain, addr = listener.accept()
        except (BlockingIOError, ConnectionAbortedError, InterruptedError):
            return  # another worker took it, or the client left first
        client = _PatientSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
        client.setblocking(True)
        self.nr_conns += 1
        self.enqueue_req(TConn(self.cfg, client, addr, listener.getsockname()))
