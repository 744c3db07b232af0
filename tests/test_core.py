"""The core without any channel: Events in, queued messages (markup, choices) out."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from domain.model import Role
from handlers.markup import parse
from handlers.types import Kind
from tests.conftest import Clock
from tests.core import VN, CoreHarness, choice, text

FOCAL, CONSOLIDATOR = 7001, 7002


@pytest.fixture
async def core(tmp_path: Path) -> AsyncIterator[CoreHarness]:
    h = await CoreHarness.open(tmp_path, Clock(dt.datetime(2026, 1, 15, 9, 0, tzinfo=VN)))
    try:
        yield h
    finally:
        await h.close()


async def test_a_focal_persons_plan_through_the_core(core: CoreHarness) -> None:
    h = core
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    outs = await h.join(FOCAL, "TTT")
    assert "Đã liên kết: anh/chị là đầu mối của Thanh tra tỉnh" in text(outs)
    outs = await h.send(FOCAL, "/kehoach")
    assert parse(outs[0].text)[0].bold  # markup, never HTML: a channel renders it
    assert "<b>" not in outs[0].text
    outs = await h.press(FOCAL, choice(outs, "1."))
    outs = await h.press(FOCAL, choice(outs, "Nhập mục tiêu"))
    outs = await h.send(FOCAL, "Giải quyết dứt điểm đơn thư tồn đọng")
    assert "Đã lưu mục tiêu" in text(outs)
    outs = await h.press(FOCAL, choice(outs, "Thêm nhiệm vụ"))
    outs = await h.send(FOCAL, "Rà soát, phân loại đơn thư *tồn đọng* <cũ>")
    outs = await h.press(FOCAL, choice(outs, "⭐"))
    outs = await h.press(FOCAL, choice(outs, "Không có"))
    outs = await h.send(FOCAL, "quý II/2026")
    outs = await h.press(FOCAL, choice(outs, "Bỏ qua"))
    card = text(outs)
    assert "1.1. Rà soát, phân loại đơn thư *tồn đọng* <cũ>" in card  # escaped, shown as typed
    outs = await h.send(FOCAL, "/nop")
    confirm = choice(outs, "Xác nhận nộp")
    assert confirm.startswith("suby:")
    await h.core.handle(h.event(FOCAL, kind=Kind.BUTTON, data=confirm))
    async with h.db.read() as tx:
        queued = await tx.outbox.pending(limit=100)
    to_focal = [i for i in queued if i.recipient == str(FOCAL)]
    to_cons = [i for i in queued if i.recipient == str(CONSOLIDATOR)]
    assert [i.priority for i in to_focal] == [0]  # the person's own reply first
    assert [i.priority for i in to_cons] == [1]  # a notice to someone else
    assert await h.rows("SELECT version FROM submissions") == [(1,)]


async def test_the_same_event_twice_is_handled_once(core: CoreHarness) -> None:
    h = core
    await h.join(FOCAL, "TTT")
    event = h.event(FOCAL, kind=Kind.COMMAND, command="kehoach")
    first = await h.handle(event)
    again = await h.handle(event)
    assert len(first) == 1 and again == []


async def test_a_wrong_code_from_a_linked_person_changes_nothing_and_says_so(
    core: CoreHarness,
) -> None:
    h = core
    await h.join(FOCAL, "TTT")
    outs = await h.send(FOCAL, "/start khong-phai-ma-that")
    said = text(outs)
    assert "Mã mời không hợp lệ" in said
    assert "Mã mời chưa được sử dụng; không có gì thay đổi" in said and "Thanh tra tỉnh" in said
    assert "chỉ phục vụ người được" not in said  # not the stranger's text
    assert await h.rows("SELECT count(*) FROM memberships") == [(1,)]
