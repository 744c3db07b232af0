"""Long polling that confirms an update only after it has been stored, and never goes deaf.

PTB's built-in updater confirms updates (the next getUpdates offset) as soon as they are fetched,
so a process killed before storing one loses it. Here an update is confirmed only after its
transaction has committed; a crash means Telegram delivers it again, and the core's record of
handled update ids makes the second delivery a no-op.

Every failure of getUpdates has a policy: a flood wait (429) is waited out; a rejected token
(401/404) stops the process with one line (``ChannelFatal``); a conflict (409: a webhook is set or
another instance polls) and any other error are logged with their context and polling goes on
after a backoff. The loop only ends when asked to, or with ``ChannelFatal``.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TimedOut

from bot.sender import ChannelFatal
from bot.telegram.channel import ALLOWED_UPDATES, TOKEN_REJECTED, TelegramChannel

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0


async def poll(channel: TelegramChannel, *, long_poll: int = 10) -> None:
    """Fetch, store each update in order, then confirm; back off on every kind of failure."""
    offset: int | None = None
    backoff = 1.0
    while True:
        try:
            updates: tuple[Update, ...] = await channel.bot.get_updates(
                offset=offset,
                timeout=long_poll,
                allowed_updates=ALLOWED_UPDATES,
                read_timeout=long_poll + 10,
            )
            backoff = 1.0
            channel.heartbeat()
        except RetryAfter as exc:
            seconds = exc.retry_after
            wait = seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
            log.warning("telegram: getUpdates flood control; waiting %.0f s", wait)
            await asyncio.sleep(wait)
            continue
        except InvalidToken:
            raise ChannelFatal(TOKEN_REJECTED) from None
        except Conflict as exc:
            log.error("telegram: getUpdates conflict (%s): a webhook or another instance?", exc)
            await asyncio.sleep(5)
            continue
        except (NetworkError, TimedOut) as exc:
            log.warning("telegram: Bot API unreachable (%s); retrying in %.0f s", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        except Exception:
            log.exception(
                "telegram: getUpdates failed (offset %s); retrying in %.0f s", offset, backoff
            )
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        ordered = sorted(updates, key=lambda u: u.update_id)
        # All at once: the core stores them as one batch (one transaction, in this order).
        results = await asyncio.gather(
            *(channel.handle_update(u) for u in ordered), return_exceptions=True
        )
        for update, result in zip(ordered, results, strict=True):
            if isinstance(result, BaseException):
                log.error(
                    "telegram: update %s could not be stored; it will be fetched again",
                    update.update_id,
                    exc_info=result,
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
                break
            offset = max(offset or 0, update.update_id + 1)
