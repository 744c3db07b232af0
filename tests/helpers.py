"""Shared steps of the tests: a focal person completes and submits a plan."""

from __future__ import annotations

from tests.conftest import Harness, button, text_of


async def fill_item(
    h: Harness, uid: int, index: int, objective: str, measures: list[tuple[str, str]]
) -> None:
    calls = await h.send(uid, "/kehoach")
    calls = await h.press(uid, button(calls, f" {index}. "))
    calls = await h.press(uid, button(calls, "mục tiêu"))
    calls = await h.send(uid, objective)
    for content, timeline in measures:
        calls = await h.press(uid, button(calls, "Thêm nhiệm vụ"))
        calls = await h.send(uid, content)
        calls = await h.press(uid, button(calls, "⭐"))
        calls = await h.press(uid, button(calls, "Không có"))
        calls = await h.send(uid, timeline)
        calls = await h.press(uid, button(calls, "Bỏ qua"))
        calls = await h.press(uid, button(calls, "Xong"))


async def submit(h: Harness, uid: int) -> str:
    calls = await h.send(uid, "/nop")
    calls = await h.press(uid, button(calls, "Xác nhận nộp"))
    return text_of(calls)


async def complete_plan(h: Harness, uid: int, code: str, items: int) -> None:
    for i in range(1, items + 1):
        await fill_item(
            h, uid, i, f"Mục tiêu {code} {i}", [(f"Giải pháp {code} {i}.1", "quý II/2026")]
        )
    assert "Đã nộp kế hoạch" in await submit(h, uid)
