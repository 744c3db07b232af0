"""Webhook mode: only requests carrying the secret are processed."""

from __future__ import annotations

import asyncio
import io
import json
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


async def test_webhook_commits_before_200_refuses_oversize_and_drops_malformed(
    tmp_path: Path,
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    env = {"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)}
    async with world(tmp_path, **env) as w:
        code = await w.invite("SNV")
        await w.bot.start(ready="setWebhook")
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        update = {
            "update_id": 700001,
            "message": w.standin.message(
                FOCAL,
                text=f"/start {code}",
                entities=[{"type": "bot_command", "offset": 0, "length": 6}],
            ),
        }
        async with aiohttp.ClientSession() as session:
            for _attempt in range(50):
                try:
                    async with session.post(url, data=b"{not json", headers=headers) as resp:
                        assert resp.status == 200  # taken: sent again it would be as wrong
                        assert (await resp.json())["ok"] is False
                    break
                except aiohttp.ClientConnectionError:
                    await asyncio.sleep(0.1)
            good = w.standin.message(FOCAL, text="xin chào")
            for bad in (
                b"[" * 100_000 + b"]" * 100_000,  # nested past any parser's depth
                json.dumps({"update_id": 1, "message": "hello"}).encode(),
                json.dumps({"message": good}).encode(),  # no update_id
                json.dumps({"update_id": 2, "message": {**good, "text": 12345}}).encode(),
                json.dumps(
                    {"update_id": 3, "message": {**good, "from": {**good["from"], "id": "abc"}}}
                ).encode(),
                json.dumps({"update_id": 4, "callback_query": {"id": 5}}).encode(),
            ):
                async with session.post(url, data=bad, headers=headers) as resp:
                    assert resp.status == 200, bad[:80]
            assert await w.rows("SELECT count(*) FROM users") == [(0,)]  # nothing stored
            assert await w.rows("SELECT count(*) FROM outbox") == [(0,)]
            huge = io.BytesIO(json.dumps({"update_id": 1, "text": "x" * 2**21}).encode())
            async with session.post(url, data=huge, headers=headers) as resp:
                assert resp.status == 413
            async with session.post(url, json=update, headers=headers) as resp:
                assert resp.status == 200
                # answered only once stored: the link is already in the database
                assert await w.rows("SELECT count(*) FROM memberships") == [(1,)]
    assert not tracebacks(w.log)


async def test_a_kill_before_the_commit_in_webhook_mode_loses_nothing(tmp_path: Path) -> None:
    """The process dies while storing a webhook update: Telegram gets no 200 and delivers it
    again to the restarted bot, which stores it once."""
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    env = {"WEBHOOK_URL": url, "WEBHOOK_SECRET": SECRET, "WEBHOOK_PORT": str(port)}
    async with world(tmp_path, limits=False, **env) as w:
        code = await w.invite("SNV")
        await w.bot.start(ready="setWebhook")
        w.standin.push_text(FOCAL, f"/start {code}")
        await w.standin.wait_for(lambda: bool(w.standin.sent_to(FOCAL)), 20)
        w.bot.env["KEHOACH_CRASH_AT"] = "update_before_commit:1"
        await w.bot.stop()
        await w.bot.start(ready="setWebhook")
        w.standin.push_text(FOCAL, "/kehoach")  # the first transaction of the new process dies
        assert w.bot.proc is not None
        await asyncio.wait_for(w.bot.proc.wait(), 20)
        del w.bot.env["KEHOACH_CRASH_AT"]
        await w.bot.start(ready="setWebhook")
        await w.standin.wait_for(
            lambda: any("Trạng thái:" in m.text for m in w.standin.sent_to(FOCAL)), 30
        )
        assert sum("Trạng thái:" in m.text for m in w.standin.sent_to(FOCAL)) == 1
