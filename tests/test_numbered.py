"""A channel without buttons (Zalo): numbered choices, the menu kept in the database, words as
commands — driven through the core, event by event."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.model import Role
from handlers.markup import plain
from handlers.numbered import read
from handlers.types import Event, Kind, Outgoing
from tests.conftest import Clock
from tests.core import VN, CoreHarness, text

FOCAL, CONSOLIDATOR = 8101, 8102


@pytest.fixture
async def zalo(tmp_path: Path) -> AsyncIterator[CoreHarness]:
    h = await CoreHarness.open(tmp_path, Clock(dt.datetime(2026, 1, 15, 9, 0, tzinfo=VN)), "zalo")
    try:
        yield h
    finally:
        await h.close()


def number(outs: list[Outgoing], label_part: str) -> str:
    """The number shown in front of the (last) choice whose label contains ``label_part``."""
    found = [
        m[1]
        for o in outs
        for line in plain(o.text).splitlines()
        if (m := re.match(r"(\d+)\. (.*)", line)) and label_part in m[2]
    ]
    assert found, f"no numbered choice {label_part!r} in {text(outs)!r}"
    return found[-1]


def item(outs: list[Outgoing], n: int) -> str:
    """The number shown for the plan's n-th item in its menu ("2. ⬜ Việc…": the item's own
    number is not written twice)."""
    found = [
        m[1]
        for o in outs
        for line in plain(o.text).splitlines()
        if (m := re.match(r"(\d+)\. [⬜🟡✅] ", line))
    ]
    assert len(found) >= n, f"no item {n} in the menu"
    return found[n - 1]


async def test_a_whole_plan_by_numbers(zalo: CoreHarness) -> None:
    h = zalo
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "kehoach")  # a command without "/"
    assert all(o.choices == () for o in outs)  # no buttons: the choices are in the text
    assert "Trả lời bằng số của lựa chọn (0: menu chính)." in text(outs)
    outs = await h.send(FOCAL, item(outs, 1))
    outs = await h.send(FOCAL, number(outs, "Nhập mục tiêu"))
    outs = await h.send(FOCAL, "Giải quyết dứt điểm đơn thư tồn đọng")
    assert "Đã lưu mục tiêu" in text(outs)
    assert len(outs) == 1  # "saved" and the next question read as one message
    outs = await h.send(FOCAL, number(outs, "Thêm nhiệm vụ"))
    outs = await h.send(FOCAL, "Rà soát, phân loại đơn thư tồn đọng")
    outs = await h.send(FOCAL, number(outs, "⭐"))
    outs = await h.send(FOCAL, "Không có")  # the choice's text typed out
    outs = await h.send(FOCAL, "quý II/2026")
    outs = await h.send(FOCAL, "bo qua")  # without diacritics
    assert "1.1. Rà soát, phân loại đơn thư tồn đọng" in text(outs)
    outs = await h.send(FOCAL, "nộp")
    outs = await h.send(FOCAL, number(outs, "Xác nhận nộp"))
    assert "Đã nộp" in text(outs)
    assert await h.rows("SELECT version FROM submissions") == [(1,)]


async def test_a_number_outside_the_menu_is_refused_with_the_menu_again(zalo: CoreHarness) -> None:
    h = zalo
    await h.join(FOCAL, "TTT")
    menu = await h.send(FOCAL, "/kehoach")
    stored = await h.rows("SELECT menu FROM conversations")
    entries = json.loads(stored[0][0])
    assert entries and all(len(e) == 2 for e in entries)  # label and payload, kept in the db
    outs = await h.send(FOCAL, "99")
    said = text(outs)
    assert "99 không phải là một lựa chọn" in said
    assert item(outs, 1) == item(menu, 1)  # the same menu, shown again
    assert await h.rows("SELECT menu FROM conversations") == stored  # nothing changed


async def test_the_menu_survives_a_restart(zalo: CoreHarness, tmp_path: Path) -> None:
    h = zalo
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "/kehoach")
    first = item(outs, 1)
    await h.close()
    h2 = await CoreHarness.open(tmp_path, h.clock, "zalo")  # a new process, the same database
    try:
        outs = await h2.send(FOCAL, first)
        assert "Nhập mục tiêu" in text(outs)
    finally:
        await h2.close()
    h.db = await type(h.db).open(tmp_path / "core.sqlite3")  # for the fixture's close


async def test_zero_and_menu_return_to_the_main_menu_and_words_are_commands(
    zalo: CoreHarness,
) -> None:
    h = zalo
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "/kehoach")
    outs = await h.send(FOCAL, item(outs, 1))
    outs = await h.send(FOCAL, number(outs, "Nhập mục tiêu"))
    assert await h.rows("SELECT step FROM conversations") == [("objective",)]
    outs = await h.send(FOCAL, "0")
    assert await h.rows("SELECT step FROM conversations") == [("idle",)]
    assert "Kế hoạch khắc phục" in text(outs) or "1." in text(outs)
    outs = await h.send(FOCAL, "Menu")
    assert item(outs, 1)
    outs = await h.send(FOCAL, "XEM")
    assert "Thanh tra tỉnh" in text(outs)
    outs = await h.send(FOCAL, "/nộp")  # a command typed with diacritics
    assert "chưa" in text(outs).lower()


def test_reading_is_only_for_whole_messages() -> None:
    menu = (("📋 Menu chính", "menu"), ("⬅️ Quay lại", "back:1"))

    def ev(t: str) -> Event:
        return Event(channel="zalo", delivery_id="1", user_id="u", kind=Kind.TEXT, text=t)

    pressed = read(ev(" 2. "), menu)
    assert isinstance(pressed, Event) and pressed.kind is Kind.BUTTON and pressed.data == "back:1"
    answer = read(ev("Xem xét lại quy trình tiếp công dân"), menu)
    assert isinstance(answer, Event) and answer.kind is Kind.TEXT  # an answer, not /xem
    year = read(ev("2026"), menu)
    assert isinstance(year, Event) and year.kind is Kind.TEXT  # a year is an answer
    back = read(ev("quay lai"), menu)
    assert isinstance(back, Event) and back.data == "back:1"  # the label first
    home = read(ev("quay lai"), (("📋 Menu chính", "menu"),))
    assert isinstance(home, Event) and home.data == "menu"


async def test_a_unit_name_questioned_is_answered_by_number(zalo: CoreHarness) -> None:
    h = zalo
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "kehoach")
    outs = await h.send(FOCAL, item(outs, 1))
    outs = await h.send(FOCAL, number(outs, "Thêm nhiệm vụ"))
    outs = await h.send(FOCAL, "Rà soát đơn thư")
    outs = await h.send(FOCAL, "quý II/2026")  # a timeline typed as the lead unit
    assert "giống một mốc thời gian" in text(outs)
    assert await h.rows("SELECT lead_unit FROM measures") == [(None,)]
    outs = await h.send(FOCAL, "thanh tra tin")  # a slip: the agency is offered by number
    outs = await h.send(FOCAL, number(outs, "Thanh tra tỉnh"))
    assert "Đơn vị phối hợp" in text(outs)
    assert await h.rows("SELECT lead_unit FROM measures") == [("Thanh tra tỉnh",)]
    outs = await h.send(FOCAL, "Công an tỉnh")
    outs = await h.send(FOCAL, number(outs, "Giữ «Công an tỉnh»"))
    assert await h.rows("SELECT partners FROM measures") == [('["Công an tỉnh"]',)]


async def test_a_progress_report_by_numbers(zalo: CoreHarness) -> None:
    h = zalo
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "kehoach")
    outs = await h.send(FOCAL, item(outs, 1))
    outs = await h.send(FOCAL, number(outs, "Nhập mục tiêu"))
    outs = await h.send(FOCAL, "Giải quyết dứt điểm đơn thư tồn đọng")
    outs = await h.send(FOCAL, number(outs, "Thêm nhiệm vụ"))
    outs = await h.send(FOCAL, "Rà soát đơn thư")
    outs = await h.send(FOCAL, number(outs, "⭐"))
    outs = await h.send(FOCAL, "Không có")
    outs = await h.send(FOCAL, "quý II/2026")
    outs = await h.send(FOCAL, "bo qua")
    outs = await h.send(FOCAL, "nộp")
    outs = await h.send(FOCAL, number(outs, "Xác nhận nộp"))
    outs = await h.send(FOCAL, "tiendo")  # a bare command word
    assert "Báo cáo tiến độ — quý I/2026" in text(outs)
    outs = await h.send(FOCAL, number(outs, "1.1"))
    outs = await h.send(FOCAL, number(outs, "Đã hoàn thành"))
    outs = await h.send(FOCAL, "Báo cáo số 12/BC-TTT")
    assert "Đã báo cáo: 1/1 nhiệm vụ" in text(outs)
    outs = await h.send(FOCAL, number(outs, "Nộp báo cáo"))
    outs = await h.send(FOCAL, number(outs, "Xác nhận nộp"))
    assert "Đã nộp báo cáo tiến độ quý I/2026 của Thanh tra tỉnh, bản 1" in text(outs)
    assert await h.rows("SELECT status, result FROM progress") == [("done", "Báo cáo số 12/BC-TTT")]


async def test_a_proposal_filed_routed_and_answered_by_numbers(zalo: CoreHarness) -> None:
    h = zalo
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await h.join(FOCAL, "TTT")
    department = 8103
    await h.join(department, "SKHCN")
    outs = await h.send(FOCAL, "kiennghi")
    outs = await h.send(FOCAL, number(outs, "Kiến nghị mới"))
    outs = await h.send(FOCAL, number(outs, "Chuyển đổi số"))
    outs = await h.send(FOCAL, "Đề nghị liên thông phần mềm một cửa")
    outs = await h.send(FOCAL, number(outs, "Sở Khoa học và Công nghệ"))
    items = await h.handle(h.event(FOCAL, kind=Kind.TEXT, text=number(outs, "Gửi kiến nghị")))
    assert "Đã gửi kiến nghị số 1" in text(h.mine(FOCAL, items))
    told = text(h.mine(CONSOLIDATOR, items))
    route = "Giao Sở Khoa học và Công nghệ"
    assert "Kiến nghị số 1" in told and route in told  # the choices, numbered
    items = await h.handle(
        h.event(CONSOLIDATOR, kind=Kind.TEXT, text=number(h.mine(CONSOLIDATOR, items), route))
    )
    asked = h.mine(department, items)
    assert "được giao trả lời kiến nghị số 1" in text(asked)
    outs = await h.send(department, number(asked, "Đã giải quyết"))
    items = await h.handle(
        h.event(department, kind=Kind.TEXT, text="Đã triển khai liên thông từ 01/02/2026")
    )
    assert "đã trả lời kiến nghị số 1" in text(h.mine(FOCAL, items))
    assert await h.rows("SELECT answer FROM proposals") == [("resolved",)]


# -- the menu in force is the person's own (18.13) ---------------------------------------------


async def _queued_for(h: CoreHarness, uid: int) -> list[Outgoing]:
    async with h.db.read() as tx:
        items = await tx.outbox.pending(limit=10_000)
    fresh = [i for i in items if i.id > h.seen]
    h.seen = max([h.seen, *(i.id for i in fresh)])
    return h.mine(uid, fresh)


async def test_a_reminder_queued_mid_step_never_takes_over_the_menu(zalo: CoreHarness) -> None:
    from domain.schedule import ScheduleConfig
    from handlers.jobs import Jobs

    h = zalo
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "kehoach")
    outs = await h.send(FOCAL, item(outs, 1))
    outs = await h.send(FOCAL, number(outs, "Thêm nhiệm vụ"))
    outs = await h.send(FOCAL, "Rà soát, phân loại đơn thư tồn đọng")
    lead = number(outs, "Thanh tra tỉnh")  # the lead-unit step, its numbers on screen
    menu_before = await h.rows("SELECT step, menu FROM conversations")

    h.clock.at = dt.datetime(2026, 1, 18, 8, 5, tzinfo=VN)  # 3 days before: the 08:00 reminder
    jobs = Jobs(h.db, h.core.services, ScheduleConfig())
    await jobs.tick()
    (reminder,) = await _queued_for(h, FOCAL)
    shown = plain(reminder.text)
    assert "Để mở: anh/chị gửi kehoach." in shown
    assert not re.search(r"^\d+\. ", shown, re.M)  # no numbers of its own
    assert await h.rows("SELECT step, menu FROM conversations") == menu_before

    outs = await h.send(FOCAL, lead)  # "1" still means the unit on screen
    assert await h.rows("SELECT lead_unit FROM measures") == [("Thanh tra tỉnh",)]


async def test_a_notice_to_someone_idle_is_numbered_and_answerable(zalo: CoreHarness) -> None:
    h = zalo
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await h.join(FOCAL, "TTT")
    await h.send(CONSOLIDATOR, "menu")
    await h.send(CONSOLIDATOR, "/huy")  # idle
    outs = await h.send(FOCAL, "kiennghi")
    outs = await h.send(FOCAL, number(outs, "Kiến nghị mới"))
    outs = await h.send(FOCAL, number(outs, "Chuyển đổi số"))
    outs = await h.send(FOCAL, "Đề nghị hỗ trợ thiết bị")
    outs = await h.send(FOCAL, number(outs, "Chưa rõ"))
    items = await h.handle(h.event(FOCAL, kind=Kind.TEXT, text=number(outs, "Gửi kiến nghị")))
    (notice,) = h.mine(CONSOLIDATOR, items)
    route = number([notice], "Giao đơn vị")  # numbered: the consolidator was idle
    outs = await h.send(CONSOLIDATOR, route)
    assert "Giao kiến nghị số 1 cho đơn vị nào trả lời?" in text(outs)


async def test_several_numbers_select_several_units(zalo: CoreHarness) -> None:
    """#21.2: "1, 7" at the multi-select step was offered as a unit name."""
    h = zalo
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "kehoach")
    outs = await h.send(FOCAL, item(outs, 1))
    outs = await h.send(FOCAL, number(outs, "Thêm nhiệm vụ"))
    outs = await h.send(FOCAL, "Rà soát đơn thư")
    outs = await h.send(FOCAL, number(outs, "⭐"))
    first, second = number(outs, "Sở Tài chính"), number(outs, "Sở Nội vụ")
    outs = await h.send(FOCAL, f"{first}, {second}")
    assert "Đã chọn: Sở Tài chính, Sở Nội vụ" in text(outs)
    assert len(outs) == 1  # one view, not one per toggle
    ((partners,),) = await h.rows("SELECT partners FROM measures")
    assert json.loads(partners) == ["Sở Tài chính", "Sở Nội vụ"]
    outs = await h.send(FOCAL, "1, 99")  # a number outside the menu: refused, nothing toggled
    assert "99 không phải là một lựa chọn" in text(outs)
    assert json.loads((await h.rows("SELECT partners FROM measures"))[0][0]) == [
        "Sở Tài chính",
        "Sở Nội vụ",
    ]  # nothing toggled


async def test_timeline_words_are_kept_and_a_likely_date_picked_by_number(
    zalo: CoreHarness,
) -> None:
    """#21.12 on Zalo: the one question's likely dates are numbered; the words stay as typed."""
    h = zalo
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "kehoach")
    outs = await h.send(FOCAL, item(outs, 1))
    outs = await h.send(FOCAL, number(outs, "Thêm nhiệm vụ"))
    outs = await h.send(FOCAL, "Rà soát đơn thư")
    outs = await h.send(FOCAL, number(outs, "⭐"))
    outs = await h.send(FOCAL, number(outs, "Không có"))
    outs = await h.send(FOCAL, "Trước kỳ họp cuối năm của HĐND tỉnh")
    shown = text(outs)
    assert "Đã ghi nguyên văn «Trước kỳ họp cuối năm của HĐND tỉnh»" in shown
    assert "bấm" not in shown.lower()
    outs = await h.send(FOCAL, number(outs, "Hết quý I/2026"))
    assert "Hạn hoàn thành: 31/03/2026" in text(outs)
    assert await h.rows("SELECT timeline, due_date FROM measures") == [
        ("Trước kỳ họp cuối năm của HĐND tỉnh", "2026-03-31")
    ]
