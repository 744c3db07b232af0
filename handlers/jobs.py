"""What the scheduler decides each minute: reminders, the daily summary, manual reminders, alerts.

Everything comes from the database and the clock, so a restart rebuilds the schedule and a test
moves the clock instead of sleeping. A decision is written to the outbox in the transaction that
records it in the ledger (claimed = queued), so each slot goes exactly once, and a crash delays
its messages, never drops or doubles them. Reminders are queued in batches of agencies, so the
database is never held for long while people are typing.

A step that fails is logged and tried again on the next tick; a daily summary that has still not
gone when its day ends is reported to the administrators.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from db.campaigns import ActiveCampaign
from db.connection import Database
from db.repos import Repos
from db.users import User
from domain import progress as progress_rules
from domain import proposals as asked
from domain.model import Plan, Role
from domain.schedule import ScheduleConfig, nudge_slot, reminder_slot, summary_slot
from handlers import clarity, consolidate, follow, progress, proposals
from handlers.context import Services
from handlers.markup import esc
from handlers.outbox import BROADCAST, NOTICE, enqueue
from handlers.types import Recipient, Reply
from locales import _, days_phrase, fmt_date, fmt_number, use_locale

log = logging.getLogger(__name__)

BATCH = 25  # agencies per transaction when queueing reminders: each holds the database ~15 ms
QUOTA_WARNING = 0.8  # share of a monthly quota at which administrators are warned
UPDATES_KEPT = dt.timedelta(hours=72)  # update ids remembered for de-duplication
SENT_KEPT = dt.timedelta(days=30)  # sent messages kept in the outbox for operators


Step = Callable[[Any, "TickResult", dt.datetime], Awaitable[None]]


@dataclass
class Reach:
    """Who a reminder run reached: agencies reminded, and those with nobody to remind."""

    agencies: int = 0
    without: list[str] = field(default_factory=list)


@dataclass
class TickResult:
    reminder_slot: str | None = None
    reminders: int = 0
    summary_slot: str | None = None
    nudge_slot: str | None = None
    nudges: int = 0
    summaries: int = 0
    manual: int = 0
    alerts: int = 0
    failed: list[str] = field(default_factory=list)
    signals: set[str] = field(default_factory=set)  # channels with new messages, "reports"


class Jobs:
    def __init__(
        self,
        db: Database,
        services: Services,
        cfg: ScheduleConfig,
        *,
        summary_chat: Recipient | None = None,
    ) -> None:
        self.db = db
        self.services = services
        self.cfg = cfg
        self.summary_chat = summary_chat

    async def tick(self) -> TickResult:
        """One pass; each part runs even if another failed."""
        now = self.services.clock()
        local = now.astimezone(self.services.tz)
        result = TickResult()
        async with self.db.read() as tx:
            campaign = await tx.campaigns.active()
        if campaign is not None:
            c = campaign.definition
            result.reminder_slot = reminder_slot(local, c.deadlines.plans_due, self.cfg)
            deadlines = (c.deadlines.plans_due, c.deadlines.consolidation_due)
            result.summary_slot = summary_slot(local, self.cfg, deadlines)
            if result.reminder_slot:
                await self._guard(result, "reminder", self._reminders, campaign, now)
            if result.summary_slot:
                await self._guard(result, "summary", self._summary, campaign, now)
            result.nudge_slot = nudge_slot(local, self.cfg)
            if result.nudge_slot:
                await self._guard(result, "nudge", self._nudges, campaign, now)
            await self._guard(result, "manual", self._manual, campaign, now)
            await self._guard(result, "alert", self._alerts, campaign, now)
        await self._guard(result, "quota", self._quotas, campaign, now)
        await self._guard(result, "housekeeping", self._housekeeping, campaign, now)
        return result

    async def run_requests(self) -> TickResult:
        """Only the work people asked for (/nhacnho), not the slots of the clock."""
        now = self.services.clock()
        result = TickResult()
        async with self.db.read() as tx:
            campaign = await tx.campaigns.active()
        if campaign is not None:
            await self._guard(result, "manual", self._manual, campaign, now)
        return result

    async def _guard(
        self,
        result: TickResult,
        name: str,
        step: Step,
        campaign: ActiveCampaign | None,
        now: dt.datetime,
    ) -> None:
        try:
            await step(campaign, result, now)
        except Exception as exc:
            result.failed.append(name)
            log.error(
                "scheduled %s failed; it is tried again on the next tick", name, exc_info=True
            )
            if name == "summary" and campaign is not None and result.summary_slot:
                async with self.db.transaction() as tx:
                    await tx.failures.record(
                        "summary", campaign.id, result.summary_slot, repr(exc), now
                    )

    # -- reminders -----------------------------------------------------------------------------

    async def _reminders(
        self, campaign: ActiveCampaign, result: TickResult, now: dt.datetime
    ) -> None:
        slot = result.reminder_slot
        assert slot is not None
        queued = await self._remind_all(campaign, "reminder", slot, now, result)
        result.reminders += queued
        if queued:
            log.info("reminder slot %s: %d messages queued", slot, queued)

    async def _remind_all(
        self,
        campaign: ActiveCampaign,
        kind: str,
        slot: str,
        now: dt.datetime,
        result: TickResult,
        counts: Reach | None = None,
    ) -> int:
        """Queue a reminder to every agency that still owes a plan, once per agency and slot,
        in batches (each batch one short transaction)."""
        today = now.astimezone(self.services.tz).date()
        started = time.monotonic()
        async with self.db.read() as tx:
            agencies = [a.id for a in await tx.campaigns.agencies(campaign.id)]
        queued = 0
        for k in range(0, len(agencies), BATCH):
            batch_started = time.monotonic()
            batch = tuple(agencies[k : k + BATCH])

            async def queue(tx: Repos, batch: tuple[int, ...] = batch) -> int:
                n = 0
                ov = await consolidate.load_overview(tx, campaign, today, agency_ids=batch)
                people = await tx.users.people_by_agency(Role.FOCAL, batch)
                for row in ov.owing:
                    replies = consolidate.reminder_replies(
                        campaign,
                        row,
                        people.get(row.agency.id, []),
                        today,
                        self.services.default_locale,
                    )
                    if not replies:  # nobody linked yet: whoever links during the slot gets it
                        if counts is not None:
                            counts.without.append(row.agency.name)
                        continue
                    sent = await self._once(tx, kind, campaign, row.agency.id, slot, now, replies)
                    result.signals |= sent
                    if sent and counts is not None:
                        counts.agencies += 1
                    n += len(replies) if sent else 0
                return n

            queued += await self.db.at_once(queue)
            # as long again for the people typing meanwhile: a broadcast never takes more than
            # half of the bot's time, and a reply never waits more than one short batch
            await asyncio.sleep(time.monotonic() - batch_started)
        log.info(
            "%s %s: %d messages queued for %d agencies in %.0f ms",
            kind,
            slot,
            queued,
            len(agencies),
            (time.monotonic() - started) * 1000,
        )
        return queued

    # -- the follow-through ----------------------------------------------------------------------

    async def _nudges(self, campaign: ActiveCampaign, result: TickResult, now: dt.datetime) -> None:
        """One nudge per agency per working day, when a measure is coming due or overdue, the
        period's report is due, or a proposal it must answer is: in the same ledger and batches
        as the reminders."""
        slot = result.nudge_slot
        assert slot is not None
        today = now.astimezone(self.services.tz).date()
        c = campaign.definition
        period = c.current_period(today)
        earlier = tuple(p.key for p in c.periods if period and p.ends < period.starts)
        days = self.cfg.reminder_days_before
        async with self.db.read() as tx:
            names = {a.id: a.name for a in await tx.campaigns.agencies(campaign.id)}
            reports = await tx.progress.reports(campaign.id, period.key) if period else {}
            done = await tx.progress.done_before_all(campaign.id, earlier)
            answers = asked.answers_due(await tx.proposals.listing(campaign.id), today, days)
        agencies = list(names)
        queued = 0
        for k in range(0, len(agencies), BATCH):
            batch_started = time.monotonic()
            batch = tuple(agencies[k : k + BATCH])

            async def queue(tx: Repos, batch: tuple[int, ...] = batch) -> int:
                n = 0
                people = await tx.users.people_by_agency(Role.FOCAL, batch)
                plans: dict[int, Plan] = {}
                if c.periods:
                    plans = {p.agency.id: p for p in await tx.plans.plans(campaign.id, batch)}
                for agency_id in batch:
                    plan = plans.get(agency_id)
                    what = progress_rules.Nudge()
                    if plan is not None:
                        what = progress_rules.nudge(
                            plan,
                            reports.get(plan.id),
                            done.get(plan.id, frozenset()),
                            period,
                            today,
                            days,
                        )
                    if agency_id in answers:
                        what = what.model_copy(update={"answers": answers[agency_id]})
                    users = [u for u in people.get(agency_id, []) if u.blocked_at is None]
                    if not what or not users:
                        continue
                    replies = []
                    for user in users:
                        with use_locale(user.locale or self.services.default_locale):
                            buttons = []
                            if what.coming or what.overdue or what.report_due:
                                buttons.append(progress.report_button())
                            if what.answers:
                                buttons.append(proposals.menu_button())
                            replies.append(
                                Reply(
                                    text=follow.nudge_text(names[agency_id], period, what, today),
                                    choices=[buttons] if buttons else [],
                                    to=Recipient(user.channel, user.external_id),
                                )
                            )
                    sent = await self._once(tx, "nudge", campaign, agency_id, slot, now, replies)
                    result.signals |= sent
                    n += len(replies) if sent else 0
                return n

            queued += await self.db.at_once(queue)
            await asyncio.sleep(time.monotonic() - batch_started)
        result.nudges += queued
        if queued:
            log.info("nudge slot %s: %d messages queued", slot, queued)

    async def _once(
        self,
        tx: Repos,
        kind: str,
        campaign: ActiveCampaign,
        agency_id: int,
        slot: str,
        now: dt.datetime,
        replies: list[Reply],
    ) -> set[str]:
        """Queues a broadcast to one agency once per slot (the ledger row and the messages in the
        same transaction); returns the channels with new messages, empty if it went before."""
        if not await tx.deliveries.record(kind, campaign.id, agency_id, slot, now, len(replies)):
            return set()
        return await enqueue(
            tx, replies, now, numbered=self.services.numbered, priority=BROADCAST, kind=kind
        )

    async def _manual(self, campaign: ActiveCampaign, result: TickResult, now: dt.datetime) -> None:
        """/nhacnho requests: reminders to every agency that owes a plan, then a report to the
        consolidator who asked."""
        async with self.db.read() as tx:
            jobs = [
                j for j in await tx.documents.open_jobs(("remind",)) if j.campaign_id == campaign.id
            ]
        for job in jobs:
            counts = Reach()
            messages = await self._remind_all(
                campaign, "manual", f"manual-{job.id}", now, result, counts
            )
            result.manual += messages
            async with self.db.transaction() as tx:
                replies = []
                for channel, external, locale in job.recipients:
                    with use_locale(locale or self.services.default_locale):
                        text = _(
                            "Reminder sent to {agencies} agencies ({messages} messages)."
                        ).format(agencies=counts.agencies, messages=messages)
                        if counts.without:
                            text += "\n" + _("No focal person to remind at: {codes}").format(
                                codes=", ".join(esc(n) for n in counts.without)
                            )
                        replies.append(Reply(text=text, to=Recipient(channel, external)))
                result.signals |= await enqueue(
                    tx,
                    replies,
                    now,
                    numbered=self.services.numbered,
                    priority=NOTICE,
                    kind="notice",
                )
                await tx.documents.finished(job.id, now)
                await tx.audit.record(
                    now,
                    None,
                    "reminder.manual",
                    "campaign",
                    campaign.id,
                    job=job.id,
                    messages=messages,
                )

    # -- the daily summary ---------------------------------------------------------------------

    async def _summary(
        self, campaign: ActiveCampaign, result: TickResult, now: dt.datetime
    ) -> None:
        slot = result.summary_slot
        assert slot is not None
        today = now.astimezone(self.services.tz).date()
        async with self.db.transaction() as tx:
            delivery = await tx.deliveries.claim("summary", campaign.id, 0, slot, now)
            if delivery is None:
                return
            since = await tx.deliveries.last_sent("summary", campaign.id)
            recipients = [
                (Recipient(u.channel, u.external_id), u.locale)
                for u in await tx.users.with_role(Role.CONSOLIDATOR, campaign.consolidator.id)
                if u.blocked_at is None
            ]
            if self.summary_chat is not None:
                recipients.append((self.summary_chat, None))
            replies: list[Reply] = []
            attach = False
            for to, locale in recipients:
                with use_locale(locale or self.services.default_locale):
                    text, attach = await summary_text(tx, campaign, today, since)
                    replies.append(Reply(text=text, to=to))
            result.signals |= await enqueue(
                tx, replies, now, numbered=self.services.numbered, priority=NOTICE, kind="summary"
            )
            if attach and recipients:
                await tx.documents.request(
                    campaign.id,
                    "xlsx",
                    False,
                    "summary",
                    [(to.channel, to.external_id, locale) for to, locale in recipients],
                    now,
                )
                result.signals.add("reports")
            await tx.deliveries.mark_sent(delivery, now, len(replies))
        result.summaries = len(replies)
        log.info("daily summary %s: %d messages queued", slot, len(replies))

    async def _alerts(self, campaign: ActiveCampaign, result: TickResult, now: dt.datetime) -> None:
        """A summary whose day is over without it going out is reported to the administrators."""
        async with self.db.transaction() as tx:
            failures = await tx.failures.unreported("summary", campaign.id)
            local_today = now.astimezone(self.services.tz).date().isoformat()
            for f in failures:
                if f.slot >= f"summary-{local_today}":
                    continue  # its day is not over: still retried every tick
                if await tx.deliveries.was_sent("summary", campaign.id, f.slot):
                    await tx.failures.reported("summary", campaign.id, f.slot, now)
                    continue
                day = dt.date.fromisoformat(f.slot.removeprefix("summary-"))

                def failed(day: dt.date = day, n: int = f.attempts, error: str = f.error) -> str:
                    return _(
                        "The daily summary of {day} could not be made ({n} attempts; "
                        "last error: {error}). Please check the bot's log."
                    ).format(day=fmt_date(day), n=n, error=esc(error[:200]))

                told = await self._tell_admins(tx, now, result, failed)
                await tx.failures.reported("summary", campaign.id, f.slot, now)
                log.error("daily summary %s never went out; %d administrators told", f.slot, told)

    async def _tell_admins(
        self, tx: Repos, now: dt.datetime, result: TickResult, text: Callable[[], str]
    ) -> int:
        """Queue an alert (``text()`` is called in each administrator's language) to every
        administrator who can be reached; returns how many."""
        replies = []
        for user in await admins(tx, self.services):
            with use_locale(user.locale or self.services.default_locale):
                replies.append(
                    Reply(text="⚠️ " + text(), to=Recipient(user.channel, user.external_id))
                )
        result.signals |= await enqueue(
            tx, replies, now, numbered=self.services.numbered, priority=NOTICE, kind="alert"
        )
        result.alerts += len(replies)
        return len(replies)

    async def _quotas(
        self, campaign: ActiveCampaign | None, result: TickResult, now: dt.datetime
    ) -> None:
        """A channel that used 80 % of its monthly message quota: the administrators are told
        once that month (through every channel they are reachable on)."""
        month = now.astimezone(self.services.tz).strftime("%Y-%m")
        for channel, quota in self.services.quotas.items():
            async with self.db.transaction() as tx:
                usage = await tx.usage.get(channel, month)
                if usage.warned or usage.sent < QUOTA_WARNING * quota:
                    continue

                def running_out(
                    sent: int = usage.sent, quota: int = quota, name: str = channel
                ) -> str:
                    return _(
                        "The bot has sent {sent} of the {quota} messages this month's "
                        "{channel} plan allows ({share}). When the quota is used up, "
                        "messages there stop until next month: raise the quota, or "
                        "ask people to use another channel."
                    ).format(
                        sent=fmt_number(sent),
                        quota=fmt_number(quota),
                        channel=name.capitalize(),
                        share=f"{sent * 100 // quota} %",
                    )

                told = await self._tell_admins(tx, now, result, running_out)
                await tx.usage.warned(channel, month, now)
                log.warning(
                    "%s: %d of %d monthly messages used; %d administrators told",
                    channel,
                    usage.sent,
                    quota,
                    told,
                )

    # -- housekeeping --------------------------------------------------------------------------

    async def _housekeeping(
        self, campaign: ActiveCampaign | None, result: TickResult, now: dt.datetime
    ) -> None:
        """Bounded memory of handled update ids (Telegram may reuse an id after a week without
        updates), sent messages and expired documents."""
        async with self.db.transaction() as tx:
            await tx.audit.forget_updates_before(now - UPDATES_KEPT)
            await tx.outbox.prune(now - SENT_KEPT)
            await tx.documents.prune(now)


async def admins(tx: Repos, services: Services) -> list[User]:
    """Administrators who can be written to: the role, and the bootstrap ids of the settings."""
    found = {u.id: u for u in await tx.users.with_role(Role.ADMIN)}
    for channel, external in services.admin_accounts:
        user = await tx.users.get(channel, external)
        if user is not None:
            found.setdefault(user.id, user)
    return [u for u in found.values() if u.blocked_at is None]


async def summary_text(
    tx: Repos, campaign: ActiveCampaign, today: dt.date, since: dt.datetime | None
) -> tuple[str, bool]:
    """The daily summary and whether the spreadsheet goes with it (once anything is submitted)."""
    c = campaign.definition
    ov = await consolidate.load_overview(tx, campaign, today)
    due = c.deadlines.plans_due
    lines = [
        "📊 **" + _("DAILY PROGRESS SUMMARY") + "** — " + fmt_date(today),
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
            f"{esc(by_plan[s.plan_id].name)} ({version.format(v=s.version)})"
            for s in fresh
            if s.plan_id in by_plan
        ]
        lines.append(_("Submitted since the last summary: {list}").format(list=", ".join(names)))
    else:
        lines.append(_("Nothing submitted since the last summary."))
    if ov.owing:
        lines += ["", "**" + _("Still missing:") + "**"]
        for r in ov.owing:
            people = ", ".join(r.focal) if r.focal else _("no focal person linked yet")
            lines.append(f"• {esc(r.agency.name)} — {esc(people)}")
    late = consolidate.late_lines(ov)
    if late:
        lines += ["", *late]
    review = clarity.totals_line(((r.agency.name, r.unclear) for r in ov.rows), named=10)
    if review:
        lines += ["", review]
    execution = await follow.progress_lines(tx, campaign, [r.plan for r in ov.rows], today)
    if execution:
        lines += ["", *execution]
    asked = await follow.proposal_lines(tx, campaign, today)
    if asked:
        lines += ["", *asked]
    return "\n".join(lines), bool(ov.submitted)
