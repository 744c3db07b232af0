"""How plans look in a chat: texts and keyboards built from the plan, in the current locale."""

from __future__ import annotations

import datetime as dt

from domain import rules
from domain.campaign import Campaign
from domain.model import Measure, Plan, Shortcoming
from domain.rules import Gap, ItemState, Missing, Status
from handlers.text import clip, esc
from handlers.types import Choice
from locales import _, days_phrase, fmt_date, fmt_datetime, ngettext

BACK = "back"
MENU = "menu"


def back_button() -> Choice:
    return Choice(_("⬅️ Back"), BACK)


def menu_button() -> Choice:
    return Choice(_("📋 Main menu"), MENU)


def deadline_line(campaign: Campaign, today: dt.date) -> str:
    due = campaign.deadlines.plans_due
    return _("Deadline: {date} ({left})").format(date=fmt_date(due), left=days_phrase(due, today))


def status_text(plan: Plan, tz: dt.tzinfo) -> str:
    st = rules.status(plan)
    sub = plan.last_submission
    if st is Status.SUBMITTED and sub:
        text = _("Submitted (version {v}) at {at}").format(
            v=sub.version, at=fmt_datetime(sub.submitted_at, tz)
        )
        if sub.late_days:
            text += " — " + late_text(sub.late_days)
        return text
    if st is Status.CHANGED and sub:
        return _("Changed since submission of version {v}: submit again").format(v=sub.version)
    if st is Status.RETURNED:
        return _("Returned for revision: {reason}").format(reason=esc(plan.return_reason))
    if st is Status.READY:
        return _("Complete, not submitted yet")
    if st is Status.NOT_STARTED:
        return _("Not started")
    done, total = rules.complete_count(plan), len(plan.shortcomings)
    return _("In progress: {done}/{total} items complete").format(done=done, total=total)


def late_text(days: int) -> str:
    return ngettext("late by %(n)s day", "late by %(n)s days", days) % {"n": days}


def item_label(index: int, item: Shortcoming) -> str:
    state = rules.item_state(item)
    icon = {ItemState.EMPTY: "⬜", ItemState.PARTIAL: "🟡", ItemState.COMPLETE: "✅"}[state]
    n = len(item.measures)
    if state is ItemState.COMPLETE:
        note = _("complete")
    elif n:
        note = ngettext("%(n)s measure", "%(n)s measures", n) % {"n": n}
    else:
        note = _("no measures yet")
    return f"{icon} {index}. {clip(item.text, 34)} ({note})"


def menu(
    campaign: Campaign, plan: Plan, today: dt.date, tz: dt.tzinfo
) -> tuple[str, list[list[Choice]]]:
    text = "\n".join(
        [
            f"<b>{esc(plan.agency.name)}</b>",
            esc(campaign.title),
            deadline_line(campaign, today),
            _("Status: {status}").format(status=status_text(plan, tz)),
            "",
            _("Choose an item to enter its objective and measures:"),
        ]
    )
    rows = [
        [Choice(item_label(i, s), f"a:{s.assignment_id}")]
        for i, s in enumerate(plan.shortcomings, start=1)
    ]
    rows.append([Choice(_("👁 View whole plan"), "all"), Choice(_("📤 Submit plan"), "sub")])
    return text, rows


def timeline_text(m: Measure) -> str:
    if not m.timeline:
        return _("(not entered)")
    return f"{esc(m.timeline)}{understood_suffix(m.due_date, m.recurring)}"


def understood_suffix(due: dt.date | None, recurring: bool) -> str:
    if due and recurring:
        return " " + _("(due {date}, then ongoing)").format(date=fmt_date(due))
    if due:
        return " " + _("(due {date})").format(date=fmt_date(due))
    return ""


def understood(due: dt.date | None, recurring: bool) -> str:
    """How the bot understood a timeline: 'Hạn hoàn thành: 30/06/2026'."""
    parts = []
    if due:
        parts.append(_("Completion deadline: {date}").format(date=fmt_date(due)))
    if recurring:
        parts.append(_("Carried out on a recurring basis"))
    return "; ".join(parts)


def partners_text(m: Measure) -> str:
    if m.partners is None:
        return _("(not entered)")
    return esc(", ".join(m.partners)) if m.partners else _("none")


def measure_lines(m: Measure, indent: str = "") -> list[str]:
    lines = [
        f"{indent}<b>{m.position}.</b> {esc(m.content)}",
        f"{indent}   " + _("Lead unit: {v}").format(v=esc(m.lead_unit) or _("(not entered)")),
        f"{indent}   " + _("Coordinating: {v}").format(v=partners_text(m)),
        f"{indent}   " + _("Timeline: {v}").format(v=timeline_text(m)),
    ]
    if m.output:
        lines.append(f"{indent}   " + _("Output: {v}").format(v=esc(m.output)))
    gaps = rules.measure_gaps(m)
    if gaps:
        lines.append(
            f"{indent}   ⚠️ " + _("Missing: {v}").format(v=", ".join(gap_name(g) for g in gaps))
        )
    return lines


def gap_name(gap: Gap) -> str:
    return {
        Gap.NO_OBJECTIVE: _("objective"),
        Gap.NO_MEASURE: _("at least one measure"),
        Gap.NO_LEAD: _("lead unit"),
        Gap.NO_TIMELINE: _("timeline"),
    }[gap]


def item_block(index: int, item: Shortcoming) -> list[str]:
    lines = [
        _("<b>Item {n}</b>").format(n=index),
        f"<i>{esc(item.text)}</i>",
        "",
        "<b>" + _("Objective:") + "</b> " + (esc(item.objective) or _("(not entered)")),
        "",
        "<b>" + _("Tasks and solutions:") + "</b>",
    ]
    if not item.measures:
        lines.append(_("(none yet)"))
    for m in item.measures:
        lines.extend(measure_lines(m))
    return lines


def item_view(index: int, item: Shortcoming) -> tuple[str, list[list[Choice]]]:
    text = "\n".join(item_block(index, item))
    obj_label = _("🎯 Edit objective") if item.objective else _("🎯 Enter objective")
    rows = [
        [Choice(obj_label, f"obj:{item.assignment_id}")],
        [Choice(_("➕ Add a measure"), f"add:{item.assignment_id}")],
    ]
    edit_row = [Choice(_("✏️ Measure {n}").format(n=m.position), f"m:{m.id}") for m in item.measures]
    for i in range(0, len(edit_row), 3):
        rows.append(edit_row[i : i + 3])
    rows.append([menu_button()])
    return text, rows


def measure_card(index: int, item: Shortcoming, m: Measure) -> tuple[str, list[list[Choice]]]:
    text = "\n".join(
        [_("<b>Item {n} — measure {m}</b>").format(n=index, m=m.position), "", *measure_lines(m)]
    )
    rows = [
        [Choice(_("✏️ Content"), f"mf:{m.id}:c"), Choice(_("✏️ Lead"), f"mf:{m.id}:l")],
        [Choice(_("✏️ Coordinating"), f"mf:{m.id}:p"), Choice(_("✏️ Timeline"), f"mf:{m.id}:t")],
        [Choice(_("✏️ Output"), f"mf:{m.id}:o"), Choice(_("🗑 Delete"), f"md:{m.id}")],
        [Choice(_("✅ Done"), f"a:{item.assignment_id}")],
    ]
    return text, rows


def plan_text(
    campaign: Campaign, plan: Plan, today: dt.date, tz: dt.tzinfo, *, title: str = ""
) -> str:
    heading = title or _("REMEDIATION PLAN")
    lines = [
        f"<b>{esc(heading)}</b>",
        f"<b>{esc(plan.agency.name)}</b> — {esc(campaign.title)}",
        deadline_line(campaign, today),
        _("Status: {status}").format(status=status_text(plan, tz)),
    ]
    for i, item in enumerate(plan.shortcomings, start=1):
        lines.append("")
        lines.append("━━━━━━━━━━")
        lines.extend(item_block(i, item))
    return "\n".join(lines)


def missing_text(gaps: list[Missing], plan: Plan) -> str:
    lines = []
    for g in gaps:
        if g.measure is None:
            lines.append("• " + _("Item {n}: {what}").format(n=g.index, what=gap_name(g.gap)))
        else:
            lines.append(
                "• "
                + _("Item {n}, measure {m}: {what}").format(
                    n=g.index, m=g.measure, what=gap_name(g.gap)
                )
            )
    done, total = rules.complete_count(plan), len(plan.shortcomings)
    head = _("The plan is not complete yet ({done}/{total} items complete). Still missing:").format(
        done=done, total=total
    )
    return head + "\n" + "\n".join(lines)
