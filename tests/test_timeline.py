"""Timelines as officials write them: the table of forms the parser must read or refuse."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.timeline import REASONS, TimelineError, parse_timeline

D = dt.date

ACCEPTED = [
    # text, due date, recurring
    ("30/6/2026", D(2026, 6, 30), False),
    ("30/06/2026", D(2026, 6, 30), False),
    ("30-6-2026", D(2026, 6, 30), False),
    ("30.6.2026", D(2026, 6, 30), False),
    ("ngày 30/6/2026", D(2026, 6, 30), False),
    ("trước ngày 30/6/2026", D(2026, 6, 30), False),
    ("Trước 30/6/2026", D(2026, 6, 30), False),
    ("chậm nhất 15/12/2026", D(2026, 12, 15), False),
    ("chậm nhất ngày 15/12/2026", D(2026, 12, 15), False),
    ("hoàn thành trước 31/12/2026", D(2026, 12, 31), False),
    ("tháng 6/2026", D(2026, 6, 30), False),
    ("tháng 02/2028", D(2028, 2, 29), False),
    ("tháng 06 năm 2026", D(2026, 6, 30), False),
    ("T6/2026", D(2026, 6, 30), False),
    ("6/2026", D(2026, 6, 30), False),
    ("trong tháng 9/2026", D(2026, 9, 30), False),
    ("tháng 5-6/2026", D(2026, 6, 30), False),
    ("tháng 5 - 6/2026", D(2026, 6, 30), False),
    ("từ tháng 3 đến tháng 6/2026", D(2026, 6, 30), False),
    ("quý II/2026", D(2026, 6, 30), False),
    ("Quý IV/2026", D(2026, 12, 31), False),
    ("quý 2/2026", D(2026, 6, 30), False),
    ("quý 2 năm 2026", D(2026, 6, 30), False),
    ("trong quý III năm 2026", D(2026, 9, 30), False),
    ("quý I-II/2026", D(2026, 6, 30), False),
    ("quy 3/2026", D(2026, 9, 30), False),  # typed without diacritics
    ("6 tháng đầu năm 2026", D(2026, 6, 30), False),
    ("9 tháng đầu năm 2026", D(2026, 9, 30), False),
    ("6 tháng cuối năm 2026", D(2026, 12, 31), False),
    ("năm 2026", D(2026, 12, 31), False),
    ("2026", D(2026, 12, 31), False),
    ("trong năm 2026", D(2026, 12, 31), False),
    ("cuối năm 2026", D(2026, 12, 31), False),
    ("giai đoạn 2026-2030", D(2030, 12, 31), False),
    ("từ năm 2026 đến năm 2027", D(2027, 12, 31), False),
    ("từ 01/3/2026 đến 30/6/2026", D(2026, 6, 30), False),
    ("thường xuyên", None, True),
    ("Thường xuyên", None, True),
    ("thuong xuyen", None, True),
    ("hằng năm", None, True),
    ("hàng năm", None, True),
    ("định kỳ hằng quý", None, True),
    ("liên tục", None, True),
    ("quý II/2026 và thường xuyên", D(2026, 6, 30), True),
    ("thường xuyên, hoàn thành trước 30/9/2026", D(2026, 9, 30), True),
    ("năm 2026 và hằng năm", D(2026, 12, 31), True),
    # the forms of issue 9
    ("ngày 30 tháng 6 năm 2026", D(2026, 6, 30), False),
    ("tháng 11/2025 – 3/2026", D(2026, 3, 31), False),
    ("từ tháng 11/2025 đến tháng 3/2026", D(2026, 3, 31), False),
    ("hằng tuần", None, True),
    ("hàng ngày", None, True),
    ("hằng quý", None, True),
    ("quý II, III/2026", D(2026, 9, 30), False),
    ("quý II và quý III năm 2026", D(2026, 9, 30), False),
    ("từ quý I đến quý III năm 2026", D(2026, 9, 30), False),
    ("cuối năm 2026", D(2026, 12, 31), False),
    ("đầu năm 2026", D(2026, 3, 31), False),
    ("giữa năm 2026", D(2026, 6, 30), False),
    ("cuối tháng 6/2026", D(2026, 6, 30), False),
    ("đầu tháng 6/2026", D(2026, 6, 10), False),
    # as plans write them (#21.12): refused before
    ("từ nay đến hết năm 2026", D(2026, 12, 31), False),
    ("từ nay đến 31/12/2026", D(2026, 12, 31), False),
    ("hết năm 2026", D(2026, 12, 31), False),
    ("từ nay đến hết quý III/2026", D(2026, 9, 30), False),
    ("đầu quý III/2026", D(2026, 7, 31), False),
    ("giữa quý 1 năm 2026", D(2026, 2, 28), False),
    ("cuối quý II/2026", D(2026, 6, 30), False),
    ("năm học 2026-2027", D(2027, 5, 31), False),
]

# Without a year, the campaign's year is used (the caller passes it).
WITH_DEFAULT_YEAR = [
    ("trước 30/6", D(2026, 6, 30)),
    ("30/6", D(2026, 6, 30)),
    ("tháng 9", D(2026, 9, 30)),
    ("quý III", D(2026, 9, 30)),
    ("ngày 15 tháng 8", D(2026, 8, 15)),
    ("6 tháng đầu năm", D(2026, 6, 30)),
    ("cuối năm", D(2026, 12, 31)),
]

REFUSED = [
    ("", "empty"),
    ("   ", "empty"),
    ("sớm", "unknown"),
    ("càng sớm càng tốt", "unknown"),
    ("32/1/2026", "date"),
    ("30/2/2026", "date"),
    ("tháng 13/2026", "month"),
    ("tháng 0/2026", "month"),
    ("quý V/2026", "quarter"),
    ("quý 5/2026", "quarter"),
    ("quý hai", "unknown"),
    ("quý III-II/2026", "order"),
    ("30/6", "no_year"),
    ("tháng 6", "no_year"),
    ("quý II", "no_year"),
    ("năm 1990", "year"),
    ("năm 2200", "year"),
    ("từ tháng 6 đến tháng 3/2026", "order"),
    ("từ 30/6/2026 đến 01/3/2026", "order"),
    ("giai đoạn 2030-2026", "order"),
    ("x" * 201, "long"),
    ("🚀", "unknown"),
    ("<b>30/6/2026</b>", "unknown"),
]


@pytest.mark.parametrize(("text", "due", "recurring"), ACCEPTED)
def test_accepted(text: str, due: dt.date | None, recurring: bool) -> None:
    tl = parse_timeline(text)
    assert (tl.due, tl.recurring) == (due, recurring)
    assert tl.text == " ".join(text.split())  # the wording is kept for the report


@pytest.mark.parametrize(("text", "reason"), REFUSED)
def test_refused(text: str, reason: str) -> None:
    with pytest.raises(TimelineError) as err:
        parse_timeline(text)
    assert err.value.reason == reason


@pytest.mark.parametrize(("text", "due"), WITH_DEFAULT_YEAR)
def test_a_missing_year_is_the_campaigns(text: str, due: dt.date) -> None:
    assert parse_timeline(text, default_year=2026).due == due
    with pytest.raises(TimelineError) as err:
        parse_timeline(text)  # no default: the person is asked for the year
    assert err.value.reason == "no_year"


def test_periods_know_their_start() -> None:
    assert parse_timeline("quý II/2026").start == D(2026, 4, 1)
    assert parse_timeline("tháng 5-6/2026").start == D(2026, 5, 1)
    assert parse_timeline("30/6/2026").start is None


def test_table_is_large_enough() -> None:
    assert len(ACCEPTED) + len(REFUSED) >= 30


# -- properties over the grammar --------------------------------------------------------------

YEARS = st.integers(2020, 2035)
QUARTERS = st.sampled_from(["I", "II", "III", "IV", "1", "2", "3", "4"])
RECURRING = st.sampled_from(["", " và thường xuyên", ", hằng quý", " và định kỳ hằng năm"])
PREFIX = st.sampled_from(["", "trước ", "chậm nhất ", "trong ", "hoàn thành ", "Hoàn thành trước "])


@st.composite
def phrases(draw: st.DrawFn) -> str:
    """A timeline written as officials write it, with its spelling drawn at random."""
    year = draw(YEARS)
    form = draw(st.integers(0, 6))
    if form == 0:
        day = draw(st.dates(dt.date(year, 1, 1), dt.date(year, 12, 31)))
        sep = draw(st.sampled_from(["/", "-", "."]))
        body = draw(st.sampled_from(["", "ngày "])) + f"{day.day}{sep}{day.month}{sep}{year}"
    elif form == 1:
        a, b = sorted(draw(st.lists(st.integers(1, 12), min_size=2, max_size=2)))
        body = f"tháng {a}-{b}/{year}" if a != b else f"tháng {a}/{year}"
    elif form == 2:
        qs = sorted(draw(st.lists(st.integers(1, 4), min_size=1, max_size=2, unique=True)))
        roman = ["I", "II", "III", "IV"]
        joiner = draw(st.sampled_from(["-", ", ", " và quý "]))
        body = "quý " + joiner.join(roman[q - 1] for q in qs) + f"/{year}"
    elif form == 3:
        n = draw(st.sampled_from([3, 6, 9]))
        body = f"{n} tháng {draw(st.sampled_from(['đầu', 'cuối']))} năm {year}"
    elif form == 4:
        body = f"{draw(st.sampled_from(['đầu', 'giữa', 'cuối']))} năm {year}"
    elif form == 5:
        body = f"năm {year}"
    else:
        body = f"quý {draw(QUARTERS)} năm {year}"
    text = draw(PREFIX) + body + draw(RECURRING)
    return text.upper() if draw(st.booleans()) else text


@given(phrases())
@settings(max_examples=300, deadline=None)
def test_any_valid_phrase_has_a_due_date_not_before_its_start(text: str) -> None:
    tl = parse_timeline(text)
    assert tl.due is not None
    assert tl.start is None or tl.start <= tl.due
    assert tl.text == text


@given(st.text(max_size=60))
@settings(max_examples=500, deadline=None)
def test_whatever_is_typed_parses_or_is_refused_with_a_hint(text: str) -> None:
    """No input crashes the parser; every refusal has a reason the bot explains with examples."""
    from handlers.views import timeline_error, timeline_examples
    from locales import use_locale

    try:
        tl = parse_timeline(text, default_year=2026)
    except TimelineError as err:
        assert err.reason in REASONS
        with use_locale("vi"):
            hint = timeline_error(err.reason, D(2026, 1, 1))
            assert timeline_examples(D(2026, 1, 1)) in hint and "quý II/2026" in hint
    else:
        assert tl.due is not None or tl.recurring
        assert tl.start is None or tl.due is None or tl.start <= tl.due


@pytest.mark.parametrize(
    "after",
    [D(2026, 1, 1), D(2026, 3, 31), D(2026, 6, 15), D(2026, 9, 30), D(2026, 10, 1), D(2026, 12, 3)],
)
def test_the_examples_the_bot_gives_are_ahead_of_the_calendar(after: dt.date) -> None:
    """#21.13: every example is read by the parser and falls after the campaign's start (or
    today), so an example typed as shown is never questioned or refused as past."""
    from handlers.views import calendar_examples, timeline_examples

    shown = [line.removeprefix("• ") for line in timeline_examples(after).splitlines()]
    assert len(shown) == 8
    for text in shown:
        tl = parse_timeline(text, default_year=after.year)
        assert tl.recurring or (tl.due is not None and tl.due > after), text
    date, quarter = calendar_examples(after)
    assert parse_timeline(date).due == parse_timeline(quarter).due
    assert parse_timeline(date).due > after  # type: ignore[operator]


def test_the_demo_calendar_gives_examples_after_its_start() -> None:
    """The demo moves the deadline to a few days from now: the plan's examples move with it."""
    from bot.settings import BUNDLED_CAMPAIGN
    from domain.campaign import parse_campaign
    from handlers import wizard

    campaign = parse_campaign(
        BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
        .replace("plans_due = 2026-01-21", "plans_due = 2026-12-08")
        .replace("consolidation_due = 2026-01-22", "consolidation_due = 2026-12-09")
    )
    question = wizard.BY_NAME["m_timeline"].question(campaign)
    assert "• 31/3/2027" in question and "• quý I/2027" in question
    assert "2026" not in question  # nothing before the demo's start (01/12/2026)
    bundled = wizard.BY_NAME["m_timeline"].question(
        parse_campaign(BUNDLED_CAMPAIGN.read_text(encoding="utf-8"))
    )
    assert "• 30/6/2026" in bundled and "• quý II/2026" in bundled
