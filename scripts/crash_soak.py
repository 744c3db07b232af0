"""Crash soak: SIGKILL the bot at random points of the scripted conversation, N times in all.

    python scripts/crash_soak.py --kills 1000     # about 30 minutes on 2 cores

Each run drives the conversation of tests/e2e/scenario.py against the Bot API stand-in, killing
the bot process at several random steps and restarting it, then checks that the stored plan equals
the one of an uninterrupted run. Prints progress and a final line; exits 1 on the first mismatch.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.e2e import scenario
from tests.e2e.conftest import tracebacks, world


async def main(kills: int, per_run: int, seed: int) -> int:
    rng = random.Random(seed)
    steps = len(scenario.steps("x", {"a1": 0, "a2": 0, "snv": 0, "stc": 0}))
    start = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        async with world(Path(tmp) / "calm", limits=False) as calm:
            code = await calm.invite("SNV")
            await calm.bot.start()
            await scenario.run(calm, code)
            expected = await scenario.snapshot(calm)
        done = run = 0
        while done < kills:
            run += 1
            points = set(rng.sample(range(steps), min(per_run, kills - done, steps)))
            async with world(Path(tmp) / f"run{run}", limits=False) as w:
                code = await w.invite("SNV")
                await w.bot.start()
                await scenario.run(w, code, points, rng)
                await scenario.settle(w)
                scenario.check_deliveries(*await scenario.deliveries(w))
                got = await scenario.snapshot(w)
                problems = tracebacks(w.log)
            done += len(points)
            if got != expected or problems:
                print(f"run {run}: MISMATCH after kills at {sorted(points)}")
                print(got, expected, problems, sep="\n")
                return 1
            print(
                f"run {run}: {done}/{kills} kills, plan identical ({time.monotonic() - start:.0f} s)"
            )
    print(
        f"{kills} kills, {run} runs: every confirmed answer stored exactly once, every committed "
        "reply delivered (at most twice), nothing uncommitted sent"
    )
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kills", type=int, default=1000)
    parser.add_argument("--per-run", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    sys.exit(asyncio.run(main(args.kills, args.per_run, args.seed)))
