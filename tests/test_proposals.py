"""Proposals (kiến nghị) from a commune: filed, routed by the consolidator, answered by the
department, the commune told — driven update by update (handlers.proposals, domain.proposals)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.settings import BUNDLED_CAMPAIGN
from domain.model import Role
from tests import builders
from tests.conftest import (
    CONSOLIDATOR,
    FOCAL,
    FOCAL2,
    Clock,
    Harness,
    button,
    buttons_of,
    make_settings,
    start_harness,
    stop_harness,
    text_of,
)

TEMPLATE = BUNDLED_CAMPAIGN.with_name("xa-phuong-mau.toml")
OTHER_COMMUNE = 1003


@pytest.fixture
async def h(tmp_path: Path, clock: Clock) -> AsyncIterator[Harness]:
    harness = await start_harness(make_settings(tmp_path, campaign_file=TEMPLATE), clock)
    await harness.join(CONSOLIDATOR, "SNV", Role.CONSOLIDATOR)
    await harness.join(FOCAL, "XA_MAU_01")  # a commune
    await harness.join(FOCAL2, "SKHCN")  # the department that answers
    await harness.join(OTHER_COMMUNE, "XA_MAU_02")
    try:
        yield harness
    finally:
        await stop_harness(harness)


def to(calls: list, uid: int) -> str:
    return text_of([c for c in calls if c.params.get("chat_id") == uid])


async def _file(h: Harness) -> list:
    calls = await h.send(FOCAL, "/kiennghi")
    assert "Xã mẫu 01 (mẫu, thay bằng danh sách thật) chưa gửi kiến nghị nào." in to(calls, FOCAL)
    calls = await h.press(FOCAL, button(calls, "Kiến nghị mới"))
    assert "Thuộc lĩnh vực nào?" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Chuyển đổi số"))
    assert "Lĩnh vực: Chuyển đổi số. Anh/chị nhập nội dung kiến nghị" in text_of(calls)
    calls = await h.send(FOCAL, "Đề nghị hỗ trợ thiết bị họp trực tuyến đến thôn")
    assert "Đề nghị đơn vị nào trả lời?" in text_of(calls)
    labels = [label for label, _ in buttons_of(calls)]
    assert "Sở Khoa học và Công nghệ" in labels and "Sở Nội vụ" in labels
    assert not [x for x in labels if "Xã mẫu" in x or "Phường mẫu" in x]  # departments only
    calls = await h.press(FOCAL, button(calls, "Sở Khoa học và Công nghệ"))
    text = text_of(calls)  # #21.6: the filer checks the proposal before it is sent
    assert "Anh/chị vui lòng kiểm tra kiến nghị trước khi gửi:" in text
    assert "Nội dung: Đề nghị hỗ trợ thiết bị họp trực tuyến đến thôn" in text
    assert "Đề nghị đơn vị: Sở Khoa học và Công nghệ" in text
    assert await h.rows("SELECT number FROM proposals") == [(None,)]  # not sent yet
    return await h.press(FOCAL, button(calls, "Gửi kiến nghị"))


async def test_filed_routed_answered_and_the_commune_told(h: Harness) -> None:
    calls = await _file(h)
    assert "✅ Đã gửi kiến nghị số 1" in to(calls, FOCAL)
    told = to(calls, CONSOLIDATOR)
    assert "📨 <b>Kiến nghị số 1</b> — Xã mẫu 01" in told
    assert "Đề nghị đơn vị: Sở Khoa học và Công nghệ" in told
    assert await h.rows("SELECT number, field, responsible_agency_id FROM proposals") == [
        (1, "Chuyển đổi số", None)
    ]

    calls = await h.press(CONSOLIDATOR, button(calls, "Giao Sở Khoa học và Công nghệ"))
    assert "✅ Đã giao kiến nghị số 1 cho Sở Khoa học và Công nghệ; hạn trả lời 30/01/2026" in (
        to(calls, CONSOLIDATOR)
    )
    assert "được giao trả lời kiến nghị số 1, hạn 30/01/2026" in to(calls, FOCAL2)
    assert "Kiến nghị số 1 của đơn vị đã được giao cho Sở Khoa học và Công nghệ" in to(calls, FOCAL)
    assert to(calls, OTHER_COMMUNE) == ""
    answer = button(calls, "Đang xử lý")

    text = to(await h.send(CONSOLIDATOR, "/tonghop"), CONSOLIDATOR)
    assert (
        "<b>Kiến nghị:</b> 1 · chờ giao 0 · chờ trả lời 1 · đã trả lời 0 · quá hạn trả lời 0"
        in text
    )
    assert "Theo lĩnh vực (đã trả lời/tổng): Chuyển đổi số 0/1" in text

    h.clock.advance(days=18)  # 02/02/2026: the answer is 3 days late
    text = to(await h.send(CONSOLIDATOR, "/tonghop"), CONSOLIDATOR)
    assert "quá hạn trả lời 1" in text and "Sở Khoa học và Công nghệ 0/1 (⏰ 1)" in text
    assert (
        "⏰ Số 1 Xã mẫu 01 (mẫu, thay bằng danh sách thật) → Sở Khoa học và Công nghệ: quá hạn 3 ngày"
        in text
    )

    calls = await h.press(FOCAL2, answer)
    assert "Kiến nghị số 1: Đang xử lý. Anh/chị nhập nội dung trả lời." in text_of(calls)
    calls = await h.send(FOCAL2, "Đã đưa vào kế hoạch mua sắm năm 2026")
    assert "Dự kiến hoàn thành khi nào?" in text_of(calls)
    calls = await h.send(FOCAL2, "30/12/2025")
    assert "thời điểm sắp tới" in text_of(calls)
    calls = await h.send(FOCAL2, "quý II/2026")
    assert "✅ Đã lưu và gửi trả lời kiến nghị số 1" in to(calls, FOCAL2)
    told = to(calls, FOCAL)
    assert "📬 Sở Khoa học và Công nghệ đã trả lời kiến nghị số 1:" in told
    assert "Trả lời: Đã đưa vào kế hoạch mua sắm năm 2026" in told
    assert "Dự kiến hoàn thành: quý II/2026 (30/06/2026)" in told
    assert "đã trả lời kiến nghị số 1" in to(calls, CONSOLIDATOR)
    assert await h.rows("SELECT answer, answer_text, expected FROM proposals") == [
        ("in_progress", "Đã đưa vào kế hoạch mua sắm năm 2026", "2026-06-30")
    ]
    text = to(await h.send(CONSOLIDATOR, "/tonghop"), CONSOLIDATOR)
    assert "đã trả lời 1 · quá hạn trả lời 0" in text


async def test_only_the_parties_may_see_route_or_answer(h: Harness) -> None:
    calls = await _file(h)
    ((pid,),) = await h.rows("SELECT id FROM proposals")
    for uid, data in (
        (OTHER_COMMUNE, f"kno:{pid}"),  # another commune cannot read it
        (FOCAL, f"knr:{pid}:1"),  # the proposer cannot route it
        (FOCAL2, f"kny:{pid}:r"),  # not routed to SKHCN yet: nothing to answer
        (FOCAL, f"kna:{pid}:1"),  # filed already: not filed twice
        (FOCAL, f"kns:{pid}"),  # nor sent twice
        (FOCAL, "knf:99"),  # no such field
    ):
        calls = await h.press(uid, data)
        assert "không hợp lệ" in text_of(calls) or "đã được gửi" in text_of(calls), (uid, data)
    assert await h.rows("SELECT number, responsible_agency_id, answer FROM proposals") == [
        (1, None, None)
    ]


async def test_overdue_is_counted_in_the_provinces_time_zone(h: Harness) -> None:
    calls = await _file(h)
    await h.press(CONSOLIDATOR, button(calls, "Giao Sở Khoa học và Công nghệ"))  # due 30/01/2026
    h.clock.at = dt.datetime(2026, 1, 30, 16, 30, tzinfo=dt.UTC)  # 23:30 on the 30th in Hà Nội
    assert "quá hạn trả lời 0" in to(await h.send(CONSOLIDATOR, "/tonghop"), CONSOLIDATOR)
    h.clock.at = dt.datetime(2026, 1, 30, 17, 30, tzinfo=dt.UTC)  # 00:30 on the 31st
    text = to(await h.send(CONSOLIDATOR, "/tonghop"), CONSOLIDATOR)
    assert "quá hạn trả lời 1" in text and "quá hạn 1 ngày" in text


async def test_a_draft_survives_a_restart_and_the_department_may_be_left_open(
    tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(tmp_path, campaign_file=TEMPLATE)
    h = await start_harness(settings, clock)
    await h.join(CONSOLIDATOR, "SNV", Role.CONSOLIDATOR)
    await h.join(FOCAL, "XA_MAU_01")
    calls = await h.send(FOCAL, "/kiennghi")
    calls = await h.press(FOCAL, button(calls, "Kiến nghị mới"))
    calls = await h.press(FOCAL, button(calls, "Biên chế"))
    await stop_harness(h)  # the draft and the step are in the database

    h = await start_harness(settings, clock)
    try:
        calls = await h.send(FOCAL, "🙏")  # only an emoji: it would vanish from the documents
        assert "Anh/chị vui lòng ghi bằng lời văn" in text_of(calls)
        assert "Anh/chị nhập nội dung kiến nghị" in text_of(calls)  # the question again
        assert await h.rows("SELECT content FROM proposals") == [(None,)]
        calls = await h.send(FOCAL, "Đề nghị bổ sung biên chế cho xã")
        assert "Đề nghị đơn vị nào trả lời?" in text_of(calls)
        calls = await h.press(FOCAL, button(calls, "Chưa rõ"))
        assert "Đề nghị đơn vị: cơ quan tổng hợp quyết định" in text_of(calls)
        calls = await h.press(FOCAL, button(calls, "Gửi kiến nghị"))
        assert "✅ Đã gửi kiến nghị số 1" in text_of(calls)
        told = to(calls, CONSOLIDATOR)
        assert "Đề nghị đơn vị: cơ quan tổng hợp quyết định" in told
        labels = [
            label
            for label, _ in buttons_of(
                [c for c in calls if c.params.get("chat_id") == CONSOLIDATOR]
            )
        ]
        assert labels == ["🏛 Giao đơn vị"]  # #21.6: nobody asked, so not "another" department
    finally:
        await stop_harness(h)


async def test_filed_from_the_period_report_keeps_its_period(harness: Harness) -> None:
    from tests.helpers import fill_item, submit

    h = harness  # the bundled campaign: departments file too
    await h.join(FOCAL, "SNV")
    await fill_item(h, FOCAL, 1, "Mục tiêu", [("Giải pháp", "quý II/2026")])
    await fill_item(h, FOCAL, 2, "Mục tiêu 2", [("Giải pháp 2", "quý III/2026")])
    await submit(h, FOCAL)
    calls = await h.send(FOCAL, "/tiendo")
    calls = await h.press(FOCAL, button(calls, "Kiến nghị, đề xuất"))
    calls = await h.press(FOCAL, button(calls, "Thủ tục hành chính"))
    calls = await h.send(FOCAL, "Đề nghị hướng dẫn liên thông dữ liệu")
    calls = await h.press(FOCAL, button(calls, "Sở Khoa học và Công nghệ"))
    calls = await h.press(FOCAL, button(calls, "Gửi kiến nghị"))
    assert "✅ Đã gửi kiến nghị số 1" in text_of(calls)
    assert await h.rows("SELECT period, field FROM proposals") == [
        ("2026-Q1", "Thủ tục hành chính")
    ]


async def test_the_proposals_spreadsheet_by_field_and_by_department(h: Harness) -> None:
    import io

    from openpyxl import load_workbook

    calls = await _file(h)  # no. 1: Chuyển đổi số, asks SKHCN
    await h.press(CONSOLIDATOR, button(calls, "Giao Sở Khoa học và Công nghệ"))
    calls = await h.send(FOCAL, "/kiennghi")
    calls = await h.press(FOCAL, button(calls, "Kiến nghị mới"))
    calls = await h.press(FOCAL, button(calls, "Vận hành chính quyền"))
    calls = await h.send(FOCAL, "Đề nghị sổ tay hướng dẫn phân cấp")
    calls = await h.press(FOCAL, button(calls, "Sở Nội vụ"))
    await h.press(FOCAL, button(calls, "Gửi kiến nghị"))  # no. 2, waiting to be routed
    ((pid,),) = await h.rows("SELECT id FROM proposals WHERE number = 1")
    await h.press(FOCAL2, f"kny:{pid}:r")
    await h.send(FOCAL2, "Đã cấp 12 bộ thiết bị")

    calls = await h.send(CONSOLIDATOR, "/tonghop")
    calls = await h.press(CONSOLIDATOR, button(calls, "Kiến nghị (.xlsx)"))
    (doc,) = [c for c in calls if c.method == "sendDocument"]
    assert "Kiến nghị, đề xuất: 2, đã trả lời 1." in doc.params["caption"]
    book = load_workbook(io.BytesIO(doc.files["document"][1]))
    lazy = load_workbook(io.BytesIO(doc.files["document"][1]), read_only=True)  # #22.3
    assert [lazy[n].max_row for n in lazy.sheetnames] == [book[n].max_row for n in book.sheetnames]
    lazy.close()
    assert book.sheetnames == ["Theo lĩnh vực", "Theo đơn vị trả lời"]

    def body(name: str) -> list[list]:
        rows = [[c.value for c in row] for row in book[name].iter_rows()]
        header = next(k for k, r in enumerate(rows) if r[0] == "STT")
        return rows[header + 1 :]

    by_field = body("Theo lĩnh vực")  # in the campaign's order of fields
    head = [
        c.value for c in next(r for r in book["Theo lĩnh vực"].iter_rows() if r[0].value == "STT")
    ]
    assert head[:3] == ["STT", "Số kiến nghị", "Lĩnh vực"]  # #22.12: a real STT, then the number
    assert [(r[0], r[1], r[2]) for r in by_field] == [
        (1, 2, "Vận hành chính quyền địa phương hai cấp"),
        (2, 1, "Chuyển đổi số"),
    ]
    f = by_field[1][1:]  # the columns after STT
    assert f[5] == "Sở Khoa học và Công nghệ" and f[8] == "đã trả lời"
    assert f[9] == "Đã giải quyết" and f[10] == "Đã cấp 12 bộ thiết bị"
    assert f[6] == dt.datetime(2026, 1, 15) and f[7] == dt.datetime(2026, 1, 30)
    by_department = body("Theo đơn vị trả lời")  # routed ones first, by department
    assert [(r[0], r[1], r[6]) for r in by_department] == [
        (1, 1, "Sở Khoa học và Công nghệ"),
        (2, 2, None),
    ]


async def test_the_department_is_nudged_before_and_after_the_answer_is_due(h: Harness) -> None:
    from tests.core import VN

    calls = await _file(h)
    await h.press(CONSOLIDATOR, button(calls, "Giao Sở Khoa học và Công nghệ"))  # due 30/01/2026

    async def nudges(when: dt.datetime) -> list[str]:
        h.clock.at = when
        return [c.params["text"] for c in await h.tick() if c.params.get("chat_id") == FOCAL2]

    assert await nudges(dt.datetime(2026, 1, 26, 8, 30, tzinfo=VN)) == []  # 4 days before
    (nudge,) = await nudges(dt.datetime(2026, 1, 27, 8, 30, tzinfo=VN))  # 3 days before
    assert "Kiến nghị cần trả lời:\n• Số 1 Đề nghị hỗ trợ thiết bị họp trực tuyến đến thôn" in nudge
    assert "hạn trả lời 30/01/2026 (còn 3 ngày)" in nudge and "Gửi /kiennghi để trả lời." in nudge
    assert "/tiendo" not in nudge
    (nudge,) = await nudges(dt.datetime(2026, 2, 2, 8, 30, tzinfo=VN))  # Monday, overdue
    assert "(quá hạn 3 ngày)" in nudge
    ((pid,),) = await h.rows("SELECT id FROM proposals")
    await h.press(FOCAL2, f"kny:{pid}:x")
    await h.send(FOCAL2, "Ngoài thẩm quyền của Sở; đề nghị xã liên hệ Sở Tài chính")
    assert await nudges(dt.datetime(2026, 2, 3, 8, 30, tzinfo=VN)) == []  # answered: quiet


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda h: builders.text(FOCAL, h.bot, "   "), "Tin nhắn trống"),
        (lambda h: builders.text(FOCAL, h.bot, "dài " * 800), "quá dài"),
        (lambda h: builders.sticker(FOCAL, h.bot), "chỉ đọc được tin nhắn chữ"),
        (lambda h: builders.text(FOCAL, h.bot, "/trogiup"), "/kiennghi"),
        (lambda h: builders.press(FOCAL, h.bot, "kny:999:r"), "không hợp lệ"),
    ],
)
async def test_bad_input_while_writing_keeps_the_draft_and_the_step(
    h: Harness, make: object, expected: str
) -> None:
    calls = await h.send(FOCAL, "/kiennghi")
    calls = await h.press(FOCAL, button(calls, "Kiến nghị mới"))
    await h.press(FOCAL, button(calls, "Đất đai"))
    before = await h.rows("SELECT field, content, filed_at FROM proposals")
    calls = await h.feed(make(h))  # type: ignore[operator]
    assert expected in text_of(calls)
    assert await h.rows("SELECT field, content, filed_at FROM proposals") == before
    assert await h.rows("SELECT step FROM conversations WHERE proposal_id IS NOT NULL") == [
        ("k_content",)
    ]
    calls = await h.send(FOCAL, "<b>Đề nghị</b> đo đạc, số hóa dữ liệu đất đai")
    assert "Đề nghị đơn vị nào trả lời?" in text_of(calls)
    assert await h.rows("SELECT content FROM proposals") == [
        ("<b>Đề nghị</b> đo đạc, số hóa dữ liệu đất đai",)
    ]


# -- an answer is stored whole, by the department responsible when it is stored (18.1, 18.2) --

FOCAL3 = 1004  # a second focal person of SKHCN
SNV_FOCAL = 1005


async def _routed_to_skhcn(h: Harness) -> int:
    calls = await _file(h)
    await h.press(CONSOLIDATOR, button(calls, "Giao Sở Khoa học và Công nghệ"))
    ((pid,),) = await h.rows("SELECT id FROM proposals")
    return int(pid)


async def test_an_answer_begun_before_rerouting_is_refused_and_nobody_is_misinformed(
    h: Harness,
) -> None:
    await h.join(SNV_FOCAL, "SNV")
    pid = await _routed_to_skhcn(h)
    calls = await h.press(FOCAL2, f"kny:{pid}:r")
    assert "Anh/chị nhập nội dung trả lời" in text_of(calls)
    assert await h.rows("SELECT answer, answer_text FROM proposals") == [(None, None)]

    calls = await h.press(CONSOLIDATOR, f"knr:{pid}:" + str(await _agency_id(h, "SNV")))
    assert "Đã giao kiến nghị số 1 cho Sở Nội vụ" in to(calls, CONSOLIDATOR)

    calls = await h.send(FOCAL2, "Đã cấp thiết bị")
    refusal = to(calls, FOCAL2)
    assert "đã được giao cho Sở Nội vụ sau khi anh/chị bắt đầu trả lời" in refusal
    assert "chưa được lưu" in refusal
    assert to(calls, FOCAL) == "" and to(calls, CONSOLIDATOR) == ""  # nobody told anything
    assert await h.rows("SELECT answer, answer_text, answered_at FROM proposals") == [
        (None, None, None)
    ]
    assert await h.rows(
        "SELECT step, answer FROM conversations WHERE user_id ="
        " (SELECT id FROM users WHERE external_id = ?)",
        str(FOCAL2),
    ) == [("idle", None)]

    calls = await h.press(SNV_FOCAL, f"kny:{pid}:r")  # SNV answers: it is SNV that is named
    calls = await h.send(SNV_FOCAL, "Sở Nội vụ đã hướng dẫn xã")
    assert "📬 Sở Nội vụ đã trả lời kiến nghị số 1" in to(calls, FOCAL)
    assert await h.rows("SELECT answer, answer_text FROM proposals") == [
        ("resolved", "Sở Nội vụ đã hướng dẫn xã")
    ]


async def _agency_id(h: Harness, code: str) -> int:
    ((aid,),) = await h.rows("SELECT id FROM agencies WHERE code = ?", code)
    return int(aid)


async def test_two_focal_persons_answering_at_once_never_mix_kind_and_text(h: Harness) -> None:
    await h.join(FOCAL3, "SKHCN")
    pid = await _routed_to_skhcn(h)
    await h.press(FOCAL2, f"kny:{pid}:x")  # "cannot be done"
    await h.press(FOCAL3, f"kny:{pid}:r")  # "resolved": the kind stays in each conversation
    assert await h.rows("SELECT answer FROM proposals") == [(None,)]

    calls = await h.send(FOCAL3, "Đã cấp đủ thiết bị cho các thôn")
    assert "✅ Đã lưu và gửi trả lời kiến nghị số 1" in to(calls, FOCAL3)
    assert to(calls, FOCAL).count("📬") == 1
    calls = await h.send(FOCAL2, "Ngoài thẩm quyền của Sở")
    assert "đã được trả lời hoặc thay đổi sau khi anh/chị bắt đầu trả lời" in to(calls, FOCAL2)
    assert to(calls, FOCAL) == "" and to(calls, CONSOLIDATOR) == ""
    assert await h.rows("SELECT answer, answer_text FROM proposals") == [
        ("resolved", "Đã cấp đủ thiết bị cho các thôn")
    ]


async def test_choosing_a_kind_then_cancelling_changes_nothing(h: Harness) -> None:
    pid = await _routed_to_skhcn(h)
    await h.press(FOCAL2, f"kny:{pid}:r")
    await h.send(FOCAL2, "Đã cấp thiết bị")
    stored = await h.rows("SELECT answer, answer_text, expected, answered_at FROM proposals")
    assert stored[0][0] == "resolved"

    calls = await h.press(FOCAL2, f"kny:{pid}:i")  # "in progress" pressed on the answered one
    assert "Đang xử lý. Anh/chị nhập nội dung trả lời" in text_of(calls)
    calls = await h.send(FOCAL2, "/huy")
    assert to(calls, FOCAL) == ""
    assert (
        await h.rows("SELECT answer, answer_text, expected, answered_at FROM proposals") == stored
    )

    await h.press(FOCAL2, f"kny:{pid}:i")  # begun again, and left half-way by a restart-safe step
    calls = await h.send(FOCAL2, "Đang bổ sung thêm thiết bị")
    assert "Dự kiến hoàn thành khi nào?" in text_of(calls)
    assert await h.rows("SELECT answer FROM proposals") == [("resolved",)]  # not yet changed
    calls = await h.send(FOCAL2, "quý III/2026")
    assert "Dự kiến giải quyết xong trước: 30/09/2026" in to(calls, FOCAL2)  # #21.10
    assert to(calls, FOCAL).count("📬") == 1
    assert await h.rows("SELECT answer, answer_text, expected FROM proposals") == [
        ("in_progress", "Đang bổ sung thêm thiết bị", "2026-09-30")
    ]


async def test_consolidators_list_proposals_by_state_each_openable(h: Harness) -> None:
    """#21.6: after routing, the proposal is still listed (routed, overdue, answered) and opens."""
    calls = await _file(h)
    await h.press(CONSOLIDATOR, button(calls, "Giao Sở Khoa học và Công nghệ"))
    calls = await h.send(CONSOLIDATOR, "/kiennghi")
    text = to(calls, CONSOLIDATOR)
    assert "📥 Chờ giao xử lý: 0" in text and "⏳ Đã giao, đang trong hạn trả lời: 1" in text
    assert "⏰ Quá hạn trả lời: 0" in text and "✅ Đã trả lời: 0" in text
    calls = await h.press(CONSOLIDATOR, button(calls, "Đã giao, đang trong hạn trả lời (1)"))
    text = to(calls, CONSOLIDATOR)
    assert "• Số 1 Xã mẫu 01 (mẫu, thay bằng danh sách thật) — Chuyển đổi số: " in text
    assert "đã giao cho Sở Khoa học và Công nghệ, hạn trả lời 30/01/2026" in text
    assert "⬅️ Quay lại" in [label for label, _ in buttons_of(calls)]
    calls = await h.press(CONSOLIDATOR, button(calls, "Số 1 · Chuyển đổi số"))
    text = to(calls, CONSOLIDATOR)
    assert "<b>Kiến nghị số 1</b>" in text
    labels = [label for label, _ in buttons_of(calls)]
    assert "🔁 Giao đơn vị khác" in labels and labels[-1] == "⬅️ Quay lại"

    h.clock.advance(days=18)  # the answer is late: listed as overdue, most overdue first
    calls = await h.send(CONSOLIDATOR, "/kiennghi")
    assert "⏰ Quá hạn trả lời: 1" in to(calls, CONSOLIDATOR)
    calls = await h.press(CONSOLIDATOR, button(calls, "Quá hạn trả lời (1)"))
    assert "⏰ Số 1 · Chuyển đổi số" in next(label for label, _ in buttons_of(calls))

    ((pid,),) = await h.rows("SELECT id FROM proposals")
    await h.press(FOCAL2, f"kny:{pid}:r")
    await h.send(FOCAL2, "Đã cấp 12 bộ thiết bị")
    calls = await h.send(CONSOLIDATOR, "/kiennghi")
    assert "✅ Đã trả lời: 1" in to(calls, CONSOLIDATOR)
    calls = await h.press(CONSOLIDATOR, button(calls, "Đã trả lời (1)"))
    calls = await h.press(CONSOLIDATOR, button(calls, "Số 1 · Chuyển đổi số"))
    assert "Trả lời: Đã cấp 12 bộ thiết bị" in to(calls, CONSOLIDATOR)
    assert [label for label, _ in buttons_of(calls)] == ["⬅️ Quay lại"]  # answered: no routing
    calls = await h.press(CONSOLIDATOR, "knl:z:0")  # a forged list
    assert "không hợp lệ" in text_of(calls)


async def test_the_filer_edits_the_draft_before_sending_and_may_come_back_to_it(
    h: Harness,
) -> None:
    """#21.6: the review before sending edits the content or the department; a draft left for
    later is listed and resumes at its review."""
    calls = await h.send(FOCAL, "/kiennghi")
    calls = await h.press(FOCAL, button(calls, "Kiến nghị mới"))
    calls = await h.press(FOCAL, button(calls, "Chuyển đổi số"))
    calls = await h.send(FOCAL, "Đề nghị hỗ trợ thiết bị")
    calls = await h.press(FOCAL, button(calls, "Sở Nội vụ"))
    calls = await h.press(FOCAL, button(calls, "Sửa nội dung"))
    assert "Nội dung hiện tại: Đề nghị hỗ trợ thiết bị" in text_of(calls)
    calls = await h.send(FOCAL, "Đề nghị hỗ trợ 5 bộ thiết bị họp trực tuyến")
    text = text_of(calls)  # straight back to the review, the department kept
    assert "Nội dung: Đề nghị hỗ trợ 5 bộ thiết bị họp trực tuyến" in text
    assert "Đề nghị đơn vị: Sở Nội vụ" in text
    calls = await h.press(FOCAL, button(calls, "Đổi đơn vị trả lời"))
    calls = await h.press(FOCAL, button(calls, "Sở Khoa học và Công nghệ"))
    assert "Đề nghị đơn vị: Sở Khoa học và Công nghệ" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Để sau"))
    assert "Kiến nghị đang soạn, chưa gửi: 1" in text_of(calls)
    assert await h.rows("SELECT number, content FROM proposals") == [
        (None, "Đề nghị hỗ trợ 5 bộ thiết bị họp trực tuyến")
    ]
    calls = await h.press(FOCAL, button(calls, "📝 Chuyển đổi số"))
    assert "kiểm tra kiến nghị trước khi gửi" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Gửi kiến nghị"))
    assert "✅ Đã gửi kiến nghị số 1" in to(calls, FOCAL)
    assert "Đề nghị đơn vị: Sở Khoa học và Công nghệ" in to(calls, CONSOLIDATOR)
