"""Where each user is in the conversation. The row is the source of truth, never memory."""

from __future__ import annotations

import datetime as dt
import json

from pydantic import BaseModel

from db.base import Repository, iso
from domain.proposals import AnswerDraft


class Conversation(BaseModel):
    user_id: int
    step: str = "idle"
    agency_id: int | None = None
    assignment_id: int | None = None
    measure_id: int | None = None
    wizard: bool = False
    campaign_id: int | None = None  # the campaign the step belongs to
    # numbered choices in force (channels without buttons): (label, packed payload)
    menu: tuple[tuple[str, str], ...] = ()
    pending: str | None = None  # an answer waiting for the person's confirmation
    period: str | None = None  # the reporting period of a progress step
    proposal_id: int | None = None  # the proposal being written or answered
    answer: AnswerDraft | None = None  # the answer being written, until it is whole


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
            campaign_id=row["campaign_id"],
            menu=_menu(row["menu"]),
            pending=row["pending"],
            period=row["period"],
            proposal_id=row["proposal_id"],
            answer=AnswerDraft.model_validate_json(row["answer"]) if row["answer"] else None,
        )

    async def save(self, conv: Conversation, at: dt.datetime) -> None:
        await self._run(
            "INSERT INTO conversations (user_id, step, agency_id, assignment_id, measure_id,"
            " wizard, campaign_id, menu, pending, period, proposal_id, answer, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(user_id) DO UPDATE SET step = excluded.step,"
            " agency_id = excluded.agency_id, assignment_id = excluded.assignment_id,"
            " measure_id = excluded.measure_id, wizard = excluded.wizard,"
            " campaign_id = excluded.campaign_id, menu = excluded.menu,"
            " pending = excluded.pending, period = excluded.period,"
            " proposal_id = excluded.proposal_id, answer = excluded.answer,"
            " updated_at = excluded.updated_at",
            (
                conv.user_id,
                conv.step,
                conv.agency_id,
                conv.assignment_id,
                conv.measure_id,
                int(conv.wizard),
                conv.campaign_id,
                json.dumps([list(c) for c in conv.menu], ensure_ascii=False) if conv.menu else None,
                conv.pending,
                conv.period,
                conv.proposal_id,
                conv.answer.model_dump_json() if conv.answer else None,
                iso(at),
            ),
        )

    async def set_menu(
        self, user_id: int, menu: tuple[tuple[str, str], ...], at: dt.datetime
    ) -> None:
        """The numbered choices shown last to this person (kept with their step)."""
        conv = await self.get(user_id)
        await self.save(conv.model_copy(update={"menu": menu}), at)


def _menu(raw: str | None) -> tuple[tuple[str, str], ...]:
    if not raw:
        return ()
    out = []
    for entry in json.loads(raw):
        if isinstance(entry, str):  # stored before labels were kept
            out.append(("", entry))
        else:
            out.append((str(entry[0]), str(entry[1])))
    return tuple(out)
