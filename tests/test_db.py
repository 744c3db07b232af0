"""The connection: migrations by PRAGMA user_version, WAL, foreign keys, caller-owned commits."""

from __future__ import annotations

import asyncio
import functools
import re
from pathlib import Path

import pytest

from db import Database
from db.connection import migrations
from db.repos import Repos


async def test_pragmas_and_migrations(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        assert await db.schema_version() == len(migrations())
        async with db._conn.execute("PRAGMA journal_mode") as cur:
            assert (await cur.fetchone())[0] == "wal"
        async with db._conn.execute("PRAGMA foreign_keys") as cur:
            assert (await cur.fetchone())[0] == 1
        assert await db.migrate() == len(migrations())  # idempotent
    finally:
        await db.close()


async def test_a_commit_not_synced_is_kept_and_the_next_ones_are_synced_again(
    tmp_path: Path,
) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")

    async def add(tx: Repos, code: str = "N") -> int:
        await tx.campaigns._run("INSERT INTO agencies (code, name) VALUES (?, 'n')", (code,))
        (row,) = await tx.campaigns._conn.execute_fetchall("PRAGMA synchronous")
        return int(row[0])

    async def fail(tx: Repos) -> int:
        await add(tx, "F")
        raise RuntimeError("boom")

    try:
        assert await db.at_once(add, durable=False) == 1  # NORMAL for this commit only
        with pytest.raises(RuntimeError):
            await db.at_once(fail, durable=False)
        assert await db.at_once(functools.partial(add, code="D")) == 2  # FULL again
        async with db.read() as tx:
            assert await tx.campaigns.agency_by_code("N") is not None
            assert await tx.campaigns.agency_by_code("F") is None
    finally:
        await db.close()
    db = await Database.open(tmp_path / "k.sqlite3")  # and after closing: still there
    try:
        async with db.read() as tx:
            assert await tx.campaigns.agency_by_code("N") is not None
    finally:
        await db.close()


async def test_transaction_rolls_back_on_error(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as tx:
                await tx.campaigns._run("INSERT INTO agencies (code, name) VALUES ('X', 'x')")
                raise RuntimeError("boom")
        async with db.transaction() as tx:
            assert await tx.campaigns.agency_by_code("X") is None
    finally:
        await db.close()


async def test_foreign_keys_are_enforced(tmp_path: Path) -> None:
    import sqlite3

    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        with pytest.raises(sqlite3.IntegrityError):
            async with db.transaction() as tx:
                await tx.plans._run("INSERT INTO assignments (plan_id, item_id) VALUES (99, 99)")
    finally:
        await db.close()


async def test_parsed_definitions_are_cached_by_content_not_by_id(tmp_path: Path) -> None:
    """Two databases, same campaign id and load time, different definitions: each gets its own
    (a cache keyed by id and time once served one's definition to the other)."""
    import datetime as dt

    from bot.settings import BUNDLED_CAMPAIGN
    from db.connection import Database
    from domain.campaign import load_campaign

    at = dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)
    base = load_campaign(BUNDLED_CAMPAIGN)
    titles = []
    for n, title in enumerate(("Đợt A", "Đợt B")):
        db = await Database.open(tmp_path / f"{n}.sqlite3")
        try:
            async with db.transaction() as tx:
                await tx.campaigns.load(base.model_copy(update={"title": title}), at)
            async with db.read() as tx:
                active = await tx.campaigns.active()
                assert active is not None
                titles.append(active.definition.title)
        finally:
            await db.close()
    assert titles == ["Đợt A", "Đợt B"]


async def test_a_damaged_file_found_while_running_ends_the_process_through_watch(
    tmp_path: Path,
) -> None:
    import sqlite3

    from db.connection import DatabaseDamaged

    db = await Database.open(tmp_path / "k.sqlite3")
    watching = asyncio.create_task(db.watch())
    try:
        async with db.transaction() as tx:
            await tx.campaigns.active()
        await asyncio.sleep(0)
        assert not watching.done()  # a healthy file: nothing to report
        with pytest.raises(sqlite3.IntegrityError):  # an ordinary error is not damage
            async with db.transaction():
                raise sqlite3.IntegrityError("UNIQUE constraint failed")
        assert not watching.done()
        with pytest.raises(DatabaseDamaged, match=r"is damaged .*made by kehoach-bot backup"):
            async with db.read():
                raise sqlite3.DatabaseError("database disk image is malformed")
        with pytest.raises(DatabaseDamaged, match=re.escape(str(tmp_path / "k.sqlite3"))):
            await asyncio.wait_for(watching, 5)
    finally:
        watching.cancel()
        await db.close()
