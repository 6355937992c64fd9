"""Embedding in child processes while a run goes on reading, cleaning and storing.

Ingestion is Python on one core; encoding is OpenVINO (or torch) on every core it is given. Run one
after the other, the second core idles while a run reads its files. A thread will not do with
torch: the run's Python holds the GIL for 5 ms at a time, and torch's thread needs it back between
every two operators, so it encoded nothing while the files were read (measured). `AheadEmbedder`
starts child processes that load the model (their seconds of imports overlap the first files too)
and encode the passages sent to them as they are stored; at the commit the index takes the vectors
they made (search/backends/local.py, `DenseComponent`).

With torch on the CPU there is one child per core (at most four), each on one thread, not one child
on every core: torch's threads meet at a barrier after every operator, so one preempted by the
run's own work stalls the others; on two cores one thread encoded three quarters of what two
threads do (34.8 against 46.7 passages/s at bf16, measured), so two one-thread children encode
about half as much again as one two-thread child. OpenVINO runs independent requests side by side
(one stream per core), which encoded 47.0 passages/s against two one-thread children's 42.6 in
one run of bench/embedding.py, with one copy of the model: one child.

They talk over each child's stdin and stdout (pickled chunks), not multiprocessing's queues:
those start a resource-tracker process that outlives a killed run and holds its caller's pipes
open. A child dies with the run: the kernel kills it when its parent goes (Linux), and it leaves
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
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import numpy as np
from tqdm import tqdm

from search.embeddings import runtime_of, usable_cpus
from search.errors import MizanError

log = logging.getLogger(__name__)

# Enough passages for sentence-transformers to sort by length and fill its batches; few enough that
# the child starts encoding soon after the run starts.
CHUNK = 256
MAX_CHILDREN = 4  # each holds a copy of the model
_PR_SET_PDEATHSIG = 1


def _plan_children(device: str | None, encoder: str) -> tuple[int, int]:
    """(children, threads each): for torch on the CPU one per core up to MAX_CHILDREN; for OpenVINO
    one on every core, whose requests run side by side on their own threads (one per core) and
    never wait for each other; one on a GPU."""
    if device and device.startswith("cuda"):
        return 1, 0
    cores = usable_cpus()
    if runtime_of(encoder) == "openvino":
        return 1, cores
    children = max(1, min(cores, MAX_CHILDREN))
    return children, max(1, cores // children)


def _die_with_parent() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux: the end of stdin still ends the child
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _child(model: str, device: str, encoder: str, threads: str = "0") -> int:
    """The child: load the model, then encode each (chunk number, texts) read from stdin and write
    (chunk number, vectors) to stdout, until stdin ends."""
    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the run's to handle; the run stops this child
    source, sink = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the channel
    try:
        from search.encoders import make_encoder

        embedder = make_encoder(model, device or None, encoder, threads=int(threads) or None)
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


class _Child:
    """One embedding process, and the thread that reads its answers as they come (so that its output
    pipe never fills)."""

    def __init__(self, command: list[str], env: dict[str, str], take: Callable[[Any, Any], bool]) -> None:
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
        self.outstanding = 0  # texts sent and not yet answered
        self.done = threading.Event()
        self._take = take  # (chunk number or "error", payload) -> whether to read on
        self._thread = threading.Thread(target=self._collect, name="mizan-embed-results", daemon=True)
        self._thread.start()

    def send(self, number: int, texts: list[str]) -> None:
        assert self.proc.stdin is not None
        self.outstanding += len(texts)
        _send(self.proc.stdin, (number, texts))

    def close(self) -> None:
        """The end of its input: the child leaves once it has answered."""
        assert self.proc.stdin is not None
        with contextlib.suppress(BrokenPipeError, OSError):
            self.proc.stdin.close()

    def join(self) -> None:
        self._thread.join()

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        try:
            while True:
                try:
                    number, payload = pickle.load(self.proc.stdout)
                except (EOFError, pickle.UnpicklingError, OSError, ValueError):
                    return  # the child has left (done, failed or killed)
                if not self._take(number, payload):
                    return
                self.outstanding -= len(payload)
        finally:
            self.done.set()


class AheadEmbedder:
    """Encodes submitted passages in child processes; `finish()` waits and returns them by text."""

    def __init__(
        self,
        model: str,
        *,
        device: str | None,
        encoder: str,
        skip: Callable[[str], bool] | None = None,
        progress: bool | None = None,
        children: int | None = None,
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
        self._lock = threading.Lock()
        self.embedded = 0  # read by the progress bar
        count, threads = _plan_children(device, encoder)
        self._count = children or count
        self._command = [sys.executable, "-m", "search.ahead", model, device or "", encoder, str(threads)]
        self._children: list[_Child] = []  # started by the first passage: a run that stores none loads no model

    def _start(self) -> list[_Child]:
        if not self._children:
            root = str(Path(__file__).resolve().parent.parent)
            env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
            threads = self._command[-1]
            if threads != "0":  # before torch starts: OpenMP reads it once (OpenVINO is told its threads)
                env["OMP_NUM_THREADS"] = threads
            self._children = [_Child(self._command, env, self._take) for _ in range(self._count)]
        return self._children

    def submit(self, passages: Sequence[tuple[str, str]]) -> None:
        """Queue (passage id, indexed text) pairs; the same text twice is encoded once. An error of a
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
        child = min(self._start(), key=lambda c: c.outstanding)  # the one with the least work waiting
        self._chunks[self._sent] = texts
        self._texts_sent += len(texts)
        try:
            child.send(self._sent, texts)
        except BrokenPipeError:  # the child is gone; its reader has the reason
            child.join()
            raise self._error or MizanError("the embedding process ended before its work was done") from None
        self._sent += 1

    def _take(self, number: Any, payload: Any) -> bool:
        """A child's answer: vectors of one chunk, or its error (then the run stops at its next step)."""
        if number == "error":
            self._error = payload
            return False
        with self._lock:
            texts = self._chunks.pop(number)
            self._vectors.update(zip(texts, payload, strict=True))
            self.embedded += len(texts)
        return True

    def _flush(self) -> None:
        """Send what is pending, shared among the children (the last passages of a run, all at once)."""
        if not self._pending:
            return
        parts = min(self._count, len(self._pending))
        size = -(-len(self._pending) // parts)
        for start in range(0, len(self._pending), size):
            self._send(self._pending[start : start + size])
        self._pending = []

    def drain(self) -> dict[str, np.ndarray]:
        """Send what is pending and wait until every passage sent is encoded, leaving the children
        running for more (bench/embedding.py times them warm); the vectors so far, by text."""
        self._flush()
        while self.embedded < self._texts_sent and self._error is None:
            time.sleep(0.002)
        if self._error is not None:
            raise self._error
        return self._vectors

    def finish(self) -> dict[str, np.ndarray]:
        """Encode what is left, wait for the children, and return every vector by its text. An error of
        a child is raised here, in the run, where the write can still be abandoned."""
        self._flush()
        if not self._children:
            return self._vectors  # nothing was stored
        for child in self._children:
            child.close()
        total = self._texts_sent
        quiet = self._progress is False or total - self.embedded < 2 * CHUNK
        with tqdm(
            total=total,
            initial=self.embedded,
            unit="passage",
            desc="embedding",
            disable=True if quiet else (None if self._progress is None else not self._progress),
        ) as bar:
            while not all(c.done.wait(0.5 / len(self._children)) for c in self._children):
                bar.update(self.embedded - bar.n)
                if self._error is not None:
                    break
            bar.update(self.embedded - bar.n)
        if self._error is not None:
            self.cancel()
            raise self._error
        for child in self._children:
            child.proc.wait()
        if self._chunks:
            raise MizanError("the embedding process ended before its work was done")
        return self._vectors

    def cancel(self) -> None:
        """Stop the children now (the run failed or was interrupted); their vectors are dropped."""
        for child in self._children:
            if child.proc.poll() is None:
                child.proc.kill()
            child.proc.wait()


if __name__ == "__main__":
    sys.exit(_child(*sys.argv[1:5]))
