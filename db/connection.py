"""One aiosqlite connection: WAL, foreign keys, versioned migrations, caller-owned transactions."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

from db.backup import BackupError
from db.backup import copy as copy_database
from db.base import InThread
from db.faults import crashpoint
from db.repos import Repos

log = logging.getLogger(__name__)

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


class MigrationFailed(DatabaseUnavailable):
    """An upgrade of the schema failed: the database is as it was, the copy taken before named."""


class DatabaseDamaged(DatabaseUnavailable):
    """The file is not a SQLite database, or its pages are damaged: restarting will not help."""

    def __init__(self, path: Path | str, detail: str) -> None:
        super().__init__(
            f"the database {path} is damaged or not a kehoach-bot database ({detail}): stop the "
            "bot and restore the last backup (made by kehoach-bot backup; see README, Backup and "
            "restore), or set DATABASE_PATH to another file"
        )


T = TypeVar("T")


def _closing(work: Callable[[sqlite3.Connection], T], raw: sqlite3.Connection) -> T:
    """On the database thread: ``work``, and whatever it leaves open rolled back."""
    try:
        return work(raw)
    finally:
        if raw.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                raw.rollback()


def drive(coro: Coroutine[Any, Any, T]) -> T:
    """Runs to its end, here and now, a coroutine whose every await is a repository call on
    :class:`db.base.InThread` (they never suspend). Anything that would suspend is a bug."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value  # type: ignore[no-any-return]
    coro.close()
    raise RuntimeError("a unit of work on the database thread waited for something else")


Item = TypeVar("Item")


def _whole(
    unit: Callable[[Repos], Coroutine[Any, Any, T]],
    write: bool,
    durable: bool,
    raw: sqlite3.Connection,
) -> T:
    if not durable:  # this commit is not synced to disk by itself (see Database.at_once)
        raw.execute("PRAGMA synchronous = NORMAL")
    try:
        raw.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        result = drive(unit(Repos(InThread(raw))))
        if not write:
            raw.execute("ROLLBACK")
            return result
        crashpoint("before_commit")
        raw.execute("COMMIT")
        crashpoint("after_commit")
        return result
    finally:
        if not durable:
            if raw.in_transaction:  # the pragma is refused inside one: _closing rolls it back
                raw.rollback()
            raw.execute("PRAGMA synchronous = FULL")


def _batch(
    items: Sequence[Item],
    unit: Callable[[Repos, Item], Coroutine[Any, Any, T]],
    recover: Callable[[Repos, Item, Exception], Coroutine[Any, Any, T]],
    raw: sqlite3.Connection,
) -> list[T]:
    tx = Repos(InThread(raw))
    raw.execute("BEGIN IMMEDIATE")
    out = []
    for item in items:
        raw.execute("SAVEPOINT one_unit")
        try:
            result = drive(unit(tx, item))
        except Exception as exc:
            raw.execute("ROLLBACK TO one_unit")
            result = drive(recover(tx, item, exc))
        raw.execute("RELEASE one_unit")
        out.append(result)
    crashpoint("before_commit")
    raw.execute("COMMIT")
    crashpoint("after_commit")
    return out


async def _before_migrating(path: Path, current: int, known: int) -> Path:
    """An online copy of the database beside it, before its schema is upgraded (one line)."""
    target = path.with_name(f"{path.name}.before-schema-{known}")
    try:
        info = await asyncio.to_thread(copy_database, path, target)
    except BackupError as exc:
        raise DatabaseUnavailable(
            f"the database {path} needs an upgrade (schema {current} to {known}), but the copy "
            f"to take before it could not be made: {exc}; nothing was changed"
        ) from None
    log.warning(
        "upgrading the database %s from schema %d to %d; a copy of it as it was: %s (%d bytes)",
        path,
        current,
        known,
        info.path,
        info.bytes,
    )
    return info.path


def _damage(exc: BaseException) -> bool:
    """SQLite reports a damaged file as a bare DatabaseError ("database disk image is malformed",
    "file is not a database"); its subclasses (locked, constraint, misuse...) are other troubles."""
    return type(exc) is sqlite3.DatabaseError


class Database:
    """The single connection of the process. Use ``transaction()`` for every unit of work."""

    def __init__(self, conn: aiosqlite.Connection, path: Path | str = ":memory:") -> None:
        self._conn = conn
        self._lock = asyncio.Lock()
        self.path = path
        self._damaged: DatabaseDamaged | None = None
        self._damage_seen = asyncio.Event()
        self.migration_backup: Path | None = None  # the copy taken before upgrading, if any

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
            # Damaged pages are found now (~0.1 s per 100 MB), not by the first person to type
            problems = [str(r[0]) for r in await conn.execute_fetchall("PRAGMA quick_check")]
            if problems != ["ok"]:
                raise DatabaseDamaged(path, problems[0][:200])
            db = cls(conn, path)
            known = len(migrations())
            current = await db.schema_version()
            if current > known:
                raise DatabaseUnavailable(
                    f"the database {path} was written by a newer version of kehoach-bot "
                    f"(schema {current}, this one knows {known}): upgrade"
                )
            if 0 < current < known and str(path) != ":memory:":
                db.migration_backup = await _before_migrating(Path(path), current, known)
            try:
                await db.migrate()
            except sqlite3.Error as exc:
                kept = db.migration_backup
                raise MigrationFailed(
                    f"upgrading the database {path} from schema {current} to {known} failed "
                    f"({exc}); it is left as it was"
                    + (f"; the copy taken before is {kept}" if kept else "")
                ) from None
            return db
        except sqlite3.DatabaseError as exc:
            await conn.close()
            if _damage(exc):
                raise DatabaseDamaged(path, str(exc)) from None
            raise DatabaseUnavailable(
                f"cannot use the database {path}: {exc} (is it writable by this user?)"
            ) from None
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
        return cls(conn, path)

    async def schema_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def migrate(self) -> int:
        """Apply the migrations newer than PRAGMA user_version, all in one transaction: one
        that fails leaves the database as it was (SQLite's schema changes are transactional)."""
        current = await self.schema_version()
        steps = [
            f"{sql}\nPRAGMA user_version = {version};"
            for version, sql in migrations()
            if version > current
        ]
        if not steps:
            return current
        try:
            await self._conn.executescript("BEGIN IMMEDIATE;\n" + "\n".join(steps) + "\nCOMMIT;")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                await self._conn.execute("ROLLBACK")
            raise
        return await self.schema_version()

    def forget_migration_backups(self) -> list[Path]:
        """After a start that worked: the copies taken before earlier upgrades are removed (the
        one taken at this start stays until the next). Returns what was removed."""
        if str(self.path) == ":memory:":
            return []
        path = Path(self.path)
        removed = []
        for old in path.parent.glob(f"{path.name}.before-schema-*"):
            if old != self.migration_backup:
                old.unlink(missing_ok=True)
                removed.append(old)
        return removed

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Repos]:
        """One unit of work: committed when the block ends, rolled back if it raises."""
        async with self._lock, self._watching():
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield Repos(self._conn)
            except BaseException:
                with contextlib.suppress(sqlite3.DatabaseError):  # the error raised is the news
                    await self._conn.rollback()
                raise
            crashpoint("before_commit")
            await self._conn.commit()
            crashpoint("after_commit")

    async def on_thread(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Runs ``work`` with the raw connection on the database's own thread, under the same
        lock as every transaction: one trip to that thread for all of it. ``work`` owns the
        transaction (BEGIN … COMMIT) and must leave none open."""
        async with self._lock, self._watching():
            raw = self._conn._conn  # aiosqlite's sqlite3 connection, only touched on its thread
            return await self._conn._execute(_closing, work, raw)  # type: ignore[no-untyped-call,no-any-return]

    async def at_once(
        self,
        unit: Callable[[Repos], Coroutine[Any, Any, T]],
        *,
        write: bool = True,
        durable: bool = True,
    ) -> T:
        """One unit of work whose transaction runs whole on the database thread, in one trip:
        the lock is held only while it runs there (a batch of a broadcast takes a few
        milliseconds, not a hop per statement while people wait to be answered). ``write``
        False: a read (one snapshot, no write lock, nothing committed).

        ``durable`` False: the commit is not synced to disk itself (``synchronous = NORMAL``
        for it): it survives the process being killed at any moment, as every commit does in
        WAL mode, and becomes durable against a power cut with the next durable commit (the log
        is synced in order). Only for records whose loss at a power cut repeats work, never
        loses it: the sender's marks of messages sent (lost, the message is sent again)."""
        return await self.on_thread(functools.partial(_whole, unit, write, durable))

    async def batch(
        self,
        items: Sequence[Item],
        unit: Callable[[Repos, Item], Coroutine[Any, Any, T]],
        recover: Callable[[Repos, Item, Exception], Coroutine[Any, Any, T]],
    ) -> list[T]:
        """``unit`` for each item, all in one transaction and in one trip to the database
        thread (the units' repository calls run there, none of them a hop); each in a
        savepoint of its own, so that one that raises is undone alone and ``recover`` runs in
        its place. Raises, with nothing stored, only when a recovery fails or the commit does."""
        return await self.on_thread(functools.partial(_batch, items, unit, recover))

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Repos]:
        """A consistent read (one snapshot) that takes no write lock. Nothing written commits."""
        async with self._lock, self._watching():
            await self._conn.execute("BEGIN")
            try:
                yield Repos(self._conn)
            finally:
                with contextlib.suppress(sqlite3.DatabaseError):
                    await self._conn.rollback()

    @asynccontextmanager
    async def _watching(self) -> AsyncIterator[None]:
        """A damaged file found while the bot runs is raised as DatabaseDamaged, and ends the
        process through :meth:`watch` (every update would fail, and a restart cannot help)."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if not _damage(exc):
                raise
            if self._damaged is None:
                self._damaged = DatabaseDamaged(self.path, str(exc))
                self._damage_seen.set()
            raise self._damaged from None

    async def watch(self) -> None:
        """Returns never; raises DatabaseDamaged once any unit of work has found the file
        damaged. The composition root runs it beside the channels."""
        await self._damage_seen.wait()
        assert self._damaged is not None
        raise self._damaged

    async def close(self) -> None:
        await self._conn.close()
