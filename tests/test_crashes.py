"""kill -9 and Ctrl-C at every step of every write path: the index is always the one before or the one after.

Each write path is first run whole with MIZAN_KILL_POINTS set, which lists the steps where a
crash changes what is on disk (search/durable.py: before and after each rename, each flushed
generation, the commit, the tidying after it). Then, for each step, a fresh copy of the index
before is written to again with MIZAN_KILL_AT naming that step, so the process kills itself there
as `kill -9` would. After each kill: every reader sees the before or the after state, `mizan check`
passes, and running the same command again ends in the after state.
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.reliability import EXTRA, MIZAN, run, state
from search.store import Store
from tests.conftest import SAMPLE

pytestmark = pytest.mark.slow


def _points(argv: list[str], before: Callable[[Path], None], work: Path) -> list[str]:
    index = work / "listing" / "index"
    index.parent.mkdir(parents=True)
    before(index)
    log = work / "points.txt"
    done = run([*argv, str(index)], {"MIZAN_KILL_POINTS": str(log)})
    assert done.returncode == 0, done.stderr
    return [line.split(" ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()]


def _walk(argv: list[str], before: Callable[[Path], None], work: Path, sig: str = "KILL") -> list[str]:
    """Kill `argv + [index]` at each of its points (SIGKILL, or SIGINT as Ctrl-C); returns the points walked."""
    points = _points(argv, before, work)
    assert len(points) >= 4, points
    reference = work / "reference" / "index"
    reference.parent.mkdir()
    before(reference)
    state_before = state(reference)
    assert run([*argv, str(reference)], {}).returncode == 0
    state_after = state(reference)
    assert state_after != state_before
    for n, point in enumerate(points, start=1):
        index = work / f"kill-{n}" / "index"
        index.parent.mkdir()
        before(index)
        killed = run([*argv, str(index)], {"MIZAN_KILL_AT": str(n), "MIZAN_KILL_SIGNAL": sig})
        seen = state(index)
        assert seen in (state_before, state_after), f"killed at {point!r}: neither the before nor the after state"
        if sig == "KILL":
            assert killed.returncode == -signal.SIGKILL, (point, killed.stderr)
        else:  # one line that says which state the run left
            said = killed.stderr.strip()
            assert killed.returncode == 130 and len(said.splitlines()) == 1, (point, said)
            assert ("was saved" in said) == (seen == state_after), (point, said)
        if seen is not None:
            check = run([MIZAN, "check", "--index", str(index)], {})
            assert check.returncode == 0, (point, check.stdout, check.stderr)
        again = run([*argv, str(index)], {})
        assert again.returncode == 0, (point, again.stderr)
        assert state(index) == state_after, f"killed at {point!r}: the next run did not reach the after state"
        shutil.rmtree(index.parent)
    return points


def _index(*paths: Path, embed: bool = False) -> Callable[[Path], None]:
    """Lays down an index of `paths` (built once, then copied)."""
    built: list[Path] = []

    def build(index: Path) -> None:
        if not built:
            argv = [MIZAN, "index", *map(str, paths), "--index", str(index), "--quiet"]
            done = run(argv + ([] if embed else ["--no-embed"]), {})
            assert done.returncode == 0, done.stderr
            built.append(index.parent.parent / "template")
            shutil.copytree(index, built[0])
        else:
            shutil.copytree(built[0], index)

    return build


def _nothing(index: Path) -> None:
    pass


@pytest.fixture
def extra(tmp_path: Path) -> Path:
    path = tmp_path / "extra.jsonl"
    path.write_text(json.dumps(EXTRA, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("sig", ["KILL", "INT"])
def test_a_new_index(tmp_path: Path, sig: str) -> None:
    argv = [MIZAN, "index", str(SAMPLE / "feeds"), "--no-embed", "--quiet", "--index"]
    points = _walk(argv, _nothing, tmp_path, sig)
    assert any("renamed" in p for p in points) and "committed" in points


@pytest.mark.parametrize("sig", ["KILL", "INT"])
def test_adding_to_an_index(tmp_path: Path, extra: Path, sig: str) -> None:
    argv = [MIZAN, "index", str(extra), "--no-embed", "--quiet", "--index"]
    points = _walk(argv, _index(SAMPLE / "feeds"), tmp_path, sig)
    assert "committed" in points and any(p.startswith("flushed") for p in points)


@pytest.mark.parametrize("sig", ["KILL", "INT"])
def test_a_rebuild(tmp_path: Path, extra: Path, sig: str) -> None:
    argv = [MIZAN, "index", str(SAMPLE / "feeds"), str(extra), "--rebuild", "--no-embed", "--quiet", "--index"]
    points = _walk(argv, _index(SAMPLE / "feeds"), tmp_path, sig)
    assert sum("renamed" in p for p in points) >= 2  # the live index aside, the new one in


def test_adding_to_an_index_with_vectors(tmp_path: Path, extra: Path) -> None:
    argv = [MIZAN, "index", str(extra), "--quiet", "--index"]
    points = _walk(argv, _index(SAMPLE / "feeds", embed=True), tmp_path)
    assert sum(p.startswith("flushed") for p in points) >= 2  # the lexical and the dense generations


def test_removing_a_document(tmp_path: Path) -> None:
    """What DELETE /api/documents/<id> runs."""
    probe = tmp_path / "probe"
    _index(SAMPLE / "feeds")(probe)
    with Store.open(probe) as store:
        doc = min(d.doc_id for d in store.iter_documents())
    script = f"import sys; from indexer.pipeline import remove_documents; remove_documents([{doc!r}], sys.argv[1])"
    _walk([sys.executable, "-c", script], _index(SAMPLE / "feeds"), tmp_path / "walk")
