"""Consolidators: /tonghop, one agency's plan, documents, /trave, /nhacnho — and who may use them."""

from __future__ import annotations

import io

import pytest
from docx import Document
from openpyxl import load_workbook

from domain.model import Role
from tests.conftest import (
    ADMIN,
    CONSOLIDATOR,
    FOCAL,
    FOCAL2,
    STRANGER,
    Harness,
    button,
    buttons_of,
    text_of,
)
from tests.helpers import complete_plan, fill_item


@pytest.fixture
async def h(harness: Harness) -> Harness:
    await harness.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await harness.join(FOCAL, "SNV")
    await harness.join(FOCAL2, "SXD")
    return harness


async def test_status_at_a_glance(h: Harness) -> None:
    await complete_plan(h, FOCAL, "SNV", 2)
    await fill_item(h, FOCAL2, 1, "Mục tiêu SXD", [])
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    text = text_of(calls)
    assert "TÌNH HÌNH TỔNG HỢP" in text
    assert "Đã nộp: 1/9 · Đang nhập: 1 · Chưa bắt đầu: 7" in text
    assert "✅ <b>Sở Nội vụ</b> — Đã nộp (bản 1) lúc 09:00 15/01/2026" in text
    assert "🟡 <b>Sở Xây dựng</b> — Đang nhập: 0/2 nội dung đã đủ" in text
    assert "⬜ <b>Thanh tra tỉnh</b> — Chưa bắt đầu\n   Chưa có đầu mối" in text
    assert "Đầu mối: Nguyễn Văn A" in text
    labels = [label for label, _ in buttons_of(calls)]
    assert "Sở Nội vụ" in labels and "📄 Word (.docx)" in labels and "📊 Excel (.xlsx)" in labels
    assert "Sở Tài chính" in labels  # STC answers items 1.1 and 1.2 itself
    assert "SNV" not in labels  # #21.7: names, not bare codes
    assert "Sở Nông nghiệp và Môi trường" in labels

    calls = await h.press(CONSOLIDATOR, button(calls, "Sở Nội vụ"))
    assert "Mục tiêu SNV 1" in text_of(calls) and "Giải pháp SNV 2.1" in text_of(calls)
    calls = await h.send(CONSOLIDATOR, "/tonghop sxd")
    assert "Mục tiêu SXD" in text_of(calls)
    calls = await h.send(CONSOLIDATOR, "/tonghop XYZ")
    assert "Không có đơn vị nào mang mã XYZ." in text_of(calls)


async def test_documents_from_the_buttons(h: Harness) -> None:
    await complete_plan(h, FOCAL, "SNV", 2)
    await fill_item(h, FOCAL2, 1, "Nháp SXD chưa nộp", [("Giải pháp nháp", "năm 2026")])
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    pressed = await h.press(CONSOLIDATOR, button(calls, "Word"))
    # said at once, the file follows when the worker has made it
    assert [c.method for c in pressed] == ["sendMessage", "sendDocument"]
    assert "Đang tổng hợp tệp (.docx)" in pressed[0].text
    docs = [c for c in pressed if c.method == "sendDocument"]
    name, content = docs[0].files["document"]
    assert name == "ke-hoach-tong-hop-bac-ninh-2025-20260115.docx"
    body = "\n".join(
        c.text for t in Document(io.BytesIO(content)).tables for r in t.rows for c in r.cells
    )
    assert "Giải pháp SNV 1.1" in body and "Nháp SXD chưa nộp" not in body
    assert "Kế hoạch tổng hợp: 1/9 đơn vị đã nộp." == docs[0].params["caption"]

    docs = [c for c in await h.press(CONSOLIDATOR, "dl:xlsx") if c.method == "sendDocument"]
    wb = load_workbook(io.BytesIO(docs[0].files["document"][1]))
    assert wb.sheetnames == ["Kế hoạch", "Tình hình nộp", "Rà soát 6 rõ"]

    docs = [c for c in await h.press(CONSOLIDATOR, "dl:draft") if c.method == "sendDocument"]
    name, content = docs[0].files["document"]
    assert name.startswith("ban-nhap-ke-hoach")
    doc = Document(io.BytesIO(content))
    assert "BẢN NHÁP" in doc.sections[0].first_page_header.paragraphs[0].text
    body = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Nháp SXD chưa nộp" in body


async def test_return_for_revision(h: Harness) -> None:
    await complete_plan(h, FOCAL, "SNV", 2)
    calls = await h.send(CONSOLIDATOR, "/trave SNV Bổ sung <tiến độ> cụ thể")
    to_focal = [c for c in calls if c.params.get("chat_id") == FOCAL]
    assert len(to_focal) == 1
    assert "Lý do: Bổ sung &lt;tiến độ&gt; cụ thể" in to_focal[0].text
    assert "đã thông báo cho 1 đầu mối" in text_of(
        [c for c in calls if c.params.get("chat_id") == CONSOLIDATOR]
    )
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    assert (
        "↩️ <b>Sở Nội vụ</b> — Bị trả lại để chỉnh sửa: Bổ sung &lt;tiến độ&gt; cụ thể"
        in text_of(calls)
    )
    calls = await h.send(FOCAL, "/kehoach")
    assert "Bị trả lại để chỉnh sửa" in text_of(calls)
    assert await h.rows("SELECT action FROM audit_log WHERE action = 'plan.return'") == [
        ("plan.return",)
    ]
    # resubmitting clears it
    calls = await h.send(FOCAL, "/nop")
    calls = await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    assert "bản 2" in text_of(calls)
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    assert "✅ <b>Sở Nội vụ</b>" in text_of(calls)
    for bad in ("/trave", "/trave SNV", "/trave SXD chưa nộp gì"):
        calls = await h.send(CONSOLIDATOR, bad)
        assert "Cách dùng" in text_of(calls) or "chưa nộp kế hoạch" in text_of(calls), bad


async def test_remind_now(h: Harness) -> None:
    await complete_plan(h, FOCAL, "SNV", 2)
    calls = await h.send(CONSOLIDATOR, "/nhacnho")
    reminded = [c for c in calls if c.params.get("chat_id") == FOCAL2]
    assert len(reminded) == 1 and "Còn thiếu 2/2 nội dung" in reminded[0].text
    assert not [c for c in calls if c.params.get("chat_id") == FOCAL]  # SNV has submitted
    text = text_of([c for c in calls if c.params.get("chat_id") == CONSOLIDATOR])
    assert "Đã nhắc 1 đơn vị (1 tin nhắn)" in text
    assert (
        "Các đơn vị chưa có đầu mối để nhắc: Sở Tài chính, Sở Nông nghiệp và Môi trường, Sở Công Thương, Sở Khoa học và Công nghệ, Sở Y tế, Sở Giáo dục và Đào tạo, Thanh tra tỉnh"
        in text
    )


@pytest.mark.parametrize("command", ["/tonghop", "/tonghop SNV", "/trave SNV x", "/nhacnho"])
async def test_only_consolidators(h: Harness, command: str) -> None:
    await complete_plan(h, FOCAL, "SNV", 2)
    calls = await h.send(FOCAL, command)
    assert "Lệnh này chỉ dành cho đơn vị tổng hợp" in text_of(calls)
    assert len(calls) == 1
    calls = await h.send(STRANGER, command)
    assert "chỉ phục vụ người được đơn vị tổng hợp mời" in text_of(calls)
    assert await h.rows("SELECT returned_at FROM plans WHERE returned_at IS NOT NULL") == []
    calls = await h.send(ADMIN, command)  # administrators may
    assert "chỉ dành cho đơn vị tổng hợp" not in text_of(calls)


@pytest.mark.parametrize("data", ["dl:docx", "dl:draft", "tc:1", "tcp:0"])
async def test_consolidator_buttons_refused_to_focal_persons(h: Harness, data: str) -> None:
    calls = await h.press(FOCAL, data)
    assert "chỉ dành cho đơn vị tổng hợp" in text_of(calls)
    assert not [c for c in calls if c.method == "sendDocument"]


@pytest.mark.parametrize("data", ["dl:pdf", "tc:abc", "tc:1:2", "tcp:-1"])
async def test_malformed_consolidator_buttons_are_refused(h: Harness, data: str) -> None:
    calls = await h.press(FOCAL, data)
    assert "không hợp lệ" in text_of(calls)
    assert not [c for c in calls if c.method == "sendDocument"]


async def test_forged_consolidator_buttons(h: Harness) -> None:
    for data in ("tc:999", "tc:x", "dl:pdf", "tcp:y"):
        calls = await h.press(CONSOLIDATOR, data)
        assert "không hợp lệ" in text_of(calls), data


async def test_consolidators_are_told_of_each_submission(h: Harness) -> None:
    await complete_plan(h, FOCAL, "SNV", 2)
    h.clock.advance(days=8)
    calls = await h.send(FOCAL, "/kehoach")
    await fill_item(h, FOCAL, 1, "Mục tiêu sửa", [])
    calls = await h.send(FOCAL, "/nop")
    calls = await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    told = [c for c in calls if c.params.get("chat_id") == CONSOLIDATOR]
    assert "bản 2" in told[0].text and "chậm 2 ngày" in told[0].text


async def test_late_agencies_are_told_apart(h: Harness) -> None:
    """After the deadline (21/01/2026): one agency submitted two days late, the others still owe."""
    import datetime as dt

    h.clock.at = dt.datetime(2026, 1, 23, 9, 0, tzinfo=h.clock.at.tzinfo)
    await complete_plan(h, FOCAL, "SNV", 2)
    h.clock.advance(days=1)
    text = text_of(await h.send(CONSOLIDATOR, "/tonghop"))
    assert "Nộp muộn: Sở Nội vụ (muộn 2 ngày)" in text
    assert "Chưa nộp, quá hạn 3 ngày: " in text
    missing = text.split("Chưa nộp, quá hạn 3 ngày: ")[1].split("\n")[0]
    assert "Sở Nội vụ" not in missing and "Sở Xây dựng" in missing and "Thanh tra tỉnh" in missing


async def test_return_from_the_agency_detail_asks_the_reason(h: Harness) -> None:
    """#21.7: the agency's detail has a ↩️ button, which asks for the reason."""
    await complete_plan(h, FOCAL, "SNV", 2)
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    calls = await h.press(CONSOLIDATOR, button(calls, "Sở Nội vụ"))
    calls = await h.press(CONSOLIDATOR, button(calls, "Trả lại"))
    assert "Anh/chị vui lòng nhập lý do" in text_of(calls)
    calls = await h.send(CONSOLIDATOR, "/trogiup")  # a command mid-step: asked again after
    assert "Trả lại kế hoạch của Sở Nội vụ" in text_of(calls)
    calls = await h.send(CONSOLIDATOR, "Bổ sung sản phẩm cụ thể")
    assert "Đã trả lại kế hoạch của Sở Nội vụ" in text_of(calls)
    told = [c for c in calls if c.params.get("chat_id") == FOCAL]
    assert told and "Lý do: Bổ sung sản phẩm cụ thể" in told[0].text
    assert await h.rows("SELECT return_reason FROM plans WHERE returned_at IS NOT NULL") == [
        ("Bổ sung sản phẩm cụ thể",)
    ]
