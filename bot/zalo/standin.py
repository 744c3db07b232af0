"""A stand-in for the Zalo Bot Platform API on 127.0.0.1, for tests, the demo and benchmarks.

It answers as the platform does and refuses what it refuses: a wrong token (401), a text that is
empty or over 2,000 characters, a chat that never wrote to the bot, a secret_token outside 8–256
characters (400), getUpdates while a webhook is set; a person who blocked the bot gets 403.
getUpdates hands out ONE update per call, with no offset, and an empty long poll ends in error
408. With a webhook set, updates are POSTed with ``X-Bot-Api-Secret-Token`` until answered 200.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

LIMIT = 2000


@dataclass
class ZaloSent:
    chat_id: str
    text: str
    at: float = field(default_factory=time.monotonic)


class ZaloStandIn:
    def __init__(self, token: str = "1234567890:zalo-test-secret") -> None:
        self.token = token
        self.updates: deque[dict[str, Any]] = deque()
        self.updates_log: list[dict[str, Any]] = []  # every update ever pushed
        self.sent: list[ZaloSent] = []
        self.refused: list[tuple[str, str]] = []  # (method, why) of every refusal
        self.calls: list[str] = []
        self.known_chats: set[str] = set()
        self.names: dict[str, str] = {}  # a chat's display name, as Zalo sends it with each message
        self.blocked: set[str] = set()
        self.webhook: tuple[str, str] | None = None
        self.faults: dict[str, deque[int]] = {}
        self.on_send: Callable[[ZaloSent], None] | None = None
        self._ids = itertools.count(1)
        self._arrived = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._pusher: asyncio.Task[None] | None = None
        self.port = 0
        self.delivered: set[str] = set()  # message ids handed out (poll) or answered 200 (hook)

    # -- life ----------------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._call)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[attr-defined]

    async def stop(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # -- what people do ------------------------------------------------------------------------

    def push(self, user: str, event_name: str, **message: Any) -> str:
        message_id = f"m{next(self._ids):06d}"
        self.known_chats.add(user)
        self.updates_log.append(
            {
                "event_name": event_name,
                "message": {
                    "message_id": message_id,
                    "date": int(time.time() * 1000),
                    "chat": {"id": user, "chat_type": "PRIVATE"},
                    "from": {
                        "id": user,
                        "display_name": self.names.get(user, f"Người dùng {user[-4:]}"),
                    },
                    **message,
                },
            }
        )
        self.updates.append(self.updates_log[-1])
        self._arrived.set()
        return message_id

    def push_text(self, user: str, text: str) -> str:
        return self.push(user, "message.text.received", text=text)

    def push_sticker(self, user: str) -> str:
        return self.push(user, "message.sticker.received", sticker="abc")

    def fail(self, method: str, *codes: int) -> None:
        """The next calls of ``method`` answer these error codes, in order."""
        self.faults.setdefault(method, deque()).extend(codes)

    def sent_to(self, user: str) -> list[ZaloSent]:
        return [s for s in self.sent if s.chat_id == user]

    def count(self, method: str) -> int:
        return self.calls.count(method)

    # -- the API -------------------------------------------------------------------------------

    @staticmethod
    def _error(code: int, description: str) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": code, "description": description},
            status=200 if code == 408 else code,
        )

    def _refuse(self, method: str, code: int, why: str) -> web.Response:
        self.refused.append((method, why))
        return self._error(code, why)

    async def _call(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        if self.faults.get(method):
            code = self.faults[method].popleft()
            return self._error(code, "Injected fault")
        try:
            body = json.loads(await request.read() or b"{}")
        except ValueError:
            return self._refuse(method, 400, "Bad request: body is not JSON")
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Method not found")
        result = await handler(body)
        if isinstance(result, web.Response):
            return result
        return web.json_response({"ok": True, "result": result})

    async def _m_getMe(self, body: dict[str, Any]) -> Any:
        return {
            "id": self.token.split(":")[0],
            "account_name": "kehoach_bot",
            "can_join_groups": False,
        }

    async def _m_getUpdates(self, body: dict[str, Any]) -> Any:
        if self.webhook is not None:
            return self._refuse("getUpdates", 400, "Webhook is set: getUpdates is not allowed")
        wait = float(body.get("timeout") or 0)
        deadline = time.monotonic() + min(wait, 60)
        while not self.updates:
            self._arrived.clear()
            left = deadline - time.monotonic()
            if left <= 0:
                return self._error(408, "Request timeout")
            try:
                await asyncio.wait_for(self._arrived.wait(), left)
            except TimeoutError:
                return self._error(408, "Request timeout")
        update = self.updates.popleft()
        self.delivered.add(update["message"]["message_id"])
        return update

    async def _m_sendMessage(self, body: dict[str, Any]) -> Any:
        chat = str(body.get("chat_id") or "")
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            return self._refuse("sendMessage", 400, "text is empty")
        if len(text) > LIMIT:
            return self._refuse("sendMessage", 400, f"text is longer than {LIMIT} characters")
        if chat not in self.known_chats:
            return self._refuse("sendMessage", 400, "chat not found")
        if chat in self.blocked:
            return self._error(403, "User has blocked the bot")
        sent = ZaloSent(chat, text)
        self.sent.append(sent)
        if self.on_send is not None:
            self.on_send(sent)
        return {"message_id": f"s{next(self._ids)}", "date": int(time.time() * 1000)}

    async def _m_sendChatAction(self, body: dict[str, Any]) -> Any:
        return True

    async def _m_setWebhook(self, body: dict[str, Any]) -> Any:
        url, secret = str(body.get("url") or ""), str(body.get("secret_token") or "")
        if not url.startswith(("https://", "http://127.0.0.1")):
            return self._refuse("setWebhook", 400, "url must be https")
        if not 8 <= len(secret) <= 256:
            return self._refuse("setWebhook", 400, "secret_token must be 8-256 characters")
        self.webhook = (url, secret)
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.create_task(self._push_loop())
        return {"url": url, "updated_at": int(time.time() * 1000)}

    async def _m_deleteWebhook(self, body: dict[str, Any]) -> Any:
        self.webhook = None
        return {"url": "", "updated_at": int(time.time() * 1000)}

    async def _m_getWebhookInfo(self, body: dict[str, Any]) -> Any:
        return {"url": self.webhook[0] if self.webhook else ""}

    async def _push_loop(self) -> None:
        """Webhook mode: POST each update until it is answered 200 (then the next)."""
        async with aiohttp.ClientSession() as session:
            while self.webhook is not None:
                if not self.updates:
                    self._arrived.clear()
                    try:
                        await asyncio.wait_for(self._arrived.wait(), 0.5)
                    except TimeoutError:
                        pass
                    continue
                url, secret = self.webhook
                update = self.updates[0]
                try:
                    async with session.post(
                        url,
                        json={"ok": True, "result": update},
                        headers={"X-Bot-Api-Secret-Token": secret},
                    ) as r:
                        ok = r.status == 200
                except aiohttp.ClientError:
                    ok = False
                if ok:
                    self.updates.popleft()
                    self.delivered.add(update["message"]["message_id"])
                else:
                    await asyncio.sleep(0.5)
