"""CoreHarness: the channel-neutral core driven by Events, with nothing of any messenger.

``send``/``press`` build an Event as a channel would, let ``Core.handle`` store everything in one
transaction, and return what it queued for that person (``Outgoing``: markup text, choices as
label and packed payload) — read from the outbox, as a channel's sender would.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import Any

from bot.settings import BUNDLED_CAMPAIGN
from db.connection import Database
from db.outbox import OutboxItem
from domain.campaign import load_campaign
from domain.model import Role
from handlers.context import Services
from handlers.input import command
from handlers.markup import plain
from handlers.registration import issue_invite
from handlers.router import Core
from handlers.types import Event, Kind, Outgoing

VN = dt.timezone(dt.timedelta(hours=7))
_ids = itertools.count(1)


class CoreHarness:
    def __init__(self, db: Database, core: Core, clock: Any, channel: str) -> None:
        self.db = db
        self.core = core
        self.clock = clock
        self.channel = channel
        self.seen = 0  # outbox rows already returned

    @classmethod
    async def open(cls, folder: Path, clock: Any, channel: str = "telegram") -> CoreHarness:
        db = await Database.open(folder / "core.sqlite3")
        async with db.transaction() as tx:
            await tx.campaigns.load(load_campaign(BUNDLED_CAMPAIGN), clock())
        services = Services(
            tz=VN,  # type: ignore[arg-type]
            clock=clock,
            numbered=frozenset({channel}) if channel == "zalo" else frozenset(),
        )
        return cls(db, Core(db, services), clock, channel)

    async def close(self) -> None:
        await self.db.close()

    def event(self, uid: int, **fields: Any) -> Event:
        return Event(
            channel=self.channel,
            delivery_id=f"e{next(_ids)}",
            user_id=str(uid),
            display_name=f"Người dùng {uid}",
            **fields,
        )

    async def handle(self, event: Event) -> list[OutboxItem]:
        await self.core.handle(event)
        async with self.db.read() as tx:
            items = await tx.outbox.pending(limit=10_000)
        fresh = [i for i in items if i.id > self.seen]
        self.seen = max([self.seen, *(i.id for i in fresh)])
        async with self.db.transaction() as tx:  # as the sender would, once delivered
            await tx.outbox.mark_sent([i.id for i in fresh], self.clock())
        return fresh

    async def send(self, uid: int, text: str) -> list[Outgoing]:
        parsed = command(text) if text.startswith("/") else None
        if parsed:
            event = self.event(uid, kind=Kind.COMMAND, command=parsed[0], args=parsed[1], text=text)
        else:
            event = self.event(uid, kind=Kind.TEXT, text=text)
        return self.mine(uid, await self.handle(event))

    async def press(self, uid: int, data: str) -> list[Outgoing]:
        return self.mine(uid, await self.handle(self.event(uid, kind=Kind.BUTTON, data=data)))

    def mine(self, uid: int, items: list[OutboxItem]) -> list[Outgoing]:
        return [Outgoing.from_json(i.payload) for i in items if i.recipient == str(uid)]

    async def join(self, uid: int, agency: str, role: Role = Role.FOCAL) -> list[Outgoing]:
        async with self.db.transaction() as tx:
            a = await tx.campaigns.agency_by_code(agency)
            assert a is not None
            code = await issue_invite(tx, a, role, 7, self.clock(), None)
        return await self.send(uid, f"/start {code}")

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        async with self.db._conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]


def text(outs: list[Outgoing]) -> str:
    return "\n".join(plain(o.text) for o in outs)


def choice(outs: list[Outgoing], label_part: str) -> str:
    """The payload of the (last) choice whose label contains ``label_part``."""
    found = [data for o in outs for label, data in o.flat_choices if label_part in label]
    assert found, f"no choice {label_part!r} in {[c for o in outs for c in o.flat_choices]}"
    return found[-1]
