"""The bot's own small HTTP server: every channel's webhook, and signed document links.

A webhook request is answered 200 only after the update it carries is committed (the core's
transaction), so a crash before that makes the platform deliver it again; a duplicate is then a
no-op. A request without the right secret header gets 403 (compared in constant time), a body
over ``max_body`` bytes 413, a failure to store the update 500. A well-signed body that is not an
update (not JSON, nested too deep, not an object) is answered 200 so that the platform does not
send it again forever, and counted; the channels do the same with updates of the wrong shape.

aiohttp reads requests without time limits, so each connection goes through :class:`Guarded`:
the headers must arrive within 10 s and the body within 30 s, at most 512 connections are open
(64 from one address), and the refusals are logged at most once a minute. A reverse proxy in
front adds TLS and its own limits (README, "Running behind a reverse proxy").
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.logs import Throttled

log = logging.getLogger(__name__)

UpdateHandler = Callable[[dict[str, Any]], Awaitable[None]]
MAX_BODY = 1024 * 1024  # an update is a few kilobytes


HEADER_SECONDS = 10.0  # a request's line and headers must arrive within this
BODY_SECONDS = 30.0  # and its body (at most MAX_BODY) within this after the headers
KEEPALIVE_SECONDS = 15.0  # an idle kept-alive connection is closed after this
MAX_CONNECTIONS = 512  # open at once, well under the usual 1,024 file descriptors
MAX_PER_PEER = 64  # open at once from one address (a reverse proxy needs a few)


class Limits:
    """What one connection may take of the server; counted over every connection."""

    def __init__(
        self,
        *,
        header_seconds: float = HEADER_SECONDS,
        body_seconds: float = BODY_SECONDS,
        max_connections: int = MAX_CONNECTIONS,
        max_per_peer: int = MAX_PER_PEER,
    ) -> None:
        self.header_seconds = header_seconds
        self.body_seconds = body_seconds
        self.max_connections = max_connections
        self.max_per_peer = max_per_peer
        self.open = 0
        self.by_peer: Counter[str] = Counter()
        self.refused = 0  # connections refused over a cap
        self.timed_out = 0  # connections closed for sending too slowly
        self.said = Throttled(log)

    def note(self, kind: str, what: str) -> None:
        """Logs ``what`` at most once a minute per ``kind``: a flood of bad clients cannot flood
        the log."""
        self.said.warn(kind, f"http: {what}")


class Guarded(asyncio.Protocol):
    """Around aiohttp's protocol for one connection: refuses it over the caps, and closes it
    when a request's headers or body trickle in too slowly (aiohttp has no read timeouts), so a
    few hundred slow clients cannot hold the server or its file descriptors."""

    def __init__(self, inner: asyncio.Protocol, limits: Limits) -> None:
        self.inner = inner
        self.limits = limits
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.counted = False
        self.timer: asyncio.TimerHandle | None = None
        self.head = b""  # the headers of the request being received, until complete
        self.body_left = 0
        self.in_headers = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = str(peer[0]) if isinstance(peer, tuple) and peer else "?"
        limits = self.limits
        if limits.open >= limits.max_connections or (
            limits.by_peer[self.peer] >= limits.max_per_peer
        ):
            limits.refused += 1
            limits.note("cap", f"connection from {self.peer} refused: too many open")
            transport.abort()
            return
        self.counted = True
        limits.open += 1
        limits.by_peer[self.peer] += 1
        self._expect_request()
        self.inner.connection_made(transport)

    def _expect_request(self) -> None:
        self.in_headers, self.head, self.body_left = True, b"", 0
        self._arm(self.limits.header_seconds)

    def _arm(self, seconds: float | None) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None
        if seconds is not None:
            self.timer = asyncio.get_running_loop().call_later(seconds, self._too_slow)

    def _too_slow(self) -> None:
        self.timer = None
        self.limits.timed_out += 1
        self.limits.note("slow", f"connection from {self.peer} closed: request too slow")
        if self.transport is not None:
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        if not self.counted:
            return
        self._track(data)
        self.inner.data_received(data)

    def _track(self, data: bytes) -> None:
        """Follows request boundaries: headers end at a blank line, a body is Content-Length
        bytes (a chunked body gets the body time as a whole)."""
        while data:
            if self.in_headers:
                if not self.head and not data.strip():
                    return  # blank keep-alive bytes between requests
                joined = self.head + data
                end = joined.find(b"\r\n\r\n")
                if end < 0:
                    self.head = joined[-(64 * 1024) :]
                    return
                head, data = joined[: end + 4], joined[end + 4 :]
                self.in_headers = False
                self.body_left = _content_length(head)
                self._arm(self.limits.body_seconds if self.body_left else None)
                if not self.body_left:
                    self._expect_request_later()
                continue
            taken = min(len(data), self.body_left)
            self.body_left -= taken
            data = data[taken:]
            if self.body_left == 0:
                self._expect_request_later()

    def _expect_request_later(self) -> None:
        """A whole request is in: the next one's headers are timed from its first byte (an idle
        kept-alive connection is aiohttp's keepalive_timeout's)."""
        self._arm(None)
        self.in_headers, self.head, self.body_left = True, b"", 0

    def eof_received(self) -> bool | None:
        return self.inner.eof_received() if self.counted else None

    def connection_lost(self, exc: Exception | None) -> None:
        self._arm(None)
        if self.counted:
            self.counted = False
            self.limits.open -= 1
            self.limits.by_peer[self.peer] -= 1
            if self.limits.by_peer[self.peer] <= 0:
                del self.limits.by_peer[self.peer]
            self.inner.connection_lost(exc)

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _sep, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                return max(0, min(int(value.strip()), 1 << 31))
            except ValueError:
                return 0
        if name.strip().lower() == b"transfer-encoding":
            return 1 << 31  # chunked: the body time applies to the rest
    return 0


class WebServer:
    def __init__(
        self, listen: str, port: int, *, max_body: int = MAX_BODY, limits: Limits | None = None
    ) -> None:
        self.listen = listen
        self.port = port
        self.app = web.Application(client_max_size=max_body)
        self._runner: web.AppRunner | None = None
        self._server: asyncio.Server | None = None
        self.limits = limits or Limits()
        self.paths: list[str] = []

    def webhook(self, path: str, header: str, secret: str, handler: UpdateHandler) -> None:
        """POST ``path``: checked against ``secret`` in ``header``, stored, then answered."""
        expected = secret.encode()

        async def receive(request: web.Request) -> web.Response:
            given = request.headers.get(header, "").encode()
            if not hmac.compare_digest(given, expected):
                self.limits.note("secret", f"webhook {path}: request without the right secret")
                return web.json_response({"ok": False}, status=403)
            try:
                data = await request.json(loads=json.loads)
            except web.HTTPRequestEntityTooLarge:
                return web.json_response({"ok": False}, status=413)
            except (ValueError, RecursionError):  # not JSON, or nested past the parser's depth
                data = None
            if not isinstance(data, dict):
                # well signed, so from the platform: asking for it again would bring the same
                # bytes forever. Taken (200), counted, logged once a minute.
                self.limits.note("malformed", f"webhook {path}: a body that is not an update")
                return web.json_response({"ok": False, "description": "not an update"})
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
        self._runner = web.AppRunner(self.app, access_log=None, keepalive_timeout=KEEPALIVE_SECONDS)
        await self._runner.setup()
        factory = self._runner.server
        assert factory is not None
        self._server = await asyncio.get_running_loop().create_server(
            lambda: Guarded(factory(), self.limits),
            self.listen,
            self.port,
            reuse_address=True,
            backlog=128,
        )
        if self.port == 0:
            self.port = int(self._server.sockets[0].getsockname()[1])
        log.info("http: listening on %s:%d (%s)", self.listen, self.port, ", ".join(self.paths))

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
