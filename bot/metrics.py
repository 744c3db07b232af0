"""What Prometheus scrapes at ``/metrics`` (prometheus-client, a registry of the process's own).

Counters and histograms are fed as things happen (an update handled, a message sent, a document
built, a scheduler tick); what the database knows (the outbox by kind, the dead letters, the
broadcasts still queued, the Zalo quota used) is read at each scrape, in one read transaction.
"""

from __future__ import annotations

import datetime as dt

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from db.connection import Database
from db.repos import Repos

LATENCY = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BUILD = (0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry()
        self.updates = Counter(
            "kehoach_updates",
            "Updates handled, by channel and outcome (handled, duplicate, failed)",
            ["channel", "outcome"],
            registry=registry,
        )
        self.update_seconds = Histogram(
            "kehoach_update_seconds",
            "From an update's arrival to the commit of what it decided",
            ["channel"],
            buckets=LATENCY,
            registry=registry,
        )
        self.reply_seconds = Histogram(
            "kehoach_reply_seconds",
            "From a reply's commit to its delivery (replies to people's own messages)",
            ["channel"],
            buckets=LATENCY,
            registry=registry,
        )
        self.sent = Counter(
            "kehoach_messages_sent",
            "Messages delivered through each channel's API (a long Zalo text counts each page)",
            ["channel"],
            registry=registry,
        )
        self.documents = Histogram(
            "kehoach_document_build_seconds",
            "Time to build a consolidated document, by format",
            ["format"],
            buckets=BUILD,
            registry=registry,
        )
        self.ticks = Counter("kehoach_scheduler_ticks", "Scheduler ticks", registry=registry)
        self.tick_failures = Counter(
            "kehoach_scheduler_tick_failures", "Scheduler ticks that failed", registry=registry
        )
        self.outbox = Gauge(
            "kehoach_outbox_messages",
            "Messages in the outbox, by state (pending, failed) and kind",
            ["state", "kind"],
            registry=registry,
        )
        self.dead_letters = Gauge(
            "kehoach_dead_letters",
            "Messages that can never be delivered (listed by kehoach-bot outbox)",
            registry=registry,
        )
        self.broadcast_pending = Gauge(
            "kehoach_broadcast_pending",
            "Broadcast messages (reminders, nudges) still to send, by channel",
            ["channel"],
            registry=registry,
        )
        self.quota_used = Gauge(
            "kehoach_quota_used",
            "Messages sent this month against a channel's monthly quota",
            ["channel"],
            registry=registry,
        )
        self.quota_limit = Gauge(
            "kehoach_quota_limit", "A channel's monthly quota", ["channel"], registry=registry
        )

    def handled(self, channel: str, outcome: str, seconds: float) -> None:
        self.updates.labels(channel, outcome).inc()
        self.update_seconds.labels(channel).observe(seconds)

    def delivered(self, channel: str, messages: int, reply_seconds: float | None) -> None:
        self.sent.labels(channel).inc(messages)
        if reply_seconds is not None:
            self.reply_seconds.labels(channel).observe(reply_seconds)

    async def scrape(self, db: Database, quotas: dict[str, int], month: str) -> bytes:
        """The text exposition, with the database's figures read now."""

        async def read(
            tx: Repos,
        ) -> tuple[list[tuple[str, str, int]], list[tuple[str, int]], dict[str, int]]:
            states = await tx.outbox.by_state()
            casts = await tx.outbox.broadcasts_pending()
            used = {c: (await tx.usage.get(c, month)).sent for c in quotas}
            return states, casts, used

        states, casts, used = await db.at_once(read, write=False)
        self.outbox.clear()
        for state, kind, n in states:
            self.outbox.labels(state, kind).set(n)
        self.dead_letters.set(sum(n for state, _kind, n in states if state == "failed"))
        self.broadcast_pending.clear()
        for channel, n in casts:
            self.broadcast_pending.labels(channel).set(n)
        for channel, limit in quotas.items():
            self.quota_limit.labels(channel).set(limit)
            self.quota_used.labels(channel).set(used[channel])
        return generate_latest(self.registry)


def month_of(now: dt.datetime, tz: dt.tzinfo) -> str:
    return now.astimezone(tz).strftime("%Y-%m")
