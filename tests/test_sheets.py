"""bot.sheets: the rows of an operator's .xlsx or .csv, or one line saying why not."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from bot.sheets import SheetError, read_rows


def test_xlsx_first_sheet_values(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["Mã", "Tên", "Loại"])
    sheet.append(["XA1", "Xã Một", "xã"])
    sheet.append([12, "Xã Hai", None])  # a code typed as a number; an empty cell
    book.create_sheet("Khác").append(["ignored"])
    book.save(tmp_path / "d.xlsx")
    assert read_rows(tmp_path / "d.xlsx") == [
        ["Mã", "Tên", "Loại"],
        ["XA1", "Xã Một", "xã"],
        [12, "Xã Hai", None],
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            "\ufeffMã;Tên;Loại\nXA1;Xã Một, Hai;xã\n".encode(),
            [["Mã", "Tên", "Loại"], ["XA1", "Xã Một, Hai", "xã"]],
        ),
        (b'code,name\nA,"B, C"\n', [["code", "name"], ["A", "B, C"]]),
        (b"a\tb\nc\td\n", [["a", "b"], ["c", "d"]]),
    ],
)
def test_csv_utf8_with_or_without_bom_any_separator(
    tmp_path: Path, data: bytes, expected: list[list[str]]
) -> None:
    (tmp_path / "d.csv").write_bytes(data)
    assert read_rows(tmp_path / "d.csv") == expected


@pytest.mark.parametrize(
    ("name", "content", "said"),
    [
        ("d.csv", "Mã;Tên\nXA1;Xã Một\n".encode("utf-16"), "not UTF-8"),
        ("d.xls", b"\xd0\xcf\x11\xe0", "old Excel file (.xls)"),
        ("d.xlsx", b"not a zip", "is not a readable .xlsx file"),
        ("d.ods", b"x", "expected a .xlsx or .csv file"),
    ],
)
def test_what_cannot_be_read_is_one_line(
    tmp_path: Path, name: str, content: bytes, said: str
) -> None:
    (tmp_path / name).write_bytes(content)
    with pytest.raises(SheetError, match=said.replace("(", r"\(").replace(")", r"\)")):
        read_rows(tmp_path / name)
    with pytest.raises(SheetError, match="cannot read"):
        read_rows(tmp_path / "missing.csv")


# -- hostile files (18.14): bounded, one line, never a traceback ----------------------------------


def _valid(tmp_path: Path) -> Path:
    book = Workbook()
    book.active.append(["Mã", "Tên"])
    book.active.append(["SNV", "Sở Nội vụ"])
    book.save(tmp_path / "ok.xlsx")
    return tmp_path / "ok.xlsx"


def _with_sheet(tmp_path: Path, xml: bytes, name: str = "bad.xlsx", **kw: object) -> Path:
    """A copy of a valid workbook whose first sheet's XML is ``xml``."""
    import zipfile

    source = _valid(tmp_path)
    target = tmp_path / name
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for entry in src.infolist():
            data = xml if entry.filename == "xl/worksheets/sheet1.xml" else src.read(entry)
            out.writestr(entry.filename, data, **kw)  # type: ignore[arg-type]
    return target


def test_a_cell_in_the_last_column_is_refused_at_once(tmp_path: Path) -> None:
    import time

    book = Workbook()
    book.active.append(["Mã", "Tên"])
    book.active["XFD1"] = "x"
    book.save(tmp_path / "wide.xlsx")
    started = time.monotonic()
    with pytest.raises(SheetError, match="reaches column 16,384"):
        read_rows(tmp_path / "wide.xlsx")
    assert time.monotonic() - started < 5


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    bomb = _with_sheet(tmp_path, head + b" " * 30_000_000 + b"</sheetData></worksheet>")
    assert bomb.stat().st_size < 200_000
    with pytest.raises(SheetError, match="zip bomb"):
        read_rows(bomb)


def test_too_many_rows_are_refused(tmp_path: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(tmp_path / "long.xlsx"), {"constant_memory": True})
    sheet = book.add_worksheet()
    for r in range(10_100):
        sheet.write_row(r, 0, [f"A{r}", f"Đơn vị {r}"])
    book.close()
    with pytest.raises(SheetError, match="rows"):
        read_rows(tmp_path / "long.xlsx")
    (tmp_path / "long.csv").write_text("".join(f"A{r},Đơn vị {r}\n" for r in range(10_100)))
    with pytest.raises(SheetError, match="More than 10,000 rows"):
        read_rows(tmp_path / "long.csv")


@pytest.mark.parametrize(
    ("xml", "said"),
    [
        (b"<worksheet><sheetData><row><c", "not a readable .xlsx file"),
        (
            b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'
            b"</sheetData></worksheet>",
            "not a readable .xlsx file",
        ),
    ],
)
def test_damaged_or_entity_laden_xml_is_one_line(tmp_path: Path, xml: bytes, said: str) -> None:
    with pytest.raises(SheetError, match=said):
        read_rows(_with_sheet(tmp_path, xml))


def test_overlong_cells_macros_and_encrypted_files_are_refused(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["SNV", "x" * 1_001])
    book.save(tmp_path / "long-cell.xlsx")
    with pytest.raises(SheetError, match="a cell of 1,001 characters"):
        read_rows(tmp_path / "long-cell.xlsx")
    (tmp_path / "m.xlsm").write_bytes(_valid(tmp_path).read_bytes())
    with pytest.raises(SheetError, match="macros"):
        read_rows(tmp_path / "m.xlsm")
    (tmp_path / "locked.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(SheetError, match="encrypted"):
        read_rows(tmp_path / "locked.xlsx")
    (tmp_path / "big.csv").write_bytes(b"a,b\n" * 1_500_000)  # 6 MB
    with pytest.raises(SheetError, match="over the limit"):
        read_rows(tmp_path / "big.csv")


def test_a_formula_is_read_as_its_cached_value_never_evaluated(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append(["SNV", '=HYPERLINK("http://x","Sở Nội vụ")'])
    book.save(tmp_path / "f.xlsx")
    assert read_rows(tmp_path / "f.xlsx") == [["SNV", None]]  # no cached value: nothing
