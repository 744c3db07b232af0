"""Logging for the process: one format, quiet HTTP libraries, and secrets never written.

Bot API URLs carry the token (``/bot<TOKEN>/sendMessage``) and some libraries put it in their
messages ("The token `...` was rejected"). Every record — message, arguments and traceback — goes
through :class:`Redact` before it is written, so no token, webhook secret or signing key reaches a
log, a terminal or a supervisor's journal.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time
from collections import Counter
from collections.abc import Iterable
from typing import TextIO

from domain.text import terminal_safe

MASK = "***"


class Redact(logging.Formatter):
    """A formatter that masks every known secret in the formatted record, traceback included."""

    def __init__(self, fmt: str, secrets: Iterable[str] = ()) -> None:
        super().__init__(fmt)
        self.secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        for secret in secrets:
            secret = secret.strip()
            if len(secret) >= 6 and secret not in self.secrets:
                self.secrets.append(secret)
                # a token's secret half alone is still a secret ("<bot_id>:<secret>")
                _id, sep, tail = secret.partition(":")
                if sep and len(tail) >= 6:
                    self.secrets.append(tail)
        self.secrets.sort(key=len, reverse=True)

    def format(self, record: logging.LogRecord) -> str:
        return terminal_safe(self.mask(super().format(record)))

    def mask(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, MASK)
        return text


# what a line about one update carries as fields of its own (LOG_FORMAT=json)
FIELDS = ("update", "channel", "user", "step", "outcome", "queued", "ms")


class Json(Redact):
    """One JSON object per line (LOG_FORMAT=json, for collectors): time, level, logger, message,
    the update's fields when the line is about one, the traceback as ``error``; masked the same
    way, and every string made terminal-safe before it is encoded."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for field in FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        clean = {k: terminal_safe(v) if isinstance(v, str) else v for k, v in entry.items()}
        return self.mask(json.dumps(clean, ensure_ascii=False, default=str))


_formatter = Redact("%(asctime)s %(levelname)s %(name)s: %(message)s")
_json = Json("%(message)s")
_json.secrets = _formatter.secrets  # one list of secrets for both
_chosen: Redact = _formatter


def setup(
    secrets: Iterable[str] = (), level: int | str = logging.INFO, fmt: str | None = None
) -> Redact:
    """Log to stderr through the redacting formatter (idempotent; secrets accumulate);
    ``fmt`` "json" for one JSON object a line, "text" back to text, None: as it was."""
    global _chosen
    _formatter.add(secrets)
    if fmt is not None:
        _chosen = _json if fmt == "json" else _formatter
    root = logging.getLogger()
    if not any(getattr(h, "_kehoach", False) for h in root.handlers):
        mine = logging.StreamHandler(sys.stderr)
        mine._kehoach = True  # type: ignore[attr-defined]
        root.addHandler(mine)
    for handler in root.handlers:  # any handler added by others gets the mask too
        handler.setFormatter(_chosen)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiohttp.access", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return _chosen


def mask(text: str) -> str:
    """``text`` with every registered secret masked (for lines printed outside logging)."""
    return _formatter.mask(text)


class Throttled:
    """Log lines that a flood (of bad clients, of malformed updates) could repeat thousands of
    times a second: each kind at most once a minute, with how many were left out; every
    occurrence is counted in ``counts``."""

    def __init__(self, logger: logging.Logger, every: float = 60.0) -> None:
        self.logger = logger
        self.every = every
        self.counts: Counter[str] = Counter()
        self._said: dict[str, float] = {}
        self._since: Counter[str] = Counter()

    def warn(self, kind: str, message: str) -> None:
        now = time.monotonic()
        self.counts[kind] += 1
        self._since[kind] += 1
        if now - self._said.get(kind, -self.every) >= self.every:
            self._said[kind] = now
            count, self._since[kind] = self._since[kind], 0
            self.logger.warning(
                "%s (%d since the last such line; at most one a minute)", message, count
            )


class Printable:
    """A text stream that writes only what a terminal prints as text: the CLI's output carries
    names from the database and from files (a person's messenger name, an agency's name), and
    none of them may move the cursor, change colours or reverse a line."""

    def __init__(self, inner: TextIO) -> None:
        self.inner = inner

    def write(self, text: str) -> int:
        self.inner.write(terminal_safe(text))
        return len(text)

    def flush(self) -> None:
        self.inner.flush()

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)
