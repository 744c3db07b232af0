"""The follow-through of a submitted plan: each measure's progress, period by period.

A plan submitted (and not returned) is tracked: in each reporting period of the campaign the
focal person states, measure by measure, its status, the result or product, and for a measure
behind schedule the reason and a proposed new date. A period's report is submitted as an
immutable version, like a plan. These rules know nothing of chats or databases.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from domain.campaign import Period
from domain.model import Measure, Plan, Value
from domain.rules import Status, status


class Progress(StrEnum):
    DONE = "done"  # Đã hoàn thành
    ON_TRACK = "on_track"  # Đang thực hiện – đúng tiến độ
    LATE = "late"  # Đang thực hiện – chậm tiến độ
    NOT_STARTED = "not_started"  # Chưa thực hiện


class Entry(Value):
    """What the agency reported about one measure in one period."""

    measure_id: int
    status: Progress | None = None
    result: str | None = None  # the result or product ("Quyết định số 123/QĐ-UBND ...")
    reason: str | None = None  # why it is late
    new_due_text: str | None = None  # the proposed new date, as typed
    new_due: dt.date | None = None


class Report(Value):
    """An agency's progress report for one period, with its submission state."""

    id: int
    plan_id: int
    period: str
    revision: int = 0
    submitted_revision: int | None = None
    submitted_version: int | None = None
    submitted_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    return_reason: str | None = None
    entries: tuple[Entry, ...] = ()

    def entry(self, measure_id: int) -> Entry:
        return next(
            (e for e in self.entries if e.measure_id == measure_id), Entry(measure_id=measure_id)
        )


class Gap(StrEnum):
    NO_STATUS = "no_status"
    NO_RESULT = "no_result"  # a measure done needs its result or product
    NO_REASON = "no_reason"  # a measure behind schedule needs the reason...
    NO_NEW_DATE = "no_new_date"  # ...and a proposed new date


def tracked(plan: Plan) -> bool:
    """A plan is followed through once a version is submitted, unless it was returned."""
    return plan.last_submission is not None and status(plan) is not Status.RETURNED


def measures(plan: Plan, done_before: frozenset[int] = frozenset()) -> list[tuple[int, Measure]]:
    """The measures to report on, with their item's number: every measure of the plan but those
    reported done in an earlier period (``done_before``); a recurring measure ("thường xuyên")
    is reported on every period, done or not."""
    return [
        (n, m)
        for n, item in enumerate(plan.shortcomings, start=1)
        for m in item.measures
        if m.recurring or m.id not in done_before
    ]


def explains_delay(entry: Entry, past_due: bool) -> bool:
    """Whether the entry must give a reason and a new date: reported behind schedule, or not
    done when its due date has passed, whatever its status ("Chưa thực hiện" after the date is
    a delay too, and the consolidator asks exactly that)."""
    return entry.status is Progress.LATE or (
        past_due and entry.status is not None and entry.status is not Progress.DONE
    )


def past_due(measure: Measure, today: dt.date) -> bool:
    """The measure's own due date (the plan's) has passed."""
    return measure.due_date is not None and measure.due_date < today


def entry_gaps(entry: Entry, late: bool = False) -> list[Gap]:
    """What the entry lacks; ``late``: its measure is past its due date."""
    if entry.status is None:
        return [Gap.NO_STATUS]
    gaps = []
    if entry.status is Progress.DONE and not entry.result:
        gaps.append(Gap.NO_RESULT)
    if explains_delay(entry, late):
        if not entry.reason:
            gaps.append(Gap.NO_REASON)
        if entry.new_due is None:
            gaps.append(Gap.NO_NEW_DATE)
    return gaps


def report_gaps(
    report: Report, todo: list[tuple[int, Measure]], today: dt.date | None = None
) -> list[tuple[int, Measure, Gap]]:
    """What stands between the report and its submission, measure by measure."""
    return [
        (n, m, g)
        for n, m in todo
        for g in entry_gaps(report.entry(m.id), today is not None and past_due(m, today))
    ]


class ReportStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    SUBMITTED = "submitted"
    CHANGED = "changed"  # edited since its last submission
    RETURNED = "returned"


def report_status(report: Report | None) -> ReportStatus:
    if report is None or (not report.entries and report.submitted_revision is None):
        return ReportStatus.NOT_STARTED
    if report.returned_at is not None:
        return ReportStatus.RETURNED
    if report.submitted_revision is None:
        return ReportStatus.IN_PROGRESS
    if report.submitted_revision == report.revision:
        return ReportStatus.SUBMITTED
    return ReportStatus.CHANGED


def overdue(measure: Measure, entry: Entry | None, today: dt.date) -> int:
    """Days a measure is past its due date (the proposed new date, when one was given), unless
    it is done; 0 when not overdue. Recurring measures without a date are never overdue."""
    if entry is None:
        return days_overdue(measure.due_date, None, None, today)
    return days_overdue(measure.due_date, entry.status, entry.new_due, today)


def days_overdue(
    due: dt.date | None, status: Progress | None, new_due: dt.date | None, today: dt.date
) -> int:
    """:func:`overdue` on plain values (for documents read straight from the database)."""
    if status is Progress.DONE:
        return 0
    due = new_due or due
    if due is None:
        return 0
    return max(0, (today - due).days)


class Overdue(Value):
    agency: str  # the agency's name
    number: str  # "1.2": the measure's number in its agency's plan
    content: str
    lead_unit: str | None
    days: int


class Execution(Value):
    """A period across every agency: reports received, measures by status, overdue measures."""

    tracked: int  # plans followed through
    submitted: int  # of which the period's report is submitted (and not returned)
    by_status: dict[str, int]  # Progress value, or "" for measures not reported yet
    overdue: tuple[Overdue, ...]


def execution(
    plans: list[Plan],
    reports: dict[int, Report],
    done_before: dict[int, frozenset[int]],
    today: dt.date,
) -> Execution:
    tracked_plans = [p for p in plans if tracked(p)]
    counts: dict[str, int] = {s.value: 0 for s in Progress} | {"": 0}
    late: list[Overdue] = []
    submitted = 0
    for plan in tracked_plans:
        report = reports.get(plan.id)
        if report_status(report) in (ReportStatus.SUBMITTED, ReportStatus.CHANGED):
            submitted += 1
        for n, m in measures(plan, done_before.get(plan.id, frozenset())):
            entry = report.entry(m.id) if report else None
            counts[entry.status.value if entry and entry.status else ""] += 1
            days = overdue(m, entry, today)
            if days:
                late.append(
                    Overdue(
                        agency=plan.agency.name,
                        number=f"{n}.{m.position}",
                        content=m.content,
                        lead_unit=m.lead_unit,
                        days=days,
                    )
                )
    late.sort(key=lambda o: -o.days)
    return Execution(
        tracked=len(tracked_plans), submitted=submitted, by_status=counts, overdue=tuple(late)
    )


class Due(Value):
    number: str  # "1.2"
    content: str
    due: dt.date


class Nudge(Value):
    """What one agency is reminded of on one day: measures coming due, measures overdue, and
    the period's report if it is due soon or late and not submitted."""

    coming: tuple[Due, ...] = ()
    overdue: tuple[Due, ...] = ()
    report_due: dt.date | None = None
    answers: tuple[Due, ...] = ()  # proposals this agency must answer, due soon or overdue

    def __bool__(self) -> bool:
        return bool(self.coming or self.overdue or self.report_due or self.answers)


def nudge(
    plan: Plan,
    report: Report | None,
    done_before: frozenset[int],
    period: Period | None,
    today: dt.date,
    days_before: tuple[int, ...],
) -> Nudge:
    """The nudge for ``today``: a measure is named on the days ``days_before`` its due date (the
    new date proposed for it, if any) and every day once it is overdue; the report, on those
    days before the period's due date and every day after it until it is submitted."""
    if not tracked(plan):
        return Nudge()
    coming, late = [], []
    for n, m in measures(plan, done_before):
        entry = report.entry(m.id) if report else None
        if entry is not None and entry.status is Progress.DONE:
            continue
        due = (entry.new_due if entry and entry.new_due else None) or m.due_date
        if due is None:
            continue
        left = (due - today).days
        item = Due(number=f"{n}.{m.position}", content=m.content, due=due)
        if left < 0:
            late.append(item)
        elif left in days_before:
            coming.append(item)
    report_due = None
    if period is not None and report_status(report) in (
        ReportStatus.NOT_STARTED,
        ReportStatus.IN_PROGRESS,
        ReportStatus.RETURNED,
    ):
        left = (period.due - today).days
        if left < 0 or left in days_before:
            report_due = period.due
    return Nudge(coming=tuple(coming), overdue=tuple(late), report_due=report_due)
