"""Settings from the environment and .env; bad ones stop start-up with one line and exit 2."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.settings import SettingsError, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)  # no stray .env
    for name in ("BOT_TOKEN", "ADMIN_IDS", "TIMEZONE", "DATABASE_PATH", "SUMMARY_TIME"):
        monkeypatch.delenv(name, raising=False)


def test_defaults_and_env(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_settings()
    assert s.bot_token is None and s.timezone == "Asia/Ho_Chi_Minh"
    assert s.database_path == Path("data/kehoach.sqlite3")
    monkeypatch.setenv("BOT_TOKEN", "123:s3cr3t-v4lue")
    monkeypatch.setenv("ADMIN_IDS", "11, 22, zalo:a1b2c3")
    monkeypatch.setenv("SUMMARY_TIME", "17:00")
    monkeypatch.setenv("NUDGE_DAYS", "")
    s = load_settings()
    assert s.admin_accounts == {("telegram", "11"), ("telegram", "22"), ("zalo", "a1b2c3")}
    assert s.summary_time == dt.time(17, 0) and s.nudge_days == []
    assert "s3cr3t" not in repr(s) and s.require_token() == "123:s3cr3t-v4lue"


def test_dotenv_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BOT_TOKEN=9:from-dotenv\nDEFAULT_LOCALE=en\n")
    s = load_settings()
    assert s.require_token() == "9:from-dotenv" and s.default_locale == "en"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TIMEZONE", "Mars/Base", "Setting TIMEZONE is invalid: unknown time zone 'Mars/Base'"),
        ("ADMIN_IDS", "abc", "Setting ADMIN_IDS is invalid: 'abc': a Telegram user id"),
        ("BOT_API_URL", "ftp://x", "Setting BOT_API_URL is invalid: must start with http"),
        ("NUDGE_DAYS", "1,7", "Setting NUDGE_DAYS is invalid: weekdays are 0 (Monday) to 6"),
    ],
)
def test_malformed_setting(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as err:
        load_settings()
    assert str(err.value).startswith(message)


def test_run_without_token_exits_2_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("kehoach-bot: no channel: set BOT_TOKEN")
    assert "ZALO_BOT_TOKEN" in err[0] and "kehoach-bot demo" in err[0]


def test_malformed_setting_exits_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TIMEZONE", "nowhere")
    assert main(["users"]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_env_example_is_a_valid_settings_file(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent.parent / ".env.example"
    (tmp_path / ".env").write_text(example.read_text(encoding="utf-8"))
    s = load_settings()
    assert s.summary_days == [0, 1, 2, 3, 4] and s.reminder_days_before == [3, 1, 0]
    assert s.quiet_start == dt.time(21, 0) and s.admin_ids == []
    assert s.nudge_days == [0, 1, 2, 3, 4]
    with pytest.raises(SettingsError):
        s.require_token()  # left empty on purpose


@pytest.mark.parametrize(
    ("telegram", "zalo", "said"),
    [
        (
            "https://bot.example.vn/hook",
            "https://bot.example.vn/hook",
            "have the same path (/hook)",
        ),
        ("https://a.example.vn/hook/", "https://b.example.vn/hook", "have the same path"),
        ("https://bot.example.vn/tg", "https://bot.example.vn/tep/x", "path of the document links"),
    ],
)
def test_webhooks_on_one_path_are_refused_with_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    telegram: str,
    zalo: str,
    said: str,
) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:s3cr3t-v4lue")
    monkeypatch.setenv("WEBHOOK_URL", telegram)
    monkeypatch.setenv("WEBHOOK_SECRET", "s" * 20)
    monkeypatch.setenv("ZALO_BOT_TOKEN", "zalo-s3cr3t")
    monkeypatch.setenv("ZALO_WEBHOOK_URL", zalo)
    monkeypatch.setenv("ZALO_WEBHOOK_SECRET", "z" * 20)
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and said in err, err
    if "same path" in said:
        assert "WEBHOOK_URL and ZALO_WEBHOOK_URL" in err
    assert "s3cr3t" not in err


def test_webhooks_on_their_own_paths_pass(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", "123:s3cr3t-v4lue")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.vn/telegram")
    monkeypatch.setenv("ZALO_BOT_TOKEN", "zalo-s3cr3t")
    monkeypatch.setenv("ZALO_WEBHOOK_URL", "https://bot.example.vn/zalo")
    load_settings().require_channel()  # no SettingsError
