"""Proposals and obstacles (kiến nghị, đề xuất): filed by an agency, routed by the consolidator
to the department that must answer, answered by that department, within a deadline.

Plain values and rules; no chat, no database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from enum import StrEnum

from domain.model import Value
from domain.progress import Due


class Answer(StrEnum):
    RESOLVED = "resolved"  # đã giải quyết
    IN_PROGRESS = "in_progress"  # đang xử lý, dự kiến ...
    DECLINED = "declined"  # giải trình không thực hiện được


class State(StrEnum):
    DRAFT = "draft"  # being written
    FILED = "filed"  # waiting for the consolidator to route it
    ROUTED = "routed"  # waiting for the department's answer
    ANSWERED = "answered"


class Proposal(Value):
    id: int
    campaign_id: int
    number: int | None  # given when filed: "kiến nghị số 12"
    from_agency_id: int
    from_code: str
    from_name: str
    field: str
    content: str | None = None
    asked_agency_id: int | None = None  # the department the proposer asks
    asked_code: str | None = None
    asked_name: str | None = None
    responsible_agency_id: int | None = None  # the department the consolidator confirmed
    responsible_code: str | None = None
    responsible_name: str | None = None
    period: str | None = None  # filed inside that period's progress report
    filed_at: dt.datetime | None = None
    routed_at: dt.datetime | None = None
    due_date: dt.date | None = None
    answer: Answer | None = None
    answer_text: str | None = None
    expected_text: str | None = None
    expected: dt.date | None = None
    answered_at: dt.datetime | None = None
    revision: int = 0  # bumped by every change once filed

    @property
    def state(self) -> State:
        if self.filed_at is None:
            return State.DRAFT
        if self.responsible_agency_id is None:
            return State.FILED
        if self.answered_at is None:
            return State.ROUTED
        return State.ANSWERED


class AnswerDraft(Value):
    """An answer being written by a focal person of the responsible department: it lives in
    their conversation and reaches the proposal only whole, and only if the proposal is still
    with ``agency_id`` at ``revision``."""

    proposal_id: int
    agency_id: int
    revision: int
    kind: Answer
    text: str | None = None


def due_date(routed_on: dt.date, answer_days: int) -> dt.date:
    return routed_on + dt.timedelta(days=answer_days)


def overdue_days(p: Proposal, today: dt.date) -> int:
    """Days an answer is late (0 when answered, not yet due, or not yet routed)."""
    if p.state is not State.ROUTED or p.due_date is None:
        return 0
    return max(0, (today - p.due_date).days)


class Tally(Value):
    """Proposals at a glance: by state, and by field and by responsible department."""

    filed: int = 0  # waiting to be routed
    routed: int = 0  # waiting for an answer
    answered: int = 0
    overdue: int = 0
    by_field: tuple[tuple[str, int, int, int], ...] = ()  # field, total, answered, overdue
    by_department: tuple[tuple[str, int, int, int], ...] = ()  # name, total, answered, overdue


def tally(proposals: list[Proposal], today: dt.date) -> Tally:
    live = [p for p in proposals if p.state is not State.DRAFT]
    states = Counter(p.state for p in live)

    def group(key: str) -> tuple[tuple[str, int, int, int], ...]:
        totals: dict[str, list[int]] = {}
        for p in live:
            name = p.field if key == "field" else p.responsible_name
            if name is None:
                continue
            t = totals.setdefault(name, [0, 0, 0])
            t[0] += 1
            t[1] += p.state is State.ANSWERED
            t[2] += overdue_days(p, today) > 0
        return tuple((k, *v) for k, v in sorted(totals.items(), key=lambda kv: -kv[1][0]))  # type: ignore[misc]

    return Tally(
        filed=states[State.FILED],
        routed=states[State.ROUTED],
        answered=states[State.ANSWERED],
        overdue=sum(1 for p in live if overdue_days(p, today)),
        by_field=group("field"),
        by_department=group("department"),
    )


def answers_due(
    proposals: list[Proposal], today: dt.date, days_before: tuple[int, ...]
) -> dict[int, tuple[Due, ...]]:
    """By responsible agency: the proposals it has not answered, on the days ``days_before``
    their deadline and every day after it (the follow-through's nudges name them)."""
    out: dict[int, list[Due]] = {}
    for p in proposals:
        if p.state is not State.ROUTED or p.due_date is None or p.responsible_agency_id is None:
            continue
        left = (p.due_date - today).days
        if left < 0 or left in days_before:
            due = Due(number=str(p.number), content=p.content or "", due=p.due_date)
            out.setdefault(p.responsible_agency_id, []).append(due)
    return {k: tuple(v) for k, v in out.items()}
