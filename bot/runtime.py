"""Wiring of one bot process: settings → database → core → Telegram application."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Any

from telegram.ext import Application

import locales as i18n
from bot.jobs import Scheduler
from bot.settings import Settings
from bot.telegram.channel import CHANNEL, TelegramChannel, build_application, register_commands
from bot.telegram.polling import ALLOWED_UPDATES, poll
from db.connection import Database
from domain.campaign import load_campaign
from domain.schedule import ScheduleConfig
from handlers.context import Clock, Services, utc_now
from handlers.router import Core
from handlers.types import Recipient

log = logging.getLogger(__name__)


def make_services(settings: Settings, clock: Clock = utc_now) -> Services:
    return Services(
        tz=settings.tz,
        clock=clock,
        admin_ids=frozenset(str(i) for i in settings.admin_ids),
        default_locale=settings.default_locale,
        invite_days=settings.invite_days,
    )


async def open_database(settings: Settings, services: Services) -> Database:
    """Open (and migrate) the database and load the configured campaign, idempotently."""
    db = await Database.open(settings.database_path)
    campaign = load_campaign(settings.campaign_file)
    async with db.transaction() as tx:
        active = await tx.campaigns.active()
        unchanged = (
            await tx.campaigns.stored_definition(campaign.code) == campaign.model_dump_json()
        )
        if active is None or (active.definition.code == campaign.code and not unchanged):
            await tx.campaigns.load(campaign, services.clock())
    return db


def schedule_config(settings: Settings) -> ScheduleConfig:
    return ScheduleConfig(
        reminder_days_before=tuple(settings.reminder_days_before),
        reminder_time=settings.reminder_time,
        quiet_start=settings.quiet_start,
        quiet_end=settings.quiet_end,
        summary_time=settings.summary_time,
        summary_days=tuple(settings.summary_days),
    )


class Runtime:
    """Owns the resources of the running bot; PTB calls post_init/post_shutdown."""

    def __init__(self, settings: Settings, clock: Clock = utc_now, **app_kwargs: Any) -> None:
        i18n.set_default(settings.default_locale)
        self.settings = settings
        self.services = make_services(settings, clock)
        self.db: Database | None = None
        self.core = Core(None, self.services)  # type: ignore[arg-type]  # set in post_init
        self.channel = TelegramChannel(self.core)
        self.scheduler: Scheduler | None = None
        self.app: Application = build_application(  # type: ignore[type-arg]
            settings.require_token(),
            settings.bot_api_url,
            self.channel,
            settings.tz,
            rate_limit=settings.rate_limit_overall,
            post_init=self.post_init,
            post_shutdown=self.post_shutdown,
            **app_kwargs,
        )

    async def post_init(self, app: Application) -> None:  # type: ignore[type-arg]
        self.db = await open_database(self.settings, self.services)
        self.core.db = self.db
        self.services.bot_username = app.bot.username
        await register_commands(app)
        self.scheduler = Scheduler(
            self.db,
            self.services,
            schedule_config(self.settings),
            lambda reply: self.channel.send(app.bot, reply),
            summary_chat=Recipient(CHANNEL, str(self.settings.summary_chat_id))
            if self.settings.summary_chat_id
            else None,
        )
        await self.scheduler.start()
        if app.job_queue is not None:
            app.job_queue.run_repeating(self.scheduler.job, interval=60, first=1, name="schedule")
        log.info("bot @%s ready", app.bot.username)

    async def post_shutdown(self, app: Application) -> None:  # type: ignore[type-arg]
        if self.db is not None:
            await self.db.close()
            self.db = None

    async def run_polling(self) -> None:
        """Run until SIGTERM/SIGINT: initialize, post_init, poll, then shut down cleanly."""
        app = self.app
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        async with app:
            await app.bot.delete_webhook()
            await self.post_init(app)
            await app.start()
            task = asyncio.create_task(poll(app, stop))
            stopped = asyncio.create_task(stop.wait())
            done, _pending = await asyncio.wait(
                {task, stopped}, return_when=asyncio.FIRST_COMPLETED
            )
            task.cancel()
            stopped.cancel()
            if task in done and task.exception():
                raise task.exception()  # type: ignore[misc]
            await app.stop()
        await self.post_shutdown(app)

    def run_webhook(self) -> None:
        """Telegram posts updates to WEBHOOK_URL; a request without the secret gets 403."""
        from urllib.parse import urlparse

        url = self.settings.webhook_url
        assert url is not None
        self.app.run_webhook(
            listen=self.settings.webhook_listen,
            port=self.settings.webhook_port,
            url_path=urlparse(url).path.lstrip("/"),
            webhook_url=url,
            secret_token=self.settings.require_webhook_secret(),
            allowed_updates=ALLOWED_UPDATES,
        )
