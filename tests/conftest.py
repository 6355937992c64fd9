"""Shared fixtures. Tests that read ../shared skip with a reason when it is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SAMPLE = REPO / "data" / "sample"


def shared_path(*parts: str) -> Path:
    """A path inside ../shared, or skip the test when the checkout has no ../shared beside it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs {path} (../shared beside the checkout, as CI has it)")
    return path


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


def build_index(paths, index, **kwargs):
    """index_paths for tests about ingestion: no progress bar, and no vectors unless asked
    (embedding is tested where it matters: tests/test_hybrid.py and the CLI tests)."""
    from indexer.pipeline import index_paths

    kwargs.setdefault("progress", False)
    kwargs.setdefault("embed", False)
    return index_paths(paths, index, **kwargs)
