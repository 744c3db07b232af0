"""A thin client of the Zalo Bot Platform API, on aiohttp.

``POST {base}<token>/<method>`` with a JSON body; every answer is ``{"ok": true, "result": …}`` or
``{"ok": false, "error_code": N, "description": "…"}``. getUpdates is a long poll that returns one
update per call and has no offset; an empty poll comes back as error 408.

The PyPI client (python-zalo-bot) is synchronous-first and untyped, so this is the right size: a
dozen lines per method, typed errors, and never the token in an exception or a log line (it is in
every URL, so network errors are re-raised without their URL).
"""

from __future__ import annotations

import json
from typing import Any

import aiohttp


class ZaloError(Exception):
    """The API answered ``ok: false`` (or an HTTP error with no JSON)."""

    def __init__(self, code: int, description: str) -> None:
        super().__init__(f"Zalo API error {code}: {description}")
        self.code = code
        self.description = description


class ZaloNetworkError(Exception):
    """The API could not be reached, or answered something that is not its JSON."""


class ZaloClient:
    def __init__(
        self, token: str, base_url: str, *, connections: int = 8, timeout: float = 15.0
    ) -> None:
        self._url = f"{base_url}{token}/"  # base ends in ".../bot", as ZALO_API_URL
        self._connections = connections
        self._timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections),
                json_serialize=lambda o: json.dumps(o, ensure_ascii=False),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def call(
        self, method: str, payload: dict[str, Any] | None = None, *, wait: float = 0
    ) -> Any:
        """Call ``method``; its ``result``, or ZaloError / ZaloNetworkError."""
        session = await self._open()
        timeout = aiohttp.ClientTimeout(total=self._timeout + wait, connect=10)
        try:
            async with session.post(self._url + method, json=payload or {}, timeout=timeout) as r:
                raw = await r.read()
                status = r.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            # never str(exc): aiohttp's messages can carry the URL, and the URL the token
            raise ZaloNetworkError(f"{method}: {type(exc).__name__}") from None
        try:
            data = json.loads(raw)
        except ValueError:
            if status >= 400:
                raise ZaloError(status, f"HTTP {status}") from None
            raise ZaloNetworkError(f"{method}: HTTP {status}, not JSON") from None
        if not isinstance(data, dict):
            raise ZaloNetworkError(f"{method}: HTTP {status}, unexpected answer")
        if data.get("ok") is True:
            return data.get("result")
        code = data.get("error_code") or status
        raise ZaloError(int(code), str(data.get("description") or "")[:300])

    async def get_me(self) -> dict[str, Any]:
        result = await self.call("getMe")
        return result if isinstance(result, dict) else {}

    async def get_update(self, seconds: int = 30) -> dict[str, Any] | None:
        """The next update, or None when the long poll ended empty (error 408)."""
        try:
            result = await self.call("getUpdates", {"timeout": str(seconds)}, wait=seconds)
        except ZaloError as exc:
            if exc.code == 408:
                return None
            raise
        return result if isinstance(result, dict) else None

    async def send_message(self, chat_id: str, text: str) -> Any:
        return await self.call("sendMessage", {"chat_id": chat_id, "text": text})

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> Any:
        return await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> Any:
        return await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> Any:
        return await self.call("deleteWebhook")
