"""Plans, answers (objectives), measures and the immutable submissions."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from db.base import Repository, day, from_iso, iso
from domain.model import Agency, Measure, Plan, Shortcoming, SubmissionInfo

MEASURE_FIELDS = ("content", "lead_unit", "partners", "timeline", "output")


class Submission(BaseModel):
    id: int
    plan_id: int
    version: int
    submitted_at: dt.datetime
    submitted_by: int
    late_days: int
    measures: int
    snapshot: Plan


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One agency of a report: its plan's counters and latest submission (snapshot as text)."""

    agency_id: int
    code: str
    name: str
    revision: int
    submitted_revision: int | None
    returned: bool
    version: int | None
    submitted_at: dt.datetime | None
    late_days: int
    snapshot: str | None


class Location(BaseModel):
    """Where a plan, an item or a measure belongs."""

    plan_id: int
    campaign_id: int
    agency_id: int
    assignment_id: int | None = None
    deleted: bool = False


_PLAN_SQL = (
    "SELECT p.id, p.campaign_id, p.revision, p.submitted_revision, p.updated_at, p.returned_at,"
    " p.return_reason, a.id AS agency_id, a.code, a.name FROM plans p"
    " JOIN agencies a ON a.id = p.agency_id"
)


class PlanRepo(Repository):
    async def plan(self, campaign_id: int, agency_id: int) -> Plan | None:
        row = await self._one(
            _PLAN_SQL + " WHERE p.campaign_id = ? AND p.agency_id = ?", (campaign_id, agency_id)
        )
        return await self._build(row) if row else None

    async def plans(
        self, campaign_id: int, agency_ids: tuple[int, ...] | None = None
    ) -> list[Plan]:
        """Every plan of the campaign (or of ``agency_ids``), in the campaign's agency order;
        four queries in all, whatever the number of plans."""
        only = ""
        params: tuple[int, ...] = (campaign_id,)
        if agency_ids is not None:
            only = f" AND p.agency_id IN ({','.join('?' * len(agency_ids)) or 'NULL'})"
            params = (campaign_id, *agency_ids)
        rows = await self._all(
            _PLAN_SQL + " JOIN campaign_agencies ca ON ca.campaign_id = p.campaign_id"
            " AND ca.agency_id = p.agency_id WHERE p.campaign_id = ?"
            + only
            + " ORDER BY ca.position",
            params,
        )
        items = await self._all(
            "SELECT s.plan_id, s.id, i.key, i.group_no, i.position, i.text, s.objective"
            " FROM assignments s JOIN items i ON i.id = s.item_id JOIN plans p ON p.id = s.plan_id"
            " WHERE p.campaign_id = ? AND s.active = 1" + only + " ORDER BY s.plan_id, i.position",
            params,
        )
        measures = await self._all(
            "SELECT m.* FROM measures m JOIN assignments s ON s.id = m.assignment_id"
            " JOIN plans p ON p.id = s.plan_id WHERE p.campaign_id = ? AND m.deleted_at IS NULL"
            + only
            + " ORDER BY m.assignment_id, m.position",
            params,
        )
        latest = await self._all(
            "SELECT s.plan_id, s.version, s.revision, s.submitted_at, s.late_days, s.measures"
            " FROM submissions s JOIN plans p ON p.id = s.plan_id WHERE p.campaign_id = ?"
            + only
            + " AND s.version = (SELECT MAX(version) FROM submissions WHERE plan_id = s.plan_id)",
            params,
        )
        items_by_plan: dict[int, list[Any]] = {}
        for i in items:
            items_by_plan.setdefault(i["plan_id"], []).append(i)
        by_item: dict[int, list[Measure]] = {}
        for m in measures:
            by_item.setdefault(m["assignment_id"], []).append(_measure(m))
        last_by_plan = {r["plan_id"]: r for r in latest}
        return [
            _plan(r, items_by_plan.get(r["id"], []), by_item, last_by_plan.get(r["id"]))
            for r in rows
        ]

    async def _build(self, row: Any) -> Plan:
        items = await self._all(
            "SELECT s.id, i.key, i.group_no, i.position, i.text, s.objective FROM assignments s"
            " JOIN items i ON i.id = s.item_id WHERE s.plan_id = ? AND s.active = 1"
            " ORDER BY i.position",
            (row["id"],),
        )
        measures = await self._all(
            "SELECT m.* FROM measures m JOIN assignments s ON s.id = m.assignment_id"
            " WHERE s.plan_id = ? AND m.deleted_at IS NULL ORDER BY m.assignment_id, m.position",
            (row["id"],),
        )
        by_item: dict[int, list[Measure]] = {}
        for m in measures:
            by_item.setdefault(m["assignment_id"], []).append(_measure(m))
        last = await self._one(
            "SELECT version, revision, submitted_at, late_days, measures FROM submissions"
            " WHERE plan_id = ? ORDER BY version DESC LIMIT 1",
            (row["id"],),
        )
        return _plan(row, items, by_item, last)

    async def report_rows(self, campaign_id: int) -> list[ReportRow]:
        """Every agency with something to answer, in the campaign's order, with its plan's
        counters and its latest submitted snapshot as stored (JSON text, parsed by the reader
        one agency at a time: a national campaign is never all in memory as objects)."""
        rows = await self._all(
            "SELECT a.id, a.code, a.name, p.revision, p.submitted_revision,"
            " p.returned_at IS NOT NULL AS returned, s.version, s.submitted_at, s.late_days,"
            " s.snapshot FROM campaign_agencies ca JOIN agencies a ON a.id = ca.agency_id"
            " JOIN plans p ON p.campaign_id = ca.campaign_id AND p.agency_id = ca.agency_id"
            " LEFT JOIN submissions s ON s.plan_id = p.id AND s.version ="
            " (SELECT MAX(version) FROM submissions WHERE plan_id = p.id)"
            " WHERE ca.campaign_id = ? AND EXISTS (SELECT 1 FROM assignments x"
            " WHERE x.plan_id = p.id AND x.active = 1) ORDER BY ca.position",
            (campaign_id,),
        )
        return [
            ReportRow(
                agency_id=r[0],
                code=r[1],
                name=r[2],
                revision=r[3],
                submitted_revision=r[4],
                returned=bool(r[5]),
                version=r[6],
                submitted_at=from_iso(r[7]),
                late_days=r[8] or 0,
                snapshot=r[9],
            )
            for r in rows
        ]

    async def touch(self, plan_id: int, at: dt.datetime) -> None:
        """Every change to a plan bumps its revision: a submitted plan becomes 'changed'."""
        await self._run(
            "UPDATE plans SET revision = revision + 1, updated_at = ? WHERE id = ?",
            (iso(at), plan_id),
        )

    async def last_snapshot(self, plan_id: int) -> Plan | None:
        """The plan as its latest version was submitted."""
        row = await self._one(
            "SELECT snapshot FROM submissions WHERE plan_id = ? ORDER BY version DESC LIMIT 1",
            (plan_id,),
        )
        return Plan.model_validate_json(row[0]) if row else None

    async def same_as_submitted(self, plan_id: int, revision: int) -> None:
        """The plan at ``revision`` says what its latest version says: submitted again."""
        await self._run(
            "UPDATE plans SET submitted_revision = ? WHERE id = ? AND submitted_revision IS NOT NULL",
            (revision, plan_id),
        )

    async def set_objective(self, assignment_id: int, text: str) -> None:
        await self._run("UPDATE assignments SET objective = ? WHERE id = ?", (text, assignment_id))

    async def add_measure(self, assignment_id: int, content: str, at: dt.datetime) -> int:
        row = await self._one(
            "SELECT COALESCE(MAX(position), 0) + 1 FROM measures WHERE assignment_id = ?"
            " AND deleted_at IS NULL",
            (assignment_id,),
        )
        position = int(row[0]) if row else 1
        return await self._run(
            "INSERT INTO measures (assignment_id, position, content, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (assignment_id, position, content, iso(at), iso(at)),
        )

    async def update_measure(self, measure_id: int, at: dt.datetime, **fields: Any) -> None:
        sets, params = [], []
        for name, value in fields.items():
            if name not in (*MEASURE_FIELDS, "due_date", "recurring"):
                raise ValueError(f"unknown measure field {name}")
            if name == "partners" and value is not None:
                value = json.dumps(list(value), ensure_ascii=False)
            if name == "due_date" and value is not None:
                value = value.isoformat()
            sets.append(f"{name} = ?")
            params.append(value)
        await self._run(
            f"UPDATE measures SET {', '.join(sets)}, updated_at = ? WHERE id = ?",
            (*params, iso(at), measure_id),
        )

    async def delete_measure(self, measure_id: int, at: dt.datetime) -> None:
        """Mark the measure deleted (its id is never reused) and close the gap in positions."""
        row = await self._one(
            "SELECT assignment_id, position FROM measures WHERE id = ? AND deleted_at IS NULL",
            (measure_id,),
        )
        if row is None:
            return
        await self._run(
            "UPDATE measures SET deleted_at = ?, updated_at = ? WHERE id = ?",
            (iso(at), iso(at), measure_id),
        )
        await self._run(
            "UPDATE measures SET position = position - 1 WHERE assignment_id = ? AND position > ?"
            " AND deleted_at IS NULL",
            (row["assignment_id"], row["position"]),
        )

    async def locate(self, what: str, ident: int) -> Location | None:
        """Whose is this plan, item (assignment) or measure: for checking a button's ids."""
        sql = {
            "plan": "SELECT p.id AS plan_id, p.campaign_id, p.agency_id, NULL AS assignment_id,"
            " NULL AS deleted_at FROM plans p WHERE p.id = ?",
            "assignment": "SELECT p.id AS plan_id, p.campaign_id, p.agency_id,"
            " s.id AS assignment_id, CASE WHEN s.active THEN NULL ELSE 'inactive' END AS deleted_at"
            " FROM assignments s JOIN plans p ON p.id = s.plan_id WHERE s.id = ?",
            "measure": "SELECT p.id AS plan_id, p.campaign_id, p.agency_id, m.assignment_id,"
            " m.deleted_at FROM measures m JOIN assignments s ON s.id = m.assignment_id"
            " JOIN plans p ON p.id = s.plan_id WHERE m.id = ?",
        }[what]
        row = await self._one(sql, (ident,))
        if row is None:
            return None
        return Location(
            plan_id=row["plan_id"],
            campaign_id=row["campaign_id"],
            agency_id=row["agency_id"],
            assignment_id=row["assignment_id"],
            deleted=row["deleted_at"] is not None,
        )

    async def submit(
        self, plan: Plan, user_id: int, at: dt.datetime, late_days: int, measures: int
    ) -> int:
        """Record an immutable snapshot as the next version; returns the version."""
        row = await self._one(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM submissions WHERE plan_id = ?", (plan.id,)
        )
        version = int(row[0]) if row else 1
        await self._run(
            "INSERT INTO submissions (plan_id, version, revision, submitted_at, submitted_by,"
            " late_days, measures, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                plan.id,
                version,
                plan.revision,
                iso(at),
                user_id,
                late_days,
                measures,
                plan.model_dump_json(),
            ),
        )
        await self._run(
            "UPDATE plans SET submitted_revision = ?, returned_at = NULL, return_reason = NULL"
            " WHERE id = ?",
            (plan.revision, plan.id),
        )
        return version

    async def return_plan(self, plan_id: int, reason: str, at: dt.datetime) -> None:
        await self._run(
            "UPDATE plans SET returned_at = ?, return_reason = ? WHERE id = ?",
            (iso(at), reason, plan_id),
        )

    async def latest_submissions(self, campaign_id: int) -> dict[int, Submission]:
        """The latest submitted version of each plan of the campaign, by agency id."""
        rows = await self._all(
            "SELECT s.*, p.agency_id FROM submissions s JOIN plans p ON p.id = s.plan_id"
            " WHERE p.campaign_id = ? AND s.version = (SELECT MAX(version) FROM submissions"
            " WHERE plan_id = s.plan_id)",
            (campaign_id,),
        )
        return {int(r["agency_id"]): _submission(r) for r in rows}

    async def submitted_since(
        self, campaign_id: int, since: dt.datetime | None
    ) -> list[Submission]:
        rows = await self._all(
            "SELECT s.* FROM submissions s JOIN plans p ON p.id = s.plan_id"
            " WHERE p.campaign_id = ? AND s.submitted_at > ? ORDER BY s.submitted_at",
            (campaign_id, iso(since) if since else ""),
        )
        return [_submission(r) for r in rows]

    async def submissions(self, plan_id: int) -> list[Submission]:
        rows = await self._all(
            "SELECT * FROM submissions WHERE plan_id = ? ORDER BY version", (plan_id,)
        )
        return [_submission(r) for r in rows]


def _submission(r: Any) -> Submission:
    return Submission(
        id=r["id"],
        plan_id=r["plan_id"],
        version=r["version"],
        submitted_at=from_iso(r["submitted_at"]),
        submitted_by=r["submitted_by"],
        late_days=r["late_days"],
        measures=r["measures"],
        snapshot=Plan.model_validate_json(r["snapshot"]),
    )


def _plan(row: Any, items: list[Any], by_item: dict[int, list[Measure]], last: Any) -> Plan:
    return Plan(
        id=row["id"],
        campaign_id=row["campaign_id"],
        agency=Agency(id=row["agency_id"], code=row["code"], name=row["name"]),
        revision=row["revision"],
        submitted_revision=row["submitted_revision"],
        updated_at=from_iso(row["updated_at"]),
        returned_at=from_iso(row["returned_at"]),
        return_reason=row["return_reason"],
        last_submission=SubmissionInfo(
            version=last["version"],
            revision=last["revision"],
            submitted_at=from_iso(last["submitted_at"]),
            late_days=last["late_days"],
            measures=last["measures"],
        )
        if last
        else None,
        shortcomings=tuple(
            Shortcoming(
                assignment_id=i["id"],
                key=i["key"],
                group=i["group_no"],
                position=i["position"],
                text=i["text"],
                objective=i["objective"],
                measures=tuple(by_item.get(i["id"], ())),
            )
            for i in items
        ),
    )


def _measure(row: Any) -> Measure:
    partners = row["partners"]
    return Measure(
        id=row["id"],
        position=row["position"],
        content=row["content"],
        lead_unit=row["lead_unit"],
        partners=tuple(json.loads(partners)) if partners is not None else None,
        timeline=row["timeline"],
        due_date=day(row["due_date"]),
        recurring=bool(row["recurring"]),
        output=row["output"],
    )
