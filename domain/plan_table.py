"""The plan as a table: the agency's own template (.xlsx), and reading it back once filled.

The template is made from the campaign and the plan as stored, so sending it back unchanged
changes nothing, and filling it is also the way to edit. Its sheet «Kế hoạch» has one block of
rows per shortcoming assigned to the agency: the shortcoming in the directive's words (locked),
the objective on the block's first row, then one measure per row (content, lead unit,
coordinating units, timeline, output), with empty rows to fill and room to insert more. A hidden
column holds each block's item key; a very hidden sheet holds the campaign, the agency and the
kind of template, and the agencies' names for the drop-down lists of the unit columns (another
name can still be typed).

Reading applies the chat's rules to every cell (lengths, control characters, timelines, unit
names) and names every problem by sheet, row and column; it guesses nothing. A file with
problems changes nothing: :class:`PlanTable` carries either the items or the problems.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import xlsxwriter

from domain import text as limits
from domain.campaign import Campaign
from domain.model import Measure, Plan, Shortcoming
from domain.text import fold, normalize, printable
from domain.timeline import TimelineError, parse_timeline, reason_text
from domain.units import Units
from domain.workbook import Bounds, WorkbookError, read_xlsx
from locales import _, fmt_date

PLAN_SHEET = "Kế hoạch"
GUIDE_SHEET = "Hướng dẫn"
PROGRESS_SHEET = "Tiến độ"
META_SHEET = "_kehoach"
MARK = "kehoach-bot"
KIND_PLAN = "plan"
KIND_PROGRESS = "progress"
SPARE_ROWS = 3  # empty measure rows under each shortcoming's measures
HEADER_ROW = 5  # zero-based: the table's heading
FIRST_ROW = HEADER_ROW + 1
VALIDATION_ROWS = 500  # the drop-down lists reach this far below the table (inserted rows)
BOUNDS = Bounds(rows=2_000, columns=12, cell_chars=limits.CONTENT_MAX + 200)

# (key, heading, width): the order of the plan sheet's columns
COLUMNS = (
    ("number", "STT", 6),
    ("shortcoming", "Hạn chế, khuyết điểm", 38),
    ("objective", "Mục tiêu", 30),
    ("content", "Nhiệm vụ, giải pháp", 44),
    ("lead", "Đơn vị chủ trì", 22),
    ("partners", "Đơn vị phối hợp", 26),
    ("timeline", "Thời gian hoàn thành", 20),
    ("output", "Sản phẩm, kết quả", 26),
    ("key", "Mã", 8),  # hidden: the item key of the block's first row
)
COL = {key: k for k, (key, _heading, _width) in enumerate(COLUMNS)}
MEASURE_COLUMNS = ("content", "lead", "partners", "timeline", "output")


def heading(key: str) -> str:
    return next(h for k, h, _w in COLUMNS if k == key)


# -- the template --------------------------------------------------------------------------------


def template_xlsx(
    campaign: Campaign, plan: Plan, agencies: Sequence[str], made: dt.datetime
) -> bytes:
    """The agency's template with what is stored filled in (the same in every language: the
    directive's)."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False})
    book.set_properties(
        {
            "title": f"Mẫu kế hoạch — {printable(plan.agency.name)}",
            "subject": printable(campaign.title),
            "author": "kehoach-bot",
            "keywords": f"{MARK} {KIND_PLAN} {campaign.code} {plan.agency.code}",
        }
    )
    f = Formats(book)
    sheet = book.add_worksheet(PLAN_SHEET)
    guide = book.add_worksheet(GUIDE_SHEET)
    meta = book.add_worksheet(META_SHEET)
    write_meta(meta, campaign.code, plan.agency.code, KIND_PLAN, made, agencies)
    for k, (_key, _heading, width) in enumerate(COLUMNS):
        sheet.set_column(k, k, width, None, {"hidden": _key == "key"})
    last = len(COLUMNS) - 2
    sheet.merge_range(0, 0, 0, last, "KẾ HOẠCH KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM", f.title)
    sheet.merge_range(1, 0, 1, last, printable(plan.agency.name), f.title)
    sheet.merge_range(2, 0, 2, last, printable(campaign.title), f.centre)
    sheet.merge_range(
        3,
        0,
        3,
        last,
        f"Hạn gửi kế hoạch: {campaign.deadlines.plans_due:%d/%m/%Y}. Điền vào các ô trắng; "
        f"xem hướng dẫn ở trang «{GUIDE_SHEET}».",
        f.note,
    )
    for k, (_key, title, _width) in enumerate(COLUMNS):
        sheet.write_string(HEADER_ROW, k, title, f.head)
    row = FIRST_ROW
    for n, item in enumerate(plan.shortcomings, start=1):
        rows = max(len(item.measures), 1) + SPARE_ROWS
        for k in range(rows):
            m = item.measures[k] if k < len(item.measures) else None
            first = k == 0
            sheet.write_string(row, COL["number"], str(n) if first else "", f.locked)
            sheet.write_string(
                row, COL["shortcoming"], printable(item.text) if first else "", f.locked
            )
            sheet.write_string(
                row,
                COL["objective"],
                printable(item.objective) if first and item.objective else "",
                f.open if first else f.locked,
            )
            for key, value in zip(MEASURE_COLUMNS, _measure_cells(m), strict=True):
                sheet.write_string(row, COL[key], value, f.open)
            sheet.write_string(row, COL["key"], item.key if first else "", f.locked)
            row += 1
    names = f"='{META_SHEET}'!$D$1:$D${max(len(agencies), 1)}"
    for key in ("lead", "partners"):
        sheet.data_validation(
            FIRST_ROW,
            COL[key],
            row + VALIDATION_ROWS,
            COL[key],
            {
                "validate": "list",
                "source": names,
                "show_error": False,  # another unit's name can be typed
                "input_title": heading(key),
                "input_message": "Chọn trong danh sách, hoặc gõ tên đơn vị khác.",
            },
        )
    sheet.freeze_panes(FIRST_ROW, 0)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW)
    sheet.protect(
        "",
        {
            "insert_rows": True,
            "delete_rows": True,
            "format_cells": True,
            "format_rows": True,
            "format_columns": True,
            "select_locked_cells": True,
            "select_unlocked_cells": True,
        },
    )
    _guide(guide, f)
    sheet.activate()
    book.close()
    return out.getvalue()


def _measure_cells(m: Measure | None) -> tuple[str, ...]:
    if m is None:
        return ("", "", "", "", "")
    return (
        printable(m.content),
        printable(m.lead_unit),
        printable("; ".join(m.partners or ())),
        printable(m.timeline),
        printable(m.output),
    )


def write_meta(
    meta: xlsxwriter.worksheet.Worksheet,
    campaign: str,
    agency: str,
    kind: str,
    made: dt.datetime,
    agencies: Sequence[str],
    period: str = "",
) -> None:
    for r, (name, value) in enumerate(
        (
            ("mark", MARK),
            ("kind", kind),
            ("campaign", campaign),
            ("agency", agency),
            ("made", made.isoformat(timespec="seconds")),
            ("period", period),
        )
    ):
        meta.write_string(r, 0, name)
        meta.write_string(r, 1, value)
    for r, name in enumerate(agencies):
        meta.write_string(r, 3, printable(name))
    meta.very_hidden()
    meta.protect()


class Formats:
    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "Times New Roman", "font_size": 12, "valign": "top"}
        wrap = {**base, "text_wrap": True, "border": 1}
        self.title = book.add_format({**base, "bold": True, "align": "center", "font_size": 13})
        self.centre = book.add_format({**base, "align": "center", "italic": True})
        self.note = book.add_format({**base, "italic": True, "text_wrap": True})
        self.head = book.add_format(
            {**wrap, "bold": True, "align": "center", "bg_color": "#D9E2F3", "locked": True}
        )
        self.locked = book.add_format({**wrap, "bg_color": "#F2F2F2", "locked": True})
        self.open = book.add_format({**wrap, "locked": False})
        self.text = book.add_format({**base, "text_wrap": True})
        self.bold = book.add_format({**base, "bold": True, "text_wrap": True})


def _guide(sheet: xlsxwriter.worksheet.Worksheet, f: Formats) -> None:
    sheet.set_column(0, 0, 110)
    lines = [
        ("CÁCH ĐIỀN MẪU KẾ HOẠCH", True),
        ("", False),
        (
            "1. Mỗi hạn chế, khuyết điểm giao cho đơn vị là một khối dòng trong trang «Kế hoạch»."
            " Cột «Hạn chế, khuyết điểm» giữ nguyên lời văn của văn bản chỉ đạo (ô xám, không sửa).",
            False,
        ),
        ("2. «Mục tiêu» ghi ở dòng đầu của mỗi khối.", False),
        (
            "3. Mỗi nhiệm vụ, giải pháp ghi trên một dòng: nhiệm vụ, đơn vị chủ trì, đơn vị phối"
            " hợp, thời gian hoàn thành, sản phẩm. Cần thêm dòng: chèn dòng ngay dưới khối"
            " (Chèn → Dòng). Bỏ một nhiệm vụ: xóa nội dung các ô của dòng đó.",
            False,
        ),
        (
            "4. Đơn vị chủ trì, phối hợp: chọn trong danh sách hoặc gõ tên đơn vị khác; nhiều đơn"
            " vị phối hợp cách nhau bằng dấu chấm phẩy. Ví dụ: Sở Nội vụ; UBND các xã, phường.",
            False,
        ),
        (
            "5. Thời gian hoàn thành, ví dụ: 30/6/2026 · trước ngày 15/3/2026 · tháng 5/2026 ·"
            " quý II/2026 · 6 tháng đầu năm 2026 · năm 2026 · thường xuyên · quý II/2026 và"
            " thường xuyên.",
            False,
        ),
        ("6. Sản phẩm, kết quả có thể để trống. Ví dụ: Quyết định ban hành quy chế.", False),
        (
            "7. Gửi lại tệp này cho bot: trên Telegram, gửi tệp vào cuộc trò chuyện; trên Zalo,"
            " mở đường dẫn tải lên mà bot đã gửi. Bot kiểm tra từng dòng, cho xem những thay đổi"
            " rồi mới lưu khi anh/chị đồng ý. Sau đó dùng /xem để xem lại và /nop để nộp.",
            False,
        ),
        (
            "8. Tệp này dành riêng cho đơn vị và đợt kế hoạch ghi ở đầu trang «Kế hoạch»; không"
            " dùng tệp của đơn vị khác. Ô có công thức được đọc theo giá trị hiển thị.",
            False,
        ),
    ]
    for r, (line, bold) in enumerate(lines):
        sheet.write_string(r, 0, line, f.bold if bold else f.text)
    sheet.protect()


# -- reading it back -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """What stops the file from being stored; ``row`` is the sheet's row as Excel numbers it."""

    row: int | None
    column: str  # a heading of the table, or "" for the whole file
    text: str
    sheet: str = PLAN_SHEET

    def line(self) -> str:
        if self.row is None:
            return self.text
        if not self.column:
            return _("Row {row}: {text}").format(row=self.row, text=self.text)
        return _("Row {row}, column {column}: {text}").format(
            row=self.row, column=self.column, text=self.text
        )


@dataclass(frozen=True)
class Doubt:
    """Valid, but to be confirmed by saving: a unit name outside the campaign's list, a date
    before the campaign starts."""

    row: int
    column: str
    text: str

    def line(self) -> str:
        return _("Row {row}, column {column}: {text}").format(
            row=self.row, column=self.column, text=self.text
        )


@dataclass(frozen=True)
class MeasureRow:
    row: int
    content: str
    lead_unit: str | None
    partners: tuple[str, ...] | None
    timeline: str | None
    due_date: dt.date | None
    recurring: bool
    output: str | None

    def fields(self) -> dict[str, object]:
        """The stored fields, as ``PlansRepo.update_measure`` takes them."""
        return {
            "content": self.content,
            "lead_unit": self.lead_unit,
            "partners": self.partners,
            "timeline": self.timeline,
            "due_date": self.due_date,
            "recurring": self.recurring,
            "output": self.output,
        }


@dataclass(frozen=True)
class ItemRows:
    key: str
    row: int
    objective: str | None
    measures: tuple[MeasureRow, ...]


@dataclass(frozen=True)
class PlanTable:
    items: tuple[ItemRows, ...] = ()
    problems: tuple[Problem, ...] = ()
    doubts: tuple[Doubt, ...] = ()


@dataclass(frozen=True)
class Meta:
    kind: str
    campaign: str
    agency: str
    period: str = ""


def read_meta(sheets: dict[str, list[list[object]]]) -> Meta | None:
    """What the template says it is for; None for a workbook the bot did not make."""
    rows = sheets.get(META_SHEET)
    if not rows:
        return None
    values = {str(r[0]): str(r[1]) for r in rows if len(r) >= 2 and r[0] and r[1] is not None}
    if values.get("mark") != MARK:
        return None
    return Meta(
        values.get("kind", ""),
        values.get("campaign", ""),
        values.get("agency", ""),
        values.get("period", ""),
    )


def read_template(data: bytes, suffix: str = ".xlsx") -> dict[str, list[list[object]]]:
    """The sheets of a returned template, plan's or progress report's (raises WorkbookError
    for a file that cannot be read)."""
    return read_xlsx(data, BOUNDS, (PLAN_SHEET, PROGRESS_SHEET, META_SHEET), suffix)


def check_template(meta: Meta | None, campaign: Campaign, agency_code: str, kind: str) -> None:
    """Refuses a workbook made for another agency, campaign or kind of report."""
    if meta is None:
        raise WorkbookError(
            _(
                "This file is not the bot's template. Please ask for the template with /maubieu, "
                "fill it in and send it back."
            )
        )
    if meta.kind != kind:
        raise WorkbookError(
            _("This template is for another kind of report; please use the plan's template.")
            if kind == KIND_PLAN
            else _("This template is the plan's; please use the progress report's template.")
        )
    if meta.campaign != campaign.code:
        raise WorkbookError(
            _(
                "This template belongs to another campaign. Please ask for the current template "
                "with /maubieu."
            )
        )
    if meta.agency != agency_code:
        raise WorkbookError(
            _(
                "This template was made for another agency. Each agency fills in its own: "
                "please ask for yours with /maubieu."
            )
        )


def parse_plan(
    rows: list[list[object]],
    campaign: Campaign,
    keys: Sequence[str],
    units: Units,
) -> PlanTable:
    """The plan sheet's rows → the items and measures typed, or every problem found."""
    header = _header_row(rows)
    if header is None:
        return PlanTable(
            problems=(
                Problem(
                    None,
                    "",
                    _(
                        "The sheet {sheet} has lost its heading row; please use a fresh template."
                    ).format(sheet=PLAN_SHEET),
                ),
            )
        )
    at = _columns(rows[header])
    problems: list[Problem] = []
    doubts: list[Doubt] = []
    items: list[ItemRows] = []
    current: tuple[str, int, str | None, list[MeasureRow]] | None = None
    seen: set[str] = set()
    wanted = set(keys)
    for index in range(header + 1, len(rows)):
        row = rows[index]
        number = index + 1  # as Excel numbers rows

        def cell(key: str, row: list[object] = row) -> object:
            k = at.get(key)
            return row[k] if k is not None and k < len(row) else None

        key = cell_text(cell("key"))
        if key:
            if key not in wanted or key in seen:
                problems.append(
                    Problem(number, "", _("this row's shortcoming is not one assigned to you."))
                )
                current = None
                continue
            if current is not None:
                items.append(_item(current))
            seen.add(key)
            objective = _objective(cell("objective"), number, problems)
            current = (key, number, objective, [])
        elif cell_text(cell("objective")) and current is not None:
            problems.append(
                Problem(
                    number,
                    heading("objective"),
                    _("the objective goes on the first row of its shortcoming."),
                )
            )
        values = {k: cell(k) for k in MEASURE_COLUMNS}
        if not any(cell_text(v) for v in values.values()):
            continue
        if current is None:
            problems.append(
                Problem(number, "", _("this row is above the first shortcoming; please move it."))
            )
            continue
        measure = _measure(number, values, campaign, units, problems, doubts)
        if measure is not None:
            current[3].append(measure)
            if len(current[3]) > limits.MEASURES_MAX:
                problems.append(
                    Problem(
                        number,
                        "",
                        _("a shortcoming can have at most {max} measures.").format(
                            max=limits.MEASURES_MAX
                        ),
                    )
                )
    if current is not None:
        items.append(_item(current))
    if problems:
        return PlanTable(problems=tuple(problems))
    return PlanTable(items=tuple(items), doubts=tuple(doubts))


def _item(current: tuple[str, int, str | None, list[MeasureRow]]) -> ItemRows:
    key, row, objective, measures = current
    return ItemRows(key=key, row=row, objective=objective, measures=tuple(measures))


def _header_row(rows: list[list[object]]) -> int | None:
    """The heading row, found by its words (not its position: a person may add a line above)."""
    want = {heading("content"), heading("lead"), heading("key")}
    for k, row in enumerate(rows[:50]):
        if want <= {cell_text(v) for v in row}:
            return k
    return None


def _columns(row: list[object]) -> dict[str, int]:
    by_heading = {h: key for key, h, _w in COLUMNS}
    return {by_heading[t]: k for k, v in enumerate(row) if (t := cell_text(v)) in by_heading}


def cell_text(value: object) -> str:
    """A cell as text: numbers as typed, a date as dd/mm/yyyy, cleaned like a typed answer."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return ""  # a tick box or TRUE is not an answer
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize(str(value)).strip()


def bounded(text: str, limit: int, number: int, column: str, problems: list[Problem]) -> bool:
    if len(text) > limit:
        problems.append(
            Problem(
                number,
                column,
                _("{n} characters, at most {max}; please shorten it.").format(
                    n=len(text), max=limit
                ),
            )
        )
        return False
    return True


def meaningful(text: str) -> bool:
    """Has a letter or a digit: an answer of only emoji or punctuation ("👍", "...") says
    nothing a document can print."""
    return any(ch.isalnum() for ch in text)


def _objective(value: object, number: int, problems: list[Problem]) -> str | None:
    text = cell_text(value)
    if not text:
        return None
    column = heading("objective")
    if not bounded(text, limits.OBJECTIVE_MAX, number, column, problems):
        return None
    if not meaningful(text):
        problems.append(Problem(number, column, _("please write the objective in words.")))
        return None
    return text


_SEPARATORS = re.compile(r"[;\n]")


def _measure(
    number: int,
    values: dict[str, object],
    campaign: Campaign,
    units: Units,
    problems: list[Problem],
    doubts: list[Doubt],
) -> MeasureRow | None:
    before = len(problems)
    content = cell_text(values["content"])
    if not content:
        problems.append(
            Problem(number, heading("content"), _("the task or solution is missing on this row."))
        )
    elif bounded(content, limits.CONTENT_MAX, number, heading("content"), problems):
        if not meaningful(content):
            problems.append(
                Problem(number, heading("content"), _("please write the task in words."))
            )
    lead = _unit(cell_text(values["lead"]), number, "lead", campaign, units, problems, doubts)
    partners: list[str] = []
    for part in _SEPARATORS.split(cell_text(values["partners"])):
        name = _unit(part.strip(" ."), number, "partners", campaign, units, problems, doubts)
        if name and name not in partners and name != lead:
            partners.append(name)
    if len(partners) > limits.PARTNERS_MAX:
        problems.append(
            Problem(
                number,
                heading("partners"),
                _("at most {max} coordinating units.").format(max=limits.PARTNERS_MAX),
            )
        )
    timeline, due, recurring = _timeline(cell_text(values["timeline"]), number, campaign, problems)
    if due and due < campaign.starts:
        doubts.append(
            Doubt(
                number,
                heading("timeline"),
                _("«{text}» means {due}, before the campaign starts ({starts}).").format(
                    text=timeline, due=fmt_date(due), starts=fmt_date(campaign.starts)
                ),
            )
        )
    output = cell_text(values["output"]) or None
    if output:
        bounded(output, limits.OUTPUT_MAX, number, heading("output"), problems)
    if len(problems) > before:
        return None
    return MeasureRow(
        row=number,
        content=content,
        lead_unit=lead,
        partners=tuple(partners) or None,
        timeline=timeline,
        due_date=due,
        recurring=recurring,
        output=output,
    )


def _unit(
    typed: str,
    number: int,
    key: str,
    campaign: Campaign,
    units: Units,
    problems: list[Problem],
    doubts: list[Doubt],
) -> str | None:
    if not typed:
        return None
    column = heading(key)
    if not bounded(typed, limits.NAME_MAX, number, column, problems):
        return None
    check = units.check(typed, campaign.year)
    if check.known:
        return check.name
    if check.timeline:
        problems.append(
            Problem(
                number,
                column,
                _("«{text}» is a time, not a unit; it belongs in the column {other}.").format(
                    text=typed, other=heading("timeline")
                ),
            )
        )
        return None
    similar = (
        _(" (did you mean {names}?)").format(names=", ".join(f"«{n}»" for n in check.similar))
        if check.similar
        else ""
    )
    doubts.append(
        Doubt(
            number,
            column,
            _("«{name}» is not in the campaign's list of agencies{similar}.").format(
                name=typed, similar=similar
            ),
        )
    )
    return check.name


def _timeline(
    text: str, number: int, campaign: Campaign, problems: list[Problem]
) -> tuple[str | None, dt.date | None, bool]:
    if not text:
        return None, None, False
    column = heading("timeline")
    if not bounded(text, limits.TIMELINE_MAX, number, column, problems):
        return None, None, False
    try:
        tl = parse_timeline(text, default_year=campaign.year)
    except TimelineError as err:
        problems.append(
            Problem(
                number,
                column,
                _("«{text}» is not yet a timeline: {why}").format(
                    text=text, why=reason_text(err.reason)
                ),
            )
        )
        return None, None, False
    return tl.text, tl.due, tl.recurring


def word_plan_rows(
    table: Sequence[dict[str, str]], shortcomings: Sequence[Shortcoming]
) -> tuple[list[list[object]], list[Problem]]:
    """A Word plan table as the rows of the template (heading first), each shortcoming found by
    its words; a row naming a shortcoming not assigned to the agency is a problem."""
    keyed = [(_folded(s.text), s.key) for s in shortcomings]
    rows: list[list[object]] = [[h for _k, h, _w in COLUMNS]]
    problems: list[Problem] = []
    for number, cells in enumerate(table, start=2):  # the heading is the table's row 1
        text = cells.get("shortcoming", "")
        key = ""
        if text:
            key = next((k for folded, k in keyed if _matches(_folded(text), folded)), "")
            if not key:
                problems.append(
                    Problem(
                        number,
                        heading("shortcoming"),
                        _("«{text}» is not one of the shortcomings assigned to you.").format(
                            text=text[:80] + ("…" if len(text) > 80 else "")
                        ),
                    )
                )
        rows.append([cells.get(k, "") if k != "key" else key for k, _h, _w in COLUMNS])
    return rows, problems


def _folded(text: str) -> str:
    return " ".join(fold(text).replace(".", " ").split())


def _matches(typed: str, assigned: str) -> bool:
    """The directive's words, or the start of them (a plan may shorten a long shortcoming)."""
    if typed == assigned:
        return True
    shortest = min(len(typed), len(assigned))
    return shortest >= 40 and typed[:shortest] == assigned[:shortest]


# -- what it changes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemChange:
    index: int  # the shortcoming's number in the plan
    assignment_id: int
    objective: str | None  # the new objective, or None when unchanged
    added: tuple[MeasureRow, ...] = ()
    changed: tuple[tuple[int, MeasureRow], ...] = ()  # (measure id, new values)
    removed: tuple[int, ...] = ()  # measure ids
    kept: int = 0

    @property
    def empty(self) -> bool:
        return self.objective is None and not (self.added or self.changed or self.removed)


@dataclass(frozen=True)
class Changes:
    items: tuple[ItemChange, ...] = field(default_factory=tuple)

    @property
    def empty(self) -> bool:
        return all(c.empty for c in self.items)


def changes(plan: Plan, table: PlanTable) -> Changes:
    """What storing the table would change, item by item, measure by position (the file holds
    each shortcoming's measures in order; a row left out is a measure removed)."""
    by_key = {i.key: i for i in table.items}
    out = []
    for index, item in enumerate(plan.shortcomings, start=1):
        rows = by_key.get(item.key)
        if rows is None:
            continue  # not in the file (a block deleted): left as it is
        out.append(_item_change(index, item, rows))
    return Changes(tuple(out))


def _item_change(index: int, item: Shortcoming, rows: ItemRows) -> ItemChange:
    objective = rows.objective if rows.objective != item.objective and rows.objective else None
    added, changed, kept = [], [], 0
    for k, row in enumerate(rows.measures):
        if k >= len(item.measures):
            added.append(row)
        elif _same(item.measures[k], row):
            kept += 1
        else:
            changed.append((item.measures[k].id, row))
    removed = tuple(m.id for m in item.measures[len(rows.measures) :])
    return ItemChange(
        index=index,
        assignment_id=item.assignment_id,
        objective=objective,
        added=tuple(added),
        changed=tuple(changed),
        removed=removed,
        kept=kept,
    )


def _same(m: Measure, row: MeasureRow) -> bool:
    return (
        m.content == row.content
        and (m.lead_unit or None) == row.lead_unit
        and tuple(m.partners or ()) == tuple(row.partners or ())
        and (m.timeline or None) == row.timeline
        and (m.output or None) == row.output
    )


# -- kept between showing and saving -----------------------------------------------------------


def items_json(items: Sequence[ItemRows]) -> str:
    """What was read, as the database keeps it until the person saves or cancels."""
    return json.dumps(
        [
            {
                "key": i.key,
                "row": i.row,
                "objective": i.objective,
                "measures": [
                    {
                        **dataclasses.asdict(m),
                        "due_date": m.due_date.isoformat() if m.due_date else None,
                    }
                    for m in i.measures
                ],
            }
            for i in items
        ],
        ensure_ascii=False,
    )


def items_from_json(text: str) -> tuple[ItemRows, ...]:
    out = []
    for i in json.loads(text):
        measures = tuple(
            MeasureRow(
                **{
                    **m,
                    "partners": tuple(m["partners"]) if m["partners"] else None,
                    "due_date": dt.date.fromisoformat(m["due_date"]) if m["due_date"] else None,
                }
            )
            for m in i["measures"]
        )
        out.append(ItemRows(i["key"], i["row"], i["objective"], measures))
    return tuple(out)
