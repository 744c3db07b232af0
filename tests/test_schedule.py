"""When reminders and summaries are due (pure)."""

from __future__ import annotations

import datetime as dt

import pytest

from domain.schedule import (
    ScheduleConfig,
    in_quiet_hours,
    nudge_slot,
    reminder_slot,
    summary_slot,
)

DUE = dt.date(2026, 1, 21)  # a Wednesday
CFG = ScheduleConfig()


@pytest.mark.parametrize(
    ("at", "slot"),
    [
        ("2026-01-17 09:00", None),
        ("2026-01-18 07:59", None),
        ("2026-01-18 08:00", "before-3"),
        ("2026-01-19 20:59", "before-3"),
        ("2026-01-19 21:30", None),  # quiet hours
        ("2026-01-20 06:59", None),
        ("2026-01-20 08:00", "before-1"),
        ("2026-01-21 08:00", "before-0"),
        ("2026-01-21 20:00", "before-0"),
        ("2026-01-22 07:59", None),
        ("2026-01-22 08:00", "overdue-2026-01-22"),
        ("2026-01-24 10:00", None),  # Saturday
        ("2026-01-25 10:00", None),  # Sunday
        ("2026-01-26 08:05", "overdue-2026-01-26"),
    ],
)
def test_reminder_slots(at: str, slot: str | None) -> None:
    assert reminder_slot(dt.datetime.fromisoformat(at), DUE, CFG) == slot


@pytest.mark.parametrize(
    ("at", "slot"),
    [
        ("2026-01-19 16:29", None),
        ("2026-01-19 16:30", "summary-2026-01-19"),
        ("2026-01-19 23:59", "summary-2026-01-19"),
        ("2026-01-24 17:00", None),  # Saturday
    ],
)
def test_summary_slots(at: str, slot: str | None) -> None:
    assert summary_slot(dt.datetime.fromisoformat(at), CFG, (DUE,)) == slot


def test_summary_on_a_weekend_deadline() -> None:
    saturday = dt.date(2026, 1, 24)
    assert summary_slot(dt.datetime(2026, 1, 24, 17), CFG, (saturday,)) == "summary-2026-01-24"


def test_quiet_hours_wrap_midnight() -> None:
    start, end = dt.time(21), dt.time(7)
    assert in_quiet_hours(dt.time(23), start, end) and in_quiet_hours(dt.time(6, 59), start, end)
    assert not in_quiet_hours(dt.time(7), start, end) and not in_quiet_hours(
        dt.time(20, 59), start, end
    )
    assert in_quiet_hours(dt.time(13), dt.time(12), dt.time(14))
    assert not in_quiet_hours(dt.time(13), dt.time(9), dt.time(9))


@pytest.mark.parametrize(
    ("at", "days", "slot"),
    [
        ("2026-12-04 08:00", (0, 1, 2, 3, 4), "nudge-2026-12-04"),  # Friday
        ("2026-12-04 07:59", (0, 1, 2, 3, 4), None),
        ("2026-12-04 21:00", (0, 1, 2, 3, 4), None),  # quiet hours
        ("2026-12-05 09:00", (0, 1, 2, 3, 4), None),  # Saturday
        ("2026-12-05 09:00", (0, 1, 2, 3, 4, 5), "nudge-2026-12-05"),  # a working Saturday
        ("2026-12-04 09:00", (), None),  # nudges off
    ],
)
def test_nudge_slot_on_the_configured_weekdays(
    at: str, days: tuple[int, ...], slot: str | None
) -> None:
    cfg = ScheduleConfig(nudge_days=days)
    assert nudge_slot(dt.datetime.fromisoformat(at), cfg) == slot
