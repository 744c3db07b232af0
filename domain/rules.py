"""What a complete plan is, and the status of a plan."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from domain.model import Measure, Plan, Shortcoming


class Gap(StrEnum):
    NO_OBJECTIVE = "no_objective"
    NO_MEASURE = "no_measure"
    NO_LEAD = "no_lead"
    NO_TIMELINE = "no_timeline"


@dataclass(frozen=True)
class Missing:
    """One thing still missing: in shortcoming ``index`` (1-based), maybe in one measure."""

    index: int
    gap: Gap
    measure: int | None = None


class ItemState(StrEnum):
    EMPTY = "empty"
    PARTIAL = "partial"
    COMPLETE = "complete"


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    READY = "ready"  # complete, never submitted
    SUBMITTED = "submitted"
    CHANGED = "changed"  # edited since the last submission
    RETURNED = "returned"  # returned for revision by the consolidator


def measure_gaps(measure: Measure) -> list[Gap]:
    gaps = []
    if not measure.lead_unit:
        gaps.append(Gap.NO_LEAD)
    if not measure.timeline:
        gaps.append(Gap.NO_TIMELINE)
    return gaps


def shortcoming_gaps(index: int, item: Shortcoming) -> list[Missing]:
    out = []
    if not (item.objective or "").strip():
        out.append(Missing(index, Gap.NO_OBJECTIVE))
    if not item.measures:
        out.append(Missing(index, Gap.NO_MEASURE))
    for m in item.measures:
        out.extend(Missing(index, g, m.position) for g in measure_gaps(m))
    return out


def missing(plan: Plan) -> list[Missing]:
    """Everything that stands between the plan and a submission, in the directive's order."""
    out: list[Missing] = []
    for index, item in enumerate(plan.shortcomings, start=1):
        out.extend(shortcoming_gaps(index, item))
    return out


def item_state(item: Shortcoming) -> ItemState:
    if not shortcoming_gaps(1, item):
        return ItemState.COMPLETE
    if item.objective or item.measures:
        return ItemState.PARTIAL
    return ItemState.EMPTY


def complete_count(plan: Plan) -> int:
    return sum(1 for s in plan.shortcomings if item_state(s) is ItemState.COMPLETE)


def status(plan: Plan) -> Status:
    if plan.returned_at is not None:  # cleared by the next submission
        return Status.RETURNED
    if plan.submitted_revision is not None:
        return Status.SUBMITTED if plan.submitted_revision == plan.revision else Status.CHANGED
    if all(item_state(s) is ItemState.EMPTY for s in plan.shortcomings):
        return Status.NOT_STARTED
    return Status.READY if not missing(plan) else Status.IN_PROGRESS


def late_days(submitted_on: dt.date, due: dt.date) -> int:
    """Whole days after the deadline (0 when on time; the deadline day itself is on time)."""
    return max(0, (submitted_on - due).days)


def measure_count(plan: Plan) -> int:
    return sum(len(s.measures) for s in plan.shortcomings)


def _content(plan: Plan) -> list[tuple[object, ...]]:
    """What a plan says, without its ids and times: items by position, measures in order."""
    return [
        (
            item.key,
            (item.objective or "").strip(),
            tuple(
                (m.content, m.lead_unit, tuple(m.partners or ()), m.timeline, m.output)
                for m in item.measures
            ),
        )
        for item in plan.shortcomings
    ]


def same_content(plan: Plan, submitted: Plan) -> bool:
    """The plan says again exactly what a submitted version said (a change undone): it is that
    version, not a change to submit again."""
    return _content(plan) == _content(submitted)
