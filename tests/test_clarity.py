"""The "6 rõ" review (#21.14): what it finds in a measure's words, where people see it, and that
it never stops a submission."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from domain.campaign import parse_campaign
from domain.clarity import Advice, Checker, Words
from domain.model import Role
from tests.conftest import CONSOLIDATOR, FOCAL, FOCAL2, Harness, button, buttons_of, text_of
from tests.fakes import Call
from tests.helpers import complete_plan, submit

AGENCIES = ["Sở Nội vụ", "Sở Tài chính", "Sở Nông nghiệp và Môi trường", "Thanh tra tỉnh"]
CLEAR = {
    "content": "Ban hành quy chế phối hợp tiếp nhận, xử lý phản ánh của người dân",
    "lead": "Sở Nội vụ",
    "partners": ("Sở Tài chính",),
    "timeline": "quý II/2026",
    "has_date": True,
    "recurring": False,
    "output": "Quyết định ban hành quy chế",
}


def review(**changes: object) -> list[tuple[Advice, str]]:
    checker = Checker(Words(), AGENCIES)
    found = checker.review(agency="Sở Nội vụ", **{**CLEAR, **changes})  # type: ignore[arg-type]
    return [(f.advice, f.detail) for f in found]


def test_a_measure_that_says_who_what_when_and_what_product_gets_no_advice() -> None:
    assert review() == []
    assert review(output="100% hồ sơ được số hóa") == []
    assert review(timeline="hằng quý", has_date=False, recurring=True) == []
    # an agency's name with "và" is one unit, not two
    assert review(lead="Sở Nông nghiệp và Môi trường") == [
        (Advice.OTHER_LEAD, "Sở Nông nghiệp và Môi trường")
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"lead": "Các sở, ngành"}, [(Advice.COLLECTIVE_LEAD, "Các sở, ngành")]),
        ({"lead": "các đơn vị liên quan"}, [(Advice.COLLECTIVE_LEAD, "các đơn vị liên quan")]),
        (
            {"lead": "Sở Tài chính, Sở Nội vụ"},
            [(Advice.SEVERAL_LEADS, "Sở Tài chính, Sở Nội vụ")],
        ),
        (
            {"content": "Tăng cường công tác quản lý nhà nước", "output": "Chuyển biến tích cực"},
            [
                (Advice.VAGUE_TASK, "tăng cường"),
                (Advice.VAGUE_PRODUCT, "Chuyển biến tích cực"),
            ],
        ),
        (
            {"content": "Tiếp tục quan tâm công tác cán bộ", "output": None},
            [(Advice.VAGUE_TASK, "tiếp tục"), (Advice.NO_PRODUCT, "")],
        ),
        (
            {"timeline": "thường xuyên", "has_date": False, "recurring": True},
            [(Advice.NO_RHYTHM, "")],
        ),
        ({"timeline": "sớm nhất có thể", "has_date": False}, [(Advice.NO_DATE, "")]),
        (
            {"partners": ("Các đơn vị liên quan",)},
            [(Advice.COLLECTIVE_PARTNERS, "Các đơn vị liên quan")],
        ),
        ({"lead": "Thanh tra tỉnh"}, [(Advice.OTHER_LEAD, "Thanh tra tỉnh")]),
        (
            {"output": "Hoàn thành tốt nhiệm vụ"},
            [(Advice.VAGUE_PRODUCT, "Hoàn thành tốt nhiệm vụ")],
        ),
        ({"output": ""}, [(Advice.NO_PRODUCT, "")]),
    ],
)
def test_what_falls_short_of_each_of_the_six(
    changes: dict[str, object], expected: list[tuple[Advice, str]]
) -> None:
    assert review(**changes) == expected


def test_a_vague_verb_with_something_measurable_is_a_task() -> None:
    assert review(content="Tăng cường kiểm tra, bảo đảm 20 cuộc mỗi năm", output="") == [
        (Advice.NO_PRODUCT, "")
    ]
    assert review(content="Đẩy mạnh chuyển đổi số", output="Kế hoạch chuyển đổi số năm 2026") == []


def test_the_word_lists_are_campaign_data() -> None:
    from bot.settings import BUNDLED_CAMPAIGN

    text = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
    assert parse_campaign(text).clarity == Words()  # the defaults
    head, rest = text.split("[[agencies]]", 1)
    own = (
        head + '[clarity]\nvague_verbs = ["rà soát"]\nproducts = ["quy chế"]\n\n[[agencies]]' + rest
    )
    campaign = parse_campaign(own)
    found = campaign.checker.review(
        agency="Sở Nội vụ", **{**CLEAR, "content": "Rà soát thủ tục", "output": "Báo cáo"}
    )  # type: ignore[arg-type]
    assert [f.advice for f in found] == [Advice.VAGUE_TASK, Advice.VAGUE_PRODUCT]


@pytest.fixture
async def h(harness: Harness) -> Harness:
    await harness.join(CONSOLIDATOR, "STC", Role.CONSOLIDATOR)
    await harness.join(FOCAL, "SNV")
    await harness.join(FOCAL2, "SXD")
    return harness


async def vague_measure(h: Harness, uid: int) -> list[Call]:
    """Item 1 answered with a vague measure led by 'các sở, ngành', output 'Hoàn thành tốt'."""
    calls = await h.send(uid, "/kehoach")
    calls = await h.press(uid, button(calls, " 1. "))
    calls = await h.press(uid, button(calls, "mục tiêu"))
    calls = await h.send(uid, "Khắc phục dứt điểm hạn chế")
    calls = await h.press(uid, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(uid, "Tăng cường công tác kiểm tra, giám sát")
    calls = await h.send(uid, "Các sở, ngành")
    if "danh sách" in text_of(calls):  # a name outside the list is asked about once
        calls = await h.press(uid, button(calls, "Giữ"))
    calls = await h.press(uid, button(calls, "Không có"))
    calls = await h.send(uid, "thường xuyên")
    calls = await h.send(uid, "Hoàn thành tốt nhiệm vụ")
    return calls


async def test_the_card_advises_and_the_submission_lists_what_to_make_clearer(
    h: Harness,
) -> None:
    calls = await vague_measure(h, FOCAL)
    card = text_of(calls)
    assert "Rà soát “6 rõ” (gợi ý, không bắt buộc):" in card
    assert "Rõ người: đơn vị chủ trì “Các sở, ngành” là tập thể" in card
    assert "Rõ việc: nhiệm vụ mới nêu “tăng cường…”" in card
    assert "Rõ thời gian: “thường xuyên” chưa cho biết nhịp độ" in card
    assert "Rõ sản phẩm: “Hoàn thành tốt nhiệm vụ” chưa phải là sản phẩm cụ thể" in card

    calls = await h.press(FOCAL, button(calls, "Xong"))
    await complete_plan_rest(h)
    calls = await h.send(FOCAL, "/nop")
    text = text_of(calls)
    assert "Rà soát “6 rõ” theo Kết luận số 226-KL/TW (gợi ý, không bắt buộc):" in text
    assert "• 1 nhiệm vụ chưa rõ người: 1.1" in text
    assert "• 2 nhiệm vụ chưa rõ sản phẩm: 1.1, 2.1" in text  # 2.1 has no output at all
    assert "Anh/chị có nộp kế hoạch của Sở Nội vụ không?" in text
    labels = [label for label, _ in buttons_of(calls)]
    assert labels[:2] == ["🔎 Nhiệm vụ 1.1", "🔎 Nhiệm vụ 2.1"]
    opened = await h.press(FOCAL, button(calls, "Nhiệm vụ 1.1"))
    assert "Tăng cường công tác kiểm tra, giám sát" in text_of(opened)
    assert "Rõ người" in text_of(opened)

    # advice, never a block
    assert "Đã nộp kế hoạch" in await submit(h, FOCAL)
    rows = await h.rows("SELECT COUNT(*) FROM submissions")
    assert rows == [(1,)]


async def complete_plan_rest(h: Harness) -> None:
    """Item 2 of SNV, with a measure that leaves only its product unclear."""
    calls = await h.send(FOCAL, "/kehoach")
    calls = await h.press(FOCAL, button(calls, " 2. "))
    calls = await h.press(FOCAL, button(calls, "mục tiêu"))
    calls = await h.send(FOCAL, "Mục tiêu 2")
    calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
    calls = await h.send(FOCAL, "Rà soát, sắp xếp lại quy trình tiếp nhận hồ sơ")
    calls = await h.press(FOCAL, button(calls, "⭐"))
    calls = await h.press(FOCAL, button(calls, "Không có"))
    calls = await h.send(FOCAL, "quý II/2026")
    calls = await h.press(FOCAL, button(calls, "Bỏ qua"))
    await h.press(FOCAL, button(calls, "Xong"))


async def test_the_consolidator_sees_counts_per_agency_and_the_review_sheet(h: Harness) -> None:
    await vague_measure(h, FOCAL)
    await complete_plan_rest(h)
    await submit(h, FOCAL)
    await complete_plan(h, FOCAL2, "SXD", 2)

    calls = await h.send(CONSOLIDATOR, "/tonghop")
    text = text_of(calls)
    assert "Rà soát “6 rõ”: 4 nhiệm vụ cần làm rõ thêm, tại 2 đơn vị: " in text
    assert "Sở Xây dựng (2), Sở Nội vụ (2)." in text  # the most first, then the campaign's order
    snv = text[text.index("<b>Sở Nội vụ</b>") :]
    assert "💡 Rà soát “6 rõ”: 2 nhiệm vụ cần làm rõ thêm" in snv.split("\n\n")[0]

    docs = [c for c in await h.press(CONSOLIDATOR, "dl:xlsx") if c.method == "sendDocument"]
    wb = load_workbook(io.BytesIO(docs[0].files["document"][1]))
    sheet = wb["Rà soát 6 rõ"]
    rows = [tuple(c.value for c in r) for r in sheet.iter_rows()]
    assert rows[0][:3] == ("STT", "Đơn vị", "Số hiệu trong kế hoạch")
    assert rows[0][7:] == ("Nội dung cần làm rõ", "Kết quả rà soát")
    assert [r[1] for r in rows[1:]] == ["Sở Xây dựng", "Sở Xây dựng", "Sở Nội vụ", "Sở Nội vụ"]
    first = rows[3]  # the agencies in the campaign's order, numbered as in the plan sheet
    assert first[:4] == (3, "Sở Nội vụ", "II.1.1", "Tăng cường công tác kiểm tra, giám sát")
    assert first[7] == "Rõ người\nRõ việc\nRõ thời gian\nRõ sản phẩm"
    assert "Đơn vị chủ trì là tập thể: “Các sở, ngành”" in first[8]
    assert sheet.auto_filter.ref == "A1:I5"


async def test_the_daily_summary_counts_the_review(h: Harness) -> None:
    from tests.test_jobs import at, tick, to

    await vague_measure(h, FOCAL)
    (summary,) = to(await tick(h, at(15, 16, 30)), CONSOLIDATOR)
    assert (
        "Rà soát “6 rõ”: 1 nhiệm vụ cần làm rõ thêm, tại 1 đơn vị: Sở Nội vụ (1)." in summary.text
    )
