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
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from domain.campaign import Campaign, Period
from domain.documents.excel import LINE_POINTS, MAX_ROW_POINTS, _lines, _Writer
from domain.documents.word import date_line
from domain.progress import Progress
from domain.proposals import Answer, Proposal, State, overdue_days
from domain.text import printable
from locales import _

Cell = str | int | dt.date | None
# (heading, width in characters, kind): kind is text (wrapped), plain, center, date or int
Column = tuple[str, int, str]


class ProgressLine(NamedTuple):
    """One measure in the period's report."""

    agency: str
    number: str
    measure: str
    lead: str
    timeline: str
    due: dt.date | None
    status: Progress | None
    result: str
    reason: str
    new_due_text: str
    new_due: dt.date | None
    overdue: int
    reported: bool  # the agency submitted its report for the period


def status_label(status: Progress | None, submitted: bool) -> str:
    if status is None:
        return _("Not reported") if submitted else _("Report not submitted")
    return {
        Progress.DONE: _("Done"),
        Progress.ON_TRACK: _("In progress, on schedule"),
        Progress.LATE: _("In progress, behind schedule"),
        Progress.NOT_STARTED: _("Not carried out yet"),
    }[status]


def answer_label(answer: Answer | None) -> str:
    if answer is None:
        return ""
    return {
        Answer.RESOLVED: _("Resolved"),
        Answer.IN_PROGRESS: _("Being handled"),
        Answer.DECLINED: _("Cannot be done (explained)"),
    }[answer]


def _state_label(p: Proposal) -> str:
    return {
        State.DRAFT: _("draft"),
        State.FILED: _("waiting to be routed"),
        State.ROUTED: _("waiting for the answer"),
        State.ANSWERED: _("answered"),
    }[p.state]


def _book(out: io.BytesIO, tz: dt.tzinfo) -> _Writer:
    return _Writer(out, tz, constant_memory=True)


def _sheet(
    w: _Writer,
    name: str,
    titles: Sequence[str],
    columns: Sequence[Column],
    rows: Iterable[Sequence[Cell]],
) -> int:
    """One table: the titles merged across its width, the headings, the rows (heights from the
    longest wrapped text); returns the number of rows written."""
    sheet = w.book.add_worksheet(name)
    last = len(columns) - 1
    for k, (_head, width, _kind) in enumerate(columns):
        sheet.set_column(k, k, width)
    row = 0
    for k, title in enumerate(titles):
        sheet.set_row(row, 36 if k == 0 else 18)
        sheet.merge_range(row, 0, row, last, title, w.title if k == 0 else w.subtitle)
        row += 1
    row += 1
    header = row
    sheet.set_row(row, 32)
    for k, (head, _width, _kind) in enumerate(columns):
        sheet.write_string(row, k, head, w.head)
    styles = {"text": w.text, "plain": w.plain, "center": w.center, "date": w.date, "int": w.center}
    wrapped = [(k, width) for k, (_h, width, kind) in enumerate(columns) if kind == "text"]
    n = 0
    for values in rows:
        row += 1
        n += 1
        lines = 1
        for k, width in wrapped:
            value = values[k]
            if isinstance(value, str) and value:
                lines = max(lines, _lines(value, width))
        sheet.set_row(row, min(MAX_ROW_POINTS, lines * LINE_POINTS + 3))
        for k, (_h, _w, kind) in enumerate(columns):
            value = values[k]
            style = styles[kind]
            if value is None or value == "":
                sheet.write_blank(row, k, None, style)
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, k, dt.datetime(value.year, value.month, value.day), style)
            elif isinstance(value, int):
                sheet.write_number(row, k, value, style)
            else:
                sheet.write_string(row, k, printable(value), style)  # never a formula
    sheet.freeze_panes(header + 1, 0)
    sheet.autofilter(header, 0, max(row, header + 1), last)
    w.print_setup(sheet, header)
    return n


def _titles(campaign: Campaign, title: str, on: dt.date) -> list[str]:
    consolidator = printable(campaign.agency(campaign.consolidator.agency).name)
    place = date_line(printable(campaign.consolidator.place), on)
    return [title, f"{consolidator} — {place}"]


def progress_xlsx(
    campaign: Campaign, period: Period, lines: Iterable[ProgressLine], on: dt.date
) -> tuple[bytes, int]:
    """The period's results; returns the bytes and the number of measures."""
    columns: list[Column] = [
        (_("No."), 6, "int"),
        (_("Agency"), 24, "text"),
        (_("Number in the plan"), 9, "center"),
        (_("Tasks, solutions"), 46, "text"),
        (_("Lead unit"), 20, "text"),
        (_("Completion time"), 18, "text"),
        (_("Completion deadline (date)"), 13, "date"),
        (_("Implementation status"), 20, "text"),
        (_("Result, product"), 34, "text"),
        (_("Reason for delay"), 28, "text"),
        (_("Proposed new time"), 16, "text"),
        (_("Proposed new date"), 13, "date"),
        (_("Days overdue"), 10, "int"),
    ]
    title = _("REPORT on the implementation of the remediation plan — {period}").format(
        period=printable(period.label)
    )
    out = io.BytesIO()
    w = _book(out, dt.UTC)  # dates only
    rows = (
        [
            k,
            line.agency,
            line.number,
            line.measure,
            line.lead,
            line.timeline,
            line.due,
            status_label(line.status, line.reported),
            line.result,
            line.reason,
            line.new_due_text,
            line.new_due,
            line.overdue or None,
        ]
        for k, line in enumerate(lines, start=1)
    )
    n = _sheet(
        w, _("Results"), [*_titles(campaign, title, on), printable(campaign.title)], columns, rows
    )
    w.book.close()
    return out.getvalue(), n


def proposals_xlsx(
    campaign: Campaign, proposals: Sequence[Proposal], on: dt.date, tz: dt.tzinfo
) -> tuple[bytes, int]:
    """Every proposal with its answer: by field, then by responsible department."""
    columns: list[Column] = [
        (_("No."), 7, "int"),
        (_("Field"), 22, "text"),
        (_("Proposing agency"), 24, "text"),
        (_("Proposal, obstacle"), 46, "text"),
        (_("Asked of"), 20, "text"),
        (_("Responsible department"), 20, "text"),
        (_("Filed on"), 12, "date"),
        (_("Answer due"), 12, "date"),
        (_("Status"), 16, "text"),
        (_("Answer"), 18, "text"),
        (_("Answer content"), 40, "text"),
        (_("Expected by"), 13, "date"),
        (_("Answered on"), 12, "date"),
        (_("Days overdue"), 10, "int"),
    ]

    def row(p: Proposal) -> list[Cell]:
        return [
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
    out = io.BytesIO()
    w = _book(out, tz)
    n = _sheet(w, _("By field"), titles, columns, (row(p) for p in by_field))
    _sheet(w, _("By department"), titles, columns, (row(p) for p in by_department))
    w.book.close()
    return out.getvalue(), n
