"""A period's progress report as a table: the agency's template (.xlsx) listing every measure of
its submitted plan still to report on, and reading it back once filled.

Sheet «Tiến độ»: one row per measure — its number, content, lead unit and due date (locked),
then the columns the agency fills: status (a drop-down of the four statuses), result or product,
reason for a delay, proposed new date. A hidden column holds the measure's id; the very hidden
sheet names the campaign, the agency and the period. What is stored is filled in, so the
template is also the way to edit. Reading applies the chat's rules of the period: a result for
a measure done, a reason and a date still ahead for one behind schedule.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from domain import text as limits
from domain.campaign import Campaign, Period
from domain.model import Measure, Plan
from domain.plan_table import Problem, bounded, cell_text
from domain.progress import Entry, Progress, Report, explains_delay
from domain.templates import (
    KIND_PROGRESS,
    MARK,
    META_SHEET,
    PROGRESS_SHEET,
    Formats,
    write_meta,
)
from domain.text import fold, meaningful, printable
from domain.timeline import TimelineError, parse_timeline, reason_text
from locales import _, fmt_date

HEADER_ROW = 4
FIRST_ROW = HEADER_ROW + 1
STATUS_LABELS = {  # the directive's wording, in the template whatever the person's language
    Progress.DONE: "Đã hoàn thành",
    Progress.ON_TRACK: "Đang thực hiện – đúng tiến độ",
    Progress.LATE: "Đang thực hiện – chậm tiến độ",
    Progress.NOT_STARTED: "Chưa thực hiện",
}
_STATUS_KEYS = {fold(label).replace("–", "-"): s for s, label in STATUS_LABELS.items()} | {
    "hoan thanh": Progress.DONE,
    "da xong": Progress.DONE,
    "dung tien do": Progress.ON_TRACK,
    "dang thuc hien": Progress.ON_TRACK,
    "cham tien do": Progress.LATE,
    "cham": Progress.LATE,
    "chua thuc hien": Progress.NOT_STARTED,
}
COLUMNS = (
    ("number", "Số hiệu", 8),
    ("content", "Nhiệm vụ, giải pháp", 44),
    ("lead", "Đơn vị chủ trì", 20),
    ("due", "Hạn hoàn thành", 14),
    ("status", "Tình trạng", 24),
    ("result", "Kết quả, sản phẩm", 32),
    ("reason", "Lý do chậm", 28),
    ("new_due", "Thời gian hoàn thành mới (đề xuất)", 20),
    ("key", "Mã", 8),
)
COL = {key: k for k, (key, _h, _w) in enumerate(COLUMNS)}
FILLED = ("status", "result", "reason", "new_due")


def heading(key: str) -> str:
    return next(h for k, h, _w in COLUMNS if k == key)


def progress_template_xlsx(
    campaign: Campaign,
    plan: Plan,
    period: Period,
    report: Report,
    todo: Sequence[tuple[int, Measure]],
    made: dt.datetime,
) -> bytes:
    out = io.BytesIO()
    import xlsxwriter  # only when a workbook is written (start-up, #19)

    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties(
        {
            "title": f"Mẫu báo cáo tiến độ {printable(period.label)} — {printable(plan.agency.name)}",
            "author": "kehoach-bot",
            "keywords": f"{MARK} {KIND_PROGRESS} {campaign.code} {plan.agency.code} {period.key}",
        }
    )
    f = Formats(book)
    sheet = book.add_worksheet(PROGRESS_SHEET)
    meta = book.add_worksheet(META_SHEET)
    write_meta(
        meta,
        campaign.code,
        plan.agency.code,
        KIND_PROGRESS,
        made,
        list(STATUS_LABELS.values()),
        period.key,
    )
    for k, (key, _h, width) in enumerate(COLUMNS):
        sheet.set_column(k, k, width, None, {"hidden": key == "key"})
    last = len(COLUMNS) - 2
    sheet.merge_range(
        0, 0, 0, last, f"BÁO CÁO TIẾN ĐỘ THỰC HIỆN KẾ HOẠCH — {printable(period.label)}", f.title
    )
    sheet.merge_range(1, 0, 1, last, printable(plan.agency.name), f.title)
    sheet.merge_range(
        2,
        0,
        2,
        last,
        f"Hạn gửi báo cáo: {period.due:%d/%m/%Y}. Chọn tình trạng của từng nhiệm vụ; đã hoàn"
        " thành thì ghi kết quả, sản phẩm; chậm tiến độ thì ghi lý do và thời gian hoàn thành"
        " mới.",
        f.note,
    )
    for k, (_key, title, _w) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW, k, title, f.head)
    row = FIRST_ROW
    for n, m in todo:
        entry = report.entry(m.id)
        sheet.write_string(row, COL["number"], f"{n}.{m.position}", f.locked)
        sheet.write_string(row, COL["content"], printable(m.content), f.locked)
        sheet.write_string(row, COL["lead"], printable(m.lead_unit), f.locked)
        due = f"{m.due_date:%d/%m/%Y}" if m.due_date else printable(m.timeline)
        sheet.write_string(row, COL["due"], due, f.locked)
        values = (
            STATUS_LABELS[entry.status] if entry.status else "",
            printable(entry.result),
            printable(entry.reason),
            printable(entry.new_due_text),
        )
        for key, value in zip(FILLED, values, strict=True):
            sheet.write_string(row, COL[key], value, f.open)
        sheet.write_string(row, COL["key"], str(m.id), f.locked)
        row += 1
    if todo:
        sheet.data_validation(
            FIRST_ROW,
            COL["status"],
            row - 1,
            COL["status"],
            {
                "validate": "list",
                "source": f"='{META_SHEET}'!$D$1:$D${len(STATUS_LABELS)}",
                "input_title": heading("status"),
                "input_message": "Chọn một trong bốn tình trạng.",
            },
        )
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.set_landscape()
    sheet.set_paper(9)
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.protect(
        "",
        {"format_cells": True, "format_rows": True, "format_columns": True},
    )
    sheet.activate()
    book.close()
    return out.getvalue()


# -- reading it back ---------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryRow:
    row: int
    measure_id: int
    status: Progress | None
    result: str | None
    reason: str | None
    new_due_text: str | None
    new_due: dt.date | None

    def fields(self) -> dict[str, object]:
        return {
            "status": self.status,
            "result": self.result,
            "reason": self.reason,
            "new_due_text": self.new_due_text,
            "new_due": self.new_due,
        }

    def same_as(self, entry: Entry) -> bool:
        return (
            entry.status == self.status
            and (entry.result or None) == self.result
            and (entry.reason or None) == self.reason
            and (entry.new_due_text or None) == self.new_due_text
        )


@dataclass(frozen=True)
class ProgressTable:
    entries: tuple[EntryRow, ...] = ()
    problems: tuple[Problem, ...] = ()


def parse_progress(
    rows: list[list[object]],
    campaign: Campaign,
    measure_ids: Sequence[int],
    today: dt.date,
    past_due: Collection[int] = (),
) -> ProgressTable:
    """The progress sheet's rows → each measure's entry, or every problem found."""
    header = next(
        (
            k
            for k, r in enumerate(rows[:30])
            if {heading("status"), heading("key")} <= {cell_text(v) for v in r}
        ),
        None,
    )
    if header is None:
        return ProgressTable(
            problems=(
                Problem(
                    None,
                    "",
                    _(
                        "The sheet {sheet} has lost its heading row; please use a fresh template."
                    ).format(sheet=PROGRESS_SHEET),
                    PROGRESS_SHEET,
                ),
            )
        )
    by_heading = {h: key for key, h, _w in COLUMNS}
    at = {by_heading[t]: k for k, v in enumerate(rows[header]) if (t := cell_text(v)) in by_heading}
    wanted = set(measure_ids)
    problems: list[Problem] = []
    entries: list[EntryRow] = []
    for index in range(header + 1, len(rows)):
        row, number = rows[index], index + 1

        def cell(key: str, row: list[object] = row) -> str:
            k = at.get(key)
            return cell_text(row[k]) if k is not None and k < len(row) else ""

        key = cell("key")
        if not key:
            if any(cell(k) for k in FILLED):
                problems.append(
                    Problem(number, "", _("this row is not a measure of the plan."), PROGRESS_SHEET)
                )
            continue
        if not key.isdigit() or int(key) not in wanted:
            problems.append(
                Problem(
                    number,
                    "",
                    _("this row's measure is not in this period's report."),
                    PROGRESS_SHEET,
                )
            )
            continue
        found = _entry(number, int(key), cell, campaign, today, problems, int(key) in past_due)
        if found is not None:
            entries.append(found)
    if problems:
        return ProgressTable(problems=tuple(problems))
    return ProgressTable(entries=tuple(entries))


def _entry(
    number: int,
    measure_id: int,
    cell: Callable[[str], str],
    campaign: Campaign,
    today: dt.date,
    problems: list[Problem],
    late: bool = False,
) -> EntryRow | None:
    before = len(problems)

    def problem(column: str, text: str) -> None:
        problems.append(Problem(number, heading(column), text, PROGRESS_SHEET))

    typed = cell("status")
    status = None
    if typed:
        status = _STATUS_KEYS.get(fold(typed).replace("–", "-").strip(" ."))
        if status is None:
            problem(
                "status",
                _("«{text}» is not one of the statuses; please choose one from the list.").format(
                    text=typed
                ),
            )
    values: dict[str, str | None] = {}
    for key, limit in (("result", limits.OUTPUT_MAX), ("reason", limits.REASON_MAX)):
        text = cell(key)
        if text and bounded(text, limit, number, heading(key), problems):
            if not meaningful(text):
                problem(key, _("please write it in words."))
        values[key] = text or None
    new_text, new_due = cell("new_due") or None, None
    if new_text:
        try:
            tl = parse_timeline(new_text, default_year=campaign.year)
        except TimelineError as err:
            problem(
                "new_due",
                _("«{text}» is not yet a timeline: {why}").format(
                    text=new_text, why=reason_text(err.reason)
                ),
            )
        else:
            if tl.due is None:
                problem("new_due", _("please give a date or a period, e.g. 30/9/2026."))
            elif tl.due < today:
                problem(
                    "new_due",
                    _("{date} has already passed; please propose a date still ahead.").format(
                        date=fmt_date(tl.due)
                    ),
                )
            else:
                new_due, new_text = tl.due, tl.text
    if status is Progress.DONE and not values["result"]:
        problem("result", _("a measure done needs its result or product."))
    if explains_delay(Entry(measure_id=measure_id, status=status), late):
        if not values["reason"]:
            problem("reason", _("a measure behind schedule needs the reason."))
        if not new_text:
            problem("new_due", _("a measure behind schedule needs a proposed new date."))
    if len(problems) > before:
        return None
    if status is None and not any(values.values()) and not new_text:
        return None  # left empty: not reported yet
    return EntryRow(
        row=number,
        measure_id=measure_id,
        status=status,
        result=values["result"],
        reason=values["reason"],
        new_due_text=new_text,
        new_due=new_due,
    )


def changed_entries(report: Report, table: ProgressTable) -> list[EntryRow]:
    """The rows that differ from what the report holds."""
    return [e for e in table.entries if not e.same_as(report.entry(e.measure_id))]


def entries_json(entries: Sequence[EntryRow], period: str) -> str:
    return json.dumps(
        {
            "period": period,
            "entries": [
                {
                    **dataclasses.asdict(e),
                    "status": e.status.value if e.status else None,
                    "new_due": e.new_due.isoformat() if e.new_due else None,
                }
                for e in entries
            ],
        },
        ensure_ascii=False,
    )


def entries_from_json(text: str) -> tuple[str, tuple[EntryRow, ...]]:
    data = json.loads(text)
    return data["period"], tuple(
        EntryRow(
            **{
                **e,
                "status": Progress(e["status"]) if e["status"] else None,
                "new_due": dt.date.fromisoformat(e["new_due"]) if e["new_due"] else None,
            }
        )
        for e in data["entries"]
    )
