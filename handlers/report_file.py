"""A period's progress report as a table, in the chat: its template sent from /tiendo, a filled
one checked with the period's rules when it comes back, its changes shown, and stored on ✅ Lưu;
the report is then submitted from /tiendo as always."""

from __future__ import annotations

from db.uploads import PendingUpload
from domain import progress as progress_rules
from domain.model import Plan
from domain.progress_table import (
    STATUS_LABELS,
    changed_entries,
    entries_from_json,
    entries_json,
    parse_progress,
    progress_template_xlsx,
)
from domain.templates import KIND_PROGRESS, PROGRESS_SHEET
from handlers import progress, views
from handlers.context import Ctx
from handlers.file_replies import SHOWN_PROBLEMS, problems_reply, save_or_cancel
from handlers.markup import esc
from handlers.plan import current_plan
from handlers.types import Document
from locales import _


async def send_template(ctx: Ctx) -> None:
    """The current period's report as a template, with what is stored filled in."""
    plan = await current_plan(ctx)
    if plan is None or ctx.campaign is None:
        return
    found = await progress.current_report(ctx, plan)
    if found is None:
        return
    period, report, todo = found
    content = progress_template_xlsx(ctx.campaign.definition, plan, period, report, todo, ctx.now)
    ctx.say(
        "",
        document=Document(
            f"mau-tien-do-{period.key}-{plan.agency.code}.xlsx",
            content,
            caption=_("Progress report template of {agency}, {period}").format(
                agency=plan.agency.name, period=period.label
            ),
            agency_id=plan.agency.id,
        ),
    )
    lines = [
        _(
            "📊 The progress report of {period} as a table: one row per measure. Choose each "
            "measure's status; write the result when done, the reason and a new date when behind "
            "schedule. Then send the file back here."
        ).format(period=esc(period.label))
    ]
    numbered = ctx.event.channel in ctx.services.numbered
    if numbered:
        lines.append(_("• open the upload page below and choose the filled file."))
    ctx.say(
        "\n".join(lines), [[progress.report_button()]], upload=KIND_PROGRESS if numbered else ""
    )


async def on_sheets(
    ctx: Ctx,
    plan: Plan,
    name: str,
    digest: str,
    sheets: dict[str, list[list[object]]],
    period_key: str,
) -> None:
    """A returned progress template: checked against the current period's report."""
    assert ctx.campaign is not None
    found = await progress.current_report(ctx, plan)
    if found is None:
        return
    period, report, todo = found
    if period_key != period.key:
        ctx.say(
            _(
                "This template is for an earlier report; the current report is {period}. Please "
                "ask for its template from /tiendo."
            ).format(period=esc(period.label)),
            [[progress.report_button()]],
        )
        return
    table = parse_progress(
        sheets.get(PROGRESS_SHEET, []),
        ctx.campaign.definition,
        [m.id for _n, m in todo],
        ctx.today,
        past_due={m.id for _n, m in todo if progress_rules.past_due(m, ctx.today)},
    )
    await ctx.audit(
        "progress.file.read",
        "plan",
        plan.id,
        period=period.key,
        filename=name,
        sha256=digest,
        problems=len(table.problems),
    )
    if table.problems:
        problems_reply(ctx, name, table.problems, _("sheet «{sheet}»").format(sheet=PROGRESS_SHEET))
        return
    changed = changed_entries(report, table)
    if not changed:
        ctx.say(
            _(
                "The file «{name}» holds the report exactly as it is saved: nothing to change."
            ).format(name=esc(name)),
            [[progress.report_button()]],
        )
        return
    upload_id = await ctx.tx.uploads.add(
        ctx.user.id,
        plan.id,
        KIND_PROGRESS,
        name,
        digest,
        report.revision,
        entries_json(changed, period.key),
        ctx.now,
    )
    numbers = {m.id: views.number(n, m) for n, m in todo}
    lines = [
        _("📄 The file «{name}» was read: the progress of {n} measures changes ({period}):").format(
            name=esc(name), n=len(changed), period=esc(period.label)
        )
    ]
    for e in changed[:SHOWN_PROBLEMS]:
        state = STATUS_LABELS[e.status] if e.status else _("status not chosen")
        lines.append(f"• {numbers[e.measure_id]}: {esc(state)}")
    if len(changed) > SHOWN_PROBLEMS:
        lines.append(_("… and {n} more.").format(n=len(changed) - SHOWN_PROBLEMS))
    lines += ["", _("Save these changes in the report?")]
    ctx.say(
        "\n".join(lines),
        save_or_cancel(upload_id),
    )


async def save(ctx: Ctx, plan: Plan, pending: PendingUpload) -> None:
    """Stores every entry of the file in this event's transaction, unless the report changed
    since the file was read, or its period closed."""
    assert ctx.campaign is not None
    period_key, entries = entries_from_json(pending.content)
    period = ctx.campaign.definition.period(period_key)
    if period is None:
        await ctx.tx.uploads.decide(pending.id, "stale", ctx.now)
        ctx.say(_("This report no longer exists; nothing was saved."), [[progress.report_button()]])
        return
    found = await progress.report_of(ctx, plan, period)
    if found is None:
        await ctx.tx.uploads.decide(pending.id, "stale", ctx.now)
        return
    _period, report, todo = found
    if report.revision != pending.revision:
        await ctx.tx.uploads.decide(pending.id, "stale", ctx.now)
        ctx.say(
            _(
                "The report changed after this file was sent, so it was not saved (it would undo "
                "those changes). Please ask for its template again from /tiendo."
            ),
            [[progress.report_button()]],
        )
        return
    open_ids = {m.id for _n, m in todo}
    for e in entries:
        if e.measure_id in open_ids:
            await ctx.tx.progress.set(report.id, e.measure_id, ctx.now, **e.fields())
    await ctx.tx.uploads.decide(pending.id, "saved", ctx.now)
    await ctx.audit(
        "progress.file.saved",
        "plan",
        plan.id,
        period=period.key,
        filename=pending.filename,
        sha256=pending.sha256,
        entries=len(entries),
    )
    ctx.say(
        _("✅ Saved the progress of {n} measures from «{name}».").format(
            n=len(entries), name=esc(pending.filename)
        ),
        edit=True,
    )
    await progress.show(ctx)
