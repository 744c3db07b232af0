"""The consolidator's view of a campaign: each agency's status, counts, who is late."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from domain import rules
from domain.clarity import Checker, plan_findings
from domain.model import Agency, Plan
from domain.rules import Status


@dataclass(frozen=True)
class AgencyStatus:
    agency: Agency
    plan: Plan
    status: Status
    done: int
    total: int
    focal: tuple[str, ...] = ()
    blocked: tuple[str, ...] = ()
    unclear: int = 0  # measures the "6 rõ" review has advice on

    @property
    def has_submission(self) -> bool:
        return self.plan.last_submission is not None

    @property
    def needs_reminder(self) -> bool:
        """Not submitted, or returned for revision: the agency still owes a plan."""
        return self.status not in (Status.SUBMITTED, Status.CHANGED)


@dataclass(frozen=True)
class Overview:
    rows: tuple[AgencyStatus, ...]
    plans_due: dt.date
    today: dt.date
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def submitted(self) -> list[AgencyStatus]:
        return [r for r in self.rows if not r.needs_reminder]

    @property
    def owing(self) -> list[AgencyStatus]:
        return [r for r in self.rows if r.needs_reminder]

    @property
    def not_started(self) -> list[AgencyStatus]:
        return [r for r in self.rows if r.status is Status.NOT_STARTED]

    @property
    def in_progress(self) -> list[AgencyStatus]:
        return [r for r in self.owing if r.status is not Status.NOT_STARTED]

    @property
    def submitted_late(self) -> list[tuple[AgencyStatus, int]]:
        """Agencies whose plan in force was submitted after the deadline, with the days late."""
        out = []
        for r in self.rows:
            sub = r.plan.last_submission
            if sub and sub.late_days and not r.needs_reminder:
                out.append((r, sub.late_days))
        return out

    @property
    def overdue(self) -> list[AgencyStatus]:
        """Agencies still owing a plan once the deadline has passed."""
        if self.today <= self.plans_due:
            return []
        return [r for r in self.rows if r.needs_reminder]

    @property
    def late(self) -> list[AgencyStatus]:
        """Late: submitted after the deadline, or still owing once it has passed."""
        out = []
        for r in self.rows:
            sub = r.plan.last_submission
            if (sub and sub.late_days) or (r.needs_reminder and self.today > self.plans_due):
                out.append(r)
        return out


def overview(
    plans: list[Plan],
    people: dict[int, list[tuple[str, bool]]],
    plans_due: dt.date,
    today: dt.date,
    checker: Checker | None = None,
) -> Overview:
    """``people`` maps an agency id to its focal persons as (name, blocked the bot); with a
    ``checker``, each agency's measures are reviewed for the "6 rõ"."""
    rows = []
    for plan in plans:
        if not plan.shortcomings:
            continue  # an agency of the campaign with nothing assigned (e.g. the consolidator)
        persons = people.get(plan.agency.id, [])
        rows.append(
            AgencyStatus(
                agency=plan.agency,
                plan=plan,
                status=rules.status(plan),
                done=rules.complete_count(plan),
                total=len(plan.shortcomings),
                focal=tuple(name for name, _ in persons),
                blocked=tuple(name for name, blocked in persons if blocked),
                unclear=len(plan_findings(checker, plan)) if checker is not None else 0,
            )
        )
    return Overview(rows=tuple(rows), plans_due=plans_due, today=today)
