"""Progress reports: one per plan and period, an entry per measure, immutable versions."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from db.base import Repository, day, from_iso, iso
from db.plans import Location
from domain.progress import Entry, Progress, Report

_FIELDS = ("status", "result", "reason", "new_due_text", "new_due")


class ProgressRepo(Repository):
    async def report(self, plan_id: int, period: str) -> Report | None:
        row = await self._one(
            "SELECT r.*, s.version, s.submitted_at FROM period_reports r LEFT JOIN"
            " period_submissions s ON s.report_id = r.id AND s.version = (SELECT MAX(version)"
            " FROM period_submissions WHERE report_id = r.id) WHERE r.plan_id = ? AND r.period = ?",
            (plan_id, period),
        )
        if row is None:
            return None
        entries = await self._all(
            "SELECT * FROM progress WHERE report_id = ? ORDER BY measure_id", (row["id"],)
        )
        return _report(row, entries)

    async def locate(self, report_id: int) -> tuple[Location, str] | None:
        """Whose report it is (to check a button against the person), and its period."""
        row = await self._one(
            "SELECT r.plan_id, r.period, p.campaign_id, p.agency_id FROM period_reports r"
            " JOIN plans p ON p.id = r.plan_id WHERE r.id = ?",
            (report_id,),
        )
        if row is None:
            return None
        where = Location(
            plan_id=row["plan_id"],
            campaign_id=row["campaign_id"],
            agency_id=row["agency_id"],
            assignment_id=None,
            deleted=False,
        )
        return where, str(row["period"])

    async def ensure(self, plan_id: int, period: str) -> Report:
        """The report of that plan and period, created empty on first use."""
        await self._run(
            "INSERT INTO period_reports (plan_id, period) VALUES (?, ?)"
            " ON CONFLICT(plan_id, period) DO NOTHING",
            (plan_id, period),
        )
        found = await self.report(plan_id, period)
        assert found is not None
        return found

    async def reports(self, campaign_id: int, period: str) -> dict[int, Report]:
        """Every report of the period in the campaign, by plan id (three queries)."""
        rows = await self._all(
            "SELECT r.*, s.version, s.submitted_at FROM period_reports r"
            " JOIN plans p ON p.id = r.plan_id LEFT JOIN period_submissions s"
            " ON s.report_id = r.id AND s.version = (SELECT MAX(version) FROM period_submissions"
            " WHERE report_id = r.id) WHERE p.campaign_id = ? AND r.period = ?",
            (campaign_id, period),
        )
        entries = await self._all(
            "SELECT e.* FROM progress e JOIN period_reports r ON r.id = e.report_id"
            " JOIN plans p ON p.id = r.plan_id WHERE p.campaign_id = ? AND r.period = ?"
            " ORDER BY e.report_id, e.measure_id",
            (campaign_id, period),
        )
        by_report: dict[int, list[Any]] = {}
        for e in entries:
            by_report.setdefault(e["report_id"], []).append(e)
        return {int(r["plan_id"]): _report(r, by_report.get(r["id"], [])) for r in rows}

    async def document_rows(self, campaign_id: int) -> list[Any]:
        """Every measure of every plan followed through (submitted, not returned: the rule of
        ``domain.progress.tracked``, in SQL so that 38,000 measures are read without building
        plans), in the campaign's order, with its item's number in its agency's plan."""
        return await self._all(
            "WITH numbered AS (SELECT s.id, s.plan_id, ROW_NUMBER() OVER (PARTITION BY s.plan_id"
            " ORDER BY i.position) AS n FROM assignments s JOIN items i ON i.id = s.item_id"
            " JOIN plans p ON p.id = s.plan_id WHERE p.campaign_id = ? AND s.active = 1)"
            " SELECT p.id AS plan_id, a.name AS agency, x.n, m.id, m.position, m.content,"
            " m.lead_unit, m.timeline, m.due_date, m.recurring FROM campaign_agencies ca"
            " JOIN agencies a ON a.id = ca.agency_id"
            " JOIN plans p ON p.campaign_id = ca.campaign_id AND p.agency_id = ca.agency_id"
            " JOIN numbered x ON x.plan_id = p.id"
            " JOIN measures m ON m.assignment_id = x.id AND m.deleted_at IS NULL"
            " WHERE ca.campaign_id = ? AND p.returned_at IS NULL"
            " AND EXISTS (SELECT 1 FROM submissions WHERE plan_id = p.id)"
            " ORDER BY ca.position, x.n, m.position",
            (campaign_id, campaign_id),
        )

    async def submitted_entries(
        self, campaign_id: int, period: str
    ) -> dict[int, dict[int, dict[str, Any]]]:
        """The entries of each plan's latest submitted report of the period, as plain values:
        plan id → measure id → entry (JSON of the snapshot, not validated models: 38,000)."""
        rows = await self._all(
            "SELECT r.plan_id, s.snapshot FROM period_submissions s"
            " JOIN period_reports r ON r.id = s.report_id JOIN plans p ON p.id = r.plan_id"
            " WHERE p.campaign_id = ? AND r.period = ? AND s.version = (SELECT MAX(version)"
            " FROM period_submissions WHERE report_id = s.report_id)",
            (campaign_id, period),
        )
        return {
            int(r["plan_id"]): {e["measure_id"]: e for e in json.loads(r["snapshot"])["entries"]}
            for r in rows
        }

    async def agreed_dates(
        self, campaign_id: int, periods: tuple[str, ...]
    ) -> dict[tuple[int, int], dt.date]:
        """(plan id, measure id) → the new date proposed in the latest submitted report of the
        ``periods`` (in their order: a later period's date replaces an earlier one), in one
        query."""
        if not periods:
            return {}
        marks = ",".join("?" * len(periods))
        rows = await self._all(
            "SELECT r.plan_id, r.period, s.snapshot FROM period_submissions s"
            " JOIN period_reports r ON r.id = s.report_id JOIN plans p ON p.id = r.plan_id"
            f" WHERE p.campaign_id = ? AND r.period IN ({marks}) AND s.version = (SELECT"
            " MAX(version) FROM period_submissions WHERE report_id = s.report_id)",
            (campaign_id, *periods),
        )
        order = {key: k for k, key in enumerate(periods)}
        out: dict[tuple[int, int], dt.date] = {}
        for r in sorted(rows, key=lambda r: order[r["period"]]):
            for e in json.loads(r["snapshot"])["entries"]:
                if e.get("new_due"):
                    out[(int(r["plan_id"]), e["measure_id"])] = dt.date.fromisoformat(e["new_due"])
        return out

    async def done_before(self, plan_id: int, periods: tuple[str, ...]) -> frozenset[int]:
        """Measures reported done in the submitted versions of earlier ``periods``."""
        if not periods:
            return frozenset()
        marks = ",".join("?" * len(periods))
        rows = await self._all(
            "SELECT e.measure_id FROM progress e JOIN period_reports r ON r.id = e.report_id"
            f" WHERE r.plan_id = ? AND r.period IN ({marks}) AND r.submitted_revision IS NOT NULL"
            " AND e.status = 'done'",
            (plan_id, *periods),
        )
        return frozenset(int(r[0]) for r in rows)

    async def done_before_all(
        self, campaign_id: int, periods: tuple[str, ...]
    ) -> dict[int, frozenset[int]]:
        """:meth:`done_before` for every plan of the campaign at once, by plan id."""
        if not periods:
            return {}
        marks = ",".join("?" * len(periods))
        rows = await self._all(
            "SELECT r.plan_id, e.measure_id FROM progress e JOIN period_reports r"
            " ON r.id = e.report_id JOIN plans p ON p.id = r.plan_id WHERE p.campaign_id = ?"
            f" AND r.period IN ({marks}) AND r.submitted_revision IS NOT NULL"
            " AND e.status = 'done'",
            (campaign_id, *periods),
        )
        out: dict[int, set[int]] = {}
        for r in rows:
            out.setdefault(int(r[0]), set()).add(int(r[1]))
        return {k: frozenset(v) for k, v in out.items()}

    async def set(self, report_id: int, measure_id: int, at: dt.datetime, **fields: Any) -> None:
        """Store some fields of one measure's entry; the report's revision moves on."""
        unknown = set(fields) - set(_FIELDS)
        if unknown:
            raise ValueError(f"unknown progress fields: {sorted(unknown)}")
        values = {
            k: (
                v.value
                if isinstance(v, Progress)
                else v.isoformat()
                if isinstance(v, dt.date)
                else v
            )
            for k, v in fields.items()
        }
        names = list(values)
        await self._run(
            f"INSERT INTO progress (report_id, measure_id, {', '.join(names)}, updated_at)"
            f" VALUES (?, ?, {', '.join('?' * len(names))}, ?) ON CONFLICT(report_id, measure_id)"
            f" DO UPDATE SET {', '.join(f'{n} = excluded.{n}' for n in names)},"
            " updated_at = excluded.updated_at",
            (report_id, measure_id, *values.values(), iso(at)),
        )
        await self._run(
            "UPDATE period_reports SET revision = revision + 1, updated_at = ? WHERE id = ?",
            (iso(at), report_id),
        )

    async def submit(self, report: Report, user_id: int, at: dt.datetime, late_days: int) -> int:
        """Record an immutable snapshot as the next version; returns the version."""
        row = await self._one(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM period_submissions WHERE report_id = ?",
            (report.id,),
        )
        version = int(row[0]) if row else 1
        await self._run(
            "INSERT INTO period_submissions (report_id, version, revision, submitted_at,"
            " submitted_by, late_days, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                report.id,
                version,
                report.revision,
                iso(at),
                user_id,
                late_days,
                report.model_dump_json(),
            ),
        )
        await self._run(
            "UPDATE period_reports SET submitted_revision = ?, returned_at = NULL,"
            " return_reason = NULL WHERE id = ?",
            (report.revision, report.id),
        )
        return version

    async def return_report(self, report_id: int, reason: str, at: dt.datetime) -> None:
        await self._run(
            "UPDATE period_reports SET returned_at = ?, return_reason = ? WHERE id = ?",
            (iso(at), reason, report_id),
        )

    async def snapshots(self, report_id: int) -> list[tuple[int, Report]]:
        rows = await self._all(
            "SELECT version, snapshot FROM period_submissions WHERE report_id = ? ORDER BY version",
            (report_id,),
        )
        return [(int(r["version"]), Report.model_validate_json(r["snapshot"])) for r in rows]


def _report(row: Any, entries: list[Any]) -> Report:
    return Report(
        id=row["id"],
        plan_id=row["plan_id"],
        period=row["period"],
        revision=row["revision"],
        submitted_revision=row["submitted_revision"],
        submitted_version=row["version"],
        submitted_at=from_iso(row["submitted_at"]),
        returned_at=from_iso(row["returned_at"]),
        return_reason=row["return_reason"],
        entries=tuple(
            Entry(
                measure_id=e["measure_id"],
                status=Progress(e["status"]) if e["status"] else None,
                result=e["result"],
                reason=e["reason"],
                new_due_text=e["new_due_text"],
                new_due=day(e["new_due"]),
            )
            for e in entries
        ),
    )
