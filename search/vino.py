"""Passage and query vectors from the ONNX export of the bundled e5 model, run by OpenVINO on the CPU.

OpenVINO fuses the model's operators into its own CPU kernels and, asked for bf16, runs them on the
CPU's bf16 units (AMX, AVX512-BF16): on this project's 2-core Xeon it encoded passages at 3.22x
the fp32 reference in two runs (5-35% ahead of torch in bf16), with vectors nearer the reference
(cosine 0.99999 against torch bf16's 0.99997), and a query in about the time ONNX Runtime took
(bench/embedding.py). One runtime serves both sides: passages at the index's precision, queries
at this machine's (search/query_encoder.py).

Threads are not pinned to cores: a server's workers and an indexing run's children each run their
own model, and pinned threads of two processes would share one core while the other idles.
"""

from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from search.embeddings import E5_PROMPTS, encode_with_progress
from search.errors import MizanError

logger = logging.getLogger(__name__)

MAX_TOKENS = 512
PAD_ID = 1
FILE = "model.onnx"
_HINT = {"fp32": "f32", "bf16": "bf16"}
# Passages per request, longest first so that a batch pads little. 16 as for torch (fastest of 8, 16
# and 32 there); for OpenVINO 4 to 32 measured alike within this VM's noise.
BATCH = 16


def available() -> bool:
    """Whether OpenVINO can be imported here (it is a dependency; a trimmed install may lack it)."""
    try:
        import openvino  # noqa: F401
    except ImportError:
        return False
    return True


class VinoEncoder:
    """An OpenVINO model compiled for the CPU from `folder` (model.onnx and tokenizer.json).

    `precision`: fp32, or bf16 where the CPU multiplies bf16 in hardware (elsewhere OpenVINO would
    emulate it, slower). `threads`: the threads of one request; `streams`: requests run at once,
    each on `threads // streams` threads (a batch job's throughput rises with streams, one query's
    latency does not).
    """

    def __init__(
        self,
        folder: Path,
        *,
        model_id: str,
        precision: str = "fp32",
        threads: int = 1,
        streams: int = 1,
        encoder: str | None = None,
    ) -> None:
        import openvino as ov
        from tokenizers import Tokenizer

        if precision not in _HINT:
            raise MizanError(f"unknown precision {precision!r}: use one of {', '.join(_HINT)}")
        self._streams = max(1, streams)
        config = {
            "INFERENCE_PRECISION_HINT": _HINT[precision],
            "INFERENCE_NUM_THREADS": max(1, threads),
            "NUM_STREAMS": self._streams,
            "ENABLE_CPU_PINNING": False,
            "PERFORMANCE_HINT": "THROUGHPUT" if self._streams > 1 else "LATENCY",
        }
        try:
            self._compiled = ov.Core().compile_model(str(folder / FILE), "CPU", config)
        except RuntimeError as exc:  # a damaged export, or a CPU OpenVINO cannot run on
            raise MizanError(f"OpenVINO could not compile {folder / FILE}: {str(exc).splitlines()[0]}") from exc
        # One request per stream, lent to one thread at a time (a request is not safe to share). Requests
        # run side by side from Python threads: infer() releases the GIL while it computes.
        # Each request runs once here, on this thread, before any two run at once: the bindings' first
        # inference initialises function-local statics that need the GIL, and two threads doing it at
        # once deadlocked (one held the GIL waiting on the static's guard; seen in an indexing run).
        self._idle: queue.SimpleQueue[Any] = queue.SimpleQueue()
        probe = {"input_ids": np.full((1, 4), PAD_ID, np.int64), "attention_mask": np.ones((1, 4), np.int64)}
        for _ in range(self._streams):
            request = self._compiled.create_infer_request()
            request.infer(probe)
            self._idle.put(request)
        self._workers: ThreadPoolExecutor | None = None
        self._workers_lock = threading.Lock()
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._model_id = model_id
        self._encoder = encoder or f"openvino-{precision}"
        self._dimension = int(self._compiled.output(0).get_partial_shape()[1].get_length())
        logger.info("compiled %s for OpenVINO (%s, %d threads, %d streams)", folder, precision, threads, streams)

    @property
    def model_id(self) -> str:
        return self._model_id

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def encoder(self) -> str:
        return self._encoder

    def _infer(self, inputs: dict[str, np.ndarray]) -> np.ndarray:
        request = self._idle.get()  # waits while every stream is busy
        try:
            return np.array(request.infer(inputs)[0])  # a copy: the request reuses its output buffer
        finally:
            self._idle.put(request)

    def _pool(self) -> ThreadPoolExecutor:
        with self._workers_lock:
            if self._workers is None:
                self._workers = ThreadPoolExecutor(self._streams, thread_name_prefix="mizan-openvino")
            return self._workers

    def _batches(self, texts: list[str], kind: str, batch: int) -> list[tuple[np.ndarray, dict[str, np.ndarray]]]:
        order = np.argsort([-len(t) for t in texts], kind="stable")
        jobs = []
        for start in range(0, len(texts), batch):
            rows = order[start : start + batch]
            encoded = self._tokenizer.encode_batch([E5_PROMPTS[kind] + texts[r] for r in rows])
            width = max(len(e.ids) for e in encoded)
            ids = np.full((len(rows), width), PAD_ID, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for n, e in enumerate(encoded):
                ids[n, : len(e.ids)], mask[n, : len(e.ids)] = e.ids, 1
            jobs.append((rows, {"input_ids": ids, "attention_mask": mask}))
        return jobs

    def encode(self, texts: list[str], *, kind: str = "query", batch: int = BATCH) -> np.ndarray:
        """Unit vectors of `texts` as queries or passages (the e5 prefix of `kind`), in `texts`' order."""
        out = np.zeros((len(texts), self._dimension), np.float32)
        if not texts:
            return out
        jobs = self._batches(texts, kind, batch)
        if self._streams == 1 or len(jobs) == 1:  # on this thread (a query is one batch)
            for rows, inputs in jobs:
                out[rows] = self._infer(inputs)
        else:  # a batch per stream at once
            for (rows, _), vectors in zip(jobs, self._pool().map(self._infer, [i for _, i in jobs]), strict=True):
                out[rows] = vectors
        # pooled and normalised inside the graph; renormalised so bf16 rows are unit to fp32 precision
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode(texts, kind="query")

    def encode_passages(self, texts: list[str], *, progress: bool | None = None) -> np.ndarray:
        encode = lambda part: self.encode(part, kind="passage")  # noqa: E731
        return encode_with_progress(encode, texts, BATCH * 8 * self._streams, self._dimension, progress)
