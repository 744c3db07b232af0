"""A focal person's whole path through the real Application, update by update."""

from __future__ import annotations

import json

from domain.model import Role
from tests.conftest import CONSOLIDATOR, FOCAL, Harness, button, buttons_of, text_of


async def add_measure(
    h: Harness, uid: int, item_data: str, content: str, timeline: str, partners: list[str] = ()
) -> list:
    calls = await h.press(uid, item_data)
    calls = await h.press(uid, button(calls, "Thêm nhiệm vụ"))
    assert "nhập nhiệm vụ, giải pháp" in text_of(calls)
    calls = await h.send(uid, content)
    assert "Đơn vị chủ trì thực hiện?" in text_of(calls)
    calls = await h.press(uid, button(calls, "⭐"))  # own agency, offered first
    assert "Đơn vị phối hợp" in text_of(calls)
    for name in partners:
        calls = await h.press(uid, button(calls, name))
        assert f"☑️ {name}" in [label for label, _ in buttons_of(calls)]
    calls = await h.press(uid, button(calls, "Không có" if not partners else "Xong"))
    assert "Tiến độ, thời gian hoàn thành?" in text_of(calls)
    calls = await h.send(uid, timeline)
    return calls


async def test_whole_path_invite_to_resubmission(harness: Harness) -> None:
    h = harness
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    calls = await h.join(FOCAL, "SNV")
    text = text_of(calls)
    assert "Đã liên kết: anh/chị là đầu mối của Sở Nội vụ" in text
    assert "21/01/2026 (còn 6 ngày)" in text
    assert "Việc vận hành bộ máy chính quyền địa phương hai cấp" in text

    calls = await h.send(FOCAL, "/kehoach")
    assert "Trạng thái: Chưa bắt đầu" in text_of(calls)
    labels = [label for label, _ in buttons_of(calls)]
    assert labels[0].startswith("⬜ 1.") and "chưa có giải pháp" in labels[0]
    item1, item2 = button(calls, "⬜ 1."), button(calls, "⬜ 2.")

    # objective of item 1
    calls = await h.press(FOCAL, item1)
    calls = await h.press(FOCAL, button(calls, "Nhập mục tiêu"))
    assert "nhập mục tiêu khắc phục cho nội dung 1" in text_of(calls)
    calls = await h.send(FOCAL, "Bộ máy hai cấp vận hành thông suốt")
    assert "Đã lưu mục tiêu" in text_of(calls)
    rows = await h.rows("SELECT objective FROM assignments WHERE objective IS NOT NULL")
    assert rows == [("Bộ máy hai cấp vận hành thông suốt",)]

    # measure 1 with two coordinating units
    calls = await add_measure(
        h,
        FOCAL,
        item1,
        "Rà soát, ban hành quy chế phân cấp",
        "quý II/2026",
        partners=["Sở Tài chính", "Thanh tra tỉnh"],
    )
    assert "Hạn hoàn thành: 30/06/2026" in text_of(calls)
    assert "Sản phẩm, kết quả dự kiến" in text_of(calls)
    calls = await h.send(FOCAL, "Quyết định của UBND tỉnh")
    card = text_of(calls)
    assert "Đơn vị chủ trì: Sở Nội vụ" in card
    assert "Đơn vị phối hợp: Sở Tài chính, Thanh tra tỉnh" in card
    assert "quý II/2026 (hạn 30/06/2026)" in card

    # measure 2 with no coordinating unit, output skipped
    calls = await add_measure(h, FOCAL, item1, "Tập huấn cán bộ cấp xã", "thường xuyên")
    assert "Thực hiện thường xuyên" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Đơn vị phối hợp: không có" in text_of(calls)

    rows = await h.rows(
        "SELECT position, content, lead_unit, partners, timeline, due_date, recurring, output"
        " FROM measures ORDER BY id"
    )
    assert rows == [
        (
            1,
            "Rà soát, ban hành quy chế phân cấp",
            "Sở Nội vụ",
            json.dumps(["Sở Tài chính", "Thanh tra tỉnh"], ensure_ascii=False),
            "quý II/2026",
            "2026-06-30",
            0,
            "Quyết định của UBND tỉnh",
        ),
        (2, "Tập huấn cán bộ cấp xã", "Sở Nội vụ", "[]", "thường xuyên", None, 1, None),
    ]

    # /nop too early: item 2 is missing
    calls = await h.send(FOCAL, "/nop")
    assert "Kế hoạch chưa đủ thông tin (1/2 nội dung đã đủ)" in text_of(calls)
    assert "Nội dung 2: thiếu mục tiêu" in text_of(calls)
    assert "Nội dung 2: thiếu ít nhất một nhiệm vụ, giải pháp" in text_of(calls)

    calls = await h.press(FOCAL, item2)
    calls = await h.press(FOCAL, button(calls, "Nhập mục tiêu"))
    await h.send(FOCAL, "Đủ cán bộ cấp xã theo định biên")
    calls = await add_measure(
        h, FOCAL, item2, "Tuyển dụng bổ sung <công chức> & đào tạo", "năm 2026"
    )
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    assert "Tuyển dụng bổ sung &lt;công chức&gt; &amp; đào tạo" in text_of(calls)

    # /xem shows the whole plan, escaped
    calls = await h.send(FOCAL, "/xem")
    view = text_of(calls)
    assert "Bộ máy hai cấp vận hành thông suốt" in view and "&lt;công chức&gt;" in view
    assert "Trạng thái: Đã đủ thông tin, chưa nộp" in view

    # /nop → confirm → submitted; the consolidator is told
    calls = await h.send(FOCAL, "/nop")
    assert "2 nội dung, 3 nhiệm vụ, giải pháp" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    assert "Đã nộp kế hoạch của Sở Nội vụ, bản 1, lúc 09:00 15/01/2026" in text_of(calls)
    notices = [c for c in calls if c.params.get("chat_id") == CONSOLIDATOR]
    assert len(notices) == 1 and "Sở Nội vụ đã nộp kế hoạch: bản 1, 3 nhiệm vụ" in notices[0].text
    subs = await h.rows("SELECT version, measures, late_days, snapshot FROM submissions")
    assert [(v, m, late) for v, m, late, _ in subs] == [(1, 3, 0)]
    assert "Tập huấn cán bộ cấp xã" in subs[0][3]

    # submitting again without a change makes no version 2
    calls = await h.send(FOCAL, "/nop")
    assert "đã nộp (bản 1) và chưa thay đổi" in text_of(calls)

    # edit after submission: changed-since-submission until submitted again
    h.clock.advance(days=7)  # 22/01: one day late
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "✅ 1."))
    calls = await h.press(FOCAL, button(calls, "Giải pháp 1.2"))
    calls = await h.press(FOCAL, button(calls, "Thời gian"))
    calls = await h.send(FOCAL, "6 tháng đầu năm 2026 và thường xuyên")
    assert "Thời gian đã ghi nhận — Hạn hoàn thành: 30/06/2026; Thực hiện thường xuyên." in text_of(
        calls
    )
    calls = await h.send(FOCAL, "/kehoach")
    assert "Đã sửa sau khi nộp bản 1: cần nộp lại" in text_of(calls)
    calls = await h.send(FOCAL, "/nop")
    calls = await h.press(FOCAL, button(calls, "Xác nhận nộp"))
    assert "bản 2" in text_of(calls) and "Nộp sau thời hạn (chậm 1 ngày)" in text_of(calls)
    subs = await h.rows("SELECT version, late_days FROM submissions ORDER BY version")
    assert subs == [(1, 0), (2, 1)]
    first = await h.rows("SELECT snapshot FROM submissions WHERE version = 1")
    assert "6 tháng đầu năm" not in first[0][0]  # the first snapshot is immutable

    actions = [r[0] for r in await h.rows("SELECT action FROM audit_log ORDER BY id")]
    assert actions.count("plan.submit") == 2
    assert "objective.set" in actions and "measure.add" in actions and "user.link" in actions


async def test_back_button_walks_the_wizard_backwards(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SCT")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "1."))
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "Hỗ trợ doanh nghiệp công nghiệp hỗ trợ")
    calls = await h.press(FOCAL, button(calls, "Quay lại"))
    assert "Hiện tại: Hỗ trợ doanh nghiệp công nghiệp hỗ trợ" in text_of(calls)
    calls = await h.send(FOCAL, "Hỗ trợ doanh nghiệp kết nối chuỗi cung ứng")
    assert "Đơn vị chủ trì thực hiện?" in text_of(calls)
    calls = await h.send(FOCAL, "UBND các xã, phường")  # typed lead unit, not an agency
    calls = await h.press(FOCAL, button(calls, "Giữ «UBND các xã, phường»"))
    assert "Đơn vị phối hợp" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Khác"))
    assert "Nhập tên đơn vị phối hợp" in text_of(calls)
    calls = await h.send(FOCAL, "Hiệp hội doanh nghiệp tỉnh; Ngân hàng Nhà nước")
    calls = await h.press(FOCAL, button(calls, "Giữ nguyên như đã nhập"))
    assert "Đã nhập thêm: Hiệp hội doanh nghiệp tỉnh, Ngân hàng Nhà nước" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Sở Tài chính"))
    calls = await h.press(FOCAL, button(calls, "Xong"))
    assert "Tiến độ, thời gian hoàn thành?" in text_of(calls)
    rows = await h.rows("SELECT content, lead_unit, partners FROM measures")
    assert rows == [
        (
            "Hỗ trợ doanh nghiệp kết nối chuỗi cung ứng",
            "UBND các xã, phường",
            '["Hiệp hội doanh nghiệp tỉnh", "Ngân hàng Nhà nước", "Sở Tài chính"]',
        )
    ]


async def test_delete_measure_renumbers(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "TTT")
    calls = await h.send(FOCAL, "/kehoach")
    item = button(calls, "1.")
    for content in ("Giải pháp A", "Giải pháp B"):
        calls = await add_measure(h, FOCAL, item, content, "quý I/2026")
        await h.press(FOCAL, button(calls, "Bỏ qua"))
    calls = await h.press(FOCAL, item)
    calls = await h.press(FOCAL, button(calls, "Giải pháp 1.1"))
    calls = await h.press(FOCAL, button(calls, "Xóa"))
    assert "Xóa nhiệm vụ, giải pháp 1.1: Giải pháp A?" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "🗑 Xóa"))
    assert "Đã xóa" in text_of(calls)
    assert await h.rows("SELECT position, content FROM measures WHERE deleted_at IS NULL") == [
        (1, "Giải pháp B")
    ]
    # the deleted one stays as a row, so its id is never given to another measure
    assert await h.rows("SELECT content FROM measures WHERE deleted_at IS NOT NULL") == [
        ("Giải pháp A",)
    ]


async def test_item_with_two_lead_agencies_is_answered_separately(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SYT")
    await h.join(FOCAL + 1, "SGDDT")
    for uid in (FOCAL, FOCAL + 1):
        calls = await h.send(uid, "/kehoach")
        assert "Chất lượng dịch vụ y tế, giáo dục" in " ".join(
            label for label, _ in buttons_of(calls)
        )
        calls = await h.press(uid, button(calls, "1."))
        calls = await h.press(uid, button(calls, "Nhập mục tiêu"))
        await h.send(uid, f"Mục tiêu của {uid}")
    rows = await h.rows(
        "SELECT a.code, s.objective FROM assignments s JOIN plans p ON p.id = s.plan_id"
        " JOIN agencies a ON a.id = p.agency_id WHERE s.objective IS NOT NULL ORDER BY a.code"
    )
    assert rows == [("SGDDT", f"Mục tiêu của {FOCAL + 1}"), ("SYT", f"Mục tiêu của {FOCAL}")]


async def test_english_locale(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/ngonngu en")
    assert "Language set to English." in text_of(calls)
    calls = await h.send(FOCAL, "/kehoach")
    assert "Deadline: 21/01/2026 (6 days left)" in text_of(calls)


async def test_a_due_date_before_the_campaign_is_questioned_not_stored(harness: Harness) -> None:
    """Plans are for 2026 (due 21/01/2026): '30/6/2025' is probably a typo for 2026."""
    h = harness
    await h.join(FOCAL, "TTT")
    calls = await h.send(FOCAL, "/kehoach")
    item = button(calls, "1.")
    calls = await h.press(FOCAL, item)
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "Rà soát đơn thư tồn đọng")
    calls = await h.press(FOCAL, button(calls, "⭐"))
    calls = await h.press(FOCAL, button(calls, "Không có"))
    calls = await h.send(FOCAL, "30/6/2025")
    assert "trước khi đợt kế hoạch này bắt đầu (01/01/2026)" in text_of(calls)
    assert await h.rows("SELECT timeline FROM measures") == [(None,)]  # not stored yet
    calls = await h.send(FOCAL, "trước 30/6")  # typed again, without a year: the campaign's
    assert "Hạn hoàn thành: 30/06/2026" in text_of(calls)
    assert await h.rows("SELECT timeline, due_date FROM measures") == [("trước 30/6", "2026-06-30")]
    # and kept as typed when the person confirms it
    ((mid,),) = await h.rows("SELECT id FROM measures")
    calls = await h.press(FOCAL, f"mf:{mid}:t")
    calls = await h.send(FOCAL, "quý IV/2025")
    calls = await h.press(FOCAL, button(calls, "Giữ hạn 31/12/2025"))
    assert await h.rows("SELECT timeline, due_date FROM measures") == [
        ("quý IV/2025", "2025-12-31")
    ]
    assert "Đơn vị chủ trì" in text_of(calls)  # back on the measure's card


async def test_back_from_a_follow_up_returns_to_its_own_step_and_every_step_can_be_kept(
    harness: Harness,
) -> None:
    """#21.3: "⬅️ Quay lại" on a follow-up question (a date before the campaign, a unit outside
    the list) goes back to that question's own step, not two steps; and a step reached by "back"
    keeps its answer with one tap instead of having it retyped."""
    h = harness
    await h.join(FOCAL, "TTT")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "1."))
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "Rà soát đơn thư tồn đọng")
    calls = await h.send(FOCAL, "UBND các xã")  # outside the list: a follow-up question
    assert "Giữ «UBND các xã»" in str(buttons_of(calls))
    calls = await h.press(FOCAL, button(calls, "Quay lại"))
    assert "Đơn vị chủ trì thực hiện?" in text_of(calls)  # its own step, not the content's
    assert await h.rows("SELECT lead_unit FROM measures") == [(None,)]
    assert await h.rows("SELECT pending FROM conversations") == [(None,)]
    calls = await h.press(FOCAL, button(calls, "⭐"))
    calls = await h.press(FOCAL, button(calls, "Không có"))
    calls = await h.send(FOCAL, "30/6/2025")  # before the campaign: questioned
    calls = await h.press(FOCAL, button(calls, "Quay lại"))
    assert "Tiến độ, thời gian hoàn thành?" in text_of(calls)
    assert await h.rows("SELECT timeline FROM measures") == [(None,)]

    # back twice from the timeline: partners, then lead — each keeps its answer with one tap
    calls = await h.press(FOCAL, button(calls, "Quay lại"))
    assert "Đơn vị phối hợp" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Quay lại"))
    assert "Hiện tại: Thanh tra tỉnh" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Quay lại"))
    assert "Hiện tại: Rà soát đơn thư tồn đọng" in text_of(calls)
    calls = await h.press(FOCAL, button(calls, "Giữ nguyên"))
    assert "Đơn vị chủ trì thực hiện?" in text_of(calls)
    calls = await h.send(FOCAL, "giữ nguyên")  # typed: the label on screen, on every channel
    assert "Đơn vị phối hợp" in text_of(calls)
    assert await h.rows("SELECT content, lead_unit FROM measures") == [
        ("Rà soát đơn thư tồn đọng", "Thanh tra tỉnh")
    ]
    ((mid,),) = await h.rows("SELECT id FROM measures")
    calls = await h.press(FOCAL, f"kc:{mid}")  # "keep" where nothing is chosen yet: stale
    assert "Lựa chọn này thuộc một bước đã xong" in text_of(calls)
    assert await h.rows("SELECT step, partners FROM conversations, measures") == [
        ("m_partners", "[]")  # "none" chosen earlier, unchanged
    ]


async def test_an_answer_of_only_emoji_is_refused_and_the_question_asked_again(
    harness: Harness,
) -> None:
    """#21.4: "👍" as an objective, a measure or a result would vanish from the documents."""
    h = harness
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, " 1. "))
    calls = await h.press(FOCAL, button(calls, "mục tiêu"))
    calls = await h.send(FOCAL, "👍")
    said = text_of(calls)
    assert "ghi bằng lời văn" in said
    assert "nhập mục tiêu khắc phục cho nội dung 1" in said  # asked again
    calls = await h.send(FOCAL, "Bộ máy vận hành thông suốt")
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "... !!!")
    assert "ghi bằng lời văn" in text_of(calls) and "nhiệm vụ, giải pháp" in text_of(calls)
    assert await h.rows("SELECT COUNT(*) FROM measures") == [(0,)]
    assert await h.rows("SELECT objective FROM assignments WHERE objective IS NOT NULL") == [
        ("Bộ máy vận hành thông suốt",)
    ]


async def test_the_submission_is_asked_as_a_real_question(harness: Harness) -> None:
    """#21.11: "Nộp kế hoạch …: 2 nội dung, 6 nhiệm vụ, giải pháp?" was not a question."""
    from tests.helpers import fill_item

    h = harness
    await h.join(FOCAL, "SNV")
    for index in (1, 2):
        await fill_item(h, FOCAL, index, f"Mục tiêu {index}", [(f"Giải pháp {index}", "năm 2026")])
    said = text_of(await h.send(FOCAL, "/nop"))
    assert (
        "Anh/chị có nộp kế hoạch của Sở Nội vụ không? Kế hoạch gồm 2 nội dung, 2 nhiệm vụ" in said
    )


async def test_words_typed_instead_of_tapped_act_as_the_choice_on_telegram(
    harness: Harness,
) -> None:
    """#21.1: "quay lại" typed at the content step made a measure "quay lại"; "bỏ qua" typed at
    the output step was stored as the output. A whole message that is a choice's label acts as
    it, on every channel; text that merely contains the word stays an answer."""
    h = harness
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, " 1. "))
    calls = await h.press(FOCAL, button(calls, "mục tiêu"))
    calls = await h.send(FOCAL, "Bộ máy vận hành thông suốt")
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "quay lai")  # without diacritics: the label "⬅️ Quay lại"
    assert await h.rows("SELECT COUNT(*) FROM measures") == [(0,)]
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "Quay lại rà soát quy trình")  # contains the word: an answer
    calls = await h.press(FOCAL, button(calls, "⭐"))
    calls = await h.send(FOCAL, "Không có")  # the label of "🚫 Không có"
    calls = await h.send(FOCAL, "quý II/2026")
    calls = await h.send(FOCAL, "bỏ qua")  # the label of "⏭ Bỏ qua"
    assert await h.rows("SELECT content, partners, output FROM measures") == [
        ("Quay lại rà soát quy trình", "[]", None)  # "none" chosen, no output
    ]


async def test_a_change_undone_leaves_the_plan_submitted(harness: Harness) -> None:
    """#21.9: deleting the only change made since submission left the plan "cần nộp lại" and a
    third version identical to the second; a plan saying what its submitted version says is that
    version."""
    from tests.helpers import fill_item, submit

    h = harness
    await h.join(FOCAL, "SNV")
    for index in (1, 2):
        await fill_item(h, FOCAL, index, f"Mục tiêu {index}", [(f"Giải pháp {index}", "năm 2026")])
    assert "Đã nộp kế hoạch" in await submit(h, FOCAL)
    await fill_item(h, FOCAL, 1, "Mục tiêu 1", [("Giải pháp thêm", "quý II/2026")])
    same = (
        "SELECT p.revision = p.submitted_revision FROM plans p"
        " JOIN agencies a ON a.id = p.agency_id WHERE a.code = 'SNV'"
    )
    assert await h.rows(same) == [(0,)]  # changed since submission
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, " 1. "))
    calls = await h.press(FOCAL, button(calls, "1.2"))
    calls = await h.press(FOCAL, button(calls, "Xóa"))
    calls = await h.press(FOCAL, button(calls, "🗑 Xóa"))
    assert await h.rows(same) == [(1,)]  # the only change undone: submitted again
    said = text_of(await h.send(FOCAL, "/nop"))
    assert "đã nộp (bản 1) và chưa thay đổi" in said
    assert await h.rows("SELECT COUNT(*) FROM submissions") == [(1,)]
