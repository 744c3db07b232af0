"""The bot as its own process (``python -m bot run``) against the Bot API stand-in on 127.0.0.1."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.demo import wait_settled
from bot.settings import BUNDLED_CAMPAIGN
from bot.telegram.standin import Sent, StandIn
from db import Database
from domain.campaign import load_campaign
from domain.model import Role
from handlers.registration import issue_invite

ROOT = Path(__file__).resolve().parents[2]
FOCAL, CONSOLIDATOR, STRANGER, OTHER = 5001, 5002, 5003, 5004


class BotProcess:
    def __init__(self, standin: StandIn, env: dict[str, str], log: Path) -> None:
        self.standin = standin
        self.env = env
        self.log = log
        self.proc: asyncio.subprocess.Process | None = None

    async def start(self, ready: str = "getUpdates") -> None:
        before = self.standin.count(ready)
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=self.env,
                cwd=str(ROOT),
                stdout=out,
                stderr=asyncio.subprocess.STDOUT,
            )
        await self.standin.wait_for(
            lambda: self.standin.count(ready) > before or self.exited, 30, f"bot start ({ready})"
        )
        assert not self.exited, self.log.read_text()[-3000:]

    @property
    def exited(self) -> bool:
        return self.proc is not None and self.proc.returncode is not None

    async def kill(self) -> None:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> int:
        assert self.proc is not None
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 15)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()
        return self.proc.returncode or 0


class E2E:
    def __init__(self, standin: StandIn, db_path: Path, env: dict[str, str], log: Path) -> None:
        self.standin = standin
        self.db_path = db_path
        self.env = env
        self.log = log
        self.bot = BotProcess(standin, env, log)

    async def invite(
        self, agency: str, role: Role = Role.FOCAL, days: int = 7, at: dt.datetime | None = None
    ) -> str:
        db = await Database.open(self.db_path)
        try:
            async with db.transaction() as tx:
                if await tx.campaigns.active() is None:
                    await tx.campaigns.load(
                        load_campaign(BUNDLED_CAMPAIGN), dt.datetime.now(dt.UTC)
                    )
                a = await tx.campaigns.agency_by_code(agency)
                assert a is not None
                return await issue_invite(tx, a, role, days, at or dt.datetime.now(dt.UTC), None)
        finally:
            await db.close()

    async def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        db = await Database.open(self.db_path)
        try:
            async with db._conn.execute(sql, params) as cur:
                return [tuple(r) for r in await cur.fetchall()]
        finally:
            await db.close()

    async def settled(self, within: float = 30) -> None:
        """Everything the bot decided so far has been sent."""
        assert await wait_settled(self.db_path, within), "the bot did not send its replies"

    async def send(self, uid: int, text: str, within: float = 15) -> list[Sent]:
        before = len(self.standin.sent_to(uid))
        update_id = self.standin.push_text(uid, text)
        await self.standin.wait_for(
            lambda: self.standin.confirmed(update_id), within, f"update {text!r}"
        )
        await self.settled(max(within, 30))
        return self.standin.sent_to(uid)[before:]

    async def press(
        self, uid: int, data: str, message_id: int | None = None, within: float = 15
    ) -> list[Sent]:
        before = len(self.standin.sent_to(uid))
        edits = {m.message_id: m.edits for m in self.standin.sent_to(uid)}
        update_id = self.standin.push_button(uid, data, message_id)
        await self.standin.wait_for(
            lambda: self.standin.confirmed(update_id), within, f"button {data}"
        )
        await self.settled(max(within, 30))
        new = self.standin.sent_to(uid)[before:]
        edited = [
            m for m in self.standin.sent_to(uid) if m.edits > edits.get(m.message_id, m.edits)
        ]
        return edited + new

    async def press_label(self, uid: int, part: str) -> list[Sent]:
        for message in reversed(self.standin.sent_to(uid)):
            for label, data in message.flat_buttons:
                if part in label:
                    return await self.press(uid, data, message.message_id)
        raise AssertionError(f"no button {part!r}")


def text(messages: list[Sent]) -> str:
    return "\n".join(m.text or m.caption for m in messages)


def make_env(standin: StandIn, db_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(
        BOT_TOKEN=standin.token,
        BOT_API_URL=standin.base_url,
        DATABASE_PATH=str(db_path),
        ADMIN_IDS="",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


@asynccontextmanager
async def world(folder: Path, *, limits: bool = True, **env: str) -> AsyncIterator[E2E]:
    """A stand-in and a bot process (not started) on a fresh database in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    standin = StandIn(limits=limits)
    await standin.start()
    db_path = folder / "e2e.sqlite3"
    w = E2E(standin, db_path, make_env(standin, db_path, **env), folder / "bot.log")
    try:
        yield w
    finally:
        if w.bot.proc is not None:
            await w.bot.stop()
        await standin.stop()


def tracebacks(log: Path) -> str:
    content = log.read_text(errors="replace") if log.exists() else ""
    return content[-4000:] if "Traceback" in content else ""


@pytest.fixture
async def e2e(tmp_path: Path) -> AsyncIterator[E2E]:
    async with world(tmp_path) as w:
        yield w
    assert not tracebacks(w.log)
    assert w.standin.refused == [], "Telegram would have refused these messages"
