"""The scripts kept for humans: the document render script writes both documents."""

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
    doc = Document(str(tmp_path / "ke-hoach-tong-hop.docx"))
    cells = "".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert "Nhiệm vụ 1: rà soát" in cells and "📑" not in cells  # emoji left out
    sheet = load_workbook(tmp_path / "ke-hoach-tong-hop.xlsx")["Kế hoạch"]
    values = [c.value for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert any('=HYPERLINK("http://x","Bấm")' in v for v in values)  # text, never a formula
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
