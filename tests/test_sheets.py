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
