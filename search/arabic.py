"""The one Arabic normaliser, tokeniser and light stemmer used by every path.

Index, query, highlighting and figure matching all call this module, so a word
is folded the same way wherever it is seen. Normalisation keeps a map from every
normalised character back to the raw text, because highlights and figure spans
are shown on the raw (unnormalised) text.

Rules (DESIGN.md, "Arabic text"):
- strip harakat U+064B..U+065F and U+0670, Quranic annotation marks, tatweel;
- fold أ إ آ ٱ ٲ ٳ → ا, ى → ي, ة → ه, ک → ك, ی ې ے → ي, ہ ۀ ۂ ۃ ە → ه;
- Arabic-Indic and Persian digits → 0-9; a digit-group comma (, or ٬) between
  digits is dropped and ٫ between digits becomes "." (so 10,000 and ١٠٬٠٠٠
  both read 10000);
- Arabic presentation forms and lam-alef ligatures via NFKC, fullwidth forms too;
- drop bidi and zero-width marks (U+200B..U+200F, U+202A..U+202E, U+2066..U+2069,
  U+061C, U+FEFF, soft hyphen);
- Latin letters are lower-cased and lose their accents.

Bump NORMALISER_VERSION whenever any rule changes: indexes record it and refuse
to be read by code that normalises differently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

NORMALISER_VERSION = 1

_HARAKAT = {chr(c) for c in range(0x064B, 0x0660)} | {"\u0670"}
_QURANIC_MARKS = {
    chr(c) for c in (*range(0x06D6, 0x06DD), *range(0x06DF, 0x06E5), 0x06E7, 0x06E8, *range(0x06EA, 0x06EE))
}
_TATWEEL = "\u0640"
# Marks that belong to the letter before them: a highlight of the word includes them.
_ATTACHED = _HARAKAT | _QURANIC_MARKS | {_TATWEEL}
# Invisible marks that belong to no letter.
_INVISIBLE = {chr(c) for c in (*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A))} | {
    "\u061c",
    "\ufeff",
    "\u00ad",
}
# Combining hamza/madda written as separate code points compose with the letter before.
_COMPOSING = {"\u0653", "\u0654", "\u0655"}

_FOLD = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ٲ": "ا",
    "ٳ": "ا",
    "ى": "ي",
    "ة": "ه",
    "ک": "ك",
    "ی": "ي",
    "ې": "ي",
    "ے": "ي",
    "ہ": "ه",
    "ۀ": "ه",
    "ۂ": "ه",
    "ۃ": "ه",
    "ە": "ه",
}
for _i in range(10):
    _FOLD[chr(0x0660 + _i)] = str(_i)  # Arabic-Indic ٠..٩
    _FOLD[chr(0x06F0 + _i)] = str(_i)  # Persian ۰..۹


def _is_presentation_form(ch: str) -> bool:
    cp = ord(ch)
    return 0xFB50 <= cp <= 0xFDFF or 0xFE70 <= cp <= 0xFEFC or 0xFF01 <= cp <= 0xFF5E


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """What one raw character becomes, out of context (may be '', one or several chars)."""
    if ch in _ATTACHED or ch in _INVISIBLE or ch in _COMPOSING:
        return ""
    if ch in _FOLD:
        return _FOLD[ch]
    if _is_presentation_form(ch):
        expanded = unicodedata.normalize("NFKC", ch)
        if expanded == ch:  # no compatibility mapping (ornate parentheses, unassigned points)
            return ch
        return "".join(_fold_char(c) for c in expanded if not c.isspace())
    cp = ord(ch)
    if cp < 0x0600 and ch.isalpha():
        decomposed = unicodedata.normalize("NFD", ch.lower())
        return "".join(c for c in decomposed if not unicodedata.combining(c))
    return ch


def fold_char(ch: str) -> str:
    """What one raw character becomes out of context: the OpenSearch mapping char filter is generated
    from this (search/backends/opensearch_bodies.py), so the cluster folds as we do."""
    return _fold_char(ch)


COMPOSING_MARKS = tuple(sorted(_COMPOSING))  # combined with the letter before them, not folded alone

# A digit-group comma between two digits is dropped and ٫ becomes ".", judged on the
# folded text, so marks or invisible characters between them do not matter.
_DIGIT_GROUP_RE = re.compile(r"(?<=[0-9])[,٬٫](?=[0-9])")
_COMPOSING_RE = re.compile("[\u0653-\u0655]")


class _FoldTable(dict):
    """code point → folded form for str.translate, filled as characters are met."""

    def __missing__(self, cp: int) -> str:
        folded = self[cp] = _fold_char(chr(cp))
        return folded


_TABLE = _FoldTable()


def _digit_group(m: re.Match) -> str:
    return "." if m.group() == "٫" else ""


@dataclass(frozen=True)
class Normalized:
    """Normalised text with, for each of its characters, the raw span it came from.

    raw_starts[k] is the raw index of the character that produced text[k]; raw_ends[k]
    is where the next producing character starts, so the span of a letter covers the
    harakat, tatweel and invisible marks that follow it.
    """

    raw: str
    text: str
    raw_starts: tuple[int, ...]
    raw_ends: tuple[int, ...]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """Raw [start, end) covering normalised [start, end); end > start."""
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"span ({start}, {end}) outside normalised text of length {len(self.text)}")
        return self.raw_starts[start], self.raw_ends[end - 1]


def _fold_with_starts(raw: str) -> tuple[str, np.ndarray]:
    """Context-free folding of every character, and the raw index behind each output character."""
    if _COMPOSING_RE.search(raw) is None:
        # Fast path: C-level translate, and per-character output lengths through numpy.
        folded = raw.translate(_TABLE)
        if len(folded) == len(raw) and all(len(_TABLE[ord(ch)]) == 1 for ch in set(raw)):
            return folded, np.arange(len(raw), dtype=np.int64)
        cps = np.frombuffer(raw.encode("utf-32-le"), dtype=np.uint32)
        uniq, inverse = np.unique(cps, return_inverse=True)
        lengths = np.fromiter((len(_TABLE[int(u)]) for u in uniq), dtype=np.int64, count=len(uniq))[inverse]
        return folded, np.repeat(np.arange(len(raw), dtype=np.int64), lengths)
    # Rare: a hamza or madda written as a separate mark composes with the letter before it.
    out: list[str] = []
    starts: list[int] = []
    i, n = 0, len(raw)
    while i < n:
        ch, end = raw[i], i + 1
        if end < n and raw[end] in _COMPOSING:
            composed = unicodedata.normalize("NFC", ch + raw[end])
            if len(composed) == 1:
                ch, end = composed, end + 1
        folded_ch = _fold_char(ch)
        out.append(folded_ch)
        starts.extend([i] * len(folded_ch))
        i = end
    return "".join(out), np.array(starts, dtype=np.int64)


def normalize_with_map(raw: str) -> Normalized:
    """Normalise `raw` and keep, per output character, the raw span that produced it."""
    folded, starts = _fold_with_starts(raw)
    if _DIGIT_GROUP_RE.search(folded):
        keep = np.ones(len(folded), dtype=bool)
        for m in _DIGIT_GROUP_RE.finditer(folded):
            if m.group() != "٫":
                keep[m.start()] = False
        folded = _DIGIT_GROUP_RE.sub(_digit_group, folded)
        starts = starts[keep]
    following = np.append(starts, len(raw))
    ends = following[np.searchsorted(starts, starts, side="right")]
    return Normalized(raw, folded, tuple(starts.tolist()), tuple(ends.tolist()))


def normalize(raw: str) -> str:
    """The normalised form of `raw` (see the module docstring for the rules)."""
    if _COMPOSING_RE.search(raw) is not None:
        return normalize_with_map(raw).text
    folded = raw.translate(_TABLE)
    return _DIGIT_GROUP_RE.sub(_digit_group, folded) if "," in folded or "٬" in folded or "٫" in folded else folded


# ---------------------------------------------------------------- tokens

_TOKEN_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*|[^\W\d_]+")


@dataclass(frozen=True)
class Token:
    """A word or number: its normalised form, its stem, and where it is in both texts."""

    text: str
    stem: str
    start: int
    end: int
    raw_start: int
    raw_end: int


def is_number(word: str) -> bool:
    """A token of digits (normalised, so 0-9); not a letter token that opens with a superscript like «³»."""
    return "0" <= word[:1] <= "9"


def tokenize(raw: str) -> list[Token]:
    """Tokens of `raw`, with offsets into the normalised and the raw text."""
    norm = normalize_with_map(raw)
    tokens = []
    for m in _TOKEN_RE.finditer(norm.text):
        rs, re_ = norm.raw_span(m.start(), m.end())
        word = m.group()
        tokens.append(Token(word, stem(word), m.start(), m.end(), rs, re_))
    return tokens


def terms(raw: str, *, stemmed: bool = True) -> list[str]:
    """The terms of `raw`: stems, or the unstemmed normalised words."""
    words = _TOKEN_RE.findall(normalize(raw))
    return [stem(w) for w in words] if stemmed else words


# Function words and question words (normalised): they carry no topic, and question
# words («كم», «ما») would otherwise match every passage that happens to use them.
STOPWORDS = frozenset(
    normalize(w)
    for w in """
    في من على إلى الى عن مع أن إن ان أو او ثم حتى قد لقد لا لم لن ما ماذا هل كم كيف متى أين لماذا أي هذا
    هذه ذلك تلك هؤلاء الذي التي الذين اللذين اللتين اللواتي هو هي هم هن نحن أنا انت أنت أنتم كان كانت
    يكون تكون كانوا وكان وكانت قال وقال قالت وقالت أيضا كما لكن بل إذا اذا إذ عند عندما بين بعد قبل خلال
    حول ضد دون غير منذ لدى كل بعض عبر فيه فيها منه منها عليه عليها إليه إليها به بها له لها و ف ب ل ك يا
    ال وفي ومن وعلى وإلى وعن ومع وأن وإن فإن بأن لأن كذلك هناك هنا
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def search_terms(raw: str) -> list[str]:
    """What the lexical index stores and what a query is matched with: stems without stopwords.

    The one tokenising function for both sides, so a query is analysed like the index.
    """
    return [stem(w) for w in _TOKEN_RE.findall(normalize(raw)) if w not in STOPWORDS]


# ---------------------------------------------------------------- light stemmer
# A light stemmer of our own: Lucene's light10 and Snowball both conflate words
# a news reader needs apart (الكوريين/الكورة → كور, وزارة → زار, آلاف → اف,
# مليون → مل). Ours strips one definite-article family prefix, a conjunction و
# unless the و belongs to the word, and at most one suffix, keeps stems of at
# least three letters, and maps number words to one lemma each.

_AL_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
_SUFFIXES = ("ها", "ات", "ون", "ين", "ان", "ه")
_MIN_STEM = 3
_MIN_STEM_DUAL = 4  # "ان" also ends many nouns (طيران، سودان، لبنان)

# Number and magnitude words → one lemma, so ألف/آلاف/الآلاف/ألفاً meet in search
# and never collapse into a two-letter stem. Keys are normalised forms.
_NUMBER_LEMMAS = {
    **dict.fromkeys(("الف", "الفا", "الفان", "الفين", "الفي", "الاف", "الالاف", "الالف"), "الف"),
    **dict.fromkeys(("مليون", "مليونا", "مليونان", "مليونين", "ملايين", "الملايين", "المليون"), "مليون"),
    **dict.fromkeys(("مليار", "مليارا", "ملياران", "مليارين", "مليارات", "المليارات", "المليار"), "مليار"),
    **dict.fromkeys(("مئه", "مائه", "مئات", "المئات", "المئه", "المائه", "مئتين", "مئتان", "مائتين", "مائتان"), "مئه"),
    **dict.fromkeys(("عشرات", "العشرات"), "عشرات"),
}
_PROCLITICS = ("وب", "ول", "فب", "فل", "و", "ب", "ل", "ف", "ك")

# Words whose first و is part of the word, not the conjunction (compared after
# suffix stripping). Without this, وزارة would lose its و and become زار.
_ROOT_WAW = frozenset(
    [
        "وزار",
        "وزاري",
        "وزير",
        "وزيره",
        "وزرا",
        "وزراء",
        "وكال",
        "وكيل",
        "ولاي",
        "ولايات",
        "والي",
        "وطن",
        "وطني",
        "وقت",
        "وفد",
        "وفود",
        "وفا",
        "وفاء",
        "وجود",
        "وجه",
        "وجهه",
        "وسط",
        "وضع",
        "اوضاع",
        "وصل",
        "وصول",
        "وقع",
        "وقوع",
        "واقع",
        "وثيق",
        "وثائق",
        "وحد",
        "وحده",
        "وحدات",
        "ورق",
        "ورقه",
        "ورد",
        "وعد",
        "وقف",
        "ولد",
        "ولاده",
        "ولي",
        "ودي",
        "وادي",
        "وفق",
        "وفقا",
        "وراء",
        "وزن",
        "واشنطن",
        "واجب",
        "واضح",
        "واحد",
        "وسائل",
        "وسيل",
        "وسيله",
        "وصف",
        "وظيف",
        "وظيفه",
        "وظائف",
        "وعي",
        "وكر",
        "ولاء",
        "وليد",
        "وائل",
        "وديع",
        "وجدي",
        "وارد",
        "واردات",
        "ورشه",
        "وقود",
        "وباء",
    ]
)


def _strip_suffix(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix):
            rest = word[: -len(suffix)]
            needed = _MIN_STEM_DUAL if suffix == "ان" else _MIN_STEM
            if len(rest) >= needed:
                return rest
            break
    return word


def _strip_article(word: str) -> str | None:
    for prefix in _AL_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            return word[len(prefix) :]
    return None


def number_lemma(word: str) -> str | None:
    """The lemma of a normalised number word (آلاف → الف), with or without a proclitic."""
    if word in _NUMBER_LEMMAS:
        return _NUMBER_LEMMAS[word]
    for clitic in _PROCLITICS:
        if word.startswith(clitic) and word[len(clitic) :] in _NUMBER_LEMMAS:
            return _NUMBER_LEMMAS[word[len(clitic) :]]
    return None


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Light stem of one normalised word; numbers and non-Arabic words are unchanged."""
    if len(word) <= 2 or not ("\u0621" <= word[0] <= "\u064a"):
        return word
    lemma = number_lemma(word)
    if lemma is not None:
        return lemma
    bare = _strip_article(word)
    if bare is not None:
        return _strip_suffix(bare)
    if word[0] == "و" and len(word) >= 4:
        whole = _strip_suffix(word)
        if whole in _ROOT_WAW or word in _ROOT_WAW:
            return whole
        rest = word[1:]
        bare = _strip_article(rest)
        return _strip_suffix(bare if bare is not None else rest)
    return _strip_suffix(word)
