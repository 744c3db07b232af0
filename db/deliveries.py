"""The ledger of scheduled messages: each reminder or summary claimed once, then marked sent."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from db.base import Repository, from_iso, iso


class Delivery(BaseModel):
    id: int
    kind: str
    campaign_id: int
    agency_id: int
    slot: str
    claimed_at: dt.datetime
    sent_at: dt.datetime | None
    recipients: int


class DeliveryRepo(Repository):
    async def claim(
        self, kind: str, campaign_id: int, agency_id: int, slot: str, at: dt.datetime
    ) -> int | None:
        """Claim a slot; None if it was claimed before (sent, or being sent)."""
        await self._run(
            "INSERT OR IGNORE INTO deliveries (kind, campaign_id, agency_id, slot, claimed_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (kind, campaign_id, agency_id, slot, iso(at)),
        )
        row = await self._one("SELECT changes()")
        if not row or not row[0]:
            return None
        found = await self._one(
            "SELECT id FROM deliveries WHERE kind = ? AND campaign_id = ? AND agency_id = ?"
            " AND slot = ?",
            (kind, campaign_id, agency_id, slot),
        )
        return int(found["id"]) if found else None

    async def record(
        self,
        kind: str,
        campaign_id: int,
        agency_id: int,
        slot: str,
        at: dt.datetime,
        recipients: int,
    ) -> bool:
        """Record a slot as done now (its messages are queued in the same transaction), in one
        statement; False if it was recorded before."""
        rows = await self._all(
            "INSERT OR IGNORE INTO deliveries (kind, campaign_id, agency_id, slot, claimed_at,"
            " sent_at, recipients) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
            (kind, campaign_id, agency_id, slot, iso(at), iso(at), recipients),
        )
        return bool(rows)

    async def mark_sent(self, delivery_id: int, at: dt.datetime, recipients: int) -> None:
        await self._run(
            "UPDATE deliveries SET sent_at = ?, recipients = ? WHERE id = ?",
            (iso(at), recipients, delivery_id),
        )

    async def unsent(self, campaign_id: int) -> list[Delivery]:
        """Claims never marked sent: the process died between claiming and sending."""
        rows = await self._all(
            "SELECT * FROM deliveries WHERE campaign_id = ? AND sent_at IS NULL ORDER BY id",
            (campaign_id,),
        )
        return [_delivery(r) for r in rows]

    async def release(self, delivery_id: int) -> None:
        await self._run("DELETE FROM deliveries WHERE id = ? AND sent_at IS NULL", (delivery_id,))

    async def last_sent(self, kind: str, campaign_id: int) -> dt.datetime | None:
        row = await self._one(
            "SELECT MAX(sent_at) FROM deliveries WHERE kind = ? AND campaign_id = ?",
            (kind, campaign_id),
        )
        return from_iso(row[0]) if row else None

    async def was_sent(self, kind: str, campaign_id: int, slot: str) -> bool:
        row = await self._one(
            "SELECT 1 FROM deliveries WHERE kind = ? AND campaign_id = ? AND slot = ?"
            " AND sent_at IS NOT NULL",
            (kind, campaign_id, slot),
        )
        return row is not None

    async def all(self, campaign_id: int) -> list[Delivery]:
        rows = await self._all(
            "SELECT * FROM deliveries WHERE campaign_id = ? ORDER BY id", (campaign_id,)
        )
        return [_delivery(r) for r in rows]


def _delivery(r: object) -> Delivery:
    return Delivery(
        id=r["id"],  # type: ignore[index]
        kind=r["kind"],  # type: ignore[index]
        campaign_id=r["campaign_id"],  # type: ignore[index]
        agency_id=r["agency_id"],  # type: ignore[index]
        slot=r["slot"],  # type: ignore[index]
        claimed_at=from_iso(r["claimed_at"]),  # type: ignore[index]
        sent_at=from_iso(r["sent_at"]),  # type: ignore[index]
        recipients=r["recipients"],  # type: ignore[index]
    )
