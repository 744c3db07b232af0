"""What a delivery outcome changes: a person who blocked the bot is marked, their queue dropped."""

from __future__ import annotations

import datetime as dt

from db.repos import Repos
from handlers.types import Recipient


async def recipient_blocked(tx: Repos, to: Recipient, now: dt.datetime) -> int:
    """Mark the person (shown in /tonghop; reminders skip them) and drop what waits for them.
    They are unmarked as soon as they write to the bot again."""
    user = await tx.users.get(to.channel, to.external_id)
    if user is not None and user.blocked_at is None:
        await tx.users.set_blocked(user.id, now)
        await tx.audit.record(now, user.id, "user.blocked", "user", user.id)
    return await tx.outbox.drop_queue(to.channel, to.external_id, now, "blocked by the recipient")
