"""The figure layer's word lists, kept as data beside the code that reads them.

nouns.json (what is counted, measures, categories), quantities.json (hedges and cue words),
claimants.json (who says a figure), places.json (where a figure stands). Words are stored as
news writes them; each module normalises them when it loads them, with the one normaliser
(search.arabic).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def load(name: str) -> dict:
    """The word lists of lexicon/<name>.json."""
    text = resources.files(__package__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    data: dict = json.loads(text)
    return data
