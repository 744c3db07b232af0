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
import functools
import io
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from typing import Any

import xlsxwriter

from domain.campaign import Campaign
from domain.clarity import Checker, aspects
from domain.documents.model import (
    Filing,
    ItemAnswer,
    MeasureLine,
    Section,
    Tally,
    aspect_label,
    finding_label,
    roman,
    status_label,
)
from domain.documents.word import date_line
from domain.text import printable
from locales import _

FONT = "Times New Roman"
# (title, width in characters, wrapped)
# Widths sum to about 166 characters: printed one page wide on A4 landscape, that is a scale
# of about 76 %, so 12 pt text prints at 9 pt or more (``printed_points``).
PLAN_COLUMNS = (
    ("STT", 4, False),
    ("agency", 12, True),
    ("number", 9, False),  # "VIII.10.2" on one line
    ("shortcoming", 19, True),
    ("objective", 21, True),
    ("measure", 27, True),
    ("lead", 12, True),
    ("partners", 14, True),
    ("timeline", 12, True),
    ("due", 11, False),
    ("recurring", 9, True),
    ("output", 16, True),
)
FONT_POINTS = 12
MARGIN_INCHES = (0.4, 0.4)  # left, right


def printed_points(widths: Iterable[int], font: float = FONT_POINTS) -> float:
    """The size text prints at when a sheet of these column widths is fitted to the width of A4
    landscape within the margins. A width counts characters of the workbook's default font
    (Times New Roman 12: 8 px a digit at 96 dpi, and 5 px of padding) — measured: LibreOffice
    prints a sheet of 187 such characters at 66 %."""
    pixels = sum(8 * w + 5 for w in widths)
    printable = (297 / 25.4 - sum(MARGIN_INCHES)) * 96
    return font * min(1.0, printable / pixels)


# One line of 12 pt Times New Roman: Vietnamese letters stack two diacritics (ậ, ễ), and
# LibreOffice lays such lines out at about 15.6 pt; 16 leaves no line clipped in either.
LINE_POINTS = 16.0
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
        "recurring": _("Kind of task"),
        "output": _("Output, result"),
    }
    return [names[key] for key, _width, _wrap in PLAN_COLUMNS]


@functools.lru_cache(maxsize=16384)  # an item's shortcoming and objective repeat on each row
def _lines(text: str, width: int) -> int:
    """Lines a wrapped cell needs: its words laid out greedily on lines of the column's width
    (a little margin), a word longer than a line broken, plus line breaks."""
    cap = max(1, int(width))  # a Times New Roman 12 line holds about 1.1 characters a unit
    total = 0
    for part in text.split("\n"):
        lines, used = 1, 0
        for word in part.split():
            size = len(word)
            if used and used + 1 + size <= cap:
                used += 1 + size
            else:
                lines += 1 if used else 0
                used = size
            while used > cap:  # a word longer than a line
                lines += 1
                used -= cap
        total += lines
    return max(1, total)


_WRAPPED = [(k, width) for k, (_key, width, wrap) in enumerate(PLAN_COLUMNS) if wrap]
MAX_LINES = int((MAX_ROW_POINTS - 3) // LINE_POINTS)  # the lines a row can show
CONTINUED = "…"  # ends a piece of text continued in the row below, and opens the next piece


def pieces(text: str, width: int) -> list[str]:
    """Text too long for one row (Excel caps a row at 409 pt), cut between words into pieces
    that each fit a row; every piece but the last ends with "…", every one but the first opens
    with it. Nothing is left out: the pieces, read in order, are the text."""
    if _lines(text, width) <= MAX_LINES:
        return [text]
    out: list[str] = []
    rest = text
    while _lines(rest, width) > MAX_LINES - 1:
        cut = min(len(rest), int((MAX_LINES - 1) * width / 1.1))
        while cut > 1 and _lines(rest[:cut], width) > MAX_LINES - 1:
            cut = int(cut * 0.9)
        space = rest.rfind(" ", 0, cut)
        if space > cut // 2:
            cut = space
        out.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    out.append(rest)
    return [
        (CONTINUED + " " if k else "") + piece + (" " + CONTINUED if k < len(out) - 1 else "")
        for k, piece in enumerate(out)
    ]


def _height(values: list[str]) -> float:
    """Row height from the longest wrapped text (Excel and LibreOffice both honour it)."""
    lines = 1
    for k, width in _WRAPPED:
        value = values[k]
        if value:
            lines = max(lines, _lines(value, width))
    return min(MAX_ROW_POINTS, lines * LINE_POINTS + 3)


class _Writer:
    def __init__(self, out: io.BytesIO, tz: dt.tzinfo) -> None:
        self.tz = tz
        self.book = xlsxwriter.Workbook(
            out,
            {
                "in_memory": True,
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

    def print_setup(self, sheet: Any, header_row: int, *, draft: bool = False) -> None:
        sheet.set_landscape()
        sheet.set_paper(9)  # A4
        sheet.fit_to_pages(1, 0)  # one page wide, as many tall as needed
        sheet.repeat_rows(header_row)
        sheet.set_margins(left=MARGIN_INCHES[0], right=MARGIN_INCHES[1], top=0.6, bottom=0.6)
        sheet.center_horizontally()
        sheet.set_footer("&C&P / &N")
        if draft:  # every printed page says so, not only the first row
            mark = _draft_mark().replace("&", "&&")
            sheet.set_header(f'&C&"{FONT},Bold"&12&KC00000{mark}')


_LETTERS = [chr(ord("A") + k) for k in range(26)]  # column letters (tables are narrower)
_EPOCH = dt.datetime(1899, 12, 30)
STATUS_WIDTHS = (10, 36, 34, 8, 18, 10, 40)
REVIEW_COLUMNS = (
    ("STT", 4),
    ("agency", 12),
    ("number", 7),
    ("measure", 34),
    ("lead", 12),
    ("timeline", 12),
    ("output", 18),
    ("aspects", 14),
    ("found", 38),
)
_REVIEW_WRAPPED = [(k, width) for k, (key, width) in enumerate(REVIEW_COLUMNS) if k > 0]


def _review_headings() -> list[str]:
    names = {
        "STT": _("No."),
        "agency": _("Agency"),
        "number": _("Number in the plan"),
        "measure": _("Tasks, solutions"),
        "lead": _("Lead unit"),
        "timeline": _("Completion time"),
        "output": _("Output, result"),
        "aspects": _("To make clearer"),
        "found": _("What the review found"),
    }
    return [names[key] for key, _width in REVIEW_COLUMNS]


def _review_row(
    rs: list[str], row: int, stt: int, agency: str, number: str, m: MeasureLine, checker: Checker
) -> str | None:
    """The "6 rõ" review of one measure, or None when it leaves nothing unclear."""
    found = checker.review(
        agency=agency,
        content=m.content,
        lead=m.lead,
        partners=m.partners,
        timeline=m.timeline,
        has_date=m.due is not None,
        recurring=m.recurring,
        output=m.output,
    )
    if not found:
        return None
    values = [
        agency,
        number,
        m.content,
        m.lead,
        m.timeline,
        m.output,
        "\n".join(aspect_label(a) for a in aspects(found)),
        "\n".join("– " + finding_label(f) for f in found),
    ]
    lines = 1
    for k, width in _REVIEW_WRAPPED:
        if values[k - 1]:
            lines = max(lines, _lines(values[k - 1], width))
    height = min(MAX_ROW_POINTS, lines * LINE_POINTS + 3)
    cells = [f'<c r="A{row}" s="{rs[0]}"><v>{stt}</v></c>']
    for k, value in enumerate(values, start=1):
        ref = f"{_LETTERS[k]}{row}"
        cells.append(_s(ref, rs[k], value) if value else f'<c r="{ref}" s="{rs[k]}"/>')
    return (
        f'<row r="{row}" spans="1:{len(rs)}" ht="{height:g}" customHeight="1">'
        f"{''.join(cells)}</row>"
    )


@functools.lru_cache(maxsize=4096)
def _serial(value: dt.date | dt.datetime) -> str:
    """Excel's serial date (days since 1899-12-30; time as a fraction)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(microsecond=0) - _EPOCH
    return f"{delta.days + delta.seconds / 86400:.10f}".rstrip("0").rstrip(".")


@functools.lru_cache(maxsize=4096)
def _text(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _s(ref: str, style: str, text: str) -> str:
    """A text cell: an inline string, never a formula whatever it starts with."""
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t xml:space="preserve">{_text(text)}</t></is></c>'


def _skeleton(
    campaign: Campaign, on: dt.date, tz: dt.tzinfo, *, draft: bool
) -> tuple[bytes, int, int]:
    """Styles, print setup, title and headings by XlsxWriter, with one marker row in each sheet
    (whose cells carry each column's style); returns the bytes and the two marker rows."""
    buf = io.BytesIO()
    w = _Writer(buf, tz)
    plan = w.book.add_worksheet(_("Plan"))
    status = w.book.add_worksheet(_("Submissions"))
    review = w.book.add_worksheet(_("“6 rõ” review"))
    heads = plan_headings()
    last = len(heads) - 1
    for k, (_key, width, _wrap) in enumerate(PLAN_COLUMNS):
        plan.set_column(k, k, width)
    row = 0
    if draft:
        plan.set_row(row, 20)
        plan.merge_range(row, 0, row, last, _draft_mark(), w.draft)
        row += 1
    plan.set_row(row, 40)
    title = f"{printable(campaign.report.title)} {printable(campaign.report.summary)}"
    plan.merge_range(row, 0, row, last, title, w.title)
    row += 1
    consolidator = printable(campaign.agency(campaign.consolidator.agency).name)
    place = date_line(printable(campaign.consolidator.place), on)
    plan.merge_range(row, 0, row, last, f"{consolidator} — {place}", w.subtitle)
    row += 2
    header = row
    widths = [width for _key, width, _wrap in PLAN_COLUMNS]
    tallest = max(_lines(h, w) for h, w in zip(heads, widths, strict=True))
    plan.set_row(row, max(2, tallest) * LINE_POINTS + 4)  # "Số hiệu trong kế hoạch" whole
    for k, text in enumerate(heads):
        plan.write_string(row, k, text, w.head)
    marker = header + 1
    for k, (_key, _width, wrap) in enumerate(PLAN_COLUMNS):
        style = w.center if k in (0, 2, 10) else w.date if k == 9 else w.text if wrap else w.plain
        plan.write_string(marker, k, "@", style)
    plan.freeze_panes(header + 1, 0)
    plan.autofilter(header, 0, marker, last)
    w.print_setup(plan, header, draft=draft)

    labels = _status_headings()
    for k, width in enumerate(STATUS_WIDTHS):
        status.set_column(k, k, width)
    status.set_row(0, 32)
    for k, text in enumerate(labels):
        status.write_string(0, k, text, w.head)
    for k, style in enumerate((w.plain, w.text, w.text, w.center, w.stamp, w.center, w.text)):
        status.write_string(1, k, "@", style)
    status.freeze_panes(1, 0)
    status.autofilter(0, 0, 1, len(labels) - 1)
    w.print_setup(status, 0, draft=draft)

    for k, (_key, width) in enumerate(REVIEW_COLUMNS):
        review.set_column(k, k, width)
    review.set_row(0, 32)
    for k, text in enumerate(_review_headings()):
        review.write_string(0, k, text, w.head)
    for k, (key, _width) in enumerate(REVIEW_COLUMNS):
        review.write_string(1, k, "@", w.center if key in ("STT", "number") else w.text)
    review.freeze_panes(1, 0)
    review.autofilter(0, 0, 1, len(REVIEW_COLUMNS) - 1)
    w.print_setup(review, 0, draft=draft)
    w.book.close()
    return buf.getvalue(), marker + 1, 2  # rows as Excel numbers them (from 1)


def _styles(xml: str, row: int) -> tuple[str, str, str]:
    """The marker row: the XML before it, its cells' styles by column, the XML after it."""
    start = xml.index(f'<row r="{row}"')
    end = xml.index("</row>", start) + len("</row>")
    styles = dict(re.findall(r'<c r="([A-Z]+)\d+" s="(\d+)"', xml[start:end]))
    return xml[:start], ",".join(styles[c] for c in sorted(styles)), xml[end:]


def xlsx_bytes(
    campaign: Campaign,
    sections: Iterable[Section],
    on: dt.date,
    tz: dt.tzinfo,
    *,
    draft: bool = False,
) -> tuple[bytes, Tally]:
    """The .xlsx, and what it holds. Rows are streamed into XlsxWriter's skeleton: at 38,000
    measures a library writing cell by cell takes many seconds."""
    tally = Tally()
    skeleton, first, status_first = _skeleton(campaign, on, tz, draft=draft)
    src = zipfile.ZipFile(io.BytesIO(skeleton))
    names = {i.filename: i for i in src.infolist()}
    head1, plan_styles, tail1 = _styles(src.read("xl/worksheets/sheet1.xml").decode(), first)
    head2, status_styles, tail2 = _styles(
        src.read("xl/worksheets/sheet2.xml").decode(), status_first
    )
    head3, review_styles, tail3 = _styles(src.read("xl/worksheets/sheet3.xml").decode(), 2)
    ps = plan_styles.split(",")
    ss = status_styles.split(",")
    rs = review_styles.split(",")
    checker = campaign.checker
    out = io.BytesIO()
    status_rows: list[str] = []
    review_rows: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        entry = zipfile.ZipInfo(
            "xl/worksheets/sheet1.xml", names["xl/worksheets/sheet1.xml"].date_time
        )
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry._compresslevel = 1  # type: ignore[attr-defined]
        row = first - 1
        srow = status_first - 1
        # the rows go to a spooled file first: the sheet's <dimension>, which readers such as
        # openpyxl in read-only mode (pandas) trust, precedes them and must name the last row
        with tempfile.SpooledTemporaryFile(max_size=8 << 20) as fh:
            batch: list[str] = []
            stt = 0
            for section in sections:
                srow += 1
                status_rows.append(_status_row(ss, srow, section.filing, tz))
                if not section.printed:
                    tally.missing.append(section.filing.name)
                    continue
                tally.printed += 1
                numeral = roman(tally.printed)
                agency = section.filing.name
                for item in section.items:
                    for m in item.measures or (None,):
                        stt += 1
                        written = _plan_row(ps, row + 1, stt, numeral, agency, item, m)
                        row += len(written)
                        batch += written
                        if m is not None:
                            tally.measures += 1
                            reviewed = _review_row(
                                rs,
                                len(review_rows) + 2,
                                len(review_rows) + 1,
                                agency,
                                f"{numeral}.{m.number}",
                                m,
                                checker,
                            )
                            if reviewed is not None:
                                review_rows.append(reviewed)
                if len(batch) >= 500:
                    fh.write("".join(batch).encode())
                    batch = []
            fh.write("".join(batch).encode())
            fh.seek(0)
            with dst.open(entry, "w") as sheet:
                sheet.write(_dimension(head1, first - 1, row, len(PLAN_COLUMNS)).encode())
                shutil.copyfileobj(fh, sheet, 1 << 20)
                sheet.write(_patch_ranges(tail1, first - 1, row, len(PLAN_COLUMNS)).encode())
        body2 = (
            _dimension(head2, 1, srow, len(ss))
            + "".join(status_rows)
            + _patch_ranges(tail2, 1, srow, len(ss))
        )
        dst.writestr(names["xl/worksheets/sheet2.xml"], body2)
        rrow = len(review_rows) + 1
        body3 = (
            _dimension(head3, 1, rrow, len(rs))
            + "".join(review_rows)
            + _patch_ranges(tail3, 1, rrow, len(rs))
        )
        dst.writestr(names["xl/worksheets/sheet3.xml"], body3)
        for name, info in names.items():
            if name.startswith("xl/worksheets/sheet"):
                continue
            data = src.read(name)
            if name == "xl/workbook.xml":  # the filters' ranges end at the last row now
                data = _patch_filters(data.decode(), (row, srow, rrow)).encode()
            dst.writestr(info, data)
    return out.getvalue(), tally


def _patch_filters(workbook: str, last_rows: tuple[int, ...]) -> str:
    """The defined names of the filters (sheet 1's, then sheet 2's) end at the last rows."""
    ends = iter(last_rows)
    return re.sub(
        r"(_xlnm\._FilterDatabase[^>]*>[^<]*?\$A\$\d+:\$[A-Z]+\$)\d+",
        lambda m: m[1] + str(next(ends)),
        workbook,
    )


def _dimension(head: str, header_row: int, last_row: int, columns: int) -> str:
    """The sheet's <dimension> (before its rows) spans every row written."""
    end = f"{_LETTERS[columns - 1]}{max(last_row, header_row)}"
    return re.sub(r'<dimension ref="[A-Z]+\d+(?::[A-Z]+\d+)?"', f'<dimension ref="A1:{end}"', head)


def _patch_ranges(tail: str, header_row: int, last_row: int, columns: int) -> str:
    """The sheet's dimension and filter range end at the last row written."""
    end = f"{_LETTERS[columns - 1]}{max(last_row, header_row)}"
    tail = re.sub(r'<autoFilter ref="([A-Z]+\d+):[A-Z]+\d+"', rf'<autoFilter ref="\1:{end}"', tail)
    return tail


def _plan_row(
    ps: list[str],
    row: int,
    stt: int,
    numeral: str,
    agency: str,
    item: ItemAnswer,
    m: MeasureLine | None,
) -> list[str]:
    """The measure's row, and rows continuing its longest texts when one row cannot show them
    (the agency and number repeated, so that filtering keeps them together; no STT of their
    own: they are not another measure)."""
    if m is None:
        values = [agency, f"{numeral}.{item.number}", item.text, item.objective, *[""] * 7]
    else:
        values = [
            agency,
            f"{numeral}.{m.number}",
            item.text,
            item.objective,
            m.content,
            m.lead,
            m.partners,
            m.timeline,
            "",
            _("Recurring") if m.recurring else "",
            m.output,
        ]
    cut = {k: pieces(values[k - 1], width) for k, width in _WRAPPED if values[k - 1]}
    extra = max((len(p) for p in cut.values()), default=1)
    if extra == 1:
        return [_plan_xml(ps, row, stt, values, m)]
    out = []
    for i in range(extra):
        part = [
            v
            if k <= 2 or (i == 0 and k not in cut)  # the agency and number on every row
            else (cut[k][i] if i < len(cut[k]) else "")
            if k in cut
            else ""
            for k, v in enumerate(values, start=1)
        ]
        out.append(_plan_xml(ps, row + i, stt if i == 0 else None, part, m if i == 0 else None))
    return out


def _plan_xml(
    ps: list[str], row: int, stt: int | None, values: list[str], m: MeasureLine | None
) -> str:
    """One row's XML; a row continuing the one above has no STT of its own."""
    height = _height(["", *values])
    number = f"<v>{stt}</v>" if stt is not None else ""
    cells = [f'<c r="A{row}" s="{ps[0]}">{number}</c>']
    for k, value in enumerate(values, start=1):
        ref = f"{_LETTERS[k]}{row}"
        if k == 9 and m is not None and m.due is not None:
            cells.append(f'<c r="{ref}" s="{ps[k]}"><v>{_serial(m.due)}</v></c>')
        elif value:
            cells.append(_s(ref, ps[k], value))
        else:
            cells.append(f'<c r="{ref}" s="{ps[k]}"/>')
    return f'<row r="{row}" spans="1:{len(ps)}" ht="{height:g}" customHeight="1">{"".join(cells)}</row>'


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


def _status_row(ss: list[str], row: int, f: Filing, tz: dt.tzinfo) -> str:
    cells = [
        _s(f"A{row}", ss[0], f.code),
        _s(f"B{row}", ss[1], printable(f.name)),
        _s(f"C{row}", ss[2], status_label(f.status)),
        f'<c r="D{row}" s="{ss[3]}"><v>{f.version}</v></c>'
        if f.version is not None
        else f'<c r="D{row}" s="{ss[3]}"/>',
    ]
    if f.submitted_at is not None:  # a real date-time, in the campaign's time zone
        local = f.submitted_at.astimezone(tz).replace(tzinfo=None)
        cells.append(f'<c r="E{row}" s="{ss[4]}"><v>{_serial(local)}</v></c>')
    else:
        cells.append(f'<c r="E{row}" s="{ss[4]}"/>')
    cells.append(
        f'<c r="F{row}" s="{ss[5]}"><v>{f.late_days}</v></c>'
        if f.late_days
        else f'<c r="F{row}" s="{ss[5]}"/>'
    )
    cells.append(
        _s(f"G{row}", ss[6], printable(f.focal)) if f.focal else f'<c r="G{row}" s="{ss[6]}"/>'
    )
    return f'<row r="{row}" spans="1:7">{"".join(cells)}</row>'
