"""SIGKILL the bot at 20 points of a conversation: nothing confirmed is lost or doubled."""

from __future__ import annotations

import random
from pathlib import Path

from tests.e2e import scenario
from tests.e2e.conftest import tracebacks, world

KILLS = 20


async def test_kills_at_many_points_leave_the_same_plan(tmp_path: Path) -> None:
    async with world(tmp_path / "calm", limits=False) as calm:
        code = await calm.invite("SNV")
        await calm.bot.start()
        await scenario.run(calm, code)
        expected = await scenario.snapshot(calm)
    assert len(expected["measures"]) == 3 and [v for v, *_ in expected["submissions"]] == [1, 2]

    rng = random.Random(20260121)
    steps = len(scenario.steps("x", {"a1": 0, "a2": 0, "snv": 0, "stc": 0}))
    kill_at = set(rng.sample(range(steps), KILLS))
    async with world(tmp_path / "crashy", limits=False) as crashy:
        code = await crashy.invite("SNV")
        await crashy.bot.start()
        await scenario.run(crashy, code, kill_at, rng)
        got = await scenario.snapshot(crashy)
    assert got == expected
    assert not tracebacks(crashy.log)
