"""Reading a spreadsheet someone sent: the rows of its sheets, or one sentence saying why not.

The file is hostile until read: its size, the zip's declared uncompressed size and ratio, the
number of rows and columns and each cell's length are bounded before and while it is read (in
openpyxl's streaming mode, never the whole sheet in memory; XML through defusedxml, so no entity
is expanded), formulas are read as their cached values and never evaluated, macros, encrypted and
legacy .xls files are refused, and any damage inside is one sentence, not a traceback. Past a
bound the file is refused, never truncated silently. Sentences are in the caller's locale.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from locales import _, fmt_number

OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and encrypted .xlsx files
ZIP = b"PK\x03\x04"

Rows = list[list[object]]


@dataclass(frozen=True)
class Bounds:
    file_bytes: int = 5 * 1024 * 1024
    unpacked_bytes: int = 50 * 1024 * 1024  # the whole .xlsx, uncompressed
    ratio: int = 100  # uncompressed / compressed, per zip entry (a zip bomb is thousands)
    rows: int = 10_000
    columns: int = 20
    cell_chars: int = 1_000


class WorkbookError(Exception):
    """The file cannot be read as a table: ``str(err)`` says why, for the person who sent it."""


def check_kind(data: bytes, suffix: str, bounds: Bounds) -> None:
    """What the bytes are, before anything is unpacked: within the size limit, and a plain
    .xlsx (not .xls, .xlsm, or an encrypted workbook)."""
    if suffix == ".xls" or (data[:8] == OLE and suffix != ".xlsx"):
        raise WorkbookError(_("This is an old Excel file (.xls); please save it as .xlsx first."))
    if suffix == ".xlsm":
        raise WorkbookError(
            _("This workbook carries macros (.xlsm); please save it as a plain .xlsx first.")
        )
    if len(data) > bounds.file_bytes:
        raise WorkbookError(
            _("The file is {size} bytes, over the limit of {limit} bytes.").format(
                size=fmt_number(len(data)), limit=fmt_number(bounds.file_bytes)
            )
        )
    if data[:8] == OLE:
        raise WorkbookError(
            _(
                "This workbook is encrypted (a password is set) or in an old format; please "
                "save it as .xlsx without a password."
            )
        )


def damaged(detail: str = "") -> WorkbookError:
    detail = " ".join(detail.split())  # one line, whatever the library said
    text = _("The file is not a readable .xlsx file.")
    return WorkbookError(f"{text} ({detail})" if detail else text)


def zip_bounds(data: bytes, bounds: Bounds, macros: str = "xl/vbaProject.bin") -> None:
    """Declared sizes, checked before anything is unpacked (reading stops at the declared size:
    a lying entry fails its CRC instead of growing)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise damaged(str(exc)[:120]) from None
    total = 0
    for entry in entries:
        total += entry.file_size
        if entry.file_size > bounds.ratio * max(entry.compress_size, 1024):
            raise WorkbookError(
                _(
                    "Inside the file, {name} unpacks to {size} bytes from {packed} (a zip bomb?); "
                    "refused."
                ).format(
                    name=entry.filename[:80],
                    size=fmt_number(entry.file_size),
                    packed=fmt_number(entry.compress_size),
                )
            )
    if total > bounds.unpacked_bytes:
        raise WorkbookError(
            _("The file unpacks to {size} bytes, over the limit of {limit}.").format(
                size=fmt_number(total), limit=fmt_number(bounds.unpacked_bytes)
            )
        )
    if macros in {e.filename for e in entries}:
        raise WorkbookError(
            _("This workbook carries macros; please save it as a plain .xlsx first.")
        )


def check_row(number: int, row: Sequence[object], bounds: Bounds, sheet: str = "") -> None:
    """One row as it is read: within the number of rows, each cell within its length."""
    if number > bounds.rows:
        raise WorkbookError(
            _("More than {n} rows; please remove the empty rows or split the table.").format(
                n=fmt_number(bounds.rows)
            )
        )
    for k, cell in enumerate(row, 1):
        if isinstance(cell, str) and len(cell) > bounds.cell_chars:
            where = f"{sheet}, " if sheet else ""
            raise WorkbookError(
                _(
                    "{where}row {row}, column {col}: a cell of {n} characters (at most {max})."
                ).format(
                    where=where,
                    row=number,
                    col=k,
                    n=fmt_number(len(cell)),
                    max=fmt_number(bounds.cell_chars),
                )
            )


def read_xlsx(
    data: bytes, bounds: Bounds, sheets: Collection[str] | None = None, suffix: str = ".xlsx"
) -> dict[str, Rows]:
    """The rows of the named sheets that exist (all of them when ``sheets`` is None, in the
    workbook's order), cells as their values (a formula as its cached value)."""
    check_kind(data, suffix, bounds)
    if data[:4] != ZIP:
        raise damaged()
    zip_bounds(data, bounds)
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            out: dict[str, Rows] = {}
            for sheet in book.worksheets:
                if sheets is None or sheet.title in sheets:
                    out[sheet.title] = _sheet_rows(sheet, bounds)
            return out
        finally:
            book.close()
    except WorkbookError:
        raise
    except MemoryError:
        raise WorkbookError(_("The file is too large to read.")) from None
    except Exception as exc:  # damaged XML, a missing part, a forbidden entity: all one line
        raise damaged(f"{type(exc).__name__}: {str(exc)[:120]}") from None


def _sheet_rows(sheet: Any, bounds: Bounds) -> Rows:
    # The declared size first (a cell at XFD, a million rows): refused before reading.
    declared_cols, declared_rows = sheet.max_column or 0, sheet.max_row or 0
    if declared_cols > bounds.columns:
        raise WorkbookError(
            _(
                "The sheet {sheet} reaches column {n} (at most {max}); please delete the columns "
                "after the table."
            ).format(sheet=sheet.title, n=fmt_number(declared_cols), max=bounds.columns)
        )
    if declared_rows > bounds.rows + 10:
        raise WorkbookError(
            _("The sheet {sheet} has {n} rows (at most {max}).").format(
                sheet=sheet.title, n=fmt_number(declared_rows), max=fmt_number(bounds.rows)
            )
        )
    # And while reading, whatever the declaration said: never a row wider than that.
    out: Rows = []
    rows = sheet.iter_rows(max_col=declared_cols or bounds.columns, values_only=True)
    for number, row in enumerate(rows, 1):
        check_row(number, row, bounds, sheet.title)
        out.append(list(row))
    return out
