"""Understand a timeline as Vietnamese officials write it.

``parse_timeline("quý II/2026 và thường xuyên")`` keeps the wording for the report and derives the
due date (the last day of the period) and whether the task recurs. Text that names no period we can
be sure of raises :class:`TimelineError`; the caller shows examples and asks again.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_LENGTH = 200


@dataclass(frozen=True)
class Timeline:
    text: str
    due: dt.date | None
    start: dt.date | None = None
    recurring: bool = False


class TimelineError(ValueError):
    """The text is not a timeline we understand. ``reason`` is a short code for the message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _fold(text: str) -> str:
    """Lower-case, strip diacritics (đ → d) and collapse spaces, so 'Quý' and 'quy' match."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    text = text.replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip()


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_RECURRING = re.compile(
    r"\b(thuong xuyen|hang nam|hang quy|hang thang|dinh ky(?: hang (?:nam|quy|thang))?"
    r"|lien tuc|thuong nien)\b"
)
_PREFIX = re.compile(
    r"^(?:(?:hoan thanh|thuc hien|trien khai|xong)\s+)?"
    r"(?:(?:truoc|cham nhat|toi da|den het|den|trong|vao|cuoi|han|thoi han)\s+)*"
    r"(?:(?:ngay|nam)\s+(?=\d))?"
)
_YEAR = r"(\d{4})"
_SEP = r"\s*(?:/|-|\.|\s+nam\s+|\s+)\s*"
_QUARTER = r"(iv|iii|ii|i|[1-4])"


def _year(text: str) -> int:
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise TimelineError("year")
    return year


def _month_end(year: int, month: int) -> dt.date:
    if not 1 <= month <= 12:
        raise TimelineError("month")
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(_year(str(year)), month, day)
    except ValueError:
        raise TimelineError("date") from None


def _quarter(token: str) -> int:
    q = _ROMAN.get(token) or (int(token) if token.isdigit() else 0)
    if not 1 <= q <= 4:
        raise TimelineError("quarter")
    return q


def _span(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if end < start:
        raise TimelineError("order")
    return start, end


def _period(text: str) -> tuple[dt.date | None, dt.date]:
    """(start, end) of the period the folded text names."""
    # dd/mm/yyyy (also with - or .), optionally a range "từ dd/mm/yyyy đến dd/mm/yyyy"
    date = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})"
    if m := re.fullmatch(
        rf"(?:tu\s+)?(?:ngay\s+)?{date}\s*(?:-|den|toi)\s*(?:ngay\s+)?{date}", text
    ):
        a = _day(int(m[3]), int(m[2]), int(m[1]))
        b = _day(int(m[6]), int(m[5]), int(m[4]))
        return _span(a, b)
    if m := re.fullmatch(date, text):
        d = _day(int(m[3]), int(m[2]), int(m[1]))
        return None, d
    # "6 tháng đầu năm 2026", "9 tháng đầu năm 2026", "6 tháng cuối năm 2026"
    if m := re.fullmatch(rf"(\d{{1,2}}) thang (dau|cuoi) nam{_SEP}?{_YEAR}", text):
        n, year = int(m[1]), _year(m[3])
        if not 1 <= n <= 12:
            raise TimelineError("month")
        if m[2] == "dau":
            return dt.date(year, 1, 1), _month_end(year, n)
        return dt.date(year, 13 - n, 1), dt.date(year, 12, 31)
    # quarters: "quý II/2026", "quý 2 năm 2026", "quý I-II/2026", "quý I đến quý III năm 2026"
    if m := re.fullmatch(
        rf"(?:tu\s+)?quy {_QUARTER}(?:\s*(?:-|den|toi|va)\s*(?:quy\s+)?{_QUARTER})?{_SEP}{_YEAR}",
        text,
    ):
        year = _year(m[3])
        first = _quarter(m[1])
        last = _quarter(m[2]) if m[2] else first
        start = dt.date(year, 3 * first - 2, 1)
        return _span(start, _month_end(year, 3 * last))
    # months: "tháng 6/2026", "tháng 5-6/2026", "từ tháng 3 đến tháng 6/2026", "T6/2026", "6/2026"
    if m := re.fullmatch(
        rf"(?:tu\s+)?(?:thang|t)?\s*(\d{{1,2}})(?:\s*(?:-|den|toi)\s*(?:thang\s+|t)?(\d{{1,2}}))?"
        rf"{_SEP}{_YEAR}",
        text,
    ):
        year = _year(m[3])
        first = int(m[1])
        last = int(m[2]) if m[2] else first
        _month_end(year, first)  # validates the first month
        return _span(dt.date(year, first, 1), _month_end(year, last))
    # years: "năm 2026", "2026", "2026-2027", "giai đoạn 2026-2030", "từ năm 2026 đến năm 2030"
    if m := re.fullmatch(
        rf"(?:giai doan\s+)?(?:tu\s+)?(?:nam\s+)?{_YEAR}(?:\s*(?:-|den|toi)\s*(?:nam\s+)?{_YEAR})?",
        text,
    ):
        first = _year(m[1])
        last = _year(m[2]) if m[2] else first
        return _span(dt.date(first, 1, 1), dt.date(last, 12, 31))
    if re.fullmatch(r"(?:(?:thang|quy)\s+)?[\divx]{1,4}(?:\s*[/.\-]\s*\d{1,2})?", text):
        raise TimelineError("no_year")
    raise TimelineError("unknown")


def parse_timeline(raw: str) -> Timeline:
    """Parse a timeline; the original wording is kept, whitespace tidied."""
    text = re.sub(r"\s+", " ", raw).strip()
    if not text:
        raise TimelineError("empty")
    if len(text) > MAX_LENGTH:
        raise TimelineError("long")
    folded = _fold(text)
    recurring = bool(_RECURRING.search(folded))
    rest = _RECURRING.sub(" ", folded)
    rest = re.sub(r"\b(va|hoac)\b|[,;()]", " ", rest)
    rest = re.sub(r"\s+", " ", rest).strip(" .-")
    if not rest:
        if recurring:
            return Timeline(text=text, due=None, recurring=True)
        raise TimelineError("unknown")
    rest = _PREFIX.sub("", rest).strip()
    start, due = _period(rest)
    return Timeline(text=text, due=due, start=start, recurring=recurring)
