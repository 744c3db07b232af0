"""The main menu ("📋 Menu chính", "0" or "menu" typed): each person's own, by what they do.

- A focal person whose agency has items to answer: the plan's menu (with the consolidated
  status too when they also consolidate).
- A focal person whose agency has nothing to plan (a commune that only files proposals): its
  proposals.
- A consolidator: the consolidated status, the proposals and the commands they use.
- An administrator only: the commands they use.
"""

from __future__ import annotations

from handlers import buttons as act
from handlers import consolidate, plan, proposals, views
from handlers.context import Ctx
from handlers.markup import esc
from handlers.types import Choice
from locales import _


async def show(ctx: Ctx, *, edit: bool = False) -> None:
    """The person's main menu; leaves any step (saved data stays)."""
    if ctx.campaign is None:
        ctx.say(_("No campaign is open at the moment."))
        return
    agencies = ctx.focal_agencies()
    if agencies:
        chosen = next((a for a in agencies if a.id == ctx.conv.agency_id), None)
        if chosen is None and len(agencies) == 1:
            chosen = agencies[0]
        if chosen is None:  # several agencies: which one (asked by the plan's own question)
            await plan.current_plan(ctx)
            return
        own = await ctx.tx.plans.plan(ctx.campaign.id, chosen.id)
        if own is not None and own.shortcomings:
            extra = [[_status_button()]] if ctx.is_consolidator else []
            await plan.show_menu(ctx, edit=edit, extra=extra)
            return
        await proposals.show(ctx, edit=edit)
        return
    if ctx.is_consolidator:
        await ctx.go("idle", assignment_id=None, measure_id=None, wizard=False)
        await _consolidator(ctx, edit=edit)
        return
    await ctx.go("idle")
    if ctx.is_admin:
        ctx.say(
            _("You administer the bot. Send /moi to invite a person, /trogiup for the commands.")
        )
        return
    ctx.say(_("You are not the focal person of any agency, so there is no plan to enter."))


def _status_button() -> Choice:
    return Choice(_("📊 Consolidated status"), act.StatusPage(0))


async def _consolidator(ctx: Ctx, *, edit: bool) -> None:
    assert ctx.campaign is not None
    c = ctx.campaign.definition
    ov = await consolidate.load_overview(ctx.tx, ctx.campaign, ctx.today)
    text = "\n".join(
        [
            f"**{esc(ctx.campaign.consolidator.name)}**",
            esc(c.title),
            views.deadline_line(c, ctx.today),
            consolidate.counts_line(ov),
            "",
            _(
                "Choose what to open. To remind every agency that has not submitted, send "
                "/nhacnho; to return a plan, open the agency in the status."
            ),
        ]
    )
    rows = [[_status_button()], [proposals.menu_button()]]
    ctx.say(text, rows, edit=edit)
