"""The bot's own small HTTP server: every channel's webhook, and signed document links.

A webhook request is answered 200 only after the update it carries is committed (the core's
transaction), so a crash before that makes the platform deliver it again; a duplicate is then a
no-op. A request without the right secret header gets 403 (compared in constant time), a body
over ``max_body`` bytes 413, malformed JSON 400, a failure to store the update 500.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

log = logging.getLogger(__name__)

UpdateHandler = Callable[[dict[str, Any]], Awaitable[None]]
MAX_BODY = 1024 * 1024  # an update is a few kilobytes


class WebServer:
    def __init__(self, listen: str, port: int, *, max_body: int = MAX_BODY) -> None:
        self.listen = listen
        self.port = port
        self.app = web.Application(client_max_size=max_body)
        self._runner: web.AppRunner | None = None
        self.paths: list[str] = []

    def webhook(self, path: str, header: str, secret: str, handler: UpdateHandler) -> None:
        """POST ``path``: checked against ``secret`` in ``header``, stored, then answered."""
        expected = secret.encode()

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(header, "").encode()
            if not hmac.compare_digest(given, expected):
                log.warning("webhook %s: request without the right secret refused", path)
                return web.json_response({"ok": False}, status=403)
            try:
                data = await request.json(loads=json.loads)
            except web.HTTPRequestEntityTooLarge:
                return web.json_response({"ok": False}, status=413)
            except ValueError:
                return web.json_response({"ok": False}, status=400)
            if not isinstance(data, dict):
                return web.json_response({"ok": False}, status=400)
            try:
                await handler(data)
            except Exception:
                log.exception(
                    "webhook %s: the update could not be stored; asking for it again", path
                )
                return web.json_response({"ok": False}, status=500)
            return web.json_response({"ok": True})

        self.app.router.add_post(path, receive)
        self.paths.append(path)

    def route(
        self,
        method: str,
        path: str,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> None:
        self.app.router.add_route(method, path, handler)
        self.paths.append(path)

    async def start(self) -> None:
        self._runner = web.AppRunner(self.app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.listen, self.port)
        await site.start()
        log.info("http: listening on %s:%d (%s)", self.listen, self.port, ", ".join(self.paths))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
