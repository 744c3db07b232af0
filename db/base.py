"""Shared helpers of the repositories. Repositories never commit: the caller's transaction does."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import aiosqlite


def iso(value: dt.datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


def from_iso(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def day(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


class Repository:
    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def _one(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._conn.execute(sql, tuple(params)) as cur:
            return await cur.fetchone()

    async def _all(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._conn.execute(sql, tuple(params)) as cur:
            return list(await cur.fetchall())

    async def _run(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Execute; return lastrowid for an INSERT, the row count otherwise."""
        async with self._conn.execute(sql, tuple(params)) as cur:
            if sql.lstrip().upper().startswith("INSERT"):
                return int(cur.lastrowid or 0)
            return int(cur.rowcount)
