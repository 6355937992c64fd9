"""Embedding ahead: passages encoded in a child process while the run goes on storing the next."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sentence_transformers", reason="sentence-transformers is not installed (dense embeddings)")

from search.ahead import AheadEmbedder, _plan_children  # noqa: E402
from search.embeddings import DEFAULT_MODEL  # noqa: E402
from search.encoders import shared_encoder  # noqa: E402
from search.errors import MizanError  # noqa: E402

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "data" / "sample"
# Real sentences (ANT Jawhara FM, Apache-2.0) and one repeated, as a run meets them.
TEXTS = [
    "أعلنت وزارة الصحة عن تسجيل 12 إصابة جديدة بفيروس كورونا في ولاية سوسة",
    "قال المدير الجهوي للتجارة إن فرق المراقبة حررت 35 مخالفة اقتصادية خلال الأسبوع",
    "انطلقت اليوم الدورة الثانية من المهرجان الدولي للفنون بمشاركة 20 دولة",
]


def test_vectors_are_the_model_s_each_text_once_and_kept_ones_skipped() -> None:
    ahead = AheadEmbedder(DEFAULT_MODEL, device="cpu", encoder="openvino-fp32", skip=lambda pid: pid == "kept")
    ahead.submit([("p1", TEXTS[0]), ("p2", TEXTS[1]), ("p3", TEXTS[0])])
    ahead.submit([("kept", "نص يملك الفهرس متجهه"), ("p4", TEXTS[2])])
    vectors = ahead.finish()
    assert sorted(vectors) == sorted(TEXTS) and ahead.embedded == 3
    expected = shared_encoder(encoder="openvino-fp32").encode_passages(TEXTS, progress=False)
    got = np.stack([vectors[t] for t in TEXTS])
    assert (got * expected).sum(1).min() > 0.9999


def test_a_model_that_will_not_load_stops_the_run_at_its_next_passages() -> None:
    ahead = AheadEmbedder(DEFAULT_MODEL, device="tpu", encoder="openvino-fp32")
    ahead.submit([(f"p{i}", f"{TEXTS[0]} {i}") for i in range(300)])  # a chunk: the child starts
    deadline = time.monotonic() + 120
    with pytest.raises(MizanError, match="unknown device 'tpu'"):  # noqa: PT012 - the error arrives once loaded
        while time.monotonic() < deadline:
            ahead.submit([])
            time.sleep(0.2)
    ahead.cancel()


def test_a_run_that_stores_nothing_starts_no_child() -> None:
    ahead = AheadEmbedder(DEFAULT_MODEL, device="cpu", encoder="openvino-fp32")
    ahead.submit([])
    assert ahead.finish() == {} and ahead._children == []


def test_cancel_stops_the_child() -> None:
    ahead = AheadEmbedder(DEFAULT_MODEL, device="cpu", encoder="openvino-fp32")
    ahead.submit([(f"p{i}", f"{TEXTS[i % 3]} {i}") for i in range(600)])
    ahead.cancel()
    assert ahead._children and all(child.proc.poll() is not None for child in ahead._children)


def test_the_child_leaves_with_a_killed_run(tmp_path: Path) -> None:
    script = (
        "import sys, time\n"
        "from search.ahead import AheadEmbedder\n"
        "a = AheadEmbedder('intfloat/multilingual-e5-small', device='cpu', encoder='openvino-fp32')\n"
        "a.submit([(str(i), f'نص {i}') for i in range(300)])\n"
        "print(' '.join(str(c.proc.pid) for c in a._children), flush=True)\n"
        "time.sleep(600)\n"
    )
    run = subprocess.Popen([sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert run.stdout is not None
    children = [int(pid) for pid in run.stdout.readline().split()]
    assert len(children) == _plan_children("cpu", "openvino-fp32")[0]
    time.sleep(1)
    run.send_signal(signal.SIGKILL)
    run.wait(10)
    deadline = time.monotonic() + 60  # the child notices within a second of its next idle wait
    while time.monotonic() < deadline and any(_alive(child) for child in children):
        time.sleep(0.5)
    assert not any(_alive(child) for child in children)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "zombie" not in status.read_text()


def test_an_index_run_embeds_while_it_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Vectors come from the child, and equal what the commit would have computed."""
    from indexer.pipeline import index_paths
    from search.backends.local import indexed_text
    from search.dense import DenseIndex
    from search.store import Store

    submitted: list[int] = []
    original = AheadEmbedder.submit

    def spy(self: AheadEmbedder, passages: list[tuple[str, str]]) -> None:
        submitted.append(len(passages))
        original(self, passages)

    monkeypatch.setattr(AheadEmbedder, "submit", spy)
    monkeypatch.setattr(
        "search.backends.local.shared_encoder", lambda *a, **k: pytest.fail("the run embedded in its own process")
    )
    index = tmp_path / "idx"
    report = index_paths([SAMPLE / "pages", SAMPLE / "feeds"], index, progress=False, precision="fp32")
    assert len(submitted) > 2 and report.passages_added > 0  # passages went as they were stored
    with Store.open(index) as store:
        rows = list(store.passages_for_indexing(None))
        generation = store.get_meta("dense")
    dense = DenseIndex.load(index / generation)
    assert len(dense) == len(rows) and dense.encoder == "openvino-fp32"
    expected = shared_encoder(encoder="openvino-fp32").encode_passages(
        [indexed_text(title, text) for _, title, text in rows], progress=False
    )
    got = dense.vectors[[dense.index_of[pid] for pid, _, _ in rows]]
    assert (got * expected).sum(1).min() > 0.9999
