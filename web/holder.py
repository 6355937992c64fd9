"""The app's one search engine, reached by views and the API through Flask's app context.

A module of its own so that `web/app.py` imports the views and the views import this, never
the app back (no import circle).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from search.engine import SearchEngine

EXTENSION = "mizan"  # the key of the holder in app.extensions


class EngineHolder:
    """One search engine per process, opened on first use and shared by its threads in turn.

    Opened lazily so a server's workers each open their own after forking, and a missing
    index is reported on the request that needs it instead of failing start-up.
    """

    def __init__(self, index_dir: Path, factory: Callable[[Path], SearchEngine] = SearchEngine.open):
        self.index_dir = index_dir
        self._factory = factory
        self._engine: SearchEngine | None = None
        self._pid: int | None = None
        self._lock = threading.RLock()

    @contextmanager
    def engine(self) -> Iterator[SearchEngine]:
        with self._lock:
            if self._engine is None or self._pid != os.getpid():
                self._engine = self._factory(self.index_dir)
                self._pid = os.getpid()
            yield self._engine

    def close(self) -> None:
        with self._lock:
            if self._engine is not None and self._pid == os.getpid():
                self._engine.close()
            self._engine = None


def holder() -> EngineHolder:
    """The engine holder of the app handling this request."""
    found: EngineHolder = current_app.extensions[EXTENSION]
    return found
