"""Embedding in a child process while a run goes on reading, cleaning and storing.

Ingestion is Python on one core; encoding is torch on every core it is given. Run one after the
other, the second core idles while a run reads its files. A thread will not do: the run's Python
holds the GIL for 5 ms at a time, and torch's thread needs it back between every two operators,
so it encoded nothing while the files were read (measured). `AheadEmbedder` starts a child process
that loads the model (its seconds of imports overlap the first files too) and encodes the
passages sent to it as they are stored; at the commit the index takes the vectors it made
(search/backends/local.py, `DenseComponent`).

The two talk over the child's stdin and stdout (pickled chunks), not multiprocessing's queues:
those start a resource-tracker process that outlives a killed run and holds its caller's pipes
open. The child dies with the run: the kernel kills it when its parent goes (Linux), and it leaves
on its own at the end of its input in any case.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import pickle
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
from tqdm import tqdm

from search.errors import MizanError

log = logging.getLogger(__name__)

# Enough passages for sentence-transformers to sort by length and fill its batches; few enough that
# the child starts encoding soon after the run starts.
CHUNK = 256
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the end of stdin still ends the child
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(model: str, device: str, precision: str) -> int:
    """The child: load the model, then encode each (chunk number, texts) read from stdin and write
    (chunk number, vectors) to stdout, until stdin ends."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle; the run stops this child
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the channel
    try:
        from search.embeddings import Embedder

        embedder = Embedder(model, device=device or None, precision=precision)
    except BaseException as exc:  # noqa: BLE001 - reported to the run, which raises it
        _send(sink, ("error", _portable(exc)))
        return 1
    while True:
        try:
            number, texts = pickle.load(source)
        except EOFError:
            return 0
        try:
            vectors = embedder.encode_passages(texts, progress=False)
        except BaseException as exc:  # noqa: BLE001
            _send(sink, ("error", _portable(exc)))
            return 1
        _send(sink, (number, vectors))


def _send(sink: IO[bytes], message: tuple[Any, Any]) -> None:
    pickle.dump(message, sink, protocol=pickle.HIGHEST_PROTOCOL)
    sink.flush()


def _portable(exc: BaseException) -> BaseException:
    """The exception itself where it pickles plainly (ours), else its message."""
    return exc if isinstance(exc, MizanError) else RuntimeError(f"{type(exc).__name__}: {exc}")


class AheadEmbedder:
    """Encodes submitted passages in a child process; `finish()` waits and returns them by text."""

    def __init__(
        self,
        model: str,
        *,
        device: str | None,
        precision: str,
        skip: Callable[[str], bool] | None = None,
        progress: bool | None = None,
    ) -> None:
        self._skip = skip  # passage ids whose vectors the index has already
        self._progress = progress
        self._vectors: dict[str, np.ndarray] = {}
        self._seen: set[str] = set()
        self._pending: list[str] = []
        self._chunks: dict[int, list[str]] = {}
        self._sent = 0
        self._texts_sent = 0
        self._error: BaseException | None = None
        self._done = threading.Event()
        self.embedded = 0  # read by the progress bar
        self._command = [sys.executable, "-m", "search.ahead", model, device or "", precision]
        self._child: subprocess.Popen[bytes] | None = None  # started by the first passage: a run that
        self._collector: threading.Thread | None = None  # stores none (nothing changed) loads no model

    def _start(self) -> subprocess.Popen[bytes]:
        if self._child is None:
            root = str(Path(__file__).resolve().parent.parent)
            self._child = subprocess.Popen(
                self._command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env={**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")},
            )
            self._collector = threading.Thread(target=self._collect, name="mizan-embed-results", daemon=True)
            self._collector.start()
        return self._child

    def submit(self, passages: Sequence[tuple[str, str]]) -> None:
        """Queue (passage id, indexed text) pairs; the same text twice is encoded once. An error of the
        child (the model would not load) is raised here, so a run does not read on for nothing."""
        if self._error is not None:
            raise self._error
        for pid, text in passages:
            if text not in self._seen and not (self._skip is not None and self._skip(pid)):
                self._seen.add(text)
                self._pending.append(text)
        while len(self._pending) >= CHUNK:
            self._send(self._pending[:CHUNK])
            self._pending = self._pending[CHUNK:]

    def _send(self, texts: list[str]) -> None:
        child = self._start()
        self._chunks[self._sent] = texts
        self._texts_sent += len(texts)
        assert child.stdin is not None and self._collector is not None
        try:
            _send(child.stdin, (self._sent, texts))
        except BrokenPipeError:  # the child is gone; the collector has its reason
            self._collector.join()
            raise self._error or MizanError("the embedding process ended before its work was done") from None
        self._sent += 1

    def finish(self) -> dict[str, np.ndarray]:
        """Encode what is left, wait for the child, and return every vector by its text. An error of
        the child is raised here, in the run, where the write can still be abandoned."""
        if self._pending:
            self._send(self._pending)
            self._pending = []
        if self._child is None:
            return self._vectors  # nothing was stored
        assert self._child.stdin is not None
        self._child.stdin.close()  # the end of its input: the child leaves once it has answered
        total = self._texts_sent
        quiet = self._progress is False or total - self.embedded < 2 * CHUNK
        with tqdm(
            total=total,
            initial=self.embedded,
            unit="passage",
            desc="embedding",
            disable=True if quiet else (None if self._progress is None else not self._progress),
        ) as bar:
            while not self._done.wait(0.5):
                bar.update(self.embedded - bar.n)
            bar.update(self.embedded - bar.n)
        self._child.wait()
        if self._error is not None:
            raise self._error
        if self._chunks:
            raise MizanError("the embedding process ended before its work was done")
        return self._vectors

    def cancel(self) -> None:
        """Stop the child now (the run failed or was interrupted); its vectors are dropped."""
        if self._child is not None:
            if self._child.poll() is None:
                self._child.kill()
            self._child.wait()
        self._done.set()

    def _collect(self) -> None:
        """Receive the child's vectors as they come, so that its output pipe never fills."""
        assert self._child is not None and self._child.stdout is not None
        output = self._child.stdout
        try:
            while True:
                try:
                    number, payload = pickle.load(output)
                except (EOFError, pickle.UnpicklingError, OSError, ValueError):
                    return  # the child has left (done, failed or killed)
                if number == "error":
                    self._error = payload
                    return
                texts = self._chunks.pop(number)
                self._vectors.update(zip(texts, payload, strict=True))
                self.embedded += len(texts)
        finally:
            self._done.set()


if __name__ == "__main__":
    sys.exit(_child(*sys.argv[1:4]))
