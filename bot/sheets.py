"""Rows of a spreadsheet an operator hands us: .xlsx (first sheet) or .csv (UTF-8, with or
without BOM; comma, semicolon or tab). Anything else is refused with a line that says why.

The .xlsx is read by :mod:`domain.workbook` (bounded, streamed, formulas never evaluated, the
same reader as the files focal persons send); its sentences are given in English here, for the
operator's terminal. A .csv is bounded the same way.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from domain.workbook import OLE, Bounds, WorkbookError, check_row, read_xlsx
from locales import use_locale

AGENCY_LIST = Bounds()


class SheetError(Exception):
    """The file cannot be read as a table; one line for the operator."""


def read_rows(path: Path, bounds: Bounds = AGENCY_LIST) -> list[list[object]]:
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx", ".xls", ".xlsm"):
        raise SheetError(f"{path}: expected a .xlsx or .csv file")
    try:
        size = path.stat().st_size
        if size > bounds.file_bytes:
            raise SheetError(
                f"{path}: {size:,} bytes, over the limit of {bounds.file_bytes:,} bytes"
            )
        data = path.read_bytes()
    except OSError as exc:
        raise SheetError(f"cannot read {path}: {exc.strerror or exc}") from None
    with use_locale("en"):
        try:
            if suffix == ".csv":
                if data[:8] == OLE:
                    raise SheetError(f"{path}: an old-format Excel file; save it as .csv or .xlsx")
                return _csv(data, bounds)
            sheets = read_xlsx(data, bounds, suffix=suffix)
        except WorkbookError as exc:
            raise SheetError(f"{path}: {exc}") from None
    return next(iter(sheets.values()), [])


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
            try:
                check_row(number, row[: bounds.columns], bounds)
            except WorkbookError as exc:
                raise SheetError(str(exc)) from None
            out.append(list(row[: bounds.columns]))
    except csv.Error as exc:
        raise SheetError(f"the CSV file is damaged ({exc})") from None
    return out
