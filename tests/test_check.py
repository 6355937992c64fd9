"""`mizan check` names the damaged part of an index and its repair; every command meets damage with one line."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from search.check import check_index
from tests.conftest import REPO, build_index
from tests.test_cli import mizan


def _truncate(path: Path, size: int) -> None:
    data = path.read_bytes()[:size]
    path.write_bytes(data)


def _first(index: Path, part: str) -> Path:
    (generation,) = sorted((index / part).iterdir())
    return generation


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "database truncated to 0 bytes": (lambda ix: _truncate(ix / "mizan.sqlite", 0), "database mizan.sqlite"),
    "database truncated to 100 bytes": (lambda ix: _truncate(ix / "mizan.sqlite", 100), "database mizan.sqlite"),
    "database overwritten": (lambda ix: (ix / "mizan.sqlite").write_bytes(b"x" * 8192), "database mizan.sqlite"),
    "manifest holds []": (lambda ix: (ix / "manifest.json").write_text("[]"), "manifest"),
    "manifest holds null": (lambda ix: (ix / "manifest.json").write_text("null"), "manifest"),
    "lexical terms garbage": (lambda ix: (_first(ix, "lexical") / "terms.json").write_text("garbage"), "lexical index"),
    "lexical tfs.npy truncated": (lambda ix: _truncate(_first(ix, "lexical") / "tfs.npy", 100), "lexical index"),
    "lexical docs.npy deleted": (lambda ix: (_first(ix, "lexical") / "docs.npy").unlink(), "lexical index"),
}


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("check") / "index"
    build_index([REPO / "data" / "sample"], index)
    return index


def test_a_whole_index_checks_ok(whole: Path) -> None:
    report = check_index(whole)
    assert report.ok and report.documents == 14 and report.passages == 36
    out = mizan("check", "--index", str(whole), "--json")
    assert out.returncode == 0 and json.loads(out.stdout)["ok"] is True


@pytest.mark.parametrize("name", list(DAMAGE))
def test_each_damage_is_named_with_its_repair_and_no_command_tracebacks(whole: Path, tmp_path: Path, name: str) -> None:
    damage, part = DAMAGE[name]
    index = tmp_path / "index"
    shutil.copytree(whole, index)
    damage(index)
    report = check_index(index)
    assert not report.ok and report.problems[0].startswith(part)
    assert "mizan index" in report.problems[0] and "--rebuild" in report.problems[0]
    # commands that read the damaged part fail with one line; info and docs need only the database
    for command in (["check"], ["search", "جنود"], ["ask", "كم عدد الجنود؟"], ["info"], ["docs"]):
        out = mizan(*command, "--index", str(index))
        assert out.returncode != 0 or command[0] in ("info", "docs"), (command, out.stdout)
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) <= 1, (command, out.stderr)


@pytest.fixture(scope="module")
def stacked(whole: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample index and one more file: the write saved a delta on the base (search/generations.py)."""
    index = tmp_path_factory.mktemp("stacked") / "index"
    shutil.copytree(whole, index)
    extra = tmp_path_factory.mktemp("extra") / "rain.txt"
    extra.write_text("سيول في القرية\n\nقتل 5 أشخاص في سيول ضربت القرية أمس، وفق الدفاع المدني.\n", encoding="utf-8")
    build_index([extra], index)
    assert len(list((index / "lexical").iterdir())) == 2
    return index


def _newest(index: Path) -> Path:
    return sorted((index / "lexical").iterdir())[-1]


STACK_DAMAGE: dict[str, Callable[[Path], None]] = {
    "the delta's listing garbage": lambda ix: (_newest(ix) / "parts.json").write_text("{"),
    "the delta's removals missing": lambda ix: (_newest(ix) / "parts.json").write_text(
        (_newest(ix) / "parts.json").read_text().replace('"removed": 0}]', '"removed": 1}]')
    ),
    "the base under the delta deleted": lambda ix: shutil.rmtree(sorted((ix / "lexical").iterdir())[0]),
}


@pytest.mark.parametrize("name", list(STACK_DAMAGE))
def test_a_damaged_stack_is_named_and_rebuilt(stacked: Path, tmp_path: Path, name: str) -> None:
    assert check_index(stacked).ok and check_index(stacked).passages == 37
    index = tmp_path / "index"
    shutil.copytree(stacked, index)
    STACK_DAMAGE[name](index)
    report = check_index(index)
    assert not report.ok and report.problems[0].startswith("lexical index"), report.problems
    for command in (["search", "سيول القرية"], ["ask", "كم عدد القتلى؟"]):
        out = (
            mizan(*command, "--index", str(index), "--mode", "bm25")
            if command[0] == "search"
            else mizan(*command, "--index", str(index))
        )
        assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
        assert len(out.stderr.strip().splitlines()) == 1, out.stderr
    build_index([], index, rebuild=True)
    assert check_index(index).ok and check_index(index).passages == 37


def test_an_index_on_a_read_only_volume_can_be_searched_and_checked(whole: Path, tmp_path: Path) -> None:
    """Another user's index or a read-only volume: no WAL files can be created beside the database."""
    import subprocess

    readonly = tmp_path / "readonly"
    readonly.mkdir()
    mounted = subprocess.run(["mount", "--bind", str(whole), str(readonly)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("needs a read-only bind mount (root), to make a volume nobody can write")
    try:
        remount = subprocess.run(["mount", "-o", "remount,bind,ro", str(readonly)], capture_output=True)
        if remount.returncode != 0:
            pytest.skip("cannot remount read-only here")
        assert check_index(readonly).ok
        out = mizan("search", "جنود", "--index", str(readonly), "--mode", "bm25", "--json")
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout)["results"]
    finally:
        subprocess.run(["umount", str(readonly)], capture_output=True)
