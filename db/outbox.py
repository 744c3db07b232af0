"""The outbox: every message the bot decided to send, stored with the change that caused it.

A channel's sender takes the head of each recipient's queue (one queue per priority), sends it,
and marks it sent; a failure is retried later or, when it cannot succeed, kept as a dead letter.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from db.base import Repository, from_iso, iso

REPLY, NOTICE, BROADCAST = 0, 1, 2


class OutboxItem(BaseModel):
    id: int
    channel: str
    recipient: str
    priority: int
    kind: str
    payload: str
    document_id: int | None
    created_at: dt.datetime
    attempts: int
    next_attempt_at: dt.datetime
    sent_at: dt.datetime | None = None
    failed_at: dt.datetime | None = None
    error: str | None = None


_HEADS = (
    "SELECT o.* FROM outbox o WHERE o.channel = ? AND o.sent_at IS NULL AND o.failed_at IS NULL"
    " AND o.next_attempt_at <= ? AND NOT EXISTS (SELECT 1 FROM outbox p"
    " WHERE p.channel = o.channel AND p.recipient = o.recipient AND p.priority = o.priority"
    " AND p.id < o.id AND p.sent_at IS NULL AND p.failed_at IS NULL)"
    " ORDER BY o.priority, o.id LIMIT ?"
)


class OutboxRepo(Repository):
    async def add(
        self,
        channel: str,
        recipient: str,
        priority: int,
        kind: str,
        payload: str,
        at: dt.datetime,
        document_id: int | None = None,
    ) -> OutboxItem:
        """The row queued, as the sender will take it (no read back: its sender can be handed
        it in memory once the transaction commits)."""
        ident = await self._run(
            "INSERT INTO outbox (channel, recipient, priority, kind, payload, document_id,"
            " created_at, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (channel, recipient, priority, kind, payload, document_id, iso(at), iso(at)),
        )
        when = at.astimezone(dt.UTC)  # as it is read back
        return OutboxItem.model_construct(
            id=ident,
            channel=channel,
            recipient=recipient,
            priority=priority,
            kind=kind,
            payload=payload,
            document_id=document_id,
            created_at=when,
            attempts=0,
            next_attempt_at=when,
        )

    async def pending_after(self, channel: str, after_id: int) -> list[OutboxItem]:
        """Unsent, undead messages of the channel with an id above ``after_id``, in id order
        (ids only grow: a sender that remembers the last id it saw misses nothing)."""
        rows = await self._all(
            "SELECT * FROM outbox WHERE channel = ? AND id > ? AND sent_at IS NULL"
            " AND failed_at IS NULL ORDER BY id",
            (channel, after_id),
        )
        return [_item(r) for r in rows]

    async def heads(self, channel: str, now: dt.datetime, limit: int) -> list[OutboxItem]:
        """The first unsent message of each recipient's queue that is due, replies first."""
        return [_item(r) for r in await self._all(_HEADS, (channel, iso(now), limit))]

    async def mark_sent(self, ids: list[int], at: dt.datetime) -> None:
        for ident in ids:
            await self._run(
                "UPDATE outbox SET sent_at = ?, attempts = attempts + 1, error = NULL"
                " WHERE id = ? AND sent_at IS NULL",
                (iso(at), ident),
            )

    async def retry(self, ident: int, at: dt.datetime, error: str, *, count: bool = True) -> None:
        """Try again at ``at``; ``count`` False for waits that are not failures (flood limits)."""
        await self._run(
            "UPDATE outbox SET next_attempt_at = ?, error = ?, attempts = attempts + ?"
            " WHERE id = ?",
            (iso(at), error[:500], int(count), ident),
        )

    async def fail(self, ident: int, at: dt.datetime, error: str) -> None:
        """A dead letter: not retried, listed by ``kehoach-bot outbox``."""
        await self._run(
            "UPDATE outbox SET failed_at = ?, error = ?, attempts = attempts + 1 WHERE id = ?",
            (iso(at), error[:500], ident),
        )

    async def drop_queue(self, channel: str, recipient: str, at: dt.datetime, error: str) -> int:
        """The recipient blocked the bot: everything still queued for them is dropped."""
        return await self._run(
            "UPDATE outbox SET failed_at = ?, error = ? WHERE channel = ? AND recipient = ?"
            " AND sent_at IS NULL AND failed_at IS NULL",
            (iso(at), error[:500], channel, recipient),
        )

    async def next_due(self, channel: str) -> dt.datetime | None:
        row = await self._one(
            "SELECT MIN(next_attempt_at) FROM outbox WHERE channel = ? AND sent_at IS NULL"
            " AND failed_at IS NULL",
            (channel,),
        )
        return from_iso(row[0]) if row else None

    async def overdue(self, before: dt.datetime) -> dict[str, int]:
        """Per channel, the replies and notices (not broadcasts, which are paced) that were due
        before ``before`` and are still unsent: a sender that drains leaves none."""
        rows = await self._all(
            "SELECT channel, COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            " AND priority < ? AND next_attempt_at < ? GROUP BY channel",
            (BROADCAST, iso(before)),
        )
        return {str(r[0]): int(r[1]) for r in rows}

    async def pending(self, channel: str | None = None, limit: int = 1000) -> list[OutboxItem]:
        rows = await self._all(
            "SELECT * FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            " AND (? IS NULL OR channel = ?) ORDER BY priority, id LIMIT ?",
            (channel, channel, limit),
        )
        return [_item(r) for r in rows]

    async def failed(self, limit: int = 1000) -> list[OutboxItem]:
        rows = await self._all(
            "SELECT * FROM outbox WHERE failed_at IS NOT NULL ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [_item(r) for r in rows]

    async def counts(self) -> dict[str, int]:
        row = await self._one(
            "SELECT SUM(sent_at IS NULL AND failed_at IS NULL), SUM(failed_at IS NOT NULL),"
            " SUM(sent_at IS NOT NULL) FROM outbox"
        )
        pending, failed, sent = (int(v or 0) for v in (row or (0, 0, 0)))
        return {"pending": pending, "failed": failed, "sent": sent}

    async def by_state(self) -> list[tuple[str, str, int]]:
        """(state, kind, count) of the messages pending or dead, for monitoring."""
        rows = await self._all(
            "SELECT CASE WHEN failed_at IS NULL THEN 'pending' ELSE 'failed' END AS state,"
            " kind, COUNT(*) FROM outbox WHERE sent_at IS NULL GROUP BY state, kind"
        )
        return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]

    async def broadcasts_pending(self) -> list[tuple[str, int]]:
        """(channel, count) of the broadcast messages still to send."""
        rows = await self._all(
            "SELECT channel, COUNT(*) FROM outbox WHERE priority = ? AND sent_at IS NULL"
            " AND failed_at IS NULL GROUP BY channel",
            (BROADCAST,),
        )
        return [(str(r[0]), int(r[1])) for r in rows]

    async def sent_to(self, channel: str, recipient: str) -> list[OutboxItem]:
        rows = await self._all(
            "SELECT * FROM outbox WHERE channel = ? AND recipient = ? ORDER BY id",
            (channel, recipient),
        )
        return [_item(r) for r in rows]

    async def prune(self, before: dt.datetime) -> int:
        """Forget messages sent (or dead) before ``before``."""
        return await self._run(
            "DELETE FROM outbox WHERE (sent_at IS NOT NULL AND sent_at < ?)"
            " OR (failed_at IS NOT NULL AND failed_at < ?)",
            (iso(before), iso(before)),
        )


def _item(r: object) -> OutboxItem:
    row = dict(r)  # type: ignore[call-overload]
    for key in ("created_at", "next_attempt_at", "sent_at", "failed_at"):
        row[key] = from_iso(row[key])
    return OutboxItem.model_validate(row)
