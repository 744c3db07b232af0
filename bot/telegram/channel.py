"""The Telegram channel: updates become Events, Replies become Bot API calls."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import (
    BotCommand,
    BotCommandScopeDefault,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    TypeHandler,
)

from handlers.common import FOCAL_COMMANDS, command_descriptions
from handlers.router import Core
from handlers.text import split_html
from handlers.types import Choice, Event, Kind, Recipient, Reply
from locales import use_locale

# PTB 22 warns on every 429 unless durations are opted in as timedelta (the v23 behaviour); the
# rate limiter reads them that way already, and nothing here reads them as numbers.
os.environ.setdefault("PTB_TIMEDELTA", "1")

log = logging.getLogger(__name__)
CHANNEL = "telegram"
SEND_RETRY_SECONDS = 120.0  # how long a message is retried while the Bot API is down


async def with_retry(call: Callable[[], Awaitable[Any]], what: str) -> Any:
    """Retry a send on 5xx, timeouts and connection errors (the rate limiter waits out 429s).

    A message owed to a user is delivered late rather than lost; Forbidden and BadRequest are final.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SEND_RETRY_SECONDS
    delay = 0.5
    while True:
        try:
            return await call()
        except BadRequest:
            raise
        except (NetworkError, RetryAfter) as exc:
            if loop.time() + delay > deadline:
                raise
            log.warning("%s failed (%s); retrying in %.1f s", what, exc, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


MENU_COMMANDS = (*FOCAL_COMMANDS, "tonghop", "ngonngu")


def to_event(update: Update) -> Event | None:
    """Map an update to an Event; None for what the bot ignores by design (channel posts...)."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or user.is_bot:
        return None
    base: dict[str, Any] = {
        "channel": CHANNEL,
        "update_id": update.update_id,
        "user_id": str(user.id),
        "display_name": user.full_name,
        "language": user.language_code,
        "private": chat is None or chat.type == ChatType.PRIVATE,
    }
    if update.callback_query is not None:
        return Event(kind=Kind.BUTTON, data=(update.callback_query.data or "")[:64], **base)
    if update.edited_message is not None:
        return Event(kind=Kind.EDITED, **base)
    msg = update.message
    if msg is None:
        return None
    text = msg.text
    if text is None:
        return Event(kind=Kind.MEDIA, **base)
    if text.startswith("/"):
        head, _sep, args = text[1:].partition(" ")
        command = head.split("@", 1)[0].lower()
        if command:
            return Event(kind=Kind.COMMAND, command=command, args=args.strip(), text=text, **base)
    return Event(kind=Kind.TEXT, text=text, **base)


def keyboard(rows: list[list[Choice]]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(c.label, callback_data=c.data) for c in row] for row in rows]
    )


class TelegramChannel:
    """Runs the Core for every update and delivers its replies."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def on_update(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not isinstance(update, Update):
            return
        event = to_event(update)
        query = update.callback_query
        if event is None:
            return
        replies = await self.core.handle(event)
        if query is not None:
            toast = next((r.toast for r in replies if r.toast), None)
            try:
                await with_retry(lambda: query.answer(toast), "answerCallbackQuery")
            except TelegramError as exc:  # too old to answer: the replies still go out
                log.info("callback %s not answered: %s", query.id, exc)
        pressed = (
            query.message if query is not None and isinstance(query.message, Message) else None
        )
        chat_id = update.effective_chat.id if update.effective_chat else int(event.user_id)
        for reply in replies:
            await self.deliver(context.bot, reply, chat_id, pressed)
            if reply.edit:
                pressed = None  # only the first edit replaces the pressed message

    async def send(self, bot: Any, reply: Reply) -> bool:
        """Send a reply addressed to someone (``reply.to``); False if it could not be delivered."""
        assert reply.to is not None
        return await self.deliver(bot, reply, int(reply.to.external_id), None)

    async def deliver(self, bot: Any, reply: Reply, chat_id: int, pressed: Message | None) -> bool:
        target = int(reply.to.external_id) if reply.to else chat_id
        try:
            if reply.document is not None:
                doc = reply.document
                await with_retry(
                    lambda: bot.send_document(
                        target,
                        document=doc.content,
                        filename=doc.filename,
                        caption=doc.caption or None,
                    ),
                    "sendDocument",
                )
                return True
            chunks = split_html(reply.text)
            markup = keyboard(reply.choices)
            if reply.edit and pressed is not None and len(chunks) == 1 and not reply.to:
                message = pressed
                try:
                    await with_retry(
                        lambda: message.edit_text(chunks[0], reply_markup=markup), "editMessageText"
                    )
                    return True
                except BadRequest as exc:
                    if "not modified" in str(exc).lower():
                        return True
                    log.info("edit failed (%s): sending instead", exc)
            for i, chunk in enumerate(chunks):
                keys = markup if i == len(chunks) - 1 else None
                await with_retry(
                    lambda text=chunk, keys=keys: bot.send_message(target, text, reply_markup=keys),
                    "sendMessage",
                )
            return True
        except Forbidden:
            log.info("chat %s blocked the bot", target)
            await self.core.mark_blocked(Recipient(CHANNEL, str(target)))
            return False
        except TelegramError as exc:  # after the rate limiter's retries: logged, not fatal
            log.error("could not send to chat %s: %s", target, exc)
            return False

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        uid = update.update_id if isinstance(update, Update) else None
        log.error("error while handling update %s", uid, exc_info=context.error)


async def register_commands(app: Application) -> None:  # type: ignore[type-arg]
    """The command menu, in Vietnamese by default and in English for English clients."""
    for lang in ("vi", "en"):
        with use_locale(lang):
            desc = command_descriptions()
            cmds = [BotCommand(name, desc[name]) for name in MENU_COMMANDS]
        await app.bot.set_my_commands(
            cmds, scope=BotCommandScopeDefault(), language_code=None if lang == "vi" else lang
        )


def build_application(
    token: str,
    base_url: str,
    channel: TelegramChannel,
    tz: Any,
    *,
    rate_limit: float = 30,
    post_init: Any = None,
    post_shutdown: Any = None,
    request: Any = None,
    get_updates_request: Any = None,
) -> Application:  # type: ignore[type-arg]
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .defaults(Defaults(parse_mode=ParseMode.HTML, tzinfo=tz, link_preview_options=None))
        .rate_limiter(AIORateLimiter(overall_max_rate=rate_limit, max_retries=5))
    )
    if request is not None:
        builder = builder.request(request)
    if get_updates_request is not None:
        builder = builder.get_updates_request(get_updates_request)
    if post_init is not None:
        builder = builder.post_init(post_init)
    if post_shutdown is not None:
        builder = builder.post_shutdown(post_shutdown)
    app = builder.build()
    app.add_handler(TypeHandler(Update, channel.on_update))
    app.add_error_handler(channel.on_error)
    return app
