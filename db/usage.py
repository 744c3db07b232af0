"""How many messages each channel sent in a month, for channels with a monthly quota."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from db.base import Repository, iso


class Usage(BaseModel):
    channel: str
    month: str
    sent: int = 0
    warned: bool = False


class UsageRepo(Repository):
    async def add(self, channel: str, month: str, sent: int) -> None:
        await self._run(
            "INSERT INTO channel_usage (channel, month, sent) VALUES (?, ?, ?)"
            " ON CONFLICT(channel, month) DO UPDATE SET sent = sent + excluded.sent",
            (channel, month, sent),
        )

    async def get(self, channel: str, month: str) -> Usage:
        row = await self._one(
            "SELECT sent, warned_at FROM channel_usage WHERE channel = ? AND month = ?",
            (channel, month),
        )
        if row is None:
            return Usage(channel=channel, month=month)
        return Usage(
            channel=channel, month=month, sent=row["sent"], warned=row["warned_at"] is not None
        )

    async def warned(self, channel: str, month: str, at: dt.datetime) -> None:
        await self._run(
            "UPDATE channel_usage SET warned_at = ? WHERE channel = ? AND month = ?",
            (iso(at), channel, month),
        )
