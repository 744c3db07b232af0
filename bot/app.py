"""The composition root: one process, one event loop, everything built and run here.

settings → database (migrated, campaign loaded) → core → channels (Telegram, Zalo: each receives
updates and renders messages) → one outbox sender per channel → scheduler (reminders, summaries)
→ report worker (documents in another process) → HTTP server (webhooks, document links).

``App.run`` returns the process's exit code: 0 after SIGTERM/SIGINT, 2 when a channel cannot
work at all (a rejected token: one line, no secret), 1 when any part stops unexpectedly — a
process that runs but hears nothing is never left behind; a supervisor restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import signal
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlparse

from bot.backups import DailyBackup
from bot.heartbeats import Heartbeats
from bot.reports import ReportWorker, ReportWorkerDead
from bot.sender import ChannelFatal, Sender
from bot.settings import Settings, SettingsError
from db.connection import Database, DatabaseUnavailable
from db.documents import StoredDocument
from db.outbox import OutboxItem
from db.repos import Repos
from domain.campaign import CampaignError, campaign_warnings, parse_campaign
from domain.model import Role
from domain.schedule import ScheduleConfig
from handlers.context import Clock, Services, utc_now
from handlers.jobs import Jobs
from handlers.router import Core
from handlers.types import Outgoing, Recipient
from locales import set_default

if TYPE_CHECKING:
    from bot.links import Links
    from bot.metrics import Metrics
    from bot.web import WebServer

log = logging.getLogger(__name__)

EXIT_OK, EXIT_FAILED, EXIT_CONFIG = 0, 1, 2


class Channel(Protocol):
    name: str
    numbered: bool
    heartbeat: Callable[[], None]  # called each time updates are fetched

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def invite_line(self, code: str) -> str: ...

    async def deliver(
        self, item: OutboxItem, message: Outgoing, document: StoredDocument | None
    ) -> int | None: ...


def schedule_config(settings: Settings) -> ScheduleConfig:
    return ScheduleConfig(
        reminder_days_before=tuple(settings.reminder_days_before),
        reminder_time=settings.reminder_time,
        quiet_start=settings.quiet_start,
        quiet_end=settings.quiet_end,
        summary_time=settings.summary_time,
        summary_days=tuple(settings.summary_days),
        nudge_days=tuple(settings.nudge_days),
    )


async def open_database(settings: Settings, clock: Clock = utc_now) -> Database:
    """Open (and migrate) the database and load the configured campaign, idempotently. The
    file is parsed only when its bytes differ from those the active campaign was loaded from."""
    path = settings.campaign_file
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CampaignError(path, [f"cannot read: {exc.strerror}"]) from None
    source = hashlib.sha256(data).hexdigest()
    db = await Database.open(settings.database_path)
    try:
        async with db.transaction() as tx:
            if await tx.campaigns.active_source_digest() != source:
                await _load_configured(tx, path, data, source, clock)
    except BaseException:
        await db.close()  # an open connection's thread would keep the process alive
        raise
    return db


async def describe_campaign(db: Database) -> None:
    """Says at start which campaign is active (read without parsing its definition: a campaign
    of 3,800 agencies takes 0.2 s to parse, paid by the warm-up beside the first getUpdates)."""
    async with db.read() as tx:
        active = await tx.campaigns.summary()
    if active is None:
        log.warning("no campaign is active")
        return
    due = dt.date.fromisoformat(active.plans_due)
    log.info(
        "campaign %s active (%s): %d agencies, %d items, plans due %s",
        active.code,
        active.title,
        active.agencies,
        active.items,
        due.strftime("%d/%m/%Y"),
    )


async def _load_configured(tx: Repos, path: Path, data: bytes, source: str, clock: Clock) -> None:
    """Loads the configured file when it is new or changed. A file naming another campaign than
    the active one is refused: switching campaigns is ``kehoach-bot campaign load``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise CampaignError(path, ["not UTF-8 text"]) from None
    campaign = parse_campaign(text, path)
    active = await tx.campaigns.summary()
    if active is not None and active.code != campaign.code:
        raise SettingsError(
            f"CAMPAIGN_FILE {path} holds campaign {campaign.code}, but the active campaign is "
            f"{active.code}: to switch, run `kehoach-bot campaign load {path}` "
            f"(the data of {active.code} stays); otherwise set CAMPAIGN_FILE back "
            "to the active campaign's file"
        )
    for warning in campaign_warnings(campaign):  # valid but odd: said whenever it is loaded
        log.warning("campaign %s: %s", campaign.code, warning)
    digest = hashlib.sha256(campaign.model_dump_json().encode()).hexdigest()
    if await tx.campaigns.stored_digest(campaign.code) != digest or active is None:
        await tx.campaigns.load(campaign, clock())
    await tx.campaigns.set_source_digest(campaign.code, source)


async def _parse_active(tx: Repos) -> None:
    await tx.campaigns.active()


class App:
    def __init__(
        self,
        settings: Settings,
        clock: Clock = utc_now,
        *,
        telegram_request: Any = None,
        telegram_updates_request: Any = None,
        reports_in_process: bool = False,
    ) -> None:
        set_default(settings.default_locale)
        self.settings = settings
        self.clock = clock
        self._telegram_request = telegram_request
        self._telegram_updates_request = telegram_updates_request
        self._reports_in_process = reports_in_process
        self.channels: dict[str, Channel] = {}
        self.senders: dict[str, Sender] = {}
        self.web: WebServer | None = None
        self.links: Links | None = None
        self._jobs_wake = asyncio.Event()
        self._db: Database | None = None
        self.heartbeats = Heartbeats()
        self.metrics: Metrics | None = None

    # -- building ------------------------------------------------------------------------------

    @property
    def db(self) -> Database:
        assert self._db is not None, "App.open() first"
        return self._db

    async def open(self) -> None:
        """Build everything and start the channels (tokens are checked here)."""
        s = self.settings
        s.require_channel()
        self._db = await open_database(s, self.clock)
        self.services = Services(
            tz=s.tz,
            clock=self.clock,
            admin_accounts=s.admin_accounts,
            default_locale=s.default_locale,
            invite_days=s.invite_days,
            invite_lines=self.invite_lines,
            quotas={"zalo": s.zalo_monthly_quota} if s.zalo_monthly_quota else {},
        )
        self.core = Core(self.db, self.services, on_queued=self.signal)
        if s.needs_http:  # aiohttp.web imported only then (start-up, #19)
            from bot.web import WebServer

            self.web = WebServer(s.webhook_listen, s.webhook_port)
        self.links = self._open_links()
        if s.telegram_enabled:
            self._open_telegram()
        if s.zalo_enabled:
            self._open_zalo()
        self.services.numbered = frozenset(n for n, c in self.channels.items() if c.numbered)
        for channel in self.channels.values():
            await channel.start()
        for name, channel in self.channels.items():
            self.senders[name] = sender = Sender(
                self.db, channel, self.clock, broadcast_rate=s.broadcast_rate, tz=s.tz
            )
            sender.heartbeat = self.heartbeats.beater(f"{name} sender")
            channel.heartbeat = self.heartbeats.beater(f"{name} polling")
        summary_chat = (
            Recipient("telegram", str(s.summary_chat_id))
            if s.summary_chat_id and s.telegram_enabled
            else None
        )
        self.jobs = Jobs(self.db, self.services, schedule_config(s), summary_chat=summary_chat)
        self.backups = (
            DailyBackup(Path(s.database_path), s.backup_dir, s.backup_keep, s.backup_time)
            if s.backup_dir
            else None
        )
        self.reports = ReportWorker(
            self.db,
            Path(s.database_path),
            self.services,
            self.signal,
            in_process=self._reports_in_process,
        )
        self.reports.heartbeat = self.heartbeats.beater("report worker")
        if s.monitoring:
            self._open_monitoring()
        # once the channels work (a rejected token is the one line an operator then sees)
        await describe_campaign(self.db)
        await self._check_roles()
        await self._check_removed()
        for old in self.db.forget_migration_backups():  # this start worked: the last one stays
            log.info("removed %s, the copy taken before an earlier upgrade", old)

    def _open_monitoring(self) -> None:
        """/healthz, /readyz and /metrics on the HTTP server (prometheus-client only then)."""
        from bot.health import Ops
        from bot.metrics import Metrics

        assert self.web is not None  # MONITORING makes the server run
        self.metrics = metrics = Metrics()
        self.core.on_handled = metrics.handled
        for sender in self.senders.values():
            sender.on_delivered = metrics.delivered
        self.reports.on_built = lambda kind, seconds: metrics.documents.labels(kind).observe(
            seconds
        )
        ops = Ops(
            self.db,
            self.heartbeats,
            self.expected_parts,
            metrics,
            quotas=self.services.quotas,
            clock=self.clock,
            tz=self.settings.tz,
        )
        for path, handler in ops.routes():
            self.web.route("GET", path, handler)

    def expected_parts(self) -> list[str]:
        """The parts that must be heard from for the bot to be ready."""
        parts = [f"{name} sender" for name in self.senders]
        parts += [f"{name} polling" for name in self.polling_channels()]
        return [*parts, "report worker"]

    def polling_channels(self) -> list[str]:
        s = self.settings
        return [
            name
            for name in self.channels
            if not (s.webhook_url if name == "telegram" else s.zalo_webhook_url)
        ]

    def _open_telegram(self) -> None:
        from bot.telegram.channel import TelegramChannel

        s = self.settings
        telegram = TelegramChannel(
            s.require_token(),
            s.bot_api_url,
            self.core,
            s.tz,
            rate_limit=s.rate_limit_overall,
            webhook_url=s.webhook_url,
            webhook_secret=s.require_webhook_secret() if s.webhook_url else None,
            request=self._telegram_request,
            get_updates_request=self._telegram_updates_request,
            links=self.links,
        )
        self.channels[telegram.name] = telegram
        if s.webhook_url and self.web is not None:
            self.web.webhook(
                urlparse(s.webhook_url).path or "/",
                "X-Telegram-Bot-Api-Secret-Token",
                s.require_webhook_secret(),
                telegram.handle_update,
            )

    def _open_links(self) -> Links | None:
        """Signed links (documents, the upload page), when the bot has a public address: signed
        with a key derived from the Zalo token if Zalo is on, else from the Telegram one."""
        from bot.links import PATH, Links, derive_key
        from bot.settings import UPLOAD_PATH
        from bot.upload import UploadPage

        s = self.settings
        if not s.public_base_url or self.web is None:
            return None
        token = s.require_zalo_token() if s.zalo_enabled else s.require_token()
        links = Links(derive_key(token), s.public_base_url, self.clock, s.link_hours)
        self.web.route(
            "GET", PATH + "/{token}/{name}", links.handler(self.db, self.services.admin_accounts)
        )
        page = UploadPage(links, self.core, s.default_locale)
        self.web.route("GET", UPLOAD_PATH + "/{token}", page.show)
        self.web.route("POST", UPLOAD_PATH + "/{token}", page.receive)
        return links

    def _open_zalo(self) -> None:
        from bot.zalo.channel import ZaloChannel
        from bot.zalo.client import ZaloClient

        s = self.settings
        token = s.require_zalo_token()
        links = self.links
        secret = s.require_zalo_webhook_secret() if s.zalo_webhook_url else None
        zalo = ZaloChannel(
            ZaloClient(token, s.zalo_api_url),
            self.core,
            links=links,
            locale=s.default_locale,
            tz=s.tz,
            rate_limit=s.zalo_rate_limit,
            webhook_url=s.zalo_webhook_url,
            webhook_secret=secret,
        )
        self.channels[zalo.name] = zalo
        if s.zalo_webhook_url and self.web is not None and secret is not None:
            self.web.webhook(
                urlparse(s.zalo_webhook_url).path or "/",
                "X-Bot-Api-Secret-Token",
                secret,
                zalo.handle_update,
            )

    async def _check_roles(self) -> None:
        """Consolidator roles held outside the consolidating agency give no rights: say so."""
        async with self.db.read() as tx:
            campaign = await tx.campaigns.summary()
            if campaign is None:
                return
            stray = await tx.users.role_elsewhere(Role.CONSOLIDATOR, campaign.consolidator.id)
        for m in stray:
            log.warning(
                "user %s holds the consolidator role in %s, which is not the consolidating agency"
                " (%s): it gives no rights; revoke it or make the person an administrator",
                m.user_id,
                m.agency.code,
                campaign.consolidator.code,
            )

    async def _check_removed(self) -> None:
        """Agencies no longer in the campaign file that still have data: named in one warning
        (their people have no rights now; the data stays, listed by ``campaign removed``)."""
        async with self.db.read() as tx:
            campaign = await tx.campaigns.summary()
            if campaign is None:
                return
            removed = await tx.campaigns.removed_with_data(campaign.id)
        if removed:
            log.warning(
                "%d agencies with data are no longer in campaign %s: %s; their people have no "
                "rights now, their data is kept (kehoach-bot campaign removed lists it)",
                len(removed),
                campaign.code,
                ", ".join(r.summary() for r in removed),
            )

    def invite_lines(self, code: str) -> list[str]:
        return [c.invite_line(code) for c in self.channels.values()]

    def signal(self, names: set[str], queued: Sequence[OutboxItem] = ()) -> None:
        """Wake whoever has new work: a channel's sender (to read what was committed), the
        report worker, the scheduler. ``queued``: rows just committed, handed to their
        channel's sender in memory (no read back)."""
        for item in queued:
            if item.channel in self.senders:
                self.senders[item.channel].feed(item)
        for name in names:
            if name in self.senders:
                self.senders[name].wake()
            elif name == "reports":
                self.reports.wake()
            elif name == "jobs":
                self._jobs_wake.set()

    # -- running -------------------------------------------------------------------------------

    def _parts(self) -> dict[str, Coroutine[Any, Any, None]]:
        parts: dict[str, Coroutine[Any, Any, None]] = {}
        for name, sender in self.senders.items():
            parts[f"{name} sender"] = sender.run()
        if "telegram" in self.channels and not self.settings.webhook_url:
            from bot.telegram.channel import TelegramChannel
            from bot.telegram.polling import poll

            telegram = self.channels["telegram"]
            assert isinstance(telegram, TelegramChannel)
            parts["telegram polling"] = poll(telegram)
        if "zalo" in self.channels and not self.settings.zalo_webhook_url:
            from bot.zalo.channel import ZaloChannel
            from bot.zalo.polling import poll as poll_zalo

            zalo = self.channels["zalo"]
            assert isinstance(zalo, ZaloChannel)
            parts["zalo polling"] = poll_zalo(zalo)
        parts["scheduler"] = self._schedule()
        parts["report worker"] = self.reports.run()
        parts["database"] = self.db.watch()  # raises once the file is found damaged
        return parts

    async def _schedule(self) -> None:
        """One tick a minute (at once when asked, e.g. by /nhacnho); never ends by itself."""
        while True:
            try:
                if self.metrics is not None:
                    self.metrics.ticks.inc()
                result = await self.jobs.tick()
                self.signal(result.signals)
                if self.backups is not None:
                    await self.backups.maybe(self.clock().astimezone(self.settings.tz))
            except Exception:
                if self.metrics is not None:
                    self.metrics.tick_failures.inc()
                log.exception("scheduler: the tick failed; trying again in a minute")
            self._jobs_wake.clear()
            now = self.clock()
            seconds = 60 - now.second - now.microsecond / 1e6 + 0.5
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._jobs_wake.wait(), seconds)

    async def run(self) -> int:
        """Run until SIGTERM/SIGINT (0); a part that ends on its own ends the process (1, or 2
        for a channel that cannot work). A token rejected at start raises ChannelFatal."""
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        try:
            await self.open()  # a rejected token raises ChannelFatal: the CLI prints one line
            if self.web is not None:
                await self.web.start()
            warm = asyncio.create_task(self._warm(), name="warm-up")  # first in the lock's queue
            tasks: dict[asyncio.Task[Any], str] = {
                asyncio.create_task(c, name=n): n for n, c in self._parts().items()
            }
            stopping = asyncio.create_task(stop.wait(), name="stop")
            done, _pending = await asyncio.wait(
                {*tasks, stopping}, return_when=asyncio.FIRST_COMPLETED
            )
            code = EXIT_OK
            for task in done:
                if task is stopping:
                    continue
                error = task.exception() if not task.cancelled() else None
                if isinstance(error, ChannelFatal | DatabaseUnavailable):
                    log.critical("%s", error)
                    code = EXIT_CONFIG
                elif isinstance(error, ReportWorkerDead):
                    log.critical("%s; exiting so that the supervisor restarts the bot", error)
                    code = max(code, EXIT_FAILED)
                else:
                    log.critical(
                        "%s stopped unexpectedly; exiting so that the supervisor restarts the bot",
                        tasks[task],
                        exc_info=error,
                    )
                    code = max(code, EXIT_FAILED)
            for task in [*tasks, stopping, warm]:
                task.cancel()
            await asyncio.gather(*tasks, stopping, warm, return_exceptions=True)
            if code == EXIT_OK:
                await self._drain_replies()
            return code
        finally:
            await self.close()

    async def _warm(self) -> None:
        """Beside the first getUpdates: the campaign's definition parsed into the cache, so the
        first person to write does not wait for it — on the database thread, so that the event
        loop sends the first getUpdates meanwhile (the scheduler's first tick, queued behind it
        on the database lock, then finds it parsed)."""
        try:
            await self.db.at_once(_parse_active, write=False)
        except Exception:  # only a head start: the first update would do it anyway
            log.warning("warm-up failed", exc_info=True)

    async def _drain_replies(self, seconds: float = 5.0) -> None:
        """On a clean stop, give queued replies a few seconds to go out (the rest stays queued)."""
        with contextlib.suppress(Exception, TimeoutError):
            await asyncio.wait_for(
                asyncio.gather(*(s.drain(limit=50) for s in self.senders.values())), seconds
            )

    async def close(self) -> None:
        if self.web is not None:
            await self.web.stop()
        if hasattr(self, "reports"):
            self.reports.close()
        for channel in self.channels.values():
            await channel.stop()
        if self._db is not None:
            await self._db.close()
            self._db = None


def today(settings: Settings, clock: Clock = utc_now) -> dt.date:
    return clock().astimezone(settings.tz).date()
