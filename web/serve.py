"""`mizan serve`: the app behind gunicorn, a production WSGI server with several worker processes.

Each worker opens the index itself (after the fork) and notices new generations written
by any of them (POST /api/documents) on its next query, so all workers share one index
on disk. `--dev` runs Flask's own server instead: one process, reloads nothing, for debugging.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from search.errors import MizanError
from search.store import Store

log = logging.getLogger(__name__)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
# Threads per worker. Queries take the worker's engine in turn (one core's work each), so threads
# are not for speed: they keep a worker answering while clients are slow to send or to read (each
# such client holds one for at most web/worker.py's READ_TIMEOUT_S). Idle threads cost no CPU.
THREADS = 64


def default_workers() -> int:
    """One worker per core (at least two): a query is CPU work (the query vector alone is ~12 ms), and
    on 2 cores 3 workers answered 8 clients slower than 2 (bench/load.py: answer p95 ~293 vs ~280 ms)."""
    return max(2, min(8, os.cpu_count() or 1))


def check_index(index: Path, backend: str = "local") -> None:
    """Fail before binding the port when the index cannot be opened, with the fix in the message."""
    if backend == "opensearch":
        from search.engine import SearchEngine

        SearchEngine.open(index, backend).close()  # reachable, and an index of ours, or one clear line
        return
    with Store.open(index):
        pass


def _provision_onnx_model(index: Path) -> None:
    """Build the ONNX export once, here, before the workers start: otherwise each worker would export
    its own copy on its first query."""
    from search.embeddings import DEFAULT_MODEL
    from search.store import read_manifest

    if read_manifest(index).embedding_model == DEFAULT_MODEL:
        from search.onnx_export import provision_onnx_model

        provision_onnx_model()


def warm(app: Any) -> None:
    """Open the index and run one query in a new worker, so no user waits for the loading."""
    from search import maxscore
    from search.engine import Query

    try:
        maxscore.load()
        with app.extensions["mizan"].engine() as engine:
            engine.search(Query("ميزان", k=1))
            model = getattr(engine.backend, "dense_model", None)
            encoder = getattr(engine.backend, "dense_encoder", None)
        if model and encoder and app.config.get("API_TOKEN") and app.config["BACKEND"] == "local":
            # writes embed their passages here: load the model now, not on a client's first post
            from search.encoders import shared_encoder

            shared_encoder(model, encoder=encoder)
    except Exception:  # the request that needs the index will say what is wrong
        log.warning("worker warm-up failed", exc_info=True)


def serve(
    index: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    workers: int | None = None,
    dev: bool = False,
    access_log: bool = False,
    backend: str = "local",
) -> None:
    check_index(index, backend)
    if backend == "local":
        _provision_onnx_model(index)
    # Queries run on one core each: a worker's math library must not spin threads onto the others'.
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    from web.app import create_app  # not at import: the CLI's parser reads this module's defaults

    app = create_app({"INDEX": str(index), "BACKEND": backend})
    if dev:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
        return
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError as exc:  # pragma: no cover - gunicorn is a dependency
        raise MizanError("gunicorn is not installed; reinstall Mizan (pip install -e .) or use --dev") from exc

    options: dict[str, Any] = {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers or default_workers(),
        # Threads with bounded reads (web/worker.py): slow or silent clients cannot take every worker.
        "worker_class": "web.worker.MizanWorker",
        "threads": THREADS,
        "keepalive": 5,
        "timeout": 120,  # the main thread's heartbeat: a long request in a thread does not trip it
        "graceful_timeout": 10,
        "limit_request_line": 8190,  # a 500-character Arabic query is ~6 kB percent-encoded
        "limit_request_fields": 100,
        "limit_request_field_size": 8190,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info",
        "proc_name": "mizan",
        "control_socket_disable": True,  # one shared socket path would clash between servers on a machine
        "post_worker_init": lambda worker: warm(app),
    }

    class MizanServer(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return app

    log.info("serving %s on http://%s:%d with %d workers", index, host, port, options["workers"])
    MizanServer().run()
