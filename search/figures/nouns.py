"""What a figure counts: counted nouns, their classes, and what happened to the counted.

Numbers are followed by the noun in the case the number governs (عشرة جنود، 11 جندياً،
100 جندي), and news uses broken plurals (جندي/جنود، قتيل/قتلى). A light stem cannot
meet those, so the nouns news counts are listed here with their plurals, grouped in
classes of words that count the same thing (جندي، عسكري، مقاتل، قوات: soldiers).
Words outside the lexicon fall back to the light stem (search.arabic.stem).

Categories say what happened to the counted (dead, injured, missing, displaced,
captured): «مقتل 20 جندياً» counts dead soldiers, not soldiers; «14 قتيلاً» counts the dead.
Measures name the quantity a question asks for without a noun (مساحة → area units).
Every lookup takes a normalised word (search.arabic.normalize).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from search.arabic import STOPWORDS, is_number, normalize, stem
from search.figures.lexicon import load

_NOUNS = load("nouns")
# kind of a class: "human" (counted people), "unit" (a measure), "thing", "event", "time";
# an entry is "singular/plural/plural…", the first form names it (lexicon/nouns.json)
_LEXICON: dict[str, tuple[str, str]] = {c: (v["kind"], " ".join(v["entries"])) for c, v in _NOUNS["classes"].items()}

# Questions that ask for a measure rather than a count name it: «كم تبلغ مساحة …».
_MEASURE_WORDS: dict[str, str] = {w: m for m, words in _NOUNS["measures"].items() for w in words}

MEASURES: dict[str, str] = {normalize(w): m for w, m in _MEASURE_WORDS.items()}

# Words that say what happened to the counted, with or without a clitic.
_CATEGORY_WORDS: dict[str, str] = {w: c for c, words in _NOUNS["categories"].items() for w in words}
CATEGORY_WORDS: dict[str, str] = {normalize(w): c for w, c in _CATEGORY_WORDS.items()}
# The totals an amount can be of (exports, production, a deficit …), by light stem.
_AGGREGATES: dict[str, str] = {stem(normalize(w)): a for a, words in _NOUNS["aggregates"].items() for w in words}


def aggregate_of(word: str) -> str | None:
    """The total a normalised word names («إنتاج», «وصادرات»: production, exports), or None."""
    found = _AGGREGATES.get(stem(word))
    if found is None and word[:1] in ("و", "ب", "ل", "ف") and len(word) > 3:
        found = _AGGREGATES.get(stem(word[1:]))
    return found


# A category class noun counts people with that category (قتلى = dead people).
CATEGORY_OF_CLASS = {
    "dead": "dead",
    "injured": "injured",
    "missing": "missing",
    "displaced": "displaced",
    "prisoner": "captured",
}
GENERIC_HUMAN = "person"  # شخص، فرد، نسمة: matches any class of people
_CLITICS = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ب", "ل", "ف")
_SUFFIXES = ("ين", "ون", "ان", "ات", "ا", "ه")
POSSESSIVES = ("هما", "ها", "هم", "هن")  # pronouns of whose: «سكانها», «عددهم»


@dataclass(frozen=True)
class Noun:
    lemma: str  # the class's first form of this entry, normalised (جندي for جنود)
    cls: str  # the class (soldier) or, outside the lexicon, "stem:" + the light stem
    kind: str  # human, thing, event, time, unit, or unknown
    word: str = ""  # outside the lexicon: the word as written (normalised)

    @property
    def known(self) -> bool:
        return self.kind != "unknown"


def _build() -> dict[str, Noun]:
    table: dict[str, Noun] = {}
    for cls, (kind, entries) in _LEXICON.items():
        for entry in entries.split():
            forms = [normalize(f) for f in entry.split("/")]
            for form in forms:
                table.setdefault(form, Noun(forms[0], cls, kind))
    return table


_TABLE = _build()


def _build_duals() -> dict[str, Noun]:
    """Indefinite duals of the lexicon's nouns («شخصين», «سيارتين», «يومين»): a count of two.
    A form that is also a listed plural («مدنيين») is left out: it may be either."""
    listed = set(_TABLE)
    duals: dict[str, Noun] = {}
    # a form two entries share goes to durations first: «سنتين» is two years, not two cents
    for cls, (kind, entries) in sorted(_LEXICON.items(), key=lambda c: c[0] != "time"):
        if kind not in ("human", "thing", "time", "unit", "event"):
            continue
        for entry in entries.split():
            singular = normalize(entry.split("/")[0])
            if len(singular) == 4 and singular[1] == "ا":
                continue  # فاعل: «عاملين», «زائرين» are also sound plurals
            base = singular[:-1] + "ت" if singular.endswith("ه") else singular
            forms = (base + "ين", base + "ان") if kind in ("human", "thing") else (base + "ين",)  # not «ميلان»
            for form in forms:
                if form not in listed and len(base) >= 3:
                    duals.setdefault(form, Noun(singular, cls, kind))
    return duals


_DUALS = _build_duals()


def dual_noun(word: str) -> Noun | None:
    """The noun a normalised indefinite dual counts two of, or None («شخصين» → شخص)."""
    if word in _DUALS:
        return _DUALS[word]
    if word[:1] in "وب" and word[1:] in _DUALS:
        return _DUALS[word[1:]]
    return None


def _candidates(word: str) -> list[str]:
    """The word, without its article and conjunction or its possessive pronoun, and without a case or
    plural ending; a plural in construct («مصابي التفجير») also as the plural it inflects."""
    bases = [word]
    for clitic in _CLITICS:
        if word.startswith(clitic) and len(word) - len(clitic) >= 2:
            bases.append(word[len(clitic) :])
    if word.endswith("ته") and len(word) >= 5:
        bases.append(word[:-2] + "ه")  # «ضحيته», «قيمته»: ة with «ه» after it
    for pronoun in POSSESSIVES:  # «سكانها», «قتلاهم» (ى is written ا before it), «جنودها»
        if word.endswith(pronoun) and len(word) - len(pronoun) >= 3:
            owned = word[: -len(pronoun)]
            bases += [owned, owned[:-1] + "ي"] if owned.endswith("ا") else [owned]
            break
    out = []
    for base in bases:
        out.append(base)
        if len(base) >= 5 and base[-1] in "يو":  # not «أخرى», «كبرى» (ى is written ي once normalised)
            out.append(base[:-1] + ("ين" if base[-1] == "ي" else "ون"))
        for suffix in _SUFFIXES:
            if base.endswith(suffix) and len(base) - len(suffix) >= 2:
                out.append(base[: -len(suffix)])
                if suffix == "ات":
                    out.append(base[:-2] + "ه")  # شركات → شركه
    return out


@lru_cache(maxsize=50_000)
def lookup(word: str) -> Noun | None:
    """The lexicon entry of a normalised word, or None. A function word is never an entry by a
    stripped ending («كما» is not كم), only as itself («كم» after a number is the kilometre)."""
    if word in STOPWORDS:
        return _TABLE.get(word)
    for candidate in _candidates(word):
        if candidate in _TABLE:
            return _TABLE[candidate]
    return None


def skeleton(word: str) -> str:
    """A word's consonants without its article and long vowels: broken plurals meet their singular
    («مواقع»/«موقع», «تجار»/«تاجر», «أنهار»/«نهر»), for nouns outside the lexicon."""
    for article in ("وال", "بال", "ال"):
        if word.startswith(article) and len(word) - len(article) >= 3:
            word = word[len(article) :]
            break
    if word.endswith(("ين", "ون", "ات")) and len(word) > 4:
        word = word[:-2]
    elif word.endswith("ا") and len(word) > 3:
        word = word[:-1]  # the accusative of «كم سلطاناً»
    if word.startswith("ا") and len(word) >= 4:
        word = word[1:]  # أفعال: «أنهار»
    return word[0] + "".join(ch for ch in word[1:] if ch not in "اوي") if word else word


_POWERS = {2: "²", 3: "³"}


def power_unit(word: str, exponent: int) -> str | None:
    """The area or volume word for a length unit squared or cubed («كم» and 2 → «كم²», «متر» and 3 →
    «متر³»), as the lexicon has it; None when it has none. «م» stands for the metre only here: alone
    it is also the era after a year («1037م»)."""
    sign = _POWERS.get(exponent)
    if sign is None:
        return None
    entry = lookup(word)
    base = entry.lemma if entry is not None and entry.cls == "length" else word
    return base + sign if lookup(base + sign) is not None else None


@lru_cache(maxsize=50_000)
def noun_of(word: str) -> Noun:
    """The noun a normalised word counts: its lexicon entry or its light stem."""
    found = lookup(word)
    if found is not None:
        return found
    bare = word[:-1] if word.endswith("ا") and len(word) > 4 and not word.endswith("يا") else word
    s = stem(bare)  # «اعتراضاً» and «الاعتراضات» meet on اعتراض
    return Noun(s, "stem:" + s, "unknown", word)


_CATEGORY_NOUNS = frozenset(
    normalize(w) for w in "قتلى جرحى مصابين مصابون مفقودين مفقودون نازحين نازحون أسرى معتقلين ضحايا شهداء خسائر".split()
)


def category_label(categories: set[str]) -> str | None:
    """The stored form of what happened to the counted: «خسائر» is the dead and the injured; "+"-joined."""
    if "casualties" in categories:
        categories = (categories - {"casualties"}) | {"dead", "injured"}
    return "+".join(sorted(categories)) or None


def is_category_noun(word: str) -> bool:
    """A plural noun of a category (قتلى، جرحى): these join in runs («قتلى وجرحى»); verbs do not."""
    return any(c in _CATEGORY_NOUNS for c in _candidates(word)[:3])


@lru_cache(maxsize=50_000)
def category_of(word: str) -> str | None:
    """dead / injured / missing / displaced / captured / casualties for a word that says so."""
    for candidate in _candidates(word):
        if candidate in CATEGORY_WORDS:
            return CATEGORY_WORDS[candidate]
    for pronoun in ("هم", "هن", "ها"):  # «اعتقلتهم», «قتلتهم»: the verb with its object
        if word.endswith(pronoun) and len(word) - len(pronoun) >= 3:
            bare = word[: -len(pronoun)]
            for candidate in (bare, bare[1:] if bare[:1] in "وف" else bare):
                if candidate in CATEGORY_WORDS:
                    return CATEGORY_WORDS[candidate]
    return None


def same_count(asked: Noun, found: Noun) -> bool:
    """Whether a figure counting `found` answers a question counting `asked`."""
    if asked.cls == found.cls:
        return True
    humans = asked.kind == "human" and found.kind == "human"
    if humans and ({GENERIC_HUMAN, "case"} & {asked.cls, found.cls}):
        return True  # «خمسة ملايين شخص» answers «كم عدد المشيعين»
    # an unknown plural of people («المستوطنين الأصليين») counted as persons
    # (a plural in -ات counts things: «الديناصورات» are not persons)
    people = (GENERIC_HUMAN, "resident")
    return not asked.known and found.cls in people and not asked.word.endswith(("ات", "اه"))


# ---------------------------------------------------------------- subjects
# Nationality adjectives and place names meet on one key: كوري، الكوريين، كوريا → كور;
# روسيا، الروسية، الروس → روس. The key is the word without its article and nisba ending.
_NISBA_ENDINGS = ("يين", "يون", "يات", "يه", "يا", "ين", "ي", "ه", "ا")

# Adjectives with a nisba form that say nothing about whose the counted are.
GENERIC_ADJECTIVES = frozenset(
    normalize(w)
    for w in (
        "إضافي إضافية إضافيين عسكري عسكرية عسكريين نظامي نظامية نظاميين احتياطي احتياطيين رسمي رسمية "
        "إجمالي إجمالية سنوي سنوية يومي يومية شهري شهرية أسبوعي حقيقي فعلي تقريبي تقريبا أجنبي أجنبية "
        "أجانب مدني مدنية مدنيين دولي دولية محلي محلية حكومي حكومية رئيسي رئيسية أساسي أساسية جديد جديدة "
        "آخر أخرى آخرين إضافيا مسلح مسلحين مسلحة التي الذي اللتي اللذي"
    ).split()
)


# News names a state by its capital: «بيونغ يانغ» is North Korea, «موسكو» Russia.
_CAPITALS = {
    "بيونغ": ("كور", "شمال"),
    "بيونغيانغ": ("كور", "شمال"),
    "واشنطن": ("امريك", "اميرك"),
    "موسكو": ("روس",),
    "الكرملين": ("روس",),
    "كييف": ("اوكران",),
    "بكين": ("صين",),
    "نيودلهي": ("هند",),
    "طهران": ("ايران",),
    "البنتاغون": ("امريك", "اميرك"),
}


def alias_keys(word: str) -> tuple[str, ...]:
    """Subject keys a normalised capital or institution stands for (موسكو → روس)."""
    return _CAPITALS.get(word, ())


@lru_cache(maxsize=1 << 16)  # called for every word of every passage an answer reads
def subject_key(word: str) -> str:
    """The key that a normalised place name and its nisba adjective share."""
    base = word
    for clitic in ("وال", "بال", "فال", "لل", "ال"):
        if base.startswith(clitic) and len(base) - len(clitic) >= 3:
            base = base[len(clitic) :]
            break
    for ending in _NISBA_ENDINGS:
        if base.endswith(ending) and len(base) - len(ending) >= 3:
            return base[: -len(ending)]
    return base


# Nationalities with a broken plural instead of a nisba ending.
_NATION_PLURALS = frozenset(
    normalize(w) for w in "الروس روس العرب عرب الأتراك أتراك الأكراد أكراد الأفغان أفغان الألمان ألمان الإنجليز".split()
)


def is_nisba(word: str) -> bool:
    """An adjective of origin or kind: a nisba ending (كوري، الكورية، الشماليين) or a nation's plural (الروس)."""
    if word in _NATION_PLURALS:
        return True
    return len(word) >= 4 and word.endswith(("ي", "يه", "يين", "يون", "يا", "يات")) and word not in GENERIC_ADJECTIVES


# ---------------------------------------------------------------- places
# Where a figure stands: «15 حالة وفاة بمحافظة القاهرة» is not Egypt's toll, «وفي بورما، ارتفعت
# الحصيلة إلى 46» not Pakistan's. Read by subject key, as subjects are.
_PLACES = load("places")
_PLACE_NOUNS = frozenset(normalize(w) for w in _PLACES["place_nouns"])
_PLACE_NAMES = frozenset(subject_key(normalize(w)) for w in _PLACES["countries"] + _PLACES["cities"])
_IN = frozenset(("في", "وفي", "ففي"))
# adjectives that follow a place noun without naming it («مدينة كبيرة», «قرية مجاورة»)
_PLAIN_ADJECTIVES = frozenset(
    normalize(w) for w in "كبيرة صغيرة جديدة قديمة أخرى واحدة مجاورة نائية كبرى صغرى ثانية أولى مختلفة عدة".split()
)


def _place_noun(word: str) -> bool:
    """An indefinite place noun («بمدينة», «ولاية»): «بالمنطقة», «الولاية» refer back, naming nothing new."""
    return any(word.startswith(c) and word[len(c) :] in _PLACE_NOUNS for c in ("وب", "ب", "و", "ل", ""))


def place_keys(words: Sequence[str], named: bool = False) -> set[str]:
    """The places normalised words set something in: a known name after «في» or with «ب» on it
    («في الهند», «بمصر»), or any name after a place noun («بمدينة منزل بورقيبة», «إقليم خيبر»).
    With `named`, a known name anywhere counts too (a question's «في بورما (ميانمار)»)."""
    found: set[str] = set()
    for i, w in enumerate(words):
        key = subject_key(w)
        if named and key in _PLACE_NAMES and not is_nisba(w):
            found.add(key)
        if w.startswith("ب") and len(w) >= 4 and subject_key(w[1:]) in _PLACE_NAMES:
            found.add(subject_key(w[1:]))
        if i + 1 == len(words):
            continue
        after = words[i + 1]
        known = w in _IN and subject_key(after) in _PLACE_NAMES
        # «بمحافظة القاهرة» names a place; «28 ولاية» and «100 جزيرة صغيرة» count them
        counted = i > 0 and is_number(words[i - 1])
        titled = _place_noun(w) and not counted and len(after) >= 3 and after not in STOPWORDS
        if known or (titled and not is_nisba(after) and not is_number(after) and after not in _PLAIN_ADJECTIVES):
            found.add(subject_key(after))
    return found
