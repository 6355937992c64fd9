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
