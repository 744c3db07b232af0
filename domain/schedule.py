"""When reminders and daily summaries are due. Pure: the caller gives the local time.

A slot is a key ("before-3", "overdue-2026-01-23", "summary-2026-01-21") that the ledger records
once per agency (or once per campaign for summaries), so every slot is sent exactly once, and a
bot that was down when a slot began still sends it while the slot lasts.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleConfig:
    reminder_days_before: tuple[int, ...] = (3, 1, 0)
    reminder_time: dt.time = dt.time(8, 0)
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(7, 0)
    summary_time: dt.time = dt.time(16, 30)
    summary_days: tuple[int, ...] = (0, 1, 2, 3, 4)  # Monday..Friday
    nudge_days: tuple[int, ...] = (0, 1, 2, 3, 4)


def in_quiet_hours(at: dt.time, start: dt.time, end: dt.time) -> bool:
    """Quiet hours may wrap past midnight (21:00–07:00)."""
    if start == end:
        return False
    if start < end:
        return start <= at < end
    return at >= start or at < end


def reminder_slot(now: dt.datetime, plans_due: dt.date, cfg: ScheduleConfig) -> str | None:
    """The reminder slot in force at local time ``now``, or None (none, or quiet hours).

    Before the deadline: each 'N days before' slot lasts until the next one begins (the one of
    the deadline day lasts to its end). After it: every working day from ``reminder_time``.
    """
    if in_quiet_hours(now.time(), cfg.quiet_start, cfg.quiet_end):
        return None
    naive = now.replace(tzinfo=None)
    starts = sorted(
        (dt.datetime.combine(plans_due - dt.timedelta(days=d), cfg.reminder_time), f"before-{d}")
        for d in set(cfg.reminder_days_before)
        if d >= 0
    )
    for i, (start, key) in enumerate(starts):
        end = (
            starts[i + 1][0]
            if i + 1 < len(starts)
            else dt.datetime.combine(plans_due + dt.timedelta(days=1), dt.time(0))
        )
        if start <= naive < end:
            return key
    today = naive.date()
    if today > plans_due and today.weekday() < 5 and naive.time() >= cfg.reminder_time:
        return f"overdue-{today.isoformat()}"
    return None


def summary_slot(
    now: dt.datetime, cfg: ScheduleConfig, deadlines: tuple[dt.date, ...]
) -> str | None:
    """The daily summary's slot: from ``summary_time`` to midnight on summary days."""
    today = now.date()
    if today.weekday() not in cfg.summary_days and today not in deadlines:
        return None
    if now.time() < cfg.summary_time:
        return None
    return f"summary-{today.isoformat()}"


def nudge_slot(now: dt.datetime, cfg: ScheduleConfig) -> str | None:
    """The follow-through's daily slot: on ``nudge_days`` (working days) from ``reminder_time``,
    never in quiet hours. One nudge per agency per slot, and only when there is something to
    say."""
    if in_quiet_hours(now.time(), cfg.quiet_start, cfg.quiet_end):
        return None
    if now.weekday() not in cfg.nudge_days or now.time() < cfg.reminder_time:
        return None
    return f"nudge-{now.date().isoformat()}"
