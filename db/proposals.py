"""Proposals (kiến nghị): drafts, filing, routing, answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

from db.base import Repository, day, from_iso, iso
from domain.proposals import Answer, AnswerDraft, Proposal

_SELECT = (
    "SELECT k.*, f.code AS from_code, f.name AS from_name, a.code AS asked_code,"
    " a.name AS asked_name, r.code AS responsible_code, r.name AS responsible_name"
    " FROM proposals k JOIN agencies f ON f.id = k.from_agency_id"
    " LEFT JOIN agencies a ON a.id = k.asked_agency_id"
    " LEFT JOIN agencies r ON r.id = k.responsible_agency_id"
)
_EDITABLE = ("content", "asked_agency_id")  # a draft's fields; answers go through answer()


class ProposalRepo(Repository):
    async def get(self, proposal_id: int) -> Proposal | None:
        row = await self._one(_SELECT + " WHERE k.id = ?", (proposal_id,))
        return _proposal(row) if row else None

    async def listing(self, campaign_id: int) -> list[Proposal]:
        """Every proposal of the campaign but drafts, by number."""
        rows = await self._all(
            _SELECT + " WHERE k.campaign_id = ? AND k.filed_at IS NOT NULL ORDER BY k.number",
            (campaign_id,),
        )
        return [_proposal(r) for r in rows]

    async def of_agency(self, campaign_id: int, agency_id: int) -> list[Proposal]:
        """Filed by the agency, or to be answered by it (filed ones), newest first."""
        rows = await self._all(
            _SELECT + " WHERE k.campaign_id = ? AND k.filed_at IS NOT NULL"
            " AND (k.from_agency_id = ? OR k.responsible_agency_id = ?) ORDER BY k.number DESC",
            (campaign_id, agency_id, agency_id),
        )
        return [_proposal(r) for r in rows]

    async def drafts(self, campaign_id: int, agency_id: int) -> list[Proposal]:
        """The agency's proposals begun and not sent yet, oldest first."""
        rows = await self._all(
            _SELECT + " WHERE k.campaign_id = ? AND k.filed_at IS NULL AND k.from_agency_id = ?"
            " ORDER BY k.id",
            (campaign_id, agency_id),
        )
        return [_proposal(r) for r in rows]

    async def draft(
        self,
        campaign_id: int,
        agency_id: int,
        user_id: int,
        field: str,
        period: str | None,
        at: dt.datetime,
    ) -> int:
        return await self._run(
            "INSERT INTO proposals (campaign_id, from_agency_id, created_by, field, period,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (campaign_id, agency_id, user_id, field, period, iso(at), iso(at)),
        )

    async def update(self, proposal_id: int, at: dt.datetime, **fields: Any) -> None:
        unknown = set(fields) - set(_EDITABLE)
        if unknown:
            raise ValueError(f"unknown proposal fields: {sorted(unknown)}")
        values = [
            v.value if isinstance(v, Answer) else v.isoformat() if isinstance(v, dt.date) else v
            for v in fields.values()
        ]
        sets = ", ".join(f"{k} = ?" for k in fields)
        await self._run(
            f"UPDATE proposals SET {sets}, revision = revision + 1, updated_at = ? WHERE id = ?",
            (*values, iso(at), proposal_id),
        )

    async def file(self, proposal_id: int, at: dt.datetime) -> int:
        """Gives the proposal its number in the campaign; returns it."""
        await self._run(
            "UPDATE proposals SET number = (SELECT COALESCE(MAX(number), 0) + 1 FROM proposals"
            " WHERE campaign_id = (SELECT campaign_id FROM proposals WHERE id = ?)),"
            " filed_at = ?, updated_at = ? WHERE id = ? AND filed_at IS NULL",
            (proposal_id, iso(at), iso(at), proposal_id),
        )
        row = await self._one("SELECT number FROM proposals WHERE id = ?", (proposal_id,))
        return int(row[0]) if row else 0

    async def route(self, proposal_id: int, agency_id: int, due: dt.date, at: dt.datetime) -> None:
        await self._run(
            "UPDATE proposals SET responsible_agency_id = ?, routed_at = ?, due_date = ?,"
            " revision = revision + 1, updated_at = ? WHERE id = ?",
            (agency_id, iso(at), due.isoformat(), iso(at), proposal_id),
        )

    async def answer(
        self,
        draft: AnswerDraft,
        user_id: int,
        at: dt.datetime,
        *,
        expected_text: str | None = None,
        expected: dt.date | None = None,
    ) -> bool:
        """Stores a whole answer at once — only if the proposal is still with the draft's
        agency and unchanged since the draft was begun. False (nothing stored) otherwise."""
        changed = await self._run(
            "UPDATE proposals SET answer = ?, answer_text = ?, expected_text = ?, expected = ?,"
            " answered_at = ?, answered_by = ?, revision = revision + 1, updated_at = ?"
            " WHERE id = ? AND responsible_agency_id = ? AND revision = ?",
            (
                draft.kind.value,
                draft.text,
                expected_text,
                expected.isoformat() if expected else None,
                iso(at),
                user_id,
                iso(at),
                draft.proposal_id,
                draft.agency_id,
                draft.revision,
            ),
        )
        return changed == 1


def _proposal(r: Any) -> Proposal:
    return Proposal(
        id=r["id"],
        campaign_id=r["campaign_id"],
        number=r["number"],
        from_agency_id=r["from_agency_id"],
        from_code=r["from_code"],
        from_name=r["from_name"],
        field=r["field"],
        content=r["content"],
        asked_agency_id=r["asked_agency_id"],
        asked_code=r["asked_code"],
        asked_name=r["asked_name"],
        responsible_agency_id=r["responsible_agency_id"],
        responsible_code=r["responsible_code"],
        responsible_name=r["responsible_name"],
        period=r["period"],
        filed_at=from_iso(r["filed_at"]),
        routed_at=from_iso(r["routed_at"]),
        due_date=day(r["due_date"]),
        answer=Answer(r["answer"]) if r["answer"] else None,
        answer_text=r["answer_text"],
        expected_text=r["expected_text"],
        expected=day(r["expected"]),
        answered_at=from_iso(r["answered_at"]),
        revision=r["revision"],
    )
