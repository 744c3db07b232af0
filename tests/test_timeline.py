"""Timelines as officials write them: the table of forms the parser must read or refuse."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.timeline import TimelineError, parse_timeline

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
    ("quý V/2026", "unknown"),
    ("quý 5/2026", "unknown"),
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


def test_periods_know_their_start() -> None:
    assert parse_timeline("quý II/2026").start == D(2026, 4, 1)
    assert parse_timeline("tháng 5-6/2026").start == D(2026, 5, 1)
    assert parse_timeline("30/6/2026").start is None


def test_table_is_large_enough() -> None:
    assert len(ACCEPTED) + len(REFUSED) >= 30
