"""Bytes to text for Arabic news files: UTF-8, UTF-16, and the legacy Arabic code pages.

Old Arabic news sites still serve Windows-1256 and ISO-8859-6. Both decode most
byte strings without error, so we decode with each candidate and keep the one
whose text reads as Arabic: common function words found, few Latin accented
letters (what one code page's Arabic letters look like in the other).
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from search.errors import UnreadableFile

_LEGACY = ("cp1256", "iso-8859-6")
_COMMON_WORDS = re.compile(
    r"(?<![\u0621-\u064a])(?:في|من|على|إلى|الى|أن|ان|عن|التي|الذي|مع|هذا|هذه)(?![\u0621-\u064a])"
)
_ACCENTED_LATIN = re.compile(r"[À-ÿ]")
_ARABIC_LETTER = re.compile(r"[\u0621-\u064a]")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.IGNORECASE)
_ALIASES = {"windows-1256": "cp1256", "x-cp1256": "cp1256", "iso-8859-6": "iso-8859-6", "arabic": "iso-8859-6"}


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the head: not a text file (UTF-16 is checked first)."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > max(8, len(head) // 50)


def _arabic_score(text: str) -> float:
    letters = len(_ARABIC_LETTER.findall(text))
    if letters == 0:
        return 0.0
    words = len(_COMMON_WORDS.findall(text))
    accented = len(_ACCENTED_LATIN.findall(text))
    return (words * 20 + letters - accented * 10) / max(1, len(text))


def declared_charset(data: bytes) -> str | None:
    """The charset an HTML page declares in a <meta> tag, if any."""
    m = _META_CHARSET.search(data[:4096])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    name = _ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def decode_bytes(data: bytes, *, name: str = "input") -> Decoded:
    """Decode a news file; raises UnreadableFile with a hint when it is not text we can read."""
    if not data.strip():
        raise UnreadableFile(f"{name}: empty file, skipped")
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[3:].decode("utf-8", errors="replace"), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return Decoded(data.decode("utf-16", errors="replace"), "utf-16")
    if looks_binary(data):
        raise UnreadableFile(f"{name}: binary file (not text, HTML or JSON Lines), skipped")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    declared = declared_charset(data)
    candidates = ([declared] if declared and declared != "utf-8" else []) + [c for c in _LEGACY if c != declared]
    best: Decoded | None = None
    best_score = 0.0
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        score = _arabic_score(text)
        if encoding == declared:
            score *= 1.5  # trust a declaration that decodes cleanly and reads as Arabic
        if score > best_score:
            best, best_score = Decoded(text, encoding), score
    if best is None or best_score < 0.05:
        raise UnreadableFile(
            f"{name}: not valid UTF-8 and does not read as Windows-1256 or ISO-8859-6 Arabic; "
            "re-save it as UTF-8 and index it again"
        )
    return best
