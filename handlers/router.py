"""The entry of the conversation: one Event in, the Replies out, all in one transaction.

Every event runs in a single database transaction: the user's answer and their new step are
committed together before any reply leaves, and an update delivered twice is handled once.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from db.connection import Database
from handlers import common, consolidate, measure, plan, registration
from handlers.context import Ctx, Services
from handlers.types import Event, Kind, Recipient, Reply
from locales import _, use_locale

log = logging.getLogger(__name__)

Handler = Callable[[Ctx], Awaitable[None]]
ButtonHandler = Callable[[Ctx, list[str]], Awaitable[None]]

COMMANDS: dict[str, Handler] = {
    "start": registration.start,
    "kehoach": plan.show_menu,
    "menu": plan.show_menu,
    "xem": plan.view_all,
    "nop": plan.ask_submit,
    "huy": common.cancel,
    "trogiup": common.help_text,
    "help": common.help_text,
    "moi": registration.invite_command,
    "ngonngu": common.language,
}
# Commands that leave the user on their step: the question is asked again afterwards.
KEEPS_STEP = {"xem", "trogiup", "help", "ngonngu"}


class Core:
    """The channel-neutral bot: ``await core.handle(event)`` returns what to send."""

    def __init__(self, db: Database, services: Services) -> None:
        self.db = db
        self.services = services
        self.commands = {**COMMANDS, **consolidate.COMMANDS}
        self.buttons: dict[str, ButtonHandler] = dict(consolidate.BUTTONS)

    def extend(self, commands: dict[str, Handler], buttons: dict[str, ButtonHandler]) -> None:
        """Add a feature's commands and button verbs (e.g. consolidation)."""
        self.commands.update(commands)
        self.buttons.update(buttons)

    async def handle(self, event: Event) -> list[Reply]:
        try:
            async with self.db.transaction() as tx:
                now = self.services.clock()
                if not await tx.audit.first_delivery(event.channel, event.update_id, now):
                    log.info("update %s delivered again: ignored", event.update_id)
                    return []
                user = await tx.users.ensure(event.channel, event.user_id, event.display_name, now)
                with use_locale(user.locale or self.services.default_locale):
                    ctx = Ctx(
                        services=self.services,
                        tx=tx,
                        event=event,
                        user=user,
                        memberships=await tx.users.memberships(user.id),
                        conv=await tx.conversations.get(user.id),
                        campaign=await tx.campaigns.active(),
                        now=now,
                    )
                    await self._dispatch(ctx)
                    return ctx.replies
        except Exception:
            log.exception(
                "failed to handle update %s (%s) from %s:%s",
                event.update_id,
                event.kind,
                event.channel,
                event.user_id,
            )
            with use_locale(self.services.default_locale):
                return [
                    Reply(
                        text=_(
                            "Sorry, something went wrong and nothing was changed by this message. "
                            "Please try again, or send /kehoach to return to the menu."
                        )
                    )
                ]

    async def mark_blocked(self, recipient: Recipient) -> None:
        """The user blocked the bot: remembered so that nobody retries forever."""
        async with self.db.transaction() as tx:
            user = await tx.users.get(recipient.channel, recipient.external_id)
            if user is not None and user.blocked_at is None:
                now = self.services.clock()
                await tx.users.set_blocked(user.id, now)
                await tx.audit.record(now, user.id, "user.blocked", "user", user.id)

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
            ctx.say(registration.stranger_text())
            return
        if event.kind is Kind.EDITED:
            ctx.say(common.edited_text())
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
        if event.kind is Kind.MEDIA:
            ctx.say(common.media_text())
            await self._resume(ctx)
            return
        await self._text(ctx)

    async def _resume(self, ctx: Ctx) -> None:
        """Asks again the question of the step the user is on, if any."""
        step = ctx.conv.step
        if step in ("idle", "card"):
            return
        current = await ctx.plan()
        if current is None:
            return
        ctx.say(_("You were in the middle of a step; here it is again (or send /huy to leave it)."))
        if step == "objective":
            plan.prompt_objective(ctx, current)
        else:
            await measure.prompt(ctx, current)

    async def _text(self, ctx: Ctx) -> None:
        step = ctx.conv.step
        if step == "idle":
            common.idle_text_hint(ctx)
            return
        current = await plan.current_plan(ctx)
        if current is None:
            return
        if step == "objective":
            await plan.save_objective(ctx, current, ctx.event.text)
        elif step in measure.ORDER:
            await measure.answer_text(ctx, current, ctx.event.text)
        else:  # on a card: buttons are expected
            ctx.say(_("Please use the buttons under the measure."))
            if ctx.conv.measure_id:
                await measure.show_card(ctx, current, ctx.conv.measure_id, edit=False)

    async def _button(self, ctx: Ctx) -> None:
        verb, _sep, rest = ctx.event.data.partition(":")
        args = rest.split(":") if rest else []
        if verb == "menu":
            await plan.show_menu(ctx, edit=True)
            return
        extra = self.buttons.get(verb)
        if extra is not None:
            await extra(ctx, args)
            return
        field = ""
        if verb == "mf" and len(args) == 2:
            field = args.pop()
        try:
            nums = [int(a) for a in args]
        except ValueError:
            await plan.invalid_button(ctx)
            return
        if verb == "ag" and len(nums) == 1:
            await plan.choose_agency(ctx, nums[0])
            return
        current = await plan.current_plan(ctx)
        if current is None:
            return
        match verb, nums:
            case "a", [aid]:
                await plan.show_item(ctx, current, aid)
            case "obj", [aid]:
                await plan.ask_objective(ctx, current, aid)
            case "add", [aid]:
                await measure.start_new(ctx, current, aid)
            case "m", [mid]:
                await measure.show_card(ctx, current, mid)
            case "mf", [mid]:
                await measure.edit_field(ctx, current, mid, field)
            case "md", [mid]:
                await measure.ask_delete(ctx, current, mid)
            case "mdy", [mid]:
                await measure.delete(ctx, current, mid)
            case "ld", [mid, agency_id]:
                await measure.choose_lead(ctx, current, mid, agency_id)
            case "pt", [mid, agency_id]:
                await measure.toggle_partner(ctx, current, mid, agency_id)
            case "ptx", [mid]:
                await measure.partner_other(ctx, current, mid)
            case "ptn", [mid]:
                await measure.partners_done(ctx, current, mid, none=True)
            case "ptd", [mid]:
                await measure.partners_done(ctx, current, mid, none=False)
            case "sk", [mid]:
                await measure.skip_output(ctx, current, mid)
            case "back", []:
                await measure.back(ctx, current)
            case "all", []:
                await plan.view_all(ctx)
            case "sub", []:
                await plan.ask_submit(ctx)
            case "suby", [revision]:
                await plan.submit(ctx, revision)
            case _:
                await plan.invalid_button(ctx)
