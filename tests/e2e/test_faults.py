"""Re-delivered and out-of-order updates, 429 floods, 5xx, dropped connections, the API down."""

from __future__ import annotations

import asyncio

from bot.telegram.standin import Fault
from tests.e2e.conftest import E2E, FOCAL


async def _ready(e2e: E2E) -> None:
    code = await e2e.invite("SNV")
    await e2e.bot.start()
    await e2e.send(FOCAL, f"/start {code}")


async def _at_content_step(e2e: E2E) -> None:
    await _ready(e2e)
    await e2e.send(FOCAL, "/kehoach")
    await e2e.press_label(FOCAL, " 1. ")
    await e2e.press_label(FOCAL, "Thêm nhiệm vụ")


async def test_duplicate_and_out_of_order_deliveries(e2e: E2E) -> None:
    await _at_content_step(e2e)
    before = len(e2e.standin.sent_to(FOCAL))
    update_id = e2e.standin.push_text(FOCAL, "Giải pháp gửi hai lần", duplicate=True)
    await e2e.standin.wait_for(lambda: e2e.standin.confirmed(update_id))
    await e2e.settled()
    assert e2e.standin.delivered_ids.count(update_id) == 2  # the same update, twice
    replies = e2e.standin.sent_to(FOCAL)[before:]
    assert [m.text.split("\n")[-1] for m in replies] == [
        "Đơn vị chủ trì thực hiện? Anh/chị chọn một đơn vị, hoặc nhập tên đơn vị khác."
    ]  # handled once, answered once
    assert await e2e.rows("SELECT content FROM measures") == [("Giải pháp gửi hai lần",)]

    e2e.standin.shuffle = True  # a batch arrives out of order: handled in update order
    e2e.standin.random.seed(5)  # reverses a batch of three
    before = len(e2e.standin.sent_to(FOCAL))
    ids = [e2e.standin.push_text(FOCAL, t) for t in ("so tai chinh", "/huy", "/xem")]
    await e2e.standin.wait_for(lambda: all(e2e.standin.confirmed(u) for u in ids))
    await e2e.settled()
    assert e2e.standin.batches[-1] == [ids[2], ids[1], ids[0]]  # as the seed shuffles them
    replies = [m.text for m in e2e.standin.sent_to(FOCAL)[before:]]
    assert [r.split("\n")[0] for r in replies][:2] == [
        "<b>Nội dung 1 — nhiệm vụ, giải pháp 1.1</b>",  # lead unit stored, next question
        "Đã thoát bước đang nhập. Mọi nội dung anh/chị đã nhập vẫn được lưu.",
    ]
    assert replies[2].startswith("<b>KẾ HOẠCH KHẮC PHỤC HẠN CHẾ, KHUYẾT ĐIỂM</b>")
    assert await e2e.rows("SELECT lead_unit FROM measures") == [("Sở Tài chính",)]


async def test_flood_5xx_and_dropped_connections_still_deliver_once(e2e: E2E) -> None:
    await _ready(e2e)
    for fault in (
        Fault("sendMessage", times=3, status=429, retry_after=1),
        Fault("sendMessage", times=3, status=502),
        Fault("sendMessage", times=2, drop=True),
        Fault("sendMessage", times=1, delay=2.0),
    ):
        e2e.standin.faults.append(fault)
        before = len(e2e.standin.sent_to(FOCAL))
        await e2e.send(FOCAL, "/trogiup", within=60)
        got = [m for m in e2e.standin.sent_to(FOCAL)[before:] if "Các lệnh" in m.text]
        assert len(got) == 1, fault
    assert e2e.standin.too_many >= 3


async def test_bot_api_down_for_30_seconds(e2e: E2E) -> None:
    await _ready(e2e)
    e2e.standin.down(30)
    await asyncio.sleep(1)
    update_id = e2e.standin.push_text(FOCAL, "/trogiup")
    await e2e.standin.wait_for(lambda: e2e.standin.confirmed(update_id), 90, "recovery")
    await e2e.standin.wait_for(
        lambda: any("Các lệnh" in m.text for m in e2e.standin.sent_to(FOCAL)), 30
    )
    assert sum("Các lệnh" in m.text for m in e2e.standin.sent_to(FOCAL)) == 1
    assert not e2e.bot.exited
