"""The consolidated report at national scale: 3,800 agencies × 10 measures, all submitted.

    python bench/report.py                    # 38,000 measures
    python bench/report.py --agencies 500

Builds the database once, then measures each operation in a fresh process (so peak memory is the
operation's own): the .docx and the .xlsx export, and /tonghop as a consolidator sees it (time,
number of messages, longest message).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import machine, prepare, user_id
from db.connection import Database

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


async def build(folder: Path, agencies: int) -> Path:
    db_path, _, _ = await prepare(folder, agencies, consolidator=True)
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
                            timeline="quý II/2026",
                            due_date=dt.date(2026, 6, 30),
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
    from handlers.consolidate import documents
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
            async with db.transaction() as tx:
                campaign = await tx.campaigns.active()
                assert campaign is not None
                today = dt.datetime.now(TZ).date()
                doc = await documents(tx, campaign, today, TZ, kind)
            out["bytes"] = len(doc.content)
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
            runs = []
            for _ in range(3):
                done = subprocess.run(
                    [sys.executable, __file__, "--child", kind, "--db", str(db_path)],
                    capture_output=True,
                    text=True,
                    check=True,
                )
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            runs.sort(key=lambda r: r["seconds"])
            r = runs[1]  # the median of three
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
