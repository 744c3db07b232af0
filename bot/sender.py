"""Draining the outbox of one channel: replies first, each recipient's messages in order.

The sender takes the head of every recipient's queue (one queue per priority: replies to a
person's own message, notices to others, broadcasts), at most ``in_flight`` at a time and at most
one per recipient, broadcasts capped so that they never hold up a reply. After a send it marks the
row sent, in a transaction that commits before that recipient's next message is taken: a kill
between a send and its mark repeats at most that one message per recipient, never more.

A channel's ``deliver`` raises what went wrong in these terms: :class:`Blocked` (the person
blocked the bot: their queue is dropped and they are marked), :class:`Permanent` (a dead letter,
listed by ``kehoach-bot outbox``), :class:`RetryLater` (flood limits, the API down: tried again
later, given up after ``give_up``), :class:`ChannelFatal` (the token was revoked: the process must
stop and say so).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from db.connection import Database
from db.documents import StoredDocument
from db.faults import crashpoint
from db.outbox import BROADCAST, OutboxItem
from handlers.context import Clock
from handlers.delivery import recipient_blocked
from handlers.types import Outgoing, Recipient

log = logging.getLogger(__name__)


class Blocked(Exception):
    """The recipient blocked the bot or left: nothing more can reach them."""


class Permanent(Exception):
    """This message can never be delivered as it is."""


class RetryLater(Exception):
    """Not now: try again after ``after`` seconds. ``counts`` False for flood waits."""

    def __init__(self, reason: str, after: float, *, counts: bool = True) -> None:
        super().__init__(reason)
        self.after = after
        self.counts = counts


class ChannelFatal(Exception):
    """The channel cannot work at all (a rejected token). The message is one line, no secret."""


class Transport(Protocol):
    name: str

    async def deliver(
        self, item: OutboxItem, message: Outgoing, document: StoredDocument | None
    ) -> None: ...


@dataclass
class _Result:
    item: OutboxItem
    outcome: str  # sent, retry, fail, blocked
    error: str = ""
    after: float = 0.0
    counts: bool = True


class Sender:
    def __init__(
        self,
        db: Database,
        transport: Transport,
        clock: Clock,
        *,
        in_flight: int = 8,
        broadcasts: int = 2,
        give_up: dt.timedelta = dt.timedelta(hours=24),
        on_sent: Callable[[OutboxItem], Awaitable[None]] | None = None,
    ) -> None:
        self.db = db
        self.transport = transport
        self.clock = clock
        self.in_flight = max(1, in_flight)
        self.broadcasts = max(1, min(broadcasts, self.in_flight))
        self.give_up = give_up
        self.on_sent = on_sent
        self._wake = asyncio.Event()
        self._busy: set[str] = set()  # recipients with a message in flight or not yet marked
        self._tasks: dict[asyncio.Task[None], OutboxItem] = {}
        self._results: list[_Result] = []
        self._fatal: BaseException | None = None
        self.sent = 0

    @property
    def channel(self) -> str:
        return self.transport.name

    def wake(self) -> None:
        """New messages were committed (or a send finished): look again now."""
        self._wake.set()

    async def run(self) -> None:
        """Deliver until cancelled; raises ChannelFatal if the channel cannot work any more."""
        try:
            while True:
                await self._flush()
                if self._fatal is not None:
                    raise self._fatal
                await self._dispatch()
                timeout = 1.0 if self._tasks else await self._idle_seconds()
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except TimeoutError:
                    pass
        finally:
            for task in self._tasks:
                task.cancel()

    async def drain(self, limit: int = 10_000) -> int:
        """Send everything due now, then return how many were sent (tests, CLI, shutdown)."""
        before = self.sent
        for _round in range(limit):
            await self._dispatch()
            if not self._tasks:
                break
            await asyncio.wait(list(self._tasks), return_when=asyncio.FIRST_COMPLETED)
            await self._flush()
            if self._fatal is not None:
                raise self._fatal
        await self._flush()
        if self._fatal is not None:
            raise self._fatal
        return self.sent - before

    async def _idle_seconds(self) -> float:
        async with self.db.read() as tx:
            due = await tx.outbox.next_due(self.channel)
        if due is None:
            return 30.0
        return min(30.0, max(0.05, (due - self.clock()).total_seconds()))

    async def _dispatch(self) -> None:
        free = self.in_flight - len(self._tasks)
        if free <= 0:
            return
        async with self.db.read() as tx:
            heads = await tx.outbox.heads(self.channel, self.clock(), free * 4 + len(self._busy))
        broadcasting = sum(1 for item in self._tasks.values() if item.priority == BROADCAST)
        for item in heads:
            if free <= 0:
                break
            if item.recipient in self._busy:
                continue
            if item.priority == BROADCAST:
                if broadcasting >= self.broadcasts:
                    continue
                broadcasting += 1
            self._busy.add(item.recipient)
            task = asyncio.create_task(self._send(item))
            self._tasks[task] = item
            task.add_done_callback(self._done)
            free -= 1

    def _done(self, task: asyncio.Task[None]) -> None:
        self._tasks.pop(task, None)
        self._wake.set()

    async def _send(self, item: OutboxItem) -> None:
        try:
            message = Outgoing.from_json(item.payload)
            document = None
            if message.document_id is not None:
                async with self.db.read() as tx:
                    document = await tx.documents.get(message.document_id)
            await self.transport.deliver(item, message, document)
            crashpoint("after_send")
            self._results.append(_Result(item, "sent"))
        except Blocked as exc:
            self._results.append(_Result(item, "blocked", str(exc)))
        except Permanent as exc:
            log.error("%s: message %s to %s cannot be delivered: %s", *self._who(item), exc)
            self._results.append(_Result(item, "fail", str(exc)))
        except RetryLater as exc:
            self._results.append(_Result(item, "retry", str(exc), exc.after, exc.counts))
        except ChannelFatal as exc:
            self._fatal = exc
            self._results.append(_Result(item, "retry", str(exc), 60.0, False))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or an unforeseen error: logged, retried later
            log.exception("%s: sending message %s to %s failed", *self._who(item))
            self._results.append(_Result(item, "retry", repr(exc)[:300], 0.0))

    def _who(self, item: OutboxItem) -> tuple[str, int, str]:
        return self.channel, item.id, item.recipient

    async def _flush(self) -> None:
        """Record the results of finished sends in one transaction, then free their recipients."""
        if not self._results:
            return
        results, self._results = self._results, []
        now = self.clock()
        sent: list[OutboxItem] = []
        async with self.db.transaction() as tx:
            for r in results:
                item = r.item
                if r.outcome == "sent":
                    await tx.outbox.mark_sent([item.id], now)
                    sent.append(item)
                elif r.outcome == "blocked":
                    await recipient_blocked(tx, Recipient(self.channel, item.recipient), now)
                elif r.outcome == "fail":
                    await tx.outbox.fail(item.id, now, r.error)
                elif now - item.created_at > self.give_up:
                    log.error(
                        "%s: message %s to %s given up after %s: %s",
                        *self._who(item),
                        now - item.created_at,
                        r.error,
                    )
                    await tx.outbox.fail(item.id, now, f"gave up: {r.error}")
                else:
                    after = r.after or min(300.0, 0.5 * 2.0 ** min(item.attempts, 10))
                    await tx.outbox.retry(
                        item.id, now + dt.timedelta(seconds=after), r.error, count=r.counts
                    )
                    if r.counts:
                        log.warning(
                            "%s: message %s to %s will be retried in %.0f s: %s",
                            *self._who(item),
                            after,
                            r.error,
                        )
        for r in results:
            self._busy.discard(r.item.recipient)
        self.sent += len(sent)
        if self.on_sent is not None:
            for item in sent:
                await self.on_sent(item)
