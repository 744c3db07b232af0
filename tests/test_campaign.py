"""Campaign files are data: the bundled seed, validation with places, idempotent loading."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pydantic
import pytest

from bot.settings import BUNDLED_CAMPAIGN
from db import Database
from domain.campaign import CampaignError, load_campaign, parse_campaign, stored_campaign

NOW = dt.datetime(2026, 1, 15, 2, 0, tzinfo=dt.UTC)


def test_bundled_seed_directive() -> None:
    c = load_campaign(BUNDLED_CAMPAIGN)
    assert len(c.agencies) == 9
    assert sorted({i.group for i in c.items}) == list(range(1, 9))
    assert c.deadlines.plans_due == dt.date(2026, 1, 21)
    assert c.deadlines.consolidation_due == dt.date(2026, 1, 22)
    assert c.consolidator.agency == "STC"
    seven = [i for i in c.items if i.group == 7]
    assert len(seven) == 1 and seven[0].agencies == ("SGDDT", "SYT")
    shared = "Năng lực doanh nghiệp trong tỉnh, nhất là về công nghiệp hỗ trợ còn hạn chế."
    assert shared.lower() in c.items[0].text.lower() and c.items[6].text == shared  # items 1, 4
    assert c.items[6].agencies == ("SCT",)


def _broken(text: str) -> list[str]:
    with pytest.raises(CampaignError) as err:
        parse_campaign(text)
    return err.value.problems


def test_errors_name_their_place() -> None:
    good = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
    assert _broken("code = ")[0].startswith("TOML syntax")
    problems = _broken(good.replace('agencies = ["TTT"]', 'agencies = ["XYZ"]'))
    assert problems == ["(file): items #12: unknown agency XYZ"]
    problems = _broken(good.replace("plans_due = 2026-01-21", "plans_due = 2026-01-31"))
    assert "consolidation_due is before" in problems[0]
    problems = _broken(good.replace('code = "SNV"', 'code = "snv"'))
    assert problems[0].startswith("agencies #6.code:")
    problems = _broken(good.replace("group = 8", "group = 0"))
    assert problems[0].startswith("items #12.group:")


async def test_reload_is_idempotent_and_keeps_answers(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        c = load_campaign(BUNDLED_CAMPAIGN)
        async with db.transaction() as tx:
            first = await tx.campaigns.load(c, NOW)
            active = await tx.campaigns.active()
            snv = await tx.campaigns.agency_by_code("SNV")
            plan = await tx.plans.plan(active.id, snv.id)
            await tx.plans.set_objective(plan.shortcomings[0].assignment_id, "giữ lại")
        assert first.created and first.assignments_added == 13
        # A new version of the file drops one of SNV's items and renames an agency.
        text = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
        start = text.index('[[items]]\ngroup = 5\nagencies = ["SNV"]\ntext = "Đội ngũ')
        end = text.index("# 6. Sở Khoa học")
        changed = parse_campaign(
            (text[:start] + text[end:]).replace(
                'name = "Thanh tra tỉnh"', 'name = "Thanh tra Tỉnh"'
            )
        )
        async with db.transaction() as tx:
            again = await tx.campaigns.load(changed, NOW)
            assert (again.created, again.assignments_added, again.assignments_retired) == (
                False,
                0,
                1,
            )
            plan = await tx.plans.plan(active.id, snv.id)
            assert [s.objective for s in plan.shortcomings] == ["giữ lại"]
            assert (await tx.campaigns.agency_by_code("TTT")).name == "Thanh tra Tỉnh"
            restored = await tx.campaigns.load(c, NOW)
            assert restored.assignments_added == 0
            plan = await tx.plans.plan(active.id, snv.id)
            assert len(plan.shortcomings) == 2 and plan.shortcomings[0].objective == "giữ lại"
    finally:
        await db.close()


async def test_several_campaigns_one_active(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        c = load_campaign(BUNDLED_CAMPAIGN)
        other = parse_campaign(
            BUNDLED_CAMPAIGN.read_text(encoding="utf-8").replace(
                'code = "bac-ninh-2025"', 'code = "bac-ninh-2026"'
            )
        )
        async with db.transaction() as tx:
            await tx.campaigns.load(c, NOW)
            await tx.campaigns.load(other, NOW)
            assert await tx.campaigns.list_codes() == [
                ("bac-ninh-2025", False),
                ("bac-ninh-2026", True),
            ]
            await tx.campaigns.load(c, NOW, activate=False)
            assert (await tx.campaigns.active()).definition.code == "bac-ninh-2026"
    finally:
        await db.close()


TEMPLATE = BUNDLED_CAMPAIGN.with_name("xa-phuong-mau.toml")


def test_an_item_with_a_kind_goes_to_every_agency_of_that_kind() -> None:
    c = load_campaign(TEMPLATE)
    communes = tuple(a.code for a in c.agencies if a.kind == "xa")
    assert len(communes) == 3
    assert [c.assigned(item) for item in c.items] == [communes, communes, ("SNV",), ("SKHCN",)]
    mixed = c.items[0].model_copy(update={"agencies": ("SNV", "XA_MAU_02"), "kinds": ("xa",)})
    assert c.assigned(mixed) == ("SNV", "XA_MAU_02", "XA_MAU_01", "PHUONG_MAU_01")  # each once


def test_an_item_assigned_to_nobody_is_refused() -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    assert _broken(text.replace('group = 1\nkinds = ["xa"]', "group = 1\nkinds = []", 1)) == [
        "(file): items #1: no agency is assigned (list agencies, or kinds with agencies)"
    ]
    only_departments = text.replace('kind = "xa"', 'kind = "so"')
    assert "items #1: no agency is assigned" in _broken(only_departments)[0]
    assert _broken(text.replace('kind = "xa"', 'kind = "huyen"', 1))[0].startswith(
        "agencies #3.kind:"
    )


def test_the_communes_template_holds_only_samples() -> None:
    c = load_campaign(TEMPLATE)
    samples = [a for a in c.agencies if a.kind == "xa"]
    assert samples and all("(mẫu, thay bằng danh sách thật)" in a.name for a in samples)
    assert all(item.text.startswith("(Nội dung mẫu)") for item in c.items)
    assert "(mẫu)" in c.directive.issuer and "(mẫu)" in c.title


async def test_the_template_loads_one_plan_per_commune(tmp_path: Path) -> None:
    db = await Database.open(tmp_path / "k.sqlite3")
    try:
        async with db.transaction() as tx:
            result = await tx.campaigns.load(load_campaign(TEMPLATE), NOW)
        assert result.assignments_added == 8  # 2 items x 3 communes + 2 departments
    finally:
        await db.close()


# -- valid but ambiguous (18.15) ---------------------------------------------------------------


def test_two_agencies_with_the_same_name_are_refused() -> None:
    good = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
    twice = good.replace('name = "Sở Tài chính"', 'name = "Sở Nội vụ"', 1)
    (problem,) = _broken(twice)
    assert "have the same name 'Sở Nội vụ'" in problem
    spaced = good.replace('name = "Sở Tài chính"', 'name = "sở  nội VỤ"', 1)  # case, spaces
    assert "have the same name" in _broken(spaced)[0]


@pytest.mark.parametrize(
    "other",
    [
        "Chuye\u0302\u0309n đổi số",  # decomposed: looks the same
        "Chuyển đổi\u200b số",  # a zero-width space inside
        "Chuyển đổi số",  # the very same
    ],
)
def test_proposal_fields_that_only_look_different_are_refused(other: str) -> None:
    good = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
    text = good.replace('  "Khác",\n', f'  "Khác",\n  "{other}",\n', 1)
    assert text != good
    (problem,) = _broken(text)
    assert "proposals.fields" in problem


def test_a_period_due_long_after_it_ends_is_a_warning_not_an_error() -> None:
    from domain.campaign import campaign_warnings

    good = BUNDLED_CAMPAIGN.read_text(encoding="utf-8")
    assert campaign_warnings(parse_campaign(good)) == []
    late = parse_campaign(good.replace("due = 2026-03-15", "due = 2026-12-31", 1))
    (warning,) = campaign_warnings(late)
    assert "period 2026-Q1: the report is due 275 days after the period ends" in warning


def test_a_stored_definition_is_read_back_without_the_cross_checks() -> None:
    """The database holds definitions that passed every check when loaded; reading one back at
    each start validates its fields but does not repeat the checks across thousands of agencies
    (part of start-up, #19) — and a file is still checked whole."""
    campaign = parse_campaign(BUNDLED_CAMPAIGN.read_text(encoding="utf-8"))
    data = campaign.model_dump(mode="json")
    assert stored_campaign(campaign.model_dump_json()) == campaign
    data["agencies"][1]["name"] = data["agencies"][0]["name"]  # a check across agencies only
    text = json.dumps(data)
    assert stored_campaign(text).agencies[1].name == data["agencies"][0]["name"]
    with pytest.raises(pydantic.ValidationError, match="have the same name"):
        type(campaign).model_validate_json(text)
    data["deadlines"]["plans_due"] = "not a date"  # a field is still validated
    with pytest.raises(pydantic.ValidationError):
        stored_campaign(json.dumps(data))
