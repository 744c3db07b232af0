"""The plan conversation: menu, one shortcoming, its objective, the whole plan, submission."""

from __future__ import annotations

from db.plans import Location
from domain import rules
from domain.clarity import plan_findings
from domain.model import Plan, Role
from domain.rules import Status
from domain.text import OBJECTIVE_MAX
from handlers import buttons as act
from handlers import clarity, views
from handlers.context import Ctx
from handlers.input import InputError, words
from handlers.markup import esc
from handlers.types import Choice
from locales import _, fmt_datetime


async def current_plan(ctx: Ctx) -> Plan | None:
    """The plan the user works on; says why not (and asks which agency) when there is none."""
    if ctx.campaign is None:
        ctx.say(_("No campaign is open at the moment."))
        return None
    agencies = ctx.focal_agencies()
    if not agencies:
        ctx.say(_("You are not the focal person of any agency, so there is no plan to enter."))
        return None
    if ctx.conv.agency_id not in {a.id for a in agencies}:
        if len(agencies) > 1:
            ctx.say(
                _(
                    "You are the focal person of several agencies. Which plan do you want to work on?"
                ),
                [[Choice(a.name, act.ChooseAgency(a.id))] for a in agencies],
            )
            return None
        await ctx.go(ctx.conv.step, agency_id=agencies[0].id)
    plan = await ctx.plan()
    if plan is None or not plan.shortcomings:
        ctx.say(_("Your agency has no items to answer in the current campaign."))
        return None
    return plan


async def plan_at(ctx: Ctx, where: Location | None) -> Plan | None:
    """The plan a button's ids point to, if it is this person's in the open campaign; the
    conversation moves to that plan's agency (one person may answer for two agencies)."""
    if where is None or ctx.campaign is None:
        await invalid_button(ctx)
        return None
    if where.campaign_id != ctx.campaign.id:
        ctx.say(
            _("This button belongs to an earlier campaign. Please continue from the menu."),
            [[views.menu_button()]],
        )
        return None
    if where.agency_id not in {a.id for a in ctx.focal_agencies()}:
        await invalid_button(ctx)
        return None
    if ctx.conv.agency_id != where.agency_id:
        await ctx.go("idle", agency_id=where.agency_id, assignment_id=None, measure_id=None)
    return await ctx.plan()


def index_of(plan: Plan, assignment_id: int) -> int:
    return next(
        i for i, s in enumerate(plan.shortcomings, start=1) if s.assignment_id == assignment_id
    )


async def show_menu(
    ctx: Ctx, *, edit: bool = False, extra: list[list[Choice]] | None = None
) -> None:
    """Shows the plan's menu: each item with its state; leaves any step (saved data stays).
    ``extra``: rows of the person's other roles (the main menu of a focal person who also
    consolidates)."""
    plan = await current_plan(ctx)
    if plan is None or ctx.campaign is None:
        return
    await ctx.go("idle", assignment_id=None, measure_id=None, wizard=False)
    text, rows = views.menu(ctx.campaign.definition, plan, ctx.today, ctx.services.tz)
    ctx.say(text, rows + (extra or []), edit=edit)


async def choose_agency(ctx: Ctx, agency_id: int) -> None:
    """Stores which agency's plan the user works on and shows its menu."""
    if agency_id not in {a.id for a in ctx.focal_agencies()}:
        await invalid_button(ctx)
        return
    await ctx.go("idle", agency_id=agency_id, assignment_id=None, measure_id=None)
    await show_menu(ctx, edit=True)


async def show_item(ctx: Ctx, plan: Plan, assignment_id: int, *, edit: bool = True) -> None:
    """Shows one shortcoming with its objective and measures, and the actions on it."""
    item = plan.shortcoming(assignment_id)
    if item is None:
        await invalid_button(ctx)
        return
    await ctx.go("idle", assignment_id=assignment_id, measure_id=None, wizard=False)
    text, rows = views.item_view(index_of(plan, assignment_id), item)
    ctx.say(text, rows, edit=edit)


async def ask_objective(ctx: Ctx, plan: Plan, assignment_id: int) -> None:
    """Asks for the objective of one shortcoming."""
    item = plan.shortcoming(assignment_id)
    if item is None:
        await invalid_button(ctx)
        return
    await ctx.go("objective", assignment_id=assignment_id, measure_id=None, wizard=False)
    prompt_objective(ctx, plan)


def prompt_objective(ctx: Ctx, plan: Plan) -> None:
    item = plan.shortcoming(ctx.conv.assignment_id or 0)
    if item is None:
        return
    n = index_of(plan, item.assignment_id)
    lines = [_("**Item {n}**").format(n=n), f"__{esc(item.text)}__", ""]
    if item.objective:
        lines += [_("Current objective: {v}").format(v=esc(item.objective)), ""]
    lines.append(_("Please type the remediation objective for item {n}.").format(n=n))
    ctx.say("\n".join(lines), [[views.back_button()]])


async def save_objective(ctx: Ctx, plan: Plan, raw: str) -> None:
    """Stores the objective and shows the item again."""
    item = plan.shortcoming(ctx.conv.assignment_id or 0)
    if item is None:
        await show_menu(ctx)
        return
    try:
        text = words(raw, OBJECTIVE_MAX)
    except InputError as err:
        ctx.say(str(err))
        prompt_objective(ctx, plan)  # the question again: nothing was stored
        return
    await ctx.tx.plans.set_objective(item.assignment_id, text)
    await changed(ctx, plan)
    await ctx.audit("objective.set", "assignment", item.assignment_id, text=text)
    ctx.say(_("✅ Objective saved."))
    fresh = await ctx.plan()
    if fresh:
        await show_item(ctx, fresh, item.assignment_id, edit=False)


async def changed(ctx: Ctx, plan: Plan) -> None:
    """After any change to ``plan``: its revision moves on ("changed since submission"), unless
    the plan now says exactly what its submitted version says (the only change undone), which is
    that version again (#21.9): no third version identical to the second."""
    await ctx.tx.plans.touch(plan.id, ctx.now)
    if plan.submitted_revision is None or plan.returned_at is not None:
        return  # never submitted, or returned: nothing to compare with
    submitted = await ctx.tx.plans.last_snapshot(plan.id)
    fresh = await ctx.tx.plans.plan(plan.campaign_id, plan.agency.id)
    if submitted is not None and fresh is not None and rules.same_content(fresh, submitted):
        await ctx.tx.plans.same_as_submitted(plan.id, fresh.revision)


async def view_all(ctx: Ctx, plan: Plan | None = None) -> None:
    """Shows the whole plan (the channel splits it between items and measures)."""
    plan = plan or await current_plan(ctx)
    if plan is None or ctx.campaign is None:
        return
    text = views.plan_text(ctx.campaign.definition, plan, ctx.today, ctx.services.tz)
    ctx.say(text, [[views.menu_button(), views.submit_button(plan)]])


async def ask_submit(ctx: Ctx, plan: Plan | None = None) -> None:
    """Checks completeness; lists what is missing, or asks to confirm the submission."""
    plan = plan or await current_plan(ctx)
    if plan is None:
        return
    gaps = rules.missing(plan)
    if gaps:
        ctx.say(views.missing_text(gaps, plan), [[views.menu_button()]])
        return
    sub = plan.last_submission
    if rules.status(plan) is Status.SUBMITTED and sub:
        ctx.say(
            _("The plan was submitted (version {v}) and has not changed since.").format(
                v=sub.version
            ),
            [[views.menu_button()]],
        )
        return
    n_items, n_measures = len(plan.shortcomings), rules.measure_count(plan)
    review, opens = "", list[list[Choice]]()
    if ctx.campaign is not None:
        review, opens = clarity.before_submit(plan_findings(ctx.campaign.definition.checker, plan))
    text = _(
        "Submit the plan of {agency}: {items} items, {measures} measures?\n"
        "You can still edit it afterwards and submit again."
    ).format(agency=esc(plan.agency.name), items=n_items, measures=n_measures)
    if review:
        text = review + "\n\n" + text
    ctx.say(
        text,
        [
            *opens,
            [
                Choice(_("✅ Confirm submission"), act.ConfirmSubmit(plan.id, plan.revision)),
                Choice(_("✖️ Not now"), act.Menu()),
            ],
        ],
    )


async def submit(ctx: Ctx, plan: Plan, revision: int) -> None:
    """Records the submission (an immutable snapshot) of the plan the button names, at the
    revision it showed, and tells the consolidators."""
    if ctx.campaign is None:
        return
    if plan.revision != revision:
        ctx.say(
            _("The plan changed after this button was shown. Please review it and submit again.")
        )
        await ask_submit(ctx, plan)
        return
    if rules.missing(plan) or rules.status(plan) is Status.SUBMITTED:
        await ask_submit(ctx, plan)
        return
    due = ctx.campaign.definition.deadlines.plans_due
    late = rules.late_days(ctx.today, due)
    measures = rules.measure_count(plan)
    version = await ctx.tx.plans.submit(plan, ctx.user.id, ctx.now, late, measures)
    await ctx.audit("plan.submit", "plan", plan.id, version=version, late_days=late)
    await ctx.go("idle", assignment_id=None, measure_id=None, wizard=False)
    at = fmt_datetime(ctx.now, ctx.services.tz)
    text = _("✅ Submitted the plan of {agency}, version {v}, at {at}.").format(
        agency=esc(plan.agency.name), v=version, at=at
    )
    if late:
        text += "\n" + _("Submitted after the deadline ({late}).").format(
            late=views.late_text(late)
        )
    ctx.say(text, [[views.menu_button()]], edit=True)
    await notify_consolidators(ctx, plan, version, late, measures)


async def notify_consolidators(
    ctx: Ctx, plan: Plan, version: int, late: int, measures: int
) -> None:
    assert ctx.campaign is not None

    def text() -> str:
        out = _(
            "📥 {agency} submitted its plan: version {v}, {measures} measures, at {at}."
        ).format(
            agency=esc(plan.agency.name),
            v=version,
            measures=measures,
            at=fmt_datetime(ctx.now, ctx.services.tz),
        )
        return out + (" ⚠️ " + views.late_text(late) if late else "")

    ctx.tell(await ctx.tx.users.with_role(Role.CONSOLIDATOR, ctx.campaign.consolidator.id), text)


async def invalid_button(ctx: Ctx) -> None:
    """A button that names something this user may not touch, or that no longer exists."""
    await ctx.audit("button.refused", "user", ctx.user.id, data=ctx.event.data[:64])
    ctx.say(
        _(
            "This button is not valid for you or is no longer valid. Please start again from the menu."
        ),
        [[views.menu_button()]],
    )
