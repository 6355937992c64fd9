"""Query vectors, by the runtime that embeds passages: OpenVINO on one thread, at this machine's precision.

A query is one short text on one thread, where torch's per-operator overhead dominates: OpenVINO
computes the reference's vector (cosine 1.0 at fp32 to sentence-transformers, checked when the export
is built, search/onnx_export.py) in about half of torch's time, and a server needs no torch for it.
In bf16 where the CPU has it natively: 17% faster than fp32 (p50 15.0 against 18.0 ms over 1,892
questions, interleaved), cosine 0.99998 to fp32 at worst, MRR@10 within 0.001 on the reference's
passage vectors and on bf16 ones (bench/embedding.py). Other models are embedded by
sentence-transformers both ways (search/encoders.py).
"""

from __future__ import annotations

import threading
from functools import lru_cache

import numpy as np

from search.embeddings import DEFAULT_MODEL, default_precision, encoder_name
from search.encoders import PassageEncoder, make_encoder, shared_encoder

_LOCK = threading.Lock()
_SESSION: PassageEncoder | None = None


def _vino_query_vector(text: str) -> np.ndarray:
    global _SESSION
    if _SESSION is None:
        with _LOCK:  # one export and one compiled model per process, however many threads ask at once
            if _SESSION is None:
                # One query at a time on one thread: a server's worker computes its queries in turn (they
                # hold its engine, web/holder.py), and splitting one short query across cores costs more
                # in hand-offs than it saves. A stream per core made the server slower (bench/load.py).
                encoder = encoder_name("openvino", default_precision())
                _SESSION = make_encoder(DEFAULT_MODEL, "cpu", encoder, threads=1)
    return _SESSION.encode_queries([text])[0]


@lru_cache(maxsize=2048)  # paging, exports and the answer card ask the same query again
def _cached_query_vector(model: str, text: str) -> np.ndarray:
    if model == DEFAULT_MODEL:
        vector = _vino_query_vector(text)
    else:  # another model: sentence-transformers, as its passages were embedded
        vector = shared_encoder(model).encode_queries([text])[0]
    vector.setflags(write=False)  # shared by every caller
    return vector


def query_vector(model: str, text: str) -> np.ndarray:
    """One query's vector (remembered for the last 2,048 queries of this process)."""
    return _cached_query_vector(model, text)
