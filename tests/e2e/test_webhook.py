"""Webhook mode: only requests carrying the secret are processed."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from tests.e2e.conftest import FOCAL, tracebacks, world

SECRET = "s3cret-token_for-tests-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_webhook_secret(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    async with world(tmp_path, WEBHOOK_URL=url, WEBHOOK_SECRET=SECRET, WEBHOOK_PORT=str(port)) as w:
        code = await w.invite("SNV")
        await w.bot.start(ready="setWebhook")
        assert w.standin.webhook == (url, SECRET)
        update = {
            "update_id": 900001,
            "message": w.standin.message(
                FOCAL,
                text=f"/start {code}",
                entities=[{"type": "bot_command", "offset": 0, "length": 6}],
            ),
        }
        async with aiohttp.ClientSession() as session:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                for _attempt in range(50):  # the server may still be starting
                    try:
                        async with session.post(url, json=update, headers=headers) as resp:
                            status = resp.status
                        break
                    except aiohttp.ClientConnectionError:
                        await asyncio.sleep(0.1)
                assert status == 403
            assert await w.rows("SELECT count(*) FROM memberships") == [(0,)]
            assert w.standin.sent_to(FOCAL) == []
            async with session.post(
                url, json=update, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
            ) as resp:
                assert resp.status == 200
        await w.standin.wait_for(lambda: bool(w.standin.sent_to(FOCAL)), 10)
        assert "Đã liên kết" in w.standin.sent_to(FOCAL)[0].text
        # and the stand-in's own delivery (as Telegram does it) works too
        w.standin.push_text(FOCAL, "/trogiup")
        await w.standin.wait_for(
            lambda: any("Các lệnh" in m.text for m in w.standin.sent_to(FOCAL)), 10
        )
        assert await w.rows("SELECT count(*) FROM memberships") == [(1,)]
    assert not tracebacks(w.log)
