"""Run a short version of each benchmark and write bench/results.md (quoted by the README)."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import broadcast, follow, report, rush
from bench.common import machine

RESULTS = Path(__file__).with_name("results.md")


def mark(ok: bool) -> str:
    return "met" if ok else "**not met**"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=3800)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--chats", type=int, default=600)
    parser.add_argument("--agencies", type=int, default=3800)
    args = parser.parse_args()
    started = time.monotonic()
    r = asyncio.run(
        rush.main(
            argparse.Namespace(
                users=args.users,
                rate=100,
                seconds=args.seconds,
                concurrency=200,
                repeat=args.repeat,
                complete=False,
                active=20,
                warmup=3,
                nudges=True,
            )
        )
    )
    b = asyncio.run(broadcast.main(args.chats))
    rep = report.main(args.agencies)
    fol = follow.main(args.agencies)
    minutes = (time.monotonic() - started) / 60
    docx, xlsx, tonghop = rep["docx"], rep["xlsx"], rep["tonghop"]
    building = rep["while_building"]
    rows = [
        (
            "reply p99 of the measure steps at 100 updates/s",
            "≤ 50 ms",
            f"{r['measure_p99'] * 1e3:.0f} ms (p50 {r['measure_p50'] * 1e3:.0f}; all steps p99 "
            f"{r['fixed_p99'] * 1e3:.0f})",
            r["measure_p99"] <= 0.05,
        ),
        (
            "updates/s sustained on the wizard (saturation)",
            "≥ 400",
            f"{r['sat_rate']:.0f}",
            r["sat_rate"] >= 400,
        ),
        (
            "CPU per update vs the PTB echo floor, both at 100 updates/s",
            "≤ 1.0×",
            f"{r['fixed_ratio']:.2f}× (at saturation {r['ratio']:.2f}×)",
            r["fixed_ratio"] <= 1.0,
        ),
        (
            "reply p99 at 100 updates/s while a reminder goes to every agency",
            "≤ 100 ms",
            f"{r['cast_p99'] * 1e3:.0f} ms (p50 {r['cast_p50'] * 1e3:.0f}, "
            f"{r['cast_reminders']:.0f} reminders sent meanwhile)",
            r["cast_p99"] <= 0.1,
        ),
        (
            "reply p99 at 100 updates/s while the minute tick scans every agency for nudges",
            "≤ 100 ms",
            f"{r['nudge_p99'] * 1e3:.0f} ms (p50 {r['nudge_p50'] * 1e3:.0f}; last run)",
            r["nudge_p99"] <= 0.1,
        ),
        (
            "plans completed and submitted during the rush",
            "> 0",
            f"{r['completed_plans']:.0f}",
            r["completed_plans"] > 0,
        ),
        (
            "broadcast rate unpaced (BROADCAST_RATE=0), 429s",
            "≥ 27 msg/s, 0",
            f"{b['rate']:.1f} msg/s, {b['too_many']:.0f} ({b['sent']:.0f} chats)",
            b["rate"] >= 27 and b["too_many"] == 0,
        ),
        (
            f".docx of {args.agencies * 10:,} measures",
            "≤ 3 s, ≤ 200 MB",
            f"{docx['seconds']:.1f} s, {docx['peak_rss_mib']:.0f} MiB",
            docx["seconds"] <= 3 and docx["peak_rss_mib"] <= 200,
        ),
        (
            f".xlsx of {args.agencies * 10:,} measures",
            "≤ 3 s, ≤ 200 MB",
            f"{xlsx['seconds']:.1f} s, {xlsx['peak_rss_mib']:.0f} MiB",
            xlsx["seconds"] <= 3 and xlsx["peak_rss_mib"] <= 200,
        ),
        (
            "other people's reply p99 while /tonghop builds both",
            "≤ 200 ms",
            f"{building['p99'] * 1e3:.0f} ms (p50 {building['p50'] * 1e3:.0f}; both files in "
            f"{building['both_seconds']:.1f} s)",
            building["p99"] <= 0.2,
        ),
        (
            f"/tonghop for {args.agencies:,} agencies",
            "≤ 2 s, within limits",
            f"{tonghop['seconds']:.2f} s, {tonghop['messages']:.0f} message(s) ≤ "
            f"{tonghop['longest']:.0f} chars",
            tonghop["seconds"] <= 2 and tonghop["longest"] <= 4096,
        ),
        (
            f"start-up to first getUpdates ({args.users:,} agencies)",
            "≤ 0.6 s",
            f"{r['startup_s']:.2f} s",
            r["startup_s"] <= 0.6,
        ),
        *[
            (
                f"follow-through {name} ({args.agencies:,} agencies × 10 measures)",
                "≤ 3 s, ≤ 200 MB",
                f"{d['seconds']:.1f} s, {d['peak_rss_mib']:.0f} MiB",
                d["seconds"] <= 3 and d["peak_rss_mib"] <= 200,
            )
            for name, d in fol.items()
            if name != "nudges"
        ],
        *[
            (
                "nudges to every agency (BROADCAST_RATE 20), 429s",
                "all, at the paced rate, 0",
                f"{n['sent']:.0f} in {n['duration']:.0f} s, {n['rate']:.1f} msg/s, "
                f"{n['too_many']:.0f}",
                n["sent"] >= args.agencies and n["too_many"] == 0,
            )
            for n in ([fol["nudges"]] if "nudges" in fol else [])
        ],
    ]
    fsyncs = (
        f"{r['fixed_fsyncs']:.2f} at 100 updates/s and {r['sat_fsyncs']:.2f} at saturation "
        "(last run, under strace)"
        if r["fixed_fsyncs"] == r["fixed_fsyncs"]
        else "not counted (no strace here)"
    )
    lines = [
        f"Measured {machine()}; `bash bench/run_all` ({minutes:.1f} min).",
        f"Rush: {args.users:,} focal persons (20 at work at a time through whole plans, 3 s warm-up), "
        f"~{len(rush.SCRIPT)} updates each, {args.seconds:g} s "
        f"per phase, medians of {args.repeat} runs alternating with the echo floor; peak RSS "
        f"{r['rss_mib']:.0f} MiB, {r['cpu_per_1000']:.1f} CPU s per 1,000 updates, "
        f"saturation p50/p99 {r['sat_p50'] * 1e3:.0f}/{r['sat_p99'] * 1e3:.0f} ms; "
        f"fsyncs per update {fsyncs}; the driver and stand-in (their own process) used "
        f"{r['fixed_harness_cores']:.2f} core at 100 updates/s and "
        f"{r['sat_harness_cores']:.2f} at saturation.",
        "",
        "| target | goal | measured | |",
        "| --- | --- | --- | --- |",
        *[f"| {name} | {goal} | {got} | {mark(ok)} |" for name, goal, got, ok in rows],
    ]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
