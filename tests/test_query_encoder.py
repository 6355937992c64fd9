"""The ONNX export of the bundled e5 model on OpenVINO: the reference's vectors, the export built once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed (dense embeddings)")

from search import onnx_export, query_encoder  # noqa: E402
from search.embeddings import DEFAULT_MODEL, Embedder, provision_e5_small  # noqa: E402
from search.errors import MizanError  # noqa: E402
from search.vino import VinoEncoder  # noqa: E402

pytestmark = pytest.mark.slow

# Real questions, short and long, Arabic with digits and Latin, and one that truncates at 512 tokens.
QUERIES = [
    "كم عدد الجنود الكوريين الشماليين في روسيا؟",
    "عدد ضحايا إعصار دانيال في درنة",
    "ما مساحة المملكة العربية السعودية بالكيلومتر المربع",
    "متى افتتح معرض الرياض الدولي للكتاب 2015",
    "How many people died in the floods in Derna?",
    " ".join(["كم بلغ عدد المصابين في الحادث الذي وقع على الطريق السريع"] * 80),
]


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("models")
    provision_e5_small(path)
    yield path
    shutil.rmtree(path, ignore_errors=True)  # ~1 GB with the export


def test_export_gives_the_reference_vectors(cache_dir: Path) -> None:
    folder = onnx_export.provision_onnx_model(cache_dir)
    got = VinoEncoder(folder, model_id=DEFAULT_MODEL).encode(QUERIES)
    reference = Embedder(cache_dir=cache_dir, precision="fp32")
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    assert (got * reference.encode_queries(QUERIES)).sum(1).min() > 0.9999
    one_at_a_time = np.stack([VinoEncoder(folder, model_id=DEFAULT_MODEL).encode([q])[0] for q in QUERIES[:2]])
    np.testing.assert_allclose(one_at_a_time, got[:2], atol=1e-5)  # padding in a batch changes nothing
    # passages in bf16, two requests at once (as a run encodes them): in order, and the reference's
    bf16 = VinoEncoder(folder, model_id=DEFAULT_MODEL, precision="bf16", threads=2, streams=2)
    passages = bf16.encode_passages(QUERIES * 6, progress=False)
    assert bf16.encoder == "openvino-bf16" and passages.shape == (36, 384)
    assert (passages[:6] * reference.encode_passages(QUERIES)).sum(1).min() > 0.999
    np.testing.assert_allclose(passages[6:12], passages[:6], atol=1e-6)


def test_export_is_built_once(cache_dir: Path) -> None:
    folder = onnx_export.provision_onnx_model(cache_dir)
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*")}
    assert onnx_export.provision_onnx_model(cache_dir) == folder
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*")} == before
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".")]  # no build leftovers


def test_a_failed_export_is_one_line_and_leaves_nothing(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = cache_dir / "multilingual-e5-small-onnx"
    marker = target / onnx_export._MARKER
    kept = marker.read_text(encoding="utf-8") if marker.exists() else None
    if kept is not None:
        marker.unlink()  # as if an old build stopped half way
    monkeypatch.setattr(onnx_export.sys, "executable", "/bin/false")
    with pytest.raises(MizanError, match="could not export the embedding model to ONNX"):
        onnx_export.provision_onnx_model(cache_dir)
    assert not [p for p in cache_dir.iterdir() if p.name.startswith(".")]
    if kept is not None:
        marker.write_text(kept, encoding="utf-8")


def test_the_engine_s_query_vector_is_cached_and_read_only() -> None:
    first = query_encoder.query_vector(DEFAULT_MODEL, QUERIES[0])
    assert query_encoder.query_vector(DEFAULT_MODEL, QUERIES[0]) is first
    assert first.dtype == np.float32 and first.shape == (384,) and not first.flags.writeable
