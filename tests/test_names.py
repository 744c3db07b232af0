"""Display names from the messenger are cleaned like typed text, and no output of the command
line carries a control character (18.16)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from bot.__main__ import main
from domain.model import Role
from domain.text import display_name, terminal_safe
from tests import builders
from tests.conftest import CONSOLIDATOR, FOCAL, Harness, text_of

HOSTILE = "\u202eNguyễn\x1b[31m Văn\u200b\nAn\x07\x9b2J"


def test_a_display_name_is_one_clean_line() -> None:
    assert display_name(HOSTILE) == "Nguyễn[31m Văn An2J"
    assert display_name("Ngue\u0302\u0303n " * 40) == ("Nguễn " * 40)[:100].strip()
    assert terminal_safe("a\x1b[2Jb\u202ec\td\ne\r") == "a[2Jbc\td\ne"


async def test_a_hostile_messenger_name_is_stored_and_shown_clean(harness: Harness) -> None:
    h = harness
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    code = await h.invite("SNV")
    user = {"id": FOCAL, "is_bot": False, "first_name": HOSTILE, "language_code": "vi"}
    entities = [{"type": "bot_command", "offset": 0, "length": 6}]
    await h.feed(
        builders.message(FOCAL, h.bot, text=f"/start {code}", entities=entities, **{"from": user})
    )
    (stored,) = await h.rows("SELECT display_name FROM users WHERE external_id = ?", str(FOCAL))
    assert stored == ("Nguyễn[31m Văn An2J",)
    shown = text_of(await h.send(CONSOLIDATOR, "/tonghop"))
    assert "Nguyễn[31m Văn An2J" in shown
    assert not any(c in shown for c in "\u202e\x1b\x07\u200b")


async def test_the_command_line_prints_no_control_characters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from db import Database

    db_path = tmp_path / "k.sqlite3"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(db_path))
    assert await asyncio.to_thread(main, ["users"]) == 0  # creates and loads the database
    db = await Database.open(db_path)
    try:
        now = dt.datetime(2026, 1, 15, tzinfo=dt.UTC)
        async with db.transaction() as tx:
            user = await tx.users.ensure("telegram", "77", "x", now)
            snv = await tx.campaigns.agency_by_code("SNV")
            assert snv is not None
            await tx.users.grant(user.id, snv.id, Role.FOCAL, now)
            # stored raw by an older version: the output must still be clean
            await db._conn.execute(
                "UPDATE users SET display_name = ? WHERE id = ?", (HOSTILE, user.id)
            )
    finally:
        await db.close()
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["users"]) == 0
    out = capsys.readouterr().out
    assert "Nguyễn[31m Văn" in out
    assert not any(c in out for c in "\u202e\x1b\x07\u200b\x9b")
