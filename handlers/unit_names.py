"""Unit names typed on the lead and coordinating steps: the campaign's spelling when an agency
is meant, else a question (suggested agencies, keep as typed) before anything is stored.

The rule of what matches is ``domain.units``; this module asks the person. The questioned answer
waits with the step in the database (``pending``) until it is kept, replaced by a suggested
agency, or typed again.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.model import Agency, Measure, Plan
from domain.units import UnitCheck, Units
from handlers import buttons as act
from handlers import views
from handlers.context import Ctx
from handlers.markup import esc
from handlers.types import Choice
from locales import _

Values = dict[str, object]


@dataclass(frozen=True)
class Lookup:
    """The names a plan may use without a question, and the campaign's agencies by name (for
    the suggestions' buttons); read once per answer."""

    units: Units
    agencies: dict[str, Agency]
    year: int | None

    def check(self, typed: str) -> UnitCheck:
        return self.units.check(typed, self.year)


async def lookup(ctx: Ctx, plan: Plan) -> Lookup:
    """The campaign's agencies, and the names the plan's measures already use (a unit outside
    the list, once kept, is not asked about again)."""
    agencies = await ctx.tx.campaigns.agencies(ctx.campaign.id) if ctx.campaign else []
    used: list[str] = []
    for item in plan.shortcomings:
        for m in item.measures:
            used.extend([m.lead_unit or "", *(m.partners or ())])
    return Lookup(
        units=Units((a.name for a in agencies), used),
        agencies={a.name: a for a in agencies},
        year=ctx.campaign.definition.year if ctx.campaign else None,
    )


async def known(ctx: Ctx, plan: Plan, m: Measure, attribute: str, values: Values) -> Values | None:
    """The typed unit under ``attribute`` in the campaign's spelling, or None once the person
    is asked about it."""
    names = await lookup(ctx, plan)
    check = names.check(str(values[attribute]))
    if check.known:
        return {**values, attribute: check.name}
    await ask(ctx, m, [check], names, lead=True)
    return None


async def ask(ctx: Ctx, m: Measure, unknown: list[UnitCheck], names: Lookup, *, lead: bool) -> None:
    """Asks about names that match no agency; they wait with the step (nothing is stored) until
    the person keeps them, picks a suggested agency, or types again."""
    step = "m_lead" if lead else "m_partners"
    await ctx.go(step, pending="; ".join(u.name for u in unknown))
    rows: list[list[Choice]] = []
    if len(unknown) == 1:
        u = unknown[0]
        text = _question(u)
        for name in u.similar:
            agency = names.agencies.get(name)
            if agency is not None:
                choose: act.Action = (
                    act.ChooseLead(m.id, agency.id) if lead else act.AddPartner(m.id, agency.id)
                )
                rows.append([Choice("👉 " + agency.name, choose)])
        keep = _("✅ Keep «{name}»").format(name=_short(u.name))
    else:
        text = _(
            "These names are not among this campaign's agencies: {names}. Keep them as you "
            "typed them, or type the names again."
        ).format(names=", ".join("«" + esc(u.name) + "»" for u in unknown))
        keep = _("✅ Keep them as typed")
    rows.append([Choice(keep, act.KeepAnswer(m.id))])
    rows.append([views.back_button()])
    ctx.say(text, rows)


def _question(u: UnitCheck) -> str:
    shown = esc(u.name)
    if u.timeline:
        return _(
            "«{name}» reads like a time, not a unit. The timeline comes later; here, which "
            "unit is meant? Choose one, type the name again, or keep «{name}» as it is."
        ).format(name=shown)
    if u.similar:
        return _(
            "«{name}» is not one of this campaign's agencies. Did you mean one of these? "
            "Or keep the name as you typed it."
        ).format(name=shown)
    return _(
        "«{name}» is not one of this campaign's agencies. Keep it as you typed it (a "
        "unit outside the list), or type the name again."
    ).format(name=shown)


def _short(name: str, limit: int = 40) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"
