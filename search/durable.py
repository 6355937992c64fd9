"""File operations that survive a crash, and the kill points that prove it.

A write stores its new files beside the database, flushes them to disk, then commits the SQLite
transaction that names them; a rebuild swaps a whole folder in with two renames. Each rename is
followed by a flush of the folder that holds it, so a power cut leaves the before or the after
state, as a killed process does.

`kill_point(name)` marks each step where a crash changes what is on disk. With
MIZAN_KILL_AT=N in the environment the process kills itself (SIGKILL, as `kill -9` would) at
the Nth point it reaches (Ctrl-C instead with MIZAN_KILL_SIGNAL=INT); with MIZAN_KILL_POINTS=FILE
it appends each point's name there. tests/test_crashes.py and bench/reliability.py walk every
write path through every point; nothing else sets them.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

_reached = 0


def kill_point(name: str) -> None:
    """A step a crash must survive: killed here when MIZAN_KILL_AT names this point's turn."""
    global _reached
    log = os.environ.get("MIZAN_KILL_POINTS")
    at = os.environ.get("MIZAN_KILL_AT")
    if not log and not at:
        return
    _reached += 1
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{_reached} {name}\n")
    if at and int(at) == _reached:
        # SIGINT stands for Ctrl-C at that step (a KeyboardInterrupt here); the default is kill -9
        if os.environ.get("MIZAN_KILL_SIGNAL") == "INT":
            if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:  # a background shell's: as at a terminal
                signal.signal(signal.SIGINT, signal.default_int_handler)
            os.kill(os.getpid(), signal.SIGINT)
        else:
            os.kill(os.getpid(), signal.SIGKILL)


def fsync_dir(path: Path) -> None:
    """Flush a folder's entries (names created, renamed or removed in it)."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_tree(path: Path) -> None:
    """Flush every file under a freshly written folder, then the folder itself."""
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        fd = os.open(file, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    for folder in sorted((p for p in path.rglob("*") if p.is_dir()), reverse=True):
        fsync_dir(folder)
    fsync_dir(path)
    kill_point(f"flushed {path.name}")


def replace(source: Path, target: Path) -> None:
    """`os.replace` made durable: the rename is flushed before the caller goes on."""
    kill_point(f"before renaming {source.name} to {target.name}")
    os.replace(source, target)
    fsync_dir(Path(target).parent)
    kill_point(f"renamed {source.name} to {target.name}")


def write_atomically(path: Path, text: str) -> None:
    """Replace a small file whole: written and flushed under a temporary name, then renamed."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    replace(tmp, path)
