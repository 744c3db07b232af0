"""The bot in Zalo only, as its own process, against the Zalo Bot Platform stand-in: invitation,
a plan entered by numbers, submission, /tonghop and a document reached by its signed link."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from docx import Document
from openpyxl import load_workbook

from bot.demo import wait_settled
from bot.zalo.standin import ZaloSent, ZaloStandIn
from domain.model import Role
from tests.e2e.conftest import E2E, ROOT, tracebacks
from tests.e2e.test_webhook import free_port

FOCAL, CONSOLIDATOR = "a1b2c3d4e5f60001", "a1b2c3d4e5f60002"


class ZaloWorld:
    def __init__(self, standin: ZaloStandIn, folder: Path, **extra: str) -> None:
        self.standin = standin
        self.db_path = folder / "zalo.sqlite3"
        self.log = folder / "bot.log"
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
        env.update(
            ZALO_BOT_TOKEN=standin.token,
            ZALO_API_URL=standin.base_url,
            DATABASE_PATH=str(self.db_path),
            PUBLIC_BASE_URL=f"http://127.0.0.1:{self.port}",
            WEBHOOK_PORT=str(self.port),
            PYTHONUNBUFFERED="1",
            ZALO_RATE_LIMIT="0",
        )
        env.update(extra)
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.e2e = E2E.__new__(E2E)  # borrow invite() and rows() (they only need db_path)
        self.e2e.db_path = self.db_path

    async def start(self, ready: str = "getUpdates") -> None:
        with self.log.open("ab") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", env=self.env, cwd=str(ROOT),
                stdout=out, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
        for _ in range(600):
            if self.standin.count(ready) or self.proc.returncode is not None:
                break
            await asyncio.sleep(0.05)
        assert self.proc.returncode is None, self.log.read_text()[-3000:]

    async def stop(self) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.terminate()
            await asyncio.wait_for(self.proc.wait(), 15)

    async def handled(self, message_id: str, within: float = 20) -> None:
        for _ in range(int(within / 0.05)):
            rows = await self.e2e.rows(
                "SELECT 1 FROM processed_updates WHERE channel = 'zalo' AND update_id = ?",
                message_id,
            )
            if rows:
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError(f"message {message_id} was not handled")
        assert await wait_settled(self.db_path, 60), "the bot did not send its replies"

    async def send(self, user: str, text: str) -> list[ZaloSent]:
        before = len(self.standin.sent_to(user))
        await self.handled(self.standin.push_text(user, text))
        return self.standin.sent_to(user)[before:]


def said(messages: list[ZaloSent]) -> str:
    return "\n".join(m.text for m in messages)


def number(messages: list[ZaloSent], part: str) -> str:
    found = [
        m[1]
        for s in messages
        for line in s.text.splitlines()
        if (m := re.match(r"(\d+)\. (.*)", line)) and part in m[2]
    ]
    assert found, f"no numbered choice {part!r} in {said(messages)!r}"
    return found[-1]


def item(messages: list[ZaloSent], n: int) -> str:
    """The number shown for the plan's n-th item in its menu ("2. ⬜ Việc…": the item's own
    number is not written twice)."""
    found = [
        m[1]
        for s in messages
        for line in s.text.splitlines()
        if (m := re.match(r"(\d+)\. [⬜🟡✅] ", line))
    ]
    assert len(found) >= n, f"no item {n} in the menu"
    return found[n - 1]


@pytest.fixture
async def zw(tmp_path: Path) -> AsyncIterator[ZaloWorld]:
    standin = ZaloStandIn()
    await standin.start()
    w = ZaloWorld(standin, tmp_path)
    try:
        yield w
    finally:
        await w.stop()
        await standin.stop()
    assert not tracebacks(w.log)
    assert standin.refused == [], "Zalo would have refused these"


async def test_a_plan_and_the_consolidated_document_in_zalo(zw: ZaloWorld) -> None:
    focal_code = await zw.e2e.invite("TTT")
    cons_code = await zw.e2e.invite("STC", Role.CONSOLIDATOR)
    await zw.start()
    assert "telegram" not in zw.log.read_text().lower() or "getUpdates" not in zw.log.read_text()

    out = await zw.send(FOCAL, f"/start {focal_code}")
    assert "Thanh tra tỉnh" in said(out)
    assert all(len(m.text) <= 2000 and "<b>" not in m.text for m in out)  # plain text
    await zw.send(CONSOLIDATOR, f"/start {cons_code}")

    out = await zw.send(FOCAL, "ke hoach")
    assert "Trả lời bằng số" in said(out)
    out = await zw.send(FOCAL, item(out, 1))
    out = await zw.send(FOCAL, number(out, "Nhập mục tiêu"))
    out = await zw.send(FOCAL, "Giải quyết dứt điểm đơn thư tồn đọng")
    out = await zw.send(FOCAL, number(out, "Thêm nhiệm vụ"))
    out = await zw.send(FOCAL, "Rà soát, phân loại đơn thư tồn đọng <b>cũ</b>")
    out = await zw.send(FOCAL, number(out, "⭐"))
    out = await zw.send(FOCAL, number(out, "Không có"))
    out = await zw.send(FOCAL, "quý II/2026")
    out = await zw.send(FOCAL, number(out, "Bỏ qua"))
    assert "1.1. Rà soát, phân loại đơn thư tồn đọng <b>cũ</b>" in said(out)  # as typed
    before = len(zw.standin.sent_to(FOCAL))
    await zw.handled(zw.standin.push_sticker(FOCAL))
    assert "tin nhắn chữ" in said(zw.standin.sent_to(FOCAL)[before:])  # a plain answer
    out = await zw.send(FOCAL, "77")
    assert "77 không phải là một lựa chọn" in said(out)
    out = await zw.send(FOCAL, "nop")
    out = await zw.send(FOCAL, number(out, "Xác nhận nộp"))
    assert "Đã nộp" in said(out)
    told = zw.standin.sent_to(CONSOLIDATOR)
    assert any("Thanh tra tỉnh" in m.text for m in told)  # the consolidator is told, in Zalo

    out = await zw.send(CONSOLIDATOR, "tổng hợp")
    out = await zw.send(CONSOLIDATOR, number(out, "Word"))
    links = re.findall(r"(http://127\.0\.0\.1:\d+/tep/\S+)", said(out))
    assert links, said(out)
    async with aiohttp.ClientSession() as http:
        async with http.get(links[0]) as r:
            assert r.status == 200
            assert r.content_type.endswith("wordprocessingml.document")
            assert "filename*=UTF-8''" in r.headers["Content-Disposition"]
            doc = Document(io.BytesIO(await r.read()))  # opens as a Word document
            assert "Rà soát, phân loại đơn thư tồn đọng" in "".join(
                c.text for t in doc.tables for row in t.rows for c in row.cells
            )
        forged = re.sub(r"\.([0-9a-f]{6})", ".000000", links[0], count=1)
        async with http.get(forged) as r:
            assert r.status == 403
    assert await zw.e2e.rows("SELECT channel, sent > 0 FROM channel_usage") == [("zalo", 1)]

    # the follow-through, in Zalo: the progress of the submitted plan, and its results file
    out = await zw.send(FOCAL, "tien do")  # a command word, with a space, without diacritics
    assert "Báo cáo tiến độ" in said(out)
    out = await zw.send(FOCAL, number(out, "1.1"))
    out = await zw.send(FOCAL, number(out, "Đã hoàn thành"))
    out = await zw.send(FOCAL, "Báo cáo số 12/BC-TTT")
    out = await zw.send(FOCAL, number(out, "Nộp báo cáo"))
    out = await zw.send(FOCAL, number(out, "Xác nhận nộp"))
    assert "Đã nộp báo cáo tiến độ" in said(out)
    out = await zw.send(CONSOLIDATOR, "tổng hợp")
    out = await zw.send(CONSOLIDATOR, number(out, "Kết quả thực hiện (.xlsx)"))
    links = re.findall(r"(http://127\.0\.0\.1:\d+/tep/\S+)", said(out))
    assert links, said(out)
    async with aiohttp.ClientSession() as http, http.get(links[0]) as r:
        assert r.status == 200
        book = load_workbook(io.BytesIO(await r.read()))
    values = [c.value for row in book.worksheets[0].iter_rows() for c in row]
    assert "Báo cáo số 12/BC-TTT" in values and "Đã hoàn thành" in values


async def test_a_rejected_zalo_token_is_one_line_and_exit_2(tmp_path: Path) -> None:
    standin = ZaloStandIn()
    await standin.start()
    try:
        w = ZaloWorld(standin, tmp_path, ZALO_BOT_TOKEN="999:wrong-secret-value")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=w.env, cwd=str(ROOT),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(proc.communicate(), 60)
        lines = [line for line in out.decode().splitlines() if "kehoach-bot:" in line]
        assert proc.returncode == 2
        assert lines == ["kehoach-bot: " + "ZALO_BOT_TOKEN bị từ chối (Zalo trả lời 401): "
                         "kiểm tra lại token trong Zalo Bot Manager."]  # fmt: skip
        assert "wrong-secret-value" not in out.decode()
    finally:
        await standin.stop()


async def test_webhook_mode_survives_kill_9_and_ignores_duplicates(tmp_path: Path) -> None:
    """Zalo posts to the bot's endpoint; 200 only after the commit. A SIGKILL loses no answer
    that was confirmed, and an update posted twice is handled once."""
    standin = ZaloStandIn()
    await standin.start()
    w = ZaloWorld(standin, tmp_path)
    w.env.update(
        ZALO_WEBHOOK_URL=f"http://127.0.0.1:{w.port}/zalo-hook",
        ZALO_WEBHOOK_SECRET="s3cret-zalo-hook",
    )
    try:
        code = await w.e2e.invite("TTT")
        await w.start(ready="setWebhook")
        assert standin.webhook == (f"http://127.0.0.1:{w.port}/zalo-hook", "s3cret-zalo-hook")
        await w.send(FOCAL, f"/start {code}")
        out = await w.send(FOCAL, "kehoach")
        out = await w.send(FOCAL, item(out, 1))
        out = await w.send(FOCAL, number(out, "Nhập mục tiêu"))
        await w.send(FOCAL, "Mục tiêu đã xác nhận trước khi bị tắt")
        assert w.proc is not None
        w.proc.kill()  # SIGKILL, no goodbye
        await w.proc.wait()
        message_id = standin.push_text(FOCAL, "Một tin nhắn đến khi bot đang tắt")
        await w.start(ready="setWebhook")
        await w.handled(message_id)  # posted again until the new process stored it
        objective = await w.e2e.rows(
            "SELECT objective FROM assignments WHERE objective IS NOT NULL"
        )
        assert ("Mục tiêu đã xác nhận trước khi bị tắt",) in objective

        before = len(standin.sent_to(FOCAL))
        again = standin.updates_log[-1]  # the same update delivered a second time
        async with aiohttp.ClientSession() as http:
            async with http.post(
                standin.webhook[0],
                json={"ok": True, "result": again},
                headers={"X-Bot-Api-Secret-Token": "s3cret-zalo-hook"},
            ) as r:
                assert r.status == 200
            async with http.post(
                standin.webhook[0], json={}, headers={"X-Bot-Api-Secret-Token": "wrong-secret"}
            ) as r:
                assert r.status == 403
        assert await wait_settled(w.db_path, 30)
        assert len(standin.sent_to(FOCAL)) == before  # no second answer
    finally:
        await w.stop()
        await standin.stop()
    assert standin.refused == []
