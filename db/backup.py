"""Copies of the database taken while the bot runs (SQLite's online backup API).

The copy is made through a connection of its own: in WAL mode it reads one consistent snapshot
and never blocks the bot's writes. It is written to a temporary file, checked
(``PRAGMA integrity_check``), then renamed into place, so a backup file is either whole or absent.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    bytes: int
    schema: int


class BackupError(Exception):
    """The backup could not be made or is not sound; the message says why."""


def copy(source: Path, target: Path) -> BackupInfo:
    """The copy, here on this thread (``backup`` runs it off the event loop)."""
    if not source.exists():
        raise BackupError(f"no database at {source}")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    src = sqlite3.connect(source)
    try:
        src.execute("PRAGMA query_only = ON")
        src.execute("PRAGMA busy_timeout = 5000")
        dst = sqlite3.connect(partial)
        try:
            src.backup(dst)  # all pages in one step: one snapshot
            dst.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            check = dst.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise BackupError(f"the copy failed its integrity check: {check}")
            schema = int(dst.execute("PRAGMA user_version").fetchone()[0])
        finally:
            dst.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"cannot copy {source}: {exc}") from None
    finally:
        src.close()
    os.replace(partial, target)
    return BackupInfo(target, target.stat().st_size, schema)


async def backup(source: Path, target: Path) -> BackupInfo:
    """Copy the database at ``source`` to ``target`` (replaced atomically), off the event loop."""
    return await asyncio.to_thread(copy, Path(source), Path(target))
