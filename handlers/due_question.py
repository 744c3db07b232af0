"""One question when a timeline's words name no date the grammar is sure of.

"Sau khi Trung ương ban hành hướng dẫn", "trước kỳ họp cuối năm của HĐND tỉnh": the words are
what the plan says and are kept exactly as typed; only the completion date is asked, once, with
the likely dates as choices (the end of this quarter, the end of the year) or a date typed. The
words wait with the step (``Conversation.pending``) until the date is given, so a restart or a
command in between asks the same question again.
"""

from __future__ import annotations

import datetime as dt

from domain.campaign import Campaign
from domain.timeline import TimelineError, mentions_recurring, parse_timeline
from handlers import buttons as act
from handlers import views
from handlers.input import InputError
from handlers.markup import esc
from handlers.types import Choice
from locales import _, fmt_date

_ROMAN = ("I", "II", "III", "IV")


def waiting(pending: str | None, campaign: Campaign | None) -> bool:
    """The step's pending answer is words waiting for their date (not a doubted answer)."""
    if not pending:
        return False
    try:
        parse_timeline(pending, default_year=campaign.year if campaign else None)
    except TimelineError as err:
        return err.reason == "unknown"
    return False


def likely(today: dt.date, starts: dt.date) -> list[tuple[str, dt.date]]:
    """The end of the current quarter and the end of the year, from the later of today and the
    campaign's start (never a date already past or before the campaign)."""
    base = max(today, starts)
    q = (base.month - 1) // 3 + 1
    quarter_end = dt.date(base.year, 3 * q, 1) + dt.timedelta(days=31)
    quarter_end = quarter_end.replace(day=1) - dt.timedelta(days=1)
    year_end = dt.date(base.year, 12, 31)
    out = [(_("End of quarter {q}/{y}").format(q=_ROMAN[q - 1], y=base.year), quarter_end)]
    if year_end != quarter_end:
        out.append((_("End of {y}").format(y=base.year), year_end))
    return out


def question(
    words: str, measure_id: int, today: dt.date, starts: dt.date
) -> tuple[str, list[list[Choice]]]:
    text = _(
        "«{words}» is kept as written. To follow it through, the plan needs its completion "
        "date: please choose one below or type the date (for example {date})."
    ).format(words=esc(words), date=views.examples(max(today, starts))["date"])
    rows = [
        [Choice(f"📅 {label} ({fmt_date(day)})", act.PickDue(measure_id, _packed(day)))]
        for label, day in likely(today, starts)
    ]
    rows.append([views.back_button()])
    return text, rows


def _packed(day: dt.date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def unpacked(value: int) -> dt.date | None:
    try:
        return dt.date(value // 10_000, value // 100 % 100, value % 100)
    except ValueError:
        return None


def values(words: str, due: dt.date) -> dict[str, object]:
    """What is stored: the words as typed, the date given, recurring if the words say so."""
    return {"timeline": words, "due_date": due, "recurring": mentions_recurring(words)}


def typed_date(raw: str, campaign: Campaign | None, today: dt.date) -> dt.date:
    """The completion date typed in answer to the question (any timeline the grammar reads:
    "30/9/2026", "quý III/2026"); refused when it is not one, or falls before the campaign."""
    try:
        tl = parse_timeline(raw, default_year=campaign.year if campaign else None)
    except TimelineError as err:
        if err.reason != "unknown":  # a date that does not exist, a month 13…: say which
            after = campaign.starts if campaign else today
            raise InputError(views.timeline_error(err.reason, after)) from None
        tl = None
    if tl is None or tl.due is None:
        raise InputError(
            _("Please give the completion date, for example {date}.").format(
                date=views.examples(today)["date"]
            )
        )
    if campaign and tl.due < campaign.starts:
        raise InputError(
            _("{date} is before this campaign starts ({starts}); please give a later date.").format(
                date=fmt_date(tl.due), starts=fmt_date(campaign.starts)
            )
        )
    return tl.due
