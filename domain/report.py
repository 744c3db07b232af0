"""The consolidated plan as documents: .docx in the layout of Nghị định 30/2020/NĐ-CP, and .xlsx.

Input is the campaign and, per agency, the plan to print (the latest submitted snapshot, or the
current draft when asked for a draft view). Output is bytes; nothing here touches disk or network.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape as xml_escape

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill
from openpyxl.utils import get_column_letter

from domain.campaign import Campaign
from domain.model import Agency, Measure, Plan
from locales import _, fmt_date

FONT = "Times New Roman"
RULE = "─" * 8


@dataclass(frozen=True)
class Entry:
    """One agency in the report: the plan printed (None: nothing submitted), and its status."""

    agency: Agency
    plan: Plan | None
    version: int | None = None
    submitted_at: dt.datetime | None = None
    late_days: int = 0
    status: str = ""
    focal: str = ""


@dataclass(frozen=True)
class Row:
    number: str
    item: str
    agency: str
    objective: str
    measure: Measure | None


def columns() -> list[str]:
    return [
        _("No."),
        _("Shortcoming"),
        _("Objective"),
        _("Tasks, solutions"),
        _("Lead unit"),
        _("Coordinating units"),
        _("Completion time"),
        _("Output, result"),
    ]


def rows(campaign: Campaign, entries: Sequence[Entry]) -> list[Row]:
    """One row per measure, shortcomings in the directive's order; a row for a missing plan."""
    by_code = {e.agency.code: e for e in entries}
    out: list[Row] = []
    for number, (key, item) in enumerate(campaign.keyed_items(), start=1):
        for code in item.agencies:
            entry = by_code.get(code)
            name = entry.agency.name if entry else campaign.agency(code).name
            answer = None
            if entry and entry.plan:
                answer = next((s for s in entry.plan.shortcomings if s.key == key), None)
            if answer is None or not answer.measures:
                out.append(Row(str(number), item.text, name, _("(no plan submitted)"), None))
                continue
            for m in answer.measures:
                out.append(Row(str(number), item.text, name, answer.objective or "", m))
    return out


def _timeline(m: Measure) -> str:
    text = m.timeline or ""
    if m.due_date:
        text += "\n" + _("(due {date})").format(date=fmt_date(m.due_date))
    return text


def _cells(row: Row) -> list[str]:
    m = row.measure
    item = f"{row.item}\n({row.agency})"
    if m is None:
        return [row.number, item, row.objective, "", "", "", "", ""]
    partners = ", ".join(m.partners or ())
    return [
        row.number,
        item,
        row.objective,
        m.content,
        m.lead_unit or "",
        partners,
        _timeline(m),
        m.output or "",
    ]


# -- Word ----------------------------------------------------------------------------------------


def _font(run: object, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    r = run  # a docx Run
    r.font.name = FONT  # type: ignore[attr-defined]
    r.font.size = Pt(size)  # type: ignore[attr-defined]
    r.font.bold = bold  # type: ignore[attr-defined]
    r.font.italic = italic  # type: ignore[attr-defined]
    rpr = r._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _para(
    container: object,
    text: str,
    *,
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
    align: object = WD_ALIGN_PARAGRAPH.CENTER,
    color: RGBColor | None = None,
) -> object:
    p = container.add_paragraph()  # type: ignore[attr-defined]
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    run = p.add_run(text)
    _font(run, size, bold, italic)
    if color is not None:
        run.font.color.rgb = color
    return p


def _rpr(size: float) -> object:
    """A run format (Times New Roman in every script, ``size`` pt) to copy into many runs:
    python-docx's font setters cost about half a millisecond per run."""
    fonts = " ".join(f'w:{a}="{FONT}"' for a in ("ascii", "hAnsi", "eastAsia", "cs"))
    half_points = round(size * 2)
    return parse_xml(
        f'<w:rPr {nsdecls("w")}><w:rFonts {fonts}/><w:sz w:val="{half_points}"/>'
        f'<w:szCs w:val="{half_points}"/></w:rPr>'
    )


def _write(paragraph: object, text: str, rpr: object) -> None:
    """Append a run with ``text`` (line breaks kept) and a copy of ``rpr`` to a w:p element."""
    r = OxmlElement("w:r")
    r.append(copy.deepcopy(rpr))
    for i, line in enumerate(text.split("\n")):
        if i:
            r.append(OxmlElement("w:br"))
        t = OxmlElement("w:t")
        t.text = line
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
    paragraph.append(r)  # type: ignore[attr-defined]


MERGED = (0, 1, 2)
MARKER = "@@kehoach-rows@@"
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RPR_12 = (
    f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
    '<w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>'
)


def _run_xml(text: str) -> str:
    lines = _INVALID_XML.sub("", text).split("\n")
    body = "<w:br/>".join(f'<w:t xml:space="preserve">{xml_escape(line)}</w:t>' for line in lines)
    return f"<w:r>{_RPR_12}{body}</w:r>"


def _body_rows(table_rows: list[Row], twips: list[int]) -> Iterator[str]:
    """The XML of each body row: one per measure, merged cells as Word stores them."""
    previous: tuple[str, str] | None = None
    for row in table_rows:
        current = (row.number, row.agency)
        continued = current == previous
        cells = []
        for col, (text, width) in enumerate(zip(_cells(row), twips, strict=True)):
            merge = ""
            if col in MERGED:  # shortcoming and objective span the rows of their measures
                merge = "<w:vMerge/>" if continued else '<w:vMerge w:val="restart"/>'
            content = "" if (col in MERGED and continued) or not text else _run_xml(text)
            cells.append(
                f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{merge}</w:tcPr>'
                f"<w:p>{content}</w:p></w:tc>"
            )
        previous = current
        yield f"<w:tr>{''.join(cells)}</w:tr>"


def _splice(skeleton: bytes, body: Iterable[str]) -> bytes:
    """Rewrite the .docx with the marker row of word/document.xml replaced by ``body``."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename != "word/document.xml":
                dst.writestr(item, data)
                continue
            xml = data.decode("utf-8")
            at = xml.index(MARKER)
            start = (
                xml.rindex("<w:tr>", 0, at) if "<w:tr>" in xml[:at] else xml.rindex("<w:tr ", 0, at)
            )
            end = xml.index("</w:tr>", at) + len("</w:tr>")
            info = zipfile.ZipInfo("word/document.xml", item.date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            with dst.open(info, "w") as fh:
                fh.write(xml[:start].encode("utf-8"))
                batch: list[str] = []
                for row in body:
                    batch.append(row)
                    if len(batch) == 500:
                        fh.write("".join(batch).encode("utf-8"))
                        batch = []
                fh.write("".join(batch).encode("utf-8"))
                fh.write(xml[end:].encode("utf-8"))
    return out.getvalue()  # STT, shortcoming, objective span the rows of their measures


def _vmerge(tc: object, *, restart: bool) -> None:
    el = OxmlElement("w:vMerge")
    if restart:
        el.set(qn("w:val"), "restart")
    tc.get_or_add_tcPr().append(el)  # type: ignore[attr-defined]


def _repeat_header(row: object) -> None:
    tr_pr = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _page(section: object, *, landscape: bool) -> None:
    """A4 with the margins of Nghị định 30/2020: top/bottom 20 mm, left 30 mm, right 15 mm."""
    s = section
    s.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT  # type: ignore[attr-defined]
    width, height = (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    s.page_width, s.page_height = width, height  # type: ignore[attr-defined]
    s.top_margin, s.bottom_margin = Mm(20), Mm(20)  # type: ignore[attr-defined]
    s.left_margin, s.right_margin = Mm(30), Mm(15)  # type: ignore[attr-defined]


def date_line(place: str, on: dt.date) -> str:
    return _("{place}, day {d} month {m} year {y}").format(
        place=place, d=f"{on.day:02d}", m=f"{on.month:02d}", y=on.year
    )


def docx_bytes(
    campaign: Campaign, entries: Sequence[Entry], on: dt.date, *, draft: bool = False
) -> bytes:
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    normal.element.get_or_add_rPr()
    _page(doc.sections[0], landscape=False)
    cons = campaign.consolidator
    consolidator = campaign.agency(cons.agency).name

    header = doc.add_table(rows=1, cols=2)
    header.alignment = WD_TABLE_ALIGNMENT.CENTER
    header.autofit = False
    left, right = header.rows[0].cells
    header.columns[0].width, header.columns[1].width = Mm(65), Mm(100)
    left.width, right.width = Mm(65), Mm(100)
    left.paragraphs[0].text = ""
    _font(left.paragraphs[0].add_run(cons.parent.upper()), 13)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _para(left, consolidator.upper(), bold=True)
    _para(left, RULE, size=8)
    _para(left, _("No.: .../{symbol}").format(symbol=cons.document_symbol))
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(right.paragraphs[0].add_run(_("SOCIALIST REPUBLIC OF VIET NAM")), 12, bold=True)
    _para(right, _("Independence - Freedom - Happiness"), size=13, bold=True)
    _para(right, RULE * 2, size=8)
    _para(right, date_line(cons.place, on), italic=True)

    _para(doc, "")
    if draft:
        _para(
            doc,
            _("DRAFT — includes work not yet submitted; for reference only"),
            bold=True,
            color=RGBColor(0xC0, 0, 0),
        )
    _para(doc, campaign.report.title, size=14, bold=True)
    _para(doc, campaign.report.summary, size=14, bold=True)
    _para(doc, RULE, size=8)
    d = campaign.directive
    cite = (
        _("Pursuant to {kind} {number} of {issuer} {subject},")
        .format(
            kind=d.kind,
            number=(_("No. {number}").format(number=d.number) if d.number else "").strip(),
            issuer=d.issuer,
            subject=d.subject,
        )
        .replace("  ", " ")
    )
    opening = _(
        "{cite} on the basis of the plans of the agencies, {consolidator} consolidates the "
        "plan as follows:"
    ).format(cite=cite, consolidator=consolidator)
    p = _para(doc, opening, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    p.paragraph_format.first_line_indent = Mm(10)  # type: ignore[attr-defined]
    p.paragraph_format.space_before = Pt(6)  # type: ignore[attr-defined]

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(section, landscape=True)
    heads = columns()
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    table.autofit = False
    widths = [Mm(12), Mm(45), Mm(35), Mm(50), Mm(25), Mm(28), Mm(25), Mm(28)]  # 248 mm
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for cell, text, width in zip(table.rows[0].cells, heads, widths, strict=True):
        cell.width = width
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), 12, bold=True)
    _repeat_header(table.rows[0])
    # Rows are built from their own w:tc elements, and merges are written as Word stores them
    # (w:vMerge restart/continue): table.cell() rebuilds the whole grid on every call, which
    # makes a 38,000-row table quadratic.
    # The body rows are not built with python-docx: at 38,000 measures its objects take more than
    # a gigabyte and twenty seconds. A marker row stands in for them, and save() streams their XML
    # into the zip in its place.
    marker = table.add_row()
    _write(marker.cells[0]._tc.p_lst[0], MARKER, _rpr(12))
    twips = [int(w.twips) for w in widths]
    tail = doc.add_section(WD_SECTION.NEW_PAGE)
    _page(tail, landscape=False)
    missing = [e for e in entries if e.plan is None and e.status]
    if missing:
        _para(
            doc,
            _("Agencies that have not submitted a plan:"),
            bold=True,
            align=WD_ALIGN_PARAGRAPH.LEFT,
        )
        for e in missing:
            _para(doc, f"- {e.agency.name}", align=WD_ALIGN_PARAGRAPH.LEFT)
        _para(doc, "")
    sign = doc.add_table(rows=1, cols=2)
    left, right = sign.rows[0].cells
    left.paragraphs[0].text = ""
    _font(left.paragraphs[0].add_run(_("Recipients:")), 12, bold=True, italic=True)
    for recipient in campaign.report.recipients:
        _para(left, f"- {recipient};", size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(right.paragraphs[0].add_run(campaign.report.signer_title), 13, bold=True)
    for _i in range(3):
        _para(right, "")
    _para(right, campaign.report.signer_name, bold=True)

    skeleton = io.BytesIO()
    doc.save(skeleton)
    return _splice(skeleton.getvalue(), _body_rows(rows(campaign, entries), twips))


# -- Excel ---------------------------------------------------------------------------------------


def _styled(ws: object, value: object, style: str) -> object:
    cell = WriteOnlyCell(ws, value)
    cell.style = style
    return cell


WIDTHS = [6, 45, 35, 50, 22, 28, 20, 28]


def xlsx_bytes(
    campaign: Campaign, entries: Sequence[Entry], on: dt.date, *, draft: bool = False
) -> bytes:
    """Written in openpyxl's write-only (streaming) mode: 38,000 rows in a few seconds."""
    wb = Workbook(write_only=True)
    head = NamedStyle(
        "kh-head",
        font=Font(name=FONT, bold=True),
        alignment=Alignment(wrap_text=True, vertical="center", horizontal="center"),
        fill=PatternFill("solid", fgColor="DDEBF7"),
    )
    body = NamedStyle(
        "kh-body", font=Font(name=FONT), alignment=Alignment(wrap_text=True, vertical="top")
    )
    for style in (head, body):
        wb.add_named_style(style)
    ws = wb.create_sheet(_("Plan"))
    for i, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    header = 3
    ws.freeze_panes = f"A{header + 1}"
    title = f"{campaign.report.title} {campaign.report.summary}"
    if draft:
        title = _("DRAFT — includes work not yet submitted; for reference only") + " — " + title
    first = WriteOnlyCell(ws, title)
    first.font = Font(name=FONT, bold=True, size=13, color="C00000" if draft else "000000")
    ws.append([first])
    ws.append([date_line(campaign.consolidator.place, on)])
    ws.append([_styled(ws, text, "kh-head") for text in columns()])
    count = 0
    for row in rows(campaign, entries):
        ws.append([_styled(ws, value, "kh-body") for value in _cells(row)])
        count += 1
    ws.auto_filter.ref = f"A{header}:{get_column_letter(len(WIDTHS))}{header + count}"

    st = wb.create_sheet(_("Status"))
    for i, width in enumerate([10, 36, 34, 9, 18, 10, 40], start=1):
        st.column_dimensions[get_column_letter(i)].width = width
    st.freeze_panes = "A2"
    labels = [
        _("Code"),
        _("Agency"),
        _("Status"),
        _("Version"),
        _("Submitted at"),
        _("Days late"),
        _("Focal persons"),
    ]
    st.append([_styled(st, text, "kh-head") for text in labels])
    for e in entries:
        st.append(
            [
                e.agency.code,
                e.agency.name,
                e.status,
                e.version,
                e.submitted_at.strftime("%H:%M %d/%m/%Y") if e.submitted_at else None,
                e.late_days or None,
                e.focal,
            ]
        )
    st.auto_filter.ref = f"A1:G{len(entries) + 1}"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
