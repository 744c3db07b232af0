"""The outbox sender as it runs: rows handed over in memory, marks recorded together, each
recipient's messages in order and the next one taken only once the previous one is recorded."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest

from bot.sender import Sender
from db.connection import Database
from db.documents import StoredDocument
from db.outbox import NOTICE, REPLY, OutboxItem
from db.repos import Repos
from handlers.types import Outgoing

NOW = dt.datetime(2026, 1, 20, 9, 0, tzinfo=dt.UTC)


class Recorder:
    """A channel that records what it sends and, for each send, whether the recipient's
    previous message was already marked sent in the database."""

    name = "telegram"

    def __init__(self, db: Database) -> None:
        self.db = db
        self.sent: list[tuple[str, str]] = []
        self.previous_recorded: list[bool] = []

    async def deliver(
        self, item: OutboxItem, message: Outgoing, document: StoredDocument | None
    ) -> int:
        async with self.db.read() as tx:
            unsent = [
                i
                for i in await tx.outbox.pending(self.name)
                if i.recipient == item.recipient and i.id < item.id
            ]
        self.previous_recorded.append(not unsent)
        self.sent.append((item.recipient, message.text))
        return 1


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = await Database.open(tmp_path / "k.sqlite3")
    yield database
    await database.close()


async def add(db: Database, recipient: str, text: str, priority: int = REPLY) -> OutboxItem:
    async with db.transaction() as tx:
        return await tx.outbox.add(
            "telegram", recipient, priority, "reply", Outgoing(text=text).to_json(), NOW
        )


async def until(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.005)


class Running:
    def __init__(self, sender: Sender) -> None:
        self.sender = sender
        self.task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Sender:
        self.task = asyncio.create_task(self.sender.run())
        await asyncio.sleep(0.05)  # its first look at the database
        return self.sender

    async def __aexit__(self, *exc: object) -> None:
        assert self.task is not None
        self.task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await self.task


def counting(db: Database) -> list[str]:
    """Records each unit of work taken to the database thread: 'read' or 'write'."""
    trips: list[str] = []
    at_once = db.at_once

    async def spy(
        unit: Callable[[Repos], Coroutine[Any, Any, Any]],
        *,
        write: bool = True,
        durable: bool = True,
    ) -> Any:
        trips.append("write" if write else "read")
        if write and not durable:
            trips.append("not synced")
        return await at_once(unit, write=write, durable=durable)

    db.at_once = spy  # type: ignore[method-assign]
    return trips


async def test_a_row_handed_over_is_sent_without_a_read_and_once(db: Database) -> None:
    channel = Recorder(db)
    async with Running(Sender(db, channel, lambda: NOW)) as sender:
        trips = counting(db)
        item = await add(db, "u1", "Đã lưu.")
        sender.feed(item)
        await until(lambda: channel.sent == [("u1", "Đã lưu.")])
        sender.wake()  # someone else committed: the row is read again, and is not sent twice
        await until(lambda: "read" in trips)
        await asyncio.sleep(0.05)
        async with db.read() as tx:
            assert await tx.outbox.pending("telegram") == []
    assert channel.sent == [("u1", "Đã lưu.")]
    assert trips.count("read") == 1  # the wake's, not the handed-over row's


async def test_each_send_is_recorded_at_once_without_reading_the_rows(db: Database) -> None:
    channel = Recorder(db)
    async with Running(Sender(db, channel, lambda: NOW)) as sender:
        items = [await add(db, f"u{n}", f"Trả lời {n}") for n in range(5)]
        trips = counting(db)
        for item in items:
            sender.feed(item)
        await until(lambda: len(channel.sent) == 5)
        await until(lambda: 0 < trips.count("write") and not sender._busy, 1.0)
        async with db.read() as tx:
            assert await tx.outbox.pending("telegram") == []
    assert "read" not in trips  # the rows were handed over: not read back
    assert 1 <= trips.count("write") <= 5  # sends that finish together share one record
    # the marks ride on the next synced commit: a kill loses none (WAL), a power cut repeats
    assert trips.count("not synced") == trips.count("write")


async def test_a_recipients_next_message_goes_only_once_the_previous_is_recorded(
    db: Database,
) -> None:
    channel = Recorder(db)
    async with Running(Sender(db, channel, lambda: NOW)) as sender:
        first, second, third = [await add(db, "u1", f"Phần {n}") for n in (1, 2, 3)]
        for item in (first, second, third):
            sender.feed(item)
        await until(lambda: len(channel.sent) == 3)
    assert [text for _, text in channel.sent] == ["Phần 1", "Phần 2", "Phần 3"]
    assert channel.previous_recorded == [True, True, True]


async def test_rows_nobody_handed_over_are_read_when_woken_in_id_order(db: Database) -> None:
    channel = Recorder(db)
    async with Running(Sender(db, channel, lambda: NOW)) as sender:
        older = await add(db, "u1", "Thông báo", NOTICE)  # e.g. the scheduler's
        newer = await add(db, "u1", "Trả lời", NOTICE)
        sender.feed(newer)  # handed over, and the older one announced, before it looks
        sender.wake()
        await until(lambda: len(channel.sent) == 2)
    assert [text for _, text in channel.sent] == ["Thông báo", "Trả lời"]
    assert older.id < newer.id
