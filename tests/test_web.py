"""The bot's HTTP server against slow and many clients (18.9): headers and bodies must arrive in
time, connections are capped (overall and per address), refusals are logged once a minute."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.web import Limits, WebServer

SECRET = "s" * 20


@pytest.fixture
async def server() -> AsyncIterator[tuple[WebServer, list[dict[str, Any]]]]:
    got: list[dict[str, Any]] = []

    async def handler(update: dict[str, Any]) -> None:
        got.append(update)

    limits = Limits(header_seconds=0.5, body_seconds=0.5, max_connections=30, max_per_peer=10)
    web = WebServer("127.0.0.1", 0, limits=limits)
    web.webhook("/hook", "X-Secret", SECRET, handler)
    await web.start()
    try:
        yield web, got
    finally:
        await web.stop()


def _request(body: bytes, extra: bytes = b"") -> bytes:
    """A webhook POST with the right secret, as raw bytes."""
    return (
        b"POST /hook HTTP/1.1\r\nHost: x\r\nX-Secret: "
        + SECRET.encode()
        + b"\r\nContent-Length: "
        + str(len(body)).encode()
        + b"\r\n"
        + extra
        + b"\r\n"
        + body
    )


async def _post(port: int, body: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(_request(body, b"Connection: close\r\n"))
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return answer


async def _closed(reader: asyncio.StreamReader, within: float) -> bool:
    try:
        await asyncio.wait_for(reader.read(), within)  # to the end: the server closed it
    except TimeoutError:
        return False
    return True


async def test_trickling_headers_and_bodies_are_cut_and_a_real_update_still_gets_in(
    server: tuple[WebServer, list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    web, got = server
    caplog.set_level(logging.WARNING)
    slow = []
    for k in range(14):  # 10 from this address are let in, 4 refused at once
        reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
        if k % 2:
            writer.write(b"POST /hook HTTP/1.1\r\nHost: x\r\n")  # headers, never finished
        else:
            writer.write(
                b"POST /hook HTTP/1.1\r\nHost: x\r\nX-Secret: "
                + SECRET.encode()
                + b"\r\nContent-Length: 500\r\n\r\n{"
            )
        await writer.drain()
        slow.append((reader, writer))
    await asyncio.sleep(0.1)
    assert web.limits.refused == 4 and web.limits.open == 10
    assert [await _closed(r, 2) for r, _w in slow] == [True] * 14  # all cut within the limits
    assert web.limits.timed_out == 10 and web.limits.open == 0
    for _r, w in slow:
        w.close()

    answer = await _post(web.port, json.dumps({"update_id": 1}).encode())
    assert answer.startswith(b"HTTP/1.1 200")
    assert got == [{"update_id": 1}]
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.web"]
    assert len(lines) == 2, lines  # one line a minute of each kind, however many
    assert "refused: too many open" in lines[0] and "closed: request too slow" in lines[1]


async def test_forged_requests_are_logged_once_a_minute(
    server: tuple[WebServer, list[dict[str, Any]]], caplog: pytest.LogCaptureFixture
) -> None:
    web, got = server
    caplog.set_level(logging.WARNING)
    for _ in range(50):
        reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
        writer.write(b"POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        assert (await asyncio.wait_for(reader.readline(), 5)).startswith(b"HTTP/1.1 403")
        writer.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.web"]
    assert lines == [
        "http: webhook /hook: request without the right secret"
        " (1 since the last such line; at most one a minute)"
    ]
    assert got == []


async def test_a_kept_alive_connection_sends_request_after_request(
    server: tuple[WebServer, list[dict[str, Any]]],
) -> None:
    web, got = server
    reader, writer = await asyncio.open_connection("127.0.0.1", web.port)
    for n in range(3):
        body = json.dumps({"update_id": n}).encode()
        writer.write(_request(body))
        await writer.drain()
        status = await asyncio.wait_for(reader.readline(), 5)
        assert status.startswith(b"HTTP/1.1 200"), status
        while (await reader.readline()) not in (b"\r\n", b""):
            pass
        await reader.readexactly(len(b'{"ok": true}'))
        await asyncio.sleep(0.7)  # longer than the header time, between requests: fine
    writer.close()
    assert [u["update_id"] for u in got] == [0, 1, 2]


async def test_the_connection_cap_keeps_file_descriptors_for_the_process(
    server: tuple[WebServer, list[dict[str, Any]]],
) -> None:
    web, _got = server
    web.limits.max_per_peer = 1000
    conns = [await asyncio.open_connection("127.0.0.1", web.port) for _ in range(40)]
    await asyncio.sleep(0.1)
    assert web.limits.open == 30 and web.limits.refused == 10
    for _r, w in conns:
        w.close()
