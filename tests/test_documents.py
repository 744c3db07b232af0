"""The consolidated documents, opened and read back as a Finance Department officer reads them."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from bot.settings import BUNDLED_CAMPAIGN
from domain.campaign import load_campaign
from domain.documents.excel import xlsx_bytes
from domain.documents.model import Filing, Section, items_of
from domain.documents.word import docx_bytes
from domain.rules import Status
from locales import use_locale

CAMPAIGN = load_campaign(BUNDLED_CAMPAIGN)
ON = dt.date(2026, 1, 22)
VN = dt.timezone(dt.timedelta(hours=7))
SUBMITTED = dt.datetime(2026, 1, 20, 2, 5, tzinfo=dt.UTC)  # 09:05 in Hà Nội
LONG = "Bảo đảm bộ máy vận hành thông suốt, hiệu quả. " * 45  # ~2,000 characters


def _measure(position: int, content: str, **extra: object) -> dict[str, object]:
    return {
        "position": position,
        "content": content,
        "lead_unit": "Sở Nội vụ",
        "partners": ["Sở Tài chính", "UBND các xã"],
        "timeline": "trước 30/6/2026",
        "due_date": "2026-06-30",
        "recurring": False,
        "output": "Quyết định của UBND tỉnh 📑",
        **extra,
    }


def sections() -> list[Section]:
    """SNV submitted (2 items, 3 measures, one with a 2,000-character objective); SCT
    submitted one item; every other agency has nothing."""
    snv = [
        {
            "text": "Việc vận hành bộ máy chính quyền địa phương hai cấp…",
            "objective": LONG,
            "measures": [
                _measure(1, "Ban hành quy chế phân cấp ✅"),
                _measure(2, '=HYPERLINK("http://x","Bấm vào đây")', output="+1 báo cáo"),
            ],
        },
        {
            "text": "Đội ngũ cán bộ, công chức cấp xã thiếu…",
            "objective": "Đủ cán bộ cấp xã\ufffe theo định biên 🎓",
            "measures": [
                _measure(
                    1, "@Tuyển dụng bổ sung", timeline="quý II/2026 và thường xuyên", recurring=True
                )
            ],
        },
    ]
    sct = [
        {
            "text": "Năng lực doanh nghiệp…",
            "objective": "-Nâng cao năng lực",
            "measures": [_measure(1, "Hỗ trợ doanh nghiệp")],
        }
    ]
    out = []
    for a in CAMPAIGN.agencies:
        if a.code == "SNV":
            f = Filing(a.code, a.name, Status.SUBMITTED, 2, SUBMITTED, 0, "Nguyễn Văn A")
            out.append(Section(f, items_of(snv)))
        elif a.code == "SCT":
            f = Filing(a.code, a.name, Status.SUBMITTED, 1, SUBMITTED, 1, "Trần Thị B")
            out.append(Section(f, items_of(sct)))
        else:
            out.append(Section(Filing(a.code, a.name, Status.NOT_STARTED)))
    return out


def word(draft: bool = False) -> tuple[Document, zipfile.ZipFile]:
    with use_locale("vi"):
        content, tally = docx_bytes(CAMPAIGN, iter(sections()), ON, draft=draft)
    assert tally.printed == 2 and tally.measures == 4 and len(tally.missing) == 7
    return Document(io.BytesIO(content)), zipfile.ZipFile(io.BytesIO(content))


def body_text(doc: Document) -> str:
    return "\n".join(p.text for p in doc.paragraphs)


def test_the_whole_document_is_landscape_and_the_opening_flows_before_the_table() -> None:
    doc, _zip = word()
    assert len(doc.sections) == 1
    s = doc.sections[0]
    assert s.orientation == WD_ORIENT.LANDSCAPE and s.page_width > s.page_height
    assert round(s.left_margin.mm) == 30 and round(s.right_margin.mm) == 15
    body = doc.element.body
    tags = [child.tag.split("}")[1] for child in body]
    first_table = tags.index("tbl", 1)  # after the heading table: the opening, then the table
    assert (
        "Thực hiện Công văn" in "".join(p.text for p in doc.paragraphs)
        and tags[1:first_table].count("p") >= 4
    )


def test_page_numbers_from_page_two_centred_in_the_header() -> None:
    doc, _z = word()
    s = doc.sections[0]
    assert s.different_first_page_header_footer
    primary = s.header._element.xml
    assert "PAGE" in primary and 'w:val="center"' in primary
    assert "PAGE" not in s.first_page_header._element.xml


def test_one_numbering_as_in_the_chat() -> None:
    doc, _zip = word()
    table = doc.tables[1]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0][0] == "STT"
    assert cells[1][0] == "I" and cells[1][1] == "SỞ CÔNG THƯƠNG"  # campaign order
    assert cells[2][0] == "1" and cells[2][3].startswith("1.1. Hỗ trợ doanh nghiệp")
    assert cells[3][0] == "II" and cells[3][1] == "SỞ NỘI VỤ"
    snv = [row for row in cells[4:]]
    assert [r[3].split(". ")[0] for r in snv] == ["1.1", "1.2", "2.1"]
    assert [r[0] for r in snv] == ["1", "1", "2"]  # merged: the item's number spans its rows
    numbers = [r[0] for r in cells if r[0] in ("I", "II")]
    assert numbers == ["I", "II"]


def test_completion_time_is_the_agencys_own_words() -> None:
    doc, _zip = word()
    times = [row.cells[6].text for row in doc.tables[1].rows[2:]]
    assert "trước 30/6/2026" in times and "quý II/2026 và thường xuyên" in times
    assert not any("hạn" in t for t in times)


def test_emoji_and_illegal_characters_never_reach_the_document() -> None:
    _doc, z = word()
    xml = z.read("word/document.xml").decode()
    for bad in ("📑", "✅", "🎓", "\ufffe"):
        assert bad not in xml
    assert "Quyết định của UBND tỉnh" in xml and "Đủ cán bộ cấp xã theo định biên" in xml


def test_the_opening_cites_the_directive_with_a_visible_placeholder() -> None:
    doc, _zip = word()
    text = body_text(doc)
    assert (
        "Thực hiện Công văn số …/…-… ngày … tháng … năm 2026 của UBND tỉnh Bắc Ninh về việc "
        "xây dựng Kế hoạch khắc phục hạn chế, khuyết điểm năm 2025," in text
    )
    assert "V/v" not in text


def test_recipients_end_with_a_full_stop_and_the_signer_has_room() -> None:
    doc, _zip = word()
    sign = doc.tables[-1]
    left = [p.text for p in sign.rows[0].cells[0].paragraphs]
    assert left[0] == "Nơi nhận:"
    assert left[-1] == "- Lưu: VT, …." and all(line.endswith(";") for line in left[1:-1])
    right = [p.text for p in sign.rows[0].cells[1].paragraphs]
    assert right[0] == "GIÁM ĐỐC" and right[-1].startswith("……") and right.count("") >= 4
    assert sign.rows[0]._tr.find(qn("w:trPr")).find(qn("w:cantSplit")) is not None


def test_agencies_without_a_plan_are_listed_once_after_the_table() -> None:
    doc, _zip = word()
    rows = " ".join(c.text for row in doc.tables[1].rows for c in row.cells)
    assert "chưa gửi" not in rows and "Thanh tra tỉnh" not in rows
    text = body_text(doc)
    assert text.count("Thanh tra tỉnh") == 1
    assert "Các đơn vị chưa gửi kế hoạch (7): Sở Tài chính; Sở Xây dựng;" in text


def test_a_draft_says_so_on_every_page() -> None:
    doc, _zip = word(draft=True)
    s = doc.sections[0]
    for header in (s.header, s.first_page_header):
        assert "BẢN NHÁP" in "".join(p.text for p in header.paragraphs)
    official, _z = word()
    assert "BẢN NHÁP" not in official.sections[0].header._element.xml


def test_column_widths_fit_the_content_and_the_objective_is_merged() -> None:
    doc, z = word()
    widths = [int(w.get(qn("w:w"))) for w in doc.tables[1]._tbl.tblGrid.findall(qn("w:gridCol"))]
    stt, shortcoming, objective, measure, *_rest = widths
    assert stt < 1000 and objective > 2 * stt and measure >= objective > shortcoming * 0.9
    xml = z.read("word/document.xml").decode()
    assert xml.count(LONG.strip()) == 1  # the 2,000-character objective, written once
    assert xml.count('<w:vMerge w:val="restart"/>') >= 3 * 3


# -- Excel -----------------------------------------------------------------------------------


def excel(draft: bool = False) -> tuple[object, zipfile.ZipFile]:
    with use_locale("vi"):
        content, _tally = xlsx_bytes(CAMPAIGN, iter(sections()), ON, VN, draft=draft)
    return load_workbook(io.BytesIO(content)), zipfile.ZipFile(io.BytesIO(content))


def plan_rows(wb: object) -> list[list[object]]:
    ws = wb["Kế hoạch"]  # type: ignore[index]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    start = next(k for k, r in enumerate(rows) if r[0] == "STT")
    return rows[start:]


def test_excel_rows_are_whole_measures_with_real_numbers_and_dates() -> None:
    wb, _zip = excel()
    rows = plan_rows(wb)
    heads = rows[0]
    assert heads[:3] == ["STT", "Đơn vị", "Số hiệu trong kế hoạch"]
    assert heads[9] == "Hạn hoàn thành (ngày)"
    assert heads[10] == "Tính chất nhiệm vụ"  # #21.11: not a column "Thường xuyên" holding "Có"
    body = [r for r in rows[1:] if r[0] is not None]  # a measure's own rows (not continuations)
    assert {r[10] for r in body} == {"Thường xuyên", None}
    assert [r[0] for r in body] == [1, 2, 3, 4]  # numbers, not text
    assert [r[2] for r in body] == ["I.1.1", "II.1.1", "II.1.2", "II.2.1"]
    assert body[0][9] == dt.datetime(2026, 6, 30)
    ws = wb["Kế hoạch"]
    due = next(c for c in ws[len(ws["A"]) - 3] if c.column == 10)
    assert due.number_format == "dd/mm/yyyy"


def test_what_people_typed_is_never_a_formula() -> None:
    wb, z = excel()
    xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml  # no formula anywhere
    values = {c.value: c.data_type for row in wb["Kế hoạch"].iter_rows() for c in row if c.value}
    for typed in (
        '=HYPERLINK("http://x","Bấm vào đây")',
        "+1 báo cáo",
        "@Tuyển dụng bổ sung",
        "-Nâng cao năng lực",
    ):
        assert values[typed] == "s", typed


def test_rows_have_heights_from_their_text_and_the_print_is_set_up() -> None:
    wb, z = excel()
    ws = wb["Kế hoạch"]
    heights = {k: d.height for k, d in ws.row_dimensions.items() if d.height}
    start = next(r[0].row for r in ws.iter_rows() if r[0].value == "STT")
    snv_long = heights[start + 2]  # the row with the 2,000-character objective
    assert snv_long >= 300 and heights[start + 1] < 100
    xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert 'orientation="landscape"' in xml and 'paperSize="9"' in xml
    assert 'fitToHeight="0"' in xml and "fitToPage" in xml
    workbook = z.read("xl/workbook.xml").decode()
    assert "_xlnm.Print_Titles" in workbook  # the heading repeated on each printed page
    assert any(str(r).startswith("A") for r in ws.merged_cells.ranges)  # the title is merged


def test_one_font_and_thin_borders() -> None:
    wb, _z = excel()
    fonts = {c.font.name for ws in wb for row in ws.iter_rows() for c in row if c.value is not None}
    assert fonts == {"Times New Roman"}
    ws = wb["Kế hoạch"]
    body = [c for row in ws.iter_rows() for c in row if c.value is not None and c.row > 5]
    assert all(c.border.left.style == "thin" for c in body)


def test_status_sheet_times_are_local_date_times() -> None:
    wb, _zip = excel()
    ws = wb["Tình hình nộp"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0][:5] == ["Mã", "Đơn vị", "Trạng thái", "Bản", "Thời điểm nộp"]
    snv = next(r for r in rows if r[0] == "SNV")
    assert snv[2] == "Đã nộp" and snv[3] == 2
    assert snv[4] == dt.datetime(2026, 1, 20, 9, 5)  # 02:05 UTC is 09:05 in Hà Nội
    assert ws.cell(row=rows.index(snv) + 1, column=5).number_format == "dd/mm/yyyy hh:mm"
    ttt = next(r for r in rows if r[0] == "TTT")
    assert ttt[2] == "Chưa bắt đầu" and ttt[4] is None


def test_a_draft_workbook_says_so_on_every_printed_page() -> None:
    """#22.5: the mark is in each sheet's page header, not only in A1."""
    wb, _zip = excel(draft=True)
    assert "BẢN NHÁP" in str(wb["Kế hoạch"]["A1"].value)
    for ws in wb:
        assert "BẢN NHÁP" in ws.oddHeader.center.text, ws.title
    official, _z = excel()
    assert all(not ws.oddHeader.center.text for ws in official)


def test_every_sheet_reads_whole_in_read_only_mode_and_with_pandas() -> None:
    """#22.3: the <dimension> readers trust names the last row of each sheet."""
    import pandas as pd

    with use_locale("vi"):
        content, _tally = xlsx_bytes(CAMPAIGN, iter(sections()), ON, VN)
    full = load_workbook(io.BytesIO(content))
    lazy = load_workbook(io.BytesIO(content), read_only=True)
    for name in full.sheetnames:
        rows = list(full[name].iter_rows(values_only=True))
        assert list(lazy[name].iter_rows(values_only=True)) == rows, name
        assert lazy[name].max_row == len(rows), name
        frame = pd.read_excel(io.BytesIO(content), sheet_name=name, header=None)
        assert len(frame) == len(rows), name
    lazy.close()


def test_illegal_characters_do_not_break_either_document() -> None:
    """U+FFFE in an answer once made every .xlsx (and the daily summary) fail."""
    _wb, z = excel()
    assert "\ufffe" not in z.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert re.search("[\x00-\x08]", z.read("xl/worksheets/sheet1.xml").decode()) is None


# -- Documents II (#22) ------------------------------------------------------------------------


def _rules(doc: Document) -> list[tuple[float, float]]:
    """Each drawn rule: (left indent, right indent) in mm, in document order."""
    out = []
    paragraphs = [p for t in doc.tables[:1] for c in t.rows[0].cells for p in c.paragraphs]
    for p in [*paragraphs, *doc.paragraphs]:
        ppr = p._p.pPr
        if ppr is not None and ppr.find(qn("w:pBdr")) is not None:
            out.append((p.paragraph_format.left_indent.mm, p.paragraph_format.right_indent.mm))
    return out


def test_the_rules_are_drawn_lines_of_the_decrees_lengths() -> None:
    """#22.8: no typed box-drawing characters; the line under the motto is as long as the
    motto, the one under the trích yếu a third to a half of its line."""
    from domain.documents.word import PAGE_TEXT_MM, text_width_mm

    doc, z = word()
    assert "─" not in z.read("word/document.xml").decode()
    name, motto, summary = _rules(doc)
    motto_width = text_width_mm("Độc lập - Tự do - Hạnh phúc", 14, bold=True)
    assert 50 < motto_width < 80
    assert abs((150 - motto[0] - motto[1]) - motto_width) < 1
    line = 150 - motto[0] - motto[1]
    assert motto[0] == motto[1]  # centred under the motto
    summary_line = min(PAGE_TEXT_MM, text_width_mm(CAMPAIGN.report.summary, 14, bold=True))
    drawn = PAGE_TEXT_MM - summary[0] - summary[1]
    assert summary_line / 3 <= drawn <= summary_line / 2
    assert 10 < 100 - name[0] - name[1] < line


def test_the_signature_block_has_no_template_instruction_and_stays_with_the_text() -> None:
    """#22.9 and #22.6: no "(Chữ ký, dấu)"; a measure's row never splits; the signature keeps
    with the paragraphs above it."""
    doc, z = word()
    xml = z.read("word/document.xml").decode()
    assert "Chữ ký" not in xml and "dấu)" not in xml
    body = doc.tables[1].rows[1:]
    assert all(r._tr.trPr is not None and r._tr.trPr.find(qn("w:cantSplit")) is not None
               for r in body)  # fmt: skip
    before_sign = doc.paragraphs[-1]
    assert before_sign.paragraph_format.keep_with_next


def test_the_plan_says_how_it_is_carried_out() -> None:
    """#22.10: "Tổ chức thực hiện", the campaign's own or the default naming the consolidator."""
    doc, _z = word()
    text = body_text(doc)
    assert "TỔ CHỨC THỰC HIỆN" in text
    assert "định kỳ báo cáo kết quả thực hiện về Sở Tài chính để tổng hợp." in text
    own = CAMPAIGN.model_copy(
        update={"report": CAMPAIGN.report.model_copy(update={"implementation": ("Giao việc.",)})}
    )
    with use_locale("vi"):
        content, _tally = docx_bytes(own, iter(sections()), ON)
    text = body_text(Document(io.BytesIO(content)))
    assert "1. Giao việc." in text and "định kỳ báo cáo" not in text


def test_the_plan_is_numbered_kh() -> None:
    doc, _z = word()
    assert "Số: …/KH-STC" in [p.text for p in doc.tables[0].rows[0].cells[0].paragraphs]


def test_file_properties_name_the_consolidator_in_vietnamese() -> None:
    """#22.14: language vi-VN, author the consolidating agency, created now; the header
    table's grid agrees with its cells."""
    doc, _z = word()
    props = doc.core_properties
    assert props.language == "vi-VN" and props.author == "Sở Tài chính"
    styles = _z.read("word/styles.xml").decode()
    assert 'w:val="en-US"' not in styles and styles.count('w:val="vi-VN"') >= 2
    assert props.created is not None and props.created.year >= 2026
    grid = [int(c.get(qn("w:w"))) for c in doc.tables[0]._tbl.tblGrid.findall(qn("w:gridCol"))]
    assert grid == [round(mm * 1440 / 25.4) for mm in (100, 150)]
    assert [c.width.mm for c in doc.tables[0].rows[0].cells] == pytest.approx([100, 150], 0.1)


def test_narrow_columns_hold_their_content_on_one_line() -> None:
    """#22.7: "STT" and "VIII" in the first column, a date in the time column, unbroken."""
    from domain.documents import results
    from domain.documents.word import CELL_MARGINS_MM, WIDTHS_MM, text_width_mm

    for widths in (WIDTHS_MM, results.WIDTHS_MM):
        room = widths[0] - CELL_MARGINS_MM
        assert text_width_mm("STT", 12, bold=True) < room
        assert text_width_mm("VIII", 12, bold=True) < room
        assert sum(widths) <= 252
    assert text_width_mm("28/02/2026", 12) < WIDTHS_MM[6] - CELL_MARGINS_MM
    assert text_width_mm("28/02/2026", 12) < results.WIDTHS_MM[3] - CELL_MARGINS_MM


def test_nothing_a_person_wrote_is_cut_in_excel() -> None:
    """#22.2: a row shows at most 409 pt; text longer than that continues in the rows below
    (the agency and number repeated, "…" where it continues) and every row is tall enough for
    its text, as estimated."""
    from domain.documents.excel import MAX_ROW_POINTS, PLAN_COLUMNS, _lines

    wb, _z = excel()
    ws = wb["Kế hoạch"]
    header = next(r[0].row for r in ws.iter_rows() if r[0].value == "STT")
    rows = list(ws.iter_rows(min_row=header + 1))
    widths = [width for _key, width, _wrap in PLAN_COLUMNS]
    for row in rows:
        height = ws.row_dimensions[row[0].row].height
        need = max(_lines(str(c.value), widths[k]) for k, c in enumerate(row) if c.value)
        assert need * 16 + 3 <= height <= MAX_ROW_POINTS, row[0].row
    # the 2,000-character objective of item II.1, read back from its rows, is whole
    first = next(k for k, r in enumerate(rows) if r[2].value == "II.1.1")
    run = [rows[first]]
    for r in rows[first + 1 :]:
        if r[0].value is not None:  # the next measure
            break
        run.append(r)
    parts = [str(r[4].value) for r in run if r[4].value]
    assert len(parts) >= 2 and parts[0].endswith(" …") and parts[1].startswith("… ")
    joined = " ".join(p.removeprefix("… ").removesuffix(" …") for p in parts)
    assert joined.split() == LONG.split()
    agency = run[0][1].value
    assert all(r[1].value == agency and r[2].value == "II.1.1" for r in run)  # kept together


def test_a_long_proposal_continues_in_the_rows_below() -> None:
    """#22.2 for the proposals workbook: nothing of a 2,000-character proposal is cut."""
    from domain.documents.execution import proposals_xlsx
    from domain.proposals import Proposal

    text = "Đề nghị hỗ trợ kinh phí đầu tư hạ tầng số cho các xã miền núi. " * 32
    p = Proposal(
        id=1,
        campaign_id=1,
        number=7,
        from_agency_id=1,
        from_code="SNV",
        from_name="Sở Nội vụ",
        field="Chuyển đổi số",
        content=text.strip(),
        filed_at=dt.datetime(2026, 2, 1, 2, 0, tzinfo=dt.UTC),
    )
    with use_locale("vi"):
        content, n = proposals_xlsx(CAMPAIGN, [p], ON, VN)
    assert n == 1  # one proposal, whatever the rows
    ws = load_workbook(io.BytesIO(content))["Theo lĩnh vực"]
    rows = [r for r in ws.iter_rows() if r[1].value == 7]
    assert len(rows) >= 2 and all(ws.row_dimensions[r[0].row].height <= 409 for r in rows)
    parts = [str(r[4].value) for r in rows if r[4].value]
    joined = " ".join(x.removeprefix("… ").removesuffix(" …") for x in parts)
    assert joined.split() == text.split()
    assert [r[0].value for r in rows] == [1] + [None] * (len(rows) - 1)  # STT once


def test_excel_number_columns_hold_the_longest_number() -> None:
    """#22.7 in Excel: "VIII.10.2" (agency VIII, item 10, measure 2) fits its unwrapped column."""
    from domain.documents.excel import PLAN_COLUMNS

    widths = {key: width for key, width, _wrap in PLAN_COLUMNS}
    assert widths["number"] >= len("VIII.10.2") and widths["due"] >= len("30/06/2026")
