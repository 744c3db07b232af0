"""The composition root: a part that stops on its own stops the process, with the right code."""

from __future__ import annotations

import asyncio
import contextlib
from pathlib import Path
from typing import Any

import pytest

from bot.app import EXIT_CONFIG, EXIT_FAILED, App
from bot.sender import ChannelFatal
from tests.conftest import Clock, make_settings
from tests.fakes import FakeBotAPI


def _app(tmp_path: Path, clock: Clock) -> App:
    return App(
        make_settings(tmp_path),
        clock=clock,
        telegram_request=FakeBotAPI(),
        telegram_updates_request=FakeBotAPI(),
        reports_in_process=True,
    )


@pytest.mark.parametrize(
    ("error", "code", "said"),
    [
        (RuntimeError("polling crashed"), EXIT_FAILED, "stopped unexpectedly"),
        (ChannelFatal("BOT_TOKEN bị từ chối"), EXIT_CONFIG, "BOT_TOKEN bị từ chối"),
    ],
)
async def test_a_part_that_ends_ends_the_process(
    tmp_path: Path,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    error: Exception,
    code: int,
    said: str,
) -> None:
    app = _app(tmp_path, clock)
    parts = app._parts

    async def failing() -> None:
        await asyncio.sleep(0.05)
        raise error

    def with_failing() -> dict[str, Any]:
        out = parts()
        for name, coro in list(out.items()):
            if name == "telegram polling":
                coro.close()
                out[name] = failing()
        return out

    app._parts = with_failing  # type: ignore[method-assign]
    assert await asyncio.wait_for(app.run(), 20) == code
    assert said in caplog.text


async def test_a_part_that_returns_quietly_also_ends_the_process(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(tmp_path, clock)
    parts = app._parts

    async def returns() -> None:
        return None

    def with_quiet() -> dict[str, Any]:
        out = parts()
        out["scheduler"].close()
        out["scheduler"] = returns()
        return out

    app._parts = with_quiet  # type: ignore[method-assign]
    assert await asyncio.wait_for(app.run(), 20) == EXIT_FAILED
    assert "scheduler stopped unexpectedly" in caplog.text


async def test_a_database_found_damaged_while_running_exits_2_with_one_line(
    tmp_path: Path, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    import sqlite3

    app = _app(tmp_path, clock)
    await app.open()
    original = app.run

    async def damage_soon() -> None:
        await asyncio.sleep(0.1)
        with contextlib.suppress(Exception):
            async with app.db.read():
                raise sqlite3.DatabaseError("database disk image is malformed")

    async def run_with_damage() -> int:
        asyncio.get_running_loop().create_task(damage_soon())
        return await original()

    app.open = _noop  # type: ignore[method-assign]
    assert await asyncio.wait_for(run_with_damage(), 20) == EXIT_CONFIG
    critical = [r for r in caplog.records if r.levelname == "CRITICAL"]
    assert len(critical) == 1 and "is damaged" in critical[0].getMessage()
    assert critical[0].exc_info is None  # one line, no traceback


async def _noop() -> None:
    return None


async def test_an_unchanged_campaign_file_is_not_parsed_again_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.app
    from bot.app import open_database
    from bot.settings import BUNDLED_CAMPAIGN

    campaign = tmp_path / "c.toml"
    campaign.write_text(BUNDLED_CAMPAIGN.read_text(encoding="utf-8"), encoding="utf-8")
    settings = make_settings(tmp_path, campaign_file=campaign)
    db = await open_database(settings)  # the first start parses and loads it
    await db.close()

    def refuse(*args: Any) -> None:
        raise AssertionError("parsed again")

    with monkeypatch.context() as m:
        m.setattr(bot.app, "parse_campaign", refuse)
        db = await open_database(settings)  # the same bytes: not parsed
        await db.close()
    campaign.write_text(
        campaign.read_text(encoding="utf-8").replace("answer_days = 15", "answer_days = 10"),
        encoding="utf-8",
    )
    db = await open_database(settings)  # changed: parsed and loaded
    try:
        async with db.read() as tx:
            active = await tx.campaigns.active()
        assert active is not None and active.definition.proposals.answer_days == 10
    finally:
        await db.close()
