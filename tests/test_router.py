"""The core's entry: one transaction per event, duplicates ignored within a bounded window, and
an unexpected error logged with its context and told to the person plainly."""

from __future__ import annotations

import logging

import pytest

from domain.model import Role
from handlers import consolidate, measure
from tests import builders
from tests.conftest import CONSOLIDATOR, FOCAL, Harness, button, text_of


async def _at_content_step(h: Harness) -> None:
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, " 1. "))
    await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))


async def test_an_error_in_a_step_is_logged_and_the_answer_not_saved(
    harness: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    await _at_content_step(h)

    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(measure, "_changed", broken)
    with caplog.at_level(logging.ERROR):
        calls = await h.feed(builders.text(FOCAL, h.bot, "Giải pháp sẽ lỗi", update_id=424242))
    text = text_of(calls)
    assert "đã có lỗi" in text and "CHƯA được lưu" in text
    assert await h.rows("SELECT count(*) FROM measures") == [(0,)]  # rolled back
    record = next(r for r in caplog.records if r.levelno == logging.ERROR)
    message = record.getMessage()
    assert "update 424242" in message and f"telegram:{FOCAL}" in message
    assert "at step m_content" in message and record.exc_info is not None
    # handled once: the same update again is not retried forever
    again = await h.feed(builders.text(FOCAL, h.bot, "Giải pháp sẽ lỗi", update_id=424242))
    assert again == []


async def test_an_error_behind_a_button_is_not_called_an_invalid_button(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)

    async def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("a bug, not a forged button")

    monkeypatch.setattr(consolidate, "show_page", broken)
    calls = await h.press(CONSOLIDATOR, "tcp:0")
    assert "đã có lỗi" in text_of(calls) and "không hợp lệ" not in text_of(calls)


async def test_update_ids_are_remembered_72_hours_then_forgotten(harness: Harness) -> None:
    """Telegram may choose update ids again after a week without updates: a remembered id must
    not make a genuinely new update be ignored."""
    h = harness
    await h.join(FOCAL, "SNV")
    first = await h.feed(builders.text(FOCAL, h.bot, "/trogiup", update_id=5000))
    assert "Các lệnh" in text_of(first)
    h.clock.advance(hours=71)
    await h.tick()
    assert await h.feed(builders.text(FOCAL, h.bot, "/trogiup", update_id=5000)) == []
    h.clock.advance(hours=2)  # 73 hours after: the housekeeping forgets it
    await h.tick()
    assert await h.rows("SELECT count(*) FROM processed_updates WHERE update_id = '5000'") == [(0,)]
    reused = await h.feed(builders.text(FOCAL, h.bot, "/trogiup", update_id=5000))
    assert "Các lệnh" in text_of(reused)


# -- batches (19): one transaction for the updates that arrive together, a savepoint each ------


async def test_updates_arriving_together_are_one_batch_and_one_failure_undoes_only_itself(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio

    h = harness
    await _at_content_step(h)
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    trips: list[int] = []
    batch = h.app.db.batch

    async def counted(items: list, *args: object) -> list:
        trips.append(len(items))
        return await batch(items, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(h.app.db, "batch", counted)
    real = measure._changed

    async def broken_once(ctx: object, *args: object, **kwargs: object) -> None:
        if "lỗi" in ctx.event.text:  # type: ignore[attr-defined]
            raise RuntimeError("disk on fire")
        await real(ctx, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(measure, "_changed", broken_once)
    events = [
        h.telegram.handle_update(builders.text(FOCAL, h.bot, "Giải pháp sẽ lỗi")),
        h.telegram.handle_update(builders.text(CONSOLIDATOR, h.bot, "/tonghop")),
        h.telegram.handle_update(builders.text(FOCAL, h.bot, "Rà soát quy chế phối hợp")),
    ]
    await asyncio.gather(*events)
    assert trips == [3]  # one trip to the database thread, one transaction
    await h.deliver()
    calls = h.api.take()
    to_focal = text_of([c for c in calls if c.params.get("chat_id") == FOCAL])
    assert "CHƯA được lưu" in to_focal  # the failed one was told
    assert await h.rows("SELECT content FROM measures") == [("Rà soát quy chế phối hợp",)]
    assert "TÌNH HÌNH TỔNG HỢP" in text_of(
        [c for c in calls if c.params.get("chat_id") == CONSOLIDATOR]
    )
    assert await h.rows("SELECT COUNT(*) FROM processed_updates") >= [(3,)]
