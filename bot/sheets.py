"""Rows of a spreadsheet an operator hands us: .xlsx (first sheet) or .csv (UTF-8, with or
without BOM; comma, semicolon or tab). Anything else is refused with a line that says why."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path


class SheetError(Exception):
    """The file cannot be read as a table; one line for the operator."""


def read_rows(path: Path) -> list[list[object]]:
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return _csv(path.read_bytes())
        if suffix in (".xlsx", ".xlsm"):
            return _xlsx(path)
    except OSError as exc:
        raise SheetError(f"cannot read {path}: {exc.strerror or exc}") from None
    if suffix == ".xls":
        raise SheetError(f"{path}: an old Excel file (.xls); save it as .xlsx or .csv first")
    raise SheetError(f"{path}: expected a .xlsx or .csv file")


def _csv(data: bytes) -> list[list[object]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError(
            "the CSV file is not UTF-8; save it as 'CSV UTF-8' (Excel) or .xlsx"
        ) from None
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    return [list(row) for row in csv.reader(io.StringIO(text), dialect)]


def _xlsx(path: Path) -> list[list[object]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SheetError(f"{path} is not a readable .xlsx file ({exc})") from None
    try:
        sheet = book.worksheets[0]
        return [list(row) for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()
