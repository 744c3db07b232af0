"""The entry of the conversation: one Event in; the answer, the step and the replies stored.

Every event runs in a single database transaction: the person's answer, their new step and every
message the bot decides to send (to them and to others, in the outbox) are committed together; a
channel's sender delivers them afterwards. An update delivered twice is handled once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from db.campaigns import ActiveCampaign
from db.connection import Database
from db.faults import crashpoint
from db.outbox import OutboxItem
from db.repos import Repos
from db.users import Membership
from domain.model import Role
from handlers import buttons as act
from handlers import (
    common,
    consolidate,
    home,
    measure,
    numbered,
    plan,
    progress,
    proposals,
    registration,
    tables,
    wizard,
)
from handlers.context import Ctx, Services
from handlers.outbox import queue
from handlers.types import Choice, Event, Kind, Recipient, Reply
from locales import _, use_locale

log = logging.getLogger(__name__)

Handler = Callable[[Ctx], Awaitable[None]]
BATCH_MAX = 50  # updates stored in one transaction at most

COMMANDS: dict[str, Handler] = {
    "start": registration.start,
    "kehoach": plan.show_menu,
    "menu": home.show,
    "xem": plan.view_all,
    "nop": plan.ask_submit,
    "tiendo": progress.show,
    "kiennghi": proposals.show,
    "huy": common.cancel,
    "trogiup": common.help_text,
    "help": common.help_text,
    "moi": registration.invite_command,
    "ngonngu": common.language,
    "maubieu": tables.send_template,
}
# Commands that leave the user on their step: the question is asked again afterwards.
KEEPS_STEP = {"xem", "trogiup", "help", "ngonngu"}


@dataclass
class Outcome:
    """What the channel needs to know once the event is committed."""

    duplicate: bool = False
    failed: bool = False
    toast: str = ""
    signals: set[str] = field(default_factory=set)  # who else has work: reports, jobs
    queued: list[OutboxItem] = field(default_factory=list)  # the messages it queued
    user: int | None = None  # the person (our id), when known
    step: str = ""  # the step they were on


def _where() -> dict[str, object]:
    """How far an event got (its person and step), for the log line if it fails."""
    return {"step": "?", "user": None}


def in_campaign(memberships: list[Membership], campaign: ActiveCampaign | None) -> list[Membership]:
    """The roles that give rights now: a focal person's role counts only while the agency is in
    the active campaign (an agency removed from the campaign file keeps its data, not its
    rights); administrator and consolidator roles are not tied to the list."""
    if campaign is None:
        return memberships
    codes = campaign.definition.codes
    return [m for m in memberships if m.role is not Role.FOCAL or m.agency.code in codes]


def error_text() -> str:
    return _(
        "Sorry, something went wrong while handling this message, so it was not saved "
        "(everything saved before is still there). Please send it again, or send /kehoach "
        "to return to the menu."
    )


class Core:
    """The channel-neutral bot: ``await core.handle(event)`` stores what it decided."""

    def __init__(
        self,
        db: Database,
        services: Services,
        on_queued: Callable[[set[str], list[OutboxItem]], None] | None = None,
    ) -> None:
        self.db = db
        self.services = services
        self.commands = {**COMMANDS, **consolidate.COMMANDS}
        self.on_queued = on_queued or (lambda signals, queued: None)
        self._waiting: list[tuple[Event, asyncio.Future[Outcome]]] = []
        self._drainer: asyncio.Task[None] | None = None
        # monitoring: (channel, outcome, seconds from arrival to commit) of each update
        self.on_handled: Callable[[str, str, float], None] | None = None

    async def handle(self, event: Event) -> Outcome:
        """Handle one event. Events that arrive while a batch is being stored wait for the next
        one: a batch is one transaction (one trip to the database thread, one commit), each
        event in a savepoint of its own, so one that fails never undoes another. An unexpected
        error is logged with the update, person and step, and the person is told their message
        was not saved; only when even that cannot be stored does this raise (the channel then
        leaves the update unconfirmed). The outcome comes once the batch is committed."""
        loop = asyncio.get_running_loop()
        started = loop.time()
        future: asyncio.Future[Outcome] = loop.create_future()
        self._waiting.append((event, future))
        if self._drainer is None or self._drainer.done():
            self._drainer = asyncio.create_task(self._drain(), name="core batches")
        outcome = await future
        seconds = loop.time() - started
        kind = "duplicate" if outcome.duplicate else "failed" if outcome.failed else "handled"
        if self.on_handled is not None:
            self.on_handled(event.channel, kind, seconds)
        self._log(event, outcome, kind, seconds)
        return outcome

    @staticmethod
    def _log(event: Event, outcome: Outcome, kind: str, seconds: float) -> None:
        """One line per update: its id, channel, person and step, never what they wrote (only
        at DEBUG, cut short)."""
        if not log.isEnabledFor(logging.INFO):
            return
        said = ""
        if log.isEnabledFor(logging.DEBUG):
            said = f" {(event.command or event.data or event.text)[:200]!r}"
        log.info(
            "update %s %s from %s user %s at step %s: %s, %d queued, %.1f ms%s",
            event.delivery_id,
            event.kind.value,
            event.channel,
            outcome.user,
            outcome.step or "-",
            kind,
            len(outcome.queued),
            seconds * 1e3,
            said,
            extra={
                "update": event.delivery_id,
                "channel": event.channel,
                "user": outcome.user,
                "step": outcome.step,
                "outcome": kind,
                "queued": len(outcome.queued),
                "ms": round(seconds * 1e3, 1),
            },
        )

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:BATCH_MAX], self._waiting[BATCH_MAX:]
            try:
                outcomes = await self.db.batch(
                    [(event, _where()) for event, _future in batch],
                    self._one,
                    self._failed,
                )
            except Exception as exc:  # nothing of the batch was stored: each update says so
                for _event, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            except BaseException:
                for _event, future in batch:
                    future.cancel()
                raise
            # committed: the senders are handed the new rows (no read back), others woken
            self.on_queued(
                set().union(*(o.signals for o in outcomes)),
                [item for o in outcomes for item in o.queued],
            )
            for (_event, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)

    async def _failed(
        self, tx: Repos, item: tuple[Event, dict[str, object]], exc: Exception
    ) -> Outcome:
        """An event whose handling raised (its changes undone): logged, and the person told."""
        event, where = item
        log.error(
            "failed to handle update %s (%s %r) from %s:%s, user %s at step %s",
            event.delivery_id,
            event.kind.value,
            (event.command or event.data or event.text)[:80],
            event.channel,
            event.user_id,
            where["user"],
            where["step"],
            exc_info=exc,
        )
        return await self._apologise(tx, event)

    async def _one(self, tx: Repos, item: tuple[Event, dict[str, object]]) -> Outcome:
        """One event, inside the batch's transaction (``where`` says how far it got)."""
        event, where = item
        now = self.services.clock()
        if not await tx.audit.first_delivery(event.channel, event.delivery_id, now):
            log.info("update %s delivered again: ignored", event.delivery_id)
            return Outcome(duplicate=True)
        user = await tx.users.ensure(event.channel, event.user_id, event.display_name, now)
        where["user"] = user.id
        with use_locale(user.locale or self.services.default_locale):
            campaign = await tx.campaigns.active()
            held = await tx.users.memberships(user.id)
            live = in_campaign(held, campaign)
            ctx = Ctx(
                services=self.services,
                tx=tx,
                event=event,
                user=user,
                memberships=live,
                conv=await tx.conversations.get(user.id),
                campaign=campaign,
                now=now,
                removed=[m.agency for m in held if m not in live],
            )
            where["step"] = ctx.conv.step
            # one rule for every channel: a choice's label (or a known word) typed as the whole
            # message acts as that choice; numbers only where choices are numbered (Zalo)
            numbers = event.channel in self.services.numbered
            presses = numbered.several(event, ctx.conv.menu) if numbers else None
            read = numbered.read(event, ctx.conv.menu, numbers=numbers)
            if isinstance(presses, numbered.Refusal):
                self._refuse_number(ctx, presses)
            elif presses:  # "1, 7": each toggle pressed; the last view is the one shown
                for press in presses:
                    ctx.replies.clear()
                    ctx.event = press
                    ctx.conv = await tx.conversations.get(user.id)
                    await self._dispatch(ctx)
            elif isinstance(read, numbered.Refusal):
                self._refuse_number(ctx, read)
            else:
                ctx.event = read
                await self._dispatch(ctx)
            queued = await queue(
                tx,
                ctx.replies,
                now,
                numbered=self.services.numbered,
                default=Recipient(event.channel, event.reply_to),
                edit_ref=event.message_ref,
            )
            toast = next((r.toast for r in ctx.replies if r.toast), "")
            crashpoint("update_before_commit")
        return Outcome(
            toast=toast,
            signals=set(ctx.signals),
            queued=queued,
            user=user.id,
            step=str(where["step"]),
        )

    async def _apologise(self, tx: Repos, event: Event) -> Outcome:
        """Record the update as handled and tell the person plainly that it was not saved."""
        now = self.services.clock()
        await tx.audit.first_delivery(event.channel, event.delivery_id, now)
        user = await tx.users.get(event.channel, event.user_id)
        locale = (user.locale if user else None) or self.services.default_locale
        with use_locale(locale):
            reply = Reply(text=error_text())
        queued = await queue(
            tx,
            [reply],
            now,
            numbered=self.services.numbered,
            default=Recipient(event.channel, event.reply_to),
        )
        return Outcome(failed=True, queued=queued)

    @staticmethod
    def _refuse_number(ctx: Ctx, refusal: numbered.Refusal) -> None:
        """A number outside the menu in force: say so, and show that menu again."""
        menu = ctx.conv.menu
        choices = [
            [Choice(label, action)]
            for label, data in menu
            if (action := act.unpack(data)) is not None
        ]
        if not choices:
            ctx.say(numbered.refusal_text(refusal, ()))
            return
        ctx.say(
            _("{n} is not one of the choices. Please answer with one of these numbers:").format(
                n=refusal.number
            ),
            choices,
        )

    async def _dispatch(self, ctx: Ctx) -> None:
        event = ctx.event
        if event.kind is not Kind.BUTTON and ctx.user.blocked_at is not None:
            await ctx.tx.users.set_blocked(ctx.user.id, None)  # they are back
        if not event.private:
            if event.kind is Kind.COMMAND:
                ctx.replies.append(common.not_private())
            return
        if event.kind is Kind.COMMAND and event.command == "start":
            await registration.start(ctx)
            return
        if not ctx.known:
            await ctx.audit("stranger", "user", ctx.user.id, kind=event.kind.value)
            if ctx.removed:
                ctx.say(registration.removed_text(ctx.removed))
                return
            ctx.say(registration.stranger_text())
            return
        if event.kind is Kind.EDITED:
            ctx.say(common.edited_text())
            return
        if self._campaign_changed(ctx):
            await common.campaign_changed(ctx)
            if event.kind is not Kind.COMMAND:
                return
        if event.kind is Kind.COMMAND:
            handler = self.commands.get(event.command)
            if handler is None:
                ctx.say(common.unknown_command_text())
                await self._resume(ctx)
                return
            await handler(ctx)
            if event.command in KEEPS_STEP:
                await self._resume(ctx)
            return
        if event.kind is Kind.BUTTON:
            await self._button(ctx)
            return
        if event.kind is Kind.FILE:
            await tables.on_file(ctx)
            return
        if event.kind is Kind.MEDIA:
            ctx.say(common.media_text())
            await self._resume(ctx)
            return
        await self._text(ctx)

    @staticmethod
    def _campaign_changed(ctx: Ctx) -> bool:
        """The person is in the middle of a step that belongs to a campaign no longer open."""
        conv, campaign = ctx.conv, ctx.campaign
        return (
            conv.step != "idle"
            and conv.campaign_id is not None
            and campaign is not None
            and conv.campaign_id != campaign.id
        )

    async def _resume(self, ctx: Ctx) -> None:
        """Asks again the question of the step the user is on, if any."""
        step = ctx.conv.step
        if step in ("idle", "card"):
            return
        if step in consolidate.STEPS:
            await consolidate.resume(ctx)
            return
        current = await ctx.plan()
        if current is None:
            return
        ctx.say(_("You were in the middle of a step; here it is again (or send /huy to leave it)."))
        if step == "objective":
            plan.prompt_objective(ctx, current)
        elif step in progress.STEPS:
            await progress.prompt(ctx)
        elif step in proposals.STEPS:
            await proposals.prompt(ctx)
        else:
            await measure.prompt(ctx, current)

    async def _text(self, ctx: Ctx) -> None:
        step = ctx.conv.step
        if step == "idle":
            common.idle_text_hint(ctx)
            return
        if step in consolidate.STEPS:
            await consolidate.return_reason(ctx, ctx.event.text)
            return
        if step in progress.STEPS:
            await progress.answer_text(ctx, ctx.event.text)
            return
        if step in proposals.STEPS:
            await proposals.answer_text(ctx, ctx.event.text)
            return
        current = await plan.current_plan(ctx)
        if current is None:
            return
        if step == "objective":
            await plan.save_objective(ctx, current, ctx.event.text)
        elif wizard.step(step) is not None:
            await measure.answer_text(ctx, current, ctx.event.text)
        else:  # on a card: buttons are expected
            ctx.say(_("Please use the buttons under the measure."))
            if ctx.conv.measure_id:
                await measure.show_card(ctx, current, ctx.conv.measure_id, edit=False)

    async def _button(self, ctx: Ctx) -> None:
        """A button: its typed payload names what it acts on; that is checked, then done."""
        action = act.unpack(ctx.event.data)
        if action is None:
            await plan.invalid_button(ctx)
            return
        if isinstance(action, consolidate.ACTIONS):
            await consolidate.on_button(ctx, action)
            return
        if isinstance(action, progress.ACTIONS):
            await progress.on_button(ctx, action)
            return
        if isinstance(action, proposals.ACTIONS):
            await proposals.on_button(ctx, action)
            return
        if isinstance(action, tables.ACTIONS):
            await tables.on_button(ctx, action)
            return
        match action:
            case act.Menu():
                await home.show(ctx, edit=True)
            case act.ChooseAgency(agency=agency_id):
                await plan.choose_agency(ctx, agency_id)
            case act.Back() if ctx.conv.step in progress.STEPS:
                await progress.back_to_report(ctx)
            case act.Back() if ctx.conv.step in proposals.STEPS:
                await proposals.show(ctx)
            case act.Back():
                current = await plan.current_plan(ctx)
                if current is not None:
                    await measure.back(ctx, current)
            case act.ViewPlan(plan=plan_id) | act.AskSubmit(plan=plan_id):
                target = await plan.plan_at(ctx, await ctx.tx.plans.locate("plan", plan_id))
                if target is None:
                    return
                if isinstance(action, act.ViewPlan):
                    await plan.view_all(ctx, target)
                else:
                    await plan.ask_submit(ctx, target)
            case act.ConfirmSubmit(plan=plan_id, revision=revision):
                target = await plan.plan_at(ctx, await ctx.tx.plans.locate("plan", plan_id))
                if target is not None:
                    await plan.submit(ctx, target, revision)
            case (
                act.OpenItem(assignment=aid)
                | act.EditObjective(assignment=aid)
                | act.AddMeasure(assignment=aid)
            ):
                where = await ctx.tx.plans.locate("assignment", aid)
                if where is not None and where.deleted:
                    where = None  # an item no longer in the directive
                target = await plan.plan_at(ctx, where)
                if target is None:
                    return
                if isinstance(action, act.OpenItem):
                    await plan.show_item(ctx, target, aid)
                elif isinstance(action, act.EditObjective):
                    await plan.ask_objective(ctx, target, aid)
                else:
                    await measure.start_new(ctx, target, aid)
            case _:
                await self._measure_button(ctx, action)

    async def _measure_button(self, ctx: Ctx, action: act.Action) -> None:
        """Buttons that act on one measure: refused plainly when it was deleted meanwhile."""
        mid = getattr(action, "measure", None)
        if not isinstance(mid, int):
            await plan.invalid_button(ctx)
            return
        where = await ctx.tx.plans.locate("measure", mid)
        if where is not None and where.deleted:
            target = await plan.plan_at(ctx, where)
            if target is not None:
                await measure.deleted(ctx, target, where.assignment_id)
            return
        target = await plan.plan_at(ctx, where)
        if target is None:
            return
        match action:
            case act.OpenMeasure():
                await measure.show_card(ctx, target, mid)
            case act.EditField(field=key):
                await measure.edit_field(ctx, target, mid, key)
            case act.AskDelete():
                await measure.ask_delete(ctx, target, mid)
            case act.ConfirmDelete():
                await measure.delete(ctx, target, mid)
            case act.ChooseLead(agency=agency_id):
                await measure.choose_lead(ctx, target, mid, agency_id)
            case act.TogglePartner(agency=agency_id):
                await measure.toggle_partner(ctx, target, mid, agency_id)
            case act.AddPartner(agency=agency_id):
                await measure.add_partner(ctx, target, mid, agency_id)
            case act.PartnerOther():
                await measure.partner_other(ctx, target, mid)
            case act.PartnersNone():
                await measure.partners_done(ctx, target, mid, none=True)
            case act.PartnersDone():
                await measure.partners_done(ctx, target, mid, none=False)
            case act.SkipOutput() | act.KeepCurrent():
                await measure.skip(ctx, target, mid)
            case act.KeepAnswer():
                await measure.keep_answer(ctx, target, mid)
            case act.PickDue(day=day):
                await measure.pick_due(ctx, target, mid, day)
            case _:
                await plan.invalid_button(ctx)
