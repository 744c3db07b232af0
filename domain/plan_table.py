"""Reading a plan table back: the bot's template once filled (``domain.templates``), or a plan
written as a Word table (``domain.word_table``).

Reading applies the chat's rules to every cell (lengths, control characters, timelines, unit
names) and names every problem by row and column; it guesses nothing. A file with problems
changes nothing: :class:`PlanTable` carries either the items or the problems.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from domain import text as limits
from domain.campaign import Campaign
from domain.model import Shortcoming
from domain.templates import (
    COLUMNS,
    KIND_PLAN,
    MARK,
    MEASURE_COLUMNS,
    META_SHEET,
    PLAN_SHEET,
    PROGRESS_SHEET,
    heading,
)
from domain.text import fold, meaningful, normalize
from domain.timeline import TimelineError, parse_timeline, reason_text
from domain.units import Units
from domain.workbook import Bounds, WorkbookError, read_xlsx
from locales import _, fmt_date

BOUNDS = Bounds(rows=2_000, columns=12, cell_chars=limits.CONTENT_MAX + 200)


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
