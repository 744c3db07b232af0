"""Bad input gets a clear Vietnamese reply and loses nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests import builders
from tests.conftest import (
    FOCAL,
    Clock,
    Harness,
    button,
    buttons_of,
    make_settings,
    start_harness,
    stop_harness,
    text_of,
)


async def _at_content_step(h: Harness) -> None:
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "1."))
    await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("   ", "Tin nhắn trống"),
        ("\u200b\u200b", "Tin nhắn trống"),
        ("x" * 2001, "Nội dung quá dài (2.001 ký tự; tối đa 2.000)"),
    ],
)
async def test_refused_text_keeps_the_step(harness: Harness, body: str, expected: str) -> None:
    h = harness
    await _at_content_step(h)
    calls = await h.send(FOCAL, body)
    assert expected in text_of(calls)
    assert await h.rows("SELECT count(*) FROM measures") == [(0,)]
    calls = await h.send(FOCAL, "Nội dung hợp lệ")
    assert "Đơn vị chủ trì" in text_of(calls)


@pytest.mark.parametrize(
    "body",
    [
        "<b>đậm</b> & <script>alert(1)</script>",
        "Giải pháp 🚀🇻🇳 số hóa",
        "'; DROP TABLE measures; --",
        "نص عربي من اليمين إلى اليسار",
        "*markdown* _x_ `code` [link](http://x)",
    ],
)
async def test_odd_text_is_stored_as_written_and_escaped(harness: Harness, body: str) -> None:
    h = harness
    await _at_content_step(h)
    calls = await h.send(FOCAL, body)
    assert "Đơn vị chủ trì" in text_of(calls)
    assert await h.rows("SELECT content FROM measures") == [(body,)]
    calls = await h.send(FOCAL, "/xem")
    view = text_of(calls)
    assert "<script>" not in view and "<b>đậm</b>" not in view


@pytest.mark.parametrize("make", [builders.sticker, builders.photo])
async def test_media_in_a_step_gets_a_reply_and_the_question_again(harness: Harness, make) -> None:
    h = harness
    await _at_content_step(h)
    calls = await h.feed(make(FOCAL, h.bot))
    text = text_of(calls)
    assert "Bot chỉ đọc được tin nhắn chữ" in text
    assert "nhập nhiệm vụ, giải pháp" in text


async def test_command_mid_step_then_resume(harness: Harness) -> None:
    h = harness
    await _at_content_step(h)
    calls = await h.send(FOCAL, "/xem")
    assert "KẾ HOẠCH KHẮC PHỤC" in text_of(calls)
    assert "đang nhập dở một bước" in text_of(calls)
    calls = await h.send(FOCAL, "/lenhla")
    assert "Lệnh không đúng" in text_of(calls)
    calls = await h.send(FOCAL, "Giải pháp sau lệnh")
    assert "Đơn vị chủ trì" in text_of(calls)
    calls = await h.send(FOCAL, "/huy")
    assert "vẫn được lưu" in text_of(calls)
    calls = await h.send(FOCAL, "chữ khi không ở bước nào")
    assert "chọn thao tác trên menu" in text_of(calls)
    assert await h.rows("SELECT content FROM measures") == [("Giải pháp sau lệnh",)]


async def test_timeline_words_get_one_question_and_wrong_dates_examples(harness: Harness) -> None:
    """#21.12: words a reader understands are never refused: kept as typed, and the completion
    date asked once, with likely dates; a date that cannot be (month 13, 31/2) is explained."""
    h = harness
    await _at_content_step(h)
    await h.send(FOCAL, "Giải pháp")
    calls = await h.press(FOCAL, button(await h.send(FOCAL, "Sở Nội vụ"), "Không có"))
    for bad, why in (("tháng 13/2026", "từ 1 đến 12"), ("31/2/2026", "không tồn tại")):
        calls = await h.send(FOCAL, bad)
        assert why in text_of(calls) and "quý II/2026" in text_of(calls)
    calls = await h.send(FOCAL, "Sau khi Trung ương ban hành hướng dẫn")
    text = text_of(calls)
    assert "Đã ghi nguyên văn «Sau khi Trung ương ban hành hướng dẫn»" in text
    assert "Chưa xác định" not in text and "nhập lại" not in text
    labels = [label for label, _ in buttons_of(calls)]
    assert labels[:2] == ["📅 Hết quý I/2026 (31/03/2026)", "📅 Hết năm 2026 (31/12/2026)"]
    assert await h.rows("SELECT timeline FROM measures") == [(None,)]  # nothing stored yet
    calls = await h.send(FOCAL, "31/2/2026")  # the date asked, but one that does not exist
    assert "không tồn tại" in text_of(calls)
    assert "Đã ghi nguyên văn «Sau khi Trung ương ban hành hướng dẫn»" in text_of(calls)
    calls = await h.send(FOCAL, "chậm nhất 15/12/2026")
    assert "Hạn hoàn thành: 15/12/2026" in text_of(calls)
    assert "Kết quả, sản phẩm" in text_of(calls) or "Sản phẩm" in text_of(calls)  # next step
    assert await h.rows("SELECT timeline, due_date, recurring FROM measures") == [
        ("Sau khi Trung ương ban hành hướng dẫn", "2026-12-15", 0)
    ]


async def test_the_date_question_survives_a_restart_and_a_likely_date_is_one_tap(
    tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(tmp_path)
    h = await start_harness(settings, clock)
    await _at_content_step(h)
    await h.send(FOCAL, "Giải pháp")
    await h.press(FOCAL, button(await h.send(FOCAL, "Sở Nội vụ"), "Không có"))
    await h.send(FOCAL, "Thường xuyên, sau khi có hướng dẫn của Bộ Nội vụ")
    await stop_harness(h)
    h = await start_harness(settings, clock)
    try:
        calls = await h.send(FOCAL, "/xem")  # a command mid-step: the same question after it
        assert "Đã ghi nguyên văn «Thường xuyên, sau khi có hướng dẫn" in text_of(calls)
        calls = await h.press(FOCAL, button(calls, "Hết năm 2026"))
        assert "Hạn hoàn thành: 31/12/2026; Thực hiện thường xuyên" in text_of(calls)
        assert await h.rows("SELECT timeline, due_date, recurring FROM measures") == [
            ("Thường xuyên, sau khi có hướng dẫn của Bộ Nội vụ", "2026-12-31", 1)
        ]
        calls = await h.press(FOCAL, "kd:1:20261231")  # the question is over: a stale button
        assert "bước đã xong" in text_of(calls)
    finally:
        await stop_harness(h)


async def test_edited_message_and_group_chat(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    calls = await h.feed(builders.edited(FOCAL, h.bot, "sửa"))
    assert "Tin nhắn đã sửa không được ghi nhận" in text_of(calls)
    calls = await h.feed(builders.text(FOCAL, h.bot, "/kehoach", chat="group"))
    assert "nhắn riêng cho bot" in text_of(calls)
    calls = await h.feed(builders.text(FOCAL, h.bot, "chào cả nhóm", chat="group"))
    assert calls == []


async def test_long_plan_is_split_under_the_limit(harness: Harness) -> None:
    h = harness
    await _at_content_step(h)
    for i in range(4):
        calls = await h.send(FOCAL, f"Giải pháp {i} " + "rất dài & chi tiết " * 100)
        calls = await h.press(FOCAL, button(calls, "⭐"))
        calls = await h.press(FOCAL, button(calls, "Không có"))
        calls = await h.send(FOCAL, "năm 2026")
        calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
        calls = await h.press(FOCAL, button(calls, "Xong"))
        calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "/huy")
    calls = await h.send(FOCAL, "/xem")
    sent = [c.text for c in calls if c.method == "sendMessage"]
    assert len(sent) >= 3 and h.api.refused == []  # Telegram would have taken each one
    for chunk in sent[1:]:  # cut between measures, never inside one
        assert re.match(r"<b>\d\.\d\.</b> Giải pháp \d", chunk) or chunk.startswith("━"), chunk[:60]
    for chunk in sent:
        assert chunk.count("Đơn vị chủ trì:") == chunk.count("Giải pháp ")  # whole measures


# -- every bad input at every step of the wizard: a clear reply, and nothing changes ------------

STEPS = ("objective", "m_content", "m_lead", "m_partners", "m_timeline", "m_output")


async def _at(h: Harness, step: str) -> None:
    """The focal person on ``step``, with one measure already answered (so there is something
    stored to keep)."""
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/kehoach")
    item = button(calls, " 1. ")
    calls = await h.press(FOCAL, item)
    calls = await h.press(FOCAL, button(calls, "Nhập mục tiêu"))
    calls = await h.send(FOCAL, "Mục tiêu đã lưu")
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "Giải pháp đã lưu")
    calls = await h.press(FOCAL, button(calls, "⭐"))
    calls = await h.press(FOCAL, button(calls, "Sở Tài chính"))
    calls = await h.press(FOCAL, button(calls, "Xong"))
    calls = await h.send(FOCAL, "quý II/2026")
    calls = await h.send(FOCAL, "Báo cáo đã lưu")
    ((mid,),) = await h.rows("SELECT id FROM measures")
    ((aid,),) = await h.rows("SELECT assignment_id FROM measures")
    if step == "objective":
        await h.press(FOCAL, f"obj:{aid}")
    elif step == "m_content":
        await h.press(FOCAL, f"mf:{mid}:c")
    else:
        await h.press(
            FOCAL,
            f"mf:{mid}:{ {'m_lead': 'l', 'm_partners': 'p', 'm_timeline': 't', 'm_output': 'o'}[step] }",
        )


async def _stored(h: Harness) -> list:
    return [
        await h.rows("SELECT objective FROM assignments WHERE objective IS NOT NULL"),
        await h.rows(
            "SELECT content, lead_unit, partners, timeline, due_date, output, deleted_at"
            " FROM measures"
        ),
        await h.rows("SELECT step, measure_id, pending FROM conversations"),
        await h.rows("SELECT revision, submitted_revision FROM plans WHERE revision > 0"),
    ]


BAD_INPUTS = [
    ("spaces", lambda h: builders.text(FOCAL, h.bot, "   \n  "), "trống"),
    ("invisible", lambda h: builders.text(FOCAL, h.bot, "\u200b\u2060\ufeff"), "trống"),
    ("overlong", lambda h: builders.text(FOCAL, h.bot, "dài " * 1500), "dài"),
    ("sticker", lambda h: builders.sticker(FOCAL, h.bot), "chỉ đọc được tin nhắn chữ"),
    ("photo", lambda h: builders.photo(FOCAL, h.bot), "chỉ đọc được tin nhắn chữ"),
    ("edited", lambda h: builders.edited(FOCAL, h.bot, "sửa"), "Tin nhắn đã sửa"),
    ("unknown command", lambda h: builders.text(FOCAL, h.bot, "/xoahet"), "Lệnh không đúng"),
    ("help mid-step", lambda h: builders.text(FOCAL, h.bot, "/trogiup"), "Các lệnh"),
    ("view mid-step", lambda h: builders.text(FOCAL, h.bot, "/xem"), "KẾ HOẠCH KHẮC PHỤC"),
    ("forged button", lambda h: builders.press(FOCAL, h.bot, "m:999999"), "không hợp lệ"),
    ("junk button", lambda h: builders.press(FOCAL, h.bot, "x" * 64), "không hợp lệ"),
    (
        "group message",
        lambda h: builders.text(FOCAL, h.bot, "/kehoach", chat="group"),
        "nhắn riêng",
    ),
]


@pytest.mark.parametrize("step", STEPS)
async def test_every_bad_input_at_every_step_keeps_the_step_and_the_answer(
    harness: Harness, step: str
) -> None:
    h = harness
    await _at(h, step)
    before = await _stored(h)
    assert before[2][0][0] == step
    for name, make, expected in BAD_INPUTS:
        calls = await h.feed(make(h))
        assert expected in text_of(calls), (step, name, text_of(calls))
        assert await _stored(h) == before, (step, name)  # nothing stored, nothing moved
    # and the step still takes its answer
    answer = {"m_timeline": "quý III/2026", "m_partners": "UBND các xã"}.get(
        step, "Câu trả lời mới"
    )
    calls = await h.send(FOCAL, answer)
    assert await _stored(h) != before, step


# -- unit names: the campaign's spelling, or a question before anything is stored ---------------


async def _at_lead_step(h: Harness) -> list:
    await _at_content_step(h)
    calls = await h.send(FOCAL, "Rà soát quy chế")
    assert "Đơn vị chủ trì" in text_of(calls)
    return calls


async def _lead(h: Harness) -> list:
    return await h.rows("SELECT lead_unit FROM measures")


async def test_a_lead_typed_without_diacritics_is_stored_as_the_agency_is_spelled(
    harness: Harness,
) -> None:
    h = harness
    await _at_lead_step(h)
    calls = await h.send(FOCAL, "so tai chinh")
    assert "Đơn vị phối hợp" in text_of(calls)  # no question: straight to the next step
    assert await _lead(h) == [("Sở Tài chính",)]


async def test_a_timeline_typed_as_the_lead_is_questioned_and_not_stored(harness: Harness) -> None:
    h = harness
    await _at_lead_step(h)
    calls = await h.send(FOCAL, "quý II/2026 và thường xuyên")
    assert "«quý II/2026 và thường xuyên» giống một mốc thời gian" in text_of(calls)
    assert await _lead(h) == [(None,)]
    assert await h.rows("SELECT step, pending FROM conversations") == [
        ("m_lead", "quý II/2026 và thường xuyên")
    ]
    calls = await h.send(FOCAL, "Sở Nội vụ")  # typed again: the question is over
    assert "Đơn vị phối hợp" in text_of(calls)
    assert await _lead(h) == [("Sở Nội vụ",)]
    assert await h.rows("SELECT step, pending FROM conversations") == [("m_partners", None)]


async def test_a_slip_in_the_lead_offers_the_agency_it_meant(harness: Harness) -> None:
    h = harness
    await _at_lead_step(h)
    calls = await h.send(FOCAL, "So tai chin")
    assert "«So tai chin» không có trong danh sách cơ quan" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "👉 Sở Tài chính"))
    assert "Đơn vị phối hợp" in text_of(calls)
    assert await _lead(h) == [("Sở Tài chính",)]


async def test_a_unit_outside_the_list_is_kept_once_confirmed_and_known_afterwards(
    harness: Harness,
) -> None:
    h = harness
    calls = await _at_lead_step(h)
    calls = await h.send(FOCAL, "UBND các xã, phường")
    assert "Giữ nguyên như đã nhập (đơn vị ngoài danh sách)" in text_of(calls)
    assert not [label for label, _ in buttons_of(calls) if label.startswith("👉")]
    keep = button(calls, "Giữ «UBND các xã, phường»")
    calls = await h.press(FOCAL, keep)
    assert "Đơn vị phối hợp" in text_of(calls)
    assert await _lead(h) == [("UBND các xã, phường",)]
    calls = await h.press(FOCAL, keep)  # the old button, pressed again
    assert "bước đã xong" in text_of(calls)
    # the plan now uses that name: typed again in another spelling, it is known at once
    ((mid,),) = await h.rows("SELECT id FROM measures")
    await h.press(FOCAL, f"mf:{mid}:l")
    calls = await h.send(FOCAL, "ubnd cac xa, phuong")
    assert "không có trong danh sách" not in text_of(calls)
    assert await _lead(h) == [("UBND các xã, phường",)]


async def test_coordinating_units_known_are_added_at_once_unknown_ones_are_asked(
    harness: Harness,
) -> None:
    h = harness
    await _at_lead_step(h)
    calls = await h.send(FOCAL, "Sở Nội vụ")
    assert "Đơn vị phối hợp" in text_of(calls)
    calls = await h.send(FOCAL, "so y te; Phong Canh sat kinh te")
    assert "«Phong Canh sat kinh te» không có trong danh sách" in text_of(calls)
    partners = "SELECT partners FROM measures"
    assert await h.rows(partners) == [('["Sở Y tế"]',)]  # the known one is saved at once
    calls = await h.press(FOCAL, button(calls, "Giữ «Phong Canh sat kinh te»"))
    assert await h.rows(partners) == [('["Sở Y tế", "Phong Canh sat kinh te"]',)]
    assert "☑️ Sở Y tế" in [label for label, _ in buttons_of(calls)]
    # a slip: the suggested agency replaces the typed name
    calls = await h.send(FOCAL, "So Xay dun")
    calls = await h.press(FOCAL, button(calls, "👉 Sở Xây dựng"))
    assert await h.rows(partners) == [('["Sở Y tế", "Phong Canh sat kinh te", "Sở Xây dựng"]',)]
    # several unknown names: one question, one keep
    calls = await h.send(FOCAL, "Đơn vị A; Đơn vị B")
    assert "Các tên sau không có trong danh sách" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Giữ nguyên như đã nhập"))
    ((stored,),) = await h.rows(partners)
    assert stored.endswith('"Đơn vị A", "Đơn vị B"]')
