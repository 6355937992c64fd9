"""Generations of an index's BM25 and vector files as a base and small deltas, so a write costs what it adds.

A write used to load the whole structure, change it and save it whole: O(index) per posted
document, and every reader loaded it whole again. Now a generation is a stack of parts:

    lexical/g000001/   a base: the whole structure as BM25Index.save / DenseIndex.save write it
    lexical/g000007/   a delta: a small structure of the passages later writes added, and
                       removed.json, the passage ids they removed from the parts before it
    lexical/g000009/   ...; the newest part's parts.json lists the whole stack, oldest first

`meta` names the newest part. Loading replays each delta on the base (`absorb`: remove, then
add); a reader that has the base keeps it and replays deltas on a copy (`Stacks`). A writer
saves only its own delta, then merges deltas of similar size (a binary counter, so a stack
holds O(log n) deltas and a passage is rewritten O(log n) times) and folds them into a new
base once they reach a quarter of it or MAX_PENDING_ROWS (so a base is rewritten after a
quarter of its size in new rows, and a write's cost is amortised O(its passages), but for the
largest indexes, where it is a few milliseconds a row). Parts are never changed once written:
a run that dies before its commit leaves the named stack whole.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, Self, TypeVar

PARTS = "parts.json"
REMOVED = "removed.json"
BASE_SHARE = 0.25  # deltas are folded into a new base once their rows reach this share of the base's
MIN_BASE_ROWS = 2_000  # below this a base is cheap to rewrite: deltas up to a quarter of this first
MAX_PENDING_ROWS = 50_000  # and at most this many: readers search a vector delta exactly, row by row
MAX_DELTAS = 16


class Stackable(Protocol):
    """BM25Index and DenseIndex: a delta replays onto a structure of its own kind."""

    def absorb(self, delta: Self, removed: Iterable[str]) -> None: ...

    def copy(self) -> Self: ...


S = TypeVar("S", bound=Stackable)


@dataclass(frozen=True)
class Part:
    name: str  # "lexical/g000007", relative to the index directory
    rows: int  # rows the part holds (a delta: added passages)
    removed: int = 0  # passage ids a delta removes from the parts before it

    @property
    def weight(self) -> int:
        return self.rows + self.removed


def parts_of(index_dir: Path, generation: str) -> list[Part]:
    """The stack a generation names, oldest first (a folder without parts.json, saved before stacks or
    by a tool that saves whole structures, is a base alone)."""
    listing = index_dir / generation / PARTS
    if not listing.is_file():
        rows = len(json.loads((index_dir / generation / "ids.json").read_text(encoding="utf-8")))
        return [Part(generation, rows)]
    data = json.loads(listing.read_text(encoding="utf-8"))
    return [Part(p["name"], int(p["rows"]), int(p.get("removed", 0))) for p in data]


def write_parts(folder: Path, parts: list[Part], removed: Iterable[str] = ()) -> None:
    """Write a part's own listing (and, for a delta, the ids it removes) into its new folder."""
    if parts[-1].removed:
        (folder / REMOVED).write_text(json.dumps(sorted(removed)), encoding="utf-8")
    listing = [{"name": p.name, "rows": p.rows, "removed": p.removed} for p in parts]
    (folder / PARTS).write_text(json.dumps(listing), encoding="utf-8")


def removed_by(index_dir: Path, part: Part) -> list[str]:
    if not part.removed:
        return []
    return list(json.loads((index_dir / part.name / REMOVED).read_text(encoding="utf-8")))


def load_stack(index_dir: Path, generation: str, read: Callable[[Path], S], base: S | None = None) -> S:
    """The structure a generation names: its base (`base` when the caller already holds it: it is
    copied, not changed) with every delta replayed on it."""
    parts = parts_of(index_dir, generation)
    index = base.copy() if base is not None else read(index_dir / parts[0].name)
    for part in parts[1:]:
        index.absorb(read(index_dir / part.name), removed_by(index_dir, part))
    return index


def kept(index_dir: Path, generation: str | None) -> set[str]:
    """The part folders a generation needs (none other may be removed while it is current)."""
    if generation is None:
        return set()
    try:
        return {p.name for p in parts_of(index_dir, generation)}
    except (OSError, ValueError, KeyError, TypeError):  # a damaged listing: keep everything, `check` will say
        kind = generation.split("/")[0]
        return {f"{kind}/{p.name}" for p in (index_dir / kind).glob("*")}


@dataclass(frozen=True)
class Plan:
    """Where a write goes: a new base of everything, or a delta on `stays` that takes the place of
    the newest deltas, `merged`."""

    base: bool
    stays: list[Part] = field(default_factory=list)
    merged: list[Part] = field(default_factory=list)


def plan_write(parts: list[Part] | None, rows: int, removed: int) -> Plan:
    """Where a write of `rows` added and `removed` removed passages goes, given the current stack
    (None: no index yet)."""
    if parts is None:
        return Plan(base=True)
    deltas = parts[1:]
    pending = sum(p.weight for p in deltas) + rows + removed
    limit = min(BASE_SHARE * max(parts[0].rows, MIN_BASE_ROWS), MAX_PENDING_ROWS)
    if pending > limit or len(deltas) >= MAX_DELTAS:
        return Plan(base=True)
    run, merge = rows + removed, 0
    while merge < len(deltas) and 2 * run >= deltas[-1 - merge].weight:
        run += deltas[-1 - merge].weight
        merge += 1
    cut = len(parts) - merge
    return Plan(False, parts[:cut], parts[cut:])


class Stacks(Generic[S]):
    """A reader's view of one kind of structure: keeps the base it loaded and replays only deltas."""

    def __init__(self, read: Callable[[Path], S]):
        self._read = read
        self._base_name: str | None = None
        self._base: S | None = None

    def load(self, index_dir: Path, generation: str) -> S:
        parts = parts_of(index_dir, generation)
        if parts[0].name != self._base_name or self._base is None:
            self._base = self._read(index_dir / parts[0].name)
            self._base_name = parts[0].name
        if len(parts) == 1:
            return self._base
        return load_stack(index_dir, generation, self._read, self._base)

    def forget(self) -> None:
        self._base_name, self._base = None, None
