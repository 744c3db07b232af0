"""Reminders and the daily summary, scheduled by moving the clock: exactly once, even across restarts."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain.model import Role
from tests.conftest import (
    ADMIN,
    CONSOLIDATOR,
    FOCAL,
    FOCAL2,
    VN,
    Clock,
    Harness,
    make_settings,
    start_harness,
    stop_harness,
)
from tests.helpers import complete_plan


def at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=VN)


async def setup(h: Harness) -> None:
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await h.join(FOCAL, "SNV")
    await h.join(FOCAL2, "SXD")


async def tick(h: Harness, when: dt.datetime) -> list:
    h.clock.at = when
    return await h.tick()


def to(calls: list, uid: int) -> list:
    return [c for c in calls if c.params.get("chat_id") == uid]


async def test_reminders_go_once_per_slot_only_to_agencies_that_owe(harness: Harness) -> None:
    h = harness
    await setup(h)
    await complete_plan(h, FOCAL, "SNV", 2)
    assert await tick(h, at(18, 7, 59)) == []  # Sunday: no summary either
    calls = await tick(h, at(18, 8, 0))
    assert to(calls, FOCAL) == []  # SNV submitted
    (reminder,) = to(calls, FOCAL2)
    assert (
        "Nhắc hạn" in reminder.text
        and "Hạn gửi về Sở Tài chính: 21/01/2026 (còn 3 ngày)" in reminder.text
    )
    assert "Còn thiếu 2/2 nội dung" in reminder.text
    assert await tick(h, at(18, 8, 1)) == []  # exactly once
    assert to(await tick(h, at(19, 21, 30)), FOCAL2) == []  # quiet hours
    calls = await tick(h, at(20, 8, 0))
    assert "còn 1 ngày" in to(calls, FOCAL2)[0].text
    calls = await tick(h, at(21, 9, 0))
    assert "hạn chót là hôm nay" in to(calls, FOCAL2)[0].text
    assert to(await tick(h, at(24, 9, 0)), FOCAL2) == []  # Saturday, overdue
    calls = await tick(h, at(26, 8, 0))
    assert "quá hạn 5 ngày" in to(calls, FOCAL2)[0].text
    rows = await h.rows(
        "SELECT slot, recipients FROM deliveries WHERE kind = 'reminder' AND sent_at IS NOT NULL ORDER BY id"
    )
    assert rows == [("before-3", 1), ("before-1", 1), ("before-0", 1), ("overdue-2026-01-26", 1)]


async def test_returned_plans_are_reminded(harness: Harness) -> None:
    h = harness
    await setup(h)
    await complete_plan(h, FOCAL, "SNV", 2)
    await h.send(CONSOLIDATOR, "/trave SNV Thiếu tiến độ")
    calls = await tick(h, at(20, 8, 0))
    assert "Kế hoạch bị trả lại để chỉnh sửa: Thiếu tiến độ" in to(calls, FOCAL)[0].text


async def test_no_duplicates_across_a_restart(tmp_path: Path, clock: Clock) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await setup(h)
    calls = await tick(h, at(18, 8, 0))
    assert len(to(calls, FOCAL)) == 1 and len(to(calls, FOCAL2)) == 1
    await stop_harness(h)
    h = await start_harness(settings, clock)
    try:
        assert await tick(h, at(18, 9, 0)) == []
    finally:
        await stop_harness(h)


async def test_reminders_queued_before_a_crash_are_sent_after_restart(
    tmp_path: Path, clock: Clock
) -> None:
    """The slot is claimed and its messages queued in one transaction: a process killed before
    sending leaves them in the outbox, and the next start sends them, once."""
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await setup(h)
    h.clock.at = at(18, 8, 0)
    result = await h.app.jobs.tick()  # decided and committed; the process dies before sending
    assert result.reminders == 2
    await stop_harness(h)
    h = await start_harness(settings, clock)
    try:
        await h.deliver()  # nothing asked; the sender drains what is queued
        calls = h.api.take()
        assert len(to(calls, FOCAL)) == 1 and len(to(calls, FOCAL2)) == 1
        assert await tick(h, at(18, 8, 31)) == []
        assert await h.rows("SELECT count(*) FROM outbox WHERE sent_at IS NULL") == [(0,)]
    finally:
        await stop_harness(h)


async def test_daily_summary_once_a_day_with_the_spreadsheet(harness: Harness) -> None:
    h = harness
    await setup(h)
    calls = await tick(h, at(15, 16, 30))
    (summary,) = to(calls, CONSOLIDATOR)
    assert "BÁO CÁO TIẾN ĐỘ HẰNG NGÀY" in summary.text and "15/01/2026" in summary.text
    assert "Đã nộp: 0/9" in summary.text and "Không có đơn vị nộp mới" in summary.text
    assert "• Sở Nội vụ — Nguyễn Văn A" in summary.text
    assert "• Thanh tra tỉnh — chưa có đầu mối" in summary.text
    assert "Tiến độ quý I/2026" not in summary.text  # no plan submitted: nothing to follow
    assert await tick(h, at(15, 17, 0)) == []

    h.clock.at = at(16, 10, 0)
    await complete_plan(h, FOCAL, "SNV", 2)
    calls = await tick(h, at(16, 16, 31))
    summary, document = to(calls, CONSOLIDATOR)
    assert "Nộp từ lần báo cáo trước: Sở Nội vụ (bản 1)" in summary.text
    assert "<b>Tiến độ quý I/2026</b> (hạn 15/03/2026): đã nộp báo cáo 0/1" in summary.text
    assert document.method == "sendDocument"
    wb = load_workbook(io.BytesIO(document.files["document"][1]))
    assert any("Giải pháp SNV 1.1" == c.value for row in wb["Kế hoạch"].iter_rows() for c in row)
    calls = await tick(h, at(17, 17, 0))  # Saturday: no summary
    assert to(calls, CONSOLIDATOR) == []


async def test_missed_summary_is_sent_on_start_the_same_day_not_the_next(
    tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await setup(h)
    await stop_harness(h)  # down at 16:30 on Monday 19/01
    h = await start_harness(settings, clock)
    try:
        calls = await tick(h, at(19, 18, 45))
        assert len(to(calls, CONSOLIDATOR)) == 1
        assert await tick(h, at(19, 18, 46)) == []
        # down all Tuesday evening: after midnight Tuesday's summary is not sent late
        assert to(await tick(h, at(20, 10, 0)), CONSOLIDATOR) == []
        assert to(await tick(h, at(21, 0, 30)), CONSOLIDATOR) == []
    finally:
        await stop_harness(h)


async def test_summary_also_goes_to_the_configured_group(tmp_path: Path, clock: Clock) -> None:
    h = await start_harness(make_settings(tmp_path, summary_chat_id=-100123), clock)
    try:
        await setup(h)
        calls = await tick(h, at(15, 16, 30))
        assert len(to(calls, -100123)) == 1 and len(to(calls, CONSOLIDATOR)) == 1
    finally:
        await stop_harness(h)


async def test_blocked_user_is_recorded_and_not_retried(harness: Harness) -> None:
    h = harness
    await setup(h)
    h.api.blocked.add(FOCAL2)
    calls = await tick(h, at(18, 8, 0))
    assert len(to(calls, FOCAL2)) == 1  # tried once, refused with 403
    blocked = await h.rows("SELECT external_id FROM users WHERE blocked_at IS NOT NULL")
    assert blocked == [(str(FOCAL2),)]
    calls = await tick(h, at(20, 8, 0))
    assert to(calls, FOCAL2) == [] and len(to(calls, FOCAL)) == 1
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    assert "(đã chặn bot: Nguyễn Văn A (Telegram))" in calls[0].text  # with the channel


async def test_a_failing_summary_is_retried_then_reported_to_administrators(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from handlers import jobs

    h = harness
    await setup(h)
    await h.send(ADMIN, "/start")  # the bootstrap administrator, reachable in chat
    real = jobs.summary_text

    async def broken(*args: object, **kwargs: object) -> tuple[str, bool]:
        raise RuntimeError("overview query failed")

    monkeypatch.setattr(jobs, "summary_text", broken)
    assert to(await tick(h, at(15, 16, 30)), CONSOLIDATOR) == []
    assert h.last_tick.failed == ["summary"]
    monkeypatch.setattr(jobs, "summary_text", real)  # fixed: the next tick sends it
    (summary,) = to(await tick(h, at(15, 16, 31)), CONSOLIDATOR)
    assert "BÁO CÁO TIẾN ĐỘ HẰNG NGÀY" in summary.text
    assert to(await tick(h, at(16, 8, 0)), ADMIN) == []  # it went out: nothing to report

    monkeypatch.setattr(jobs, "summary_text", broken)  # fails all of Friday 16/01
    for minute in range(30, 35):
        await tick(h, at(16, 16, minute))
    calls = await tick(h, at(17, 0, 1))  # the day is over: administrators are told, once
    (alert,) = to(calls, ADMIN)
    assert "Không tạo được báo cáo tiến độ hằng ngày 16/01/2026" in alert.text
    assert "đã thử 5 lần" in alert.text and "overview query failed" in alert.text
    assert to(await tick(h, at(17, 0, 2)), ADMIN) == []
