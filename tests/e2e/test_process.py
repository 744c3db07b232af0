"""The process as an operator meets it: a wrong token, getUpdates faults, a revoked token.

Policy (README, "Reliability"): a flood wait (429) is waited out, any other error is logged and
polling goes on after a backoff, a rejected token stops the process with one line and exit code
2 — the token itself never appears in any output.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from bot.telegram.standin import Fault
from tests.e2e.conftest import E2E, FOCAL, ROOT, make_env, text, world

WRONG = "123456:WRONG-s3cret-t0ken-value"


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    return proc.returncode or 0, out.decode()


async def test_a_wrong_token_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    async with world(tmp_path) as w:
        env = make_env(w.standin, w.db_path, BOT_TOKEN=WRONG)
        for args in (("run",), ("invite", "SNV")):
            code, out = await _cli(env, *args)
            assert code == 2, (args, out)
            lines = [line for line in out.splitlines() if line.strip()]
            assert lines == [
                "kehoach-bot: BOT_TOKEN bị từ chối (Telegram trả lời 401/404): "
                "kiểm tra lại token từ @BotFather."
            ], (args, out)
            assert "s3cret" not in out and "Traceback" not in out
        assert await w.rows("SELECT count(*) FROM invites") == [(0,)]  # nothing half-done


async def test_polling_survives_faults_and_stops_on_a_revoked_token(e2e: E2E) -> None:
    code = await e2e.invite("SNV")
    await e2e.bot.start()
    await e2e.send(FOCAL, f"/start {code}")
    for fault in (
        Fault("getUpdates", times=1, status=429, retry_after=2),  # waited out
        Fault("getUpdates", times=2, status=400),  # logged, polling goes on
        Fault("getUpdates", times=2, status=500),
    ):
        e2e.standin.faults.append(fault)
        got = await e2e.send(FOCAL, "/trogiup", within=60)
        assert "Các lệnh" in text(got), fault
        assert not e2e.bot.exited
    log = e2e.log.read_text()
    assert "getUpdates flood control; waiting" in log
    assert "getUpdates failed" in log or "Bot API unreachable" in log

    e2e.standin.faults.append(Fault("getUpdates", times=1000, status=401))  # token revoked
    assert e2e.bot.proc is not None
    returncode = await asyncio.wait_for(e2e.bot.proc.wait(), 60)
    assert returncode == 2
    log = e2e.log.read_text()
    assert "BOT_TOKEN bị từ chối" in log
    assert "STAND-IN" not in log  # the stand-in's token, never written
    assert "Traceback" not in log
    e2e.standin.faults.clear()


async def test_the_token_never_appears_in_a_normal_run(e2e: E2E) -> None:
    code = await e2e.invite("SNV")
    await e2e.bot.start()
    await e2e.send(FOCAL, f"/start {code}")
    e2e.standin.faults.append(Fault("sendMessage", times=1, status=502))
    await e2e.send(FOCAL, "/kehoach", within=30)
    await e2e.bot.stop()
    log = e2e.log.read_text()
    assert "will be retried" in log and "STAND-IN" not in log
