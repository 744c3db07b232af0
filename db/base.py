"""Shared helpers of the repositories. Repositories never commit: the caller's transaction does."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable
from typing import Any, Protocol


class Cursor(Protocol):
    @property
    def lastrowid(self) -> int | None: ...
    @property
    def rowcount(self) -> int: ...


class Conn(Protocol):
    """What a repository needs of a connection: aiosqlite's (a hop to its thread per call), or
    :class:`InThread` (the raw connection, for a unit of work that runs on that thread whole)."""

    async def execute_fetchall(self, sql: str, parameters: Any = ...) -> Iterable[sqlite3.Row]: ...
    async def execute(self, sql: str, parameters: Any = ...) -> Any: ...


class InThread:
    """The raw sqlite3 connection, on the database's own thread: the calls of aiosqlite's
    connection, each one done at once — no hop to another thread, no suspension — so that a
    whole batch of updates is one trip to that thread (:meth:`db.connection.Database.on_thread`)."""

    def __init__(self, raw: sqlite3.Connection) -> None:
        self.raw = raw

    async def execute_fetchall(self, sql: str, parameters: Any = ()) -> list[sqlite3.Row]:
        return self.raw.execute(sql, parameters).fetchall()

    async def execute(self, sql: str, parameters: Any = ()) -> sqlite3.Cursor:
        return self.raw.execute(sql, parameters)


def iso(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Repository:
    def __init__(self, conn: Conn) -> None:
        self._conn = conn

    # Each call is one round trip to aiosqlite's thread (not three: execute, fetch, close), or
    # none at all on that thread (InThread).
    async def _one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        rows = await self._conn.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, tuple(params)))

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute; return lastrowid for an INSERT, the row count otherwise."""
        cur = await self._conn.execute(sql, tuple(params))
        if sql.lstrip().upper().startswith("INSERT"):
            return int(cur.lastrowid or 0)
        return int(cur.rowcount)
