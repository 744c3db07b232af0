"""An edited or another campaign file at start: agencies taken out keep their data and lose
their rights, with one warning (18.5); a file naming another campaign is refused (18.6); what is
valid but odd is warned about (18.15)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.app import open_database
from bot.settings import BUNDLED_CAMPAIGN, SettingsError
from domain.campaign import load_campaign
from domain.model import Role
from domain.roster import with_agencies
from tests.conftest import (
    CONSOLIDATOR,
    FOCAL,
    Clock,
    button,
    make_settings,
    start_harness,
    stop_harness,
    text_of,
)

TEMPLATE = BUNDLED_CAMPAIGN.with_name("xa-phuong-mau.toml")


def _without(path: Path, code: str) -> None:
    campaign = load_campaign(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        with_agencies(text, [a for a in campaign.agencies if a.code != code]), encoding="utf-8"
    )


async def test_an_agency_taken_out_of_the_file_keeps_its_data_and_loses_its_rights(
    tmp_path: Path,
    clock: Clock,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    campaign = tmp_path / "xa.toml"
    campaign.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    settings = make_settings(tmp_path, campaign_file=campaign)
    h = await start_harness(settings, clock)
    await h.join(CONSOLIDATOR, "SNV", Role.CONSOLIDATOR)
    await h.join(FOCAL, "XA_MAU_01")
    calls = await h.send(FOCAL, "/kiennghi")
    calls = await h.press(FOCAL, button(calls, "Kiến nghị mới"))
    calls = await h.press(FOCAL, button(calls, "Chuyển đổi số"))
    calls = await h.send(FOCAL, "Đề nghị hỗ trợ thiết bị")
    calls = await h.press(FOCAL, button(calls, "Chưa rõ"))
    await h.press(FOCAL, button(calls, "Gửi kiến nghị"))
    await stop_harness(h)

    _without(campaign, "XA_MAU_01")
    caplog.set_level(logging.INFO)
    h = await start_harness(settings, clock)
    try:
        warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
        (line,) = [w for w in warnings if "no longer in campaign" in w]
        assert "XA_MAU_01 (0 measures, 0 plan versions submitted, 1 proposals, 1 people)" in line
        assert "kehoach-bot campaign removed" in line
        for what in ("/kiennghi", "/kehoach", "xin chào"):
            text = text_of(await h.send(FOCAL, what))
            assert "không còn trong danh sách đơn vị của đợt này" in text, what
            assert "Mọi nội dung đã nhập vẫn được giữ" in text
        assert await h.rows("SELECT number, content FROM proposals") == [
            (1, "Đề nghị hỗ trợ thiết bị")
        ]
        assert await h.rows(
            "SELECT COUNT(*) FROM memberships m JOIN agencies a ON a.id = m.agency_id"
            " WHERE a.code = 'XA_MAU_01'"
        ) == [(1,)]
    finally:
        await stop_harness(h)

    monkeypatch.setenv("DATABASE_PATH", str(settings.database_path))
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["campaign", "removed"]) == 0
    out = capsys.readouterr().out
    assert "XA_MAU_01" in out and "1 proposals, 1 people" in out


async def test_a_file_naming_another_campaign_is_refused_at_start(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    first = make_settings(tmp_path)  # the bundled campaign, bac-ninh-2025
    await stop_harness(await start_harness(first, Clock(dt.datetime(2026, 1, 15, tzinfo=dt.UTC))))
    assert "campaign bac-ninh-2025 active" in caplog.text
    other = make_settings(tmp_path, campaign_file=TEMPLATE)
    with pytest.raises(SettingsError) as err:
        await open_database(other)
    message = str(err.value)
    assert "holds campaign xa-phuong-mau, but the active campaign is bac-ninh-2025" in message
    assert f"kehoach-bot campaign load {TEMPLATE}" in message and "\n" not in message
    db = await open_database(first)  # nothing changed: the first still opens, still active
    try:
        async with db.read() as tx:
            active = await tx.campaigns.active()
        assert active is not None and active.definition.code == "bac-ninh-2025"
    finally:
        await db.close()


def test_the_operator_switches_campaigns_explicitly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_PATH", str(tmp_path / "k.sqlite3"))
    monkeypatch.setenv("CAMPAIGN_FILE", str(BUNDLED_CAMPAIGN))
    assert main(["users"]) == 0  # the first start: bac-ninh-2025
    monkeypatch.setenv("CAMPAIGN_FILE", str(TEMPLATE))
    capsys.readouterr()
    assert main(["users"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "but the active campaign is bac-ninh-2025" in err
    assert main(["campaign", "load", str(TEMPLATE)]) == 0  # the explicit switch
    assert main(["users"]) == 0
    assert main(["campaign", "list"]) == 0
    assert "* xa-phuong-mau" in capsys.readouterr().out


async def test_check_and_start_warn_of_a_report_due_long_after_its_period(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    late = tmp_path / "late.toml"
    late.write_text(
        BUNDLED_CAMPAIGN.read_text(encoding="utf-8").replace(
            "due = 2026-03-15", "due = 2026-12-31", 1
        ),
        encoding="utf-8",
    )
    assert await asyncio.to_thread(main, ["campaign", "check", str(late)]) == 0
    assert "warning: period 2026-Q1: the report is due 275 days after" in capsys.readouterr().out
    settings = make_settings(tmp_path, campaign_file=late)
    await stop_harness(
        await start_harness(settings, Clock(dt.datetime(2026, 1, 15, tzinfo=dt.UTC)))
    )
    assert next(r for r in caplog.records if "275 days after" in r.getMessage()).levelname == (
        "WARNING"
    )
