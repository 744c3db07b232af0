"""A corpus of bad input against the real process: a clear reply or silence by design, never a crash."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.telegram.standin import StandIn
from tests.e2e.conftest import E2E, FOCAL

MENU_HINT = "chọn thao tác trên menu"
MEDIA = "chỉ đọc được tin nhắn chữ"
UNKNOWN = "Lệnh không đúng"
INVALID = "không hợp lệ"
CONSOLIDATORS_ONLY = "chỉ dành cho đơn vị tổng hợp"

Push = Callable[[StandIn], int]


def t(body: str) -> Push:
    return lambda s: s.push_text(FOCAL, body)


def m(**fields: Any) -> Push:
    return lambda s: s.push_message(FOCAL, **fields)


def b(data: str) -> Push:
    return lambda s: s.push_button(FOCAL, data)


FILE = {"file_id": "f", "file_unique_id": "f"}
CORPUS: list[tuple[str, Push, str | None]] = [
    ("whitespace", t("   "), MENU_HINT),
    ("newlines", t("\n\n\n"), MENU_HINT),
    ("10,000 characters", t("chữ " * 2500), MENU_HINT),
    ("emoji", t("🚀🇻🇳😀👍🏽"), MENU_HINT),
    ("RTL text", t("مرحبا بالعالم \u202eabc"), MENU_HINT),
    ("HTML", t("<b>đậm</b><script>alert(1)</script>"), MENU_HINT),
    ("broken HTML", t("<b><i>&amp &lt; <"), MENU_HINT),
    ("Markdown", t("*đậm* _nghiêng_ `code` [x](http://x)"), MENU_HINT),
    ("SQL", t("'; DROP TABLE measures; --"), MENU_HINT),
    ("format strings", t("%s %d {0} {name} %(n)s"), MENU_HINT),
    ("zero width", t("\u200b\u200c\u200d"), MENU_HINT),
    ("NUL", t("a\u0000b"), MENU_HINT),
    ("backslashes", t("\\\\n\\"), MENU_HINT),
    ("lone slash", t("/"), MENU_HINT),
    ("unknown command", t("/lenhkhongco"), UNKNOWN),
    ("unknown English command", t("/settings"), UNKNOWN),
    ("upper-case command", t("/KEHOACH"), "chọn nội dung"),
    ("command for this bot", t("/kehoach@kehoach_standin_bot"), "chọn nội dung"),
    ("command with junk args", t("/xem 1 2 3 <b>"), "KẾ HOẠCH"),
    ("help", t("/trogiup"), "Các lệnh"),
    ("cancel at rest", t("/huy"), "Không có bước nào"),
    ("bad language", t("/ngonngu klingon"), "Cách dùng"),
    ("start again", t("/start"), "Xin chào"),
    ("start with junk", t("/start <script>"), "Mã mời không hợp lệ"),
    ("consolidator command", t("/tonghop"), CONSOLIDATORS_ONLY),
    ("return command", t("/trave SNV x"), CONSOLIDATORS_ONLY),
    ("remind command", t("/nhacnho"), CONSOLIDATORS_ONLY),
    ("admin command", t("/moi SNV"), "Chỉ quản trị viên"),
    (
        "sticker",
        m(
            sticker={
                **FILE,
                "type": "regular",
                "width": 1,
                "height": 1,
                "is_animated": False,
                "is_video": False,
            }
        ),
        MEDIA,
    ),
    ("photo", m(photo=[{**FILE, "width": 1, "height": 1}]), MEDIA),
    (
        "document that cannot be fetched",
        m(document={**FILE, "file_name": "kh.docx"}),
        "Chưa tải được tệp",
    ),
    ("voice", m(voice={**FILE, "duration": 3}), MEDIA),
    ("audio", m(audio={**FILE, "duration": 3}), MEDIA),
    ("video", m(video={**FILE, "width": 1, "height": 1, "duration": 1}), MEDIA),
    ("video note", m(video_note={**FILE, "length": 1, "duration": 1}), MEDIA),
    ("animation", m(animation={**FILE, "width": 1, "height": 1, "duration": 1}), MEDIA),
    ("location", m(location={"latitude": 21.18, "longitude": 106.07}), MEDIA),
    ("contact", m(contact={"phone_number": "0900000000", "first_name": "A"}), MEDIA),
    ("dice", m(dice={"emoji": "🎲", "value": 3}), MEDIA),
    (
        "photo with caption",
        m(photo=[{**FILE, "width": 1, "height": 1}], caption="quý II/2026"),
        MEDIA,
    ),
    (
        "forwarded text",
        m(
            text="chuyển tiếp",
            forward_origin={"type": "hidden_user", "date": 1, "sender_user_name": "X"},
        ),
        MENU_HINT,
    ),
    ("empty button", b(""), INVALID),
    ("button without id", b("a:"), INVALID),
    ("negative id", b("a:-1"), INVALID),
    ("huge id", b("a:99999999999999999999"), INVALID),
    ("letters as id", b("m:abc"), INVALID),
    ("unknown verb", b("xyz:1"), INVALID),
    ("64 bytes of junk", b("x" * 64), INVALID),
    ("button of a measure that never was", b("ptn:1"), INVALID),
    ("submit of a plan that is not theirs", b("suby:1:0"), INVALID),
    ("consolidator button", b("dl:docx"), CONSOLIDATORS_ONLY),
    ("other agency's item", b("a:1"), INVALID),
    ("menu button", b("menu"), "chọn nội dung"),
    ("back at rest", b("back"), "chọn nội dung"),
]


async def test_corpus(e2e: E2E) -> None:
    assert len(CORPUS) >= 50
    code = await e2e.invite("SNV")
    await e2e.bot.start()
    await e2e.send(FOCAL, f"/start {code}")
    await e2e.send(FOCAL, "/kehoach")
    await e2e.press_label(FOCAL, " 1. ")
    await e2e.press_label(FOCAL, "Nhập mục tiêu")
    await e2e.send(FOCAL, "Mục tiêu đã lưu")
    await e2e.send(FOCAL, "/huy")
    stored = await e2e.rows("SELECT objective FROM assignments WHERE objective IS NOT NULL")
    failures = []
    for name, push, expected in CORPUS:
        before = len(e2e.standin.sent_to(FOCAL))
        update_id = push(e2e.standin)
        await e2e.standin.wait_for(lambda u=update_id: e2e.standin.confirmed(u), 15, name)
        await e2e.settled()
        replies = "\n".join(x.text for x in e2e.standin.sent_to(FOCAL)[before:])
        if "Traceback" in replies or "có lỗi xảy ra" in replies:
            failures.append(f"{name}: error reply {replies[:200]!r}")
        elif expected is None and replies:
            failures.append(f"{name}: expected silence, got {replies[:200]!r}")
        elif expected is not None and expected not in replies:
            failures.append(f"{name}: expected {expected!r}, got {replies[:300]!r}")
    assert failures == []
    assert not e2e.bot.exited
    assert await e2e.rows("SELECT objective FROM assignments WHERE objective IS NOT NULL") == stored
    assert await e2e.rows("SELECT count(*) FROM measures") == [(0,)]


async def test_groups_channels_and_edits(e2e: E2E) -> None:
    code = await e2e.invite("SNV")
    await e2e.bot.start()
    await e2e.send(FOCAL, f"/start {code}")
    s = e2e.standin
    cases = [
        (lambda: s.push_text(FOCAL, "chào cả nhóm", chat_type="group"), None),
        (lambda: s.push_text(FOCAL, "/kehoach", chat_type="supergroup"), "nhắn riêng"),
        (
            lambda: s.push(
                {
                    "channel_post": {
                        "message_id": 1,
                        "date": 1,
                        "text": "tin kênh",
                        "chat": {"id": -100, "type": "channel", "title": "K"},
                    }
                }
            ),
            None,
        ),
        (
            lambda: s.push({"edited_message": s.message(FOCAL, text="đã sửa", edit_date=2)}),
            "Tin nhắn đã sửa",
        ),
    ]
    for push, expected in cases:
        before = {chat: len(s.sent_to(chat)) for chat in (FOCAL, -FOCAL, -100)}
        update_id = push()
        await s.wait_for(lambda u=update_id: s.confirmed(u))
        await e2e.settled()
        new = "\n".join(m.text for chat, n in before.items() for m in s.sent_to(chat)[n:])
        assert (expected in new) if expected else new == "", (expected, new)
