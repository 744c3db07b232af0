"""The plan as a table: the agency's template from the chat, filled at a desk as a person would,
sent back, checked row by row, shown, and stored only on ✅ Lưu (issue 20)."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from domain.model import Role
from domain.templates import META_SHEET, PLAN_SHEET
from tests import builders
from tests.conftest import CONSOLIDATOR, FOCAL, FOCAL2, Harness, button, buttons_of, text_of
from tests.fakes import Call
from tests.helpers import fill_item

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _template(h: Harness, uid: int = FOCAL) -> tuple[bytes, list[Call]]:
    calls = await h.send(uid, "/maubieu")
    docs = [c for c in calls if c.method == "sendDocument"]
    assert len(docs) == 1, [c.method for c in calls]
    (name, content) = docs[0].files["document"]
    assert name == "mau-ke-hoach-SNV.xlsx" or name.startswith("mau-ke-hoach-")
    return content, calls


async def _send_file(
    h: Harness, uid: int, content: bytes, name: str = "ke-hoach.xlsx"
) -> list[Call]:
    fid = h.api.add_file(content)
    return await h.feed(builders.document(uid, h.bot, fid, name, len(content)))


def _block_rows(sheet: Any) -> dict[str, list[int]]:
    """The rows of each shortcoming's block, by the number in its STT column."""
    header = next(r for r in range(1, 20) if sheet.cell(r, 4).value == "Nhiệm vụ, giải pháp")
    blocks: dict[str, list[int]] = {}
    current = None
    for r in range(header + 1, sheet.max_row + 1):
        if sheet.cell(r, 9).value:
            current = str(sheet.cell(r, 1).value)
            blocks[current] = []
        if current is not None:
            blocks[current].append(r)
    return blocks


def _fill(content: bytes, edit: Any) -> bytes:
    book = load_workbook(io.BytesIO(content))
    edit(book[PLAN_SHEET])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def _stored(h: Harness) -> list[tuple[Any, ...]]:
    return await h.rows(
        "SELECT a.objective, m.position, m.content, m.lead_unit, m.partners, m.timeline,"
        " m.due_date, m.recurring, m.output FROM measures m JOIN assignments a"
        " ON a.id = m.assignment_id WHERE m.deleted_at IS NULL ORDER BY a.id, m.position"
    )


async def test_template_filled_at_a_desk_is_checked_shown_and_saved(harness: Harness) -> None:
    h = harness
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await h.join(FOCAL, "SNV")
    content, calls = await _template(h)
    said = text_of(calls)
    assert "mẫu kế hoạch" in said.lower() and "gửi lại" in said.lower()
    assert "Trang tải tệp lên" in " ".join(label for label, _ in buttons_of(calls))

    book = load_workbook(io.BytesIO(content))
    sheet = book[PLAN_SHEET]
    assert sheet.protection.sheet  # the directive's words cannot be typed over by accident
    meta = {r[0]: r[1] for r in book[META_SHEET].iter_rows(values_only=True) if r[0]}
    assert meta["campaign"] == "bac-ninh-2025" and meta["agency"] == "SNV"
    assert book[META_SHEET].sheet_state == "veryHidden"
    assert [v.sqref for v in sheet.data_validations.dataValidation]  # the unit drop-downs
    blocks = _block_rows(sheet)
    first, second = blocks["1"], blocks["2"]
    assert sheet.cell(first[0], 2).value  # the shortcoming, in the directive's words
    lines = len(str(sheet.cell(first[0], 2).value)) / 37  # its column is 38 characters wide
    assert sheet.row_dimensions[first[0]].height >= lines * 15  # shown whole, not cut
    assert sheet.cell(first[0], 2).protection.locked
    assert not sheet.cell(first[0], 4).protection.locked  # the measure cells are to be filled

    def person(s: Any) -> None:
        r = first[0]
        s.cell(r, 3).value = "Bộ máy vận hành thông suốt"
        s.cell(r, 4).value = "Rà soát chức năng, nhiệm vụ"
        s.cell(r, 5).value = "so noi vu"  # typed without diacritics: the campaign's spelling
        s.cell(r, 6).value = "Sở Tài chính; UBND các xã, phường"  # one outside the list
        s.cell(r, 7).value = "quý II/2026"
        s.cell(r + 1, 4).value = "Tập huấn nghiệp vụ"
        s.cell(r + 1, 5).value = "Sở Nội vụ"
        s.cell(r + 1, 7).value = dt.datetime(2026, 6, 30)  # a date cell, as Excel stores it
        s.cell(r + 1, 8).value = '=HYPERLINK("x")'  # typed as text: stays text
        s.cell(r + 1, 8).data_type = "s"
        s.cell(r + 2, 4).value = "Theo dõi, đôn đốc"
        s.cell(r + 2, 5).value = "Sở Nội vụ"
        s.cell(r + 2, 7).value = "thường xuyên"
        s.cell(second[0], 3).value = "Nâng cao chất lượng công vụ"

    calls = await _send_file(h, FOCAL, _fill(content, person))
    preview = text_of(calls)
    assert "Nội dung 1: đã ghi mục tiêu; 3 nhiệm vụ mới" in preview
    assert "Nội dung 2: đã ghi mục tiêu" in preview
    assert "«UBND các xã, phường» chưa có trong danh sách" in preview
    assert await _stored(h) == []  # shown, not stored
    calls = await h.press(FOCAL, button(calls, "Lưu"))
    assert "Đã lưu kế hoạch từ «ke-hoach.xlsx»" in text_of(calls)
    rows = await _stored(h)
    assert rows == [
        (
            "Bộ máy vận hành thông suốt",
            1,
            "Rà soát chức năng, nhiệm vụ",
            "Sở Nội vụ",
            json.dumps(["Sở Tài chính", "UBND các xã, phường"], ensure_ascii=False),
            "quý II/2026",
            "2026-06-30",
            0,
            None,
        ),
        (
            "Bộ máy vận hành thông suốt",
            2,
            "Tập huấn nghiệp vụ",
            "Sở Nội vụ",
            None,
            "30/06/2026",
            "2026-06-30",
            0,
            '=HYPERLINK("x")',
        ),
        (
            "Bộ máy vận hành thông suốt",
            3,
            "Theo dõi, đôn đốc",
            "Sở Nội vụ",
            None,
            "thường xuyên",
            None,
            1,
            None,
        ),
    ]
    (audit,) = await h.rows("SELECT detail FROM audit_log WHERE action = 'plan.file.saved'")
    detail = json.loads(audit[0])
    assert detail["filename"] == "ke-hoach.xlsx" and len(detail["sha256"]) == 64

    # the template is also the way to edit: what is stored comes back filled in
    again, _calls = await _template(h)
    sheet = load_workbook(io.BytesIO(again))[PLAN_SHEET]
    blocks = _block_rows(sheet)
    assert sheet.cell(blocks["1"][0], 4).value == "Rà soát chức năng, nhiệm vụ"
    assert sheet.cell(blocks["1"][1], 7).value == "30/06/2026"
    calls = await _send_file(h, FOCAL, again)  # returned unchanged: nothing to change
    assert "không có gì cần thay đổi" in text_of(calls)

    def edit(s: Any) -> None:
        rows = _block_rows(s)["1"]
        s.cell(rows[1], 4).value = "Tập huấn nghiệp vụ cho công chức"
        for col in range(4, 9):
            s.cell(rows[2], col).value = None  # a measure removed: its cells cleared

    calls = await _send_file(h, FOCAL, _fill(again, edit))
    assert "Nội dung 1: 1 nhiệm vụ được sửa; 1 nhiệm vụ bị xóa" in text_of(calls)
    await h.press(FOCAL, button(calls, "Lưu"))
    assert [(r[1], r[2]) for r in await _stored(h)] == [
        (1, "Rà soát chức năng, nhiệm vụ"),
        (2, "Tập huấn nghiệp vụ cho công chức"),
    ]


async def test_a_file_with_problems_changes_nothing_and_names_each_cell(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    content, _calls = await _template(h)

    def person(s: Any) -> None:
        r = _block_rows(s)["1"][0]
        s.cell(r, 4).value = "Rà soát"
        s.cell(r, 7).value = "sớm nhất có thể"
        s.cell(r + 1, 5).value = "Sở Nội vụ"  # a unit, but no task
        s.cell(r + 2, 4).value = "Báo cáo"
        s.cell(r + 2, 5).value = "quý II/2026"  # a time typed as the unit
        s.cell(r + 3, 4).value = "x" * 2001

    calls = await _send_file(h, FOCAL, _fill(content, person))
    said = text_of(calls)
    row = _block_rows(load_workbook(io.BytesIO(content))[PLAN_SHEET])["1"][0]
    assert "chưa lưu" in said and "4 điểm cần sửa" in said
    assert f"Dòng {row}, cột Thời gian hoàn thành: «sớm nhất có thể» chưa phải là thời gian" in said
    assert f"Dòng {row + 1}, cột Nhiệm vụ, giải pháp: dòng này chưa có nhiệm vụ, giải pháp" in said
    assert f"Dòng {row + 2}, cột Đơn vị chủ trì: «quý II/2026» là thời gian" in said
    assert f"Dòng {row + 3}, cột Nhiệm vụ, giải pháp: 2001 ký tự" in said
    assert not [b for b in buttons_of(calls) if "Lưu" in b[0]]
    assert await _stored(h) == []
    assert await h.rows("SELECT COUNT(*) FROM uploads") == [(0,)]


async def test_another_agencys_template_or_a_stranger_file_is_refused(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    await h.join(FOCAL2, "STC")
    theirs, _calls = await _template(h, FOCAL2)
    calls = await _send_file(h, FOCAL, theirs)
    assert "mẫu này được tạo cho đơn vị khác" in text_of(calls).lower()
    plain = Workbook()
    plain.active.append(["Nhiệm vụ", "Đơn vị"])
    out = io.BytesIO()
    plain.save(out)
    calls = await _send_file(h, FOCAL, out.getvalue())
    assert "không phải mẫu của bot" in text_of(calls)
    for name, data, said in [
        ("kh.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "Excel cũ (.xls)"),
        ("kh.xlsm", out.getvalue(), "macro"),
        ("kh.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 100, "mật khẩu"),
        ("kh.xlsx", b"PK\x03\x04 broken", "không đọc được"),
        ("anh.jpg", b"\xff\xd8\xff", "/maubieu"),
    ]:
        calls = await _send_file(h, FOCAL, data, name)
        assert said in text_of(calls), (name, text_of(calls))
    fid = h.api.add_file(b"0")
    big = builders.document(FOCAL, h.bot, fid, "lon.xlsx", 6 * 1024 * 1024)
    calls = await h.feed(big)
    assert "lớn hơn 5 MB" in text_of(calls)
    assert "getFile" not in [c.method for c in h.api.calls]  # not even fetched
    assert await _stored(h) == []


async def test_a_stale_file_does_not_undo_what_was_typed_since(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    content, _calls = await _template(h)

    def person(s: Any) -> None:
        r = _block_rows(s)["1"][0]
        s.cell(r, 4).value = "Rà soát"
        s.cell(r, 5).value = "Sở Nội vụ"
        s.cell(r, 7).value = "quý II/2026"

    preview = await _send_file(h, FOCAL, _fill(content, person))
    await fill_item(h, FOCAL, 2, "Mục tiêu gõ trong chat", [])  # the plan changes meanwhile
    calls = await h.press(FOCAL, button(preview, "Lưu"))
    assert "kế hoạch đã thay đổi sau khi gửi tệp" in text_of(calls).lower()
    assert await _stored(h) == []
    calls = await h.press(FOCAL, button(preview, "Lưu"))  # pressed again: already decided
    assert "đã được lưu, hủy hoặc thay bằng tệp mới hơn" in text_of(calls)


async def test_cancel_keeps_the_plan(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    content, _calls = await _template(h)

    def person(s: Any) -> None:
        s.cell(_block_rows(s)["1"][0], 3).value = "Một mục tiêu"

    preview = await _send_file(h, FOCAL, _fill(content, person))
    calls = await h.press(FOCAL, button(preview, "Hủy"))
    assert "kế hoạch không thay đổi" in text_of(calls).lower()
    assert await h.rows("SELECT objective FROM assignments WHERE objective IS NOT NULL") == []


@pytest.mark.parametrize("shape", ["no-heading"])
async def test_a_template_whose_heading_was_deleted_is_named(harness: Harness, shape: str) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    content, _calls = await _template(h)

    def person(s: Any) -> None:
        for col in range(1, 10):
            s.cell(6, col).value = None

    calls = await _send_file(h, FOCAL, _fill(content, person))
    assert "mất dòng tiêu đề" in text_of(calls)


def _word_plan(texts: list[str], *, extra_row: str = "") -> bytes:
    """A plan as an agency writes it in Word: its own column order, an agency band merged
    across the table, the shortcoming's cell merged down over its measures."""
    from docx import Document as Word

    doc = Word()
    doc.add_paragraph("KẾ HOẠCH khắc phục hạn chế, khuyết điểm")
    heads = [
        "STT",
        "Hạn chế, khuyết điểm",
        "Nhiệm vụ, giải pháp",
        "Mục tiêu",
        "Đơn vị chủ trì",
        "Đơn vị phối hợp",
        "Thời gian hoàn thành",
        "Sản phẩm, kết quả",
    ]
    table = doc.add_table(rows=1, cols=len(heads))
    for cell, head in zip(table.rows[0].cells, heads, strict=True):
        cell.text = head
    band = table.add_row().cells
    band[0].merge(band[-1]).text = "I. SỞ NỘI VỤ"
    first = table.add_row().cells
    second = table.add_row().cells
    first[0].text, first[1].text, first[3].text = "1", texts[0], "Vận hành thông suốt"
    first[2].text, first[4].text, first[6].text = "Rà soát quy chế", "Sở Nội vụ", "quý II/2026"
    first[1].merge(second[1])  # the shortcoming's cell spans its measures
    second[2].text, second[4].text, second[6].text = "Tập huấn", "so noi vu", "tháng 5/2026"
    second[7].text = "Lớp tập huấn\nBáo cáo kết quả"  # two lines in one cell
    if extra_row:
        row = table.add_row().cells
        row[1].text, row[2].text = extra_row, "Một việc"
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


async def test_a_word_plan_table_is_read_by_its_headings(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    content, _calls = await _template(h)
    sheet = load_workbook(io.BytesIO(content))[PLAN_SHEET]
    texts = [str(sheet.cell(rows[0], 2).value) for rows in _block_rows(sheet).values()]
    calls = await _send_file(h, FOCAL, _word_plan(texts), "Ke hoach SNV.docx")
    assert "Nội dung 1: đã ghi mục tiêu; 2 nhiệm vụ mới" in text_of(calls)
    await h.press(FOCAL, button(calls, "Lưu"))
    assert [(r[0], r[2], r[3], r[5], r[8]) for r in await _stored(h)] == [
        ("Vận hành thông suốt", "Rà soát quy chế", "Sở Nội vụ", "quý II/2026", None),
        (
            "Vận hành thông suốt",
            "Tập huấn",
            "Sở Nội vụ",
            "tháng 5/2026",
            "Lớp tập huấn\nBáo cáo kết quả",
        ),
    ]
    calls = await _send_file(
        h, FOCAL, _word_plan(texts, extra_row="Một hạn chế khác hẳn"), "b.docx"
    )
    said = text_of(calls)
    assert "bảng trong tệp Word" in said
    assert "Dòng 5, cột Hạn chế, khuyết điểm: «Một hạn chế khác hẳn» không thuộc" in said
    from docx import Document as Word

    plain = Word()
    plain.add_paragraph("Không có bảng")
    out = io.BytesIO()
    plain.save(out)
    calls = await _send_file(h, FOCAL, out.getvalue(), "c.docx")
    assert "Không tìm thấy bảng kế hoạch" in text_of(calls)


async def test_a_hostile_word_file_is_one_sentence(harness: Harness) -> None:
    import zipfile

    h = harness
    await h.join(FOCAL, "SNV")
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w") as z:
        z.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>',
        )
    calls = await _send_file(h, FOCAL, bomb.getvalue(), "kh.docx")
    assert "không đọc được như một văn bản .docx" in text_of(calls)
    calls = await _send_file(h, FOCAL, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 64, "kh.doc")
    assert "tệp Word cũ (.doc)" in text_of(calls)
    assert await _stored(h) == []


# -- a period's progress as a table (20.5) -----------------------------------------------------


async def _progress_rows(h: Harness) -> list[tuple[Any, ...]]:
    return await h.rows(
        "SELECT m.content, e.status, e.result, e.reason, e.new_due_text, e.new_due"
        " FROM progress e JOIN measures m ON m.id = e.measure_id ORDER BY m.id"
    )


async def test_a_progress_report_filled_as_a_table(harness: Harness) -> None:
    from tests.helpers import submit

    h = harness
    await h.join(FOCAL, "SNV")
    await fill_item(
        h,
        FOCAL,
        1,
        "Bộ máy vận hành thông suốt",
        [("Ban hành quy chế", "quý I/2026"), ("Tập huấn cán bộ", "quý II/2026")],
    )
    await fill_item(h, FOCAL, 2, "Đủ cán bộ", [("Tuyển dụng công chức", "năm 2026")])
    assert "Đã nộp kế hoạch" in await submit(h, FOCAL)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "Mẫu Excel"))
    (doc,) = [c for c in calls if c.method == "sendDocument"]
    content = doc.files["document"][1]
    book = load_workbook(io.BytesIO(content))
    sheet = book["Tiến độ"]
    rows = {sheet.cell(r, 2).value: r for r in range(6, 9)}
    assert set(rows) == {"Ban hành quy chế", "Tập huấn cán bộ", "Tuyển dụng công chức"}
    assert sheet.cell(rows["Ban hành quy chế"], 1).value == "1.1"
    assert sheet.cell(rows["Ban hành quy chế"], 4).value == "31/03/2026"

    def fill(s: Any, late_without_reason: bool = False) -> None:
        s.cell(rows["Ban hành quy chế"], 5).value = "Đã hoàn thành"
        s.cell(rows["Ban hành quy chế"], 6).value = "Quyết định số 12/QĐ-UBND"
        s.cell(rows["Tập huấn cán bộ"], 5).value = "Đang thực hiện – chậm tiến độ"
        if not late_without_reason:
            s.cell(rows["Tập huấn cán bộ"], 7).value = "Chờ kinh phí"
            s.cell(rows["Tập huấn cán bộ"], 8).value = "quý III/2026"

    def edit(book: Any, **kw: Any) -> bytes:
        fill(book["Tiến độ"], **kw)
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    calls = await _send_file(
        h, FOCAL, edit(load_workbook(io.BytesIO(content)), late_without_reason=True)
    )
    said = text_of(calls)
    r = rows["Tập huấn cán bộ"]
    assert f"Dòng {r}, cột Lý do chậm: nhiệm vụ chậm tiến độ cần ghi lý do" in said
    assert f"Dòng {r}, cột Thời gian hoàn thành mới (đề xuất): nhiệm vụ chậm tiến độ cần" in said
    assert await _progress_rows(h) == []
    calls = await _send_file(h, FOCAL, edit(load_workbook(io.BytesIO(content))))
    preview = text_of(calls)
    assert "tiến độ của 2 nhiệm vụ" in preview and "1.1: Đã hoàn thành" in preview
    calls = await h.press(FOCAL, button(calls, "Lưu"))
    assert "Đã lưu tiến độ của 2 nhiệm vụ" in text_of(calls)
    assert await _progress_rows(h) == [
        ("Ban hành quy chế", "done", "Quyết định số 12/QĐ-UBND", None, None, None),
        ("Tập huấn cán bộ", "late", None, "Chờ kinh phí", "quý III/2026", "2026-09-30"),
    ]
    calls = await h.send(FOCAL, "/tiendo")
    assert "Đã báo cáo: 2/3 nhiệm vụ" in text_of(calls)
    calls = await _send_file(h, FOCAL, edit(load_workbook(io.BytesIO(content))))  # again
    assert "trùng khớp với báo cáo đang lưu" in text_of(calls)
    plan_file, _calls = await _template(h)
    calls = await _send_file(h, FOCAL, plan_file)  # the plan's template: read as the plan
    assert "trùng khớp với kế hoạch đang lưu" in text_of(calls)


def test_a_template_of_another_campaign_or_kind_is_refused() -> None:
    from bot.settings import BUNDLED_CAMPAIGN
    from domain.campaign import load_campaign
    from domain.plan_table import Meta, check_template
    from domain.workbook import WorkbookError
    from locales import use_locale

    campaign = load_campaign(BUNDLED_CAMPAIGN)
    check_template(Meta("plan", campaign.code, "SNV"), campaign, "SNV", "plan")  # its own
    for meta, kind, said in [
        (Meta("plan", "another-2024", "SNV"), "plan", "another campaign"),
        (Meta("progress", campaign.code, "SNV", "2026-Q1"), "plan", "another kind of report"),
        (Meta("plan", campaign.code, "SNV"), "progress", "the plan's"),
        (Meta("plan", campaign.code, "STC"), "plan", "another agency"),
        (None, "plan", "not the bot's template"),
    ]:
        with use_locale("en"), pytest.raises(WorkbookError, match=said):
            check_template(meta, campaign, "SNV", kind)


async def test_rows_inserted_in_a_block_belong_to_it(harness: Harness) -> None:
    """More measures than the empty rows: the person inserts rows (Excel: Chèn → Dòng)."""
    h = harness
    await h.join(FOCAL, "SNV")
    content, _calls = await _template(h)
    book = load_workbook(io.BytesIO(content))
    sheet = book[PLAN_SHEET]
    first = _block_rows(sheet)["1"]
    sheet.insert_rows(first[-1] + 1, amount=3)  # under the block's last empty row
    for k, r in enumerate(range(first[0], first[-1] + 4), start=1):
        sheet.cell(r, 4).value = f"Nhiệm vụ {k}"
        sheet.cell(r, 5).value = "Sở Nội vụ"
        sheet.cell(r, 7).value = "năm 2026"
    out = io.BytesIO()
    book.save(out)
    calls = await _send_file(h, FOCAL, out.getvalue())
    assert "Nội dung 1: 7 nhiệm vụ mới" in text_of(calls)
    assert "Nội dung 2: không đổi" in text_of(calls)
    await h.press(FOCAL, button(calls, "Lưu"))
    assert [r[2] for r in await _stored(h)] == [f"Nhiệm vụ {k}" for k in range(1, 8)]
