"""A Telegram Bot API stand-in on 127.0.0.1, for end-to-end tests, benchmarks and the demo.

It speaks the methods the bot uses, keeps updates until the bot confirms them (the getUpdates
offset, as Telegram does), delivers them to a webhook when one is set, records every call, and
can misbehave on request: 429 with retry_after, 5xx, slow answers, dropped connections, being down,
duplicate and out-of-order deliveries. It enforces Telegram's send limits by answering 429.

Tests and the demo drive it in-process (``push_text``, ``push_button``, ``sent_to``...); the bot
reaches it only through BOT_API_URL and cannot tell it from Telegram.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import logging
import random
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)

SEND_METHODS = {"sendMessage", "sendDocument", "editMessageText", "editMessageReplyMarkup"}


@dataclass
class Fault:
    """Misbehave on the next ``times`` calls of ``method`` ("*" for any)."""

    method: str = "*"
    times: int = 1
    status: int = 0  # 429, 500, 502...; 0: answer normally (after delay)
    retry_after: int = 1
    delay: float = 0.0
    drop: bool = False  # close the connection without an answer


@dataclass
class Sent:
    """A message as the user sees it (after edits)."""

    message_id: int
    chat_id: int
    text: str = ""
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)
    document: tuple[str, bytes] | None = None
    caption: str = ""
    edits: int = 0
    at: float = field(default_factory=time.monotonic)  # last sent or edited

    @property
    def flat_buttons(self) -> list[tuple[str, str]]:
        return [b for row in self.buttons for b in row]


class Bucket:
    """Token bucket: ``rate`` per second, bursts up to ``capacity``."""

    def __init__(self, rate: float, capacity: float) -> None:
        self.rate, self.capacity = rate, capacity
        self.tokens, self.at = capacity, time.monotonic()

    def take(self) -> float:
        """0 if allowed now, else the seconds to wait."""
        now = time.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class StandIn:
    def __init__(
        self,
        token: str = "123456:STAND-IN",
        username: str = "kehoach_standin_bot",
        *,
        limits: bool = True,
    ) -> None:
        self.token = token
        self.username = username
        self.limits = limits
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.messages: dict[int, Sent] = {}
        self.pending: list[dict[str, Any]] = []
        self.delivered_ids: list[int] = []
        self.faults: deque[Fault] = deque()
        self.down_until = 0.0
        self.too_many = 0  # 429s answered
        self.refused: list[tuple[str, dict[str, Any]]] = []  # 400s answered, with the request
        self.webhook: tuple[str, str] | None = None  # (url, secret)
        self.shuffle = False
        self.random = random.Random(0)  # seeded: a shuffled batch is the same every run
        self.batches: list[list[int]] = []  # the update ids of each getUpdates answer
        # what a person actually saw, in order: (method, chat, text) of every message sent or
        # edited (an edit that changed nothing included: the person sees that text)
        self.delivered: list[tuple[str, int, str]] = []
        self.offset = 0  # updates below this id are confirmed (long polling)
        self.on_send: Any = None  # called with each Sent (new or edited): for benchmarks
        self.last_by_chat: dict[int, Sent] = {}  # the last message with buttons, per chat
        self.first_get_updates: float | None = None
        self.files: dict[str, bytes] = {}  # documents people sent, by file_id
        self._ids = itertools.count(1)
        self._msg_ids = itertools.count(1000)
        self._callback_ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._global = Bucket(30, 30)
        self._chats: dict[int, Bucket] = {}
        self._runner: web.AppRunner | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self.port = 0

    # -- server ------------------------------------------------------------------------------
    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None)
        assert sockets
        self.port = int(sockets[0].getsockname()[1])
        return self.base_url

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    async def stop(self) -> None:
        if self._webhook_task:
            self._webhook_task.cancel()
        if self._runner:
            await self._runner.cleanup()

    def down(self, seconds: float) -> None:
        """Answer 502 Bad Gateway to everything for ``seconds``."""
        self.down_until = time.monotonic() + seconds

    # -- the user's side -----------------------------------------------------------------------
    def _user(self, user_id: int, name: str) -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": name, "language_code": "vi"}

    def push(self, update: dict[str, Any], *, duplicate: bool = False) -> int:
        update_id = next(self._ids)
        update = {"update_id": update_id, **update}
        self.pending.append(update)
        if duplicate:
            self.pending.append(dict(update))
        self._arrived.set()
        if self.webhook and (self._webhook_task is None or self._webhook_task.done()):
            self._webhook_task = asyncio.get_running_loop().create_task(self._deliver_webhook())
        return update_id

    def message(
        self, user_id: int, name: str = "Người dùng", chat_type: str = "private", **fields: Any
    ) -> dict[str, Any]:
        chat = {"id": user_id, "type": "private", "first_name": name}
        if chat_type != "private":
            chat = {"id": -abs(user_id), "type": chat_type, "title": "Nhóm"}
        return {
            "message_id": next(self._msg_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": self._user(user_id, name),
            **fields,
        }

    def push_text(
        self,
        user_id: int,
        text: str,
        name: str = "Người dùng",
        *,
        duplicate: bool = False,
        chat_type: str = "private",
    ) -> int:
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            fields["entities"] = [
                {"type": "bot_command", "offset": 0, "length": len(text.split()[0])}
            ]
        return self.push(
            {"message": self.message(user_id, name, chat_type, **fields)}, duplicate=duplicate
        )

    def push_button(
        self,
        user_id: int,
        data: str,
        message_id: int | None = None,
        name: str = "Người dùng",
        *,
        duplicate: bool = False,
    ) -> int:
        shown = self.messages.get(message_id or 0)
        message = {
            "message_id": message_id or next(self._msg_ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": name},
            "from": {"id": 1, "is_bot": True, "first_name": "Bot", "username": self.username},
            "text": shown.text if shown else "…",
        }
        query = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id, name),
            "chat_instance": "1",
            "data": data,
            "message": message,
        }
        return self.push({"callback_query": query}, duplicate=duplicate)

    def push_message(self, user_id: int, name: str = "Người dùng", **fields: Any) -> int:
        return self.push({"message": self.message(user_id, name, **fields)})

    def push_document(
        self, user_id: int, content: bytes, filename: str, name: str = "Người dùng"
    ) -> int:
        """A person sends a file (a document message); its bytes wait behind getFile."""
        file_id = f"doc{len(self.files) + 1}"
        self.files[file_id] = content
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": filename,
            "file_size": len(content),
        }
        return self.push_message(user_id, name, document=document)

    async def _m_getFile(self, p: dict[str, Any]) -> web.Response:
        file_id = str(p.get("file_id", ""))
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        if size > FILE_LIMIT:
            return _error(400, "Bad Request: file is too big")
        return _ok(
            {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": size,
                "file_path": f"documents/{file_id}",
            }
        )

    async def _file(self, request: web.Request) -> web.Response:
        """Telegram's file server: the bytes of a file got by getFile, for the bot's token."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401, text="Unauthorized")
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        content = self.files.get(file_id)
        if content is None:
            return web.Response(status=404, text="Not Found")
        return web.Response(body=content, content_type="application/octet-stream")

    def sent_to(self, chat_id: int) -> list[Sent]:
        return [m for m in self.messages.values() if m.chat_id == chat_id]

    def last_with_buttons(self, chat_id: int) -> Sent | None:
        return next((m for m in reversed(self.sent_to(chat_id)) if m.buttons), None)

    def confirmed(self, update_id: int) -> bool:
        if update_id < self.offset:
            return True
        return all(u["update_id"] > update_id for u in self.pending)

    def count(self, method: str) -> int:
        return sum(1 for name, _ in self.calls if name == method)

    async def wait_for(self, predicate: Any, within: float = 10.0, what: str = "") -> None:
        deadline = time.monotonic() + within
        while not predicate():
            if time.monotonic() > deadline:
                raise TimeoutError(f"stand-in: timed out waiting for {what or predicate}")
            await asyncio.sleep(0.02)

    # -- the Bot API -------------------------------------------------------------------------
    async def _params(self, request: web.Request) -> dict[str, Any]:
        params: dict[str, Any] = dict(request.query)
        if request.body_exists:
            ctype = request.content_type
            if ctype == "application/json":
                params.update(await request.json())
            else:
                form = await request.post()
                for key, value in form.items():
                    if isinstance(value, web.FileField):
                        params[key] = (value.filename, value.file.read())
                    else:
                        params[key] = value
        for key, value in list(params.items()):
            if isinstance(value, str):
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    pass
        return params

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params = await self._params(request)
        self.calls.append((method, params))
        if time.monotonic() < self.down_until:
            return _error(502, "Bad Gateway")
        fault = self._fault(method)
        if fault:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.drop:
                if request.transport:
                    request.transport.close()
                raise ConnectionResetError("dropped by the stand-in")
            if fault.status == 429:
                self.too_many += 1
                return _error(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    retry_after=fault.retry_after,
                )
            if fault.status:
                return _error(fault.status, "Internal Server Error")
        if self.limits and method in SEND_METHODS:
            wait = self._limit(int(params.get("chat_id", 0) or 0))
            if wait:
                self.too_many += 1
                seconds = max(1, round(wait + 0.5))
                return _error(429, f"Too Many Requests: retry after {seconds}", retry_after=seconds)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return _ok(True)
        response: web.StreamResponse = await handler(params)
        return response

    def _fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method in ("*", method):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _limit(self, chat_id: int) -> float:
        if chat_id < 0:
            bucket = self._chats.setdefault(chat_id, Bucket(20 / 60, 20))
        else:
            bucket = self._chats.setdefault(chat_id, Bucket(1, 4))
        wait = bucket.take()
        if wait:
            return wait
        return self._global.take()

    async def _m_getMe(self, p: dict[str, Any]) -> web.Response:
        return _ok(
            {
                "id": 1,
                "is_bot": True,
                "first_name": "Kế hoạch",
                "username": self.username,
                "can_join_groups": False,
                "can_read_all_group_messages": False,
                "supports_inline_queries": False,
            }
        )

    async def _m_getUpdates(self, p: dict[str, Any]) -> web.Response:
        if self.webhook:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        if self.first_get_updates is None:
            self.first_get_updates = time.monotonic()
        offset = int(p.get("offset") or 0)
        if offset:
            self.offset = max(self.offset, offset)
            if self.pending and self.pending[0]["update_id"] < offset:
                self.pending = [u for u in self.pending if u["update_id"] >= offset]
        timeout = float(p.get("timeout") or 0)
        deadline = time.monotonic() + timeout
        while not self.pending and time.monotonic() < deadline:
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                break
        batch = self.pending[: int(p.get("limit") or 100)]
        if self.shuffle:
            batch = self.random.sample(batch, len(batch))
        if batch:
            self.batches.append([u["update_id"] for u in batch])
        self.delivered_ids += [u["update_id"] for u in batch]
        return _ok(batch)

    async def _m_setWebhook(self, p: dict[str, Any]) -> web.Response:
        self.webhook = (str(p["url"]), str(p.get("secret_token", "")))
        return _ok(True)

    async def _m_deleteWebhook(self, p: dict[str, Any]) -> web.Response:
        self.webhook = None
        return _ok(True)

    async def _m_getWebhookInfo(self, p: dict[str, Any]) -> web.Response:
        url = self.webhook[0] if self.webhook else ""
        return _ok(
            {"url": url, "has_custom_certificate": False, "pending_update_count": len(self.pending)}
        )

    def _record(self, p: dict[str, Any], **extra: Any) -> Sent:
        chat_id = int(p["chat_id"])
        sent = Sent(next(self._msg_ids), chat_id, str(p.get("text", "")), _buttons(p), **extra)
        self.messages[sent.message_id] = sent
        if sent.buttons:
            self.last_by_chat[chat_id] = sent
        if self.on_send:
            self.on_send(sent)
        return sent

    def _message_json(self, sent: Sent) -> dict[str, Any]:
        out: dict[str, Any] = {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": {
                "id": sent.chat_id,
                "type": "private" if sent.chat_id > 0 else "group",
                **({"first_name": "U"} if sent.chat_id > 0 else {"title": "Nhóm"}),
            },
            "from": {"id": 1, "is_bot": True, "first_name": "Kế hoạch", "username": self.username},
        }
        if sent.document:
            out["document"] = {"file_id": "d", "file_unique_id": "d", "file_name": sent.document[0]}
            if sent.caption:
                out["caption"] = sent.caption
        else:
            out["text"] = sent.text
        return out

    async def _m_sendMessage(self, p: dict[str, Any]) -> web.Response:
        refused = self._refuse(p, "text", TEXT_LIMIT, required=True)
        if refused:
            return refused
        self.delivered.append(("sendMessage", int(p["chat_id"]), str(p.get("text", ""))))
        return _ok(self._message_json(self._record(p)))

    async def _m_sendDocument(self, p: dict[str, Any]) -> web.Response:
        refused = self._refuse(p, "caption", CAPTION_LIMIT, required=False)
        if refused:
            return refused
        doc = p.get("document")
        document = doc if isinstance(doc, tuple) else ("file", b"")
        sent = self._record(p, document=document, caption=str(p.get("caption", "")))
        return _ok(self._message_json(sent))

    def _refuse(
        self, p: dict[str, Any], key: str, limit: int, *, required: bool
    ) -> web.Response | None:
        reason = refusal(p, key, limit, required=required)
        if reason is None:
            return None
        self.refused.append((reason, p))
        return _error(400, reason)

    async def _m_editMessageText(self, p: dict[str, Any]) -> web.Response:
        sent = self.messages.get(int(p.get("message_id", 0)))
        if sent is None:
            return _error(400, "Bad Request: message to edit not found")
        refused = self._refuse(p, "text", TEXT_LIMIT, required=True)
        if refused:
            return refused
        self.delivered.append(("editMessageText", sent.chat_id, str(p.get("text", ""))))
        if sent.text == p.get("text") and sent.buttons == _buttons(p):
            return _error(400, "Bad Request: message is not modified")
        sent.text, sent.buttons, sent.edits = str(p.get("text", "")), _buttons(p), sent.edits + 1
        sent.at = time.monotonic()
        if self.on_send:
            self.on_send(sent)
        return _ok(self._message_json(sent))

    async def _m_editMessageReplyMarkup(self, p: dict[str, Any]) -> web.Response:
        sent = self.messages.get(int(p.get("message_id", 0)))
        if sent is None:
            return _error(400, "Bad Request: message to edit not found")
        sent.buttons = _buttons(p)
        return _ok(self._message_json(sent))

    # -- webhook delivery ----------------------------------------------------------------------
    async def _deliver_webhook(self) -> None:
        async with aiohttp.ClientSession() as session:
            while self.pending and self.webhook:
                url, secret = self.webhook
                update = self.pending[0]
                try:
                    async with session.post(
                        url,
                        json=update,
                        headers={"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {},
                    ) as resp:
                        if resp.status == 200:
                            self.pending.pop(0)
                            self.delivered_ids.append(update["update_id"])
                            continue
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)


TEXT_LIMIT, CAPTION_LIMIT = 4096, 1024
FILE_LIMIT = 20 * 1024 * 1024  # what getFile lets a bot download
# The tags Telegram's HTML parse mode accepts (https://core.telegram.org/bots/api#html-style).
ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip


def utf16_len(text: str) -> int:
    """Telegram counts UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def parse_html(text: str) -> tuple[str, str | None]:
    """The visible text of Telegram HTML, and the problem that makes Telegram refuse it."""
    visible: list[str] = []
    stack: list[str] = []
    pos = 0
    for m in re.finditer(r"<(/?)([a-zA-Z][\w-]*)([^<>]*)>|<|>|&(#?\w*);?", text):
        visible.append(text[pos : m.start()])
        pos = m.end()
        token = m.group(0)
        if token in ("<", ">"):
            if token == "<":
                return "", f"unsupported start tag at byte offset {m.start()}"
            visible.append(">")
            continue
        if token.startswith("&"):
            name = m.group(4) or ""
            if not token.endswith(";") or not (
                name in ("lt", "gt", "amp", "quot") or re.fullmatch(r"#x?[0-9a-fA-F]+", name)
            ):
                return "", f"unsupported entity at byte offset {m.start()}"
            visible.append(html.unescape(token))
            continue
        closing, tag = m.group(1), m.group(2).lower()
        if tag not in ALLOWED_TAGS:
            return "", f'unsupported start tag "{tag}" at byte offset {m.start()}'
        if closing:
            if not stack or stack.pop() != tag:
                return "", f'unmatched end tag "{tag}" at byte offset {m.start()}'
        else:
            stack.append(tag)
    visible.append(text[pos:])
    if stack:
        return "", f'can\'t find end tag corresponding to start tag "{stack[-1]}"'
    return "".join(visible), None


def refusal(p: dict[str, Any], key: str, limit: int, *, required: bool) -> str | None:
    """Why Telegram would answer 400 to these send parameters: empty or over-long text, HTML it
    cannot parse, callback data that is empty or over 64 bytes. None if it would accept them."""
    text = p.get(key)
    if text is None or str(text) == "":
        if required:
            return "Bad Request: message text is empty"
    elif p.get("parse_mode") == "HTML":
        visible, problem = parse_html(str(text))
        if problem:
            return f"Bad Request: can't parse entities: {problem}"
        if not visible.strip():
            return "Bad Request: message text is empty"
        if utf16_len(visible) > limit:
            return f"Bad Request: {key} is too long"
    elif utf16_len(str(text)) > limit:
        return f"Bad Request: {key} is too long"
    for _label, data in (b for row in _buttons(p) for b in row):
        if not data or len(data.encode()) > 64:
            return "Bad Request: BUTTON_DATA_INVALID"
    return None


def _buttons(p: dict[str, Any]) -> list[list[tuple[str, str]]]:
    markup = p.get("reply_markup") or {}
    return [
        [(b.get("text", ""), b.get("callback_data", "")) for b in row]
        for row in markup.get("inline_keyboard", [])
    ]


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)
