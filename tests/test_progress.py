"""The follow-through: a quarter's progress report, driven update by update (handlers.progress),
and its rules (domain.progress)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest

from bot.settings import BUNDLED_CAMPAIGN
from domain.campaign import load_campaign
from domain.model import Measure, Role
from domain.progress import Entry, Progress, overdue
from tests import builders
from tests.conftest import (
    CONSOLIDATOR,
    FOCAL,
    FOCAL2,
    Clock,
    Harness,
    button,
    buttons_of,
    make_settings,
    start_harness,
    stop_harness,
    text_of,
)
from tests.core import VN
from tests.helpers import complete_plan, fill_item, submit

CAMPAIGN_SUMMARY = load_campaign(BUNDLED_CAMPAIGN).report.summary.rstrip(".")


async def _submitted_plan(h: Harness) -> None:
    """Sở Nội vụ's plan: item 1 with two measures, item 2 with one; submitted."""
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await h.join(FOCAL, "SNV")
    await fill_item(
        h,
        FOCAL,
        1,
        "Bộ máy hai cấp vận hành thông suốt",
        [("Ban hành quy chế phân cấp", "quý I/2026"), ("Tập huấn cán bộ cấp xã", "quý II/2026")],
    )
    calls = await h.send(FOCAL, "/tiendo")  # not submitted yet: nothing to report
    assert "sau khi kế hoạch đã nộp" in text_of(calls)
    await fill_item(h, FOCAL, 2, "Đủ cán bộ theo định biên", [("Tuyển dụng công chức", "năm 2026")])
    assert "Đã nộp kế hoạch" in await submit(h, FOCAL)


async def _entries(h: Harness) -> list[tuple]:
    return await h.rows(
        "SELECT m.content, e.status, e.result, e.reason, e.new_due_text, e.new_due"
        " FROM progress e JOIN measures m ON m.id = e.measure_id ORDER BY m.id"
    )


async def test_a_quarter_measure_by_measure_then_submitted_and_resubmitted(
    harness: Harness,
) -> None:
    h = harness
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")
    text = text_of(calls)
    assert "Báo cáo tiến độ — quý I/2026" in text
    assert "Hạn nộp báo cáo: 15/03/2026 (còn 59 ngày)" in text
    assert "Đã báo cáo: 0/3 nhiệm vụ" in text
    labels = [label for label, _ in buttons_of(calls)]
    assert labels[:3] == [
        "⬜ 1.1 Ban hành quy chế phân cấp",
        "⬜ 1.2 Tập huấn cán bộ cấp xã",
        "⬜ 2.1 Tuyển dụng công chức",
    ]

    # 1.1 done: the result is required (no skip), then straight on to 1.2
    calls = await h.press(FOCAL, button(calls, "1.1"))
    assert "Tình hình thực hiện nhiệm vụ này?" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Đã hoàn thành"))
    assert "Kết quả, sản phẩm?" in text_of(calls)
    assert not [label for label, _ in buttons_of(calls) if "Bỏ qua" in label]
    calls = await h.send(FOCAL, "👍")  # #21.4: it would vanish from the documents
    assert "ghi bằng lời văn" in text_of(calls)
    calls = await h.send(FOCAL, "Quyết định số 123/QĐ-UBND ngày 15/3/2026")
    assert "✅ Đã lưu." in text_of(calls)
    assert "1.2. Tập huấn cán bộ cấp xã" in text_of(calls)  # the next measure, asked at once

    # 1.2 behind schedule: result skipped, reason, a past date refused, a new date
    calls = await h.press(FOCAL, button(calls, "chậm tiến độ"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Lý do chậm tiến độ?" in text_of(calls)
    calls = await h.send(FOCAL, "Chờ hướng dẫn của Bộ Nội vụ")
    assert "Đề xuất thời gian hoàn thành mới?" in text_of(calls)
    calls = await h.send(FOCAL, "30/12/2025")
    assert "Ngày 30/12/2025 đã qua" in text_of(calls)
    calls = await h.send(FOCAL, "quý III/2026")
    assert "2.1. Tuyển dụng công chức" in text_of(calls)

    # 2.1 not carried out yet; then the report, complete
    calls = await h.press(FOCAL, button(calls, "Chưa thực hiện"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Đã báo cáo: 3/3 nhiệm vụ" in text_of(calls)
    assert await _entries(h) == [
        (
            "Ban hành quy chế phân cấp",
            "done",
            "Quyết định số 123/QĐ-UBND ngày 15/3/2026",
            None,
            None,
            None,
        ),
        (
            "Tập huấn cán bộ cấp xã",
            "late",
            None,
            "Chờ hướng dẫn của Bộ Nội vụ",
            "quý III/2026",
            "2026-09-30",
        ),
        ("Tuyển dụng công chức", "not_started", None, None, None, None),
    ]

    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    assert "Anh/chị có nộp báo cáo tiến độ quý I/2026 của Sở Nội vụ không?" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    assert "Đã nộp báo cáo tiến độ quý I/2026 của Sở Nội vụ, bản 1" in text_of(calls)
    sent = [c for c in calls if c.params.get("chat_id") == CONSOLIDATOR]
    assert (
        "📥 Sở Nội vụ đã nộp báo cáo tiến độ quý I/2026 (bản 1): Đã hoàn thành: 1, "
        "Đang thực hiện – chậm tiến độ: 1, Chưa thực hiện: 1." in sent[-1].params["text"]
    )
    ((version, snapshot),) = await h.rows("SELECT version, snapshot FROM period_submissions")
    assert version == 1 and json.loads(snapshot)["period"] == "2026-Q1"

    # an edit after submission: "changed", and a second version
    calls = await h.send(FOCAL, "/tiendo")
    assert "Đã nộp (bản 1)" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "2.1"))
    calls = await h.press(FOCAL, button(calls, "đúng tiến độ"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Đã sửa sau khi nộp bản 1: cần nộp lại" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    calls = await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    assert "bản 2" in text_of(calls)
    assert await h.rows("SELECT version FROM period_submissions ORDER BY version") == [(1,), (2,)]

    # the next quarter: the measure done in quý I is not asked again
    h.clock.advance(days=80)  # 05/04/2026
    calls = await h.send(FOCAL, "/tiendo")
    assert "Báo cáo tiến độ — quý II/2026" in text_of(calls)
    assert "Đã báo cáo: 0/2 nhiệm vụ" in text_of(calls)
    labels = [label for label, _ in buttons_of(calls)]
    assert not [x for x in labels if "1.1" in x]


async def test_incomplete_report_lists_what_is_missing_and_stale_buttons_are_refused(
    harness: Harness,
) -> None:
    h = harness
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")
    first = button(calls, "1.1")
    calls = await h.press(FOCAL, first)
    calls = await h.press(FOCAL, button(calls, "chậm tiến độ"))
    calls = await h.press(FOCAL, button(calls, "Về báo cáo"))
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    text = text_of(calls)
    assert "Báo cáo chưa đủ. Còn thiếu:" in text
    assert "• 1.1: chậm tiến độ nhưng chưa nêu lý do" in text
    assert "• 1.1: chậm tiến độ nhưng chưa đề xuất thời gian mới" in text
    assert "• 1.2: chưa chọn tình hình thực hiện" in text
    assert await h.rows("SELECT count(*) FROM period_submissions") == [(0,)]
    # a forged report id, another agency's report, a malformed status
    report = int(first.split(":")[1])
    for data in (f"pgm:{report + 99}:1:0", f"pgs:{report}:1:x:0", f"pgs:{report}:999999:d:0"):
        calls = await h.press(FOCAL, data)
        assert "không hợp lệ" in text_of(calls), data


async def test_a_step_survives_a_restart_and_bad_input_keeps_it(
    tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "1.1"))
    calls = await h.press(FOCAL, button(calls, "chậm tiến độ"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Lý do chậm tiến độ?" in text_of(calls)
    await stop_harness(h)

    h = await start_harness(settings, clock)
    try:
        calls = await h.send(FOCAL, "   ")
        assert "Tin nhắn trống" in text_of(calls)
        calls = await h.send(FOCAL, "/xem")  # a command that keeps the step
        assert "Lý do chậm tiến độ?" in text_of(calls)
        calls = await h.send(FOCAL, "Thiếu kinh phí")
        assert "Đề xuất thời gian hoàn thành mới?" in text_of(calls)
        assert (await _entries(h))[0][1:4] == ("late", None, "Thiếu kinh phí")
    finally:
        await stop_harness(h)


def test_the_period_being_reported_and_overdue_measures() -> None:
    c = load_campaign(BUNDLED_CAMPAIGN)
    assert c.current_period(dt.date(2025, 12, 31)) is None
    assert c.current_period(dt.date(2026, 3, 15)).key == "2026-Q1"
    assert c.current_period(dt.date(2026, 3, 20)).key == "2026-Q1"  # late reports are taken
    assert c.current_period(dt.date(2026, 4, 1)).key == "2026-Q2"
    assert c.current_period(dt.date(2027, 5, 1)).key == "2026-Q4"
    m = Measure(id=1, position=1, content="x", due_date=dt.date(2026, 6, 30))
    assert overdue(m, None, dt.date(2026, 7, 3)) == 3
    assert overdue(m, Entry(measure_id=1, status=Progress.DONE), dt.date(2026, 7, 3)) == 0
    later = Entry(measure_id=1, status=Progress.LATE, new_due=dt.date(2026, 9, 30))
    assert overdue(m, later, dt.date(2026, 7, 3)) == 0
    assert (
        overdue(Measure(id=2, position=1, content="y", recurring=True), None, dt.date(2027, 1, 1))
        == 0
    )


async def test_tonghop_shows_the_period_and_overdue_measures_with_their_lead(
    harness: Harness,
) -> None:
    h = harness
    await _submitted_plan(h)
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    text = text_of(calls)
    assert "<b>Tiến độ quý I/2026</b> (hạn 15/03/2026): đã nộp báo cáo 0/1" in text
    assert "Nhiệm vụ: ✅ 0 hoàn thành · 🟢 0 đúng tiến độ · 🔴 0 chậm · ⚪ 0 chưa thực hiện" in text
    assert "⬜ 3 chưa báo cáo" in text and "quá hạn:" not in text

    h.clock.advance(days=80)  # 05/04/2026: measure 1.1 (quý I/2026) is 5 days overdue
    text = text_of(await h.send(CONSOLIDATOR, "/tonghop"))
    assert "<b>Tiến độ quý II/2026</b>" in text
    assert "⏰ 1 nhiệm vụ quá hạn:" in text
    assert (
        "• Sở Nội vụ: 1.1 Ban hành quy chế phân cấp (chủ trì: Sở Nội vụ) — quá hạn 5 ngày" in text
    )

    text = text_of(await h.send(CONSOLIDATOR, "/tonghop SNV"))  # the agency's own detail
    assert "<b>Tiến độ quý II/2026</b> (hạn 15/06/2026): Chưa bắt đầu" in text
    assert "⏰ 1.1 Ban hành quy chế phân cấp (chủ trì: Sở Nội vụ) — quá hạn 5 ngày" in text

    # the focal person reports it behind schedule with a new date: no longer overdue
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "⬜ ⏰ 1.1"))  # marked overdue in the list
    calls = await h.press(FOCAL, button(calls, "chậm tiến độ"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.send(FOCAL, "Chờ ý kiến thẩm định")
    calls = await h.send(FOCAL, "quý III/2026")
    text = text_of(await h.send(CONSOLIDATOR, "/tonghop"))
    assert "quá hạn:" not in text and "🔴 1 chậm" in text


async def _nudges(h: Harness, when: dt.datetime) -> list[str]:
    h.clock.at = when
    return [c.params["text"] for c in await h.tick() if c.params.get("chat_id") == FOCAL]


async def test_nudges_follow_the_dates_once_a_day_one_message_per_agency(harness: Harness) -> None:
    h = harness
    await _submitted_plan(h)  # 1.1 due 31/03, 1.2 due 30/06, 2.1 due 31/12/2026

    def day(month: int, d: int, hour: int = 8, minute: int = 30) -> dt.datetime:
        return dt.datetime(2026, month, d, hour, minute, tzinfo=VN)

    assert await _nudges(h, day(2, 10)) == []  # nothing due: nothing said
    (nudge,) = await _nudges(h, day(3, 12))  # Thursday, 3 days before the report is due
    assert "Nhắc tiến độ thực hiện kế hoạch</b> — Sở Nội vụ" in nudge
    assert "Báo cáo tiến độ quý I/2026 hạn nộp 15/03/2026 (còn 3 ngày), chưa nộp." in nudge
    assert "Sắp đến hạn" not in nudge and "Quá hạn" not in nudge
    assert await _nudges(h, day(3, 12, 15)) == []  # once a day
    assert await _nudges(h, day(3, 13, 6, 30)) == []  # quiet hours
    assert await _nudges(h, day(3, 14)) == []  # Saturday

    (nudge,) = await _nudges(h, day(3, 30))  # Monday
    assert "Sắp đến hạn:\n• 1.1 Ban hành quy chế phân cấp — hạn 31/03/2026 (còn 1 ngày)" in nudge
    assert "hạn nộp 15/03/2026 (quá hạn 15 ngày), chưa nộp" in nudge

    (nudge,) = await _nudges(h, day(4, 1))  # quý II: 1.1 is overdue, its report is not due yet
    assert "Quá hạn, chưa báo cáo hoàn thành:\n• 1.1 Ban hành quy chế phân cấp" in nudge
    assert "(quá hạn 1 ngày)" in nudge and "Báo cáo tiến độ" not in nudge

    calls = await h.send(FOCAL, "/tiendo")  # reported done: nothing more to say about it
    calls = await h.press(FOCAL, button(calls, "1.1"))
    calls = await h.press(FOCAL, button(calls, "Đã hoàn thành"))
    await h.send(FOCAL, "Quyết định số 5/QĐ-UBND")
    assert await _nudges(h, day(4, 2)) == []
    assert await h.rows("SELECT count(*) FROM deliveries WHERE kind = 'nudge'") == [(3,)]


async def test_no_nudge_on_a_weekday_left_out_of_nudge_days(tmp_path: Path, clock: Clock) -> None:
    h = await start_harness(make_settings(tmp_path, nudge_days=[0, 1, 2, 4]), clock)
    try:
        await _submitted_plan(h)
        # Thursday, 3 days before the report is due: a nudge on a nudge day (the test above)
        assert await _nudges(h, dt.datetime(2026, 3, 12, 8, 30, tzinfo=VN)) == []
        (nudge,) = await _nudges(h, dt.datetime(2026, 3, 16, 8, 30, tzinfo=VN))  # Monday
        assert "hạn nộp 15/03/2026 (quá hạn 1 ngày), chưa nộp" in nudge
    finally:
        await stop_harness(h)


async def test_the_results_spreadsheet_from_tonghop_and_the_cli(
    harness: Harness, tmp_path: Path
) -> None:
    import io

    from openpyxl import load_workbook

    h = harness
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "1.1"))
    calls = await h.press(FOCAL, button(calls, "Đã hoàn thành"))
    calls = await h.send(FOCAL, '=HYPERLINK("http://x") Quyết định 📑 số 7')  # text, not a formula
    calls = await h.press(FOCAL, button(calls, "chậm tiến độ"))  # 1.2
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.send(FOCAL, "Thiếu kinh phí")
    calls = await h.send(FOCAL, "quý III/2026")
    calls = await h.press(FOCAL, button(calls, "Chưa thực hiện"))  # 2.1
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    await h.press(FOCAL, button(calls, "Xác nhận nộp"))

    calls = await h.send(CONSOLIDATOR, "/tonghop")
    calls = await h.press(CONSOLIDATOR, button(calls, "Kết quả thực hiện (.xlsx)"))
    (doc,) = [c for c in calls if c.method == "sendDocument"]
    name, content = doc.files["document"]
    assert name.startswith("ket-qua-bac-ninh-2025-2026-Q1-")
    assert "Kết quả thực hiện quý I/2026: 1/1 đơn vị đã nộp báo cáo." in doc.params["caption"]
    sheet = load_workbook(io.BytesIO(content))["Kết quả thực hiện"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0].startswith("BÁO CÁO Kết quả thực hiện kế hoạch khắc phục")
    header = rows.index(next(r for r in rows if r[0] == "STT"))
    body = rows[header + 1 :]
    assert [(r[1], r[2], r[7]) for r in body] == [  # #22.13: numbered as in the plan's sheet
        ("Sở Nội vụ", "I.1.1", "Đã hoàn thành"),
        ("Sở Nội vụ", "I.1.2", "Đang thực hiện – chậm tiến độ"),
        ("Sở Nội vụ", "I.2.1", "Chưa thực hiện"),
    ]
    lazy = load_workbook(io.BytesIO(content), read_only=True)  # #22.3: read whole
    assert lazy["Kết quả thực hiện"].max_row == len(rows)
    lazy.close()
    heading = next(r for r in sheet.iter_rows() if r[0].value == "STT")[0].row
    assert sheet.row_dimensions[heading].height >= 3 * 16  # "Số hiệu trong kế hoạch" whole
    status_row = sheet.row_dimensions[header + 3].height  # "Đang thực hiện – chậm tiến độ"
    assert status_row >= 16 * 2
    assert body[0][8] == '=HYPERLINK("http://x") Quyết định số 7'  # a string; emoji left out
    assert sheet.cell(header + 2, 9).data_type == "s"
    assert body[1][9] == "Thiếu kinh phí" and body[1][10] == "quý III/2026"
    assert body[1][11] == dt.datetime(2026, 9, 30)  # a real date
    assert body[0][6] == dt.datetime(2026, 3, 31)
    assert sheet.print_title_rows and sheet.page_setup.orientation == "landscape"

    # the Word report: the heading of Nghị định 30, one block per agency that reported, the
    # agencies that did not listed once after the table
    from docx import Document
    from docx.oxml.ns import qn

    await h.join(FOCAL2, "SXD")
    await complete_plan(h, FOCAL2, "SXD", 2)
    calls = await h.press(CONSOLIDATOR, "dl:progd")
    (doc,) = [c for c in calls if c.method == "sendDocument"]
    name, content = doc.files["document"]
    assert name.endswith(".docx") and "1/2 đơn vị đã nộp báo cáo" in doc.params["caption"]
    word = Document(io.BytesIO(content))
    paragraphs = [p.text for p in word.paragraphs]
    assert "BÁO CÁO" in paragraphs
    heading = [p.text for c in word.tables[0].rows[0].cells for p in c.paragraphs]
    assert "Số: …/BC-STC" in heading  # #22.1: a report has its own ký hiệu, not …/KH-…
    assert "TỔ CHỨC THỰC HIỆN" not in paragraphs  # the plan's section, not the report's
    # #22.11: one trích yếu (the plan's subject and the period, once); the opening cites the
    # plan being reported on, not the directive
    summary = CAMPAIGN_SUMMARY[:1].lower() + CAMPAIGN_SUMMARY[1:]
    assert f"Kết quả thực hiện Kế hoạch {summary}, quý I/2026" in paragraphs
    assert paragraphs.count(CAMPAIGN_SUMMARY) == 0
    assert any(
        p.startswith(
            f"Thực hiện Kế hoạch số …/KH-STC ngày … tháng … năm … của Sở Tài chính về {summary}"
        )
        and "báo cáo kết quả thực hiện quý I/2026 như sau:" in p
        for p in paragraphs
    )
    assert not any(p.startswith("Thực hiện Công văn") for p in paragraphs)
    assert "Các cơ quan, đơn vị chưa gửi báo cáo quý I/2026 (1): Sở Xây dựng." in paragraphs
    table = word.tables[1]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][4] == "Tình hình thực hiện"
    assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None
               for r in table.rows[1:])  # fmt: skip
    # one numbering of agencies in every document: Sở Xây dựng (I in the plan, before Sở Nội
    # vụ in the campaign) has not reported, and Sở Nội vụ keeps the plan's II
    assert cells[1][0] == "II" and cells[1][1] == "SỞ NỘI VỤ"
    calls = await h.press(CONSOLIDATOR, "dl:docx")
    (plan_doc,) = [c for c in calls if c.method == "sendDocument"]
    plan_rows = Document(io.BytesIO(plan_doc.files["document"][1])).tables[1].rows
    numerals = {r.cells[1].text: r.cells[0].text for r in plan_rows if r.cells[1].text.isupper()}
    assert numerals["SỞ NỘI VỤ"] == "II" and numerals["SỞ XÂY DỰNG"] == "I"
    assert cells[2][:2] == ["1.1", "Ban hành quy chế phân cấp"]
    assert cells[2][4:6] == ["Đã hoàn thành", '=HYPERLINK("http://x") Quyết định số 7']
    assert cells[3][6] == "Thiếu kinh phí; đề xuất: quý III/2026"
    assert len(cells) == 5  # the heading, one agency, its three measures

    # the same from the command line
    import os
    import sys

    out = tmp_path / "ket-qua.xlsx"
    env = {**os.environ, "DATABASE_PATH": str(h.app.settings.database_path)}

    async def cli(*args: str) -> int:
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "export",
            *args,
            env=env,
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        return await asyncio.wait_for(proc.wait(), 60)

    assert await cli("--document", "progress", "--period", "2026-Q1", "-o", str(out)) == 0
    assert (
        await cli("--document", "progress", "--period", "2026-Q1", "-o", str(tmp_path / "x.docx"))
        == 0
    )
    assert Document(tmp_path / "x.docx").tables[1].rows[1].cells[1].text == "SỞ NỘI VỤ"
    assert await cli("--document", "proposals", "-o", str(tmp_path / "k.docx")) == 2
    assert await cli("--document", "plan", "--period", "2026-Q1", "-o", str(out)) == 2
    again = load_workbook(out)["Kết quả thực hiện"]
    cli_rows = [[c.value for c in row][1:8] for row in list(again.iter_rows())[header + 1 :]]
    assert cli_rows[0][:2] == ["Sở Xây dựng", "I.1.1"]  # in the campaign's order
    assert cli_rows[0][6] == "Chưa nộp báo cáo"  # its plan is followed, its report not in
    assert ["Sở Nội vụ", "II.1.1"] in [r[:2] for r in cli_rows]  # the plan's numerals


async def test_a_period_report_returned_for_revision_and_submitted_again(harness: Harness) -> None:
    h = harness
    await _submitted_plan(h)
    calls = await h.send(CONSOLIDATOR, "/travetiendo SNV Bổ sung kết quả")
    assert "Sở Nội vụ chưa nộp báo cáo tiến độ kỳ này" in text_of(calls)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "1.1"))
    for _measure in ("1.1", "1.2", "2.1"):  # each answer leads to the next measure
        calls = await h.press(FOCAL, button(calls, "đúng tiến độ"))
        calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    await h.press(FOCAL, button(calls, "Xác nhận nộp"))

    calls = await h.send(CONSOLIDATOR, "/travetiendo snv\nCần nêu kết quả, sản phẩm cụ thể")
    assert "Đã trả lại báo cáo tiến độ quý I/2026 của Sở Nội vụ; đã báo cho 1 đầu mối." in (
        text_of(calls)
    )
    told = text_of([c for c in calls if c.params.get("chat_id") == FOCAL])
    assert "Lý do: Cần nêu kết quả, sản phẩm cụ thể" in told
    calls = await h.send(FOCAL, "/tiendo")
    assert "Bị trả lại để chỉnh sửa: Cần nêu kết quả, sản phẩm cụ thể" in text_of(calls)
    h.clock.at = dt.datetime(2026, 3, 12, 8, 30, tzinfo=VN)  # the report is due in 3 days
    nudges = [c.params["text"] for c in await h.tick() if c.params.get("chat_id") == FOCAL]
    assert any("Báo cáo tiến độ quý I/2026 hạn nộp 15/03/2026" in t for t in nudges)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    calls = await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    assert "bản 2" in text_of(calls)
    assert await h.rows("SELECT returned_at FROM period_reports") == [(None,)]


def test_a_recurring_measure_is_reported_every_period_even_once_done() -> None:
    from domain.model import Agency, Plan, Shortcoming, SubmissionInfo
    from domain.progress import measures

    once = Measure(id=1, position=1, content="Ban hành quy chế", due_date=dt.date(2026, 3, 31))
    always = Measure(id=2, position=2, content="Kiểm tra định kỳ", recurring=True)
    plan = Plan(
        id=1,
        campaign_id=1,
        agency=Agency(id=1, code="SNV", name="Sở Nội vụ"),
        revision=1,
        submitted_revision=1,
        last_submission=SubmissionInfo(
            version=1,
            revision=1,
            submitted_at=dt.datetime(2026, 1, 20, tzinfo=dt.UTC),
            late_days=0,
            measures=2,
        ),
        shortcomings=(
            Shortcoming(
                assignment_id=1, key="5.1", group=5, position=1, text="x", measures=(once, always)
            ),
        ),
    )
    assert [m.id for _n, m in measures(plan)] == [1, 2]
    assert [m.id for _n, m in measures(plan, frozenset({1, 2}))] == [2]  # both reported done


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda h: builders.text(FOCAL, h.bot, "\u200b"), "Tin nhắn trống"),
        (lambda h: builders.text(FOCAL, h.bot, "x" * 1001), "quá dài"),
        (lambda h: builders.photo(FOCAL, h.bot), "chỉ đọc được tin nhắn chữ"),
        (lambda h: builders.text(FOCAL, h.bot, "/xem"), "Lý do chậm tiến độ?"),
        (lambda h: builders.press(FOCAL, h.bot, "pgs:999:1:d:0"), "không hợp lệ"),
    ],
)
async def test_bad_input_at_a_progress_step_keeps_the_answers_and_the_step(
    harness: Harness, make: object, expected: str
) -> None:
    h = harness
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "1.1"))
    calls = await h.press(FOCAL, button(calls, "chậm tiến độ"))
    await h.send(FOCAL, "Văn bản dự thảo")  # the result; now the reason is asked
    before = await _entries(h)
    calls = await h.feed(make(h))  # type: ignore[operator]
    assert expected in text_of(calls)
    assert await _entries(h) == before
    assert await h.rows(
        "SELECT step FROM conversations WHERE user_id IN"
        " (SELECT id FROM users WHERE external_id = ?)",
        str(FOCAL),
    ) == [("g_reason",)]


# -- stale progress buttons (18.3) ------------------------------------------------------------


async def _status_button(h: Harness, label: str) -> str:
    """The submitted plan's measure 1.1 opened in the report: its status button ``label``."""
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")
    return button(await h.press(FOCAL, button(calls, "1.1")), label)


async def _progress_rows(h: Harness) -> list[tuple]:
    return await h.rows("SELECT measure_id, status, result FROM progress ORDER BY measure_id")


async def test_a_status_button_shown_before_the_plan_was_returned_stores_nothing(
    harness: Harness,
) -> None:
    h = harness
    old = await _status_button(h, "Đã hoàn thành")
    await h.send(CONSOLIDATOR, "/trave SNV Bổ sung sản phẩm cụ thể")
    calls = await h.press(FOCAL, old)
    assert "Kế hoạch đã được trả lại để chỉnh sửa" in text_of(calls)
    assert "không có gì thay đổi" in text_of(calls)
    assert await _progress_rows(h) == []


async def test_a_typed_answer_after_the_plan_was_returned_stores_nothing(harness: Harness) -> None:
    h = harness
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "1.1"))
    await h.press(FOCAL, button(calls, "Đang thực hiện"))  # now asked for the result
    before = await _progress_rows(h)
    await h.send(CONSOLIDATOR, "/trave SNV Bổ sung sản phẩm cụ thể")
    calls = await h.send(FOCAL, "Đã xong một nửa")
    assert "Kế hoạch đã được trả lại để chỉnh sửa" in text_of(calls)
    assert await _progress_rows(h) == before


async def test_buttons_of_a_closed_period_neither_change_it_nor_resubmit_it(
    harness: Harness,
) -> None:
    h = harness
    await _submitted_plan(h)
    calls = await _all_on_track(h)
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    confirm = button(calls, "Xác nhận nộp")
    calls = await h.press(FOCAL, confirm)
    assert "bản 1," in text_of(calls)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "1.1"))
    old_status = button(calls, "Đã hoàn thành")
    old_submit = button(await h.send(FOCAL, "/tiendo"), "Nộp báo cáo")
    before = await _progress_rows(h)

    h.clock.at = dt.datetime(2026, 4, 2, 9, 0, tzinfo=VN)  # quý II/2026 is current
    calls = await h.press(FOCAL, old_status)
    assert "thuộc báo cáo tiến độ quý I/2026, nay đã khóa" in text_of(calls)
    assert "/tiendo" in text_of(calls)
    calls = await h.press(FOCAL, old_submit)
    assert "nay đã khóa" in text_of(calls)
    calls = await h.press(FOCAL, confirm)
    assert "nay đã khóa" in text_of(calls)
    assert to_consolidator(calls) == ""
    assert await _progress_rows(h) == before
    assert await h.rows(
        "SELECT r.period, s.version FROM period_submissions s JOIN period_reports r ON r.id = s.report_id"
    ) == [("2026-Q1", 1)]


async def _all_on_track(h: Harness) -> list:
    """Every measure reported on track (no result); returns the report's last screen."""
    for label in ("1.1", "1.2", "2.1"):
        calls = await h.press(FOCAL, button(await h.send(FOCAL, "/tiendo"), label))
        calls = await h.press(FOCAL, button(calls, "đúng tiến độ"))
        calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    return await h.send(FOCAL, "/tiendo")


def to_consolidator(calls: list) -> str:
    return text_of([c for c in calls if c.params.get("chat_id") == CONSOLIDATOR])


async def test_a_button_shown_before_the_report_was_submitted_is_refused(
    harness: Harness,
) -> None:
    h = harness
    old = await _status_button(h, "Chưa thực hiện")  # version 0: before any submission
    calls = await _all_on_track(h)
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    before = await _progress_rows(h)
    calls = await h.press(FOCAL, old)
    assert "Báo cáo đã được nộp sau khi nút này được hiển thị (bản 1)" in text_of(calls)
    assert "Báo cáo tiến độ — quý I/2026" in text_of(calls)  # the report as it is now
    assert await _progress_rows(h) == before


async def test_an_overdue_measure_not_carried_out_asks_the_reason_and_a_new_date(
    harness: Harness,
) -> None:
    """#21.5: "⚪ Chưa thực hiện" on a measure past its due date asked nothing, yet the
    consolidator's return asks exactly that: the reason and a new date, whatever the status."""
    h = harness
    await h.join(FOCAL, "SNV")
    await fill_item(h, FOCAL, 1, "Mục tiêu 1", [("Ban hành quy chế", "tháng 1/2026")])
    await fill_item(h, FOCAL, 2, "Mục tiêu 2", [("Tuyển dụng", "năm 2026")])
    assert "Đã nộp kế hoạch" in await submit(h, FOCAL)
    h.clock.advance(days=20)  # 4 February: "tháng 1/2026" is past
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "1.1"))
    calls = await h.press(FOCAL, button(calls, "Chưa thực hiện"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Lý do chậm tiến độ?" in text_of(calls)
    calls = await h.send(FOCAL, "Chờ ý kiến của Bộ")
    calls = await h.send(FOCAL, "tháng 4/2026")
    assert "Hạn hoàn thành mới: 30/04/2026" in text_of(calls)  # #21.10: shown back
    assert await _entries(h) == [
        ("Ban hành quy chế", "not_started", None, "Chờ ý kiến của Bộ", "tháng 4/2026", "2026-04-30")
    ]
    assert "2.1. Tuyển dụng" in text_of(calls)  # the next measure, not yet due
    calls = await h.press(FOCAL, button(calls, "Chưa thực hiện"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Lý do chậm tiến độ?" not in text_of(calls) and "Đã lưu" in text_of(calls)


async def test_days_overdue_count_to_the_periods_end_and_keep_a_date_agreed_before(
    harness: Harness,
) -> None:
    """#22.11: "Số ngày quá hạn" is counted at the period's end (not the day of export), and a
    new date proposed in an earlier period holds until another is proposed."""
    from handlers.follow import document_lines

    h = harness
    await _submitted_plan(h)
    calls = await h.send(FOCAL, "/tiendo")  # quý I/2026
    calls = await h.press(FOCAL, button(calls, "1.1"))
    calls = await h.press(FOCAL, button(calls, "chậm tiến độ"))
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.send(FOCAL, "Chờ hướng dẫn của Bộ")
    calls = await h.send(FOCAL, "quý III/2026")  # the new date: 30/09/2026
    calls = await h.press(FOCAL, button(calls, "đúng tiến độ"))  # 1.2, due quý II/2026
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.press(FOCAL, button(calls, "Chưa thực hiện"))  # 2.1
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.press(FOCAL, button(calls, "Nộp báo cáo"))
    await h.press(FOCAL, button(calls, "Xác nhận nộp"))

    async with h.db.read() as tx:
        campaign = await tx.campaigns.active()
        assert campaign is not None
        q2 = next(p for p in campaign.definition.periods if p.key == "2026-Q2")
        lines = await document_lines(tx, campaign, q2, dt.date(2026, 8, 15))  # exported late
    overdue_by_number = {line.number: line.overdue for line in lines}
    assert overdue_by_number["1.1"] == 0  # the 30/09/2026 agreed in quý I still holds
    assert overdue_by_number["1.2"] == 0  # due 30/06/2026: not late at the period's end
    async with h.db.read() as tx:
        lines = await document_lines(tx, campaign, q2, dt.date(2026, 6, 20))
    assert {line.number: line.overdue for line in lines}["1.1"] == 0
