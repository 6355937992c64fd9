"""The `mizan` command: index, info, docs; exit codes and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def mizan(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    import os

    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "web.cli", *args], cwd=REPO, capture_output=True, text=True, env=full_env
    )


def test_index_info_docs(tmp_path: Path, sample_dir: Path) -> None:
    index = str(tmp_path / "ix")
    first = mizan("index", str(sample_dir), "--index", index, "--json")
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["documents_added"] == 14

    again = mizan("index", str(sample_dir), "--index", index)
    assert again.returncode == 0
    assert "0 documents added" in again.stdout and "10 unchanged" in again.stdout

    info = json.loads(mizan("info", "--index", index, "--json").stdout)
    assert (info["documents"], info["published_from"], info["published_to"]) == (14, "2024-10-28", "2025-05-20")
    assert info["format_version"] == 4 and info["normaliser_version"] == 1 and info["figures_version"] == 14
    assert info["figures"] > 20
    assert {"outlet": "جريدة الرائد اليومية", "documents": 1} in info["outlets"]
    assert info["passages"] > 14

    docs = json.loads(mizan("docs", "--index", index, "--json").stdout)
    assert len(docs) == 14
    assert set(docs[0]) == {"doc_id", "title", "outlet", "agency", "published", "url", "passages"}
    assert all(d["passages"] >= 1 and d["doc_id"].startswith("d_") for d in docs)

    text = mizan("info", "--index", index).stdout
    assert "documents:   14" in text and "2024-10-28 … 2025-05-20" in text


def test_index_defaults_to_env_variable(tmp_path: Path, sample_dir: Path) -> None:
    index = tmp_path / "from-env"
    out = mizan("index", str(sample_dir / "feeds"), "--quiet", env={"MIZAN_INDEX": str(index)})
    assert out.returncode == 0, out.stderr
    assert (index / "manifest.json").is_file()


def test_errors_are_one_line_and_non_zero(tmp_path: Path, sample_dir: Path) -> None:
    missing = mizan("index", str(tmp_path / "nope"), "--index", str(tmp_path / "ix"))
    assert missing.returncode == 2
    assert missing.stderr.strip().count("\n") == 0 and "no such file or directory" in missing.stderr
    assert not (tmp_path / "ix").exists()

    no_index = mizan("info", "--index", str(tmp_path / "absent"))
    assert no_index.returncode == 1 and "mizan index PATH" in no_index.stderr

    (tmp_path / "empty.txt").write_bytes(b"")
    empty = mizan("index", str(tmp_path / "empty.txt"), "--index", str(tmp_path / "ix"))
    assert empty.returncode == 1
    assert "skipped:" in empty.stderr and "empty file" in empty.stderr and "no index was created" in empty.stderr

    no_paths = mizan("index")
    assert no_paths.returncode == 2 and "give at least one PATH" in no_paths.stderr


def test_skipped_files_are_named_and_the_rest_is_indexed(tmp_path: Path, sample_dir: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.jsonl").write_text((sample_dir / "feeds" / "news.jsonl").read_text(encoding="utf-8"), encoding="utf-8")
    (src / "broken.bin").write_bytes(b"\x00" * 64)
    out = mizan("index", str(src), "--index", str(tmp_path / "ix"))
    assert out.returncode == 0
    assert "broken.bin: binary file" in out.stderr
    assert "4 documents added" in out.stdout


@pytest.mark.parametrize(
    ("option", "says"),
    [
        (["--device", "tpu"], "unknown device 'tpu'"),
        (["--model", "not/a-model"], "cannot load the embedding model 'not/a-model' without the network"),
    ],
)
def test_a_bad_device_or_model_is_one_line_and_touches_nothing(tmp_path: Path, option: list[str], says: str) -> None:
    source = tmp_path / "news.jsonl"
    source.write_text('{"title": "خبر", "text": "قتل 5 أشخاص في الحادث."}\n', encoding="utf-8")
    out = mizan("index", str(source), "--index", str(tmp_path / "index"), "--quiet", *option)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert out.stderr.strip().splitlines() == [f"mizan: error: {out.stderr.split('mizan: error: ', 1)[1].strip()}"]
    assert says in out.stderr
    assert not (tmp_path / "index").exists()
