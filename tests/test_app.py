"""The composition root: a part that stops on its own stops the process, with the right code."""

from __future__ import annotations

import asyncio
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
