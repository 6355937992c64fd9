"""Search backends: one protocol (base.py), the embedded local one, and OpenSearch for scale-out (opensearch.py).

`open_backend` picks one by name: the `--backend` option, else $MIZAN_BACKEND, else local.
"""

from __future__ import annotations

import os
from pathlib import Path

from search.backends.base import Backend
from search.errors import MizanError

BACKENDS = ("local", "opensearch")


class UnknownBackend(MizanError):
    exit_code = 2


def backend_name(name: str | None = None) -> str:
    chosen = (name or os.environ.get("MIZAN_BACKEND") or "local").strip().lower()
    if chosen not in BACKENDS:
        raise UnknownBackend(
            f"unknown backend {chosen!r}; use one of: {', '.join(BACKENDS)} (--backend or MIZAN_BACKEND)"
        )
    return chosen


def open_backend(name: str | None, index_dir: Path | str, **options: object) -> Backend:
    """The local index at `index_dir`, or the OpenSearch index named by $MIZAN_OPENSEARCH_* (index_dir unused)."""
    if backend_name(name) == "opensearch":
        from search.backends.opensearch import OpenSearchBackend  # opensearch-py loads only when used

        return OpenSearchBackend(**options)  # type: ignore[arg-type]
    from search.backends.local import LocalBackend

    return LocalBackend(index_dir)
