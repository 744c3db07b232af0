"""The consolidated plan documents, opened and read back with python-docx and openpyxl."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm
from openpyxl import load_workbook

from bot.settings import BUNDLED_CAMPAIGN
from domain.campaign import load_campaign
from domain.model import Agency, Measure, Plan, Shortcoming
from domain.report import Entry, docx_bytes, xlsx_bytes
from locales import use_locale

CAMPAIGN = load_campaign(BUNDLED_CAMPAIGN)
ON = dt.date(2026, 1, 22)
HEADERS = [
    "STT",
    "Hạn chế, khuyết điểm",
    "Mục tiêu",
    "Nhiệm vụ, giải pháp",
    "Đơn vị chủ trì",
    "Đơn vị phối hợp",
    "Thời gian hoàn thành",
    "Sản phẩm, kết quả",
]
MEASURES = [
    "Giải pháp SNV 5.1.1",
    "Giải pháp SNV 5.1.2",
    "Giải pháp SNV 5.2.1",
    "Giải pháp SYT 7.1.1",
]


def _entries() -> list[Entry]:
    """SNV submitted (2 items, 3 measures), SYT submitted item 7; the others did not."""
    out = []
    keyed = CAMPAIGN.keyed_items()
    for n, a in enumerate(CAMPAIGN.agencies, start=1):
        agency = Agency(id=n, code=a.code, name=a.name)
        plan = None
        if a.code in ("SNV", "SYT"):
            items = []
            for i, (key, item) in enumerate(keyed):
                if a.code not in item.agencies:
                    continue
                count = 2 if key == "5.1" else 1
                measures = tuple(
                    Measure(
                        id=10 * i + j,
                        position=j,
                        content=f"Giải pháp {a.code} {key}.{j}",
                        lead_unit=a.name,
                        partners=("Sở Tài chính",) if j == 1 else (),
                        timeline="quý II/2026",
                        due_date=dt.date(2026, 6, 30),
                        output="Báo cáo" if j == 1 else None,
                    )
                    for j in range(1, count + 1)
                )
                items.append(
                    Shortcoming(
                        assignment_id=i,
                        key=key,
                        group=item.group,
                        position=i,
                        text=item.text,
                        objective=f"Mục tiêu {a.code} {key}",
                        measures=measures,
                    )
                )
            plan = Plan(id=n, campaign_id=1, agency=agency, revision=1, shortcomings=tuple(items))
        out.append(
            Entry(
                agency=agency,
                plan=plan,
                version=1 if plan else None,
                status="Đã nộp" if plan else "Chưa bắt đầu",
                focal="A" if plan else "",
            )
        )
    return out


@pytest.fixture(scope="module")
def doc() -> Document:
    with use_locale("vi"):
        return Document(io.BytesIO(docx_bytes(CAMPAIGN, _entries(), ON)))


def test_page_layout(doc: Document) -> None:
    first, table_section, tail = doc.sections
    for s in (first, tail):
        assert s.orientation == WD_ORIENT.PORTRAIT
        assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert table_section.orientation == WD_ORIENT.LANDSCAPE
    assert (round(table_section.page_width.mm), round(table_section.page_height.mm)) == (297, 210)

    def within(value: int, low: float, high: float) -> bool:  # Word stores twips: ±0.1 mm
        return Mm(low - 0.1) <= value <= Mm(high + 0.1)

    for s in doc.sections:
        assert within(s.top_margin, 20, 25) and within(s.bottom_margin, 20, 25)
        assert within(s.left_margin, 30, 35) and within(s.right_margin, 15, 20)


def test_fonts_are_times_new_roman(doc: Document) -> None:
    runs = [r for p in doc.paragraphs for r in p.runs if r.text.strip()]
    runs += [
        r
        for t in doc.tables
        for row in t.rows
        for c in row.cells
        for p in c.paragraphs
        for r in p.runs
        if r.text.strip()
    ]
    assert runs and all(r.font.name == "Times New Roman" for r in runs)
    fonts = runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Times New Roman"


def test_header_block(doc: Document) -> None:
    header = doc.tables[0]
    left, right = (c.paragraphs for c in header.rows[0].cells)
    assert [p.text for p in left if p.text.strip()][:2] == ["UBND TỈNH BẮC NINH", "SỞ TÀI CHÍNH"]
    assert left[1].runs[0].bold
    assert any(p.text == "Số: .../KH-STC" for p in left)
    texts = [p.text for p in right if p.text.strip()]
    assert texts[0] == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" and right[0].runs[0].bold
    assert texts[1] == "Độc lập - Tự do - Hạnh phúc"
    date = next(p for p in right if "ngày" in p.text)
    assert date.text == "Bắc Ninh, ngày 22 tháng 01 năm 2026" and date.runs[0].italic
    borders = header._tbl.tblPr.find(qn("w:tblBorders"))
    style = header._tbl.tblPr.find(qn("w:tblStyle"))
    assert borders is None and style is None  # borderless


def test_title_and_opening(doc: Document) -> None:
    texts = [p.text for p in doc.paragraphs]
    assert "KẾ HOẠCH" in texts
    assert any(t.startswith("Khắc phục hạn chế, khuyết điểm sau kiểm điểm") for t in texts)
    opening = next(t for t in texts if t.startswith("Thực hiện"))
    assert "Công văn của UBND tỉnh Bắc Ninh V/v xây dựng Kế hoạch" in opening
    assert "Sở Tài chính tổng hợp kế hoạch như sau:" in opening
    assert not any("BẢN NHÁP" in t for t in texts)


def test_table(doc: Document) -> None:
    table = doc.tables[1]
    head = [c.text for c in table.rows[0].cells]
    assert head == HEADERS
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on each page
    body = [[c.text for c in r.cells] for r in table.rows[1:]]
    measures = [r for r in body if r[3]]
    assert [r[3] for r in measures] == MEASURES
    first = measures[0]
    assert first[0] == "8" and first[1].endswith("(Sở Nội vụ)") and first[2] == "Mục tiêu SNV 5.1"
    assert first[4:] == ["Sở Nội vụ", "Sở Tài chính", "quý II/2026\n(hạn 30/06/2026)", "Báo cáo"]
    assert measures[1][1] == first[1]  # merged over the measures of one shortcoming
    # every shortcoming of the directive appears, in order; item 7 twice (two agencies)
    numbers = [r[0] for r in body]
    assert sorted(set(numbers), key=int) == [str(n) for n in range(1, 13)]
    seven = [r for r in body if r[0] == "11"]
    assert any("(Sở Y tế)" in r[1] for r in seven) and any(
        "(Sở Giáo dục và Đào tạo)" in r[1] for r in seven
    )
    missing_row = next(r for r in body if "(Sở Giáo dục và Đào tạo)" in r[1])
    assert missing_row[2] == "(chưa gửi kế hoạch)"


def test_missing_agencies_and_recipients(doc: Document) -> None:
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("Các cơ quan, đơn vị chưa gửi kế hoạch:")
    listed = texts[start + 1 : start + 8]
    assert listed == [
        "- Sở Tài chính",
        "- Sở Xây dựng",
        "- Sở Nông nghiệp và Môi trường",
        "- Sở Công Thương",
        "- Sở Khoa học và Công nghệ",
        "- Sở Giáo dục và Đào tạo",
        "- Thanh tra tỉnh",
    ]
    sign = doc.tables[2]
    left = sign.rows[0].cells[0].text
    assert left.startswith("Nơi nhận:") and "- Lưu: VT;" in left
    assert "GIÁM ĐỐC" in sign.rows[0].cells[1].text


def test_draft_is_marked() -> None:
    with use_locale("vi"):
        doc = Document(io.BytesIO(docx_bytes(CAMPAIGN, _entries(), ON, draft=True)))
    assert any("BẢN NHÁP" in p.text for p in doc.paragraphs)


def test_xlsx() -> None:
    with use_locale("vi"):
        wb = load_workbook(io.BytesIO(xlsx_bytes(CAMPAIGN, _entries(), ON)))
    ws = wb["Kế hoạch"]
    assert [c.value for c in ws[3]] == HEADERS
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == f"A3:H{ws.max_row}"
    assert ws.column_dimensions["D"].width == 50
    assert ws["D4"].alignment.wrap_text
    contents = [ws.cell(row=r, column=4).value for r in range(4, ws.max_row + 1)]
    assert [c for c in contents if c] == MEASURES
    st = wb["Tình hình"]
    assert [c.value for c in st[1]] == [
        "Mã",
        "Đơn vị",
        "Tình hình",
        "Bản",
        "Thời điểm nộp",
        "Số ngày chậm",
        "Đầu mối",
    ]
    assert [r[0] for r in st.iter_rows(min_row=2, values_only=True)] == [
        a.code for a in CAMPAIGN.agencies
    ]
