"""The Zalo channel: Zalo Bot Platform updates become Events; queued messages become sendMessage.

Zalo has no buttons, no edits and no files: the core numbers the choices into the text for this
channel (``handlers.numbered``); the text is rendered plain and cut at 2,000 characters between
blocks, a long one marked with its pages; a document becomes a signed, expiring link to the
bot's own HTTP server (``bot.links``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from bot.links import Links, upload_line
from bot.logs import Throttled
from bot.render import chunks
from bot.sender import Blocked, ChannelFatal, Permanent, RetryLater
from bot.zalo.client import ZaloClient, ZaloError, ZaloNetworkError
from db.documents import StoredDocument
from db.outbox import OutboxItem
from handlers.input import command
from handlers.markup import Run, esc
from handlers.markup import plain as markup_plain
from handlers.router import Core
from handlers.types import Event, Kind, Outgoing
from locales import _, fmt_datetime, use_locale

log = logging.getLogger(__name__)
CHANNEL = "zalo"
LIMIT = 2000
PAGE_MARK = 12  # room for " (trang 2/3)"
TOKEN_REJECTED = (
    "ZALO_BOT_TOKEN bị từ chối (Zalo trả lời 401): kiểm tra lại token trong Zalo Bot Manager."
)
TEXT_EVENTS = {"message.text.received"}
MEDIA_EVENTS = {
    "message.image.received",
    "message.sticker.received",
    "message.unsupported.received",
    "message.voice.received",
    "message.file.received",
}


def plain(runs: list[Run]) -> str:
    return "".join(r.text for r in runs)


def units(runs: list[Run]) -> int:
    """UTF-16 code units: never more characters than Zalo counts, however it counts them."""
    return len(plain(runs).encode("utf-16-le")) // 2


def messages(text: str, limit: int = LIMIT) -> list[str]:
    """Plain-text messages carrying ``text``, each at most ``limit`` UTF-16 units, the page
    mark "(trang k/n)" of several pages included: room is made for the longest mark, and made
    again if the mark turns out longer (more pages, more digits)."""
    parts = chunks(text, limit, plain, units)
    if len(parts) == 1:
        return parts
    reserve = PAGE_MARK
    while True:
        parts = chunks(text, limit - reserve, plain, units)
        longest = _units(_page_mark(len(parts), len(parts)))  # k <= n: no mark is longer
        if longest <= reserve:
            break
        reserve = longest
    return [f"{part}{_page_mark(k, len(parts))}" for k, part in enumerate(parts, 1)]


def _page_mark(k: int, n: int) -> str:
    return "\n(" + _("page {k}/{n}").format(k=k, n=n) + ")"


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


_ID = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class Malformed(ValueError):
    """An update of the wrong shape: dropped (counted), never stored, never asked for again."""


def _id(value: object, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Malformed(f"{where} is not a string")
    text = str(value)
    if not _ID.match(text):
        raise Malformed(f"{where} is not an id")
    return text


def to_event(update: dict[str, Any]) -> Event | None:
    """Map an update (webhook body or getUpdates result; wrapped in ``result`` or not); None
    for what the bot ignores by design, Malformed for what no Zalo update looks like."""
    wrapped = update.get("result")
    data: dict[str, Any] = wrapped if isinstance(wrapped, dict) else update
    name = data.get("event_name") or ""
    if not isinstance(name, str):
        raise Malformed("event_name is not a string")
    msg = data.get("message")
    if msg is not None and not isinstance(msg, dict):
        raise Malformed("message is not an object")
    if msg is None:
        return None
    for key in ("from", "chat"):
        if key in msg and not isinstance(msg[key], dict):
            raise Malformed(f"message.{key} is not an object")
    if "text" in msg and msg["text"] is not None and not isinstance(msg["text"], str):
        raise Malformed("message.text is not a string")
    if isinstance(msg.get("from"), dict) and msg["from"].get("id") is not None:
        _id(msg["from"]["id"], "message.from.id")
    if msg.get("message_id") is not None:
        _id(msg["message_id"], "message.message_id")
    if isinstance(msg.get("chat"), dict) and msg["chat"].get("id") is not None:
        _id(msg["chat"]["id"], "message.chat.id")
    sender: dict[str, Any] = msg["from"] if isinstance(msg.get("from"), dict) else {}
    chat: dict[str, Any] = msg["chat"] if isinstance(msg.get("chat"), dict) else {}
    user_id = str(sender.get("id") or "")
    message_id = str(msg.get("message_id") or "")
    if not user_id or not message_id or sender.get("is_bot"):
        return None
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "delivery_id": message_id,
        "user_id": user_id,
        "chat_id": str(chat.get("id") or user_id),
        "display_name": str(sender.get("display_name") or sender.get("name") or "")[:100],
        "private": str(chat.get("chat_type") or "PRIVATE").upper() != "GROUP",
    }
    if name in TEXT_EVENTS:
        text = str(msg.get("text") or "")
        parsed = command(text) if text.lstrip().startswith("/") else None
        if parsed is not None:
            return Event(kind=Kind.COMMAND, command=parsed[0], args=parsed[1], text=text, **base)
        return Event(kind=Kind.TEXT, text=text, **base)
    if name in MEDIA_EVENTS or name.startswith("message."):
        return Event(kind=Kind.MEDIA, **base)
    return None


class ZaloChannel:
    """One Zalo bot: receives updates (webhook or polling), delivers outbox messages."""

    name = CHANNEL
    numbered = True

    def __init__(
        self,
        client: ZaloClient,
        core: Core,
        *,
        links: Links | None,
        locale: str = "vi",
        tz: Any = None,
        rate_limit: float = 5.0,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        self.client = client
        self.core = core
        self.malformed = Throttled(log)  # updates of the wrong shape, counted
        self.links = links
        self.locale = locale
        self.tz = tz
        self.interval = 1 / rate_limit if rate_limit else 0.0
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.bot_name = ""
        self._next_send = 0.0
        self._pace = asyncio.Lock()
        self.heartbeat: Callable[[], None] = lambda: None  # each getUpdates answered

    async def start(self) -> None:
        """Check the token (one line if Zalo rejects it), then set or remove the webhook."""
        try:
            me = await self.client.get_me()
            self.bot_name = str(me.get("account_name") or me.get("display_name") or "")
            if self.webhook_url:
                assert self.webhook_secret is not None
                await self.client.set_webhook(self.webhook_url, self.webhook_secret)
            else:
                await self.client.delete_webhook()
        except ZaloError as exc:
            if exc.code in (401, 403, 404):
                raise ChannelFatal(TOKEN_REJECTED) from None
            raise
        log.info(
            "zalo: bot %s ready (%s)", self.bot_name, "webhook" if self.webhook_url else "polling"
        )

    async def stop(self) -> None:
        await self.client.close()

    def invite_line(self, code: str) -> str:
        name = f" {self.bot_name}" if self.bot_name else ""
        return f"Zalo: gửi cho bot{name} tin nhắn  /start {code}"

    async def handle_update(self, data: dict[str, Any]) -> None:
        """Store one update; raises only when it could not be stored (it must come again)."""
        try:
            event = to_event(data)
        except Malformed as exc:
            self.malformed.warn("update", f"zalo: an update of the wrong shape dropped: {exc}")
            return
        if event is None:
            log.info("zalo: update ignored (%s)", str(data.get("event_name", "?"))[:60])
            return
        await self.core.handle(event)

    async def _paced(self) -> None:
        if not self.interval:
            return
        async with self._pace:
            now = time.monotonic()
            wait = self._next_send - now
            self._next_send = max(now, self._next_send) + self.interval
        if wait > 0:
            await asyncio.sleep(wait)

    async def deliver(
        self, item: OutboxItem, message: Outgoing, document: StoredDocument | None
    ) -> int:
        chat = item.recipient
        if message.document_id is not None:
            texts = [self._document_text(item, message, document)]
        else:
            text = message.text
            if message.upload:
                with use_locale(self.locale):
                    line = upload_line(
                        self.links, f"{CHANNEL}:{chat}", message.upload, self.tz or dt.UTC
                    )
                text = f"{text}\n\n{esc(line)}"
            texts = messages(text)
        sent = 0
        refused: list[str] = []
        for k, text in enumerate(texts, 1):
            try:
                await self._paced()
                await self.client.send_message(chat, text)
                sent += 1
            except ZaloNetworkError as exc:
                raise RetryLater(str(exc), 0.0) from None
            except ZaloError as exc:
                if exc.code == 401:
                    raise ChannelFatal(TOKEN_REJECTED) from None
                if exc.code == 403:
                    raise Blocked(exc.description) from None
                if exc.code == 429:
                    raise RetryLater(
                        f"rate limited: {exc.description}", 5.0, counts=False
                    ) from None
                if exc.code >= 500 or exc.code == 408:
                    raise RetryLater(str(exc), 0.0) from None
                # this page can never go: the others still do, and the refusal is recorded
                refused.append(f"page {k}/{len(texts)}: {exc}" if len(texts) > 1 else str(exc))
        if refused:
            raise Permanent("; ".join(refused), sent=sent)
        return sent

    def _document_text(
        self, item: OutboxItem, message: Outgoing, document: StoredDocument | None
    ) -> str:
        with use_locale(self.locale):
            if document is None:
                raise Permanent("the document is no longer stored")
            caption = plain_caption(message.caption)
            if self.links is None:
                log.warning("zalo: no PUBLIC_BASE_URL; %s cannot be linked", document.filename)
                return _(
                    "{caption}The file {name} is ready, but files cannot be sent in Zalo and the "
                    "bot has no public address for links (PUBLIC_BASE_URL). Please ask the "
                    "administrator, or download it in Telegram."
                ).format(caption=caption, name=document.filename)
            url, expires = self.links.make(
                document.id, f"{CHANNEL}:{item.recipient}", document.filename
            )
            return _("{caption}📎 {name}: {url}\n(link valid until {until}, for you only)").format(
                caption=caption,
                name=document.filename,
                url=url,
                until=fmt_datetime(expires, self.tz or dt.UTC),
            )


def plain_caption(caption: str) -> str:
    return markup_plain(caption) + "\n" if caption else ""
