"""The bundled e5 model exported once to ONNX, the file OpenVINO compiles (search/vino.py).

The export is built from the provisioned sentence-transformers folder (search/embeddings.py), with
mean pooling and normalisation inside the graph, in a child process (so a server never loads torch
for it), into `$MIZAN_MODEL_CACHE/multilingual-e5-small-onnx`, and checked against
sentence-transformers on probe queries before it is put in place.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np

from search.embeddings import E5_PROMPTS, build_folder_once, default_cache_dir, provision_e5_small
from search.errors import MizanError
from search.vino import FILE, VinoEncoder

_EXPORTER = 1  # bump when the graph changes, so old exports are rebuilt
_MARKER = "mizan-source.txt"
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
            str(target / FILE),
            input_names=["input_ids", "attention_mask"],
            output_names=["embedding"],
            dynamic_axes=axes,
            opset_version=17,
            dynamo=False,
        )
    shutil.copyfile(source / "tokenizer.json", target / "tokenizer.json")
    reference = SentenceTransformer(str(source), device="cpu", local_files_only=True)
    expected = reference.encode([E5_PROMPTS["query"] + q for q in _PROBE], normalize_embeddings=True)
    got = VinoEncoder(target, model_id=str(source)).encode(list(_PROBE))
    worst = float((np.asarray(expected) * got).sum(1).min())
    if worst < _MIN_PROBE_COSINE:
        raise RuntimeError(f"the ONNX export differs from the reference (cosine {worst:.5f})")


def provision_onnx_model(cache_dir: Path | None = None) -> Path:
    """Return the folder of the ONNX model, exporting it (in a child process) if needed."""
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    source = provision_e5_small(cache_dir)
    target = cache_dir / "multilingual-e5-small-onnx"

    def export(folder: Path) -> None:
        note = f"exporting the embedding model to ONNX in {target} (one time, about 20 s)"
        if sys.stderr.isatty():  # long work shows itself to a person waiting on a first search
            print(f"mizan: {note}…", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, "-m", "search.onnx_export", str(source), str(folder)],
            capture_output=True,
            text=True,
            check=False,
            env={**os.environ, "PYTHONPATH": _import_root() + os.pathsep + os.environ.get("PYTHONPATH", "")},
        )
        if done.returncode:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise MizanError(f"could not export the embedding model to ONNX: {tail}")

    return build_folder_once(target, _stamp(source), export, str(source))


def _import_root() -> str:
    return str(Path(__file__).resolve().parent.parent)


def _main(argv: list[str]) -> int:
    source, target = (Path(a) for a in argv)
    export_onnx(source, target)
    return 0


if __name__ == "__main__":
    # Warnings of the exporter would only bury the one line the parent reports on failure.
    logging.disable(logging.WARNING)
    sys.exit(_main(sys.argv[1:]))
