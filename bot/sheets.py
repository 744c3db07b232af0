"""Rows of a spreadsheet an operator hands us: .xlsx (first sheet) or .csv (UTF-8, with or
without BOM; comma, semicolon or tab). Anything else is refused with a line that says why.

The file is hostile until read: its size, the zip's declared uncompressed size and ratio, the
number of rows and columns and each cell's length are bounded before and while it is read (in
openpyxl's streaming mode, never the whole sheet in memory; XML through defusedxml), formulas are
read as their cached values and never evaluated, and any damage inside is one line, not a
traceback. Past a bound the file is refused, never truncated silently.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and encrypted .xlsx files


@dataclass(frozen=True)
class Bounds:
    file_bytes: int = 5 * 1024 * 1024
    unpacked_bytes: int = 50 * 1024 * 1024  # the whole .xlsx, uncompressed
    ratio: int = 100  # uncompressed / compressed, per zip entry (a zip bomb is thousands)
    rows: int = 10_000
    columns: int = 20
    cell_chars: int = 1_000


AGENCY_LIST = Bounds()


class SheetError(Exception):
    """The file cannot be read as a table; one line for the operator."""


def read_rows(path: Path, bounds: Bounds = AGENCY_LIST) -> list[list[object]]:
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise SheetError(f"{path}: an old Excel file (.xls); save it as .xlsx or .csv first")
    if suffix == ".xlsm":
        raise SheetError(f"{path}: a workbook with macros (.xlsm); save it as .xlsx first")
    if suffix not in (".csv", ".xlsx"):
        raise SheetError(f"{path}: expected a .xlsx or .csv file")
    try:
        size = path.stat().st_size
        if size > bounds.file_bytes:
            raise SheetError(
                f"{path}: {size:,} bytes, over the limit of {bounds.file_bytes:,} bytes"
            )
        with path.open("rb") as fh:
            head = fh.read(8)
        if head == OLE:
            raise SheetError(
                f"{path}: an encrypted or old-format Excel file; save it as .xlsx without "
                "a password"
            )
        if suffix == ".csv":
            return _csv(path.read_bytes(), bounds)
        return _xlsx(path, bounds)
    except OSError as exc:
        raise SheetError(f"cannot read {path}: {exc.strerror or exc}") from None


def _check(number: int, row: Sequence[object], bounds: Bounds) -> None:
    """One row as it is read: within the number of rows, each cell within its length."""
    if number > bounds.rows:
        raise SheetError(f"more than {bounds.rows:,} rows; split the list or remove empty rows")
    for k, cell in enumerate(row, 1):
        if isinstance(cell, str) and len(cell) > bounds.cell_chars:
            raise SheetError(
                f"row {number}, column {k}: a cell of {len(cell):,} characters (at most "
                f"{bounds.cell_chars:,})"
            )


def _csv(data: bytes, bounds: Bounds) -> list[list[object]]:
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
    out: list[list[object]] = []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text), dialect), 1):
            if len(row) > bounds.columns and any(row[bounds.columns :]):
                raise SheetError(f"row {number}: more than {bounds.columns} columns")
            _check(number, row[: bounds.columns], bounds)
            out.append(list(row[: bounds.columns]))
    except csv.Error as exc:
        raise SheetError(f"the CSV file is damaged ({exc})") from None
    return out


def _zip_bounds(path: Path, bounds: Bounds) -> None:
    """Declared sizes, checked before anything is unpacked (reading stops at the declared size:
    a lying entry fails its CRC instead of growing)."""
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(f"{path} is not a readable .xlsx file ({exc})") from None
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > bounds.ratio * max(entry.compress_size, 1024):
            raise SheetError(
                f"{path}: {entry.filename} unpacks {entry.file_size:,} bytes from "
                f"{entry.compress_size:,} (a zip bomb?); refused"
            )
    if total > bounds.unpacked_bytes:
        raise SheetError(
            f"{path}: unpacks to {total:,} bytes, over the limit of {bounds.unpacked_bytes:,}"
        )
    names = {e.filename for e in entries}
    if "xl/vbaProject.bin" in names:
        raise SheetError(f"{path}: the workbook carries macros; save it as a plain .xlsx")


def _xlsx(path: Path, bounds: Bounds) -> list[list[object]]:
    _zip_bounds(path, bounds)
    from openpyxl import load_workbook

    try:
        # our own file object: closed here even when openpyxl gives up half-way
        with path.open("rb") as fh:
            book = load_workbook(fh, read_only=True, data_only=True, keep_links=False)
            try:
                return _sheet_rows(book.worksheets[0], path, bounds)
            finally:
                book.close()
    except SheetError:
        raise
    except MemoryError:
        raise SheetError(f"{path}: too large to read") from None
    except Exception as exc:  # damaged XML, a missing part, a forbidden entity: all one line
        raise SheetError(
            f"{path} is not a readable .xlsx file ({type(exc).__name__}: {str(exc)[:120]})"
        ) from None


def _sheet_rows(sheet: Any, path: Path, bounds: Bounds) -> list[list[object]]:
    # The declared size first (a cell at XFD, a million rows): refused before reading.
    declared_cols, declared_rows = sheet.max_column or 0, sheet.max_row or 0
    if declared_cols > bounds.columns:
        raise SheetError(
            f"{path}: the sheet reaches column {declared_cols:,} (at most {bounds.columns}); "
            "delete the columns after the table"
        )
    if declared_rows > bounds.rows + 10:
        raise SheetError(f"{path}: the sheet has {declared_rows:,} rows (at most {bounds.rows:,})")
    # And while reading, whatever the declaration said: never a row wider than that.
    out: list[list[object]] = []
    rows = sheet.iter_rows(max_col=declared_cols or bounds.columns, values_only=True)
    for number, row in enumerate(rows, 1):
        _check(number, row, bounds)
        out.append(list(row))
    return out
