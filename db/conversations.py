"""Where each user is in the conversation. The row is the source of truth, never memory."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from db.base import Repository, iso


class Conversation(BaseModel):
    user_id: int
    step: str = "idle"
    agency_id: int | None = None
    assignment_id: int | None = None
    measure_id: int | None = None
    wizard: bool = False


class ConversationRepo(Repository):
    async def get(self, user_id: int) -> Conversation:
        row = await self._one("SELECT * FROM conversations WHERE user_id = ?", (user_id,))
        if row is None:
            return Conversation(user_id=user_id)
        return Conversation(
            user_id=user_id,
            step=row["step"],
            agency_id=row["agency_id"],
            assignment_id=row["assignment_id"],
            measure_id=row["measure_id"],
            wizard=bool(row["wizard"]),
        )

    async def save(self, conv: Conversation, at: dt.datetime) -> None:
        await self._run(
            "INSERT INTO conversations (user_id, step, agency_id, assignment_id, measure_id,"
            " wizard, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(user_id) DO UPDATE SET"
            " step = excluded.step, agency_id = excluded.agency_id,"
            " assignment_id = excluded.assignment_id, measure_id = excluded.measure_id,"
            " wizard = excluded.wizard, updated_at = excluded.updated_at",
            (
                conv.user_id,
                conv.step,
                conv.agency_id,
                conv.assignment_id,
                conv.measure_id,
                int(conv.wizard),
                iso(at),
            ),
        )
