"""The consolidated plan as a Word document, in the layout of Nghị định 30/2020/NĐ-CP.

A4 landscape throughout (the table is wide, and the opening then flows on the first page),
Times New Roman, margins 20/20/30/15 mm; page numbers centred in the header from page 2; the
two-column heading (issuing body and consolidating agency; national motto and dated place line);
title; an opening that cites the directive; the table, its heading repeated on every page, one
block per agency (I, II, …), its shortcomings (1, 2, …: shortcoming, objective once, merged) and
measures (1.1, 1.2, …); the agencies without a plan, listed once; "Nơi nhận" and the signature.
A draft says "BẢN NHÁP" in the header of every page.

The table body is not built with python-docx: at 38,000 measures its objects take a gigabyte.
python-docx builds the skeleton with a marker row, and the rows' XML is streamed into the zip in
its place, one agency at a time.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from typing import Any
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor

from domain.campaign import Campaign
from domain.documents.model import ItemAnswer, MeasureLine, Section, Tally, roman
from domain.text import printable
from locales import _

FONT = "Times New Roman"
ROW_MARK = "@@kehoach-rows@@"
MISSING_MARK = "@@kehoach-missing@@"
# Landscape A4 minus margins of 30 and 15 mm: 252 mm. Objective and measures wide, STT and
# dates narrow.
# STT wide enough for "STT" and "VIII" in bold 12 pt, the time column for "28/02/2026" on one line
WIDTHS_MM = (15, 38, 44, 54, 25, 25, 25, 26)
CELL_MARGINS_MM = 2 * 1.91  # Word's default left and right cell margins (0.08")
PAGE_TEXT_MM = 252.0  # A4 landscape less the decree's margins (30 + 15 mm)
RED = RGBColor(0xC0, 0, 0)


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


def date_line(place: str, on: dt.date) -> str:
    return _("{place}, day {d} month {m} year {y}").format(
        place=place, d=f"{on.day:02d}", m=f"{on.month:02d}", y=on.year
    )


def opening(campaign: Campaign, consolidator: str) -> str:
    return _(
        "{cite} on the basis of the plans of the agencies, {consolidator} consolidates the "
        "plan as follows:"
    ).format(cite=citation(campaign), consolidator=consolidator)


def citation(campaign: Campaign) -> str:
    """'Thực hiện Công văn số …/UBND-… ngày … tháng … năm 2026 của UBND tỉnh Bắc Ninh về việc
    …,': the directive as known, a visible placeholder for what is not, never 'V/v' in a
    sentence."""
    d = campaign.directive
    number = d.number or "…/…-…"
    if d.date:
        when = _("day {d} month {m} year {y}").format(
            d=f"{d.date.day:02d}", m=f"{d.date.month:02d}", y=d.date.year
        )
    else:
        when = _("day … month … year {y}").format(y=campaign.deadlines.plans_due.year)
    subject = d.subject.strip()
    for prefix in ("V/v ", "v/v ", "V/V ", "Về việc ", "về việc "):
        subject = subject.removeprefix(prefix)
    return _("Pursuant to {kind} No. {number} dated {when} of {issuer} on {subject},").format(
        kind=d.kind, number=number, when=when, issuer=d.issuer, subject=subject.rstrip(".")
    )


# -- the skeleton (python-docx) ----------------------------------------------------------------


def _font(run: Any, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)


def _para(
    container: Any,
    text: str,
    *,
    size: float = 13,
    bold: bool = False,
    italic: bool = False,
    align: Any = WD_ALIGN_PARAGRAPH.CENTER,
    color: RGBColor | None = None,
    first: bool = False,
) -> Any:
    p = container.paragraphs[0] if first else container.add_paragraph()
    p.alignment = align
    p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.space_before = Pt(0)
    run = p.add_run(text)
    _font(run, size, bold, italic)
    if color is not None:
        run.font.color.rgb = color
    return p


# Times New Roman's advance widths, in thousandths of an em (bold a little wider): enough to size a
# rule to the text above it without a font file.
_NARROW, _CAPS, _LOWER, _SPACE = "ilIjtf.,;:'|!-()/", 0.70, 0.50, 0.25


def text_width_mm(text: str, size: float, *, bold: bool = False) -> float:
    """The printed width of a line of Times New Roman, estimated."""
    em = 0.0
    for ch in text:
        if ch == " ":
            em += _SPACE
        elif ch in _NARROW:
            em += 0.30
        elif ch.isupper():
            em += _CAPS
        else:
            em += _LOWER
    return em * (1.05 if bold else 1.0) * size * 25.4 / 72


def _rule(container: Any, length_mm: float, width_mm: float, *, first: bool = False) -> Any:
    """A real line (a paragraph's top border) of ``length_mm``, centred in ``width_mm``: the
    decree's rules under the agency's name, the motto and the trích yếu, whatever the font."""
    p = container.paragraphs[0] if first else container.add_paragraph()
    fmt = p.paragraph_format
    side = max(0.0, (width_mm - length_mm) / 2)
    fmt.left_indent, fmt.right_indent = Mm(side), Mm(side)
    fmt.space_before, fmt.space_after = Pt(1), Pt(0)
    fmt.line_spacing = Pt(4)
    borders = parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:top w:val="single" w:sz="6" w:space="1" w:color="000000"/>'
        "</w:pBdr>"
    )
    p._p.get_or_add_pPr().append(borders)
    return p


def _vietnamese(doc: Any) -> None:
    """Every run is Vietnamese (Word checks spelling in the text's language): the document
    defaults and the Normal style say vi-VN."""
    styles = doc.styles.element
    for rpr in (
        styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr")),
        doc.styles["Normal"].element.get_or_add_rPr(),
    ):
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        for attr in ("w:val", "w:eastAsia"):
            lang.set(qn(attr), "vi-VN")


def _grid(table: Any, widths_mm: tuple[float, ...]) -> None:
    """The table's grid agrees with its cells' widths (Word and LibreOffice lay it out alike)."""
    for col, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths_mm, strict=True):
        col.set(qn("w:w"), str(round(width * 1440 / 25.4)))


def _page_setup(section: Any) -> None:
    """A4 landscape with the margins of Nghị định 30/2020: top/bottom 20, left 30, right 15 mm."""
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)


def _page_number(paragraph: Any) -> None:
    run = OxmlElement("w:r")
    run.append(_rpr(13))
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run.append(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = " PAGE "
    run.append(instr)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run.append(end)
    paragraph._p.append(run)


def _headers(section: Any, draft: bool) -> None:
    """Page numbers centred at the top from page 2 (not on the first page, per Nghị định 30);
    "BẢN NHÁP" on every page of a draft."""
    section.different_first_page_header_footer = True
    header = section.header
    header.is_linked_to_previous = False
    p = header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _page_number(p)
    first = section.first_page_header
    first.is_linked_to_previous = False
    if draft:
        for container in (header, first):
            mark = _draft_mark()
            _para(container, mark, size=11, bold=True, color=RED, first=container is first)


def _draft_mark() -> str:
    return _("DRAFT — includes work not yet submitted; for reference only")


def _rpr(size: float, bold: bool = False) -> Any:
    fonts = " ".join(f'w:{a}="{FONT}"' for a in ("ascii", "hAnsi", "eastAsia", "cs"))
    half = round(size * 2)
    strong = "<w:b/><w:bCs/>" if bold else ""
    return parse_xml(
        f'<w:rPr {nsdecls("w")}><w:rFonts {fonts}/>{strong}<w:sz w:val="{half}"/>'
        f'<w:szCs w:val="{half}"/></w:rPr>'
    )


def _repeat_header(row: Any) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _cant_split(row: Any) -> None:
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))


def _skeleton(
    campaign: Campaign,
    on: dt.date,
    *,
    draft: bool,
    title: tuple[str, ...] = (),
    opening_text: str = "",
    heads: list[str] | None = None,
    widths: tuple[int, ...] = WIDTHS_MM,
    symbol: str = "",
    implementation: bool = True,
) -> bytes:
    """The document around the table (python-docx), with one marker row in the table. The
    plan's by default; another document gives its title lines, opening, headings, widths, its
    ký hiệu (``symbol``) and leaves out the plan's "Tổ chức thực hiện"."""
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(13)
    _vietnamese(doc)
    section = doc.sections[0]
    _page_setup(section)
    _headers(section, draft)
    cons = campaign.consolidator
    consolidator = campaign.agency(cons.agency).name

    heading = doc.add_table(rows=1, cols=2)
    heading.alignment = WD_TABLE_ALIGNMENT.CENTER
    heading.autofit = False
    left, right = heading.rows[0].cells
    left.width, right.width = Mm(100), Mm(150)
    _grid(heading, (100, 150))
    name = printable(consolidator).upper()
    _para(left, printable(cons.parent).upper(), size=13, first=True)
    _para(left, name, bold=True)
    _rule(left, min(90.0, text_width_mm(name, 13, bold=True)) / 3, 100)  # 1/3 of the name
    _para(left, _("No.: …/{symbol}").format(symbol=symbol or cons.document_symbol))
    motto = _("Independence - Freedom - Happiness")
    _para(right, _("SOCIALIST REPUBLIC OF VIET NAM"), size=13, bold=True, first=True)
    _para(right, motto, size=14, bold=True)
    _rule(right, text_width_mm(motto, 14, bold=True), 150)  # as long as the motto
    _para(right, date_line(printable(cons.place), on), size=14, italic=True)

    _para(doc, "")
    lines = [printable(line) for line in title or (campaign.report.title, campaign.report.summary)]
    for line in lines:
        _para(doc, line, size=14, bold=True)
    summary = min(PAGE_TEXT_MM, text_width_mm(lines[-1], 14, bold=True))
    _rule(doc, summary * 0.4, PAGE_TEXT_MM)  # 1/3 to 1/2 of the trích yếu's line
    p = _para(
        doc,
        opening_text or opening(campaign, printable(consolidator)),
        align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )
    p.paragraph_format.first_line_indent = Mm(10)
    p.paragraph_format.space_before = Pt(6)
    p.paragraph_format.space_after = Pt(6)

    heads = heads or columns()
    table = doc.add_table(rows=1, cols=len(heads))
    table.style = "Table Grid"
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    for cell, text, width in zip(table.rows[0].cells, heads, widths, strict=True):
        cell.width = Mm(width)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(cell.paragraphs[0].add_run(text), 12, bold=True)
    _repeat_header(table.rows[0])
    marker = table.add_row()
    marker.cells[0].paragraphs[0].add_run(ROW_MARK)

    after = _para(doc, MISSING_MARK, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    after.paragraph_format.space_before = Pt(6)
    after.paragraph_format.keep_with_next = True  # the signature never sits alone on a page
    if implementation:
        for paragraph in _implementation(campaign, doc, printable(consolidator)):
            paragraph.paragraph_format.keep_with_next = True
    _para(doc, "").paragraph_format.keep_with_next = True

    sign = doc.add_table(rows=1, cols=2)
    sign.autofit = False
    _cant_split(sign.rows[0])  # the signature block never breaks across pages
    left, right = sign.rows[0].cells
    left.width, right.width = Mm(120), Mm(130)
    _grid(sign, (120, 130))
    _para(left, _("Recipients:"), size=12, bold=True, italic=True, first=True,
          align=WD_ALIGN_PARAGRAPH.LEFT)  # fmt: skip
    for line in recipients(campaign):
        _para(left, line, size=11, align=WD_ALIGN_PARAGRAPH.LEFT)
    _para(right, printable(campaign.report.signer_title).upper(), size=14, bold=True, first=True)
    for _blank in range(5):  # room for the signature and the seal (no instruction printed)
        _para(right, "")
    name = printable(campaign.report.signer_name) or "……………………………"
    _para(right, name, size=14, bold=True)
    props = doc.core_properties
    props.language = "vi-VN"
    props.author = props.last_modified_by = printable(consolidator)
    props.title = printable(" ".join(lines))
    props.created = props.modified = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    props.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def implementation_text(campaign: Campaign, consolidator: str) -> list[str]:
    """The plan's "Tổ chức thực hiện": the campaign's paragraphs, or these."""
    if campaign.report.implementation:
        return [printable(t) for t in campaign.report.implementation]
    parent = printable(campaign.consolidator.parent)
    return [
        _(
            "The agencies named in this plan carry out their tasks and solutions on time and "
            "report their results to {consolidator} each period, for consolidation."
        ).format(consolidator=consolidator),
        _(
            "{consolidator} follows up, urges and consolidates the results and reports them to "
            "{parent}."
        ).format(consolidator=consolidator, parent=parent),
        _(
            "Difficulties met while carrying out the plan are reported promptly to {consolidator}, "
            "to be consolidated and put to the competent authority."
        ).format(consolidator=consolidator),
    ]


def _implementation(campaign: Campaign, doc: Any, consolidator: str) -> list[Any]:
    heading = _para(doc, _("IMPLEMENTATION"), size=14, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT)
    heading.paragraph_format.space_before = Pt(6)
    heading.paragraph_format.first_line_indent = Mm(10)
    out = [heading]
    for k, text in enumerate(implementation_text(campaign, consolidator), start=1):
        p = _para(doc, f"{k}. {text}", align=WD_ALIGN_PARAGRAPH.JUSTIFY)
        p.paragraph_format.first_line_indent = Mm(10)
        p.paragraph_format.space_after = Pt(3)
        out.append(p)
    return out


def recipients(campaign: Campaign) -> list[str]:
    """'Nơi nhận': each line ends with ';', the last ('Lưu: VT, …') with a full stop."""
    lines = [printable(r).rstrip(".;") for r in campaign.report.recipients]
    if lines and lines[-1].startswith("Lưu") and "," not in lines[-1]:
        lines[-1] += ", …"  # the drafting unit's initials, written by hand
    return [f"- {line}{'.' if k == len(lines) - 1 else ';'}" for k, line in enumerate(lines)]


# -- the table body, streamed ------------------------------------------------------------------

_RPR = {
    bold: (
        f'<w:rPr><w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" w:cs="{FONT}"/>'
        + ("<w:b/><w:bCs/>" if bold else "")
        + '<w:sz w:val="24"/><w:szCs w:val="24"/></w:rPr>'
    )
    for bold in (False, True)
}
_TWIPS = [round(w * 1440 / 25.4) for w in WIDTHS_MM]
# Rows are made from these templates: 38,000 measures are 300,000 cells, a few µs each at most.
_OPEN = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>' for w in _TWIPS]
_RESTART, _CONTINUE = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
_KEEP = "<w:trPr><w:cantSplit/></w:trPr>"  # a measure's row never splits across pages
_CENTER = '<w:pPr><w:jc w:val="center"/></w:pPr>'
_EMPTY = [f"{o}</w:tcPr><w:p/></w:tc>" for o in _OPEN]
_CONTINUED = [f"{o}{_CONTINUE}</w:tcPr><w:p/></w:tc>" for o in _OPEN]


@functools.lru_cache(maxsize=4096)  # unit names, timelines, outputs repeat from row to row
def _runs(text: str, bold: bool = False) -> str:
    if not text:
        return ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if "\n" in text:
        text = '</w:t><w:br/><w:t xml:space="preserve">'.join(text.split("\n"))
    return f'<w:r>{_RPR[bold]}<w:t xml:space="preserve">{text}</w:t></w:r>'


def _cell(col: int, text: str, *, merge: str = "", center: bool = False) -> str:
    if not text and not merge:
        return _EMPTY[col]
    return f"{_OPEN[col]}{merge}</w:tcPr><w:p>{_CENTER if center else ''}{_runs(text)}</w:p></w:tc>"


def _agency_row(numeral: str, name: str) -> str:
    span = sum(_TWIPS[1:])
    return (
        f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{_OPEN[0]}</w:tcPr><w:p>{_CENTER}"
        f'{_runs(numeral, True)}</w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="{span}" w:type="dxa"/>'
        f'<w:gridSpan w:val="{len(_TWIPS) - 1}"/></w:tcPr><w:p>{_runs(name.upper(), True)}'
        "</w:p></w:tc></w:tr>"
    )


def _item_rows(item: ItemAnswer) -> Iterator[str]:
    """The item's rows: its number, shortcoming and objective span its measures (merged)."""
    measures: tuple[MeasureLine | None, ...] = item.measures or (None,)
    for k, m in enumerate(measures):
        if k == 0:
            head = (
                _cell(0, item.number, merge=_RESTART, center=True)
                + _cell(1, item.text, merge=_RESTART)
                + _cell(2, item.objective, merge=_RESTART)
            )
        else:
            head = _CONTINUED[0] + _CONTINUED[1] + _CONTINUED[2]
        if m is None:
            tail = "".join(_EMPTY[3:])
        else:
            tail = (
                _cell(3, f"{m.number}. {m.content}")
                + _cell(4, m.lead)
                + _cell(5, m.partners)
                + _cell(6, m.timeline)
                + _cell(7, m.output)
            )
        yield f"<w:tr>{_KEEP}{head}{tail}</w:tr>"


def _body(sections: Iterable[Section], tally: Tally) -> Iterator[str]:
    for section in sections:
        if not section.printed:
            tally.missing.append(section.filing.name)
            continue
        tally.printed += 1
        yield _agency_row(roman(tally.printed), section.filing.name)
        for item in section.items:
            tally.measures += len(item.measures)
            yield from _item_rows(item)


def missing_text(tally: Tally, draft: bool) -> str:
    if not tally.missing:
        return ""
    if draft:
        head = _("Agencies that have not entered anything yet ({n}):")
    else:
        head = _("Agencies that have not submitted a plan ({n}):")
    return head.format(n=len(tally.missing)) + " " + "; ".join(tally.missing) + "."


def _splice(skeleton: bytes, body: Iterable[str], missing_after: Callable[[], str]) -> bytes:
    """The skeleton with the marker row replaced by ``body`` (streamed into the zip), then the
    marker paragraph by ``missing_after()`` (the agencies without a plan, known once the body is
    written), or removed when that is empty."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(skeleton)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst,
    ):
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename != "word/document.xml":
                dst.writestr(info, data)
                continue
            xml = data.decode("utf-8")
            at = xml.index(ROW_MARK)
            start = xml.rindex("<w:tr", 0, at)
            end = xml.index("</w:tr>", at) + len("</w:tr>")
            entry = zipfile.ZipInfo("word/document.xml", info.date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry._compresslevel = 1  # type: ignore[attr-defined]  # speed over a few bytes
            with dst.open(entry, "w") as fh:
                fh.write(xml[:start].encode("utf-8"))
                batch: list[str] = []
                for row in body:
                    batch.append(row)
                    if len(batch) >= 500:
                        fh.write("".join(batch).encode("utf-8"))
                        batch = []
                fh.write("".join(batch).encode("utf-8"))
                rest = xml[end:]
                missing = missing_after()
                if missing:
                    rest = rest.replace(MISSING_MARK, escape(missing), 1)
                else:  # no agency is missing: the empty paragraph goes
                    mark = rest.index(MISSING_MARK)
                    p_start = rest.rindex("<w:p>", 0, mark) if "<w:p>" in rest[:mark] else None
                    p_start = rest.rindex("<w:p", 0, mark) if p_start is None else p_start
                    p_end = rest.index("</w:p>", mark) + len("</w:p>")
                    rest = rest[:p_start] + rest[p_end:]
                fh.write(rest.encode("utf-8"))
    return out.getvalue()


def docx_bytes(
    campaign: Campaign, sections: Iterable[Section], on: dt.date, *, draft: bool = False
) -> tuple[bytes, Tally]:
    """The .docx, and what it holds (agencies printed, measures, agencies without a plan)."""
    tally = Tally()
    skeleton = _skeleton(campaign, on, draft=draft)
    body = _body(sections, tally)
    return _splice(skeleton, body, lambda: missing_text(tally, draft)), tally
