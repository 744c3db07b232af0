"""What the consolidated documents print, as light values made one agency at a time.

A national campaign is 3,800 agencies × 10 measures: the documents are written while the agencies
are read, so only one agency's plan is in memory at a time. Numbering is the one the chat uses:
agencies I, II, … (those with a plan printed, in the campaign's order), their shortcomings
1, 2, … (the bot's "Nội dung 1"), measures 1.1, 1.2, ….
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from domain.clarity import Advice, Aspect, Finding
from domain.model import Plan
from domain.progress import Progress
from domain.proposals import Answer
from domain.rules import Status
from domain.text import printable
from locales import _


class MeasureLine(NamedTuple):
    """A named tuple, not a dataclass: 38,000 of them are made per national report."""

    number: str  # "1.2"
    content: str
    lead: str
    partners: str
    timeline: str  # the agency's own words
    due: dt.date | None
    recurring: bool
    output: str


class ItemAnswer(NamedTuple):
    number: str  # "1": the agency's own numbering, as in the chat
    text: str  # the directive's wording
    objective: str
    measures: tuple[MeasureLine, ...]

    @property
    def answered(self) -> bool:
        return bool(self.objective or self.measures)


@dataclass(frozen=True, slots=True)
class Filing:
    """Where an agency stands: what the status sheet and the list of missing plans show."""

    code: str
    name: str
    status: Status
    version: int | None = None
    submitted_at: dt.datetime | None = None
    late_days: int = 0
    focal: str = ""


@dataclass(frozen=True, slots=True)
class Section:
    """One agency in the report, with the plan printed for it (empty if none)."""

    filing: Filing
    items: tuple[ItemAnswer, ...] = ()

    @property
    def printed(self) -> bool:
        return any(item.answered for item in self.items)


@dataclass
class Tally:
    """Counted while writing: agencies printed, missing, measures."""

    printed: int = 0
    measures: int = 0
    missing: list[str] = field(default_factory=list)


def roman(n: int) -> str:
    out = ""
    for value, numeral in (
        (1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
        (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"),
    ):  # fmt: skip
        while n >= value:
            out += numeral
            n -= value
    return out


def _measure(item_no: int, m: Mapping[str, Any]) -> MeasureLine:
    due = m.get("due_date")
    if isinstance(due, str):
        due = dt.date.fromisoformat(due)
    return MeasureLine(
        number=f"{item_no}.{m['position']}",
        content=printable(m.get("content")),
        lead=printable(m.get("lead_unit")),
        partners=printable(", ".join(m.get("partners") or ())),
        timeline=printable(m.get("timeline")),
        due=due,
        recurring=bool(m.get("recurring")),
        output=printable(m.get("output")),
    )


def items_of(shortcomings: Iterable[Mapping[str, Any]]) -> tuple[ItemAnswer, ...]:
    """An agency's answers from a plan as stored (a submitted snapshot, or the live plan)."""
    out = []
    for n, s in enumerate(shortcomings, start=1):
        measures = sorted(s.get("measures") or (), key=lambda m: int(m["position"]))
        out.append(
            ItemAnswer(
                number=str(n),
                text=printable(s.get("text")),
                objective=printable(s.get("objective")),
                measures=tuple(_measure(n, m) for m in measures),
            )
        )
    return tuple(out)


def items_of_plan(plan: Plan) -> tuple[ItemAnswer, ...]:
    return items_of(s.model_dump() for s in plan.shortcomings)


def filing_status(
    revision: int, submitted_revision: int | None, returned: bool, has_version: bool
) -> Status:
    """An agency's status from its plan's counters (no need to load the plan): returned,
    submitted, changed since submission, being entered, or not started."""
    if returned:
        return Status.RETURNED
    if submitted_revision is not None and has_version:
        return Status.SUBMITTED if submitted_revision == revision else Status.CHANGED
    return Status.IN_PROGRESS if revision > 0 else Status.NOT_STARTED


def status_label(status: Status) -> str:
    """The status as the status sheet says it (in the current locale: the documents' is vi)."""
    return {
        Status.SUBMITTED: _("Submitted"),
        Status.CHANGED: _("Changed since submission, not submitted again"),
        Status.RETURNED: _("Returned for revision"),
        Status.READY: _("Complete, not submitted yet"),
        Status.IN_PROGRESS: _("Being entered, not submitted"),
        Status.NOT_STARTED: _("Not started"),
    }[status]


# -- the follow-through's documents ---------------------------------------------------------


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


def progress_label(status: Progress | None, submitted: bool) -> str:
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


def aspect_label(aspect: Aspect) -> str:
    """As the Kết luận names them: "Rõ người", "Rõ việc", …"""
    return {
        Aspect.PERSON: _("Clear who"),
        Aspect.TASK: _("Clear what"),
        Aspect.TIME: _("Clear when"),
        Aspect.RESPONSIBILITY: _("Clear responsibility"),
        Aspect.AUTHORITY: _("Clear authority"),
        Aspect.PRODUCT: _("Clear product"),
    }[aspect]


def finding_label(f: Finding) -> str:
    """What the "6 rõ" review found, in a few words (the review sheet's column)."""
    detail = printable(f.detail)
    return {
        Advice.COLLECTIVE_LEAD: _("The lead unit is a collective: “{v}”"),
        Advice.SEVERAL_LEADS: _("Several units lead: “{v}”"),
        Advice.VAGUE_TASK: _("The task says only “{v}…”, with no concrete, measurable action"),
        Advice.NO_RHYTHM: _("“Recurring” with no rhythm (quarterly, yearly…)"),
        Advice.NO_DATE: _("No completion date"),
        Advice.COLLECTIVE_PARTNERS: _("Coordinating units given collectively: “{v}”"),
        Advice.OTHER_LEAD: _("Another agency leads ({v}): within its authority, agreed?"),
        Advice.NO_PRODUCT: _("No output given"),
        Advice.VAGUE_PRODUCT: _("The output is not a concrete product: “{v}”"),
    }[f.advice].format(v=detail)
