"""The report worker when its build process dies (18.7): a new one builds the job again; one
that keeps dying ends the bot rather than leaving it unable to make any document."""

from __future__ import annotations

import concurrent.futures
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pytest

from bot.reports import ReportWorkerDead
from domain.model import Role
from tests.conftest import CONSOLIDATOR, Harness, button, text_of


class Dying(concurrent.futures.Executor):
    """A pool whose process is gone ``times`` times (as after an OOM kill), then works."""

    def __init__(self, times: int) -> None:
        self.times = times
        self.real = concurrent.futures.ThreadPoolExecutor(1)

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        if self.times > 0:
            self.times -= 1
            raise BrokenProcessPool("A child process terminated abruptly")
        return self.real.submit(fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        pass  # the same stand-in is handed out again: it plays the new pool too


def _pool(h: Harness, pool: Dying) -> None:
    h.app.reports._executor = lambda: pool  # type: ignore[method-assign]


async def _ask_for_word(h: Harness) -> list:
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    calls = await h.send(CONSOLIDATOR, "/tonghop")
    return await h.press(CONSOLIDATOR, button(calls, "Word"))


async def test_a_build_process_that_died_once_is_replaced_and_the_file_arrives(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    _pool(h, Dying(times=1))
    calls = await _ask_for_word(h)
    (doc,) = [c for c in calls if c.method == "sendDocument"]
    assert doc.params["caption"].startswith("Kế hoạch tổng hợp")
    assert "Chưa tạo được" not in text_of(calls)
    assert await h.rows("SELECT attempts, done_at IS NOT NULL, failed_at FROM jobs") == [
        (2, 1, None)
    ]
    assert "the build process died during report 1 (1 in a row); starting a new one" in (
        caplog.text
    )
    assert h.app.reports.deaths == 0
    calls = await h.press(CONSOLIDATOR, button(await h.send(CONSOLIDATOR, "/tonghop"), "Excel"))
    assert [c for c in calls if c.method == "sendDocument"]  # and it keeps working


async def test_a_build_process_that_keeps_dying_ends_the_worker(harness: Harness) -> None:
    h = harness
    _pool(h, Dying(times=10))
    with pytest.raises(ReportWorkerDead, match="died 3 times in a row"):
        await _ask_for_word(h)
    assert await h.rows("SELECT attempts, failed_at IS NOT NULL FROM jobs") == [(3, 1)]
    assert await h.rows("SELECT COUNT(*) FROM outbox WHERE kind = 'notice'") == [(1,)]
