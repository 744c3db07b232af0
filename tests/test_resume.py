"""The database is the conversation's memory: a restart mid-measure loses nothing."""

from __future__ import annotations

from pathlib import Path

from tests import builders
from tests.conftest import FOCAL, Clock, button, make_settings, start_harness, stop_harness, text_of


async def test_restart_in_the_middle_of_a_measure(tmp_path: Path, clock: Clock) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await h.join(FOCAL, "SXD")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "1."))
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    await h.send(FOCAL, "Cải tạo hệ thống thoát nước nội đô")
    calls = await h.send(FOCAL, "Ban Quản lý dự án tỉnh")  # typed lead unit, not an agency
    assert "Giữ nguyên như đã nhập (đơn vị ngoài danh sách)" in text_of(calls)
    await stop_harness(h)  # the process ends here; nothing else is kept

    h = await start_harness(settings, clock)
    try:
        calls = await h.press(FOCAL, "kp:1")  # keeps the name asked about before the restart
        assert "Đơn vị phối hợp" in text_of(calls)
        calls = await h.press(FOCAL, "ptn:1")
        assert "Tiến độ, thời gian hoàn thành?" in text_of(calls)
        calls = await h.send(FOCAL, "tháng 9/2026")
        assert "Hạn hoàn thành: 30/09/2026" in text_of(calls)
        calls = await h.send(FOCAL, "Công trình hoàn thành")
        assert "Đơn vị chủ trì: Ban Quản lý dự án tỉnh" in text_of(calls)
        rows = await h.rows("SELECT content, lead_unit, partners, timeline, output FROM measures")
        assert rows == [
            (
                "Cải tạo hệ thống thoát nước nội đô",
                "Ban Quản lý dự án tỉnh",
                "[]",
                "tháng 9/2026",
                "Công trình hoàn thành",
            )
        ]
    finally:
        await stop_harness(h)


async def test_restart_then_plain_text_continues_the_step(tmp_path: Path, clock: Clock) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await h.join(FOCAL, "SXD")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "2."))
    await h.press(FOCAL, button(calls, "Nhập mục tiêu"))
    await stop_harness(h)

    h = await start_harness(settings, clock)
    try:
        calls = await h.send(FOCAL, "Đủ nhà ở xã hội cho công nhân")
        assert "Đã lưu mục tiêu" in text_of(calls)
    finally:
        await stop_harness(h)


async def test_an_update_delivered_twice_is_handled_once(harness) -> None:
    h = harness
    await h.join(FOCAL, "SXD")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "1."))
    await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    update = builders.text(FOCAL, h.bot, "Nạo vét kênh tiêu", update_id=777_777)
    first = await h.feed(update)
    again = await h.feed(builders.text(FOCAL, h.bot, "Nạo vét kênh tiêu", update_id=777_777))
    assert "Đơn vị chủ trì" in text_of(first)
    assert again == []
    assert await h.rows("SELECT count(*) FROM measures") == [(1,)]
