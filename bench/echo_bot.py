"""The floor: a bare python-telegram-bot echo bot, run with PTB's own polling."""

import os

from telegram import Update
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)


async def echo(update: Update, context: object) -> None:
    if update.callback_query:
        await update.callback_query.answer()
        await update.effective_chat.send_message(update.callback_query.data or "?")
    elif update.message:
        await update.message.reply_text(update.message.text or "?")


app = (
    ApplicationBuilder()
    .token(os.environ["BOT_TOKEN"])
    .base_url(os.environ["BOT_API_URL"])
    .rate_limiter(AIORateLimiter(overall_max_rate=float(os.environ.get("RATE_LIMIT_OVERALL", 0))))
    .build()
)
app.add_handler(MessageHandler(filters.ALL, echo))
app.add_handler(CallbackQueryHandler(echo))
app.run_polling(poll_interval=0, timeout=10)
