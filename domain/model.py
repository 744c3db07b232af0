"""The plan as the rules see it: plain pydantic values, no I/O."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    FOCAL = "dau-moi"
    CONSOLIDATOR = "tong-hop"
    ADMIN = "quan-tri"


class Value(BaseModel):
    model_config = ConfigDict(frozen=True)


class Agency(Value):
    id: int
    code: str
    name: str


class Measure(Value):
    """One task / solution (nhiệm vụ, giải pháp) with its lead unit and timeline."""

    id: int
    position: int
    content: str
    lead_unit: str | None = None
    partners: tuple[str, ...] | None = None
    timeline: str | None = None
    due_date: dt.date | None = None
    recurring: bool = False
    output: str | None = None


class Shortcoming(Value):
    """An agency's own copy of one shortcoming of the directive, with its answer."""

    assignment_id: int
    key: str
    group: int
    position: int
    text: str
    objective: str | None = None
    measures: tuple[Measure, ...] = ()


class SubmissionInfo(Value):
    version: int
    revision: int
    submitted_at: dt.datetime
    late_days: int
    measures: int


class Plan(Value):
    """An agency's plan in one campaign, with its submission state."""

    id: int
    campaign_id: int
    agency: Agency
    revision: int
    submitted_revision: int | None = None
    updated_at: dt.datetime | None = None
    returned_at: dt.datetime | None = None
    return_reason: str | None = None
    last_submission: SubmissionInfo | None = None
    shortcomings: tuple[Shortcoming, ...] = ()

    def shortcoming(self, assignment_id: int) -> Shortcoming | None:
        return next((s for s in self.shortcomings if s.assignment_id == assignment_id), None)

    def measure(self, measure_id: int) -> tuple[Shortcoming, Measure] | None:
        for s in self.shortcomings:
            for m in s.measures:
                if m.id == measure_id:
                    return s, m
        return None
