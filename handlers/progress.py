"""The follow-through: progress on every measure of a submitted plan, period by period.

``/tiendo`` shows the current period's report: each measure with the status reported for it.
Choosing a measure asks its status (four buttons), then the result or product, and for a measure
behind schedule the reason and a proposed new date; then the next measure not yet reported.
Every answer is stored at once; the report is submitted as an immutable version, like a plan,
and the consolidators are told.
"""

from __future__ import annotations

import datetime as dt

from domain import progress as rules
from domain.campaign import Period
from domain.documents.model import progress_label
from domain.model import Measure, Plan, Role
from domain.progress import Entry, Gap, Progress, Report, ReportStatus
from domain.text import OUTPUT_MAX, REASON_MAX, TIMELINE_MAX
from domain.timeline import TimelineError, parse_timeline
from handlers import buttons as act
from handlers import views
from handlers.context import Ctx
from handlers.input import InputError, clean, words
from handlers.markup import clip, esc
from handlers.plan import current_plan, invalid_button, plan_at
from handlers.types import Choice
from locales import _, days_phrase, fmt_date, fmt_datetime

STEPS = ("g_result", "g_reason", "g_newdate")
ACTIONS = (
    act.ProgressMenu,
    act.ProgressMeasure,
    act.SetProgress,
    act.SkipResult,
    act.AskSubmitReport,
    act.ConfirmSubmitReport,
)
_CODES = {
    "d": Progress.DONE,
    "o": Progress.ON_TRACK,
    "l": Progress.LATE,
    "n": Progress.NOT_STARTED,
}
_ICONS = {
    Progress.DONE: "✅",
    Progress.ON_TRACK: "🟢",
    Progress.LATE: "🔴",
    Progress.NOT_STARTED: "⚪",
}


def status_name(status: Progress) -> str:
    return progress_label(status, True)  # one wording, in the chat and in the documents


def report_status_text(report: Report | None, tz: dt.tzinfo) -> str:
    state = rules.report_status(report)
    if state is ReportStatus.SUBMITTED and report and report.submitted_at:
        return _("Submitted (version {v}) at {at}").format(
            v=report.submitted_version, at=fmt_datetime(report.submitted_at, tz)
        )
    if state is ReportStatus.CHANGED and report:
        return _("Changed since submission of version {v}: submit again").format(
            v=report.submitted_version
        )
    if state is ReportStatus.RETURNED and report:
        return _("Returned for revision: {reason}").format(reason=esc(report.return_reason))
    if state is ReportStatus.IN_PROGRESS:
        return _("In progress, not submitted yet")
    return _("Not started")


# -- finding the report ------------------------------------------------------------------------


async def _context(ctx: Ctx, plan: Plan) -> tuple[Period, Report, list[tuple[int, Measure]]] | None:
    """The current period, its report (created on first use) and the measures to report on; or
    None once the person is told why there is nothing to report."""
    assert ctx.campaign is not None
    campaign = ctx.campaign.definition
    if not campaign.periods:
        ctx.say(_("This campaign has no progress reports."), [[views.menu_button()]])
        return None
    if not rules.tracked(plan):
        ctx.say(
            _(
                "Progress is reported once the plan is submitted (and not returned for "
                "revision). Please submit the plan first with /nop."
            ),
            [[views.menu_button()]],
        )
        return None
    period = campaign.current_period(ctx.today)
    if period is None:
        first = campaign.periods[0]
        ctx.say(
            _("The first progress report ({period}) opens on {date}.").format(
                period=esc(first.label), date=fmt_date(first.starts)
            ),
            [[views.menu_button()]],
        )
        return None
    return await _period_context(ctx, plan, period)


async def current_report(
    ctx: Ctx, plan: Plan
) -> tuple[Period, Report, list[tuple[int, Measure]]] | None:
    """The current period's report and its measures, or None once the person is told why not."""
    return await _context(ctx, plan)


async def report_of(
    ctx: Ctx, plan: Plan, period: Period
) -> tuple[Period, Report, list[tuple[int, Measure]]] | None:
    """The report of ``period`` if it is still open (the person is told when it is not)."""
    if not _still_open(ctx, plan, period):
        return None
    return await _period_context(ctx, plan, period)


async def _period_context(
    ctx: Ctx, plan: Plan, period: Period
) -> tuple[Period, Report, list[tuple[int, Measure]]]:
    assert ctx.campaign is not None
    earlier = tuple(p.key for p in ctx.campaign.definition.periods if p.ends < period.starts)
    done_before = await ctx.tx.progress.done_before(plan.id, earlier)
    report = await ctx.tx.progress.ensure(plan.id, period.key)
    return period, report, rules.measures(plan, done_before)


async def _from_button(
    ctx: Ctx, report_id: int, version: int | None = None
) -> tuple[Plan, Period, Report, list[tuple[int, Measure]]] | None:
    """The plan and report a button names, checked against the person (and the campaign), and
    still open: the plan followed through, the report's period the current one and, when the
    button carries it, the report's submitted ``version`` the one it was shown with."""
    found = await ctx.tx.progress.locate(report_id)
    plan = await plan_at(ctx, found[0] if found else None)
    if plan is None or found is None or ctx.campaign is None:
        return None
    period = ctx.campaign.definition.period(found[1])
    if period is None:
        await invalid_button(ctx)
        return None
    if not _still_open(ctx, plan, period):
        return None
    got = await _period_context(ctx, plan, period)
    if version is not None and (got[1].submitted_version or 0) != version:
        ctx.say(
            _(
                "The report was submitted after this button was shown (version {v}); nothing was "
                "changed. Here is the report as it is now."
            ).format(v=got[1].submitted_version)
        )
        await _show(ctx, plan, *got)
        return None
    return plan, *got


def _still_open(ctx: Ctx, plan: Plan, period: Period) -> bool:
    """Progress is taken for a plan being followed through, for the current period only; else
    the person is told why and what to do instead, and nothing is changed."""
    assert ctx.campaign is not None
    if not rules.tracked(plan):
        ctx.say(
            _(
                "The plan was returned for revision, so progress cannot be reported now; nothing "
                "was changed. Once the plan is submitted again (/nop), report progress with "
                "/tiendo."
            ),
            [[views.menu_button()]],
        )
        return False
    current = ctx.campaign.definition.current_period(ctx.today)
    if current is None or current.key != period.key:
        ctx.say(
            _(
                "This belongs to the progress report of {period}, which is closed now; nothing "
                "was changed. Send /tiendo for the current report."
            ).format(period=esc(period.label)),
            [[report_button()]],
        )
        return False
    return True


def _version(report: Report) -> int:
    return report.submitted_version or 0


def report_button() -> Choice:
    return Choice(_("📈 Progress report"), act.ProgressMenu())


# -- the report --------------------------------------------------------------------------------


async def show(ctx: Ctx) -> None:
    """Shows the current period's report: each measure with its status, and submit."""
    plan = await current_plan(ctx)
    if plan is None:
        return
    found = await _context(ctx, plan)
    if found is not None:
        await _show(ctx, plan, *found)


async def _show(
    ctx: Ctx,
    plan: Plan,
    period: Period,
    report: Report,
    todo: list[tuple[int, Measure]],
    *,
    edit: bool = False,
) -> None:
    await ctx.go("idle", period=period.key, assignment_id=None, measure_id=None, wizard=False)
    reported = sum(1 for _n, m in todo if report.entry(m.id).status is not None)
    lines = [
        _("**Progress report — {period}**").format(period=esc(period.label)),
        esc(plan.agency.name),
        _("Report due: {date} ({left})").format(
            date=fmt_date(period.due), left=days_phrase(period.due, ctx.today)
        ),
        _("Status: {status}").format(status=report_status_text(report, ctx.services.tz)),
        _("Measures reported: {done}/{total}").format(done=reported, total=len(todo)),
    ]
    if not todo:
        lines.append(_("Every measure was reported done in an earlier period."))
    else:
        lines += ["", _("Choose a measure to report its progress:")]
    rows: list[list[Choice]] = []
    for n, m in todo:
        entry = report.entry(m.id)
        icon = _ICONS[entry.status] if entry.status else "⬜"
        late = "⏰ " if rules.overdue(m, entry, ctx.today) else ""
        label = f"{icon} {late}{views.number(n, m)} {clip(m.content, 40)}"
        rows.append([Choice(label, act.ProgressMeasure(report.id, m.id, _version(report)))])
    rows.append(
        [
            Choice(_("📤 Submit report"), act.AskSubmitReport(report.id, _version(report))),
            views.menu_button(),
        ]
    )
    rows.append([Choice(_("📨 Proposal or obstacle"), act.NewProposal())])
    if todo:
        rows.append([Choice(_("📊 Excel template of this report"), act.GetProgressTemplate())])
    ctx.say("\n".join(lines), rows, edit=edit)


def _measure_head(n: int, m: Measure, entry: Entry) -> list[str]:
    lines = [f"**{views.number(n, m)}. {esc(m.content)}**"]
    if m.timeline:
        lines.append(_("Timeline: {v}").format(v=views.timeline_text(m)))
    if entry.status:
        lines.append(_("Reported: {v}").format(v=status_name(entry.status)))
    if entry.result:
        lines.append(_("Result: {v}").format(v=esc(entry.result)))
    if entry.reason:
        lines.append(_("Reason: {v}").format(v=esc(entry.reason)))
    if entry.new_due:
        lines.append(
            _("Proposed new date: {v}").format(
                v=f"{esc(entry.new_due_text or '')} ({fmt_date(entry.new_due)})"
            )
        )
    return lines


async def open_measure(
    ctx: Ctx, report_id: int, measure_id: int, version: int, *, edit: bool = True
) -> None:
    """Asks the status of one measure (shown with what was reported so far)."""
    found = await _from_button(ctx, report_id, version)
    if found is None:
        return
    _plan, period, report, todo = found
    await _ask_status(ctx, period, report, todo, measure_id, edit=edit)


async def _ask_status(
    ctx: Ctx,
    period: Period,
    report: Report,
    todo: list[tuple[int, Measure]],
    measure_id: int,
    *,
    edit: bool = False,
) -> None:
    match = next(((n, m) for n, m in todo if m.id == measure_id), None)
    if match is None:
        await invalid_button(ctx)
        return
    n, m = match
    await ctx.go("idle", period=period.key, measure_id=m.id, assignment_id=None, wizard=False)
    lines = _measure_head(n, m, report.entry(m.id))
    lines.append(_("How is this measure going?"))

    def choice(code: str) -> Choice:
        status = _CODES[code]
        return Choice(
            f"{_ICONS[status]} {status_name(status)}",
            act.SetProgress(report.id, m.id, code, _version(report)),
        )

    rows = [
        [choice("d"), choice("o")],
        [choice("l"), choice("n")],
        [Choice(_("⬅️ Back to the report"), act.ProgressMenu())],
    ]
    ctx.say("\n".join(lines), rows, edit=edit)


async def set_status(ctx: Ctx, report_id: int, measure_id: int, code: str, version: int) -> None:
    """Stores the status and asks for the result or product."""
    found = await _from_button(ctx, report_id, version)
    if found is None:
        return
    _plan, period, report, todo = found
    if measure_id not in {m.id for _n, m in todo}:
        await invalid_button(ctx)
        return
    status = _CODES[code]
    fields: dict[str, object] = {"status": status}
    measure = next(m for _n, m in todo if m.id == measure_id)
    late = rules.past_due(measure, ctx.today)
    if not rules.explains_delay(Entry(measure_id=measure_id, status=status), late):
        fields.update(reason=None, new_due_text=None, new_due=None)  # a late measure's only
    await ctx.tx.progress.set(report.id, measure_id, ctx.now, **fields)
    await ctx.audit(
        "progress.status", "measure", measure_id, period=period.key, status=status.value
    )
    await ctx.go("g_result", period=period.key, measure_id=measure_id)
    await prompt(ctx)


async def prompt(ctx: Ctx) -> None:
    """Asks the question of the progress step the person is on (also after a pause)."""
    plan = await ctx.plan()
    if plan is None or ctx.campaign is None or ctx.conv.period is None:
        return
    period = ctx.campaign.definition.period(ctx.conv.period)
    if period is None:
        return
    _period, report, todo = await _period_context(ctx, plan, period)
    match = next(((n, m) for n, m in todo if m.id == ctx.conv.measure_id), None)
    if match is None:
        return
    n, m = match
    entry = report.entry(m.id)
    lines = [f"**{views.number(n, m)}. {esc(clip(m.content, 80))}**"]
    rows: list[list[Choice]] = []
    if ctx.conv.step == "g_result":
        if entry.result:
            lines.append(_("Current: {v}").format(v=esc(entry.result)))
        lines.append(
            _(
                "Result or product? For example: Quyết định số 123/QĐ-UBND ngày 15/3/2026; "
                "Báo cáo số 45/BC-SNV; 3 lớp tập huấn, 250 lượt cán bộ."
            )
        )
        if entry.status is not Progress.DONE:
            rows.append([Choice(_("⏭ Skip"), act.SkipResult(report.id, m.id, _version(report)))])
    elif ctx.conv.step == "g_reason":
        if entry.reason:
            lines.append(_("Current: {v}").format(v=esc(entry.reason)))
        lines.append(_("Why is it behind schedule?"))
    elif ctx.conv.step == "g_newdate":
        if entry.new_due_text:
            lines.append(_("Current: {v}").format(v=esc(entry.new_due_text)))
        lines.append(
            _("Proposed new completion date? For example: {date}, {quarter}.").format(
                **views.examples(ctx.today)
            )
        )
    rows.append([Choice(_("⬅️ Back to the report"), act.ProgressMenu())])
    ctx.say("\n".join(lines), rows)


async def answer_text(ctx: Ctx, raw: str) -> None:
    """Stores a typed answer of the progress step and asks the next question."""
    plan = await current_plan(ctx)
    if plan is None or ctx.campaign is None or ctx.conv.period is None:
        return
    period = ctx.campaign.definition.period(ctx.conv.period)
    mid = ctx.conv.measure_id
    if period is None or mid is None:
        await show(ctx)
        return
    if not _still_open(ctx, plan, period):
        await ctx.go("idle", measure_id=None)
        return
    _period, report, todo = await _period_context(ctx, plan, period)
    if mid not in {m.id for _n, m in todo}:
        ctx.say(_("That measure no longer exists (it was deleted). Nothing was saved."))
        await _show(ctx, plan, period, report, todo)
        return
    back = [[Choice(_("⬅️ Back to the report"), act.ProgressMenu())]]
    step = ctx.conv.step
    try:
        if step == "g_result":
            fields: dict[str, object] = {"result": words(raw, OUTPUT_MAX)}
        elif step == "g_reason":
            fields = {"reason": words(raw, REASON_MAX)}
        else:
            text = clean(raw, TIMELINE_MAX)
            try:
                tl = parse_timeline(text, default_year=ctx.campaign.definition.year)
            except TimelineError as err:
                raise InputError(views.timeline_error(err.reason, ctx.today)) from None
            if tl.due is None:
                raise InputError(
                    _("Please give a date or a period, e.g. {date} or {quarter}.").format(
                        **views.examples(ctx.today)
                    )
                )
            if tl.due < ctx.today:
                raise InputError(
                    _("{date} has already passed. Please propose a date still ahead.").format(
                        date=fmt_date(tl.due)
                    )
                )
            fields = {"new_due_text": tl.text, "new_due": tl.due}
    except InputError as err:
        ctx.say(str(err), back)
        return
    await ctx.tx.progress.set(report.id, mid, ctx.now, **fields)
    shown = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in fields.items()}
    await ctx.audit("progress.answer", "measure", mid, period=period.key, **shown)
    new_due = fields.get("new_due")
    if isinstance(new_due, dt.date):  # #21.10: the date the typed timeline means, shown back
        ctx.say(_("New completion deadline: {date}").format(date=fmt_date(new_due)))
    await _after_answer(ctx, plan, period, mid)


async def skip_result(ctx: Ctx, report_id: int, measure_id: int, version: int) -> None:
    """Leaves the result empty (not for a measure reported done) and moves on."""
    found = await _from_button(ctx, report_id, version)
    if found is None:
        return
    plan, period, report, _todo = found
    entry = report.entry(measure_id)
    if ctx.conv.step != "g_result" or ctx.conv.measure_id != measure_id:
        ctx.say(
            _(
                "This button belongs to a step that is already finished. Please continue from the menu."
            ),
            [[views.menu_button()]],
        )
        return
    if entry.status is Progress.DONE:
        ctx.say(_("A measure reported done needs its result or product."))
        await prompt(ctx)
        return
    await _after_answer(ctx, plan, period, measure_id)


async def _after_answer(ctx: Ctx, plan: Plan, period: Period, measure_id: int) -> None:
    """The next question for this measure, else the next measure not reported, else the list."""
    fresh = await ctx.plan()
    if fresh is None:
        return
    _period, report, todo = await _period_context(ctx, fresh, period)
    entry = report.entry(measure_id)
    step = ctx.conv.step
    measure = next((m for _n, m in todo if m.id == measure_id), None)
    late = measure is not None and rules.explains_delay(entry, rules.past_due(measure, ctx.today))
    if late and step == "g_result":
        await ctx.go("g_reason", period=period.key, measure_id=measure_id)
        await prompt(ctx)
        return
    if late and step == "g_reason":
        await ctx.go("g_newdate", period=period.key, measure_id=measure_id)
        await prompt(ctx)
        return
    ctx.say(_("✅ Saved."))
    following = next(
        (m.id for _n, m in todo if report.entry(m.id).status is None and m.id != measure_id), None
    )
    if following is not None:
        await _ask_status(ctx, period, report, todo, following)
    else:
        await _show(ctx, fresh, period, report, todo)


async def back_to_report(ctx: Ctx) -> None:
    """The report of the period the person was on (or the current one)."""
    plan = await current_plan(ctx)
    if plan is None or ctx.campaign is None:
        return
    period = ctx.campaign.definition.period(ctx.conv.period or "")
    if period is None:
        await show(ctx)
        return
    await _show(ctx, plan, *await _period_context(ctx, plan, period))


# -- submission --------------------------------------------------------------------------------


def _gap_text(gap: Gap) -> str:
    return {
        Gap.NO_STATUS: _("no status yet"),
        Gap.NO_RESULT: _("done, but no result or product"),
        Gap.NO_REASON: _("behind schedule, but no reason"),
        Gap.NO_NEW_DATE: _("behind schedule, but no proposed new date"),
    }[gap]


async def ask_submit(ctx: Ctx, report_id: int, version: int | None = None) -> None:
    """Lists what is missing, or asks to confirm the submission."""
    found = await _from_button(ctx, report_id, version)
    if found is None:
        return
    plan, period, report, todo = found
    gaps = rules.report_gaps(report, todo, ctx.today)
    if gaps:
        lines = [_("Not yet complete. Still missing:")]
        lines += [f"• {views.number(n, m)}: {_gap_text(g)}" for n, m, g in gaps[:30]]
        first = gaps[0][1].id
        ctx.say(
            "\n".join(lines),
            [
                [Choice(_("✏️ Continue"), act.ProgressMeasure(report.id, first, _version(report)))],
                [Choice(_("⬅️ Back to the report"), act.ProgressMenu())],
            ],
        )
        return
    if rules.report_status(report) is ReportStatus.SUBMITTED:
        ctx.say(
            _("The report was submitted (version {v}) and has not changed since.").format(
                v=report.submitted_version
            ),
            [[Choice(_("⬅️ Back to the report"), act.ProgressMenu())]],
        )
        return
    counts = _counts(report, todo)
    ctx.say(
        _("Submit the progress report of {agency} for {period}? {counts}").format(
            agency=esc(plan.agency.name), period=esc(period.label), counts=counts
        ),
        [
            [
                Choice(
                    _("✅ Confirm submission"), act.ConfirmSubmitReport(report.id, report.revision)
                ),
                Choice(_("✖️ Not now"), act.ProgressMenu()),
            ]
        ],
    )


def _counts(report: Report, todo: list[tuple[int, Measure]]) -> str:
    statuses = [report.entry(m.id).status for _n, m in todo]
    return ", ".join(
        f"{status_name(s)}: {statuses.count(s)}" for s in Progress if statuses.count(s)
    )


async def submit(ctx: Ctx, report_id: int, revision: int) -> None:
    """Records the submission (an immutable snapshot) and tells the consolidators."""
    found = await _from_button(ctx, report_id)
    if found is None or ctx.campaign is None:
        return
    plan, period, report, todo = found
    if report.revision != revision:
        ctx.say(
            _("The report changed after this button was shown. Please review it and submit again.")
        )
        await ask_submit(ctx, report.id)
        return
    if (
        rules.report_gaps(report, todo, ctx.today)
        or rules.report_status(report) is ReportStatus.SUBMITTED
    ):
        await ask_submit(ctx, report.id)
        return
    late = max(0, (ctx.today - period.due).days)
    version = await ctx.tx.progress.submit(report, ctx.user.id, ctx.now, late)
    await ctx.audit("progress.submit", "plan", plan.id, period=period.key, version=version)
    await ctx.go("idle", measure_id=None)
    text = _(
        "✅ Submitted the progress report of {agency} for {period}, version {v}, at {at}."
    ).format(
        agency=esc(plan.agency.name),
        period=esc(period.label),
        v=version,
        at=fmt_datetime(ctx.now, ctx.services.tz),
    )
    if late:
        text += "\n" + _("Submitted after the deadline ({late}).").format(
            late=views.late_text(late)
        )
    ctx.say(text, [[views.menu_button()]], edit=True)

    def note() -> str:
        out = _(
            "📥 {agency} submitted its progress report for {period} (version {v}): {counts}."
        ).format(
            agency=esc(plan.agency.name),
            period=esc(period.label),
            v=version,
            counts=_counts(report, todo),
        )
        return out + (" ⚠️ " + views.late_text(late) if late else "")

    ctx.tell(await ctx.tx.users.with_role(Role.CONSOLIDATOR, ctx.campaign.consolidator.id), note)


# -- buttons -----------------------------------------------------------------------------------


async def on_button(ctx: Ctx, action: act.Action) -> None:
    match action:
        case act.ProgressMenu():
            await back_to_report(ctx)
        case act.ProgressMeasure(report=report_id, measure=measure_id, version=version):
            await open_measure(ctx, report_id, measure_id, version)
        case act.SetProgress(report=report_id, measure=measure_id, status=code, version=version):
            await set_status(ctx, report_id, measure_id, code, version)
        case act.SkipResult(report=report_id, measure=measure_id, version=version):
            await skip_result(ctx, report_id, measure_id, version)
        case act.AskSubmitReport(report=report_id, version=version):
            await ask_submit(ctx, report_id, version)
        case act.ConfirmSubmitReport(report=report_id, revision=revision):
            await submit(ctx, report_id, revision)
        case _:
            await invalid_button(ctx)
