"""A channel's monthly quota: messages counted as they are sent, administrators warned at 80 %."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from bot.sender import Sender
from db.connection import Database
from db.documents import StoredDocument
from db.outbox import OutboxItem
from domain.schedule import ScheduleConfig
from handlers.context import Services
from handlers.jobs import Jobs
from handlers.types import Outgoing

VN = dt.timezone(dt.timedelta(hours=7))
NOW = dt.datetime(2026, 1, 31, 23, 30, tzinfo=VN)  # still January in Hà Nội, February in UTC


class Pages:
    """A channel that needs two API messages for every outbox message (a long text)."""

    name = "zalo"

    async def deliver(
        self, item: OutboxItem, message: Outgoing, document: StoredDocument | None
    ) -> int:
        return 2


async def test_sent_messages_are_counted_and_admins_warned_once(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        services = Services(
            tz=VN,  # type: ignore[arg-type]
            clock=lambda: NOW,
            admin_accounts=frozenset({("zalo", "admin1")}),
            quotas={"zalo": 10},
        )
        async with db.transaction() as tx:
            await tx.users.ensure("zalo", "admin1", "Quản trị", NOW)
            for k in range(4):
                await tx.outbox.add("zalo", f"u{k}", 0, "reply", Outgoing(text="x").to_json(), NOW)
        sender = Sender(db, Pages(), lambda: NOW, tz=VN)  # type: ignore[arg-type]
        assert await sender.drain() == 4
        async with db.read() as tx:
            assert (await tx.usage.get("zalo", "2026-01")).sent == 8  # local month, API messages
        jobs = Jobs(db, services, ScheduleConfig(summary_days=()))
        result = await jobs.tick()
        assert result.alerts == 1
        async with db.read() as tx:
            queued = [i for i in await tx.outbox.pending() if i.recipient == "admin1"]
        assert len(queued) == 1
        alert = Outgoing.from_json(queued[0].payload).text
        assert "Bot đã gửi 8 trong số 10 tin nhắn" in alert and "(80 %)" in alert
        assert (await jobs.tick()).alerts == 0  # once a month
    finally:
        await db.close()
