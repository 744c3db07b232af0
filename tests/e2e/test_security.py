"""Nobody gets what is not theirs: strangers, used and expired invites, forged buttons, roles."""

from __future__ import annotations

import datetime as dt

from domain.model import Role
from tests.e2e.conftest import E2E, FOCAL, OTHER, STRANGER, text

STRANGER_TEXT = "chỉ phục vụ người được đơn vị tổng hợp mời"


async def _state(e2e: E2E) -> list:
    return [
        await e2e.rows("SELECT user_id, agency_id, role FROM memberships ORDER BY id"),
        await e2e.rows("SELECT * FROM measures ORDER BY id"),
        await e2e.rows("SELECT id, objective FROM assignments ORDER BY id"),
        await e2e.rows("SELECT id, returned_at FROM plans ORDER BY id"),
        await e2e.rows("SELECT count(*) FROM submissions"),
        await e2e.rows("SELECT count(*) FROM invites WHERE used_at IS NULL"),
    ]


async def test_nothing_succeeds(e2e: E2E) -> None:
    mine = await e2e.invite("SNV")
    theirs = await e2e.invite("SXD")
    old = await e2e.invite("SNV", at=dt.datetime.now(dt.UTC) - dt.timedelta(days=8))
    await e2e.invite("STC", Role.ADMIN)  # unused: must stay unused
    await e2e.bot.start()
    await e2e.send(FOCAL, f"/start {mine}")
    await e2e.send(OTHER, f"/start {theirs}")
    await e2e.send(OTHER, "/kehoach")
    await e2e.press_label(OTHER, " 1. ")
    await e2e.press_label(OTHER, "Thêm nhiệm vụ")
    await e2e.send(OTHER, "Giải pháp của Sở Xây dựng")
    ((mid,),) = await e2e.rows("SELECT id FROM measures")
    ((aid,),) = await e2e.rows("SELECT assignment_id FROM measures")
    before = await _state(e2e)

    attempts = [
        (STRANGER, "text", "/kehoach", STRANGER_TEXT),
        (STRANGER, "text", "Xin cho tôi vào", STRANGER_TEXT),
        (STRANGER, "text", "/tonghop", STRANGER_TEXT),
        (STRANGER, "button", f"m:{mid}", STRANGER_TEXT),
        (STRANGER, "text", f"/start {mine}", "đã được sử dụng"),
        (STRANGER, "text", f"/start {old}", "đã hết hạn"),
        (STRANGER, "text", "/start AAAAAAAAAAAAAAAAAAAAAA", "không hợp lệ"),
        (FOCAL, "button", f"m:{mid}", "không hợp lệ"),
        (FOCAL, "button", f"mdy:{mid}", "không hợp lệ"),
        (FOCAL, "button", f"mf:{mid}:c", "không hợp lệ"),
        (FOCAL, "button", f"obj:{aid}", "không hợp lệ"),
        (FOCAL, "button", f"add:{aid}", "không hợp lệ"),
        (FOCAL, "button", f"ld:{mid}:1", "không hợp lệ"),
        (FOCAL, "text", "/tonghop", "chỉ dành cho đơn vị tổng hợp"),
        (FOCAL, "text", "/tonghop SXD", "chỉ dành cho đơn vị tổng hợp"),
        (FOCAL, "text", "/trave SXD sửa lại", "chỉ dành cho đơn vị tổng hợp"),
        (FOCAL, "text", "/nhacnho", "chỉ dành cho đơn vị tổng hợp"),
        (FOCAL, "button", "dl:docx", "chỉ dành cho đơn vị tổng hợp"),
        (FOCAL, "text", "/moi SNV quan-tri 30", "Chỉ quản trị viên"),
    ]
    for uid, kind, value, expected in attempts:
        got = await (e2e.send(uid, value) if kind == "text" else e2e.press(uid, value))
        assert expected in text(got), (uid, value, text(got))
        assert not [m for m in got if m.document], value
    assert await _state(e2e) == before
