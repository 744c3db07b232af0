"""Documents of the follow-through, as Excel workbooks to sort, filter and print.

* "Báo cáo kết quả thực hiện kế hoạch khắc phục … {quý}": one row per measure of every agency
  followed through — its status in the period, the result or product, the reason it is late and
  the new date proposed, the days overdue — from each agency's latest submitted report.
* "Tổng hợp kiến nghị, đề xuất": every proposal with its answer, on two sheets, grouped by field
  and by responsible department.

Every value a person typed is a string cell, never a formula; dates are real dates; A4 landscape,
one page wide, headings repeated on every printed page. XlsxWriter in constant-memory mode.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from domain.campaign import Campaign, Period
from domain.documents.excel import (
    _LETTERS,
    LINE_POINTS,
    MAX_ROW_POINTS,
    _dimension,
    _lines,
    _patch_filters,
    _patch_ranges,
    _s,
    _serial,
    _styles,
    _Writer,
    pieces,
)
from domain.documents.model import ProgressLine, answer_label, progress_label, roman
from domain.documents.word import date_line
from domain.proposals import Proposal, State, overdue_days
from domain.text import printable
from locales import _

Cell = str | int | dt.date | None
# (heading, width in characters, kind): kind is text (wrapped), plain, center, date or int
Column = tuple[str, int, str]


def _state_label(p: Proposal) -> str:
    return {
        State.DRAFT: _("draft"),
        State.FILED: _("waiting to be routed"),
        State.ROUTED: _("waiting for the answer"),
        State.ANSWERED: _("answered"),
    }[p.state]


class _Table(NamedTuple):
    name: str
    titles: Sequence[str]
    columns: Sequence[Column]
    rows: Iterable[Sequence[Cell]]
    keys: int = 2  # leading columns repeated on rows that continue a long text


def _workbook(tz: dt.tzinfo, tables: Sequence[_Table]) -> tuple[bytes, list[int]]:
    """Tables, one per sheet: XlsxWriter lays out each sheet (widths, titles merged across the
    table, headings, styles, print setup, filter) around one marker row; the rows are then
    streamed in its place as XML (cell by cell through a library, 38,000 rows take ten seconds).
    Returns the bytes and the number of rows of each table."""
    buf = io.BytesIO()
    w = _Writer(buf, tz)
    styles = {"text": w.text, "plain": w.plain, "center": w.center, "date": w.date, "int": w.center}
    markers: list[int] = []  # each sheet's marker row, as Excel numbers rows (from 1)
    for table in tables:
        sheet = w.book.add_worksheet(table.name)
        last = len(table.columns) - 1
        for k, (_head, width, _kind) in enumerate(table.columns):
            sheet.set_column(k, k, width)
        row = 0
        for k, title in enumerate(table.titles):
            sheet.set_row(row, 36 if k == 0 else 18)
            sheet.merge_range(row, 0, row, last, title, w.title if k == 0 else w.subtitle)
            row += 1
        header = row + 1
        sheet.set_row(header, header_height(table.columns))
        for k, (head, _width, kind) in enumerate(table.columns):
            sheet.write_string(header, k, head, w.head)
            sheet.write_string(header + 1, k, "@", styles[kind])
        sheet.freeze_panes(header + 1, 0)
        sheet.autofilter(header, 0, header + 1, last)
        w.print_setup(sheet, header)
        markers.append(header + 2)
    w.book.close()
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    out = io.BytesIO()
    counts: list[int] = []
    last_rows: list[int] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for k, (table, marker) in enumerate(zip(tables, markers, strict=True), start=1):
            name = f"xl/worksheets/sheet{k}.xml"
            head, style_list, tail = _styles(src.read(name).decode(), marker)
            cell_styles = style_list.split(",")
            entry = zipfile.ZipInfo(name, src.getinfo(name).date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            row = marker - 1
            columns = len(table.columns)
            with tempfile.SpooledTemporaryFile(max_size=8 << 20) as fh:  # the dimension first
                batch: list[str] = []
                entries = 0
                for values in table.rows:
                    entries += 1
                    for part in _continued(table, values):  # one row, or more for long text
                        row += 1
                        batch.append(_row(row, table.columns, cell_styles, part))
                    if len(batch) >= 500:
                        fh.write("".join(batch).encode())
                        batch = []
                fh.write("".join(batch).encode())
                fh.seek(0)
                with dst.open(entry, "w") as sheet_xml:
                    sheet_xml.write(_dimension(head, marker - 1, row, columns).encode())
                    shutil.copyfileobj(fh, sheet_xml, 1 << 20)
                    sheet_xml.write(_patch_ranges(tail, marker - 1, row, columns).encode())
            counts.append(entries)
            last_rows.append(max(row, marker - 1))
        for info in src.infolist():
            if info.filename.startswith("xl/worksheets/sheet"):
                continue
            data = src.read(info.filename)
            if info.filename == "xl/workbook.xml":  # the filters end at the last rows now
                data = _patch_filters(data.decode(), tuple(last_rows)).encode()
            dst.writestr(info, data)
    return out.getvalue(), counts


def _continued(table: _Table, values: Sequence[Cell]) -> list[Sequence[Cell]]:
    """The row's values, or several rows when a text is longer than a row can show (409 pt):
    the text continues in the rows below (``pieces``), the key columns repeated."""
    cut = {
        k: pieces(printable(v), width)
        for k, ((_head, width, kind), v) in enumerate(zip(table.columns, values, strict=True))
        if kind == "text" and isinstance(v, str) and v
    }
    extra = max((len(p) for p in cut.values()), default=1)
    if extra == 1:
        return [values]

    def cell(i: int, k: int, v: Cell) -> Cell:
        if k == 0:
            return v if i == 0 else None  # a continuation has no STT of its own
        if k < table.keys:
            return v  # the agency, the number: filters keep the pieces together
        if k in cut:
            return cut[k][i] if i < len(cut[k]) else None
        return v if i == 0 else None

    return [[cell(i, k, v) for k, v in enumerate(values)] for i in range(extra)]


def header_height(columns: Sequence[Column]) -> float:
    """The heading row tall enough for its longest wrapped heading ("Số hiệu trong kế hoạch")."""
    lines = max(_lines(head, width) for head, width, _kind in columns)
    return min(MAX_ROW_POINTS, max(2, lines) * LINE_POINTS + 4)


def _row(row: int, columns: Sequence[Column], styles: list[str], values: Sequence[Cell]) -> str:
    lines = 1
    cells = []
    for k, ((_head, width, kind), value) in enumerate(zip(columns, values, strict=True)):
        ref = f"{_LETTERS[k]}{row}"
        if value is None or value == "":
            cells.append(f'<c r="{ref}" s="{styles[k]}"/>')
        elif isinstance(value, dt.date):
            cells.append(f'<c r="{ref}" s="{styles[k]}"><v>{_serial(value)}</v></c>')
        elif isinstance(value, int):
            cells.append(f'<c r="{ref}" s="{styles[k]}"><v>{value}</v></c>')
        else:
            text = printable(value)
            if kind == "text":
                lines = max(lines, _lines(text, width))
            cells.append(_s(ref, styles[k], text))  # an inline string: never a formula
    height = min(MAX_ROW_POINTS, lines * LINE_POINTS + 3)
    return f'<row r="{row}" spans="1:{len(columns)}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>'


def _titles(campaign: Campaign, title: str, on: dt.date) -> list[str]:
    consolidator = printable(campaign.agency(campaign.consolidator.agency).name)
    place = date_line(printable(campaign.consolidator.place), on)
    return [title, f"{consolidator} — {place}"]


def progress_xlsx(
    campaign: Campaign, period: Period, lines: Iterable[ProgressLine], on: dt.date
) -> tuple[bytes, int]:
    """The period's results; returns the bytes and the number of measures."""
    columns: list[Column] = [
        (_("No."), 4, "int"),
        (_("Agency"), 12, "text"),
        (_("Number in the plan"), 9, "center"),
        (_("Tasks, solutions"), 26, "text"),
        (_("Lead unit"), 12, "text"),
        (_("Completion time"), 12, "text"),
        (_("Completion deadline (date)"), 11, "date"),
        (_("Implementation status"), 14, "text"),
        (_("Result, product"), 19, "text"),
        (_("Reason for delay"), 16, "text"),
        (_("Proposed new time"), 11, "text"),
        (_("Proposed new date"), 11, "date"),
        (_("Days overdue"), 7, "int"),
    ]
    title = _("REPORT on the implementation of the remediation plan — {period}").format(
        period=printable(period.label)
    )
    numerals: dict[str, str] = {}  # the plan's numerals of agencies: "I.1.1", as in the plan

    def number(line: ProgressLine) -> str:
        numeral = numerals.setdefault(line.agency, roman(len(numerals) + 1))
        return f"{numeral}.{line.number}"

    rows = (
        [
            k,
            line.agency,
            number(line),
            line.measure,
            line.lead,
            line.timeline,
            line.due,
            progress_label(line.status, line.reported),
            line.result,
            line.reason,
            line.new_due_text,
            line.new_due,
            line.overdue or None,
        ]
        for k, line in enumerate(lines, start=1)
    )
    titles = [*_titles(campaign, title, on), printable(campaign.title)]
    content, (n,) = _workbook(dt.UTC, [_Table(_("Results"), titles, columns, rows, keys=3)])
    return content, n


def proposals_xlsx(
    campaign: Campaign, proposals: Sequence[Proposal], on: dt.date, tz: dt.tzinfo
) -> tuple[bytes, int]:
    """Every proposal with its answer: by field, then by responsible department."""
    columns: list[Column] = [
        (_("No."), 4, "int"),  # the row's place in this sheet
        (_("Proposal no."), 6, "int"),  # its number in the campaign, as in the chat
        (_("Field"), 11, "text"),
        (_("Proposing agency"), 12, "text"),
        (_("Proposal, obstacle"), 20, "text"),
        (_("Asked of"), 11, "text"),
        (_("Responsible department"), 11, "text"),
        (_("Filed on"), 11, "date"),
        (_("Answer due"), 11, "date"),
        (_("Status"), 10, "text"),
        (_("Answer"), 10, "text"),
        (_("Answer content"), 17, "text"),
        (_("Expected by"), 11, "date"),
        (_("Answered on"), 11, "date"),
        (_("Days overdue"), 6, "int"),
    ]

    def row(stt: int, p: Proposal) -> list[Cell]:
        return [
            stt,
            p.number,
            p.field,
            p.from_name,
            p.content or "",
            p.asked_name or "",
            p.responsible_name or "",
            p.filed_at.astimezone(tz).date() if p.filed_at else None,
            p.due_date,
            _state_label(p),
            answer_label(p.answer),
            p.answer_text or "",
            p.expected,
            p.answered_at.astimezone(tz).date() if p.answered_at else None,
            overdue_days(p, on) or None,
        ]

    title = _("SUMMARY of proposals and obstacles (kiến nghị, đề xuất)")
    titles = _titles(campaign, title, on)
    fields = {f: k for k, f in enumerate(campaign.proposals.fields)}
    by_field = sorted(proposals, key=lambda p: (fields.get(p.field, len(fields)), p.number or 0))
    by_department = sorted(
        proposals,
        key=lambda p: (p.responsible_name is None, p.responsible_name or "", p.number or 0),
    )
    content, (n, _n) = _workbook(
        tz,
        [
            _Table(_("By field"), titles, columns, (row(k, p) for k, p in enumerate(by_field, 1))),
            _Table(
                _("By department"),
                titles,
                columns,
                (row(k, p) for k, p in enumerate(by_department, 1)),
            ),
        ],
    )
    return content, n
