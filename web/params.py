"""Query-string parameters → a validated `Query`, or an `ApiError` naming the parameter.

The same rules as the CLI (search/engine.py's limits); a query over the length limit is
413, every other bad parameter 400.
"""

from __future__ import annotations

from datetime import date

from werkzeug.datastructures import MultiDict

from search.backends.base import Filters
from search.engine import MAX_K, MAX_PAGE, MAX_QUERY_CHARS, Query, QueryError, SearchMode
from search.fusion import FusionMode
from web.counting import LETTER, count
from web.errors import ApiError

DEFAULT_K = 10


# How the page names each parameter to its reader.
_NAMES = {"k": "عدد النتائج في الصفحة", "page": "رقم الصفحة", "from": "تاريخ البداية", "to": "تاريخ النهاية"}


def bad(name: str, message: str, arabic: str | None = None) -> ApiError:
    return ApiError(400, "bad_parameter", f"{name}: {message}", arabic)


def query_text(args: MultiDict[str, str], *, required: bool = True) -> str:
    text = " ".join((args.get("q") or "").split())
    if not text and required:
        raise ApiError(400, "missing_parameter", "q: give the words or the question to search for, e.g. ?q=…")
    if len(text) > MAX_QUERY_CHARS:
        raise ApiError(
            413,
            "query_too_long",
            f"q is {len(text)} characters; keep it under {MAX_QUERY_CHARS}",
            f"طول السؤال {count(len(text), LETTER)}، والحد {count(MAX_QUERY_CHARS, LETTER)}؛ اختصره ثم ابحث من جديد.",
        )
    return text


def _int(args: MultiDict[str, str], name: str, default: int, high: int) -> int:
    raw = args.get(name)
    if raw is None or raw == "":
        return default
    arabic = f"{_NAMES.get(name, name)} عدد صحيح من 1 إلى {high}، لا «{raw}»."
    try:
        value = int(raw)
    except ValueError:
        raise bad(name, f"{raw!r} is not a whole number; give 1 to {high}", arabic) from None
    if not 1 <= value <= high:
        raise bad(name, f"must be between 1 and {high}, not {value}", arabic)
    return value


def _day(args: MultiDict[str, str], name: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise bad(
            name,
            f"{raw!r} is not a date; write it as YYYY-MM-DD, e.g. 2024-10-31",
            f"{_NAMES[name]} «{raw}» ليس تاريخاً؛ اكتبه هكذا: 2024-10-31.",
        ) from None


def filters(args: MultiDict[str, str]) -> Filters:
    outlets = tuple(dict.fromkeys(o.strip() for o in args.getlist("outlet") if o.strip()))
    date_from, date_to = _day(args, "from"), _day(args, "to")
    if date_from and date_to and date_from > date_to:
        raise bad(
            "from",
            f"the date range is empty: {date_from} is after to={date_to}",
            f"تاريخ البداية ({date_from}) بعد تاريخ النهاية ({date_to})، فلا شيء بينهما؛ بدّل التاريخين.",
        )
    return Filters(outlets, date_from, date_to)


def query(args: MultiDict[str, str]) -> Query:
    text = query_text(args)
    try:
        mode = SearchMode.parse(args.get("mode") or "hybrid")
    except QueryError as exc:
        raise bad("mode", str(exc), "طريقة البحث (mode) إحدى: hybrid أو bm25 أو dense.") from None
    try:
        fusion = FusionMode(args["fusion"].lower()) if args.get("fusion") else None
    except ValueError:
        raise bad("fusion", "use minmax or rrf", "طريقة الدمج (fusion) إحدى: minmax أو rrf.") from None
    return Query(
        text=text,
        k=_int(args, "k", DEFAULT_K, MAX_K),
        page=_int(args, "page", 1, MAX_PAGE),
        mode=mode,
        filters=filters(args),
        fusion=fusion,
    )
