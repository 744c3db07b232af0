"""Reminder broadcast: the scheduler reminds N agencies through a stand-in that enforces limits.

    python bench/broadcast.py                 # 3,800 chats (about 2 minutes at Telegram's 30/s)
    python bench/broadcast.py --chats 600

The campaign's deadline is today and the reminder slot opens at 00:00, so the bot's first tick
(one second after start) reminds every agency. Prints the duration from first to last reminder,
messages per second and the 429s the stand-in answered (Telegram: about 30 messages/s overall).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import sys
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Process, bot_env, machine, prepare
from bot.telegram.standin import Sent, StandIn


async def main(chats: int, pacing: str = "0") -> dict[str, float]:
    """``pacing``: BROADCAST_RATE for the run; "0" measures the overall limiter alone (the
    deployment default paces reminders at 20/s so that replies keep 8/s of Telegram's 28)."""
    print(f"Broadcast benchmark — {machine()}")
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    with tempfile.TemporaryDirectory(prefix="kehoach-broadcast-") as tmp:
        db_path, campaign_file, _ = await prepare(Path(tmp), chats, due=today)
        standin = StandIn(limits=True)
        await standin.start()
        times: list[float] = []

        def on_send(sent: Sent) -> None:
            if "Nhắc hạn" in sent.text:
                times.append(sent.at)

        standin.on_send = on_send
        env = bot_env(
            standin,
            db_path,
            campaign_file,
            REMINDER_DAYS_BEFORE="0",
            REMINDER_TIME="00:00",
            QUIET_START="00:00",
            QUIET_END="00:00",
            SUMMARY_TIME="23:59",
            BROADCAST_RATE=pacing,
        )
        proc = Process([sys.executable, "-m", "bot", "run"], env, Path(tmp) / "bot.log")
        try:
            await proc.start(standin)
            try:
                await standin.wait_for(lambda: len(times) >= chats, chats / 10 + 120, "reminders")
            except TimeoutError:
                pass
        finally:
            await proc.stop()
            await standin.stop()
    duration = times[-1] - times[0] if len(times) > 1 else float("nan")
    rate = (len(times) - 1) / duration if len(times) > 1 else float("nan")
    print(
        f"{len(times)}/{chats} reminders in {duration:.1f} s: {rate:.1f} messages/s, "
        f"{standin.too_many} answers 429 from the stand-in"
    )
    return {"sent": len(times), "duration": duration, "rate": rate, "too_many": standin.too_many}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=3800)
    asyncio.run(main(parser.parse_args().chats))
