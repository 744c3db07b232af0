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

from bench.common import broadcast_run, machine, prepare


async def main(chats: int, pacing: str = "0") -> dict[str, float]:
    """``pacing``: BROADCAST_RATE for the run; "0" measures the overall limiter alone (the
    deployment default paces reminders at 20/s so that replies keep 8/s of Telegram's 28)."""
    print(f"Broadcast benchmark — {machine()}")
    today = dt.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    with tempfile.TemporaryDirectory(prefix="kehoach-broadcast-") as tmp:
        db_path, campaign_file, _ = await prepare(Path(tmp), chats, due=today)
        r = await broadcast_run(
            db_path,
            campaign_file,
            "Nhắc hạn",
            chats,
            REMINDER_DAYS_BEFORE="0",
            REMINDER_TIME="00:00",
            QUIET_START="00:00",
            QUIET_END="00:00",
            SUMMARY_TIME="23:59",
            BROADCAST_RATE=pacing,
        )
    print(
        f"{r['sent']:.0f}/{chats} reminders in {r['duration']:.1f} s: {r['rate']:.1f} "
        f"messages/s, {r['too_many']:.0f} answers 429 from the stand-in"
    )
    return r


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chats", type=int, default=3800)
    asyncio.run(main(parser.parse_args().chats))
