"""The Telegram channel: command menu, update mapping, blocked users."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.telegram.channel import to_event
from handlers.types import Kind
from tests import builders
from tests.conftest import (
    FOCAL,
    FOCAL2,
    Clock,
    Harness,
    make_settings,
    start_harness,
    stop_harness,
    text_of,
)


async def test_commands_registered_in_vietnamese_and_english(tmp_path: Path, clock: Clock) -> None:
    h = await start_harness(make_settings(tmp_path), clock)
    api = h.api
    try:
        calls = [c for c in api.calls if c.method == "setMyCommands"]
        assert len(calls) == 2
        vi = {c["command"]: c["description"] for c in _commands(calls[0].params)}
        assert vi["kehoach"].startswith("Kế hoạch") and vi["nop"] == "Nộp kế hoạch"
        assert calls[1].params["language_code"] == "en"
        assert {c["command"]: c["description"] for c in _commands(calls[1].params)}[
            "nop"
        ] == "Submit the plan"
    finally:
        await stop_harness(h)


def _commands(params: dict) -> list[dict]:
    cmds = params["commands"]
    return json.loads(cmds) if isinstance(cmds, str) else cmds


async def test_update_mapping(harness: Harness) -> None:
    bot = harness.bot
    assert to_event(builders.text(1, bot, "/kehoach@kehoach_test_bot arg")).command == "kehoach"
    assert to_event(builders.text(1, bot, "/kehoach@kehoach_test_bot arg")).args == "arg"
    assert to_event(builders.sticker(1, bot)).kind is Kind.MEDIA
    assert to_event(builders.press(1, bot, "a:1")).kind is Kind.BUTTON
    assert to_event(builders.text(1, bot, "x", chat="group")).private is False


async def test_two_focal_persons_share_one_plan(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    await h.join(FOCAL2, "SNV")
    calls = await h.send(FOCAL, "/kehoach")
    from tests.conftest import button

    calls = await h.press(FOCAL, button(calls, "1."))
    calls = await h.press(FOCAL, button(calls, "Nhập mục tiêu"))
    await h.send(FOCAL, "Mục tiêu chung")
    calls = await h.send(FOCAL2, "/xem")
    assert "Mục tiêu chung" in text_of(calls)


async def test_blocked_user_is_recorded(harness: Harness) -> None:
    from domain.model import Role
    from tests.conftest import CONSOLIDATOR

    h = harness
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    h.api.blocked.add(CONSOLIDATOR)
    await h.send(CONSOLIDATOR, "/trogiup")
    assert (await h.rows("SELECT blocked_at IS NOT NULL FROM users"))[0] == (1,)


async def test_revoke_from_the_command_line(
    tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await h.join(FOCAL, "SNV")
    await stop_harness(h)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    assert await asyncio.to_thread(main, ["users"]) == 0
    assert f"telegram:{FOCAL}  Nguyễn Văn A  dau-moi@SNV" in capsys.readouterr().out
    assert await asyncio.to_thread(main, ["revoke", str(FOCAL)]) == 0
    h = await start_harness(settings, clock)
    try:
        calls = await h.send(FOCAL, "/kehoach")
        assert "chỉ phục vụ người được đơn vị tổng hợp mời" in text_of(calls)
    finally:
        await stop_harness(h)


async def test_flood_limit_is_waited_out_and_the_message_still_delivered(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    h.api.flood = 1
    calls = await h.send(FOCAL, "/trogiup")
    sends = [c for c in calls if c.method == "sendMessage"]
    assert len(sends) == 2  # refused once with retry_after, then delivered
    assert "Các lệnh" in sends[-1].text
