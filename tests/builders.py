"""Builders of Telegram updates, as Telegram would send them."""

from __future__ import annotations

import itertools
import time
from typing import Any

from telegram import Bot, Update

_ids = itertools.count(1)


def _user(uid: int, name: str = "Nguyễn Văn A") -> dict[str, Any]:
    return {"id": uid, "is_bot": False, "first_name": name, "language_code": "vi"}


def _chat(uid: int, kind: str = "private") -> dict[str, Any]:
    return (
        {"id": uid, "type": kind} if kind == "private" else {"id": -uid, "type": kind, "title": "G"}
    )


def message(
    uid: int, bot: Bot, *, chat: str = "private", update_id: int | None = None, **fields: Any
) -> Update:
    msg = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": _chat(uid, chat),
        "from": _user(uid),
        **fields,
    }
    return Update.de_json({"update_id": update_id or next(_ids), "message": msg}, bot)


def text(uid: int, bot: Bot, body: str, **kw: Any) -> Update:
    entities = []
    if body.startswith("/"):
        entities = [{"type": "bot_command", "offset": 0, "length": len(body.split()[0])}]
    return message(uid, bot, text=body, entities=entities, **kw)


def press(
    uid: int, bot: Bot, data: str, message_id: int = 1, update_id: int | None = None
) -> Update:
    cb = {
        "id": str(next(_ids)),
        "from": _user(uid),
        "chat_instance": "ci",
        "data": data,
        "message": {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": _chat(uid),
            "from": {"id": 999_000, "is_bot": True, "first_name": "Kế hoạch"},
            "text": "…",
        },
    }
    return Update.de_json({"update_id": update_id or next(_ids), "callback_query": cb}, bot)


def sticker(uid: int, bot: Bot) -> Update:
    st = {
        "file_id": "s",
        "file_unique_id": "s",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    return message(uid, bot, sticker=st)


def photo(uid: int, bot: Bot) -> Update:
    return message(
        uid, bot, photo=[{"file_id": "p", "file_unique_id": "p", "width": 1, "height": 1}]
    )


def document(uid: int, bot: Bot, file_id: str, name: str, size: int) -> Update:
    doc = {"file_id": file_id, "file_unique_id": file_id, "file_name": name, "file_size": size}
    return message(uid, bot, document=doc)


def edited(uid: int, bot: Bot, body: str) -> Update:
    msg = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "edit_date": int(time.time()),
        "chat": _chat(uid),
        "from": _user(uid),
        "text": body,
    }
    return Update.de_json({"update_id": next(_ids), "edited_message": msg}, bot)
