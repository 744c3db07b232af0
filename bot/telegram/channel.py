"""The Telegram channel: updates become Events; queued messages become Bot API calls.

PTB is used for what it is good at: its Bot (with Defaults, the AIORateLimiter that waits out
flood limits, typed errors) and its Update parsing. The process, its loop, the polling that
confirms an update only after it is stored, the webhook endpoint and the outbox are the
project's own (``bot.app``), so Telegram is one channel among others.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import AIORateLimiter, Defaults, ExtBot
from telegram.request import BaseRequest

from bot.logs import Throttled
from bot.sender import Blocked, ChannelFatal, Permanent, RetryLater
from bot.telegram import render
from bot.telegram.transport import AiohttpRequest
from db.documents import StoredDocument
from db.outbox import OutboxItem
from handlers.common import FOCAL_COMMANDS, command_descriptions
from handlers.input import command
from handlers.markup import esc
from handlers.router import Core
from handlers.tables import FILE_MAX
from handlers.types import Event, Kind, Outgoing, Upload
from locales import use_locale

if TYPE_CHECKING:
    from bot.links import Links

# PTB 22 warns on every 429 unless durations are opted in as timedelta (the v23 behaviour); the
# rate limiter reads them that way already, and nothing here reads them as numbers.
os.environ.setdefault("PTB_TIMEDELTA", "1")

log = logging.getLogger(__name__)
CHANNEL = "telegram"
MENU_COMMANDS = (*FOCAL_COMMANDS, "tonghop", "ngonngu")
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
TOKEN_REJECTED = (
    "BOT_TOKEN bị từ chối (Telegram trả lời 401/404): kiểm tra lại token từ @BotFather."
)


def file_url(base_url: str) -> str:
    """Where files are downloaded from, beside the Bot API: ``…/bot`` → ``…/file/bot``."""
    root = base_url.rstrip("/")
    return (root[: -len("/bot")] if root.endswith("/bot") else root) + "/file/bot"


def to_event(update: Update) -> Event | None:
    """Map an update to an Event; None for what the bot ignores by design (channel posts...)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        return None
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "delivery_id": str(update.update_id),
        "user_id": str(user.id),
        "chat_id": str(chat.id) if chat else str(user.id),
        "display_name": user.full_name,
        "language": user.language_code,
        "private": chat is None or chat.type == ChatType.PRIVATE,
    }
    if update.callback_query is not None:
        query = update.callback_query
        ref = str(query.message.message_id) if isinstance(query.message, Message) else None
        return Event(kind=Kind.BUTTON, data=(query.data or "")[:64], message_ref=ref, **base)
    if update.edited_message is not None:
        return Event(kind=Kind.EDITED, **base)
    msg = update.message
    if msg is None:
        return None
    text = msg.text
    if msg.document is not None:
        doc = msg.document
        upload = Upload(filename=doc.file_name or "", size=doc.file_size or 0, ref=doc.file_id)
        return Event(kind=Kind.FILE, file=upload, **base)
    if text is None:
        return Event(kind=Kind.MEDIA, **base)
    parsed = command(text) if text.startswith("/") else None
    if parsed is not None:
        name, args = parsed
        return Event(kind=Kind.COMMAND, command=name, args=args, text=text, **base)
    return Event(kind=Kind.TEXT, text=text, **base)


_PAYLOADS = ("message", "edited_message", "callback_query")


def _int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) < 2**63


def _user_problem(user: object, where: str) -> str | None:
    if not isinstance(user, dict):
        return f"{where} is not an object"
    if not _int(user.get("id")):
        return f"{where}.id is not an integer"
    for key in ("first_name", "last_name", "username", "language_code"):
        if key in user and not isinstance(user[key], str):
            return f"{where}.{key} is not a string"
    if "is_bot" in user and not isinstance(user["is_bot"], bool):
        return f"{where}.is_bot is not a boolean"
    return None


def _message_problem(msg: object, where: str) -> str | None:
    if not isinstance(msg, dict):
        return f"{where} is not an object"
    if not _int(msg.get("message_id")):
        return f"{where}.message_id is not an integer"
    chat = msg.get("chat")
    if not isinstance(chat, dict) or not _int(chat.get("id")):
        return f"{where}.chat.id is not an integer"
    if "type" in chat and not isinstance(chat["type"], str):
        return f"{where}.chat.type is not a string"
    if "from" in msg and (problem := _user_problem(msg["from"], f"{where}.from")):
        return problem
    for key in ("text", "caption"):
        if key in msg and not isinstance(msg[key], str):
            return f"{where}.{key} is not a string"
    return None


def malformed(data: dict[str, Any]) -> str | None:
    """What is wrong with a webhook body as a Telegram update (None: nothing), checked before
    anything reads it, so that no id of the wrong type ever reaches storage."""
    if not _int(data.get("update_id")) or data["update_id"] < 0:
        return "update_id is missing or not an integer"
    for key in ("message", "edited_message"):
        if key in data and (problem := _message_problem(data[key], key)):
            return problem
    if "callback_query" in data:
        query = data["callback_query"]
        if not isinstance(query, dict) or not isinstance(query.get("id"), str):
            return "callback_query.id is not a string"
        if problem := _user_problem(query.get("from"), "callback_query.from"):
            return problem
        if "data" in query and not isinstance(query["data"], str):
            return "callback_query.data is not a string"
        if "message" in query and (
            problem := _message_problem(query["message"], "callback_query.message")
        ):
            return problem
    return None


def keyboard(choices: tuple[tuple[tuple[str, str], ...], ...]) -> InlineKeyboardMarkup | None:
    if not choices:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(label, callback_data=data) for label, data in row]
            for row in choices
        ]
    )


class TelegramChannel:
    """One Telegram bot: receives updates (polling or webhook), delivers outbox messages."""

    name = CHANNEL
    numbered = False

    def __init__(
        self,
        token: str,
        base_url: str,
        core: Core,
        tz: Any,
        *,
        rate_limit: float = 28,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        request: BaseRequest | None = None,
        get_updates_request: BaseRequest | None = None,
        links: Links | None = None,
    ) -> None:
        self.links = links
        self.tz = tz
        self.core = core
        self.malformed = Throttled(log)  # updates of the wrong shape, counted
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.bot: ExtBot[Any] = ExtBot(
            token,
            base_url=base_url,
            base_file_url=file_url(base_url),
            defaults=Defaults(parse_mode=ParseMode.HTML, tzinfo=tz),
            rate_limiter=AIORateLimiter(overall_max_rate=rate_limit, max_retries=3),
            request=request or AiohttpRequest(connections=16),
            get_updates_request=get_updates_request or AiohttpRequest(read_timeout=30),
        )
        self.username: str | None = None
        self._acks: set[asyncio.Task[None]] = set()
        self.heartbeat: Callable[[], None] = lambda: None  # each getUpdates answered

    # -- life ----------------------------------------------------------------------------------

    async def start(self) -> None:
        """Check the token (one clear line if Telegram rejects it), set the command menu, and
        either register the webhook or make sure none is set (long polling)."""
        try:
            await self.bot.initialize()  # getMe
        except InvalidToken:
            raise ChannelFatal(TOKEN_REJECTED) from None
        self.username = self.bot.username
        hook = (
            self.bot.set_webhook(
                self.webhook_url, secret_token=self.webhook_secret, allowed_updates=ALLOWED_UPDATES
            )
            if self.webhook_url
            else self.bot.delete_webhook()
        )
        try:  # independent calls, at once: start-up is one round trip shorter (#19)
            await asyncio.gather(*self._commands(), hook)
        except InvalidToken:
            raise ChannelFatal(TOKEN_REJECTED) from None
        log.info(
            "telegram: bot @%s ready (%s)",
            self.username,
            "webhook" if self.webhook_url else "polling",
        )

    async def stop(self) -> None:
        try:
            await self.bot.shutdown()
        except Exception:  # shutting down: nothing more to do about it
            log.debug("telegram: shutdown", exc_info=True)

    def _commands(self) -> list[Coroutine[Any, Any, bool]]:
        """The command menu, in Vietnamese by default and in English for English clients."""
        calls = []
        for lang in ("vi", "en"):
            with use_locale(lang):
                desc = command_descriptions()
                cmds = [BotCommand(name, desc[name]) for name in MENU_COMMANDS]
            calls.append(
                self.bot.set_my_commands(
                    cmds,
                    scope=BotCommandScopeDefault(),
                    language_code=None if lang == "vi" else lang,
                )
            )
        return calls

    def invite_line(self, code: str) -> str:
        if self.username:
            return f"Telegram: https://t.me/{self.username}?start={code}"
        return f"Telegram: /start {code}"

    # -- receiving -----------------------------------------------------------------------------

    async def handle_update(self, data: dict[str, Any] | Update) -> None:
        """Store one update (the core commits it with everything it decided), then acknowledge
        a button press. Raises only when the update could not be stored: it must come again.
        An update of the wrong shape is counted, logged once a minute and dropped: sent again,
        it would be just as wrong."""
        if isinstance(data, Update):
            update = data
        else:
            problem = malformed(data)
            if problem is None:
                try:
                    update = Update.de_json(data, self.bot)
                except Exception as exc:  # a shape PTB cannot read either
                    problem = f"unreadable ({type(exc).__name__})"
            if problem is not None:
                self.malformed.warn(
                    "update", f"telegram: an update of the wrong shape dropped: {problem}"
                )
                return
        event = to_event(update)
        if event is None:
            return
        if event.file is not None:
            event = replace(event, file=await self._fetch(event.file))
        outcome = await self.core.handle(event)
        query = update.callback_query
        if query is not None and not outcome.duplicate:
            # the acknowledgement of a press is not a message: sent beside, never waited for
            task = asyncio.create_task(self._acknowledge(query.id, outcome.toast))
            self._acks.add(task)
            task.add_done_callback(self._acks.discard)

    async def _fetch(self, upload: Upload) -> Upload:
        """A document's bytes, if within the limit (its declared size is checked first, then
        what arrives); a failure to fetch it is told to the person, who sends it again."""
        if upload.size > FILE_MAX or not upload.ref:
            return upload
        try:
            file = await self.bot.get_file(upload.ref)
            if (file.file_size or 0) > FILE_MAX:
                return replace(upload, size=file.file_size or upload.size)
            content = bytes(await file.download_as_bytearray())
        except TelegramError as exc:
            log.warning("telegram: a document could not be fetched: %s", exc)
            return replace(upload, failed=True)
        return replace(upload, content=content, size=len(content))

    async def _acknowledge(self, query_id: str, toast: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id, text=toast or None)
        except TelegramError as exc:  # too old to answer: the replies still go out
            log.info("telegram: callback %s not answered: %s", query_id, exc)

    # -- delivering ----------------------------------------------------------------------------

    async def _call(self, endpoint: str, **params: Any) -> None:
        """A Bot API call whose answer is not read: through PTB's request path (its error
        mapping, the rate limiter, the serialising of markup), but with no Message object built
        from the reply, which nothing reads (7 % of the CPU under load). ``_post`` is the method
        every PTB send ends in; ``do_api_request`` would warn for a known method."""
        params["parse_mode"] = ParseMode.HTML
        await self.bot._post(endpoint, {k: v for k, v in params.items() if v is not None})

    async def deliver(
        self, item: OutboxItem, message: Outgoing, document: StoredDocument | None
    ) -> None:
        chat = int(item.recipient)
        try:
            if message.document_id is not None:
                if document is None:
                    raise Permanent("the document is no longer stored")
                await self.bot.send_document(
                    chat,
                    document=document.content,
                    filename=document.filename,
                    caption=render.messages(message.caption, 1024)[0] if message.caption else None,
                )
                return
            text = message.text
            if message.upload:
                from bot.links import upload_line  # aiohttp.web: only once a page is offered

                line = upload_line(self.links, f"{CHANNEL}:{chat}", message.upload, self.tz)
                text = f"{text}\n\n{esc(line)}"
            chunks = render.messages(text)
            markup = keyboard(message.choices)
            if message.edit_ref and len(chunks) == 1:
                try:
                    await self._call(
                        "editMessageText",
                        chat_id=chat,
                        message_id=int(message.edit_ref),
                        text=chunks[0],
                        reply_markup=markup,
                    )
                    return
                except BadRequest as exc:
                    if "not modified" in str(exc).lower():
                        return
                    log.info("telegram: edit failed (%s): sending instead", exc)
            for k, chunk in enumerate(chunks):
                keys = markup if k == len(chunks) - 1 else None
                await self._call("sendMessage", chat_id=chat, text=chunk, reply_markup=keys)
        except Forbidden as exc:
            raise Blocked(str(exc)) from None
        except InvalidToken:
            raise ChannelFatal(TOKEN_REJECTED) from None
        except RetryAfter as exc:
            seconds = exc.retry_after
            after = seconds.total_seconds() if hasattr(seconds, "total_seconds") else float(seconds)
            raise RetryLater(f"flood control: {exc}", after, counts=False) from None
        except ChatMigrated as exc:
            raise Permanent(f"the group moved to chat {exc.new_chat_id}") from None
        except BadRequest as exc:
            raise Permanent(str(exc)) from None
        except (TimedOut, NetworkError) as exc:
            raise RetryLater(str(exc), 0.0) from None
