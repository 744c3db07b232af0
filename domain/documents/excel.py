"""The consolidated plan as an Excel workbook: a sheet to sort and filter, a status sheet.

Every row is a whole measure (agency, numbering, shortcoming, objective, measure…) so that it can
be sorted and filtered; "Hạn hoàn thành (ngày)" is a real date. Every value a person typed is
written as text, never as a formula (``=HYPERLINK(…)`` typed as an answer stays text). Rows get a
height from their longest wrapped cell, which both Excel and LibreOffice honour. A4 landscape,
one page wide, heading repeated on each printed page. Written by XlsxWriter in constant-memory
mode: 38,000 rows without holding them.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Iterable
from typing import Any

import xlsxwriter

from domain.campaign import Campaign
from domain.documents.model import Filing, Section, Tally, roman, status_label
from domain.documents.word import date_line
from domain.text import printable
from locales import _

FONT = "Times New Roman"
# (title, width in characters, wrapped)
PLAN_COLUMNS = (
    ("STT", 6, False),
    ("agency", 24, True),
    ("number", 9, False),
    ("shortcoming", 40, True),
    ("objective", 40, True),
    ("measure", 48, True),
    ("lead", 22, True),
    ("partners", 26, True),
    ("timeline", 20, True),
    ("due", 13, False),
    ("recurring", 11, False),
    ("output", 26, True),
)
LINE_POINTS = 15.0  # one line of 12 pt text
MAX_ROW_POINTS = 409.0  # Excel's limit


def plan_headings() -> list[str]:
    names = {
        "STT": _("No."),
        "agency": _("Agency"),
        "number": _("Number in the plan"),
        "shortcoming": _("Shortcoming"),
        "objective": _("Objective"),
        "measure": _("Tasks, solutions"),
        "lead": _("Lead unit"),
        "partners": _("Coordinating units"),
        "timeline": _("Completion time"),
        "due": _("Completion deadline (date)"),
        "recurring": _("Recurring"),
        "output": _("Output, result"),
    }
    return [names[key] for key, _width, _wrap in PLAN_COLUMNS]


def _height(values: list[str]) -> float:
    """Row height from the longest wrapped text: lines = characters / column width, plus breaks."""
    lines = 1
    for (_key, width, wrap), value in zip(PLAN_COLUMNS, values, strict=True):
        if not wrap or not value:
            continue
        count = sum(max(1, math.ceil(len(part) * 1.1 / width)) for part in value.split("\n"))
        lines = max(lines, count)
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + 3)


class _Writer:
    def __init__(self, path: str, tz: dt.tzinfo) -> None:
        self.tz = tz
        self.book = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,  # what people typed is never a formula
                "strings_to_numbers": False,
                "strings_to_urls": False,
                "default_format_properties": {"font_name": FONT, "font_size": 12},
            },
        )
        base = {"font_name": FONT, "font_size": 12, "border": 1, "valign": "top"}
        self.text = self.book.add_format({**base, "text_wrap": True})
        self.plain = self.book.add_format(base)
        self.center = self.book.add_format({**base, "align": "center"})
        self.date = self.book.add_format({**base, "num_format": "dd/mm/yyyy", "align": "center"})
        self.stamp = self.book.add_format({**base, "num_format": "dd/mm/yyyy hh:mm"})
        self.head = self.book.add_format(
            {
                **base,
                "bold": True,
                "text_wrap": True,
                "align": "center",
                "valign": "vcenter",
                "bg_color": "#DDEBF7",
            }
        )
        self.title = self.book.add_format(
            {
                "font_name": FONT,
                "font_size": 14,
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "text_wrap": True,
            }
        )
        self.draft = self.book.add_format(
            {
                "font_name": FONT,
                "font_size": 13,
                "bold": True,
                "align": "center",
                "font_color": "#C00000",
            }
        )
        self.subtitle = self.book.add_format(
            {"font_name": FONT, "font_size": 12, "italic": True, "align": "center"}
        )

    def _print_setup(self, sheet: Any, header_row: int, columns: int) -> None:
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
        sheet.repeat_rows(header_row)
        sheet.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
        sheet.center_horizontally()
        sheet.set_footer("&C&P / &N")


def xlsx_bytes(
    campaign: Campaign,
    sections: Iterable[Section],
    on: dt.date,
    tz: dt.tzinfo,
    *,
    draft: bool = False,
) -> tuple[bytes, Tally]:
    """The .xlsx, and what it holds."""
    tally = Tally()
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        w = _Writer(path, tz)
        plan = w.book.add_worksheet(_("Plan"))
        status = w.book.add_worksheet(_("Submissions"))
        heads = plan_headings()
        last = len(heads) - 1
        for k, (_key, width, _wrap) in enumerate(PLAN_COLUMNS):
            plan.set_column(k, k, width)
        title = f"{printable(campaign.report.title)} {printable(campaign.report.summary)}"
        row = 0
        if draft:
            plan.set_row(row, 20)
            plan.merge_range(row, 0, row, last, _draft_mark(), w.draft)
            row += 1
        plan.set_row(row, 40)
        plan.merge_range(row, 0, row, last, title, w.title)
        row += 1
        consolidator = campaign.agency(campaign.consolidator.agency).name
        plan.merge_range(
            row,
            0,
            row,
            last,
            f"{printable(consolidator)} — {date_line(campaign.consolidator.place, on)}",
            w.subtitle,
        )
        row += 2
        header = row
        plan.set_row(row, 32)
        for k, text in enumerate(heads):
            plan.write_string(row, k, text, w.head)
        plan.freeze_panes(header + 1, 0)
        w._print_setup(plan, header, len(heads))

        labels = _status_headings()
        for k, width in enumerate((10, 36, 34, 8, 18, 10, 40)):
            status.set_column(k, k, width)
        status.set_row(0, 32)
        for k, text in enumerate(labels):
            status.write_string(0, k, text, w.head)
        status.freeze_panes(1, 0)
        w._print_setup(status, 0, len(labels))

        stt = 0
        srow = 1
        for section in sections:
            _status_row(w, status, srow, section.filing)
            srow += 1
            if not section.printed:
                tally.missing.append(section.filing.name)
                continue
            tally.printed += 1
            numeral = roman(tally.printed)
            agency = section.filing.name
            for item in section.items:
                for m in item.measures or (None,):
                    stt += 1
                    row += 1
                    values = [
                        agency,
                        f"{numeral}.{m.number}" if m else f"{numeral}.{item.number}",
                        item.text,
                        item.objective,
                        m.content if m else "",
                        m.lead if m else "",
                        m.partners if m else "",
                        m.timeline if m else "",
                        "",
                        (_("Yes") if m.recurring else "") if m else "",
                        m.output if m else "",
                    ]
                    plan.set_row(row, _height(["", *values]))
                    plan.write_number(row, 0, stt, w.center)
                    for k, value in enumerate(values, start=1):
                        if k == 9:
                            if m and m.due:
                                plan.write_datetime(
                                    row, k, dt.datetime(m.due.year, m.due.month, m.due.day), w.date
                                )
                            else:
                                plan.write_blank(row, k, None, w.date)
                        elif value:
                            plan.write_string(
                                row, k, value, w.text if PLAN_COLUMNS[k][2] else w.center
                            )
                        else:
                            plan.write_blank(row, k, None, w.text)
                    tally.measures += 1 if m else 0
        plan.autofilter(header, 0, max(row, header), last)
        status.autofilter(0, 0, max(srow - 1, 1), len(labels) - 1)
        w.book.close()
        with open(path, "rb") as fh:
            return fh.read(), tally
    finally:
        os.unlink(path)


def _draft_mark() -> str:
    return _("DRAFT — includes work not yet submitted; for reference only")


def _status_headings() -> list[str]:
    return [
        _("Code"),
        _("Agency"),
        _("Filing status"),
        _("Version"),
        _("Submitted at"),
        _("Days late"),
        _("Focal persons"),
    ]


def _status_row(w: _Writer, sheet: Any, row: int, f: Filing) -> None:
    sheet.write_string(row, 0, f.code, w.plain)
    sheet.write_string(row, 1, printable(f.name), w.text)
    sheet.write_string(row, 2, status_label(f.status), w.text)
    if f.version is not None:
        sheet.write_number(row, 3, f.version, w.center)
    else:
        sheet.write_blank(row, 3, None, w.center)
    if f.submitted_at is not None:  # a real date-time, in the campaign's time zone
        local = f.submitted_at.astimezone(w.tz).replace(tzinfo=None)
        sheet.write_datetime(row, 4, local, w.stamp)
    else:
        sheet.write_blank(row, 4, None, w.stamp)
    if f.late_days:
        sheet.write_number(row, 5, f.late_days, w.center)
    else:
        sheet.write_blank(row, 5, None, w.center)
    if f.focal:
        sheet.write_string(row, 6, printable(f.focal), w.text)
    else:
        sheet.write_blank(row, 6, None, w.text)
