"""Understand a timeline as Vietnamese officials write it.

``parse_timeline("quý II/2026 và thường xuyên")`` keeps the wording for the report and derives the
period it names (``start``..``due``: the due date is the period's last day) and whether the task
recurs. Understood, with or without diacritics and in any case:

* dates: ``30/6/2026``, ``30-06-2026``, ``ngày 30 tháng 6 năm 2026``, ``trước ngày 30/6``;
  ranges ``từ 01/3/2026 đến 30/6/2026``;
* months: ``tháng 6/2026``, ``T6/2026``, ``tháng 5-6/2026``, ``từ tháng 3 đến tháng 6/2026``,
  across years ``tháng 11/2025 – 3/2026``; ``đầu``/``giữa``/``cuối tháng 6/2026``;
* quarters: ``quý II/2026``, ``quý 2 năm 2026``, ``quý I-II/2026``, ``quý II, III/2026``,
  ``quý II và quý III năm 2026``;
* halves and parts of a year: ``6 tháng đầu năm 2026``, ``9 tháng đầu năm``, ``6 tháng cuối
  năm``, ``đầu năm 2026`` (end of quarter I), ``giữa năm 2026``, ``cuối năm 2026``;
* years: ``năm 2026``, ``2026-2027``, ``giai đoạn 2026-2030``, ``nhiệm kỳ 2026-2031``, ``năm học
  2026-2027`` (ends in May), ``từ nay đến hết năm 2026``, ``cả năm 2026``;
* before a period begins: ``trước tháng 6/2026`` (31/5), ``trước quý II/2026`` (31/3); before
  Tết: ``trước Tết Nguyên đán Bính Ngọ`` (the day before, from :data:`TET`);
* two periods in full: ``từ quý II/2026 đến quý IV/2026``; a period made precise by a date inside
  it, in brackets or after ";": ``quý II/2026 (trước ngày 30/6/2026)``, ``năm 2026; hoàn thành
  trước ngày 15/12/2026``;
* recurring: ``thường xuyên``, ``hằng/hàng ngày, tuần, tháng, quý, năm``, ``định kỳ``, ``định kỳ 6
  tháng``, ``6 tháng/lần``, ``các năm tiếp theo``, ``liên tục``, ``thường niên`` — alone, or with a
  period (``quý II/2026 và thường xuyên``).

Where the year is left out (``trước 30/6``, ``quý III``) the caller's ``default_year`` (the
campaign's) is used. Text that names no period we can be sure of — a condition ("sau khi có hướng
dẫn"), a start with no end ("từ quý II/2026") — raises :class:`TimelineError` ("unknown"): the
chat keeps those words and asks for the date once (``handlers.due_question``); a date that cannot
be (month 13, 31/2) raises with its own reason, explained with examples.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from domain.text import fold
from locales import _

MIN_YEAR, MAX_YEAR = 2000, 2100
MAX_LENGTH = 200
REASONS = ("empty", "long", "date", "month", "quarter", "year", "order", "no_year", "unknown")


@dataclass(frozen=True)
class Timeline:
    text: str
    due: dt.date | None
    start: dt.date | None = None
    recurring: bool = False


class TimelineError(ValueError):
    """The text is not a timeline we understand. ``reason`` is one of :data:`REASONS`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_RECURRING = re.compile(
    r"\b(thuong xuyen|hang (?:ngay|tuan|thang|quy|nam)"
    r"|dinh ky \d{1,2} thang(?:\s*/\s*lan)?|\d{1,2} thang\s*/\s*lan"
    r"|dinh ky(?: hang (?:tuan|thang|quy|nam))?"
    r"|(?:cac|nhung) nam tiep theo|lien tuc|thuong nien)\b"
)
_VERBS = r"(?:hoan thanh|thuc hien|trien khai|xong|bao cao(?: ket qua)?)"
_PREFIX = re.compile(
    rf"^(?:{_VERBS}\s+)*"
    r"(?:(?:truoc|cham nhat|toi da|den het|den|trong|vao|han|thoi han|khoang|tu nay|het|ca)"
    r"\s+)*"
)
# "trước tháng 6/2026", "trước quý II/2026", "trước năm 2027": before that period begins
_BEFORE = re.compile(rf"^(?:{_VERBS}\s+)*truoc\s+(?=thang|quy|nam)")
_YEAR = r"(\d{4})"
_SEP = r"\s*(?:/|-|\.|\s+nam\s+|\s+)\s*"
_RANGE = r"\s*(?:-|den|toi)\s*"


def _year(text: str | None, default: int | None) -> int:
    if text is None:
        if default is None:
            raise TimelineError("no_year")
        return default
    year = int(text)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise TimelineError("year")
    return year


def _month(value: str) -> int:
    month = int(value)
    if not 1 <= month <= 12:
        raise TimelineError("month")
    return month


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _day(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise TimelineError("date") from None


def _span(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if end < start:
        raise TimelineError("order")
    return start, end


_DATE = r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})(?:\s*[/.\-]\s*(\d{4}))?"
_WORDY_DATE = r"(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?"


def _date(m: re.Match[str], k: int, default: int | None) -> dt.date:
    year = _year(m[k + 2], default)
    return _day(year, _month(m[k + 1]), int(m[k]))


def _period(text: str, default: int | None) -> tuple[dt.date | None, dt.date]:
    """(start, end) of the period the folded, prefix-free text names."""
    # dates: "30/6/2026", "ngay 30 thang 6 nam 2026", "30/6"; ranges of dates
    for date in (_DATE, _WORDY_DATE):
        one = rf"(?:ngay\s+)?{date}"
        if m := re.fullmatch(rf"(?:tu\s+)?{one}{_RANGE}{one}", text):
            end = _date(m, 4, default)
            start = _date(m, 1, (m[6] and int(m[6])) or default)
            return _span(start, end)
        if m := re.fullmatch(one, text):
            return None, _date(m, 1, default)
    # "6 thang dau nam 2026", "9 thang dau nam", "6 thang cuoi nam 2026"
    if m := re.fullmatch(rf"(\d{{1,2}}) thang (dau|cuoi) nam(?:{_SEP}{_YEAR})?", text):
        n, year = int(m[1]), _year(m[3], default)
        if not 1 <= n <= 12:
            raise TimelineError("month")
        if m[2] == "dau":
            return dt.date(year, 1, 1), _month_end(year, n)
        return dt.date(year, 13 - n, 1), dt.date(year, 12, 31)
    # parts of a year: "dau nam 2026" (quarter I), "giua nam", "cuoi nam"
    if m := re.fullmatch(rf"(dau|giua|cuoi) nam(?:{_SEP}{_YEAR})?", text):
        year = _year(m[2], default)
        ends = {"dau": (3, 31), "giua": (6, 30), "cuoi": (12, 31)}
        return dt.date(year, 1, 1), dt.date(year, *ends[m[1]])
    # a school year: "nam hoc 2026-2027" ends with May of its second year
    if m := re.fullmatch(rf"nam hoc\s+{_YEAR}\s*-\s*{_YEAR}", text):
        first, last = _year(m[1], None), _year(m[2], None)
        if last != first + 1:
            raise TimelineError("order")
        return dt.date(first, 9, 1), dt.date(last, 5, 31)
    # part of a quarter: "dau quy iii/2026" (its first month), "giua quy", "cuoi quy"
    if m := re.fullmatch(
        r"(dau|giua|cuoi) quy\s+([ivx]+|\d)(?:\s*(?:/|\.|-|\bnam\b)\s*(\d{4})|\s+(\d{4}))?",
        text,
    ):
        q, year = _quarter(m[2]), _year(m[3] or m[4], default)
        month = 3 * q - {"dau": 2, "giua": 1, "cuoi": 0}[m[1]]
        return dt.date(year, 3 * q - 2, 1), _month_end(year, month)
    # quarters: "quy ii/2026", "quy 2 nam 2026", "quy i-ii/2026", "quy ii iii/2026",
    # "quy ii quy iii nam 2026", "tu quy i den quy iii nam 2026"
    if (
        m := re.fullmatch(
            r"(?:tu\s+)?quy\s+(.+?)(?:\s*(?:/|\.|-|\bnam\b)\s*(\d{4})|\s+(\d{4}))?", text
        )
    ) and re.fullmatch(r"(?:(?:quy|den|toi|[ivx]+|\d{1,2}|-)\s*)+", m[1]):
        body = m[1]
        quarters = [_quarter(q) for q in re.findall(r"\b[ivx]+\b|\b\d{1,2}\b", body)]
        if not quarters:
            raise TimelineError("quarter")
        year = _year(m[2] or m[3], default)
        if quarters[-1] < quarters[0]:
            raise TimelineError("order")
        return dt.date(year, 3 * min(quarters) - 2, 1), _month_end(year, 3 * max(quarters))
    # months across years: "thang 11/2025 - 3/2026"
    month_year = rf"(?:thang\s+|t)?(\d{{1,2}}){_SEP}{_YEAR}"
    if m := re.fullmatch(rf"(?:tu\s+)?{month_year}{_RANGE}{month_year}", text):
        start = dt.date(_year(m[2], None), _month(m[1]), 1)
        return _span(start, _month_end(_year(m[4], None), _month(m[3])))
    # months: "thang 6/2026", "t6/2026", "6/2026", "thang 5-6/2026", "tu thang 3 den thang 6"
    if m := re.fullmatch(
        rf"(?:tu\s+)?(?:(?:dau|giua|cuoi)\s+)?(?:thang\s+|t)(\d{{1,2}})"
        rf"(?:(?:{_RANGE}|\s+)(?:thang\s+|t)?(\d{{1,2}}))?(?:{_SEP}{_YEAR})?",
        text,
    ) or re.fullmatch(rf"(\d{{1,2}})(?:{_RANGE}(\d{{1,2}}))?{_SEP}{_YEAR}", text):
        year = _year(m[3], default)
        first = _month(m[1])
        last = _month(m[2]) if m[2] else first
        end = _month_end(year, last)
        if not m[2]:  # "dau thang 6" ends on the 10th, "giua thang" on the 20th
            part = re.match(r"(?:tu\s+)?(dau|giua)\s", text)
            if part:
                end = dt.date(year, last, 10 if part[1] == "dau" else 20)
        return _span(dt.date(year, first, 1), end)
    # years: "nam 2026", "2026", "2026-2027", "giai doan 2026-2030", "tu nam 2026 den nam 2030"
    if m := re.fullmatch(
        rf"(?:(?:giai doan|nhiem ky)\s+)?(?:tu\s+)?(?:nam\s+)?{_YEAR}(?:{_RANGE}(?:nam\s+)?{_YEAR})?",
        text,
    ):
        first = _year(m[1], None)
        last = _year(m[2], None) if m[2] else first
        return _span(dt.date(first, 1, 1), dt.date(last, 12, 31))
    if re.fullmatch(r"(?:(?:thang|quy)\s+)?[\divx]{1,4}(?:\s*[/.\-]\s*\d{1,2})?", text):
        raise TimelineError("no_year")
    if (tet := _tet(text, default)) is not None:
        return None, tet
    # a range of two periods each written in full: "tu quy ii/2026 den quy iv/2026"
    if m := re.fullmatch(r"(?:tu\s+)?(.+?)\s+(?:den|toi|-)\s+(.+)", text):
        (begins, closes), (_, until) = _period(m[1], default), _period(m[2], default)
        return _span(begins or closes, until)
    raise TimelineError("unknown")


# The first day of the Lunar New Year (Tết Nguyên đán), by Gregorian year, and its can chi name.
TET = {
    2025: (dt.date(2025, 1, 29), "at ty"),
    2026: (dt.date(2026, 2, 17), "binh ngo"),
    2027: (dt.date(2027, 2, 6), "dinh mui"),
    2028: (dt.date(2028, 1, 26), "mau than"),
    2029: (dt.date(2029, 2, 13), "ky dau"),
    2030: (dt.date(2030, 2, 3), "canh tuat"),
}


def _tet(text: str, default: int | None) -> dt.date | None:
    """ "tết nguyên đán bính ngọ", "tết 2026", "tết nguyên đán": the day before Tết."""
    m = re.fullmatch(r"tet(?: nguyen dan)?(?: nam)?(?: (\d{4}|[a-z]+ [a-z]+))?", text)
    if not m:
        return None
    for year, (day, name) in TET.items():
        if m[1] == name or m[1] == str(year) or (m[1] is None and year == default):
            return day - dt.timedelta(days=1)
    raise TimelineError("year")


def _quarter(token: str) -> int:
    q = _ROMAN.get(token) or (int(token) if token.isdigit() else 0)
    if not 1 <= q <= 4:
        raise TimelineError("quarter")
    return q


def parse_timeline(raw: str, default_year: int | None = None) -> Timeline:
    """Parse a timeline; the original wording is kept, whitespace tidied."""
    text = re.sub(r"\s+", " ", raw).strip()
    if not text:
        raise TimelineError("empty")
    if len(text) > MAX_LENGTH:
        raise TimelineError("long")
    folded = fold(text.replace("–", "-").replace("—", "-"))
    # "quý II/2026 (trước ngày 30/6/2026)": the period, made precise by the date in brackets;
    # "hằng năm (trước ngày 15/12)": a rhythm and its date; "thường xuyên (theo chỉ đạo…)"
    if m := re.fullmatch(r"(.+?)\s*\(([^()]+)\)\s*\.?", folded):
        outer, inner = _maybe(m[1], default_year), _maybe(m[2], default_year)
        if outer and outer.due and inner and inner.due:
            if (outer.start or outer.due) <= inner.due <= outer.due:
                return Timeline(text, inner.due, outer.start, outer.recurring or inner.recurring)
        elif outer and outer.recurring and outer.due is None:
            return Timeline(text, inner.due if inner else None, None, True)
    # "năm 2026; hoàn thành trước ngày 15/12/2026": parts that each name a period
    parts = [p for p in re.split(r"\s*;\s*", folded) if p.strip(" .")]
    if len(parts) > 1:
        try:
            read = [_read(p, default_year) for p in parts]
        except TimelineError:
            pass
        else:
            return _joined(text, read)
    found = _read(folded, default_year)
    return Timeline(text=text, due=found.due, start=found.start, recurring=found.recurring)


def _maybe(folded: str, default_year: int | None) -> Timeline | None:
    try:
        return _read(folded, default_year)
    except TimelineError:
        return None


def _joined(text: str, parts: list[Timeline]) -> Timeline:
    """Several parts of one timeline: a date inside the period of the other makes it precise;
    otherwise the task ends with the last of them."""
    recurring = any(p.recurring for p in parts)
    dated = [(p.start or p.due, p.due, p) for p in parts if p.due is not None]
    if not dated:
        return Timeline(text=text, due=None, recurring=recurring)
    first, due, widest = max(dated, key=lambda d: (d[1], -d[0].toordinal()))
    if len(dated) == 2:
        other = next(d[1] for d in dated if d[2] is not widest)
        if first <= other <= due:
            due = other
    return Timeline(text=text, due=due, start=widest.start, recurring=recurring)


def _read(folded: str, default_year: int | None) -> Timeline:
    """The timeline of folded text (``text`` is left empty: the caller keeps the wording)."""
    recurring = bool(_RECURRING.search(folded))
    rest = _RECURRING.sub(" ", folded)
    rest = re.sub(r"\b(va|hoac)\b|[,;():]", " ", rest)
    rest = re.sub(r"\s+", " ", rest).strip(" .-")
    before = bool(_BEFORE.match(rest))
    rest = _PREFIX.sub("", rest + " ").strip()
    if not rest:
        if recurring:
            return Timeline(text="", due=None, recurring=True)
        raise TimelineError("unknown")
    if re.match(r"tu\s", rest) and not re.search(r"\b(?:den|toi)\b|\s-\s|\d\s*-\s*\d", rest):
        # "từ quý II/2026": a start with no end. Recurring from then on, or the date is asked.
        _period(rest, default_year)  # the period must still be one (or say why not)
        if recurring:
            return Timeline(text="", due=None, recurring=True)
        raise TimelineError("unknown")
    start, due = _period(rest, default_year)
    if before and start is not None:  # "trước tháng 6/2026": by the end of May
        due = start - dt.timedelta(days=1)
        start = None
    return Timeline(text="", due=due, start=start, recurring=recurring)


def mentions_recurring(text: str) -> bool:
    """The words say the task recurs ("thường xuyên", "hằng quý"…)."""
    return bool(_RECURRING.search(fold(text)))


def reason_text(reason: str) -> str:
    """Why a timeline was not understood, in one sentence for the person who typed it."""
    return {
        "empty": _("The timeline is empty."),
        "long": _("The timeline is too long."),
        "date": _("That date does not exist."),
        "month": _("A month must be between 1 and 12."),
        "quarter": _("A quarter must be I, II, III or IV."),
        "year": _("The year looks wrong."),
        "order": _("The period ends before it starts."),
        "no_year": _("Please include the year."),
    }.get(reason, _("I could not understand this timeline."))
