"""Long polling that confirms an update only after it has been handled.

PTB's built-in updater confirms updates (the next getUpdates offset) as soon as they are fetched,
so a process killed before handling one loses it. Here an update is confirmed only after its
transaction has committed; a crash means Telegram delivers it again, and the core's record of
handled update ids makes the second delivery a no-op. Effects are exactly once.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, TimedOut

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]


async def poll(app: Any, stop: asyncio.Event, *, long_poll: int = 10) -> None:
    """Fetch, handle one by one, then confirm; back off while the Bot API is unreachable."""
    offset: int | None = None
    backoff = 1.0
    while not stop.is_set():
        try:
            updates: tuple[Update, ...] = await app.bot.get_updates(
                offset=offset,
                timeout=long_poll,
                allowed_updates=ALLOWED_UPDATES,
                read_timeout=long_poll + 10,
            )
            backoff = 1.0
        except InvalidToken:
            raise
        except Conflict as exc:
            log.error(
                "getUpdates conflict (%s): is a webhook set or another instance running?", exc
            )
            await _sleep(stop, 5)
            continue
        except (NetworkError, TimedOut) as exc:
            log.warning("Bot API unreachable (%s); retrying in %.0f s", exc, backoff)
            await _sleep(stop, backoff)
            backoff = min(backoff * 2, 15.0)
            continue
        for update in sorted(updates, key=lambda u: u.update_id):
            await app.process_update(update)
            offset = max(offset or 0, update.update_id + 1)


async def _sleep(stop: asyncio.Event, seconds: float) -> None:
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except TimeoutError:
        pass
