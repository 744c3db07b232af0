"""The plan as a table, in the chat: the agency's template sent, a filled one checked when it
comes back, what it would change shown, and stored only on ✅ Lưu, in one transaction.

A template goes out as a file (on Zalo, as a link, like every document) with the link of the
upload page where the channel cannot receive files (Zalo), or on request (a Telegram desktop). A
file comes back as an event like a message (``Kind.FILE``) from either way in. Reading it is
:mod:`domain.plan_table`: nothing here opens the file itself.
"""

from __future__ import annotations

import hashlib

from domain import rules
from domain.model import Plan
from domain.plan_changes import Changes, ItemChange, items_from_json, items_json
from domain.plan_changes import changes as changes_of
from domain.plan_table import (
    BOUNDS,
    PlanTable,
    Problem,
    check_template,
    parse_plan,
    read_meta,
    read_template,
    word_plan_rows,
)
from domain.templates import KIND_PLAN, KIND_PROGRESS, PLAN_SHEET, template_xlsx
from domain.word_table import docx_table
from domain.workbook import Bounds, WorkbookError
from handlers import buttons as act
from handlers import report_file, unit_names, views
from handlers.context import Ctx
from handlers.file_replies import SHOWN_PROBLEMS, problems_reply, save_or_cancel
from handlers.markup import esc
from handlers.plan import changed, current_plan, invalid_button
from handlers.types import Choice, Document
from locales import _, fmt_number

ACTIONS = (
    act.GetTemplate,
    act.GetProgressTemplate,
    act.UploadPage,
    act.SaveUpload,
    act.CancelUpload,
)
SHEETS = (".xlsx", ".xlsm", ".xls")
WORD = (".docx", ".docm", ".doc")
FILE_MAX = Bounds().file_bytes  # what a person may send (5 MB)


def template_name(plan: Plan) -> str:
    return f"mau-ke-hoach-{plan.agency.code}.xlsx"


def _sends_files(ctx: Ctx) -> bool:
    """Whether the person's channel can send a file into the chat (Zalo cannot)."""
    return ctx.event.channel not in ctx.services.numbered


async def send_template(ctx: Ctx) -> None:
    """/maubieu: the agency's template, with what is stored filled in, and how to send it back."""
    plan = await current_plan(ctx)
    if plan is None or ctx.campaign is None:
        return
    await ctx.go("idle", assignment_id=None, measure_id=None, wizard=False)
    agencies = await ctx.tx.campaigns.agencies(ctx.campaign.id)
    content = template_xlsx(ctx.campaign.definition, plan, [a.name for a in agencies], ctx.now)
    ctx.say(
        "",
        document=Document(
            template_name(plan),
            content,
            caption=_("Plan template of {agency}").format(agency=plan.agency.name),
            agency_id=plan.agency.id,
        ),
    )
    lines = [
        _(
            "📊 This is the plan template of {agency}: one block of rows per item, with what is "
            "saved already filled in. Fill it in at your computer (the sheet «{guide}» explains "
            "how), then send it back:"
        ).format(agency=esc(plan.agency.name), guide="Hướng dẫn"),
    ]
    if _sends_files(ctx):
        lines.append(
            _("• send the filled file into this chat (as a file), or")
            + "\n"
            + _("• on a computer without Telegram, open the upload page (button below).")
        )
        rows = [[Choice(_("🌐 Upload page"), act.UploadPage())], [views.menu_button()]]
        ctx.say("\n".join(lines), rows)
        return
    lines.append(_("• open the upload page below and choose the filled file."))
    lines.append(
        _("The bot checks every row and shows you the changes; nothing is saved until you agree.")
    )
    ctx.say("\n".join(lines), [[views.menu_button()]], upload=KIND_PLAN)


async def upload_page(ctx: Ctx) -> None:
    """The link of the upload page, made for this person (the channel adds it)."""
    plan = await current_plan(ctx)
    if plan is None:
        return
    ctx.say(
        _(
            "Open this page on your computer and choose the filled template of {agency}; the "
            "result of the check comes here, in the chat."
        ).format(agency=esc(plan.agency.name)),
        [[views.menu_button()]],
        upload=KIND_PLAN,
    )


# -- a file comes back ---------------------------------------------------------------------------


async def on_file(ctx: Ctx) -> None:
    """A file sent in the chat or through the upload page: checked whole, then either the list
    of problems (nothing changes) or the changes it would make with ✅ Lưu / ❌ Hủy."""
    upload = ctx.event.file
    if upload is None:
        return
    name = upload.filename or "tệp"
    suffix = name[name.rfind(".") :].lower() if "." in name else ""
    if suffix not in (*SHEETS, *WORD):
        ctx.say(
            _(
                "The bot reads the plan from its Excel template (.xlsx) or from a Word table "
                "with the plan's columns (.docx). To get the template, send /maubieu; to type the "
                "plan here, send /kehoach."
            )
        )
        return
    if upload.size > FILE_MAX or (upload.content is not None and len(upload.content) > FILE_MAX):
        ctx.say(
            _("The file «{name}» is larger than {limit} MB; the template is much smaller.").format(
                name=esc(name), limit=fmt_number(FILE_MAX // (1024 * 1024))
            )
        )
        return
    if upload.content is None:
        ctx.say(
            _(
                "The file «{name}» could not be fetched from the messenger. Please send it again."
            ).format(name=esc(name))
        )
        return
    plan = await current_plan(ctx)
    if plan is None or ctx.campaign is None:
        return
    campaign = ctx.campaign.definition
    problems: list[Problem] = []
    try:
        if suffix in WORD:
            rows, problems = word_plan_rows(
                docx_table(upload.content, BOUNDS, suffix), plan.shortcomings
            )
            place = _("the table of the Word document")
        else:
            sheets = read_template(upload.content, suffix)
            meta = read_meta(sheets)
            kind = meta.kind if meta and meta.kind in (KIND_PLAN, KIND_PROGRESS) else KIND_PLAN
            check_template(meta, campaign, plan.agency.code, kind)
            if kind == KIND_PROGRESS and meta is not None:
                digest = hashlib.sha256(upload.content).hexdigest()
                await report_file.on_sheets(ctx, plan, name, digest, sheets, meta.period)
                return
            rows = sheets.get(PLAN_SHEET, [])
            place = _("sheet «{sheet}»").format(sheet=PLAN_SHEET)
    except WorkbookError as err:
        ctx.say(
            _("The file «{name}» was not read: {why}").format(name=esc(name), why=esc(str(err)))
        )
        return
    names = await unit_names.lookup(ctx, plan)  # the chat's names: agencies, then those used
    table = parse_plan(rows, campaign, [s.key for s in plan.shortcomings], names.units)
    if problems:
        table = PlanTable(problems=(*problems, *table.problems))
    digest = hashlib.sha256(upload.content).hexdigest()
    await ctx.audit(
        "plan.file.read",
        "plan",
        plan.id,
        filename=name,
        sha256=digest,
        problems=len(table.problems),
    )
    if table.problems:
        problems_reply(ctx, name, table.problems, place)
        return
    changes = changes_of(plan, table)
    if changes.empty:
        ctx.say(
            _("The file «{name}» holds the plan exactly as it is saved: nothing to change.").format(
                name=esc(name)
            ),
            [[views.menu_button()]],
        )
        return
    upload_id = await ctx.tx.uploads.add(
        ctx.user.id,
        plan.id,
        KIND_PLAN,
        name,
        digest,
        plan.revision,
        items_json(table.items),
        ctx.now,
    )
    lines = [
        _("📄 The file «{name}» was read. What it changes in the plan of {agency}:").format(
            name=esc(name), agency=esc(plan.agency.name)
        ),
        *(f"• {_item_line(c)}" for c in changes.items),
    ]
    if table.doubts:
        lines += ["", _("⚠️ Please check (saving keeps them as written):")]
        lines += [f"• {esc(d.line())}" for d in table.doubts[:SHOWN_PROBLEMS]]
    lines += ["", _("Save these changes in the plan?")]
    ctx.say(
        "\n".join(lines),
        save_or_cancel(upload_id),
    )


def _item_line(c: ItemChange) -> str:
    parts = []
    if c.objective is not None:
        parts.append(_("objective written"))
    if c.added:
        parts.append(_("{n} new measures").format(n=len(c.added)))
    if c.changed:
        parts.append(_("{n} changed").format(n=len(c.changed)))
    if c.removed:
        parts.append(_("{n} removed").format(n=len(c.removed)))
    what = "; ".join(parts) if parts else _("unchanged")
    return _("Item {n}: {changes}").format(n=c.index, changes=what)


# -- ✅ Lưu / ❌ Hủy --------------------------------------------------------------------------------


async def on_button(ctx: Ctx, action: act.Action) -> None:
    match action:
        case act.GetTemplate():
            await send_template(ctx)
        case act.UploadPage():
            await upload_page(ctx)
        case act.GetProgressTemplate():
            await report_file.send_template(ctx)
        case act.SaveUpload(upload=upload_id) | act.CancelUpload(upload=upload_id):
            await _decide(ctx, upload_id, save=isinstance(action, act.SaveUpload))
        case _:
            await invalid_button(ctx)


async def _decide(ctx: Ctx, upload_id: int, *, save: bool) -> None:
    pending = await ctx.tx.uploads.get(upload_id)
    if pending is None or pending.user_id != ctx.user.id:
        await invalid_button(ctx)
        return
    if pending.decided:
        ctx.say(
            _("This file was already saved, cancelled or replaced by a newer one."),
            [[views.menu_button()]],
        )
        return
    plan = await current_plan(ctx)
    if plan is None:
        return
    if plan.id != pending.plan_id:
        await invalid_button(ctx)
        return
    if save and pending.kind == KIND_PROGRESS:
        await report_file.save(ctx, plan, pending)
        return
    if not save:
        await ctx.tx.uploads.decide(upload_id, "cancelled", ctx.now)
        ctx.say(_("Cancelled: the plan has not changed."), [[views.menu_button()]], edit=True)
        return
    if plan.revision != pending.revision:
        await ctx.tx.uploads.decide(upload_id, "stale", ctx.now)
        ctx.say(
            _(
                "The plan changed after this file was sent, so it was not saved (it would undo "
                "those changes). Please ask for the template again with /maubieu."
            ),
            [[views.menu_button()]],
        )
        return
    table = PlanTable(items=items_from_json(pending.content))
    changes = changes_of(plan, table)
    await _apply(ctx, plan, changes)
    await ctx.tx.uploads.decide(upload_id, "saved", ctx.now)
    await ctx.audit(
        "plan.file.saved",
        "plan",
        plan.id,
        filename=pending.filename,
        sha256=pending.sha256,
        added=sum(len(c.added) for c in changes.items),
        changed=sum(len(c.changed) for c in changes.items),
        removed=sum(len(c.removed) for c in changes.items),
    )
    fresh = await ctx.plan()
    lines = [_("✅ Saved the plan from «{name}».").format(name=esc(pending.filename))]
    gaps = rules.missing(fresh) if fresh else []
    if gaps and fresh:
        lines.append(views.missing_text(gaps, fresh))
    else:
        lines.append(_("The plan is complete: check it with /xem, then submit it with /nop."))
    rows = [[views.menu_button()]]
    if fresh:
        rows = [
            [Choice(_("👁 View whole plan"), act.ViewPlan(fresh.id)), views.submit_button(fresh)]
        ]
    ctx.say("\n".join(lines), rows, edit=True)


async def _apply(ctx: Ctx, plan: Plan, changes: Changes) -> None:
    """Every change of the file, in this event's transaction; the plan's revision once."""
    plans = ctx.tx.plans
    for c in changes.items:
        if c.objective is not None:
            await plans.set_objective(c.assignment_id, c.objective)
        for measure_id, row in c.changed:
            await plans.update_measure(measure_id, ctx.now, **row.fields())
        for measure_id in reversed(c.removed):
            await plans.delete_measure(measure_id, ctx.now)
        for row in c.added:
            new = await plans.add_measure(c.assignment_id, row.content, ctx.now)
            await plans.update_measure(new, ctx.now, **row.fields())
    await changed(ctx, plan)
