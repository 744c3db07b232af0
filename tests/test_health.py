"""/healthz, /readyz and /metrics: the operator's view of a running bot (MONITORING=true)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.heartbeats import Heartbeats
from tests.conftest import Clock, Harness, make_settings, start_harness, stop_harness


class Ticking:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def ops(tmp_path: Path, clock: Clock) -> AsyncIterator[tuple[Harness, str, Ticking]]:
    h = await start_harness(
        make_settings(tmp_path, monitoring=True, webhook_listen="127.0.0.1"),
        clock,
    )
    ticking = Ticking()
    h.app.heartbeats.clock = ticking
    assert h.app.web is not None
    h.app.web.port = 0  # any free port
    await h.app.web.start()
    try:
        yield h, f"http://127.0.0.1:{h.app.web.port}", ticking
    finally:
        await stop_harness(h)


async def get(url: str, **headers: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as r:
        body = await r.json() if r.content_type == "application/json" else await r.text()
        return r.status, body


def beat_all(h: Harness) -> None:
    for part in h.app.expected_parts():
        h.app.heartbeats.beat(part)


async def test_healthz_answers_while_the_process_runs(ops: tuple[Harness, str, Ticking]) -> None:
    _h, base, _ = ops
    assert await get(f"{base}/healthz") == (200, {"ok": True})


async def test_readyz_names_every_part_not_heard_from_in_the_last_minute(
    ops: tuple[Harness, str, Ticking],
) -> None:
    h, base, ticking = ops
    status, body = await get(f"{base}/readyz")
    assert status == 503 and not body["ok"]
    assert set(body["problems"]) == {"telegram sender", "telegram polling", "report worker"}
    beat_all(h)
    assert await get(f"{base}/readyz") == (200, {"ok": True, "problems": {}})
    ticking.now += 45
    h.app.heartbeats.beat("telegram sender")
    h.app.heartbeats.beat("report worker")
    ticking.now += 30  # polling silent for 75 s: the Bot API unreachable, say
    status, body = await get(f"{base}/readyz")
    assert status == 503
    assert body["problems"] == {"telegram polling": "not heard from in the last minute"}


async def test_readyz_says_when_the_database_cannot_be_written(
    ops: tuple[Harness, str, Ticking],
) -> None:
    h, base, _ = ops
    beat_all(h)
    other = sqlite3.connect(h.app.settings.database_path, timeout=0)
    other.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    try:
        status, body = await get(f"{base}/readyz")
    finally:
        other.rollback()
        other.close()
    assert status == 503 and list(body["problems"]) == ["database"]
    beat_all(h)
    await asyncio.sleep(0)
    assert (await get(f"{base}/readyz"))[0] == 200


async def test_the_operator_paths_are_not_served_through_the_proxy(
    ops: tuple[Harness, str, Ticking],
) -> None:
    h, base, _ = ops
    beat_all(h)
    for path in ("/healthz", "/readyz", "/metrics"):
        assert (await get(f"{base}{path}", **{"X-Forwarded-For": "203.0.113.9"}))[0] == 404
        assert (await get(f"{base}{path}", Forwarded="for=203.0.113.9"))[0] == 404


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_count_updates_sends_and_the_outbox(
    ops: tuple[Harness, str, Ticking],
) -> None:
    h, base, _ = ops
    await h.send(7001, "/start")  # a stranger: answered, sent
    await h.send(7001, "xin chào")
    status, text = await get(f"{base}/metrics")
    assert status == 200
    got = samples(text)
    assert got[("kehoach_updates_total", (("channel", "telegram"), ("outcome", "handled")))] == 2
    assert got[("kehoach_update_seconds_count", (("channel", "telegram"),))] == 2
    assert got[("kehoach_messages_sent_total", (("channel", "telegram"),))] >= 2
    assert got[("kehoach_reply_seconds_count", (("channel", "telegram"),))] >= 2
    assert got[("kehoach_dead_letters", ())] == 0
    assert ("kehoach_scheduler_ticks_total", ()) in got
    async with h.db.transaction() as tx:  # one queued, one dead letter
        await tx.outbox.add("telegram", "7001", 2, "reminder", '{"text": "x"}', h.clock())
        dead = await tx.outbox.add("telegram", "7002", 1, "notice", '{"text": "y"}', h.clock())
        await tx.outbox.fail(dead.id, h.clock(), "chat not found")
    got = samples((await get(f"{base}/metrics"))[1])
    assert got[("kehoach_outbox_messages", (("kind", "reminder"), ("state", "pending")))] == 1
    assert got[("kehoach_outbox_messages", (("kind", "notice"), ("state", "failed")))] == 1
    assert got[("kehoach_dead_letters", ())] == 1
    assert got[("kehoach_broadcast_pending", (("channel", "telegram"),))] == 1


def test_heartbeats_of_a_part_never_heard_from_are_silent() -> None:
    ticking = Ticking()
    beats = Heartbeats(ticking)
    assert beats.silent(["a"]) == ["a"]
    beats.beat("a")
    ticking.now += 60
    assert beats.silent(["a"]) == []
    ticking.now += 0.5
    assert beats.silent(["a"]) == ["a"]


async def test_the_health_command_is_the_containers_healthcheck(
    ops: tuple[Harness, str, Ticking],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.__main__ import main

    h, _base, _ = ops
    assert h.app.web is not None
    monkeypatch.setenv("MONITORING", "true")
    monkeypatch.setenv("WEBHOOK_PORT", str(h.app.web.port))
    monkeypatch.setenv("BOT_TOKEN", "123456:TEST-TOKEN")
    assert await asyncio.to_thread(main, ["health"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("not ready: ") and "telegram polling" in out
    beat_all(h)
    assert await asyncio.to_thread(main, ["health"]) == 0
    assert capsys.readouterr().out == "ready\n"
    monkeypatch.setenv("WEBHOOK_PORT", "9")  # nothing listens there
    assert await asyncio.to_thread(main, ["health"]) == 1
    assert "does not answer" in capsys.readouterr().out
    monkeypatch.setenv("MONITORING", "false")
    assert await asyncio.to_thread(main, ["health"]) == 2


async def test_readyz_says_when_a_sender_does_not_drain(
    ops: tuple[Harness, str, Ticking], clock: Clock
) -> None:
    h, base, _ = ops
    beat_all(h)
    async with h.db.transaction() as tx:
        await tx.outbox.add("telegram", "7001", 0, "reply", '{"text": "x"}', clock())
        await tx.outbox.add("telegram", "7002", 2, "reminder", '{"text": "y"}', clock())
    assert (await get(f"{base}/readyz"))[0] == 200  # due now: being sent
    clock.advance(minutes=6)
    beat_all(h)
    status, body = await get(f"{base}/readyz")
    assert status == 503  # the reply waits; the paced reminder is not counted
    assert body["problems"] == {
        "telegram sender": "not draining: 1 message(s) due over 5 minutes ago still unsent"
    }
