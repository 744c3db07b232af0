"""The follow-through at national scale: 3,800 agencies × 10 measures, every plan submitted.

    python bench/follow.py                    # 3,800 agencies
    python bench/follow.py --agencies 500

Builds the database once: a reporting period that contains today, every measure due in 3 days,
every agency's progress reported (half of the reports submitted), one proposal per agency (half
routed, a quarter answered). Then:

1. the two documents as the report worker builds them (``bot.reports.build``), each in a fresh
   process so that peak memory is the build's own (VmHWM): the period's results (.xlsx, 38,000
   rows; .docx, its 1,900 reporting agencies) and the proposals (.xlsx, two sheets of 3,800
   rows). Targets: ≤ 3 s, ≤ 200 MB.
2. the nudge run: the real bot against a stand-in that enforces Telegram's limits; the first tick
   nudges every agency (its measures come due in 3 days). Prints the duration, messages per
   second and the 429s answered. Target: at the channel's rate, zero 429s. The nudges are on
   every day here (NUDGE_DAYS), so the run does not depend on the day it is made.
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

from bench.common import broadcast_run, machine, median_child, user_id
from bench.report import build as build_plans
from bench.report import peak_mib
from db.connection import Database
from domain.progress import Progress
from domain.proposals import Answer, AnswerDraft

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def period_toml(today: dt.date) -> str:
    starts, ends, due = (
        today - dt.timedelta(days=30),
        today + dt.timedelta(days=60),
        today + dt.timedelta(days=30),
    )
    return (
        f'\n[[periods]]\nkey = "BENCH"\nlabel = "kỳ đo"\nstarts = {starts.isoformat()}\n'
        f"ends = {ends.isoformat()}\ndue = {due.isoformat()}\n"
    )


async def build(folder: Path, agencies: int) -> Path:
    today = dt.datetime.now(TZ).date()
    soon = today + dt.timedelta(days=3)
    db_path = await build_plans(
        folder, agencies, extra=period_toml(today), timeline=f"{soon:%d/%m/%Y}", measures_due=soon
    )
    db = await Database.open(db_path)
    now = dt.datetime.now(dt.UTC)
    try:
        async with db.transaction() as tx:
            campaign = await tx.campaigns.active()
            assert campaign is not None
            fields = campaign.definition.proposals.fields
            stc = await tx.campaigns.agency_by_code("STC")
            assert stc is not None
            for n, plan in enumerate(await tx.plans.plans(campaign.id)):
                if not plan.shortcomings:
                    continue
                report = await tx.progress.ensure(plan.id, "BENCH")
                for item in plan.shortcomings:
                    for m in item.measures:
                        await tx.progress.set(
                            report.id,
                            m.id,
                            now,
                            status=Progress.ON_TRACK,
                            result="Đã ban hành kế hoạch triển khai, đang tổ chức thực hiện",
                        )
                if n % 2 == 0:
                    fresh = await tx.progress.report(plan.id, "BENCH")
                    assert fresh is not None
                    await tx.progress.submit(fresh, 1, now, 0)
                user = await tx.users.get("telegram", str(user_id(n)))
                pid = await tx.proposals.draft(
                    campaign.id,
                    plan.agency.id,
                    user.id if user else 1,
                    fields[n % len(fields)],
                    None,
                    now,
                )
                await tx.proposals.update(
                    pid,
                    now,
                    content="Đề nghị hỗ trợ trang thiết bị họp trực tuyến đến thôn, tổ dân phố",
                )
                await tx.proposals.file(pid, now)
                if n % 2 == 0:
                    await tx.proposals.route(pid, stc.id, today + dt.timedelta(days=15), now)
                if n % 4 == 0:
                    routed = await tx.proposals.get(pid)
                    assert routed is not None
                    draft = AnswerDraft(
                        proposal_id=pid,
                        agency_id=stc.id,
                        revision=routed.revision,
                        kind=Answer.RESOLVED,
                        text="Đã bố trí kinh phí năm 2026",
                    )
                    assert await tx.proposals.answer(draft, 1, now)
    finally:
        await db.close()
    return db_path


async def child(what: str, db_path: Path) -> dict[str, float]:
    """``what``: progress.xlsx, progress.docx or proposals.xlsx."""
    document, kind = what.split(".")
    from bot.reports import build as build_document

    db = await Database.open(db_path)
    base = peak_mib()
    try:
        async with db.read() as tx:
            campaign = await tx.campaigns.active()
            assert campaign is not None
    finally:
        await db.close()
    today = dt.datetime.now(TZ).date()
    start = time.perf_counter()
    built = await asyncio.to_thread(
        build_document,
        str(db_path),
        campaign.id,
        kind,
        False,
        today.isoformat(),
        TZ.key,
        document,
    )
    return {
        "seconds": time.perf_counter() - start,
        "bytes": float(len(built.content)),
        "peak_rss_mib": peak_mib(),
        "baseline_mib": base,
        "rows": float(built.total),
    }


async def nudge_run(db_path: Path, agencies: int) -> dict[str, float]:
    return await broadcast_run(
        db_path,
        db_path.with_name("campaign.toml"),
        "Nhắc tiến độ",
        agencies,
        REMINDER_DAYS_BEFORE="3",
        NUDGE_DAYS="0,1,2,3,4,5,6",  # whatever the day of the run
        REMINDER_TIME="00:00",
        QUIET_START="00:00",
        QUIET_END="00:00",
        SUMMARY_DAYS="",
    )


def main(agencies: int) -> dict[str, dict[str, float]]:
    print(f"Follow-through benchmark — {machine()}")
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="kehoach-follow-") as tmp:
        t = time.perf_counter()
        db_path = asyncio.run(build(Path(tmp), agencies))
        print(
            f"built {agencies:,} agencies × 10 measures, progress reported, {agencies:,} proposals "
            f"({time.perf_counter() - t:.0f} s)"
        )
        for document in ("progress.xlsx", "progress.docx", "proposals.xlsx"):
            r = median_child(__file__, document, db_path)
            results[document] = r
            print(
                f"{document:14} {r['seconds']:.2f} s (median of 3), peak RSS "
                f"{r['peak_rss_mib']:.0f} MiB (process baseline {r['baseline_mib']:.0f} MiB), "
                f"{r['bytes'] / 2**20:.1f} MiB file"
            )
        n = asyncio.run(nudge_run(db_path, agencies))
        results["nudges"] = n
        print(
            f"nudges: {n['sent']:.0f}/{agencies} in {n['duration']:.1f} s: {n['rate']:.1f} "
            f"messages/s, {n['too_many']:.0f} answers 429 from the stand-in"
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
