"""What the consolidators and the scheduler see of the follow-through: the current period across
agencies and for one agency, the proposals at a glance, the rows of the results documents, and the
daily nudge's text. The conversations themselves are ``handlers.progress`` and
``handlers.proposals``.
"""

from __future__ import annotations

import datetime as dt

from db.campaigns import ActiveCampaign
from db.repos import Repos
from domain import progress as rules
from domain import proposals as proposal_rules
from domain.campaign import Period
from domain.documents.model import ProgressLine
from domain.model import Plan
from domain.progress import Progress
from handlers.markup import clip, esc
from handlers.progress import report_status_text
from handlers.proposal_views import number
from locales import _, days_phrase, fmt_date, fmt_number, ngettext

# -- for the consolidators ---------------------------------------------------------------------


async def progress_lines(
    tx: Repos, campaign: ActiveCampaign, plans: list[Plan], today: dt.date, *, overdue_max: int = 10
) -> list[str]:
    """The current period across every agency: reports received, measures by status, and the
    measures most overdue with their lead units. Nothing when the campaign has no periods."""
    c = campaign.definition
    period = c.current_period(today)
    if period is None:
        return []
    earlier = tuple(p.key for p in c.periods if p.ends < period.starts)
    ex = rules.execution(
        plans,
        await tx.progress.reports(campaign.id, period.key),
        await tx.progress.done_before_all(campaign.id, earlier),
        today,
    )
    if not ex.tracked:
        return []
    lines = [
        _("**Progress {period}** (due {date}): reports {s}/{t}").format(
            period=esc(period.label), date=fmt_date(period.due), s=ex.submitted, t=ex.tracked
        ),
        _measures_line(ex),
    ]
    if ex.overdue:
        lines.append(
            ngettext("⏰ %(n)s measure overdue:", "⏰ %(n)s measures overdue:", len(ex.overdue))
            % {"n": fmt_number(len(ex.overdue))}
        )
        for o in ex.overdue[:overdue_max]:
            lines.append(f"• {esc(o.agency)}: {_overdue_line(o)}")
        if len(ex.overdue) > overdue_max:
            lines.append(_("… and {n} more").format(n=fmt_number(len(ex.overdue) - overdue_max)))
    return lines


def days_overdue(days: int) -> str:
    return ngettext("%(n)s day overdue", "%(n)s days overdue", days) % {"n": fmt_number(days)}


# -- nudges ------------------------------------------------------------------------------------

NUDGE_LIST_MAX = 15  # measures named per list; the rest are counted


def nudge_text(agency: str, period: Period | None, nudge: rules.Nudge, today: dt.date) -> str:
    """One message per agency per day: what is coming due, what is overdue, the report."""
    lines = ["⏰ **" + _("Reminder: progress of the plan") + "** — " + esc(agency)]

    def listed(title: str, dues: tuple[rules.Due, ...]) -> None:
        lines.append(title)
        for d in dues[:NUDGE_LIST_MAX]:
            lines.append(
                f"• {d.number} {esc(clip(d.content, 60))} — "
                + _("due {date} ({left})").format(
                    date=fmt_date(d.due), left=days_phrase(d.due, today)
                )
            )
        if len(dues) > NUDGE_LIST_MAX:
            lines.append(_("… and {n} more").format(n=fmt_number(len(dues) - NUDGE_LIST_MAX)))

    if nudge.overdue:
        listed(_("Overdue, not reported done:"), nudge.overdue)
    if nudge.coming:
        listed(_("Coming due:"), nudge.coming)
    if nudge.answers:
        lines.append(_("Proposals to answer:"))
        for d in nudge.answers[:NUDGE_LIST_MAX]:
            number = _("No. {n}").format(n=d.number)
            lines.append(
                f"• {number} {esc(clip(d.content, 60))} — "
                + _("answer due {date} ({left})").format(
                    date=fmt_date(d.due), left=days_phrase(d.due, today)
                )
            )
    if nudge.report_due and period is not None:
        lines.append(
            _("The progress report for {period} is due {date} ({left}) and not submitted.").format(
                period=esc(period.label),
                date=fmt_date(nudge.report_due),
                left=days_phrase(nudge.report_due, today),
            )
        )
    if nudge.coming or nudge.overdue or nudge.report_due:
        lines.append(_("Send /tiendo to report progress."))
    if nudge.answers:
        lines.append(_("Send /kiennghi to answer."))
    return "\n".join(lines)


async def document_lines(
    tx: Repos, campaign: ActiveCampaign, period: Period, today: dt.date
) -> list[ProgressLine]:
    """Every measure to report on in the period, across agencies in the campaign's order, with
    what the agency's latest submitted report says about it (read as plain rows: 38,000)."""
    c = campaign.definition
    earlier = tuple(p.key for p in c.periods if p.ends < period.starts)
    entries = await tx.progress.submitted_entries(campaign.id, period.key)
    done = await tx.progress.done_before_all(campaign.id, earlier)
    # a new date agreed in an earlier period still holds until another is proposed
    agreed = await tx.progress.agreed_dates(campaign.id, earlier)
    as_of = min(today, period.ends)  # days overdue at the period's end, not at the export
    out: list[ProgressLine] = []
    for r in await tx.progress.document_rows(campaign.id):
        plan_id, mid = r["plan_id"], r["id"]
        if not r["recurring"] and mid in done.get(plan_id, ()):
            continue  # done in an earlier period (a recurring measure is reported every period)
        report = entries.get(plan_id)
        e = report.get(mid, {}) if report is not None else {}
        status = Progress(e["status"]) if e.get("status") else None
        due = dt.date.fromisoformat(r["due_date"]) if r["due_date"] else None
        new_due = dt.date.fromisoformat(e["new_due"]) if e.get("new_due") else None
        held = new_due or agreed.get((plan_id, mid))
        out.append(
            ProgressLine(
                agency=r["agency"],
                number=f"{r['n']}.{r['position']}",
                measure=r["content"],
                lead=r["lead_unit"] or "",
                timeline=r["timeline"] or "",
                due=due,
                status=status,
                result=e.get("result") or "",
                reason=e.get("reason") or "",
                new_due_text=e.get("new_due_text") or "",
                new_due=new_due,
                overdue=rules.days_overdue(due, status, held, as_of),
                reported=report is not None,
            )
        )
    return out


async def agency_lines(
    tx: Repos, campaign: ActiveCampaign, plan: Plan, today: dt.date, tz: dt.tzinfo
) -> list[str]:
    """One agency's follow-through for the consolidators: its report of the current period,
    its measures by status, its overdue measures with their lead units."""
    c = campaign.definition
    period = c.current_period(today)
    if period is None or not rules.tracked(plan):
        return []
    earlier = tuple(p.key for p in c.periods if p.ends < period.starts)
    report = await tx.progress.report(plan.id, period.key)
    done = await tx.progress.done_before(plan.id, earlier)
    ex = rules.execution([plan], {plan.id: report} if report else {}, {plan.id: done}, today)
    lines = [
        _("**Progress {period}** (due {date}): {status}").format(
            period=esc(period.label),
            date=fmt_date(period.due),
            status=report_status_text(report, tz),
        ),
        _measures_line(ex),
    ]
    lines += [f"⏰ {_overdue_line(o)}" for o in ex.overdue[:NUDGE_LIST_MAX]]
    return lines


def _measures_line(ex: rules.Execution) -> str:
    n = ex.by_status
    return _(
        "Measures: ✅ {d} done · 🟢 {o} on schedule · 🔴 {l} behind · ⚪ {n} not started · "
        "⬜ {u} not reported"
    ).format(d=n["done"], o=n["on_track"], l=n["late"], n=n["not_started"], u=n[""])


def _overdue_line(o: rules.Overdue) -> str:
    """'1.2 Tập huấn cán bộ (chủ trì: Sở Nội vụ) — quá hạn 5 ngày'."""
    lead = _(" (lead: {unit})").format(unit=esc(o.lead_unit)) if o.lead_unit else ""
    return f"{o.number} {esc(clip(o.content, 50))}{lead} — " + days_overdue(o.days)


# -- proposals at a glance --------------------------------------------------------------------


async def proposal_lines(
    tx: Repos, campaign: ActiveCampaign, today: dt.date, *, overdue_max: int = 10
) -> list[str]:
    """Proposals at a glance: by state, by field, by responsible department; overdue answers."""
    proposals = await tx.proposals.listing(campaign.id)
    if not proposals:
        return []
    t = proposal_rules.tally(proposals, today)
    lines = [
        _(
            "**Proposals:** {n} · waiting to be routed {f} · waiting for an answer {r} · "
            "answered {a} · answer overdue {o}"
        ).format(n=len(proposals), f=t.filed, r=t.routed, a=t.answered, o=t.overdue),
        _("By field: {list}").format(
            list="; ".join(
                f"{esc(k)} {a}/{n}" + (f" (⏰ {o})" if o else "") for k, n, a, o in t.by_field
            )
        ),
    ]
    if t.by_department:
        lines.append(
            _("By department (answered/routed): {list}").format(
                list="; ".join(
                    f"{esc(k)} {a}/{n}" + (f" (⏰ {o})" if o else "")
                    for k, n, a, o in t.by_department
                )
            )
        )
    late = sorted(
        (p for p in proposals if proposal_rules.overdue_days(p, today)),
        key=lambda p: p.due_date or today,
    )
    for p in late[:overdue_max]:
        days = proposal_rules.overdue_days(p, today)
        lines.append(
            f"⏰ {number(p)} {esc(p.from_name)} → {esc(p.responsible_name or '')}: "
            + ngettext("%(n)s day overdue", "%(n)s days overdue", days) % {"n": fmt_number(days)}
        )
    return lines
