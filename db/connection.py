"""One aiosqlite connection: WAL, foreign keys, versioned migrations, caller-owned transactions."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path

import aiosqlite

from db.faults import crashpoint
from db.repos import Repos

_MIGRATION = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


def migrations() -> list[tuple[int, str]]:
    """(version, sql) of every migration file, in order."""
    found = []
    for entry in resources.files("db.migrations").iterdir():
        if m := _MIGRATION.match(entry.name):
            found.append((int(m[1]), entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations must be numbered 1..n without gaps, found {versions}")
    return found


class DatabaseUnavailable(Exception):
    """The database cannot be opened or migrated (a missing folder that cannot be created, no
    permission, not a SQLite file, a schema newer than this program). One line for the operator."""


class Database:
    """The single connection of the process. Use ``transaction()`` for every unit of work."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path | str) -> Database:
        """Open, configure and migrate; ``DatabaseUnavailable`` (one line) if it cannot be."""
        try:
            if str(path) != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = await aiosqlite.connect(str(path), isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DatabaseUnavailable(f"cannot open the database {path}: {exc}") from None
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode = WAL")
            await conn.execute("PRAGMA synchronous = FULL")
            await conn.execute("PRAGMA foreign_keys = ON")
            await conn.execute("PRAGMA busy_timeout = 5000")
            db = cls(conn)
            known = len(migrations())
            if await db.schema_version() > known:
                raise DatabaseUnavailable(
                    f"the database {path} was written by a newer version of kehoach-bot "
                    f"(schema {await db.schema_version()}, this one knows {known}): upgrade"
                )
            await db.migrate()
            return db
        except (OSError, sqlite3.Error) as exc:
            await conn.close()
            raise DatabaseUnavailable(
                f"cannot use the database {path}: {exc} (is it a kehoach-bot SQLite file, "
                "writable by this user?)"
            ) from None
        except DatabaseUnavailable:
            await conn.close()
            raise

    @classmethod
    async def open_reader(cls, path: Path | str) -> Database:
        """A second connection that only reads (a worker process building a document): it takes
        no write lock, and in WAL mode it never blocks the bot's writes."""
        conn = await aiosqlite.connect(str(path), isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA query_only = ON")
        await conn.execute("PRAGMA busy_timeout = 5000")
        return cls(conn)

    async def schema_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply the migrations newer than PRAGMA user_version, each in its own transaction."""
        current = await self.schema_version()
        for version, sql in migrations():
            if version <= current:
                continue
            await self._conn.executescript(
                f"BEGIN IMMEDIATE;\n{sql}\nPRAGMA user_version = {version};\nCOMMIT;"
            )
        return await self.schema_version()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        async with self._lock:
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Repos(self._conn)
            except BaseException:
                await self._conn.rollback()
                raise
            crashpoint("before_commit")
            await self._conn.commit()
            crashpoint("after_commit")

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repos]:
        """A consistent read (one snapshot) that takes no write lock. Nothing written commits."""
        async with self._lock:
            await self._conn.execute("BEGIN")
            try:
                yield Repos(self._conn)
            finally:
                await self._conn.rollback()

    async def close(self) -> None:
        await self._conn.close()
