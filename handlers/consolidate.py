"""For the consolidating agency: /tonghop, one agency's plan, asking for documents, /trave,
/travetiendo, /nhacnho. The documents themselves are built by ``handlers.documents``."""

from __future__ import annotations

import datetime as dt

from db.campaigns import ActiveCampaign
from db.repos import Repos
from db.users import User
from domain.model import Agency, Role
from domain.overview import AgencyStatus, Overview, overview
from domain.rules import Status
from domain.text import REASON_MAX
from handlers import buttons as act
from handlers import clarity, follow, progress, views
from handlers.context import Ctx
from handlers.input import InputError, clean, words
from handlers.markup import BREAK, clip, esc
from handlers.plan import invalid_button
from handlers.types import Choice, Recipient, Reply
from locales import _, days_phrase, fmt_date, fmt_number, ngettext, use_locale

PAGE = 25
ICONS = {
    Status.SUBMITTED: "✅",
    Status.CHANGED: "✏️",
    Status.RETURNED: "↩️",
    Status.READY: "🟡",
    Status.IN_PROGRESS: "🟡",
    Status.NOT_STARTED: "⬜",
}


async def load_overview(
    tx: Repos,
    campaign: ActiveCampaign,
    today: dt.date,
    agency_ids: tuple[int, ...] | None = None,
) -> Overview:
    plans = await tx.plans.plans(campaign.id, agency_ids)
    people = await tx.users.people_by_agency(Role.FOCAL, agency_ids)
    named = {
        agency_id: [
            (
                f"{u.display_name or u.external_id} ({u.channel.capitalize()})",
                u.blocked_at is not None,
            )
            for u in users
        ]
        for agency_id, users in people.items()
    }
    c = campaign.definition
    return overview(plans, named, c.deadlines.plans_due, today, c.checker)


def counts_line(ov: Overview) -> str:
    return _("Submitted: {s}/{total} · In progress: {p} · Not started: {n}").format(
        s=len(ov.submitted), total=len(ov.rows), p=len(ov.in_progress), n=len(ov.not_started)
    )


def status_line(row: AgencyStatus, tz: dt.tzinfo) -> str:
    line = f"{ICONS[row.status]} **{esc(row.agency.name)}** — "
    line += views.status_text(row.plan, tz)
    people = (
        _("Focal persons: {names}").format(names=esc(", ".join(row.focal)))
        if row.focal
        else _("No focal person linked yet")
    )
    line += "\n   " + people
    if row.blocked:
        line += " " + _("(blocked the bot: {names})").format(names=esc(", ".join(row.blocked)))
    if row.unclear:
        line += "\n   💡 " + _("“6 rõ” review: {n} measures to make clearer").format(n=row.unclear)
    return line


async def _guard(ctx: Ctx) -> ActiveCampaign | None:
    if not ctx.is_consolidator:
        await ctx.audit("consolidator.refused", "user", ctx.user.id, command=ctx.event.command)
        ctx.say(_("This command is for the consolidating agency only."))
        return None
    if ctx.campaign is None:
        ctx.say(_("No campaign is open at the moment."))
        return None
    return ctx.campaign


async def status_command(ctx: Ctx) -> None:
    """/tonghop [CODE]: the campaign at a glance, or one agency's plan."""
    campaign = await _guard(ctx)
    if campaign is None:
        return
    code = (ctx.event.args.split() or [""])[0].upper()
    if code:
        agency = await ctx.tx.campaigns.agency_by_code(code)
        if agency is None:
            ctx.say(_("Unknown agency code: {code}").format(code=esc(code)))
            return
        await agency_plan(ctx, campaign, agency)
        return
    await show_page(ctx, campaign, 0, edit=False)


def late_lines(ov: Overview) -> list[str]:
    """Late agencies, told apart: those that submitted late, and those still missing."""
    lines = []
    if ov.submitted_late:
        late = ", ".join(
            f"{esc(r.agency.name)} ({days_late(days)})" for r, days in ov.submitted_late
        )
        lines.append(_("Submitted late: {list}").format(list=late))
    if ov.overdue:
        lines.append(
            _("Not submitted, {overdue}: {codes}").format(
                overdue=days_phrase(ov.plans_due, ov.today),
                codes=", ".join(esc(r.agency.name) for r in ov.overdue),
            )
        )
    return lines


def days_late(days: int) -> str:
    return ngettext("%(n)s day late", "%(n)s days late", days) % {"n": fmt_number(days)}


async def show_page(ctx: Ctx, campaign: ActiveCampaign, page: int, *, edit: bool) -> None:
    """Shows one page of the status, with buttons to open an agency and to download."""
    ov = await load_overview(ctx.tx, campaign, ctx.today)
    c = campaign.definition
    pages = max(1, -(-len(ov.rows) // PAGE))
    page = min(max(page, 0), pages - 1)
    shown = ov.rows[page * PAGE : (page + 1) * PAGE]
    lines = [
        "**" + _("CONSOLIDATED STATUS") + "** — " + esc(c.title),
        views.deadline_line(c, ctx.today),
        counts_line(ov),
    ]
    lines += late_lines(ov)
    review = clarity.totals_line((r.agency.name, r.unclear) for r in ov.rows)
    if review:
        lines.append(review)
    if page == 0:
        lines += await follow.progress_lines(ctx.tx, campaign, [r.plan for r in ov.rows], ctx.today)
        lines += await follow.proposal_lines(ctx.tx, campaign, ctx.today)
    if pages > 1:
        lines.append(_("Page {p}/{n}").format(p=page + 1, n=pages))
    head = len(lines)
    lines += [status_line(r, ctx.services.tz) for r in shown]
    rows: list[list[Choice]] = []
    # agencies by their names (clipped to fit a button), never bare codes
    codes = [Choice(clip(r.agency.name, 28), act.AgencyDetail(r.agency.id)) for r in shown]
    for i in range(0, len(codes), 2):
        rows.append(codes[i : i + 2])
    if pages > 1:
        nav = []
        if page > 0:
            nav.append(Choice("◀️", act.StatusPage(page - 1)))
        if page < pages - 1:
            nav.append(Choice("▶️", act.StatusPage(page + 1)))
        rows.append(nav)
    rows.append(
        [
            Choice(_("📄 Word (.docx)"), act.Download("docx")),
            Choice(_("📊 Excel (.xlsx)"), act.Download("xlsx")),
        ]
    )
    rows.append([Choice(_("📝 Draft incl. unsubmitted (.docx)"), act.Download("draft"))])
    downloads = []
    if c.periods and c.current_period(ctx.today):
        downloads.append(Choice(_("📈 Results (.docx)"), act.Download("progd")))
        downloads.append(Choice(_("📈 Results (.xlsx)"), act.Download("prog")))
    downloads.append(Choice(_("📨 Proposals (.xlsx)"), act.Download("prop")))
    rows.append(downloads)
    text = "\n".join(lines[:head]) + BREAK + "\n" + BREAK.join(lines[head:])
    ctx.say(text, rows, edit=edit)


async def agency_plan(ctx: Ctx, campaign: ActiveCampaign, agency: Agency) -> None:
    """Shows one agency's plan as it stands, like /xem."""
    plan = await ctx.tx.plans.plan(campaign.id, agency.id)
    if plan is None or not plan.shortcomings:
        ctx.say(_("{agency} has no items in this campaign.").format(agency=esc(agency.name)))
        return
    text = views.plan_text(campaign.definition, plan, ctx.today, ctx.services.tz)
    progress_lines = await follow.agency_lines(ctx.tx, campaign, plan, ctx.today, ctx.services.tz)
    if progress_lines:
        text += BREAK + "\n".join(progress_lines)
    rows = [[Choice(_("⬅️ Back to the status"), act.StatusPage(0))]]
    if plan.last_submission is not None and plan.returned_at is None:
        rows.insert(0, [Choice(_("↩️ Return for revision"), act.AskReturn(agency.id))])
    ctx.say(text, rows)


STEPS = ("c_return",)  # a consolidator typing the reason for returning a plan


async def ask_return(ctx: Ctx, campaign: ActiveCampaign, agency: Agency) -> None:
    """The ↩️ button of an agency's plan: the reason is asked (and kept with the step)."""
    plan = await ctx.tx.plans.plan(campaign.id, agency.id)
    if plan is None or plan.last_submission is None:
        ctx.say(
            _("{agency} has not submitted a plan yet: there is nothing to return.").format(
                agency=esc(agency.name)
            )
        )
        return
    await ctx.go("c_return", pending=str(agency.id))
    prompt_return(ctx, agency)


def prompt_return(ctx: Ctx, agency: Agency) -> None:
    ctx.say(
        _(
            "Return the plan of {agency} for revision. Please type the reason; it is sent to the "
            "agency's focal persons."
        ).format(agency=esc(agency.name)),
        [[Choice(_("⬅️ Back to the status"), act.StatusPage(0))]],
    )


async def resume(ctx: Ctx) -> None:
    """The reason's question again (after a command mid-step, a restart)."""
    campaign = await _guard(ctx)
    pending = ctx.conv.pending or ""
    agency = (
        await ctx.tx.campaigns.campaign_agency(campaign.id, int(pending))
        if campaign and pending.isdigit()
        else None
    )
    if agency is not None:
        prompt_return(ctx, agency)


async def return_reason(ctx: Ctx, raw: str) -> None:
    """The reason typed after ↩️: the plan is returned, as with /trave."""
    campaign = await _guard(ctx)
    if campaign is None:
        return
    pending = ctx.conv.pending or ""
    agency_id = int(pending) if pending.isdigit() else 0
    agency = await ctx.tx.campaigns.campaign_agency(campaign.id, agency_id)
    if agency is None:
        await ctx.go("idle")
        await invalid_button(ctx)
        return
    try:
        reason = words(raw, REASON_MAX)
    except InputError as err:
        ctx.say(str(err))
        prompt_return(ctx, agency)
        return
    await ctx.go("idle")
    await _return_plan(ctx, campaign, agency, reason)


async def on_button(ctx: Ctx, action: act.Action) -> None:
    """Buttons of /tonghop: a page, one agency's plan, a document."""
    campaign = await _guard(ctx)
    if campaign is None:
        return
    match action:
        case act.StatusPage(page=page):
            await show_page(ctx, campaign, page, edit=True)
        case act.AgencyDetail(agency=agency_id):
            agency = await ctx.tx.campaigns.campaign_agency(campaign.id, agency_id)
            if agency is None:
                await invalid_button(ctx)
                return
            await agency_plan(ctx, campaign, agency)
        case act.Download(kind=kind):
            await request_document(ctx, campaign, kind)
        case act.AskReturn(agency=agency_id):
            agency = await ctx.tx.campaigns.campaign_agency(campaign.id, agency_id)
            if agency is None:
                await invalid_button(ctx)
                return
            await ask_return(ctx, campaign, agency)


async def request_document(ctx: Ctx, campaign: ActiveCampaign, kind: str) -> None:
    """Asks the report worker for the file (it is built off the event loop, from a consistent
    snapshot, holding no lock) and says so at once; the file follows when it is ready."""
    fmt = "docx" if kind in ("docx", "draft", "progd") else "xlsx"
    document = {"prog": "progress", "progd": "progress", "prop": "proposals"}.get(kind, "plan")
    to = (ctx.event.channel, ctx.event.reply_to, ctx.user.locale)
    await ctx.tx.documents.request(
        campaign.id, fmt, kind == "draft", "download", [to], ctx.now, document
    )
    await ctx.audit("report.download", "campaign", campaign.id, kind=kind)
    ctx.signal("reports")
    ctx.say(
        "⏳ "
        + _("Preparing the consolidated file (.{kind}); it will arrive in a moment.").format(
            kind=fmt
        ),
        toast=_("Preparing the file…"),
    )


async def return_command(ctx: Ctx) -> None:
    """/trave CODE reason: returns a submitted plan for revision; its focal persons are told."""
    campaign = await _guard(ctx)
    if campaign is None:
        return
    args = _code_and_reason(
        ctx, _("Usage: /trave AGENCY_CODE reason (e.g. /trave SNV Bổ sung tiến độ cụ thể)")
    )
    if args is None:
        return
    code, reason = args
    agency = await ctx.tx.campaigns.agency_by_code(code.upper())
    plan = await ctx.tx.plans.plan(campaign.id, agency.id) if agency else None
    if agency is None or plan is None or not plan.shortcomings:
        ctx.say(_("Unknown agency code: {code}").format(code=esc(code)))
        return
    await _return_plan(ctx, campaign, agency, reason)


async def _return_plan(ctx: Ctx, campaign: ActiveCampaign, agency: Agency, reason: str) -> None:
    """Returns the agency's submitted plan for revision; its focal persons are told."""
    plan = await ctx.tx.plans.plan(campaign.id, agency.id)
    if plan is None:
        return
    if plan.last_submission is None:
        ctx.say(
            _("{agency} has not submitted a plan yet: there is nothing to return.").format(
                agency=esc(agency.name)
            )
        )
        return
    await ctx.tx.plans.return_plan(plan.id, reason, ctx.now)
    await ctx.audit("plan.return", "plan", plan.id, reason=reason)
    people = await ctx.tx.users.people_by_agency(Role.FOCAL, (agency.id,))
    sent = ctx.tell(
        people.get(agency.id, []),
        lambda: _(
            "↩️ {consolidator} returned the plan of {agency} for revision.\nReason: {reason}\n"
            "Please edit it with /kehoach and submit again with /nop."
        ).format(
            consolidator=esc(campaign.consolidator.name),
            agency=esc(agency.name),
            reason=esc(reason),
        ),
        sender_too=True,
    )
    ctx.say(
        _("Returned the plan of {agency} for revision; {n} focal persons told.").format(
            agency=esc(agency.name), n=sent
        )
    )


def _code_and_reason(ctx: Ctx, usage: str) -> tuple[str, str] | None:
    """``CODE reason``: any whitespace (a line break too) separates the code; the reason may span
    lines. Says the usage, or why the reason cannot be kept, and returns None."""
    code, raw_reason = [*ctx.event.args.split(None, 1), "", ""][:2]
    if not code or not raw_reason.strip():
        ctx.say(usage)
        return None
    try:
        return code, clean(raw_reason, REASON_MAX)
    except InputError as err:
        ctx.say(str(err))
        return None


async def return_report_command(ctx: Ctx) -> None:
    """/travetiendo CODE reason: returns the current period's submitted progress report of an
    agency for revision; its focal persons are told."""
    campaign = await _guard(ctx)
    if campaign is None:
        return
    args = _code_and_reason(
        ctx,
        _("Usage: /travetiendo AGENCY_CODE reason (e.g. /travetiendo SNV Bổ sung kết quả cụ thể)"),
    )
    if args is None:
        return
    code, reason = args
    period = campaign.definition.current_period(ctx.today)
    agency = await ctx.tx.campaigns.agency_by_code(code.upper())
    plan = await ctx.tx.plans.plan(campaign.id, agency.id) if agency else None
    if agency is None or plan is None:
        ctx.say(_("Unknown agency code: {code}").format(code=esc(code)))
        return
    report = await ctx.tx.progress.report(plan.id, period.key) if period else None
    if period is None or report is None or report.submitted_version is None:
        ctx.say(
            _(
                "{agency} has not submitted a progress report for this period: nothing to return."
            ).format(agency=esc(agency.name))
        )
        return
    await ctx.tx.progress.return_report(report.id, reason, ctx.now)
    await ctx.audit("progress.return", "plan", plan.id, period=period.key, reason=reason)
    people = await ctx.tx.users.people_by_agency(Role.FOCAL, (agency.id,))
    sent = ctx.tell(
        people.get(agency.id, []),
        lambda: _(
            "↩️ {consolidator} returned the progress report of {agency} for {period} for "
            "revision.\nReason: {reason}\nPlease correct it with /tiendo and submit again."
        ).format(
            consolidator=esc(campaign.consolidator.name),
            agency=esc(agency.name),
            period=esc(period.label),
            reason=esc(reason),
        ),
        lambda: [[progress.report_button()]],
        sender_too=True,
    )
    ctx.say(
        _("Returned the progress report of {agency} for {period}; {n} focal persons told.").format(
            agency=esc(agency.name), period=esc(period.label), n=sent
        )
    )


def reminder_text(campaign: ActiveCampaign, row: AgencyStatus, today: dt.date) -> str:
    """The reminder a focal person gets: deadline, time left or late, what is still missing."""
    c = campaign.definition
    due = c.deadlines.plans_due
    lines = [
        "⏰ **" + _("Reminder: remediation plan") + "**",
        f"{esc(row.agency.name)} — {esc(c.title)}",
        _("Due to {agency} on {date} ({left}).").format(
            agency=esc(campaign.consolidator.name), date=fmt_date(due), left=days_phrase(due, today)
        ),
    ]
    if row.status is Status.RETURNED:
        lines.append(
            _("The plan was returned for revision: {reason}").format(
                reason=esc(row.plan.return_reason)
            )
        )
    elif row.status is Status.READY:
        lines.append(_("The plan is complete but not submitted yet: send /nop."))
    else:
        lines.append(
            _("Still missing {missing}/{total} items.").format(
                missing=row.total - row.done, total=row.total
            )
        )
    lines.append(_("Send /kehoach to continue."))
    return "\n".join(lines)


def reminder_replies(
    campaign: ActiveCampaign,
    row: AgencyStatus,
    people: list[User],
    today: dt.date,
    default_locale: str,
) -> list[Reply]:
    """The reminder to each focal person of the agency (``people``) who can receive it."""
    out = []
    for user in people:
        if user.blocked_at is not None:
            continue
        with use_locale(user.locale or default_locale):
            out.append(
                Reply(
                    text=reminder_text(campaign, row, today),
                    choices=[[views.menu_button()]],
                    to=Recipient(user.channel, user.external_id),
                )
            )
    return out


async def remind_command(ctx: Ctx) -> None:
    """/nhacnho: reminds every agency that still owes a plan, now. The reminders are queued by
    the scheduler (in batches, behind the replies to people typing), not inside this update; the
    consolidator hears back how many went out."""
    campaign = await _guard(ctx)
    if campaign is None:
        return
    to = (ctx.event.channel, ctx.event.reply_to, ctx.user.locale)
    job = await ctx.tx.documents.request(campaign.id, "remind", False, "manual", [to], ctx.now)
    await ctx.audit("reminder.request", "campaign", campaign.id, job=job)
    ctx.signal("jobs")
    ctx.say(
        "⏳ "
        + _("Reminding every agency that has not submitted; you will be told when it is done.")
    )


COMMANDS = {
    "tonghop": status_command,
    "trave": return_command,
    "travetiendo": return_report_command,
    "nhacnho": remind_command,
}
ACTIONS = (act.StatusPage, act.AgencyDetail, act.Download, act.AskReturn)
