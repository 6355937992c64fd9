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


@pytest.fixture(scope="session")
def seeds_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five seed articles with real passage vectors (read-only: copy it to write)."""
    index = tmp_path_factory.mktemp("seeds") / "index"
    build_index([shared_path("seeds")], index, embed=True)
    return index


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`mizan serve` in a child process, as a user starts it; stopped by `stop`."""

    def __init__(self, index: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120.0):
        import os
        import subprocess
        import sys
        import time
        import urllib.request

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**os.environ, **(env or {})}
        mizan = Path(sys.executable).with_name("mizan")
        self.proc = subprocess.Popen(
            [str(mizan), "serve", "--index", str(index), "--port", str(self.port), *args],
            env=full_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"mizan serve exited with {self.proc.returncode}: {self.proc.stdout.read()}")
            try:
                with urllib.request.urlopen(self.url + "/api/health", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("mizan serve did not answer /api/health in time")
            time.sleep(0.2)

    def stop(self) -> str:
        """Stop the server; returns what it printed."""
        import subprocess

        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stdout.read() if self.proc.stdout else ""


WEB_TOKEN = "web-test-token"


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus without vectors (hybrid falls back to bm25); read-only: `writable` copies it."""
    index = tmp_path_factory.mktemp("sample") / "index"
    build_index([SAMPLE], index)
    return index


@pytest.fixture(scope="module")
def client(sample_index: Path):
    from web.app import create_app

    return create_app({"INDEX": str(sample_index)}).test_client()


@pytest.fixture
def writable(sample_index: Path, tmp_path: Path):
    """An app over a private copy of the sample index, with writes on (token WEB_TOKEN)."""
    import shutil

    from web.app import create_app

    index = tmp_path / "index"
    shutil.copytree(sample_index, index)
    return create_app({"INDEX": str(index), "API_TOKEN": WEB_TOKEN})
