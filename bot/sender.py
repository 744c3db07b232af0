"""Draining the outbox of one channel: replies first, each recipient's messages in order.

The sender takes the head of every recipient's queue (one queue per priority: replies to a
person's own message, notices to others, broadcasts), at most ``in_flight`` at a time and at most
one per recipient, broadcasts capped so that they never hold up a reply. After a send it marks the
row sent, in a transaction that commits before that recipient's next message is taken: a kill
between a send and its mark repeats at most that one message per recipient, never more. (The
marks are not held back to share a transaction: a kill in that longer window would repeat more
messages, and a second kill could send one a third time — measured by the crash soak.) That
transaction is not synced to disk on its own (``durable=False``): a kill loses nothing of it (WAL),
a power cut could lose the last marks, and those messages would go once more.

The core hands the sender the rows it just committed (:meth:`Sender.feed`): the replies of the
rush are not read back. Anything else (the scheduler, the report worker, another process) wakes it
to read what was committed since it last looked (:meth:`Sender.wake`), and it looks anyway when
idle.

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
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from db.connection import Database
from db.documents import StoredDocument
from db.faults import crashpoint
from db.outbox import BROADCAST, REPLY, OutboxItem
from db.repos import Repos
from handlers.context import Clock
from handlers.delivery import recipient_blocked
from handlers.types import Outgoing, Recipient

log = logging.getLogger(__name__)


def _nothing() -> None:
    pass


class Blocked(Exception):
    """The recipient blocked the bot or left: nothing more can reach them."""


class Permanent(Exception):
    """This message can never be delivered as it is (``sent``: API messages of it that did go
    out, e.g. the other pages of a long text)."""

    def __init__(self, reason: str, *, sent: int = 0) -> None:
        super().__init__(reason)
        self.sent = sent


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
    ) -> int | None: ...


@dataclass
class _Result:
    item: OutboxItem
    outcome: str  # sent, retry, fail, blocked
    error: str = ""
    after: float = 0.0
    counts: bool = True
    messages: int = 1  # API messages it took (a long text on Zalo is several)


class Sender:
    def __init__(
        self,
        db: Database,
        transport: Transport,
        clock: Clock,
        *,
        in_flight: int = 8,
        broadcasts: int = 2,
        broadcast_rate: float = 20.0,
        give_up: dt.timedelta = dt.timedelta(hours=24),
        tz: dt.tzinfo = dt.UTC,
    ) -> None:
        self.tz = tz
        self.db = db
        self.transport = transport
        self.clock = clock
        self.in_flight = max(1, in_flight)
        self.broadcasts = max(1, min(broadcasts, self.in_flight))
        self.give_up = give_up
        # broadcasts are paced (reminders to thousands of agencies take minutes, never the
        # replies' turn): a token bucket, 0 = no pacing
        self.broadcast_rate = broadcast_rate
        self._tokens = 1.0
        self._filled = time.monotonic()
        self._wake = asyncio.Event()
        self._last_id = 0  # the highest outbox id read so far
        # what waits, in memory: per recipient one queue per priority, in id order; and per
        # priority the recipients that have something waiting, in the order they got it
        self._queues: dict[str, tuple[deque[OutboxItem], ...]] = {}
        self._ready: tuple[deque[str], ...] = (deque(), deque(), deque())
        self._busy: set[str] = set()  # recipients with a message in flight or not yet recorded
        self._tasks: dict[asyncio.Task[None], OutboxItem] = {}
        self._results: list[_Result] = []
        self._known: set[int] = set()  # ids queued in memory, in flight or not yet recorded
        self._stale = True  # rows may have been committed that were not handed over
        self._fatal: BaseException | None = None
        self.sent = 0
        self.heartbeat: Callable[[], None] = _nothing  # each time round the loop
        # monitoring: (channel, API messages, seconds from commit to delivery for a reply)
        self.on_delivered: Callable[[str, int, float | None], None] | None = None

    @property
    def channel(self) -> str:
        return self.transport.name

    def wake(self) -> None:
        """New messages were committed by someone: read them now."""
        self._stale = True
        self._wake.set()

    def feed(self, item: OutboxItem) -> None:
        """A message just committed, handed over in memory: queued without a read."""
        if item.id not in self._known:
            self._queue(item)
        self._wake.set()

    def _queue(self, item: OutboxItem) -> None:
        """Into its recipient's queue of its priority, in id order."""
        self._known.add(item.id)
        queues = self._queues.get(item.recipient)
        if queues is None:
            queues = self._queues[item.recipient] = (deque(), deque(), deque())
        queue = queues[item.priority]
        if not queue:
            self._ready[item.priority].append(item.recipient)
        if queue and queue[-1].id > item.id:  # read after a later one was handed over
            at = next(i for i, queued in enumerate(queue) if queued.id > item.id)
            queue.insert(at, item)
        else:
            queue.append(item)

    async def run(self) -> None:
        """Deliver until cancelled; raises ChannelFatal if the channel cannot work any more."""
        try:
            while True:
                self.heartbeat()
                self._wake.clear()
                await self._flush()
                if self._fatal is not None:
                    raise self._fatal
                if self._stale:
                    await self._refresh()
                self._dispatch()
                timeout = 1.0 if self._tasks else self._idle_seconds()
                try:
                    await asyncio.wait_for(self._wake.wait(), timeout)
                except TimeoutError:
                    self._stale = True  # idle: look for rows nobody announced
        finally:
            for task in self._tasks:
                task.cancel()

    async def drain(self, limit: int = 10_000) -> int:
        """Send everything due now, then return how many were sent (tests, CLI, shutdown)."""
        before = self.sent
        await self._refresh()
        for _round in range(limit):
            self._dispatch()
            if not self._tasks:
                paced = self._paced_wait()
                if paced is None:
                    break
                await asyncio.sleep(paced)  # broadcasts due now wait for their turn
                continue
            await asyncio.wait(list(self._tasks), return_when=asyncio.FIRST_COMPLETED)
            await self._flush()
            if self._fatal is not None:
                raise self._fatal
        await self._flush()
        if self._fatal is not None:
            raise self._fatal
        return self.sent - before

    async def _refresh(self) -> None:
        """Read the messages committed since the last look (all of them at the first) that were
        not handed over."""
        self._stale = False
        last = self._last_id

        async def pending(tx: Repos) -> list[OutboxItem]:
            return await tx.outbox.pending_after(self.channel, last)

        fresh = await self.db.at_once(pending, write=False)
        for item in fresh:
            self._last_id = max(self._last_id, item.id)
            if item.id not in self._known:
                self._queue(item)

    def _idle_seconds(self) -> float:
        """Until the earliest message waiting for a retry is due, or the next broadcast may go
        (at most 30 s)."""
        now = self.clock()
        due = [q[0].next_attempt_at for queues in self._queues.values() for q in queues if q]
        if not due:
            return 30.0
        wait = min(30.0, max(0.05, (min(due) - now).total_seconds()))
        if self._ready[BROADCAST] and self.broadcast_rate:
            wait = min(wait, max(0.01, (1 - self._tokens) / self.broadcast_rate))
        return wait

    def _paced_wait(self) -> float | None:
        """Seconds until the pacing lets the next due broadcast go; None if none is held back."""
        if not self.broadcast_rate:
            return None
        self._refill()
        if self._tokens >= 1:
            return None
        now = self.clock()
        for recipient in self._ready[BROADCAST]:
            queue = self._queues.get(recipient, ((), (), ()))[BROADCAST]
            if queue and queue[0].next_attempt_at <= now and recipient not in self._busy:
                return max(0.001, (1 - self._tokens) / self.broadcast_rate)
        return None

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(2.0, self._tokens + (now - self._filled) * self.broadcast_rate)
        self._filled = now

    def _may_broadcast(self) -> bool:
        if not self.broadcast_rate:
            return True
        self._refill()
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True

    def _dispatch(self) -> None:
        """Start sends: replies first, then notices, then broadcasts (a few at a time); one
        message per recipient in flight; a recipient's messages of one priority in order."""
        now = self.clock()
        broadcasting = sum(1 for item in self._tasks.values() if item.priority == BROADCAST)
        for priority, ready in enumerate(self._ready):
            for _turn in range(len(ready)):
                if len(self._tasks) >= self.in_flight:
                    return
                if priority == BROADCAST and broadcasting >= self.broadcasts:
                    return
                recipient = ready.popleft()
                queue = self._queues[recipient][priority]
                if not queue:
                    continue
                if recipient in self._busy or queue[0].next_attempt_at > now:
                    ready.append(recipient)  # its turn comes again later
                    continue
                if priority == BROADCAST and not self._may_broadcast():
                    ready.appendleft(recipient)
                    return
                item = queue.popleft()
                if queue:
                    ready.append(recipient)
                elif not any(self._queues[recipient]):
                    del self._queues[recipient]  # nothing left for them: forget the entry
                self._busy.add(recipient)
                broadcasting += priority == BROADCAST
                task = asyncio.create_task(self._send(item))
                self._tasks[task] = item
                task.add_done_callback(self._done)

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
            used = await self.transport.deliver(item, message, document)
            crashpoint("after_send")
            self._results.append(_Result(item, "sent", messages=used or 1))
        except Blocked as exc:
            self._results.append(_Result(item, "blocked", str(exc)))
        except Permanent as exc:
            log.error("%s: message %s to %s cannot be delivered: %s", *self._who(item), exc)
            self._results.append(_Result(item, "fail", str(exc), messages=exc.sent))
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

    def _requeue(self, item: OutboxItem) -> None:
        """A message to try again: back at the head of its recipient's queue."""
        queues = self._queues.setdefault(item.recipient, (deque(), deque(), deque()))
        if not queues[item.priority]:
            self._ready[item.priority].append(item.recipient)
        queues[item.priority].appendleft(item)

    async def _flush(self) -> None:
        """Record the results of finished sends in one transaction, then free their recipients:
        a recipient's next message is taken only once the previous one is recorded."""
        if not self._results:
            return
        results, self._results = self._results, []
        now = self.clock()
        requeue: list[OutboxItem] = []
        dropped: set[str] = set()

        async def record(tx: Repos) -> int:
            """Every result in one transaction, whole on the database thread."""
            sent = used = 0
            for r in results:
                item = r.item
                if r.outcome == "sent":
                    await tx.outbox.mark_sent([item.id], now)
                    sent += 1
                    used += r.messages
                elif r.outcome == "blocked":
                    await recipient_blocked(tx, Recipient(self.channel, item.recipient), now)
                    dropped.add(item.recipient)
                elif r.outcome == "fail":
                    await tx.outbox.fail(item.id, now, r.error)
                    used += r.messages  # pages of it that did go out count against a quota
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
                    due = now + dt.timedelta(seconds=after)
                    await tx.outbox.retry(item.id, due, r.error, count=r.counts)
                    requeue.append(
                        item.model_copy(
                            update={"next_attempt_at": due, "attempts": item.attempts + r.counts}
                        )
                    )
                    if r.counts:
                        log.warning(
                            "%s: message %s to %s will be retried in %.0f s: %s",
                            *self._who(item),
                            after,
                            r.error,
                        )
            if used:
                month = now.astimezone(self.tz).strftime("%Y-%m")
                await tx.usage.add(self.channel, month, used)
            return sent

        # The outbox rows were committed durably by whoever queued them; these records, if a
        # power cut took them, would only have a message sent once more: not synced on their own
        # (a kill of the process loses none), they ride on the next durable commit.
        sent = await self.db.at_once(record, durable=False)
        for recipient in dropped:  # everything that waited for them was dropped too
            for queue in self._queues.pop(recipient, ()):
                self._known.difference_update(item.id for item in queue)
        kept = {item.id for item in requeue if item.recipient not in dropped}
        for item in requeue:
            if item.id in kept:
                self._requeue(item)
        for r in results:
            self._busy.discard(r.item.recipient)
            if self.on_delivered is not None and r.outcome == "sent":
                waited = (now - r.item.created_at).total_seconds()
                self.on_delivered(
                    self.channel, r.messages, waited if r.item.priority == REPLY else None
                )
            if r.item.id not in kept:  # recorded for good: never read as pending again
                self._known.discard(r.item.id)
        self.sent += sent
