"""Adding and editing one measure, step by step, as ``handlers.wizard`` declares it.

A new measure walks the wizard's steps in order; from its card, one field can be changed and the
answer returns to the card. Every answer is stored at once, in the event's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from domain.model import Agency, Measure, Plan, Shortcoming
from domain.text import MEASURES_MAX, PARTNERS_MAX
from domain.timeline import mentions_recurring
from domain.units import UnitCheck
from handlers import buttons as act
from handlers import clarity, due_question, unit_names, views, wizard
from handlers.context import Ctx
from handlers.input import InputError, names
from handlers.markup import esc
from handlers.plan import changed, index_of, invalid_button, show_item, show_menu
from handlers.types import Choice
from locales import _, fmt_number

MAX_AGENCY_BUTTONS = 20  # a province has ~20 departments; 99 communes are typed, not listed


def _current(ctx: Ctx, plan: Plan) -> tuple[Shortcoming, Measure] | None:
    return plan.measure(ctx.conv.measure_id) if ctx.conv.measure_id else None


async def _candidates(ctx: Ctx, plan: Plan, chosen: Collection[str] = ()) -> list[Agency]:
    """Agencies offered as buttons, in the campaign's order (stable while one taps): the first
    ones, the person's own, the consolidator, and any already chosen."""
    if ctx.campaign is None:
        return []
    ids = (plan.agency.id, ctx.campaign.consolidator.id)
    return await ctx.tx.campaigns.offered(ctx.campaign.id, MAX_AGENCY_BUTTONS, ids, tuple(chosen))


async def _agency(ctx: Ctx, agency_id: int) -> Agency | None:
    if ctx.campaign is None:
        return None
    return await ctx.tx.campaigns.campaign_agency(ctx.campaign.id, agency_id)


def card_fields() -> list[tuple[str, str]]:
    return [(s.key, s.label()) for s in wizard.STEPS]


# -- entering the wizard -------------------------------------------------------------------------


async def start_new(ctx: Ctx, plan: Plan, assignment_id: int) -> None:
    """Asks for the content of a new measure (or says the item has as many as it may)."""
    item = plan.shortcoming(assignment_id)
    if item is None:
        await invalid_button(ctx)
        return
    if len(item.measures) >= MEASURES_MAX:
        ctx.say(
            _("An item can have at most {max} measures; edit or delete one first.").format(
                max=fmt_number(MEASURES_MAX)
            ),
            [[views.menu_button()]],
        )
        await show_item(ctx, plan, assignment_id, edit=False)
        return
    first = wizard.STEPS[0]
    await ctx.go(first.name, assignment_id=assignment_id, measure_id=None, wizard=True)
    await prompt(ctx, plan)


async def edit_field(ctx: Ctx, plan: Plan, measure_id: int, key: str) -> None:
    """Asks for one field of an existing measure; the answer returns to the card."""
    found = plan.measure(measure_id)
    step = wizard.BY_KEY.get(key)
    if found is None or step is None:
        await invalid_button(ctx)
        return
    await ctx.go(
        step.name, assignment_id=found[0].assignment_id, measure_id=measure_id, wizard=False
    )
    await prompt(ctx, plan)


async def show_card(ctx: Ctx, plan: Plan, measure_id: int, *, edit: bool = True) -> None:
    """Shows one measure with a button per field, delete, and done."""
    found = plan.measure(measure_id)
    if found is None:
        await invalid_button(ctx)
        return
    item, m = found
    await ctx.go("card", assignment_id=item.assignment_id, measure_id=m.id, wizard=False)
    advice = (
        clarity.card_lines(ctx.campaign.definition, plan.agency.name, m) if ctx.campaign else []
    )
    text, rows = views.measure_card(
        index_of(plan, item.assignment_id), item, m, card_fields(), advice
    )
    ctx.say(text, rows, edit=edit)


# -- prompts -------------------------------------------------------------------------------------


def _head(plan: Plan, item: Shortcoming, m: Measure | None) -> str:
    n = index_of(plan, item.assignment_id)
    if m is None:
        return _("**Item {n} — new measure**").format(n=n)
    return _("**Item {n} — measure {m}**").format(n=n, m=views.number(n, m))


async def prompt(ctx: Ctx, plan: Plan, *, edit: bool = False) -> None:
    """Asks the question of the step the person is on (also used to resume after a pause)."""
    found = _current(ctx, plan)
    item = plan.shortcoming(ctx.conv.assignment_id or 0)
    if item is None:
        return
    m = found[1] if found else None
    if ctx.conv.step == "card" and m:
        await show_card(ctx, plan, m.id, edit=False)
        return
    step = wizard.step(ctx.conv.step)
    if step is None or (m is None and step is not wizard.STEPS[0]):
        return
    c = ctx.campaign.definition if ctx.campaign else None
    if step.name == "m_timeline" and m and due_question.waiting(ctx.conv.pending, c):
        assert ctx.conv.pending is not None  # words kept, their date still asked
        _ask_due(ctx, m.id, ctx.conv.pending)
        return
    lines = [_head(plan, item, m)]
    shown = step.shown(m) if m else None
    rows: list[list[Choice]] = []
    if step.name == "m_lead" and m:
        rows = await _lead_rows(ctx, plan, m)
    elif step.name == "m_partners" and m:
        text, rows = await _partners_view(ctx, plan, m, lines[0])
        ctx.say(text, rows, edit=edit)
        return
    if shown:
        lines.append(_("Current: {v}").format(v=shown))
    lines.append(step.question(ctx.campaign.definition if ctx.campaign else None))
    if shown and m:  # reached by "back" or to edit: the answer can stay as it is
        rows.append([Choice(_("↩️ Keep as is"), act.KeepCurrent(m.id))])
    elif step.optional and m:
        rows.append([Choice(_("⏭ Skip"), act.SkipOutput(m.id))])
    rows.append([views.back_button()])
    ctx.say("\n".join(lines), rows, edit=edit)


async def _lead_rows(ctx: Ctx, plan: Plan, m: Measure) -> list[list[Choice]]:
    agencies = await _candidates(ctx, plan)
    own = next((a for a in agencies if a.id == plan.agency.id), plan.agency)
    others = [a for a in agencies if a.id != own.id]
    rows = [[Choice("⭐ " + own.name, act.ChooseLead(m.id, own.id))]]
    for k in range(0, len(others), 2):
        rows.append([Choice(a.name, act.ChooseLead(m.id, a.id)) for a in others[k : k + 2]])
    return rows


async def _partners_view(
    ctx: Ctx, plan: Plan, m: Measure, head: str
) -> tuple[str, list[list[Choice]]]:
    """The coordinating units as toggles, in a fixed order: ticking one never moves it."""
    chosen = set(m.partners or ())
    offered = [a for a in await _candidates(ctx, plan, chosen) if a.name != m.lead_unit]
    buttons = [
        Choice(("☑️ " if a.name in chosen else "◻️ ") + a.name, act.TogglePartner(m.id, a.id))
        for a in offered
    ]
    rows = [buttons[k : k + 2] for k in range(0, len(buttons), 2)]
    rows.append([Choice(_("✍️ Other (type a name)"), act.PartnerOther(m.id))])
    rows.append(
        [
            Choice(_("🚫 None"), act.PartnersNone(m.id)),
            Choice(_("➡️ Done"), act.PartnersDone(m.id)),
        ]
    )
    rows.append([views.back_button()])
    typed = [p for p in (m.partners or ()) if p not in {a.name for a in offered}]
    lines = [head, wizard.BY_NAME["m_partners"].question(None)]
    lines.append(_("To add another unit, type its name (several: separate with ;)."))
    if m.partners:
        lines.append(_("Selected: {v}").format(v=esc(", ".join(m.partners))))
    if typed:
        lines.append(_("Typed: {v}").format(v=esc(", ".join(typed))))
    return "\n".join(lines), rows


# -- answers -------------------------------------------------------------------------------------


async def answer_text(ctx: Ctx, plan: Plan, raw: str) -> None:
    """Stores a typed answer for the current step and asks the next question."""
    step = wizard.step(ctx.conv.step)
    if step is None:
        return
    found = _current(ctx, plan)
    if found is None and (ctx.conv.measure_id is not None or step is not wizard.STEPS[0]):
        await _lost(ctx, plan)  # deleted meanwhile (another device, an old message)
        return
    try:
        if step.collects:
            assert found is not None
            await _add_partners(ctx, plan, found[1], raw)
            return
        assert step.parse is not None
        c = ctx.campaign.definition if ctx.campaign else None
        if found is not None and due_question.waiting(ctx.conv.pending, c):
            assert ctx.conv.pending is not None  # the words wait: this answer is their date
            typed = due_question.typed_date(raw, c, ctx.today)
            await _store_due(ctx, plan, found[1].id, ctx.conv.pending, typed)
            return
        values = step.parse(raw, c, False)
        if step.units and found is not None:
            checked = await unit_names.known(ctx, plan, found[1], step.attribute, values)
            if checked is None:
                return  # questioned: nothing stored yet
            values = checked
    except InputError as err:
        ctx.say(str(err))
        await prompt(ctx, plan)  # the question again: nothing was stored
        return
    except wizard.Unsure as doubt:
        await _question(ctx, step, found, raw, doubt)
        return
    except wizard.NeedsDue as need:
        assert found is not None  # the timeline step has its measure
        await ctx.go(step.name, pending=need.words)
        _ask_due(ctx, found[1].id, need.words)
        return
    if found is None:
        item = plan.shortcoming(ctx.conv.assignment_id or 0)
        if item is None:
            await _lost(ctx, plan)
            return
        content = str(values["content"])
        mid = await ctx.tx.plans.add_measure(item.assignment_id, content, ctx.now)
        await ctx.go(step.name, measure_id=mid)
        await _changed(ctx, plan, "measure.add", mid, content=content)
    else:
        await _update(ctx, plan, found[1].id, **values)
    if step.name == "m_timeline":
        due, recurring = values.get("due_date"), bool(values.get("recurring"))
        ctx.say(_("Understood. {v}").format(v=views.understood(due, recurring)))  # type: ignore[arg-type]
    await advance(ctx)


async def _question(
    ctx: Ctx,
    step: wizard.Step,
    found: tuple[Shortcoming, Measure] | None,
    raw: str,
    doubt: wizard.Unsure,
) -> None:
    """Nothing is stored yet: the answer waits with the step until the person keeps it (or
    types another)."""
    if found is None:  # only the first step creates a measure, and it never doubts
        raise RuntimeError(f"step {step.name} questioned an answer without a measure")
    await ctx.go(step.name, pending=raw)
    ctx.say(
        doubt.question,
        [[Choice(doubt.keep, act.KeepAnswer(found[1].id))], [views.back_button()]],
    )


def _ask_due(ctx: Ctx, measure_id: int, words: str) -> None:
    starts = ctx.campaign.definition.starts if ctx.campaign else ctx.today
    ctx.say(*due_question.question(words, measure_id, ctx.today, starts))


async def pick_due(ctx: Ctx, plan: Plan, measure_id: int, day: int) -> None:
    """A likely date chosen for the words kept as typed."""
    c = ctx.campaign.definition if ctx.campaign else None
    due = due_question.unpacked(day)
    words = ctx.conv.pending
    if (
        due is None
        or words is None
        or not _on_step(ctx, "m_timeline", measure_id)
        or not due_question.waiting(words, c)
        or plan.measure(measure_id) is None
    ):
        await stale_button(ctx)
        return
    await _store_due(ctx, plan, measure_id, words, due)


async def _store_due(ctx: Ctx, plan: Plan, measure_id: int, words: str, due: dt.date) -> None:
    await _update(ctx, plan, measure_id, **due_question.values(words, due))
    await ctx.go("m_timeline")  # stored: nothing waits any more
    ctx.say(_("Understood. {v}").format(v=views.understood(due, mentions_recurring(words))))
    await advance(ctx)


async def keep_answer(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    """Stores the questioned answer as typed, and moves on."""
    step = wizard.step(ctx.conv.step)
    raw = ctx.conv.pending
    found = plan.measure(measure_id)
    if step is None or raw is None or ctx.conv.measure_id != measure_id or found is None:
        await stale_button(ctx)
        return
    try:
        if step.collects:
            await _add_partners(ctx, plan, found[1], raw, confirmed=True)
            return
        assert step.parse is not None
        values = step.parse(raw, ctx.campaign.definition if ctx.campaign else None, True)
    except InputError as err:
        ctx.say(str(err), [[views.back_button()]])
        return
    await _update(ctx, plan, measure_id, **values)
    await ctx.go(step.name)  # the answer is stored: nothing waits any more
    await advance(ctx)


async def _add_partners(
    ctx: Ctx, plan: Plan, m: Measure, raw: str, *, confirmed: bool = False
) -> None:
    """Names typed on the coordinating step are added to the list (which stays on screen): a
    known agency in its own spelling at once; a name that matches none only once the person
    keeps it (or picks the agency it meant)."""
    typed = names(raw)
    if not typed:
        raise InputError(_("The message is empty. Please type the content as text."))
    known: list[str] = typed
    unknown: list[UnitCheck] = []
    lookup = None
    if not confirmed:  # kept as typed once the person confirmed them
        lookup = await unit_names.lookup(ctx, plan)
        checks = [lookup.check(name) for name in typed]
        known = [c.name for c in checks if c.known]
        unknown = [c for c in checks if not c.known]
    current = list(m.partners or ())
    merged = current + [n for n in dict.fromkeys(known) if n not in current]
    if len(merged) + len(unknown) > PARTNERS_MAX:
        raise InputError(_too_many_partners())
    if merged != current:
        await _update(ctx, plan, m.id, partners=merged)
    if unknown and lookup is not None:
        await unit_names.ask(ctx, m, unknown, lookup, lead=False)
        return
    fresh = await ctx.plan()
    if fresh:
        await prompt(ctx, fresh)


async def add_partner(ctx: Ctx, plan: Plan, measure_id: int, agency_id: int) -> None:
    """Adds the agency the person picked for a name that matched none, and shows the list."""
    found = await _partner_choice(ctx, plan, measure_id, agency_id)
    if found is None:
        return
    current, agency = found
    if agency.name not in current:
        if len(current) >= PARTNERS_MAX:
            ctx.say(_too_many_partners())
            return
        await _update(ctx, plan, measure_id, partners=[*current, agency.name])
    await ctx.go("m_partners")  # the typed name is dropped: the agency replaces it
    fresh = await ctx.plan()
    if fresh:
        await prompt(ctx, fresh)


async def _partner_choice(
    ctx: Ctx, plan: Plan, measure_id: int, agency_id: int
) -> tuple[list[str], Agency] | None:
    """The measure's coordinating units and the agency a button names, if the button is live
    (the person is on that measure's coordinating step, the agency is the campaign's)."""
    found = plan.measure(measure_id)
    if not _on_step(ctx, "m_partners", measure_id) or found is None:
        await stale_button(ctx)
        return None
    agency = await _agency(ctx, agency_id)
    if agency is None:
        await invalid_button(ctx)
        return None
    return list(found[1].partners or ()), agency


def _too_many_partners() -> str:
    return _("A measure can have at most {max} coordinating units.").format(
        max=fmt_number(PARTNERS_MAX)
    )


async def choose_lead(ctx: Ctx, plan: Plan, measure_id: int, agency_id: int) -> None:
    """Stores the lead unit chosen by button."""
    if not _on_step(ctx, "m_lead", measure_id):
        await stale_button(ctx)
        return
    agency = await _agency(ctx, agency_id)
    if agency is None:
        await invalid_button(ctx)
        return
    await _update(ctx, plan, measure_id, lead_unit=agency.name)
    await advance(ctx)


async def toggle_partner(ctx: Ctx, plan: Plan, measure_id: int, agency_id: int) -> None:
    """Adds or removes one coordinating agency, and redraws the list in place."""
    found = await _partner_choice(ctx, plan, measure_id, agency_id)
    if found is None:
        return
    current, agency = found
    if agency.name in current:
        current.remove(agency.name)
    elif len(current) >= PARTNERS_MAX:
        ctx.say(_too_many_partners())
        return
    else:
        current.append(agency.name)
    await _update(ctx, plan, measure_id, partners=current)
    fresh = await ctx.plan()
    if fresh:
        await prompt(ctx, fresh, edit=True)


async def partner_other(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    """Asks for the name of a coordinating unit that is not in the list."""
    if not _on_step(ctx, "m_partners", measure_id):
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


async def skip(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    """Leaves the field as it is (an optional one empty) and moves on."""
    step = wizard.step(ctx.conv.step)
    found = plan.measure(measure_id)
    if (
        step is None
        or found is None
        or not (step.optional or step.shown(found[1]))
        or not _on_step(ctx, step.name, measure_id)
    ):
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
            m=views.number(index_of(plan, found[0].assignment_id), found[1]),
            content=esc(found[1].content),
        ),
        [
            [
                Choice(_("🗑 Delete"), act.ConfirmDelete(measure_id)),
                Choice(_("✖️ Keep it"), act.OpenMeasure(measure_id)),
            ]
        ],
        edit=True,
    )


async def delete(ctx: Ctx, plan: Plan, measure_id: int) -> None:
    """Deletes the measure and shows its item."""
    found = plan.measure(measure_id)
    if found is None:
        await invalid_button(ctx)
        return
    await ctx.tx.plans.delete_measure(measure_id, ctx.now)
    await _changed(ctx, plan, "measure.delete", measure_id, content=found[1].content)
    ctx.say(_("🗑 Measure deleted."))
    fresh = await ctx.plan()
    if fresh:
        await show_item(ctx, fresh, found[0].assignment_id, edit=False)


async def deleted(ctx: Ctx, plan: Plan, assignment_id: int | None) -> None:
    """A button of a measure that was deleted (from another device, or an old message)."""
    ctx.say(_("That measure no longer exists (it was deleted). Nothing was changed."))
    if assignment_id and plan.shortcoming(assignment_id):
        await show_item(ctx, plan, assignment_id, edit=False)
    else:
        await show_menu(ctx)


async def back(ctx: Ctx, plan: Plan) -> None:
    """One step back: from a follow-up question (an answer waiting to be kept) its own step's
    question; else the previous question in the wizard, the card when editing, else the item."""
    step, m = wizard.step(ctx.conv.step), ctx.conv.measure_id
    if step and m and ctx.conv.pending is not None and plan.measure(m):
        await ctx.go(step.name)  # the questioned answer is dropped, never stored
        await prompt(ctx, plan)
    elif step and ctx.conv.wizard and m and (previous := wizard.before(step.name)):
        await ctx.go(previous.name)
        await prompt(ctx, plan)
    elif step and not ctx.conv.wizard and m and plan.measure(m):
        await show_card(ctx, plan, m, edit=False)
    elif ctx.conv.assignment_id and plan.shortcoming(ctx.conv.assignment_id):
        await show_item(ctx, plan, ctx.conv.assignment_id, edit=False)
    else:
        await show_menu(ctx)


# -- helpers -------------------------------------------------------------------------------------


async def advance(ctx: Ctx) -> None:
    """After an answer: the next question in the wizard, or the card."""
    plan = await ctx.plan()
    if plan is None or ctx.conv.measure_id is None:
        return
    step = wizard.step(ctx.conv.step)
    following = wizard.after(step.name) if step and ctx.conv.wizard else None
    if following is not None:
        await ctx.go(following.name)
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
    await changed(ctx, plan)
    await ctx.audit(action, "measure", measure_id, **detail)


async def stale_button(ctx: Ctx) -> None:
    """A wizard button pressed when that step is over (an old message)."""
    ctx.say(
        _("This button belongs to a step that is already finished. Please continue from the menu."),
        [[views.menu_button()]],
    )


async def _lost(ctx: Ctx, plan: Plan) -> None:
    """The measure being answered was deleted meanwhile: nothing is created in its place."""
    assignment = ctx.conv.assignment_id
    await ctx.go("idle", measure_id=None, wizard=False)
    ctx.say(_("That measure no longer exists (it was deleted). Nothing was saved."))
    if assignment and plan.shortcoming(assignment):
        await show_item(ctx, plan, assignment, edit=False)
    else:
        ctx.say(_("Please continue from the menu."), [[views.menu_button()]])
