"""Updates of the wrong shape, well signed (18.11): dropped at the edge of each channel, counted
and logged once a minute; nothing stored, nothing raised (so a webhook never answers 500 and the
platform does not send them again forever)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from bot.telegram.channel import malformed
from bot.zalo.channel import Malformed, ZaloChannel, to_event
from bot.zalo.client import ZaloClient
from tests.conftest import Harness
from tests.core import CoreHarness


def _tg(**message: Any) -> dict[str, Any]:
    base = {
        "message_id": 1,
        "date": 0,
        "chat": {"id": 42, "type": "private"},
        "from": {"id": 42, "is_bot": False, "first_name": "An"},
        "text": "xin chào",
    }
    return {"update_id": 7, "message": {**base, **message}}


@pytest.mark.parametrize(
    ("update", "why"),
    [
        ({"message": _tg()["message"]}, "update_id"),
        ({"update_id": "7"}, "update_id"),
        ({"update_id": True}, "update_id"),
        ({"update_id": 7, "message": "hello"}, "message is not an object"),
        (_tg(text=12345), "message.text is not a string"),
        (_tg(**{"from": {"id": "abc", "is_bot": False}}), "message.from.id"),
        (_tg(chat={"id": 1.5}), "message.chat.id"),
        ({"update_id": 7, "callback_query": {"id": 1}}, "callback_query.id"),
        ({"update_id": 7, "callback_query": {"id": "q", "from": {"id": 1}, "data": 3}}, "data"),
        ({"update_id": 7, "edited_message": []}, "edited_message is not an object"),
    ],
)
def test_telegram_shapes_are_named(update: dict[str, Any], why: str) -> None:
    problem = malformed(update)
    assert problem is not None and why in problem


def test_a_good_telegram_update_passes() -> None:
    assert malformed(_tg()) is None
    assert malformed({"update_id": 8, "my_chat_member": {"whatever": 1}}) is None


async def test_telegram_drops_them_counted_and_stores_nothing(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    h = harness
    caplog.set_level(logging.WARNING)
    for update in (_tg(text=1), _tg(**{"from": {"id": "abc"}}), {"update_id": -1}, {"x": 1}):
        await h.telegram.handle_update(update)  # never raises
    assert h.telegram.malformed.counts["update"] == 4
    lines = [r.getMessage() for r in caplog.records if "wrong shape" in r.getMessage()]
    assert len(lines) == 1  # once a minute
    assert await h.rows("SELECT COUNT(*) FROM users") == [(0,)]
    assert await h.rows("SELECT COUNT(*) FROM outbox") == [(0,)]


def _zalo(**message: Any) -> dict[str, Any]:
    base = {
        "message_id": "m1",
        "from": {"id": "u1", "display_name": "An"},
        "chat": {"id": "u1", "chat_type": "PRIVATE"},
        "text": "xin chào",
    }
    return {"event_name": "message.text.received", "message": {**base, **message}}


@pytest.mark.parametrize(
    ("update", "why"),
    [
        ({"event_name": "message.text.received", "message": "hello"}, "message is not"),
        (_zalo(text=12345), "message.text"),
        (_zalo(**{"from": {"id": ["u1"]}}), "message.from.id"),
        (_zalo(**{"from": {"id": "u1\n; DROP"}}), "message.from.id"),
        (_zalo(**{"from": "u1"}), "message.from"),
        (_zalo(message_id={"x": 1}), "message_id"),
        ({"event_name": 5, "message": {}}, "event_name"),
    ],
)
def test_zalo_shapes_are_refused(update: dict[str, Any], why: str) -> None:
    with pytest.raises(Malformed, match=why.replace(".", r"\.")):
        to_event(update)


async def test_zalo_drops_them_and_stores_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import datetime as dt

    from tests.conftest import VN, Clock

    caplog.set_level(logging.WARNING)
    h = await CoreHarness.open(tmp_path, Clock(dt.datetime(2026, 1, 15, 9, tzinfo=VN)), "zalo")
    try:
        zalo = ZaloChannel(
            ZaloClient("1:zalo-secret", "http://127.0.0.1:9/bot"), h.core, links=None
        )
        for update in (_zalo(text=1), _zalo(**{"from": {"id": 3.5}}), {"message": 7}):
            await zalo.handle_update(update)
        assert zalo.malformed.counts["update"] == 3
        async with h.db.read() as tx:
            assert await tx.users.get("zalo", "u1") is None
        await zalo.handle_update(_zalo())  # and a good one is taken
        async with h.db.read() as tx:
            assert await tx.users.get("zalo", "u1") is not None
    finally:
        await h.close()
