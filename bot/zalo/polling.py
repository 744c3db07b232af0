"""Long polling of the Zalo Bot Platform (development; production uses the webhook).

getUpdates returns one update per call and has no offset: the platform considers an update
delivered once it has answered the call. An update is stored (committed) before the next call,
but a process killed between receiving an answer and committing it loses that one update — the
person sees no reply and sends again. The webhook has no such gap (200 only after the commit).

Failures: 408 is an empty poll; a rejected token stops the process with one line
(``ChannelFatal``); a rate limit, network errors and 5xx are waited out with backoff; the loop
only ends when asked to, or with ``ChannelFatal``.
"""

from __future__ import annotations

import asyncio
import logging

from bot.sender import ChannelFatal
from bot.zalo.channel import TOKEN_REJECTED, ZaloChannel
from bot.zalo.client import ZaloError, ZaloNetworkError

log = logging.getLogger(__name__)
MAX_BACKOFF = 30.0


async def poll(channel: ZaloChannel, *, long_poll: int = 30) -> None:
    backoff = 1.0
    while True:
        try:
            update = await channel.client.get_update(long_poll)
            backoff = 1.0
            channel.heartbeat()
        except ZaloError as exc:
            if exc.code == 401:
                raise ChannelFatal(TOKEN_REJECTED) from None
            wait = 5.0 if exc.code == 429 else backoff
            log.warning("zalo: getUpdates failed (%s); retrying in %.0f s", exc, wait)
            await asyncio.sleep(wait)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        except ZaloNetworkError as exc:
            log.warning("zalo: API unreachable (%s); retrying in %.0f s", exc, backoff)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF)
            continue
        if update is None:
            continue
        while True:  # an update fetched is stored before the next poll, whatever it takes
            try:
                await channel.handle_update(update)
                break
            except Exception:
                log.exception("zalo: update could not be stored; trying again in %.0f s", backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
