"""Backups taken while the bot writes: consistent, whole, holding every committed answer."""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from bot.backups import DailyBackup
from db.backup import BackupError, backup
from db.connection import Database
from tests.conftest import Harness

NOW = dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)


async def test_a_backup_taken_during_writes_holds_every_committed_answer(
    harness: Harness, tmp_path: Path
) -> None:
    h = harness
    db: Database = h.db
    committed: list[int] = []
    started = asyncio.Event()

    async def writer() -> None:
        for n in range(400):
            async with db.transaction() as tx:
                await tx.audit.record(NOW, None, "write", "test", n)
            committed.append(n)
            if n == 50:
                started.set()
            await asyncio.sleep(0)

    task = asyncio.create_task(writer())
    await started.wait()
    before = len(committed)
    info = await backup(Path(h.app.settings.database_path), tmp_path / "copy.sqlite3")
    await task
    copy = sqlite3.connect(info.path)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        seen = [
            r[0]
            for r in copy.execute(
                "SELECT entity_id FROM audit_log WHERE action = 'write' ORDER BY id"
            )
        ]
        assert seen == list(range(len(seen)))  # one consistent moment: no gaps
        assert len(seen) >= before  # everything committed before the backup began is in it
        assert copy.execute("PRAGMA user_version").fetchone()[0] == info.schema >= 5
        assert copy.execute("SELECT count(*) FROM campaigns").fetchone()[0] == 1
    finally:
        copy.close()
    assert not (tmp_path / "copy.sqlite3.partial").exists()


async def test_backup_of_a_missing_database_fails_clearly(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database at"):
        await backup(tmp_path / "absent.sqlite3", tmp_path / "copy.sqlite3")


async def test_daily_backup_once_a_day_keeping_the_newest(harness: Harness, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    daily = DailyBackup(Path(harness.app.settings.database_path), folder, 3, dt.time(2, 30))
    vn = dt.timezone(dt.timedelta(hours=7))
    assert await daily.maybe(dt.datetime(2026, 1, 10, 2, 0, tzinfo=vn)) is None  # too early
    for day in range(10, 16):
        assert await daily.maybe(dt.datetime(2026, 1, day, 2, 31, tzinfo=vn)) is not None
        assert await daily.maybe(dt.datetime(2026, 1, day, 3, 0, tzinfo=vn)) is None  # once
    assert sorted(p.name for p in folder.iterdir()) == [
        "kehoach-20260113.sqlite3",
        "kehoach-20260114.sqlite3",
        "kehoach-20260115.sqlite3",
    ]
