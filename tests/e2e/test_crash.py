"""SIGKILL the bot at many points of a conversation: nothing committed is lost or doubled, and
the person receives every committed reply once — at most twice when the kill falls between a
send and its record — and never anything that was not committed."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from tests.e2e import scenario
from tests.e2e.conftest import E2E, tracebacks, world

KILLS = 20


async def _calm(folder: Path) -> dict:
    async with world(folder, limits=False) as calm:
        code = await calm.invite("SNV")
        await calm.bot.start()
        await scenario.run(calm, code)
        await scenario.settle(calm)
        expected, got = await scenario.deliveries(calm)
        assert got == expected  # without crashes: every reply exactly once
        return await scenario.snapshot(calm)


async def _crashy(folder: Path, code_at: str | None, kill_at: set[int]) -> tuple[dict, E2E]:
    env = {"KEHOACH_CRASH_AT": code_at} if code_at else {}
    async with world(folder, limits=False, **env) as w:
        code = await w.invite("SNV")
        await w.bot.start()
        await scenario.run(w, code, kill_at, random.Random(20260121))
        await scenario.settle(w)
        expected, got = await scenario.deliveries(w)
        scenario.check_deliveries(expected, got)
        snap = await scenario.snapshot(w)
    assert not tracebacks(w.log)
    return snap, w


async def test_kills_at_many_points_leave_the_same_plan(tmp_path: Path) -> None:
    expected = await _calm(tmp_path / "calm")
    assert len(expected["measures"]) == 3 and [v for v, *_ in expected["submissions"]] == [1, 2]
    rng = random.Random(20260121)
    steps = len(scenario.steps("x", {"a1": 0, "a2": 0, "snv": 0, "stc": 0}))
    got, _w = await _crashy(tmp_path / "crashy", None, set(rng.sample(range(steps), KILLS)))
    assert got == expected


@pytest.mark.parametrize(
    "point",
    [
        "before_commit:9",  # the answer and its reply are not committed: the update comes again
        "after_commit:14",  # committed, nothing sent yet: sent after the restart
        "after_send:6",  # sent, not yet recorded as sent: sent again (at most twice)
        "after_commit:40",
        "after_send:21",
    ],
)
async def test_kill_before_commit_after_commit_and_after_send(tmp_path: Path, point: str) -> None:
    expected = await _calm(tmp_path / "calm")
    got, w = await _crashy(tmp_path / "crashy", point, set())
    assert got == expected
    assert "KEHOACH_CRASH_AT" not in w.bot.env  # it did crash, and was restarted
