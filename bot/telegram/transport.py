"""PTB's HTTP transport on aiohttp.

PTB talks HTTP through a ``BaseRequest``; its default is httpx. On the deadline-eve load every
reply is two or three Bot API calls, and the profile of the bot is mostly HTTP: aiohttp's client
costs about a millisecond less CPU per call than httpx here (``bench/`` measures it). Everything
else — methods, Defaults, errors, the rate limiter — stays PTB's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData


def _seconds(value: Any, default: float | None) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return None
    return default  # PTB's DEFAULT_NONE: use ours


class AiohttpRequest(BaseRequest):
    def __init__(
        self,
        *,
        connections: int = 16,
        read_timeout: float = 10.0,
        connect_timeout: float = 10.0,
        media_timeout: float = 60.0,
    ) -> None:
        self.connections = connections
        self._read = read_timeout
        self._connect = connect_timeout
        self._media = media_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self.connections),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        params = request_data.json_parameters if request_data else {}
        files = request_data.multipart_data if request_data and request_data.contains_files else {}
        data: aiohttp.FormData | dict[str, str] = params
        read = _seconds(read_timeout, self._read)
        if files:
            form = aiohttp.FormData()
            for key, value in params.items():
                form.add_field(key, value)
            for part, (filename, content, mimetype) in files.items():
                form.add_field(part, content, filename=filename, content_type=mimetype)
            data = form
            read = _seconds(write_timeout, self._media)
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=_seconds(connect_timeout, self._connect), sock_read=read
        )
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as resp:
                return resp.status, await resp.read()
        except TimeoutError as err:
            raise TimedOut from err
        except asyncio.CancelledError:
            raise
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
