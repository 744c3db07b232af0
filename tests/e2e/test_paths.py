"""Whole paths through the real process: a focal person's plan, a consolidator's documents."""

from __future__ import annotations

import io

from docx import Document

from domain.model import Role
from tests.e2e.conftest import CONSOLIDATOR, E2E, FOCAL, text


async def test_focal_person_and_consolidator(e2e: E2E) -> None:
    focal = await e2e.invite("SNV")
    cons = await e2e.invite("STC", Role.CONSOLIDATOR)
    await e2e.bot.start()
    assert "Đã liên kết" in text(await e2e.send(CONSOLIDATOR, f"/start {cons}"))
    assert "đầu mối của Sở Nội vụ" in text(await e2e.send(FOCAL, f"/start {focal}"))
    for index in (1, 2):
        await e2e.send(FOCAL, "/kehoach")
        await e2e.press_label(FOCAL, f" {index}. ")
        await e2e.press_label(FOCAL, "Nhập mục tiêu")
        assert "Đã lưu mục tiêu" in text(await e2e.send(FOCAL, f"Mục tiêu {index}"))
        await e2e.press_label(FOCAL, "Thêm nhiệm vụ")
        await e2e.send(FOCAL, f"Giải pháp {index}")
        await e2e.press_label(FOCAL, "⭐")
        await e2e.press_label(FOCAL, "Không có")
        assert "Hạn hoàn thành: 30/06/2026" in text(await e2e.send(FOCAL, "quý II/2026"))
        await e2e.press_label(FOCAL, "Bỏ qua")
    await e2e.send(FOCAL, "/nop")
    done = await e2e.press_label(FOCAL, "Xác nhận nộp")
    assert "Đã nộp kế hoạch của Sở Nội vụ, bản 1" in text(done)
    await e2e.standin.wait_for(
        lambda: "Sở Nội vụ đã nộp kế hoạch" in text(e2e.standin.sent_to(CONSOLIDATOR)), 10
    )
    status = await e2e.send(CONSOLIDATOR, "/tonghop")
    assert "Đã nộp: 1/9" in text(status)
    got = await e2e.press_label(CONSOLIDATOR, "Word")  # built by the worker process
    assert "Đang tổng hợp tệp (.docx)" in text(got)
    files = [m for m in got if m.document]
    name, content = files[0].document
    assert name.endswith(".docx")
    cells = [c.text for t in Document(io.BytesIO(content)).tables for r in t.rows for c in r.cells]
    assert "1.1. Giải pháp 1" in cells and "2.1. Giải pháp 2" in cells
    assert await e2e.bot.stop() == 0  # SIGTERM: a clean stop
