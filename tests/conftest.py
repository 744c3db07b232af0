"""The harness: the real Application, an offline Bot API, a temporary database, a movable clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.settings import Settings
from db.outbox import OutboxItem
from domain.model import Role
from handlers.registration import issue_invite
from tests import builders
from tests.fakes import Call, FakeBotAPI

VN = dt.timezone(dt.timedelta(hours=7))
FOCAL = 1001
FOCAL2 = 1002
CONSOLIDATOR = 2001
ADMIN = 3001
STRANGER = 4001


class Clock:
    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at += dt.timedelta(**delta)


class Harness:
    """The real App (core, Telegram channel, outbox sender, scheduler, report worker) with PTB's
    requests answered in memory. ``send``/``press`` store one update, then deliver everything it
    queued (and run the work it asked for) and return the Bot API calls the person caused."""

    def __init__(self, app: App, api: FakeBotAPI, clock: Clock) -> None:
        self.app = app
        self.api = api
        self.clock = clock
        self.signals: set[str] = set()
        signal = app.signal

        def record(names: set[str], queued: Sequence[OutboxItem] = ()) -> None:
            self.signals |= names
            signal(names, queued)

        app.signal = record  # type: ignore[method-assign]
        app.core.on_queued = record

    @property
    def db(self) -> Any:
        return self.app.db

    @property
    def bot(self) -> Any:
        return self.app.channels["telegram"].bot  # type: ignore[attr-defined]

    @property
    def telegram(self) -> Any:
        return self.app.channels["telegram"]

    async def deliver(self) -> None:
        """Run what the last events asked for, then send everything queued."""
        while self.signals & {"reports", "jobs"}:
            asked, self.signals = self.signals, set()
            if "jobs" in asked:
                result = await self.app.jobs.run_requests()
                self.app.signal(result.signals)
            if "reports" in asked:
                await self.app.reports.run_pending()
        self.signals = set()
        for sender in self.app.senders.values():
            await sender.drain()

    async def feed(self, update: Any) -> list[Call]:
        self.api.take()
        await self.telegram.handle_update(update)
        await self.deliver()
        return [c for c in self.api.take() if c.method not in ("answerCallbackQuery",)]

    async def tick(self) -> list[Call]:
        """One scheduler tick at the clock's time, delivered."""
        self.api.take()
        result = await self.app.jobs.tick()
        self.app.signal(result.signals)
        await self.deliver()
        self.last_tick = result
        return [c for c in self.api.take() if c.method not in ("answerCallbackQuery",)]

    async def send(self, uid: int, body: str) -> list[Call]:
        return await self.feed(builders.text(uid, self.bot, body))

    async def press(self, uid: int, data: str) -> list[Call]:
        return await self.feed(builders.press(uid, self.bot, data))

    async def invite(self, agency: str, role: Role = Role.FOCAL, days: int = 7) -> str:
        async with self.db.transaction() as tx:
            a = await tx.campaigns.agency_by_code(agency)
            assert a is not None
            return await issue_invite(tx, a, role, days, self.clock(), None)

    async def join(self, uid: int, agency: str, role: Role = Role.FOCAL) -> list[Call]:
        return await self.send(uid, f"/start {await self.invite(agency, role)}")

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        async with self.db._conn.execute(sql, params) as cur:
            return [tuple(r) for r in await cur.fetchall()]


def text_of(calls: list[Call]) -> str:
    return "\n".join(c.text for c in calls if c.method in ("sendMessage", "editMessageText"))


def buttons_of(calls: list[Call]) -> list[tuple[str, str]]:
    return [b for c in calls for b in c.buttons]


def button(calls: list[Call], label_part: str) -> str:
    """The callback data of the (last) button whose label contains ``label_part``."""
    found = [data for label, data in buttons_of(calls) if label_part in label]
    assert found, f"no button with {label_part!r} in {buttons_of(calls)}"
    return found[-1]


def make_settings(tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {
        "bot_token": "123456:TEST-TOKEN",
        "bot_api_url": "http://127.0.0.1:9/bot",
        "database_path": tmp_path / "kehoach.sqlite3",
        "admin_ids": [ADMIN],
        "_env_file": None,
    }
    values.update(extra)
    return Settings(**values)


async def start_harness(settings: Settings, clock: Clock) -> Harness:
    api = FakeBotAPI()
    app = App(
        settings,
        clock=clock,
        telegram_request=api,
        telegram_updates_request=FakeBotAPI(),
        reports_in_process=True,
    )
    await app.open()
    return Harness(app, api, clock)


async def stop_harness(h: Harness) -> None:
    await h.app.close()


@pytest.fixture
def clock() -> Clock:
    return Clock(dt.datetime(2026, 1, 15, 9, 0, tzinfo=VN))


@pytest.fixture
async def harness(tmp_path: Path, clock: Clock) -> AsyncIterator[Harness]:
    h = await start_harness(make_settings(tmp_path), clock)
    try:
        yield h
    finally:
        await stop_harness(h)
    assert h.api.refused == [], "Telegram would have refused these messages"
