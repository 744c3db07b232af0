"""The audit log (who changed what, when) and the record of updates already handled."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from pydantic import BaseModel

from db.base import Repository, from_iso, iso


class AuditEntry(BaseModel):
    at: dt.datetime
    user_id: int | None
    action: str
    entity: str
    entity_id: int | None
    detail: dict[str, Any]


class AuditRepo(Repository):
    async def record(
        self,
        at: dt.datetime,
        user_id: int | None,
        action: str,
        entity: str,
        entity_id: int | None = None,
        **detail: Any,
    ) -> None:
        await self._run(
            "INSERT INTO audit_log (at, user_id, action, entity, entity_id, detail)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (iso(at), user_id, action, entity, entity_id, json.dumps(detail, ensure_ascii=False)),
        )

    async def entries(self, limit: int = 1000) -> list[AuditEntry]:
        rows = await self._all(
            "SELECT at, user_id, action, entity, entity_id, detail FROM audit_log"
            " ORDER BY id LIMIT ?",
            (limit,),
        )
        return [
            AuditEntry(
                at=from_iso(r["at"]) or dt.datetime.min,
                user_id=r["user_id"],
                action=r["action"],
                entity=r["entity"],
                entity_id=r["entity_id"],
                detail=json.loads(r["detail"]),
            )
            for r in rows
        ]

    async def first_delivery(self, channel: str, update_id: str, at: dt.datetime) -> bool:
        """Record an update as handled; False if it was handled before (a re-delivery)."""
        await self._run(
            "INSERT OR IGNORE INTO processed_updates (channel, update_id, at) VALUES (?, ?, ?)",
            (channel, update_id, iso(at)),
        )
        return await self._changes() == 1

    async def handled(self, channel: str, update_id: str) -> bool:
        """Whether this update has been handled (committed)."""
        row = await self._one(
            "SELECT 1 FROM processed_updates WHERE channel = ? AND update_id = ?",
            (channel, update_id),
        )
        return row is not None

    async def _changes(self) -> int:
        row = await self._one("SELECT changes()")
        return int(row[0]) if row else 0

    async def forget_updates_before(self, at: dt.datetime) -> int:
        return await self._run("DELETE FROM processed_updates WHERE at < ?", (iso(at),))
