"""How plans look in a chat: texts and keyboards built from the plan, in the current locale."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from domain import progress, rules
from domain.campaign import Campaign
from domain.model import Measure, Plan, Shortcoming
from domain.rules import Gap, ItemState, Missing, Status
from domain.timeline import reason_text
from handlers import buttons as act
from handlers.markup import BREAK, clip, esc
from handlers.types import Choice
from locales import _, days_phrase, fmt_date, fmt_datetime, ngettext


def back_button() -> Choice:
    return Choice(_("⬅️ Back"), act.Back())


def menu_button() -> Choice:
    return Choice(_("📋 Main menu"), act.Menu())


def submit_button(plan: Plan) -> Choice:
    return Choice(_("📤 Submit plan"), act.AskSubmit(plan.id))


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
            f"**{esc(plan.agency.name)}**",
            esc(campaign.title),
            deadline_line(campaign, today),
            _("Status: {status}").format(status=status_text(plan, tz)),
            "",
            _("Choose an item to enter its objective and measures:"),
        ]
    )
    rows = [
        [Choice(item_label(i, s), act.OpenItem(s.assignment_id))]
        for i, s in enumerate(plan.shortcomings, start=1)
    ]
    rows.append([Choice(_("👁 View whole plan"), act.ViewPlan(plan.id)), submit_button(plan)])
    rows.append([Choice(_("📊 Excel template (fill in at a computer)"), act.GetTemplate())])
    if campaign.periods and progress.tracked(plan):
        rows.append([Choice(_("📈 Progress report"), act.ProgressMenu())])
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


def number(item_index: int, m: Measure) -> str:
    """A measure's number, the same in the chat and in the documents: item.measure ("1.2")."""
    return f"{item_index}.{m.position}"


def measure_lines(m: Measure, item_index: int, indent: str = "") -> list[str]:
    lines = [
        f"{indent}**{number(item_index, m)}.** {esc(m.content)}",
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


def item_block(index: int, item: Shortcoming) -> str:
    """One shortcoming with its objective and measures; measures are separate blocks."""
    lines = [
        _("**Item {n}**").format(n=index),
        f"__{esc(item.text)}__",
        "",
        "**" + _("Objective:") + "** " + (esc(item.objective) or _("(not entered)")),
        "",
        "**" + _("Tasks and solutions:") + "**",
    ]
    if not item.measures:
        lines.append(_("(none yet)"))
    return "\n".join(lines) + "".join(
        BREAK + "\n".join(measure_lines(m, index)) for m in item.measures
    )


def item_view(index: int, item: Shortcoming) -> tuple[str, list[list[Choice]]]:
    text = item_block(index, item)
    obj_label = _("🎯 Edit objective") if item.objective else _("🎯 Enter objective")
    rows = [
        [Choice(obj_label, act.EditObjective(item.assignment_id))],
        [Choice(_("➕ Add a measure"), act.AddMeasure(item.assignment_id))],
    ]
    edit_row = [
        Choice(_("✏️ Measure {n}").format(n=number(index, m)), act.OpenMeasure(m.id))
        for m in item.measures
    ]
    for i in range(0, len(edit_row), 3):
        rows.append(edit_row[i : i + 3])
    rows.append([menu_button()])
    return text, rows


def measure_card(
    index: int,
    item: Shortcoming,
    m: Measure,
    fields: list[tuple[str, str]],
    advice: Sequence[str] = (),
) -> tuple[str, list[list[Choice]]]:
    """One measure with a ✏️ button per field (``fields``: key and label, in wizard order), and
    the "6 rõ" review's ``advice`` under it."""
    lines = [
        _("**Item {n} — measure {m}**").format(n=index, m=number(index, m)),
        "",
        *measure_lines(m, index),
    ]
    if advice:
        lines += ["", *advice]
    text = "\n".join(lines)
    edits = [Choice(label, act.EditField(m.id, key)) for key, label in fields]
    edits.append(Choice(_("🗑 Delete"), act.AskDelete(m.id)))
    rows = [edits[k : k + 2] for k in range(0, len(edits), 2)]
    rows.append([Choice(_("✅ Done"), act.OpenItem(item.assignment_id))])
    return text, rows


_ROMAN = ("I", "II", "III", "IV")


def _day(d: dt.date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def _quarter_after(day: dt.date) -> tuple[int, int, dt.date]:
    """The quarter after ``day``'s: its number, year and last day."""
    q, year = (day.month - 1) // 3 + 2, day.year
    if q > 4:
        q, year = 1, year + 1
    end_month = 3 * q
    last = (dt.date(year + (end_month == 12), end_month % 12 + 1, 1)) - dt.timedelta(days=1)
    return q, year, last


def calendar_examples(after: dt.date) -> tuple[str, str]:
    """A date and a quarter still ahead of ``after``, as examples in a sentence."""
    q, year, last = _quarter_after(after)
    return _day(last), f"quý {_ROMAN[q - 1]}/{year}"


def examples(after: dt.date) -> dict[str, str]:
    """``{date}`` and ``{quarter}`` of a message's example, still ahead of ``after``."""
    date, quarter = calendar_examples(after)
    return {"date": date, "quarter": quarter}


def timeline_examples(after: dt.date) -> str:
    """Examples of timelines that all fall after ``after`` (the campaign's start, or today):
    an example the bot gives is never one it would then question."""
    q, year, last = _quarter_after(after)
    quarter = f"quý {_ROMAN[q - 1]}/{year}"
    first_month = 3 * q - 2
    before = dt.date(year, first_month, 15)
    if after.month <= 3:
        half = f"6 tháng đầu năm {after.year}"
    elif after.month <= 9:
        half = f"6 tháng cuối năm {after.year}"
    else:
        half = f"6 tháng đầu năm {after.year + 1}"
    whole = f"năm {after.year if after.month <= 9 else after.year + 1}"
    return "\n".join(
        "• " + example
        for example in (
            _day(last),
            f"trước ngày {_day(before)}",
            f"tháng {first_month + 1}-{first_month + 2}/{year}",
            quarter,
            half,
            whole,
            "thường xuyên",
            f"{quarter} và thường xuyên",
        )
    )


def timeline_error(reason: str, after: dt.date) -> str:
    return (
        reason_text(reason)
        + "\n"
        + _("Please type it again, for example:")
        + "\n"
        + timeline_examples(after)
    )


def plan_text(
    campaign: Campaign, plan: Plan, today: dt.date, tz: dt.tzinfo, *, title: str = ""
) -> str:
    heading = title or _("REMEDIATION PLAN")
    lines = [
        f"**{esc(heading)}**",
        f"**{esc(plan.agency.name)}** — {esc(campaign.title)}",
        deadline_line(campaign, today),
        _("Status: {status}").format(status=status_text(plan, tz)),
    ]
    text = "\n".join(lines)
    for i, item in enumerate(plan.shortcomings, start=1):
        text += BREAK + "\n━━━━━━━━━━\n" + item_block(i, item)
    return text


def missing_text(gaps: list[Missing], plan: Plan) -> str:
    lines = []
    for g in gaps:
        if g.measure is None:
            lines.append("• " + _("Item {n}: {what}").format(n=g.index, what=gap_name(g.gap)))
        else:
            lines.append(
                "• "
                + _("Item {n}, measure {m}: {what}").format(
                    n=g.index, m=f"{g.index}.{g.measure}", what=gap_name(g.gap)
                )
            )
    done, total = rules.complete_count(plan), len(plan.shortcomings)
    head = _("The plan is not complete yet ({done}/{total} items complete). Still missing:").format(
        done=done, total=total
    )
    return head + "\n" + "\n".join(lines)
