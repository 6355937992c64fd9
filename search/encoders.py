"""Which encoder computes an index's vectors, and one loaded encoder per process.

An encoder is a runtime and a precision, and an index records its name ("openvino-bf16"); every later
write to it uses the same one, so vectors of two encoders never share an index. For a new index:

- the bundled model on the CPU: OpenVINO (search/vino.py), in bf16 where the CPU has it natively
  (AMX, AVX512-BF16), else fp32;
- a GPU, or another model: sentence-transformers on torch (search/embeddings.py), which OpenVINO's
  export of the bundled model does not cover. fp32 torch is the reference every encoder is measured
  against (bench/embedding.py), and indexes that recorded a torch encoder keep it.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from search.embeddings import (
    DEFAULT_MODEL,
    PRECISIONS,
    RUNTIMES,
    Embedder,
    check_device,
    default_precision,
    encoder_name,
    precision_of,
    runtime_of,
    usable_cpus,
)
from search.errors import MizanError
from search.onnx_export import provision_onnx_model
from search.vino import VinoEncoder, available


class PassageEncoder(Protocol):
    """What an index needs of an encoder (VinoEncoder and Embedder both are one)."""

    @property
    def model_id(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    @property
    def encoder(self) -> str: ...

    def encode_queries(self, texts: list[str]) -> np.ndarray: ...

    def encode_passages(self, texts: list[str], *, progress: bool | None = None) -> np.ndarray: ...


def default_encoder(model: str = DEFAULT_MODEL, device: str | None = None, precision: str | None = None) -> str:
    """The encoder a new index gets on this machine (`precision` asked for, else this device's best)."""
    precision = precision or default_precision(device)
    on_cpu = device == "cpu" or (device is None and not _gpu_present())
    runtime = "openvino" if model == DEFAULT_MODEL and on_cpu and available() else "torch"
    return encoder_name(runtime, precision)


def _gpu_present() -> bool:
    """Whether an NVIDIA GPU is installed (the driver lists it), without loading torch to ask: then
    an index with no --device is embedded on it, by torch."""
    gpus = Path("/proc/driver/nvidia/gpus")
    return gpus.is_dir() and any(gpus.iterdir())


def _thread_budget() -> int | None:
    """The threads this process allows its math libraries: `mizan serve` sets OMP_NUM_THREADS=1 so a
    worker's writes stay on its own core; OpenVINO does not read it, so it is passed on here."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def make_encoder(model: str, device: str | None, encoder: str, threads: int | None = None) -> PassageEncoder:
    """A new encoder named `encoder` for `model`. `threads`: None uses the process's thread budget, or
    every core; a number gives it that many (an indexing run's child; 1 for queries, one at a time)."""
    runtime, precision = runtime_of(encoder), precision_of(encoder)
    if runtime not in RUNTIMES or precision not in PRECISIONS:
        raise MizanError(f"unknown encoder {encoder!r}: one of {', '.join(RUNTIMES)} at {', '.join(PRECISIONS)}")
    if device is not None:
        check_device(device)
    if runtime == "torch":
        if threads:
            import torch

            torch.set_num_threads(threads)
        return Embedder(model, device=device, precision=precision)
    if model != DEFAULT_MODEL:
        raise MizanError(f"{encoder} computes vectors of {DEFAULT_MODEL} only, not of {model}")
    if (device or "cpu") != "cpu":
        raise MizanError(f"{encoder} runs on the CPU: this index's vectors are embedded with --device cpu")
    if not available():
        raise MizanError(f"this index's vectors come from {encoder}; OpenVINO is not installed: pip install openvino")
    # one request per thread at once: requests do not wait for each other, so this is the fastest
    # for batches, and a query (one request) runs on one thread
    cores = threads or _thread_budget() or usable_cpus()
    return VinoEncoder(provision_onnx_model(), model_id=model, precision=precision, threads=cores, streams=cores)


_LOADING = threading.Lock()


def shared_encoder(model: str = DEFAULT_MODEL, device: str | None = None, encoder: str | None = None) -> PassageEncoder:
    """One loaded encoder per process and name: loading takes seconds, a query milliseconds.
    `encoder`: None picks `default_encoder`."""
    # One load at a time: a server's threads posting at once would otherwise each load a copy.
    with _LOADING:
        return _loaded(model, device, encoder or default_encoder(model, device))


@lru_cache(maxsize=2)
def _loaded(model: str, device: str | None, encoder: str) -> PassageEncoder:
    return make_encoder(model, device, encoder)
