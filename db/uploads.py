"""Tables people sent, read and waiting for their ✅ Lưu or ❌ Hủy (``uploads``)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from db.base import Repository, iso


class PendingUpload(BaseModel):
    id: int
    user_id: int
    plan_id: int
    kind: str
    filename: str
    sha256: str
    revision: int
    content: str
    decided: bool


class UploadRepo(Repository):
    async def add(
        self,
        user_id: int,
        plan_id: int,
        kind: str,
        filename: str,
        sha256: str,
        revision: int,
        content: str,
        at: dt.datetime,
    ) -> int:
        """Keeps what was read; an older upload of the same person still waiting is dropped
        (only the latest file can be saved)."""
        await self._run(
            "UPDATE uploads SET decided_at = ?, decision = 'replaced'"
            " WHERE user_id = ? AND decided_at IS NULL",
            (iso(at), user_id),
        )
        return await self._run(
            "INSERT INTO uploads (user_id, plan_id, kind, filename, sha256, revision, content,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (user_id, plan_id, kind, filename, sha256, revision, content, iso(at)),
        )

    async def get(self, upload_id: int) -> PendingUpload | None:
        row = await self._one(
            "SELECT id, user_id, plan_id, kind, filename, sha256, revision, content,"
            " decided_at IS NOT NULL AS decided FROM uploads WHERE id = ?",
            (upload_id,),
        )
        return PendingUpload(**dict(row)) if row else None

    async def decide(self, upload_id: int, decision: str, at: dt.datetime) -> bool:
        """Marks it saved or cancelled; False when it was decided already (a second press)."""
        done = await self._run(
            "UPDATE uploads SET decided_at = ?, decision = ? WHERE id = ? AND decided_at IS NULL",
            (iso(at), decision, upload_id),
        )
        return done == 1
