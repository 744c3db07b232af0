"""Reminders to focal persons and the daily summary to consolidators.

The job queue runs ``Scheduler.tick`` every minute; everything it knows comes from the database
and the injected clock, so a restart rebuilds the schedule and a test moves the clock instead of
sleeping. Each slot is claimed in the ledger before sending and marked sent afterwards: exactly
once per agency per slot. A claim left unsent by a crash is released at start and sent again if
its slot still lasts.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from db.campaigns import ActiveCampaign
from db.connection import Database
from db.repos import Repos
from domain.model import Role
from domain.schedule import ScheduleConfig, reminder_slot, summary_slot
from handlers import consolidate
from handlers.context import Services
from handlers.text import esc
from handlers.types import Recipient, Reply
from locales import _, days_phrase, fmt_date, use_locale

log = logging.getLogger(__name__)

Send = Callable[[Reply], Awaitable[bool]]


@dataclass
class TickResult:
    reminder_slot: str | None = None
    reminders: int = 0
    summary_slot: str | None = None
    summaries: int = 0


class Scheduler:
    def __init__(
        self,
        db: Database,
        services: Services,
        cfg: ScheduleConfig,
        send: Send,
        *,
        summary_chat: Recipient | None = None,
    ) -> None:
        self.db = db
        self.services = services
        self.cfg = cfg
        self.send = send
        self.summary_chat = summary_chat

    async def start(self) -> int:
        """Release claims a crash left unsent, so that their slot can be sent again."""
        async with self.db.transaction() as tx:
            campaign = await tx.campaigns.active()
            if campaign is None:
                return 0
            stale = await tx.deliveries.unsent(campaign.id)
            for d in stale:
                await tx.deliveries.release(d.id)
        if stale:
            log.warning("released %d deliveries left unsent by a previous run", len(stale))
        return len(stale)

    async def tick(self) -> TickResult:
        now = self.services.clock()
        local = now.astimezone(self.services.tz)
        result = TickResult()
        async with self.db.transaction() as tx:
            campaign = await tx.campaigns.active()
        if campaign is None:
            return result
        c = campaign.definition
        result.reminder_slot = reminder_slot(local, c.deadlines.plans_due, self.cfg)
        if result.reminder_slot:
            result.reminders = await self._reminders(campaign, result.reminder_slot, now)
        deadlines = (c.deadlines.plans_due, c.deadlines.consolidation_due)
        result.summary_slot = summary_slot(local, self.cfg, deadlines)
        if result.summary_slot:
            result.summaries = await self._summary(campaign, result.summary_slot, now)
        return result

    async def _reminders(self, campaign: ActiveCampaign, slot: str, now: dt.datetime) -> int:
        today = now.astimezone(self.services.tz).date()
        batch: list[tuple[int, list[Reply]]] = []
        async with self.db.transaction() as tx:
            ov = await consolidate.load_overview(tx, campaign, today)
            for row in ov.owing:
                replies = await consolidate.reminder_replies(
                    tx, campaign, row, today, self.services.default_locale
                )
                if not replies:  # nobody linked yet: whoever links during the slot gets it
                    continue
                delivery = await tx.deliveries.claim(
                    "reminder", campaign.id, row.agency.id, slot, now
                )
                if delivery is not None:
                    batch.append((delivery, replies))
        sent = 0
        for delivery, replies in batch:
            delivered = 0
            for reply in replies:
                delivered += await self.send(reply)
            sent += delivered
            async with self.db.transaction() as tx:
                await tx.deliveries.mark_sent(delivery, self.services.clock(), delivered)
        if batch:
            log.info("reminder slot %s: %d agencies, %d messages", slot, len(batch), sent)
        return sent

    async def _summary(self, campaign: ActiveCampaign, slot: str, now: dt.datetime) -> int:
        today = now.astimezone(self.services.tz).date()
        async with self.db.transaction() as tx:
            delivery = await tx.deliveries.claim("summary", campaign.id, 0, slot, now)
            if delivery is None:
                return 0
            since = await tx.deliveries.last_sent("summary", campaign.id)
            recipients = [
                (Recipient(u.channel, u.external_id), u.locale)
                for u in await tx.users.with_role(Role.CONSOLIDATOR)
                if u.blocked_at is None
            ]
            if self.summary_chat is not None:
                recipients.append((self.summary_chat, None))
            replies: list[Reply] = []
            for to, locale in recipients:
                with use_locale(locale or self.services.default_locale):
                    text, attach = await summary_text(tx, campaign, today, since, self.services)
                    replies.append(Reply(text=text, to=to))
                    if attach:
                        doc = await consolidate.documents(
                            tx, campaign, today, self.services.tz, "xlsx"
                        )
                        replies.append(Reply(document=doc, to=to))
        delivered = 0
        for reply in replies:
            delivered += await self.send(reply)
        async with self.db.transaction() as tx:
            await tx.deliveries.mark_sent(delivery, self.services.clock(), delivered)
        log.info("daily summary %s: %d messages", slot, delivered)
        return delivered

    async def job(self, context: object) -> None:
        """The job-queue callback: one tick, never raising into the scheduler."""
        try:
            await self.tick()
        except Exception:
            log.exception("scheduled tick failed")


async def summary_text(
    tx: Repos,
    campaign: ActiveCampaign,
    today: dt.date,
    since: dt.datetime | None,
    services: Services,
) -> tuple[str, bool]:
    """The daily summary and whether the spreadsheet goes with it (once anything is submitted)."""
    c = campaign.definition
    ov = await consolidate.load_overview(tx, campaign, today)
    due = c.deadlines.plans_due
    lines = [
        "📊 <b>" + _("DAILY PROGRESS SUMMARY") + "</b> — " + fmt_date(today),
        esc(c.title),
        _("Plans due on {date} ({left}).").format(date=fmt_date(due), left=days_phrase(due, today)),
        consolidate.counts_line(ov),
        "",
    ]
    by_plan = {r.plan.id: r.agency for r in ov.rows}
    fresh = await tx.plans.submitted_since(campaign.id, since)
    if fresh:
        version = _("version {v}")
        names = [
            f"{esc(by_plan[s.plan_id].code)} ({version.format(v=s.version)})"
            for s in fresh
            if s.plan_id in by_plan
        ]
        lines.append(_("Submitted since the last summary: {list}").format(list=", ".join(names)))
    else:
        lines.append(_("Nothing submitted since the last summary."))
    if ov.owing:
        lines += ["", "<b>" + _("Still missing:") + "</b>"]
        for r in ov.owing:
            people = ", ".join(r.focal) if r.focal else _("no focal person linked yet")
            lines.append(f"• {esc(r.agency.code)} {esc(r.agency.name)} — {esc(people)}")
    if ov.late:
        lines += ["", _("Late: {codes}").format(codes=", ".join(r.agency.code for r in ov.late))]
    return "\n".join(lines), bool(ov.submitted)
