"""The "6 rõ" review as people read it: advice on a measure's card, a summary before submitting,
counts for the consolidator. Advice only: nothing here stops a submission."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from domain.campaign import Campaign
from domain.clarity import Advice, Aspect, Finding, Flagged, by_aspect, measure_findings
from domain.model import Measure, Plan
from handlers import buttons as act
from handlers.markup import esc
from handlers.types import Choice
from locales import _

OPEN_BUTTONS = 9  # flagged measures offered to open before submitting (three rows)


def aspect_name(aspect: Aspect) -> str:
    return {
        Aspect.PERSON: _("clear who"),
        Aspect.TASK: _("clear what"),
        Aspect.TIME: _("clear when"),
        Aspect.RESPONSIBILITY: _("clear responsibility"),
        Aspect.AUTHORITY: _("clear authority"),
        Aspect.PRODUCT: _("clear product"),
    }[aspect]


def advice_text(f: Finding, agency: str) -> str:
    """One piece of advice, saying what to write instead."""
    detail = esc(f.detail)
    if f.advice is Advice.COLLECTIVE_LEAD:
        return _(
            "Clear who: the lead unit “{unit}” is a collective; assign one named unit to lead "
            "and list the others as coordinating."
        ).format(unit=detail)
    if f.advice is Advice.SEVERAL_LEADS:
        return _(
            "Clear who: several units lead (“{unit}”); assign one unit to lead and list the "
            "others as coordinating."
        ).format(unit=detail)
    if f.advice is Advice.VAGUE_TASK:
        return _(
            "Clear what: the task says “{verb}…” without a concrete, measurable action; say what "
            "will be done, for whom and how much."
        ).format(verb=detail)
    if f.advice is Advice.NO_RHYTHM:
        return _(
            "Clear when: “recurring” alone gives no rhythm; add one, for example “hằng quý” "
            "(quarterly) or “hằng năm” (yearly)."
        )
    if f.advice is Advice.NO_DATE:
        return _("Clear when: the timeline has no completion date.")
    if f.advice is Advice.COLLECTIVE_PARTNERS:
        return _(
            "Clear responsibility: the coordinating units are given collectively (“{units}”); "
            "name each unit."
        ).format(units=detail)
    if f.advice is Advice.OTHER_LEAD:
        return _(
            "Clear authority: {unit} leads, not {agency}; make sure this is within its authority "
            "and has been agreed with it."
        ).format(unit=detail, agency=esc(agency))
    if f.advice is Advice.NO_PRODUCT:
        return _(
            "Clear product: no output is given; name a concrete product (a plan, a decision, a "
            "report…, or a number or a percentage)."
        )
    return _(
        "Clear product: “{output}” is not a concrete product; name a document (a plan, a "
        "decision, a report…), a number or a percentage."
    ).format(output=detail)


def card_lines(campaign: Campaign, agency: str, m: Measure) -> list[str]:
    """The advice under a measure's card (none when the measure is clear)."""
    found = measure_findings(campaign.checker, agency, m)
    if not found:
        return []
    return ["💡 " + _("“6 rõ” review (advice, not required):")] + [
        "• " + advice_text(f, agency) for f in found
    ]


def count_line(aspect: Aspect, flagged: Sequence[Flagged]) -> str:
    numbers = ", ".join(f.number for f in flagged)
    return _("{n} measures not {aspect}: {numbers}").format(
        n=len(flagged), aspect=aspect_name(aspect), numbers=numbers
    )


def before_submit(flagged: Sequence[Flagged]) -> tuple[str, list[list[Choice]]]:
    """What the review found, and a button to open each flagged measure (the first nine)."""
    if not flagged:
        return "", []
    lines = ["💡 " + _("“6 rõ” review (Kết luận 226-KL/TW) — advice, not required:")]
    lines += ["• " + count_line(a, fs) for a, fs in by_aspect(flagged).items()]
    opens = [
        Choice(_("🔎 Measure {m}").format(m=f.number), act.OpenMeasure(f.measure.id))
        for f in flagged[:OPEN_BUTTONS]
    ]
    return "\n".join(lines), [opens[k : k + 3] for k in range(0, len(opens), 3)]


def unclear_measures(campaign: Campaign, plan: Plan) -> int:
    """How many of the plan's measures the review has advice on."""
    checker, name = campaign.checker, plan.agency.name
    return sum(
        1 for item in plan.shortcomings for m in item.measures if measure_findings(checker, name, m)
    )


def totals_line(counts: Iterable[tuple[str, int]], named: int = 5) -> str:
    """The consolidator's line: measures with advice, in how many agencies, the most first."""
    values = sorted(((n, name) for name, n in counts if n), key=lambda v: -v[0])
    if not values:
        return ""
    line = _("“6 rõ” review: {n} measures to make clearer, in {agencies} agencies").format(
        n=sum(n for n, _name in values), agencies=len(values)
    )
    shown = ", ".join(f"{esc(name)} ({n})" for n, name in values[:named])
    more = len(values) - named
    if more > 0:
        shown += ", " + _("and {n} more").format(n=more)
    return f"{line}: {shown}."
