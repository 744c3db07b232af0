"""A plan written as a table in Word (.docx): the rows of its plan table, as text.

Agencies write their plans in Word with the columns of the consolidated document (STT; Hạn chế,
khuyết điểm; Mục tiêu; Nhiệm vụ, giải pháp; Đơn vị chủ trì; Đơn vị phối hợp; Thời gian hoàn
thành; Sản phẩm, kết quả). The table is found by the words of its heading row, not by its
position; its columns by their headings, whatever their order. The file is hostile like a
workbook: its size and the zip's are bounded (``domain.workbook``), ``word/document.xml`` is read
as a stream through defusedxml (no entity expanded, no external reference followed), rows and
cells are bounded while read, and a cell continued from the row above (a vertical merge) reads
as empty, as the continuation it is.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO

from defusedxml.ElementTree import iterparse

from domain.text import fold
from domain.workbook import OLE, Bounds, WorkbookError, check_kind, zip_bounds
from locales import _

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
HEADINGS = {  # a heading's words (folded) → the template's column key
    "stt": "number",
    "han che, khuyet diem": "shortcoming",
    "noi dung han che, khuyet diem": "shortcoming",
    "muc tieu": "objective",
    "nhiem vu, giai phap": "content",
    "nhiem vu": "content",
    "don vi chu tri": "lead",
    "don vi phoi hop": "partners",
    "thoi gian hoan thanh": "timeline",
    "tien do, thoi gian hoan thanh": "timeline",
    "san pham, ket qua": "output",
    "san pham": "output",
}
REQUIRED = {"content", "lead"}


def docx_table(data: bytes, bounds: Bounds, suffix: str = ".docx") -> list[dict[str, str]]:
    """The rows of the plan table under its heading row, each as {column key: text}; a row
    that spans the whole table (an agency's or a group's heading) reads as empty."""
    if suffix == ".doc" or data[:8] == OLE:
        raise WorkbookError(
            _("This is an old Word file (.doc) or a protected one; please save it as .docx first.")
        )
    if suffix == ".docm":
        raise WorkbookError(_("This document carries macros (.docm); please save it as .docx."))
    check_kind(data, ".xlsx", bounds)  # the size limit
    zip_bounds(data, bounds, macros="word/vbaProject.bin")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            with archive.open("word/document.xml") as xml:
                return _plan_rows(xml, bounds)
    except WorkbookError:
        raise
    except KeyError:
        raise _unreadable() from None
    except Exception as exc:  # damaged XML, a forbidden entity, a bad zip: one sentence
        raise _unreadable(f"{type(exc).__name__}: {' '.join(str(exc).split())[:120]}") from None


def _unreadable(detail: str = "") -> WorkbookError:
    text = _("The file is not a readable .docx document.")
    return WorkbookError(f"{text} ({detail})" if detail else text)


def _plan_rows(xml: IO[bytes], bounds: Bounds) -> list[dict[str, str]]:
    columns: dict[int, str] | None = None
    out: list[dict[str, str]] = []
    depth = 0  # tables inside tables are read as the text of their cell
    row: list[tuple[str, int]] = []
    cell: list[str] = []
    continued = False
    span = 1
    rows = 0
    for event, element in iterparse(xml, events=("start", "end")):
        tag = element.tag
        if event == "start":
            if tag == W + "tbl":
                depth += 1
            continue
        if tag == W + "tbl":
            depth -= 1
            if depth == 0 and columns is not None:
                return out  # the plan table read whole; what follows is not the plan
            columns = None if depth == 0 else columns
        elif depth != 1:
            pass
        elif tag == W + "t" and element.text:
            cell.append(element.text)
        elif tag in (W + "br", W + "cr"):
            cell.append("\n")
        elif tag == W + "p":
            cell.append("\n")
        elif tag == W + "vMerge":
            continued = element.get(W + "val", "continue") == "continue"
        elif tag == W + "gridSpan":
            try:
                span = max(1, min(int(element.get(W + "val", "1")), 64))
            except ValueError:
                span = 1
        elif tag == W + "tc":
            text = "" if continued else "".join(cell).strip()
            if len(text) > bounds.cell_chars:
                raise WorkbookError(
                    _("A cell of the table holds {n} characters (at most {max}).").format(
                        n=len(text), max=bounds.cell_chars
                    )
                )
            row.append((text, span))
            cell, continued, span = [], False, 1
        elif tag == W + "tr":
            rows += 1
            if rows > bounds.rows:
                raise WorkbookError(
                    _(
                        "More than {n} rows; please remove the empty rows or split the table."
                    ).format(n=bounds.rows)
                )
            if columns is None:
                columns = _heading(row)
                if columns is not None:
                    out = []
            elif len(row) <= 2 and any(s >= 3 for _t, s in row):  # an agency's heading band
                out.append({})  # kept empty, so that row numbers are the table's
            else:
                out.append(_by_column(row, columns))
            row = []
        if event == "end" and tag in (W + "tc", W + "tr", W + "p"):
            element.clear()
    if columns is None:
        raise WorkbookError(
            _(
                "No table with the plan's columns was found in the document (its heading row "
                "needs at least «Nhiệm vụ, giải pháp» and «Đơn vị chủ trì»)."
            )
        )
    return out


def _heading(row: list[tuple[str, int]]) -> dict[int, str] | None:
    found: dict[int, str] = {}
    position = 0
    for text, span in row:
        key = HEADINGS.get(fold(" ".join(text.split())).strip(" .:"))
        if key is not None and key not in found.values():
            found[position] = key
        position += span
    return found if REQUIRED <= set(found.values()) else None


def _by_column(row: list[tuple[str, int]], columns: dict[int, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    position = 0
    for text, span in row:
        key = columns.get(position)
        if key is not None:
            out[key] = text
        position += span
    return out
