"""The period's results as a Word document, in the plan's layout (Nghị định 30/2020/NĐ-CP):
"BÁO CÁO Kết quả thực hiện kế hoạch khắc phục … quý I/2026".

The heading, the opening citing the directive, the table (one block per agency that submitted
its report, I, II, …; per measure its number, content, lead unit, the agency's own completion
time, status, result or product, reason for a delay and the new time proposed), the agencies
that have not reported listed once after it, "Nơi nhận" and the signature — the skeleton and the
streaming of ``domain.documents.word``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator

from domain.campaign import Campaign, Period
from domain.documents.model import ProgressLine, progress_label, roman
from domain.documents.word import _runs, _skeleton, _splice
from domain.text import printable
from locales import _

# Landscape A4 minus margins: 252 mm; the measure and its result wide.
WIDTHS_MM = (15, 62, 30, 28, 31, 52, 34)
_TWIPS = [round(w * 1440 / 25.4) for w in WIDTHS_MM]
_OPEN = [f'<w:tc><w:tcPr><w:tcW w:w="{w}" w:type="dxa"/>' for w in _TWIPS]
_CENTER = '<w:pPr><w:jc w:val="center"/></w:pPr>'


def columns() -> list[str]:
    return [
        _("No."),
        _("Tasks, solutions"),
        _("Lead unit"),
        _("Completion time"),
        _("Implementation status"),
        _("Result, product"),
        _("Reason for delay, proposed new time"),
    ]


@functools.lru_cache(maxsize=4096)
def _cell(col: int, text: str, center: bool = False) -> str:
    return f"{_OPEN[col]}</w:tcPr><w:p>{_CENTER if center else ''}{_runs(printable(text))}</w:p></w:tc>"


def _agency_row(numeral: str, name: str) -> str:
    span = sum(_TWIPS[1:])
    return (
        f"<w:tr><w:trPr><w:cantSplit/></w:trPr>{_OPEN[0]}</w:tcPr><w:p>{_CENTER}"
        f'{_runs(numeral, True)}</w:p></w:tc><w:tc><w:tcPr><w:tcW w:w="{span}" w:type="dxa"/>'
        f'<w:gridSpan w:val="{len(_TWIPS) - 1}"/></w:tcPr><w:p>'
        f"{_runs(printable(name).upper(), True)}</w:p></w:tc></w:tr>"
    )


def _measure_row(line: ProgressLine) -> str:
    delay = line.reason
    if line.new_due_text:
        proposed = _("proposed: {time}").format(time=line.new_due_text)
        delay = f"{delay}; {proposed}" if delay else proposed
    return (
        "<w:tr><w:trPr><w:cantSplit/></w:trPr>"  # a measure's row never splits across pages
        + _cell(0, line.number, True)
        + _cell(1, line.measure)
        + _cell(2, line.lead)
        + _cell(3, line.timeline)
        + _cell(4, progress_label(line.status, True))
        + _cell(5, line.result)
        + _cell(6, delay)
        + "</w:tr>"
    )


class _Count:
    def __init__(self) -> None:
        self.agencies = 0
        self.measures = 0
        self.missing: list[str] = []


def _body(lines: Iterable[ProgressLine], count: _Count) -> Iterator[str]:
    """Agencies keep the plan's numerals (I, II, … over every plan followed through): one that
    has not reported leaves its numeral unused rather than renumbering the others."""
    current = None
    numeral = 0
    for line in lines:
        if line.agency != current:
            current = line.agency
            numeral += 1
            if not line.reported:
                count.missing.append(printable(line.agency))
            else:
                count.agencies += 1
                yield _agency_row(roman(numeral), line.agency)
        if line.reported:
            count.measures += 1
            yield _measure_row(line)


def results_docx(
    campaign: Campaign, period: Period, lines: Iterable[ProgressLine], on: dt.date
) -> tuple[bytes, int]:
    """The .docx and the number of measures in it (agencies in campaign order, lines grouped)."""
    consolidator = printable(campaign.agency(campaign.consolidator.agency).name)
    summary = printable(campaign.report.summary).rstrip(".")
    subject = summary[:1].lower() + summary[1:]  # "Khắc phục …" inside a sentence
    plan = _(
        "Pursuant to Plan No. …/{symbol} dated … of {consolidator} on {subject}, on the basis "
        "of the agencies' reports, {consolidator} reports the results of {period} as follows:"
    )
    text = plan.format(
        symbol=campaign.consolidator.document_symbol,
        consolidator=consolidator,
        subject=subject,
        period=printable(period.label),
    )
    title = (  # one trích yếu: the plan's subject and the period, said once
        _("REPORT"),
        _("Results of the plan on {subject}, {period}").format(
            subject=subject, period=printable(period.label)
        ),
    )
    skeleton = _skeleton(
        campaign,
        on,
        draft=False,
        title=title,
        opening_text=text,
        heads=columns(),
        widths=WIDTHS_MM,
        symbol=campaign.consolidator.report_symbol or f"BC-{campaign.consolidator.agency}",
        implementation=False,
    )
    count = _Count()

    def missing() -> str:
        if not count.missing:
            return ""
        head = _("Agencies that have not submitted their report for {period} ({n}):").format(
            period=printable(period.label), n=len(count.missing)
        )
        return head + " " + "; ".join(count.missing) + "."

    return _splice(skeleton, _body(lines, count), missing), count.measures


__all__ = ["WIDTHS_MM", "results_docx"]
