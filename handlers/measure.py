"""Adding and editing one measure, step by step.

Order of the wizard: content → lead unit → coordinating units → timeline → output → card.
Each answer is stored in the measure row at once; from the card, one field can be changed.
"""

from __future__ import annotations

from collections.abc import Collection

from domain.model import Agency, Measure, Plan, Shortcoming
from domain.timeline import TimelineError, parse_timeline
from handlers import views
from handlers.context import Ctx
from handlers.input import CONTENT_MAX, NAME_MAX, OUTPUT_MAX, InputError, clean, names
from handlers.plan import index_of, invalid_button, show_item
from handlers.text import esc
from handlers.types import Choice
from locales import _

ORDER = ("m_content", "m_lead", "m_partners", "m_timeline", "m_output")
FIELD_STEP = {
    "c": "m_content",
    "l": "m_lead",
    "p": "m_partners",
    "t": "m_timeline",
    "o": "m_output",
}


def _current(ctx: Ctx, plan: Plan) -> tuple[Shortcoming, Measure] | None:
    return plan.measure(ctx.conv.measure_id) if ctx.conv.measure_id else None


MAX_AGENCY_BUTTONS = 20  # a province has ~20 departments; 99 communes are typed, not listed


async def _candidates(ctx: Ctx, plan: Plan, names: Collection[str] = ()) -> list[Agency]:
    """The agencies that may be offered: the first ones, own, the consolidator, chosen ones."""
    if ctx.campaign is None:
        return []
    ids = (plan.agency.id, ctx.campaign.consolidator.id)
    return await ctx.tx.campaigns.offered(ctx.campaign.id, MAX_AGENCY_BUTTONS, ids, tuple(names))


async def _agency(ctx: Ctx, agency_id: int) -> Agency | None:
    if ctx.campaign is None:
        return None
    return await ctx.tx.campaigns.campaign_agency(ctx.campaign.id, agency_id)


def _offered(
    ctx: Ctx, plan: Plan, agencies: list[Agency], first: Collection[str] = ()
) -> list[Agency]:
    """The agencies offered as buttons: chosen ones, own, the consolidator, then campaign order."""
    consolidator = ctx.campaign.consolidator.id if ctx.campaign else 0

    def rank(a: Agency) -> int:
        if a.name in first:
            return 0
        return 1 if a.id == plan.agency.id else 2 if a.id == consolidator else 3

    return sorted(agencies, key=rank)[:MAX_AGENCY_BUTTONS]


# -- entering the wizard -------------------------------------------------------------------------


async def start_new(ctx: Ctx, plan: Plan, assignment_id: int) -> None:
    """Asks for the content of a new measure."""
    if plan.shortcoming(assignment_id) is None:
        await invalid_button(ctx)
        return
    await ctx.go("m_content", assignment_id=assignment_id, measure_id=None, wizard=True)
    await prompt(ctx, plan)


async def edit_field(ctx: Ctx, plan: Plan, measure_id: int, field: str) -> None:
    """Asks for one field of an existing measure; the answer returns to the card."""
    found = plan.measure(measure_id)
    step = FIELD_STEP.get(field)
    if found is None or step is None:
        await invalid_button(ctx)
        return
    await ctx.go(step, assignment_id=found[0].assignment_id, measure_id=measure_id, wizard=False)
    await prompt(ctx, plan)


async def show_card(ctx: Ctx, plan: Plan, measure_id: int, *, edit: bool = True) -> None:
    """Shows one measure with a button per field, delete, and done."""
    found = plan.measure(measure_id)
    if found is None:
        await invalid_button(ctx)
        return
    item, m = found
    await ctx.go("card", assignment_id=item.assignment_id, measure_id=m.id, wizard=False)
    text, rows = views.measure_card(index_of(plan, item.assignment_id), item, m)
    ctx.say(text, rows, edit=edit)


# -- prompts -------------------------------------------------------------------------------------


async def prompt(ctx: Ctx, plan: Plan) -> None:
    """Asks the question of the step the user is on (also used to resume after a pause)."""
    step = ctx.conv.step
    found = _current(ctx, plan)
    item = plan.shortcoming(ctx.conv.assignment_id or 0)
    if item is None:
        return
    n = index_of(plan, item.assignment_id)
    m = found[1] if found else None
    head = (
        _("<b>Item {n} — measure {m}</b>").format(n=n, m=m.position)
        if m
        else _("<b>Item {n} — new measure</b>").format(n=n)
    )
    back = [views.back_button()]
    if step == "m_content":
        lines = [head]
        if m:
            lines.append(_("Current: {v}").format(v=esc(m.content)))
        lines.append(_("Please type the task or solution (nhiệm vụ, giải pháp)."))
        ctx.say("\n".join(lines), [back])
    elif step == "m_lead" and m:
        agencies = _offered(ctx, plan, await _candidates(ctx, plan))
        own = next((a for a in agencies if a.id == plan.agency.id), plan.agency)
        others = [a for a in agencies if a.id != own.id]
        rows = [[Choice("⭐ " + own.name, f"ld:{m.id}:{own.id}")]]
        for i in range(0, len(others), 2):
            rows.append([Choice(a.name, f"ld:{m.id}:{a.id}") for a in others[i : i + 2]])
        rows.append(back)
        lines = [head]
        if m.lead_unit:
            lines.append(_("Current: {v}").format(v=esc(m.lead_unit)))
        lines.append(_("Which unit leads this task? Choose one, or type another unit's name."))
        ctx.say("\n".join(lines), rows)
    elif step == "m_partners" and m:
        text, rows = await _partners_view(ctx, plan, m, head)
        ctx.say(text, rows)
    elif step == "m_timeline" and m:
        lines = [head]
        if m.timeline:
            lines.append(_("Current: {v}").format(v=views.timeline_text(m)))
        lines.append(_("Timeline and completion time? For example:") + "\n" + timeline_examples())
        ctx.say("\n".join(lines), [back])
    elif step == "m_output" and m:
        lines = [head]
        if m.output:
            lines.append(_("Current: {v}").format(v=esc(m.output)))
        lines.append(
            _("Expected output or result (e.g. a plan, a report, a decision)? This is optional.")
        )
        ctx.say("\n".join(lines), [[Choice(_("⏭ Skip"), f"sk:{m.id}")], back])
    elif step == "card" and m:
        await show_card(ctx, plan, m.id, edit=False)


def timeline_examples() -> str:
    return "\n".join(
        [
            "• 30/6/2026",
            "• " + "trước ngày 15/12/2026",
            "• " + "tháng 5-6/2026",
            "• " + "quý II/2026",
            "• " + "6 tháng đầu năm 2026",
            "• " + "năm 2026",
            "• " + "thường xuyên",
            "• " + "quý II/2026 và thường xuyên",
        ]
    )


async def _partners_view(
    ctx: Ctx, plan: Plan, m: Measure, head: str
) -> tuple[str, list[list[Choice]]]:
    chosen = set(m.partners or ())
    every = [a for a in await _candidates(ctx, plan, chosen) if a.name != m.lead_unit]
    agencies = _offered(ctx, plan, every, chosen)
    rows = []
    buttons = [
        Choice(("☑️ " if a.name in chosen else "◻️ ") + a.name, f"pt:{m.id}:{a.id}") for a in agencies
    ]
    for i in range(0, len(buttons), 2):
        rows.append(buttons[i : i + 2])
    rows.append([Choice(_("✍️ Other (type a name)"), f"ptx:{m.id}")])
    rows.append([Choice(_("🚫 None"), f"ptn:{m.id}"), Choice(_("➡️ Done"), f"ptd:{m.id}")])
    rows.append([views.back_button()])
    typed = [p for p in (m.partners or ()) if p not in {a.name for a in every}]
    lines = [head, _("Coordinating units: tap to select or unselect, then press Done.")]
    lines.append(_("To add another unit, type its name (several: separate with ;)."))
    if m.partners:
        lines.append(_("Selected: {v}").format(v=esc(", ".join(m.partners))))
    if typed:
        lines.append(_("Typed: {v}").format(v=esc(", ".join(typed))))
    return "\n".join(lines), rows


# -- answers -------------------------------------------------------------------------------------


async def answer_text(ctx: Ctx, plan: Plan, raw: str) -> None:
    """Stores a typed answer for the current step and asks the next question."""
    step = ctx.conv.step
    found = _current(ctx, plan)
    try:
        if step == "m_content":
            text = clean(raw, CONTENT_MAX)
            if found is None:
                mid = await ctx.tx.plans.add_measure(ctx.conv.assignment_id or 0, text, ctx.now)
                await ctx.go(step, measure_id=mid)
                await _changed(ctx, plan, "measure.add", mid, content=text)
            else:
                await _update(ctx, plan, found[1].id, content=text)
        elif found is None:
            await _lost(ctx)
            return
        elif step == "m_lead":
            await _update(ctx, plan, found[1].id, lead_unit=clean(raw, NAME_MAX))
        elif step == "m_partners":
            extra = names(raw)
            current = list(found[1].partners or ())
            merged = current + [n for n in extra if n not in current]
            await _update(ctx, plan, found[1].id, partners=merged)
            fresh = await ctx.plan()
            if fresh:
                await prompt(ctx, fresh)
            return
        elif step == "m_timeline":
            try:
                tl = parse_timeline(raw)
            except TimelineError as err:
                ctx.say(timeline_error(err.reason), [[views.back_button()]])
                return
            await _update(
                ctx, plan, found[1].id, timeline=tl.text, due_date=tl.due, recurring=tl.recurring
            )
            ctx.say(_("Understood. {v}").format(v=views.understood(tl.due, tl.recurring)))
        elif step == "m_output":
            await _update(ctx, plan, found[1].id, output=clean(raw, OUTPUT_MAX))
    except InputError as err:
        ctx.say(str(err), [[views.back_button()]])
        return
    await advance(ctx)


def timeline_error(reason: str) -> str:
    why = {
        "empty": _("The timeline is empty."),
        "long": _("The timeline is too long."),
        "date": _("That date does not exist."),
        "month": _("A month must be between 1 and 12."),
        "quarter": _("A quarter must be I, II, III or IV."),
        "year": _("The year looks wrong."),
        "order": _("The period ends before it starts."),
        "no_year": _("Please include the year."),
    }.get(reason, _("I could not understand this timeline."))
    return why + "\n" + _("Please type it again, for example:") + "\n" + timeline_examples()


async def choose_lead(ctx: Ctx, plan: Plan, measure_id: int, agency_id: int) -> None:
    """Stores the lead unit chosen by button."""
    if not _on_step(ctx, "m_lead", measure_id):
        await stale_button(ctx)
        return
    agency = await _agency(ctx, agency_id)
    if agency is None or plan.measure(measure_id) is None:
        await invalid_button(ctx)
        return
    await _update(ctx, plan, measure_id, lead_unit=agency.name)
    await advance(ctx)


async def toggle_partner(ctx: Ctx, plan: Plan, measure_id: int, agency_id: int) -> None:
    """Adds or removes one coordinating agency, and redraws the list."""
    found = plan.measure(measure_id)
    if not _on_step(ctx, "m_partners", measure_id):
        await stale_button(ctx)
        return
    agency = await _agency(ctx, agency_id)
    if agency is None or found is None:
        await invalid_button(ctx)
        return
    current = list(found[1].partners or ())
    if agency.name in current:
        current.remove(agency.name)
    else:
        current.append(agency.name)
    await _update(ctx, plan, measure_id, partners=current)
    fresh = await ctx.plan()
    found = fresh.measure(measure_id) if fresh else None
    if fresh and found:
        head = _("<b>Item {n} — measure {m}</b>").format(
            n=index_of(fresh, found[0].assignment_id), m=found[1].position
        )
        text, rows = await _partners_view(ctx, fresh, found[1], head)
        ctx.say(text, rows, edit=True)


async def partner_other(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    """Asks for the name of a coordinating unit that is not in the list."""
    if not _on_step(ctx, "m_partners", measure_id) or plan.measure(measure_id) is None:
        await stale_button(ctx)
        return
    ctx.say(
        _("Type the name of the coordinating unit (several: separate with ;)."),
        [[views.back_button()]],
    )


async def partners_done(ctx: Ctx, plan: Plan, measure_id: int, none: bool) -> None:
    """Stores the coordinating units (or none) and moves on."""
    found = plan.measure(measure_id)
    if not _on_step(ctx, "m_partners", measure_id) or found is None:
        await stale_button(ctx)
        return
    if none or found[1].partners is None:
        await _update(ctx, plan, measure_id, partners=[])
    await advance(ctx)


async def skip_output(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    """Leaves the output empty and shows the card."""
    if not _on_step(ctx, "m_output", measure_id) or plan.measure(measure_id) is None:
        await stale_button(ctx)
        return
    await advance(ctx)


async def ask_delete(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    found = plan.measure(measure_id)
    if found is None:
        await invalid_button(ctx)
        return
    ctx.say(
        _("Delete measure {m}: {content}?").format(
            m=found[1].position, content=esc(found[1].content)
        ),
        [[Choice(_("🗑 Delete"), f"mdy:{measure_id}"), Choice(_("✖️ Keep it"), f"m:{measure_id}")]],
        edit=True,
    )


async def delete(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    """Deletes the measure and shows its item."""
    found = plan.measure(measure_id)
    if found is None:
        await invalid_button(ctx)
        return
    await ctx.tx.plans.delete_measure(measure_id)
    await _changed(ctx, plan, "measure.delete", measure_id, content=found[1].content)
    ctx.say(_("🗑 Measure deleted."))
    fresh = await ctx.plan()
    if fresh:
        await show_item(ctx, fresh, found[0].assignment_id, edit=False)


async def back(ctx: Ctx, plan: Plan) -> None:
    """One step back: the previous question in the wizard, the card when editing, else the item."""
    step, m = ctx.conv.step, ctx.conv.measure_id
    if step in ORDER and ctx.conv.wizard and ORDER.index(step) > 0 and m:
        await ctx.go(ORDER[ORDER.index(step) - 1])
        await prompt(ctx, plan)
    elif step in ORDER and not ctx.conv.wizard and m:
        await show_card(ctx, plan, m, edit=False)
    elif ctx.conv.assignment_id and plan.shortcoming(ctx.conv.assignment_id):
        await show_item(ctx, plan, ctx.conv.assignment_id, edit=False)
    else:
        from handlers.plan import show_menu

        await show_menu(ctx)


# -- helpers -------------------------------------------------------------------------------------


async def advance(ctx: Ctx) -> None:
    """After an answer: the next question in the wizard, or the card."""
    plan = await ctx.plan()
    if plan is None or ctx.conv.measure_id is None:
        return
    step = ctx.conv.step
    if ctx.conv.wizard and step in ORDER and ORDER.index(step) + 1 < len(ORDER):
        await ctx.go(ORDER[ORDER.index(step) + 1])
        await prompt(ctx, plan)
    else:
        await show_card(ctx, plan, ctx.conv.measure_id, edit=False)


def _on_step(ctx: Ctx, step: str, measure_id: int) -> bool:
    return ctx.conv.step == step and ctx.conv.measure_id == measure_id


async def _update(ctx: Ctx, plan: Plan, measure_id: int, **fields: object) -> None:
    await ctx.tx.plans.update_measure(measure_id, ctx.now, **fields)
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()}
    await _changed(ctx, plan, "measure.update", measure_id, **shown)


async def _changed(ctx: Ctx, plan: Plan, action: str, measure_id: int, **detail: object) -> None:
    await ctx.tx.plans.touch(plan.id, ctx.now)
    await ctx.audit(action, "measure", measure_id, **detail)


async def stale_button(ctx: Ctx) -> None:
    """A wizard button pressed when that step is over (an old message)."""
    ctx.say(
        _("This button belongs to a step that is already finished. Please continue from the menu."),
        [[views.menu_button()]],
    )


async def _lost(ctx: Ctx) -> None:
    await ctx.go("idle", measure_id=None, wizard=False)
    ctx.say(
        _("That measure no longer exists. Please continue from the menu."), [[views.menu_button()]]
    )
