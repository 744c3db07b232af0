"""The core's markup as Telegram HTML (parse_mode HTML), split under Telegram's 4,096 limit."""

from __future__ import annotations

import html

from bot.render import chunks
from handlers.markup import Run

LIMIT = 4096


def to_html(runs: list[Run]) -> str:
    out = []
    for run in runs:
        text = html.escape(run.text, quote=False)
        if run.italic:
            text = f"<i>{text}</i>"
        if run.bold:
            text = f"<b>{text}</b>"
        out.append(text)
    return "".join(out)


def visible_length(runs: list[Run]) -> int:
    """What Telegram counts: the text after entity parsing, in UTF-16 code units."""
    return len("".join(r.text for r in runs).encode("utf-16-le")) // 2


def messages(text: str, limit: int = LIMIT) -> list[str]:
    """The HTML messages that carry ``text``: whole blocks where they fit."""
    return chunks(text, limit, to_html, visible_length)
