"""The daily automatic backup (optional): one file a day in BACKUP_DIR, the newest kept.

Taken by the scheduler after BACKUP_TIME local time, once a day (a file named by the day is
the record that it was taken); older files beyond BACKUP_KEEP are removed.
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from db.backup import BackupError, BackupInfo, backup

log = logging.getLogger(__name__)
PREFIX = "kehoach-"


class DailyBackup:
    def __init__(self, database: Path, folder: Path, keep: int, at: dt.time) -> None:
        self.database = database
        self.folder = folder
        self.keep = max(1, keep)
        self.at = at

    def path_for(self, day: dt.date) -> Path:
        return self.folder / f"{PREFIX}{day:%Y%m%d}.sqlite3"

    async def maybe(self, local: dt.datetime) -> BackupInfo | None:
        """Take today's backup if it is time and it is not taken yet; rotate old ones."""
        if local.time() < self.at:
            return None
        target = self.path_for(local.date())
        if target.exists():
            return None
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            info = await backup(self.database, target)
        except (BackupError, OSError) as exc:
            log.error("daily backup to %s failed: %s; tried again in a minute", target, exc)
            return None
        log.info("daily backup written: %s (%d bytes)", info.path, info.bytes)
        self._rotate()
        return info

    def _rotate(self) -> None:
        files = sorted(self.folder.glob(f"{PREFIX}[0-9]*.sqlite3"))
        for old in files[: -self.keep]:
            old.unlink(missing_ok=True)
            log.info("daily backup removed (keeping %d): %s", self.keep, old)
