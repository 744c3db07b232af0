"""What people type: cleaned to NFC without control characters, bounded, commands split on any
whitespace (a reason may span lines)."""

from __future__ import annotations

import pytest

from domain.model import Role
from domain.text import normalize, printable
from handlers.input import InputError, clean, command
from tests.conftest import CONSOLIDATOR, FOCAL, Harness, button, text_of
from tests.helpers import complete_plan


def test_nfc_and_invisible_characters() -> None:
    decomposed = "Ke\u0302\u0301 hoa\u0323ch"  # 'Kế hoạch' typed with combining marks
    assert clean(decomposed, 100) == "Kế hoạch"
    assert clean("a\u200bb\ufeffc\u202ed\x00e\ufffff", 100) == "abcdef"
    assert clean("  dòng 1\r\n\r\n\r\n\r\ndòng 2\t!  ", 100) == "dòng 1\n\ndòng 2 !"
    assert normalize("✅ giữ emoji trong chat") == "✅ giữ emoji trong chat"


def test_empty_and_too_long_are_refused_with_the_limit() -> None:
    with pytest.raises(InputError, match=r"trống|empty"):
        clean("\u200b \x07 ", 10)
    with pytest.raises(InputError) as err:
        clean("x" * 2001, 2000)
    assert "2.001" in str(err.value) and "2.000" in str(err.value)


def test_printable_strips_what_breaks_or_does_not_belong_in_a_document() -> None:
    assert printable("Báo cáo 📑 xong ✅🎓\ufffe\x0b") == "Báo cáo xong"
    assert printable("Quyết định số 12/QĐ-UBND © 2026 → 30/6") == (
        "Quyết định số 12/QĐ-UBND © 2026 → 30/6"
    )


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("/tonghop", ("tonghop", "")),
        ("/tonghop\nSNV", ("tonghop", "SNV")),
        (
            "/trave SNV\nBổ sung tiến độ.\nGhi rõ đơn vị.",
            ("trave", "SNV\nBổ sung tiến độ.\nGhi rõ đơn vị."),
        ),
        ("/KeHoach@kehoach_bot  x", ("kehoach", "x")),
        ("/ không", None),
        ("không phải lệnh", None),
    ],
)
def test_commands(text: str, parsed: tuple[str, str] | None) -> None:
    assert command(text) == parsed


async def test_commands_with_line_breaks_work_in_chat(harness: Harness) -> None:
    h = harness
    await h.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await h.join(FOCAL, "SNV")
    await complete_plan(h, FOCAL, "SNV", 2)
    calls = await h.send(CONSOLIDATOR, "/tonghop\nSNV")
    assert "Sở Nội vụ" in text_of(calls) and "Mục tiêu SNV 1" in text_of(calls)
    calls = await h.send(CONSOLIDATOR, "/trave SNV\nBổ sung tiến độ cụ thể.\nGhi rõ sản phẩm.")
    assert "Đã trả lại kế hoạch của Sở Nội vụ" in text_of(calls)
    rows = await h.rows("SELECT return_reason FROM plans WHERE return_reason IS NOT NULL")
    assert rows == [("Bổ sung tiến độ cụ thể.\nGhi rõ sản phẩm.",)]


async def test_coordinating_units_and_measures_are_bounded(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "TTT")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, "1."))
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "Giải pháp có nhiều đơn vị phối hợp")
    calls = await h.press(FOCAL, button(calls, "⭐"))
    names = "; ".join(f"UBND xã số {n}" for n in range(1, 16))
    calls = await h.send(FOCAL, names)  # 15: the maximum
    calls = await h.press(FOCAL, button(calls, "Giữ nguyên như đã nhập"))  # not agencies
    assert "UBND xã số 15" in text_of(calls)
    calls = await h.send(FOCAL, "UBND xã số 16")
    assert "tối đa 15 đơn vị phối hợp" in text_of(calls)
    ((partners,),) = await h.rows("SELECT partners FROM measures")
    assert partners.count("UBND xã số") == 15  # nothing lost, nothing over the limit


async def test_an_item_holds_at_most_30_measures(harness: Harness) -> None:
    h = harness
    await h.join(FOCAL, "TTT")
    ((aid,),) = await h.rows(
        "SELECT s.id FROM assignments s JOIN plans p ON p.id = s.plan_id"
        " JOIN agencies a ON a.id = p.agency_id WHERE a.code = 'TTT'"
    )
    for n in range(30):
        await h.press(FOCAL, f"add:{aid}")
        await h.send(FOCAL, f"Giải pháp {n + 1}")
    calls = await h.press(FOCAL, f"add:{aid}")
    assert "tối đa 30 nhiệm vụ, giải pháp" in text_of(calls)
    assert await h.rows("SELECT count(*) FROM measures") == [(30,)]


async def test_a_campaign_switched_mid_answer_keeps_what_was_typed(harness: Harness) -> None:
    from bot.settings import BUNDLED_CAMPAIGN
    from domain.campaign import load_campaign

    h = harness
    await h.join(FOCAL, "SNV")
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, " 1. "))
    await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    nextyear = load_campaign(BUNDLED_CAMPAIGN).model_copy(
        update={"code": "bac-ninh-2026", "title": "Kế hoạch khắc phục năm 2026"}
    )
    async with h.db.transaction() as tx:  # an operator loads and activates next year's cycle
        await tx.campaigns.load(nextyear, h.clock())
    calls = await h.send(FOCAL, "Giải pháp gõ dở cho đợt cũ")
    text = text_of(calls)
    assert "đã chuyển sang «Kế hoạch khắc phục năm 2026»" in text
    assert "chưa được lưu" in text and "Giải pháp gõ dở cho đợt cũ" in text
    assert await h.rows("SELECT count(*) FROM measures") == [(0,)]
    calls = await h.send(FOCAL, "/kehoach")  # the new campaign's plan, from the menu
    assert "Kế hoạch khắc phục năm 2026" in text_of(calls)
