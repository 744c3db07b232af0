"""``/healthz``, ``/readyz`` and ``/metrics`` on the bot's HTTP server, for the operator only.

``/healthz``: the process answers (its event loop runs). ``/readyz``: it does its job — the
database takes a write lock within 2 s, every channel that polls fetched updates in the last
minute, every sender and the report worker went round their loop in the last minute (they wake
at least every 30 s when idle), and no reply or notice due more than 5 minutes ago waits unsent
(the senders drain). A webhook channel is alive while this server answers.

They are not for the public: a request that came through a reverse proxy (it carries
``X-Forwarded-For``, ``Forwarded`` or ``X-Real-IP``) is answered 404, whatever the proxy forwards;
the compose file and the README's proxy forward only the webhook, document and upload paths.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.heartbeats import Heartbeats
from bot.metrics import Metrics, month_of
from db.connection import Database
from db.repos import Repos

DATABASE_WITHIN = 2.0  # seconds to take the write lock
DRAINED_WITHIN = dt.timedelta(minutes=5)  # a reply due longer ago and unsent: not draining
PROXIED = ("X-Forwarded-For", "Forwarded", "X-Real-IP")
PATHS = ("/healthz", "/readyz", "/metrics")


def _writable(raw: sqlite3.Connection) -> None:
    raw.execute("BEGIN IMMEDIATE")
    raw.execute("ROLLBACK")


class Ops:
    """The three routes, over what the composition root knows of the process."""

    def __init__(
        self,
        db: Database,
        heartbeats: Heartbeats,
        parts: Callable[[], list[str]],
        metrics: Metrics,
        *,
        quotas: dict[str, int],
        clock: Callable[[], dt.datetime],
        tz: dt.tzinfo,
    ) -> None:
        self.db = db
        self.heartbeats = heartbeats
        self.parts = parts
        self.metrics = metrics
        self.quotas = quotas
        self.clock = clock
        self.tz = tz

    def routes(self) -> list[tuple[str, Callable[[web.Request], Awaitable[web.StreamResponse]]]]:
        return [("/healthz", self.healthz), ("/readyz", self.readyz), ("/metrics", self.scrape)]

    @staticmethod
    def _proxied(request: web.Request) -> bool:
        return any(h in request.headers for h in PROXIED)

    async def healthz(self, request: web.Request) -> web.Response:
        if self._proxied(request):
            raise web.HTTPNotFound()
        return web.json_response({"ok": True})

    async def readyz(self, request: web.Request) -> web.Response:
        if self._proxied(request):
            raise web.HTTPNotFound()
        problems = {
            part: "not heard from in the last minute"
            for part in self.heartbeats.silent(self.parts())
        }
        overdue = await self.db.at_once(self._overdue, write=False)
        for channel, count in sorted(overdue.items()):
            problems[f"{channel} sender"] = (
                f"not draining: {count} message(s) due over {DRAINED_WITHIN.seconds // 60} minutes"
                " ago still unsent"
            )
        try:
            await asyncio.wait_for(self.db.on_thread(_writable), DATABASE_WITHIN)
        except TimeoutError:
            problems["database"] = f"no write lock within {DATABASE_WITHIN:.0f} s"
        except Exception as exc:  # read-only, damaged, gone: the reason, never a secret
            problems["database"] = f"not writable: {type(exc).__name__}"
        body = {"ok": not problems, "problems": problems}
        return web.json_response(body, status=503 if problems else 200)

    async def _overdue(self, tx: Repos) -> dict[str, int]:
        return await tx.outbox.overdue(self.clock() - DRAINED_WITHIN)

    async def scrape(self, request: web.Request) -> web.Response:
        if self._proxied(request):
            raise web.HTTPNotFound()
        text = await self.metrics.scrape(self.db, self.quotas, month_of(self.clock(), self.tz))
        return web.Response(
            body=text, headers={"Content-Type": "text/plain; version=0.0.4; charset=utf-8"}
        )
