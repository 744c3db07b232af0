"""Strangers, used and expired invites, forged buttons, commands above one's role."""

from __future__ import annotations

from domain.model import Role
from tests.conftest import ADMIN, FOCAL, FOCAL2, STRANGER, Harness, button, text_of


async def _snapshot(h: Harness) -> list:
    return [
        await h.rows("SELECT * FROM measures ORDER BY id"),
        await h.rows("SELECT id, objective FROM assignments ORDER BY id"),
        await h.rows("SELECT user_id, agency_id, role FROM memberships ORDER BY id"),
        await h.rows("SELECT * FROM submissions"),
    ]


async def test_stranger_gets_an_explanation_and_nothing_else(harness: Harness) -> None:
    h = harness
    before = await _snapshot(h)
    for body in ("/start", "xin chào", "/kehoach", "/nop", "/tonghop", "/moi SNV"):
        calls = await h.send(STRANGER, body)
        assert "chỉ phục vụ người được đơn vị tổng hợp mời" in text_of(calls), body
    calls = await h.press(STRANGER, "a:1")
    assert "chỉ phục vụ người được đơn vị tổng hợp mời" in text_of(calls)
    assert await _snapshot(h) == before


async def test_bad_used_and_expired_invites(harness: Harness) -> None:
    h = harness
    calls = await h.send(STRANGER, "/start khong-phai-ma-moi")
    assert "Mã mời không hợp lệ" in text_of(calls)
    calls = await h.send(STRANGER, "/start " + "x" * 500)
    assert "Mã mời không hợp lệ" in text_of(calls)

    code = await h.invite("SNV")
    await h.send(FOCAL, f"/start {code}")
    calls = await h.send(STRANGER, f"/start {code}")
    assert "Lời mời này đã được sử dụng" in text_of(calls)

    old = await h.invite("SNV", days=7)
    h.clock.advance(days=7, seconds=1)
    calls = await h.send(STRANGER, f"/start {old}")
    assert "Lời mời này đã hết hạn" in text_of(calls)
    assert await h.rows("SELECT count(*) FROM memberships") == [(1,)]
    codes = await h.rows("SELECT code_hash FROM invites")
    assert all(code not in c[0] and old not in c[0] for c in codes)  # stored hashed only


async def test_forged_buttons_for_another_agencys_measure(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    await h.join(FOCAL2, "SXD")
    calls = await h.send(FOCAL2, "/kehoach")
    calls = await h.press(FOCAL2, button(calls, "1."))
    calls = await h.press(FOCAL2, button(calls, "Thêm nhiệm vụ"))
    await h.send(FOCAL2, "Giải pháp của Sở Xây dựng")
    ((mid,),) = await h.rows("SELECT id FROM measures")
    ((aid,),) = await h.rows(
        "SELECT s.id FROM assignments s JOIN plans p ON p.id = s.plan_id"
        " JOIN agencies a ON a.id = p.agency_id WHERE a.code = 'SXD' LIMIT 1"
    )
    before = await _snapshot(h)
    for data in (
        f"m:{mid}",
        f"mf:{mid}:c",
        f"md:{mid}",
        f"mdy:{mid}",
        f"ld:{mid}:1",
        f"pt:{mid}:1",
        f"ptn:{mid}",
        f"sk:{mid}",
        f"a:{aid}",
        f"obj:{aid}",
        f"add:{aid}",
        "ag:3",
        "m:abc",
        "mf:1:zz",
        "xyz:1",
        "suby:x",
        "a:1:2:3",
        "",
    ):
        calls = await h.press(FOCAL, data)
        text = text_of(calls)
        assert "không hợp lệ" in text or "bước đã xong" in text, (data, text)
    assert await _snapshot(h) == before
    refused = await h.rows("SELECT count(*) FROM audit_log WHERE action = 'button.refused'")
    assert refused[0][0] >= 10


async def test_focal_person_cannot_use_admin_commands(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/moi SNV")
    assert "Chỉ quản trị viên mới được tạo lời mời" in text_of(calls)
    assert await h.rows("SELECT count(*) FROM invites") == [(1,)]  # only the one used to join


async def test_admin_creates_an_invite_in_chat(harness: Harness) -> None:
    h = harness
    calls = await h.send(ADMIN, "/moi stc tong-hop 3")
    text = text_of(calls)
    assert "Lời mời làm cán bộ tổng hợp của Sở Tài chính" in text
    assert "https://t.me/kehoach_test_bot?start=" in text
    code = text.split("?start=")[1].split()[0]
    calls = await h.send(STRANGER, f"/start {code}")
    assert "cán bộ tổng hợp của Sở Tài chính" in text_of(calls)
    assert await h.rows("SELECT role FROM memberships") == [(Role.CONSOLIDATOR.value,)]
    for bad in ("/moi", "/moi XYZ", "/moi SNV vua", "/moi SNV dau-moi 999"):
        calls = await h.send(ADMIN, bad)
        assert "Cách dùng" in text_of(calls) or "Không có đơn vị nào mang mã" in text_of(calls), bad


async def test_stale_confirm_submits_only_the_plan_it_names(harness: Harness) -> None:
    """A person who is the focal person of two agencies: an old 'Xác nhận nộp' of agency A,
    pressed while working on agency B, acts on A's plan at the revision it showed — never B's."""
    from tests.helpers import fill_item

    h = harness
    await h.join(FOCAL, "SKHCN")  # one item
    await h.join(FOCAL, "SCT")  # one item; the conversation is now on SCT's plan
    await fill_item(h, FOCAL, 1, "Mục tiêu SCT", [("Giải pháp SCT", "quý II/2026")])
    confirm_sct = button(await h.send(FOCAL, "/nop"), "Xác nhận nộp")
    # switch to SKHCN and complete it too
    (skhcn_id,) = (await h.rows("SELECT id FROM agencies WHERE code = 'SKHCN'"))[0]
    await h.press(FOCAL, f"ag:{skhcn_id}")
    await fill_item(h, FOCAL, 1, "Mục tiêu SKHCN", [("Giải pháp SKHCN", "năm 2026")])
    calls = await h.press(FOCAL, confirm_sct)
    assert "Đã nộp kế hoạch của Sở Công Thương, bản 1" in text_of(calls)
    submitted = await h.rows(
        "SELECT a.code FROM submissions s JOIN plans p ON p.id = s.plan_id"
        " JOIN agencies a ON a.id = p.agency_id"
    )
    assert submitted == [("SCT",)]
    # the same button again: the plan has not changed since, nothing new is recorded
    calls = await h.press(FOCAL, confirm_sct)
    assert "Kế hoạch đã nộp (bản 1) và chưa thay đổi" in text_of(calls)
    assert len(await h.rows("SELECT id FROM submissions")) == 1


async def test_an_old_delete_button_never_deletes_a_newer_measure(harness: Harness) -> None:
    from tests.test_conversation import add_measure

    h = harness
    await h.join(FOCAL, "TTT")
    item = button(await h.send(FOCAL, "/kehoach"), "1.")
    calls = await add_measure(h, FOCAL, item, "Giải pháp cũ", "quý I/2026")
    await h.press(FOCAL, button(calls, "Bỏ qua"))
    ((old,),) = await h.rows("SELECT id FROM measures")
    await h.press(FOCAL, f"md:{old}")
    await h.press(FOCAL, f"mdy:{old}")
    calls = await add_measure(h, FOCAL, item, "Giải pháp mới", "quý II/2026")
    await h.press(FOCAL, button(calls, "Bỏ qua"))
    ((new,),) = await h.rows("SELECT id FROM measures WHERE deleted_at IS NULL")
    assert new != old  # ids are never reused
    calls = await h.press(FOCAL, f"mdy:{old}")  # the old confirmation, pressed again
    assert "không còn nữa (đã bị xóa)" in text_of(calls)
    assert await h.rows("SELECT content FROM measures WHERE deleted_at IS NULL") == [
        ("Giải pháp mới",)
    ]


async def test_editing_a_measure_deleted_from_another_device_creates_nothing(
    harness: Harness,
) -> None:
    from tests.test_conversation import add_measure

    h = harness
    await h.join(FOCAL, "TTT")
    await h.join(FOCAL2, "TTT")  # a colleague, focal person of the same agency
    item = button(await h.send(FOCAL, "/kehoach"), "1.")
    calls = await add_measure(h, FOCAL, item, "Giải pháp A", "quý I/2026")
    await h.press(FOCAL, button(calls, "Bỏ qua"))
    ((mid,),) = await h.rows("SELECT id FROM measures")
    for step, typed in (("c", "Nội dung mới"), ("t", "quý III/2026"), ("o", "Báo cáo")):
        if step != "c":  # restore a measure to edit
            calls = await add_measure(h, FOCAL, item, "Giải pháp A", "quý I/2026")
            await h.press(FOCAL, button(calls, "Bỏ qua"))
            ((mid,),) = await h.rows("SELECT id FROM measures WHERE deleted_at IS NULL")
        calls = await h.press(FOCAL, f"mf:{mid}:{step}")  # about to retype one field
        assert "Nội dung 1 — nhiệm vụ, giải pháp 1" in text_of(calls)
        await h.send(FOCAL2, "/kehoach")
        await h.press(FOCAL2, f"mdy:{mid}")  # the colleague deletes it meanwhile
        calls = await h.send(FOCAL, typed)
        assert "không còn nữa (đã bị xóa)" in text_of(calls), step
        assert "chưa được lưu" in text_of(calls)
        assert await h.rows("SELECT content FROM measures WHERE deleted_at IS NULL") == []


async def test_consolidator_rights_belong_to_the_consolidating_agency(harness: Harness) -> None:
    h = harness
    await h.send(ADMIN, "/start")
    calls = await h.send(ADMIN, "/moi SNV tong-hop")
    assert "chỉ dành cho Sở Tài chính" in text_of(calls)
    assert await h.rows("SELECT count(*) FROM invites") == [(0,)]
    calls = await h.send(ADMIN, "/moi STC tong-hop")
    assert "Lời mời làm cán bộ tổng hợp của Sở Tài chính" in text_of(calls)
    # a role granted to another agency before this rule existed gives no rights
    await h.join(FOCAL, "SNV")
    async with h.db.transaction() as tx:
        user = await tx.users.get("telegram", str(FOCAL))
        snv = await tx.campaigns.agency_by_code("SNV")
        await tx.users.grant(user.id, snv.id, Role.CONSOLIDATOR, h.clock())
    calls = await h.send(FOCAL, "/tonghop")
    assert "chỉ dành cho đơn vị tổng hợp" in text_of(calls)
    calls = await h.send(FOCAL, "/trave SXD sửa lại")
    assert "chỉ dành cho đơn vị tổng hợp" in text_of(calls)
