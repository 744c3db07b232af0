"""Documents made for people, and the jobs that make them off the event loop."""

from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel

from db.base import Repository, from_iso, iso


class StoredDocument(BaseModel):
    id: int
    filename: str
    media_type: str
    content: bytes
    created_at: dt.datetime
    expires_at: dt.datetime
    agency_id: int | None = None  # made for one agency (its template); None: consolidated


class ReportJob(BaseModel):
    id: int
    campaign_id: int
    kind: str
    draft: bool
    purpose: str
    recipients: list[tuple[str, str, str | None]]
    created_at: dt.datetime
    attempts: int
    document: str = "plan"  # plan, progress (the current period's results) or proposals


class DocumentRepo(Repository):
    async def add(
        self,
        filename: str,
        media_type: str,
        content: bytes,
        at: dt.datetime,
        keep: dt.timedelta,
        agency_id: int | None = None,
    ) -> int:
        return await self._run(
            "INSERT INTO documents (filename, media_type, content, created_at, expires_at,"
            " agency_id) VALUES (?, ?, ?, ?, ?, ?)",
            (filename, media_type, content, iso(at), iso(at + keep), agency_id),
        )

    async def get(self, ident: int) -> StoredDocument | None:
        row = await self._one("SELECT * FROM documents WHERE id = ?", (ident,))
        if row is None:
            return None
        return StoredDocument(
            id=row["id"],
            filename=row["filename"],
            media_type=row["media_type"],
            content=bytes(row["content"]),
            created_at=from_iso(row["created_at"]),
            expires_at=from_iso(row["expires_at"]),
            agency_id=row["agency_id"],
        )

    async def prune(self, now: dt.datetime) -> int:
        return await self._run("DELETE FROM documents WHERE expires_at < ?", (iso(now),))

    # -- report jobs ---------------------------------------------------------------------------

    async def request(
        self,
        campaign_id: int,
        kind: str,
        draft: bool,
        purpose: str,
        recipients: list[tuple[str, str, str | None]],
        at: dt.datetime,
        document: str = "plan",
    ) -> int:
        return await self._run(
            "INSERT INTO jobs (campaign_id, kind, draft, purpose, recipients, created_at,"
            " document) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (campaign_id, kind, int(draft), purpose, json.dumps(recipients), iso(at), document),
        )

    async def open_jobs(self, kinds: tuple[str, ...] = ("docx", "xlsx")) -> list[ReportJob]:
        marks = ",".join("?" * len(kinds))
        rows = await self._all(
            f"SELECT * FROM jobs WHERE done_at IS NULL AND failed_at IS NULL AND kind IN ({marks})"
            " ORDER BY id",
            kinds,
        )
        return [
            ReportJob(
                id=r["id"],
                campaign_id=r["campaign_id"],
                kind=r["kind"],
                draft=bool(r["draft"]),
                purpose=r["purpose"],
                recipients=[tuple(x) for x in json.loads(r["recipients"])],
                created_at=from_iso(r["created_at"]),
                attempts=r["attempts"],
                document=r["document"],
            )
            for r in rows
        ]

    async def started(self, job_id: int, at: dt.datetime) -> None:
        await self._run(
            "UPDATE jobs SET started_at = ?, attempts = attempts + 1 WHERE id = ?",
            (iso(at), job_id),
        )

    async def finished(self, job_id: int, at: dt.datetime) -> None:
        await self._run("UPDATE jobs SET done_at = ? WHERE id = ?", (iso(at), job_id))

    async def job_failed(self, job_id: int, at: dt.datetime, error: str, *, final: bool) -> None:
        await self._run(
            "UPDATE jobs SET error = ?, failed_at = ? WHERE id = ?",
            (error[:500], iso(at) if final else None, job_id),
        )
