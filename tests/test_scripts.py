"""The scripts kept for humans: the document render script builds a realistic campaign through
the conversation and writes every document, each under its own name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from docx import Document
from openpyxl import load_workbook

ROOT = Path(__file__).resolve().parent.parent


def test_render_script_writes_the_documents(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "render_documents.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        env={"PATH": "/nonexistent"},  # no LibreOffice: documents only, and it says so
    )
    assert done.returncode == 0, done.stderr
    assert "LibreOffice (soffice) is not installed" in done.stdout
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "ke-hoach-ban-nhap.docx",
        "ke-hoach-ban-nhap.xlsx",
        "ke-hoach-tong-hop.docx",
        "ke-hoach-tong-hop.xlsx",
        "ket-qua-quy-I-2026.docx",
        "ket-qua-quy-I-2026.xlsx",
        "kien-nghi.xlsx",
    ]
    doc = Document(str(tmp_path / "ke-hoach-tong-hop.docx"))
    cells = "".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Rà soát, sửa đổi quy chế" in cells and "📑" not in cells  # emoji left out
    assert "<b>đậm</b> &amp;" not in cells and "<b>đậm</b> & tập huấn" in cells  # text as typed
    agencies = [r.cells[1].text for r in doc.tables[1].rows if r.cells[1].text.isupper()]
    assert len(agencies) == 7  # seven plans submitted; the draft only in the BẢN NHÁP files
    book = load_workbook(tmp_path / "ke-hoach-tong-hop.xlsx")
    sheet = book["Kế hoạch"]
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any('=HYPERLINK("http://x","Bấm vào đây")' in v for v in values)  # never a formula
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    # the 1,990-character objective, continued in the rows below rather than cut (#22.2)
    assert any(v.startswith("Đến hết năm 2026") and v.endswith(" …") for v in values)
    assert any(v.startswith("… ") for v in values)
    status = [r for r in book["Tình hình nộp"].iter_rows(values_only=True) if r[3]]
    assert sorted(r[3] for r in status[1:]) == [1, 1, 1, 1, 1, 1, 2]  # one edited, submitted again
    assert sum(1 for r in status[1:] if r[5]) == 2  # two late
    draft = Document(str(tmp_path / "ke-hoach-ban-nhap.docx"))
    assert len([r for r in draft.tables[1].rows if r.cells[1].text.isupper()]) == 8
    results = Document(str(tmp_path / "ket-qua-quy-I-2026.docx"))
    statuses = {r.cells[4].text for r in results.tables[1].rows[1:]}
    assert {"Đã hoàn thành", "Đang thực hiện – chậm tiến độ", "Chưa thực hiện"} <= statuses
    proposals = load_workbook(tmp_path / "kien-nghi.xlsx")["Theo lĩnh vực"]
    states = [r[9] for r in proposals.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert sorted(states) == sorted(
        ["chờ giao xử lý", "chờ trả lời", "chờ trả lời", "đã trả lời", "đã trả lời"]
    )
    overdue = [r[-1] for r in proposals.iter_rows(values_only=True) if isinstance(r[0], int)]
    assert sum(1 for d in overdue if d) == 1  # one answer overdue, one routed and not yet due
    # #22.4: every sheet, fitted one page wide on A4 landscape, prints its 12 pt text at 9 pt or
    # more; a draft marks every printed page
    from domain.documents.excel import printed_points

    for path in sorted(tmp_path.glob("*.xlsx")):
        book = load_workbook(path)
        for ws in book:
            stored = {}  # columns of one width are stored as one range (min..max)
            for dim in ws.column_dimensions.values():
                for k in range(dim.min or 1, (dim.max or dim.min or 1) + 1):
                    stored[k] = dim.width
            # XlsxWriter stores width + padding
            widths = [round(stored[k] - 0.71) for k in range(1, ws.max_column + 1)]
            assert printed_points(widths) >= 9, (path.name, ws.title, widths)
            assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9
            assert ws.sheet_properties.pageSetUpPr.fitToPage
            draft = "ban-nhap" in path.name
            assert ("BẢN NHÁP" in (ws.oddHeader.center.text or "")) == draft, (path.name, ws.title)
