"""Scheduled jobs that failed: retried on the next tick, reported once their slot is over."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from db.base import Repository, from_iso, iso


class JobFailure(BaseModel):
    kind: str
    campaign_id: int
    slot: str
    attempts: int
    error: str
    first_at: dt.datetime
    last_at: dt.datetime


class FailureRepo(Repository):
    async def record(
        self, kind: str, campaign_id: int, slot: str, error: str, at: dt.datetime
    ) -> None:
        await self._run(
            "INSERT INTO job_failures (kind, campaign_id, slot, attempts, error, first_at, last_at)"
            " VALUES (?, ?, ?, 1, ?, ?, ?) ON CONFLICT (kind, campaign_id, slot) DO UPDATE SET"
            " attempts = attempts + 1, error = excluded.error, last_at = excluded.last_at",
            (kind, campaign_id, slot, error[:500], iso(at), iso(at)),
        )

    async def unreported(self, kind: str, campaign_id: int) -> list[JobFailure]:
        rows = await self._all(
            "SELECT * FROM job_failures WHERE kind = ? AND campaign_id = ?"
            " AND reported_at IS NULL ORDER BY slot",
            (kind, campaign_id),
        )
        return [
            JobFailure(
                kind=r["kind"],
                campaign_id=r["campaign_id"],
                slot=r["slot"],
                attempts=r["attempts"],
                error=r["error"],
                first_at=from_iso(r["first_at"]),
                last_at=from_iso(r["last_at"]),
            )
            for r in rows
        ]

    async def reported(self, kind: str, campaign_id: int, slot: str, at: dt.datetime) -> None:
        await self._run(
            "UPDATE job_failures SET reported_at = ? WHERE kind = ? AND campaign_id = ?"
            " AND slot = ?",
            (iso(at), kind, campaign_id, slot),
        )
