"""One settings model for the whole bot, read from environment variables and a ``.env`` file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

BUNDLED_CAMPAIGN = Path(__file__).parent / "campaigns" / "bac-ninh-2025.toml"
TELEGRAM_API_URL = "https://api.telegram.org/bot"
ZALO_API_URL = "https://bot-api.zaloplatforms.com/bot"
LINKS_PATH = "/tep"  # where the HTTP server serves document links (bot.links)
UPLOAD_PATH = "/tai-len"  # where it serves the upload page (bot.upload)


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, int):
        return [value]
    return value


class Settings(BaseSettings):
    """Deployment values. Nothing here has a machine path or a secret as its default."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    bot_api_url: str = TELEGRAM_API_URL
    database_path: Path = Path("data/kehoach.sqlite3")
    campaign_file: Path = BUNDLED_CAMPAIGN
    timezone: str = "Asia/Ho_Chi_Minh"
    default_locale: str = "vi"
    # Administrators from the start: Telegram user ids, or "zalo:<id>" for Zalo accounts.
    admin_ids: Annotated[list[str], NoDecode] = Field(default_factory=list)
    # Daily summary to consolidators (issue 3).
    summary_time: dt.time = dt.time(16, 30)
    summary_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    summary_chat_id: int | None = None
    # Reminders to focal persons, relative to the plan deadline.
    reminder_days_before: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [3, 1, 0])
    reminder_time: dt.time = dt.time(8, 0)
    quiet_start: dt.time = dt.time(21, 0)
    quiet_end: dt.time = dt.time(7, 0)
    # The follow-through's daily nudges (measures coming due, reports, answers), from
    # REMINDER_TIME on these weekdays (0 = Monday); empty = none.
    nudge_days: Annotated[list[int], NoDecode] = Field(default_factory=lambda: [0, 1, 2, 3, 4])
    invite_days: int = Field(default=7, ge=1, le=365)
    # Messages per second the bot allows itself overall: a margin under Telegram's ~30; 0 = off.
    rate_limit_overall: float = Field(default=28, ge=0)
    # Broadcasts (reminders, /nhacnho) per second, paced under the overall rate so that replies
    # always have room; 0 = as fast as the overall rate allows.
    broadcast_rate: float = Field(default=20, ge=0)
    # Daily automatic backup (optional): a folder, how many days to keep, the local time.
    backup_dir: Path | None = None
    backup_keep: int = Field(default=7, ge=1, le=365)
    backup_time: dt.time = dt.time(2, 30)
    # Webhook mode (optional): Telegram posts updates to WEBHOOK_URL; the bot listens locally.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    # Zalo Bot Platform (optional, beside or instead of Telegram).
    zalo_bot_token: SecretStr | None = None
    zalo_api_url: str = ZALO_API_URL
    zalo_webhook_url: str | None = None
    zalo_webhook_secret: SecretStr | None = None
    zalo_rate_limit: float = Field(default=5, ge=0)  # messages per second; 0 = no limit
    zalo_monthly_quota: int = Field(default=0, ge=0)  # messages a month; 0 = not counted against
    # /healthz, /readyz and /metrics on the bot's HTTP server (WEBHOOK_LISTEN:WEBHOOK_PORT).
    monitoring: bool = False
    # Logs on stderr: "text" lines, or "json" objects (one a line, for collectors); the level.
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # Where the bot's HTTP server is reached from outside (document links for Zalo).
    public_base_url: str | None = None
    link_hours: int = Field(default=24, ge=1, le=24 * 7)  # how long a document link works

    @field_validator("summary_days", "reminder_days_before", "nudge_days", mode="before")
    @classmethod
    def _csv(cls, value: object) -> object:
        return _split_csv(value)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _admin_csv(cls, value: object) -> object:
        value = _split_csv(value)
        return [str(v) for v in value] if isinstance(value, list) else value

    @field_validator("admin_ids")
    @classmethod
    def _admins(cls, value: list[str]) -> list[str]:
        for item in value:
            channel, sep, ident = str(item).rpartition(":")
            channel = channel if sep else "telegram"
            ok = ident.isdigit() if channel == "telegram" else ident.isalnum()
            if channel not in ("telegram", "zalo") or not ok:
                raise ValueError(f"{item!r}: a Telegram user id, or zalo:<id>")
        return [str(v) for v in value]

    @property
    def admin_accounts(self) -> frozenset[tuple[str, str]]:
        """(channel, id) of each bootstrap administrator; a bare id is a Telegram one."""
        out = set()
        for item in self.admin_ids:
            channel, sep, ident = item.rpartition(":")
            out.add((channel if sep else "telegram", ident))
        return frozenset(out)

    def secrets(self) -> list[str]:
        """Every secret value, for the log formatter to mask."""
        return [
            s.get_secret_value()
            for s in (
                self.bot_token,
                self.webhook_secret,
                self.zalo_bot_token,
                self.zalo_webhook_secret,
            )
            if s is not None and s.get_secret_value()
        ]

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _locale(cls, value: str) -> str:
        if value not in ("vi", "en"):
            raise ValueError("must be 'vi' or 'en'")
        return value

    @field_validator("bot_api_url", "zalo_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value

    @field_validator("summary_days", "nudge_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(d < 0 or d > 6 for d in value):
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday)")
        return value

    @field_validator("webhook_url", "zalo_webhook_url", "public_base_url")
    @classmethod
    def _webhook(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://") and not value.startswith("http://127."):
            raise ValueError("must be an https:// URL")
        return value or None

    def require_webhook_secret(self) -> str:
        secret = self.webhook_secret.get_secret_value() if self.webhook_secret else ""
        if len(secret) < 16 or not all(c.isalnum() or c in "_-" for c in secret):
            raise SettingsError(
                "WEBHOOK_SECRET must be set (16-256 characters: letters, digits, _ and -) "
                "when WEBHOOK_URL is set"
            )
        return secret

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require_token(self) -> str:
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise SettingsError("BOT_TOKEN is not set: put it in the environment or in .env")
        return self.bot_token.get_secret_value().strip()

    @property
    def telegram_enabled(self) -> bool:
        return self.bot_token is not None and bool(self.bot_token.get_secret_value().strip())

    @property
    def zalo_enabled(self) -> bool:
        return self.zalo_bot_token is not None and bool(
            self.zalo_bot_token.get_secret_value().strip()
        )

    def require_channel(self) -> None:
        if not (self.telegram_enabled or self.zalo_enabled):
            raise SettingsError(
                "no channel: set BOT_TOKEN (Telegram, from @BotFather) and/or ZALO_BOT_TOKEN "
                "(Zalo Bot Platform) in the environment or in .env — or try `kehoach-bot demo`"
            )
        self.require_distinct_paths()

    def require_distinct_paths(self) -> None:
        """Each webhook on a path of its own on the one HTTP server, apart from the document
        links: two on one path would leave one channel deaf (or the start in a traceback)."""
        paths: dict[str, str] = {}
        for name, url, enabled in (
            ("WEBHOOK_URL", self.webhook_url, self.telegram_enabled),
            ("ZALO_WEBHOOK_URL", self.zalo_webhook_url, self.zalo_enabled),
        ):
            if not url or not enabled:
                continue
            path = (urlparse(url).path or "/").rstrip("/") or "/"
            if path in paths:
                raise SettingsError(
                    f"{paths[path]} and {name} have the same path ({path}): give each webhook a "
                    "path of its own, e.g. /telegram and /zalo"
                )
            for taken, what in ((LINKS_PATH, "document links"), (UPLOAD_PATH, "upload page")):
                if path == taken or path.startswith(taken + "/"):
                    raise SettingsError(
                        f"{name} uses the path of the {what} ({taken}): choose another"
                    )
            paths[path] = name

    def require_zalo_token(self) -> str:
        token = self.zalo_bot_token.get_secret_value().strip() if self.zalo_bot_token else ""
        if not token:
            raise SettingsError("ZALO_BOT_TOKEN is not set")
        return token

    def require_zalo_webhook_secret(self) -> str:
        secret = self.zalo_webhook_secret.get_secret_value() if self.zalo_webhook_secret else ""
        if not 8 <= len(secret) <= 256:
            raise SettingsError(
                "ZALO_WEBHOOK_SECRET must be set (8-256 characters) when ZALO_WEBHOOK_URL is set"
            )
        return secret

    @property
    def needs_http(self) -> bool:
        """The bot's own HTTP server runs for webhooks, document links and monitoring."""
        return bool(
            self.webhook_url or self.zalo_webhook_url or self.public_base_url or self.monitoring
        )


def load_settings(**overrides: object) -> Settings:
    """Read the settings, turning a validation error into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        first = exc.errors()[0]
        name = ".".join(str(p) for p in first["loc"]).upper() or "settings"
        msg = str(first["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"Setting {name} is invalid: {msg}") from None
