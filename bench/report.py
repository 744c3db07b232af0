"""The consolidated report at national scale: 3,800 agencies × 10 measures, all submitted.

    python bench/report.py                    # 38,000 measures
    python bench/report.py --agencies 500

Builds the database once, then:
1. each document as the report worker builds it (``bot.reports.build``: read one snapshot, lay
   the file out), in a fresh process, so that peak memory is the build's own (VmHWM);
2. /tonghop as a consolidator sees it (time, messages, longest message);
3. the real bot (its own process, against the Bot API stand-in, limits off) while a consolidator
   asks for the .docx and the .xlsx: the reply times of other people typing meanwhile, at a fixed
   rate, from the press until both files have arrived.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, median_child, prepare, user_id
from db.connection import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def build(
    folder: Path,
    agencies: int,
    *,
    extra: str = "",
    timeline: str = "quý II/2026",
    measures_due: dt.date = dt.date(2026, 6, 30),
) -> Path:
    """Every agency's plan: 2 items × 5 measures, submitted. ``extra``: more campaign TOML."""
    # the deadline a month ahead: no overdue reminders during the measurement
    due = dt.date.today() + dt.timedelta(days=30)
    db_path, _, _ = await prepare(folder, agencies, due=due, consolidator=True, extra=extra)
    db = await Database.open(db_path)
    now = dt.datetime.now(dt.UTC)
    try:
        async with db.transaction() as tx:
            campaign = await tx.campaigns.active()
            assert campaign is not None
            for plan in await tx.plans.plans(campaign.id):
                if not plan.shortcomings:
                    continue
                for item in plan.shortcomings:
                    await tx.plans.set_objective(
                        item.assignment_id, f"Mục tiêu khắc phục {item.key}"
                    )
                    for j in range(1, 6):
                        mid = await tx.plans.add_measure(
                            item.assignment_id,
                            f"Nhiệm vụ, giải pháp {j}: rà soát, hoàn thiện quy trình, tăng cường kiểm tra",
                            now,
                        )
                        await tx.plans.update_measure(
                            mid,
                            now,
                            lead_unit=plan.agency.name,
                            partners=["Sở Tài chính"],
                            timeline=timeline,
                            due_date=measures_due,
                            output="Báo cáo kết quả",
                        )
            for plan in await tx.plans.plans(campaign.id):
                if plan.shortcomings:
                    await tx.plans.submit(
                        plan, 1, now, 0, sum(len(s.measures) for s in plan.shortcomings)
                    )
    finally:
        await db.close()
    return db_path


def peak_mib() -> float:
    """VmHWM: this process's own peak (ru_maxrss would include the parent's, kept across exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def child(kind: str, db_path: Path) -> dict[str, float]:
    from bot.reports import build as build_document
    from handlers.context import Services
    from handlers.router import Core
    from handlers.types import Event, Kind
    from locales import use_locale

    db = await Database.open(db_path)
    base = peak_mib()
    start = time.perf_counter()
    out: dict[str, float] = {}
    try:
        if kind in ("docx", "xlsx"):
            async with db.read() as tx:
                campaign = await tx.campaigns.active()
                assert campaign is not None
            today = dt.datetime.now(TZ).date()
            start = time.perf_counter()
            built = await asyncio.to_thread(
                build_document, str(db_path), campaign.id, kind, False, today.isoformat(), TZ.key
            )
            out["bytes"] = len(built.content)
        else:
            core = Core(db, Services(tz=TZ))
            with use_locale("vi"):
                await core.handle(
                    Event(
                        channel="telegram",
                        delivery_id=str(time.time_ns()),
                        user_id=str(user_id(0)),
                        kind=Kind.COMMAND,
                        command="tonghop",
                        display_name="Tổng hợp",
                    )
                )
            from bot.telegram.render import messages
            from handlers.types import Outgoing

            async with db.read() as tx:
                queued = await tx.outbox.sent_to("telegram", str(user_id(0)))
            chunks = [c for item in queued for c in messages(Outgoing.from_json(item.payload).text)]
            out["messages"] = len(chunks)
            out["longest"] = max(len(c) for c in chunks)
    finally:
        await db.close()
    out["seconds"] = time.perf_counter() - start
    out["peak_rss_mib"] = peak_mib()
    out["baseline_mib"] = base
    return out


async def while_building(db_path: Path, agencies: int, rate: float = 20.0) -> dict[str, float]:
    """Other people's reply times while the real bot builds both national-size documents."""
    from bench.common import Process, bot_env, pct
    from bot.telegram.standin import Sent, StandIn

    standin = StandIn(limits=False)
    await standin.start()
    campaign_file = db_path.with_name("campaign.toml")
    log = db_path.with_name("bot.log")
    # pinned: no reminder and no daily summary runs meanwhile, whatever the day and hour
    env = bot_env(
        standin,
        db_path,
        campaign_file,
        RATE_LIMIT_OVERALL="0",
        REMINDER_DAYS_BEFORE="",
        SUMMARY_DAYS="",
    )
    bot = Process([sys.executable, "-m", "bot", "run"], env, log)
    waiting: dict[int, list[float]] = {}
    latencies: list[float] = []
    documents: list[float] = []

    def arrived(sent: Sent) -> None:
        if sent.document is not None:
            documents.append(time.monotonic())
        elif waiting.get(sent.chat_id):
            latencies.append(sent.at - waiting[sent.chat_id].pop(0))

    standin.on_send = arrived
    try:
        await bot.start(standin)
        consolidator = user_id(0)
        for n in range(1, min(agencies, 300) + 1):  # warm up: each person has a conversation
            standin.push_text(user_id(n), "/trogiup")
        await asyncio.sleep(3)
        latencies.clear()
        pressed = time.monotonic()
        for kind in ("docx", "xlsx"):
            standin.push_button(consolidator, f"dl:{kind}")
        n = 0
        while len(documents) < 2 and time.monotonic() - pressed < 600:
            n += 1
            person = user_id(1 + n % min(agencies, 300))
            waiting.setdefault(person, []).append(time.monotonic())
            standin.push_text(person, "/trogiup")
            await asyncio.sleep(1 / rate)
        both = (documents[-1] - pressed) if len(documents) >= 2 else float("nan")
        await asyncio.sleep(1)
        return {
            "both_seconds": both,
            "replies": float(len(latencies)),
            "p50": pct(latencies, 50),
            "p99": pct(latencies, 99),
            "max": max(latencies) if latencies else float("nan"),
            "bot_peak_mib": bot.peak_rss_mib(),
        }
    finally:
        await bot.stop()
        await standin.stop()


def main(agencies: int) -> dict[str, dict[str, float]]:
    print(f"Report benchmark — {machine()}")
    results = {}
    with tempfile.TemporaryDirectory(prefix="kehoach-report-") as tmp:
        t = time.perf_counter()
        db_path = asyncio.run(build(Path(tmp), agencies))
        print(
            f"built {agencies:,} agencies × 10 measures = {agencies * 10:,} measures, all submitted "
            f"({time.perf_counter() - t:.0f} s)"
        )
        for kind in ("docx", "xlsx", "tonghop"):
            r = median_child(__file__, kind, db_path)
            results[kind] = r
            extra = (
                f", {r['bytes'] / 2**20:.1f} MiB file"
                if "bytes" in r
                else f", {r['messages']:.0f} message(s), longest {r['longest']:.0f} characters"
            )
            print(
                f"{kind:8} {r['seconds']:.2f} s (median of 3), peak RSS {r['peak_rss_mib']:.0f} MiB "
                f"(process baseline {r['baseline_mib']:.0f} MiB){extra}"
            )
        w = asyncio.run(while_building(db_path, agencies))
        results["while_building"] = w
        print(
            f"while the bot builds both documents ({w['both_seconds']:.1f} s from the press to both "
            f"files): other people's replies p50 {w['p50'] * 1e3:.0f} ms, p99 {w['p99'] * 1e3:.0f} "
            f"ms, max {w['max'] * 1e3:.0f} ms (n={w['replies']:.0f}); bot peak RSS "
            f"{w['bot_peak_mib']:.0f} MiB"
        )
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--agencies", type=int, default=3800)
    parser.add_argument("--child")
    parser.add_argument("--db", type=Path)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(child(args.child, args.db))))
    else:
        main(args.agencies)
