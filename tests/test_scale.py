"""Behaviour that matters when a campaign has many agencies (communes, a whole country)."""

from __future__ import annotations

from pathlib import Path

from bot.settings import BUNDLED_CAMPAIGN
from tests.conftest import (
    FOCAL,
    Clock,
    button,
    buttons_of,
    make_settings,
    start_harness,
    stop_harness,
)
from tests.helpers import complete_plan, fill_item


def big_campaign(folder: Path, agencies: int) -> Path:
    text = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
    head = text[: text.index("[[agencies]]")]
    parts = [head, '[[agencies]]\ncode = "STC"\nname = "Sở Tài chính"\n']
    for n in range(1, agencies):
        parts.append(f'[[agencies]]\ncode = "X{n:04d}"\nname = "Xã số {n}"\n')
    for n in range(1, agencies):
        parts.append(f'[[items]]\ngroup = {n}\nagencies = ["X{n:04d}"]\ntext = "Hạn chế {n}"\n')
    path = folder / "big.toml"
    path.write_text("".join(parts), encoding="utf-8")
    return path


async def test_lead_and_partner_buttons_are_capped(tmp_path: Path, clock: Clock) -> None:
    h = await start_harness(
        make_settings(tmp_path, campaign_file=big_campaign(tmp_path, 30)), clock
    )
    try:
        await h.join(FOCAL, "X0007")
        calls = await h.send(FOCAL, "/kehoach")
        calls = await h.press(FOCAL, button(calls, " 1. "))
        calls = await h.press(FOCAL, button(calls, "Thêm nhiệm vụ"))
        calls = await h.send(FOCAL, "Giải pháp")
        labels = [label for label, _ in buttons_of(calls)]
        assert labels[0] == "⭐ Xã số 7" and labels[1] == "Sở Tài chính"
        assert len(labels) == 20 + 1  # 20 agencies and "back"
        calls = await h.press(FOCAL, button(calls, "⭐"))
        calls = await h.send(FOCAL, "Xã số 29")  # not offered as a button: typed
        assert "☑️ Xã số 29" in [label for label, _ in buttons_of(calls)]  # chosen ones come first
    finally:
        await stop_harness(h)


async def test_bulk_plans_equal_single_plans(harness) -> None:
    h = harness
    await h.join(FOCAL, "SNV")
    await complete_plan(h, FOCAL, "SNV", 2)
    await h.join(FOCAL + 5, "SXD")
    await fill_item(h, FOCAL + 5, 1, "Mục tiêu SXD", [("Giải pháp SXD", "năm 2026")])
    async with h.db.transaction() as tx:
        campaign = await tx.campaigns.active()
        bulk = await tx.plans.plans(campaign.id)
        single = [await tx.plans.plan(campaign.id, p.agency.id) for p in bulk]
    assert bulk == single and len(bulk) == 9
