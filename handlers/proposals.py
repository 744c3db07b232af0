"""Proposals and obstacles (kiến nghị, đề xuất): filed, routed, answered — in the same chat.

An agency's focal person files a proposal at any time (``/kiennghi``) or from its period report:
the field, the content, and the department it asks. The consolidators are told and confirm that
department or route it to another; that department's focal persons are told, and answer (resolved;
in progress, expected by a date; or cannot be done, with the reason); the proposer is told of the
answer. Each routed proposal has an answer deadline (``answer_days`` of the campaign).
"""

from __future__ import annotations

import datetime as dt

from db.users import User
from domain import proposals as rules
from domain.model import Agency, Role
from domain.proposals import Answer, AnswerDraft, Proposal, State
from domain.text import CONTENT_MAX, OUTPUT_MAX, TIMELINE_MAX
from domain.timeline import TimelineError, parse_timeline
from handlers import buttons as act
from handlers import views
from handlers.context import Ctx
from handlers.input import InputError, clean, words
from handlers.markup import clip, esc
from handlers.plan import invalid_button
from handlers.proposal_views import (
    answer_name,
    answer_rows,
    back_button,
    consolidator_lines,
    details,
    group_page,
    label,
    menu_button,
    number,
    review,
    route_rows,
    state_text,
)
from handlers.types import Choice
from locales import _, fmt_date, fmt_number

STEPS = ("k_content", "k_answer", "k_expected")
ACTIONS = (
    act.ProposalsMenu,
    act.NewProposal,
    act.ProposalField,
    act.AskDepartment,
    act.EditProposal,
    act.SendProposal,
    act.OpenProposal,
    act.ProposalGroup,
    act.RouteProposal,
    act.ReassignProposal,
    act.AnswerProposal,
)
_ANSWERS = {"r": Answer.RESOLVED, "i": Answer.IN_PROGRESS, "x": Answer.DECLINED}
NOBODY = 0  # "the consolidator decides" in AskDepartment
LIST_MAX = 20
__all__ = ["menu_button", "number"]  # used by the notices (handlers.jobs, handlers.follow)


# -- whose agency ------------------------------------------------------------------------------


def _agency(ctx: Ctx) -> Agency | None:
    """The agency the person acts for: the one they work on, or their only one."""
    agencies = ctx.focal_agencies()
    chosen = next((a for a in agencies if a.id == ctx.conv.agency_id), None)
    if chosen is not None:
        return chosen
    if len(agencies) == 1:
        return agencies[0]
    if agencies:
        ctx.say(
            _("You are the focal person of several agencies. Which one do you act for?"),
            [[Choice(a.name, act.ChooseAgency(a.id))] for a in agencies],
        )
    else:
        ctx.say(_("Proposals are filed and answered by the focal persons of agencies."))
    return None


async def _departments(ctx: Ctx, exclude: int | None = None) -> list[Agency]:
    """The campaign's departments (kind sở), in its order."""
    assert ctx.campaign is not None
    kinds = {a.code: a.kind for a in ctx.campaign.definition.agencies}
    return [
        a
        for a in await ctx.tx.campaigns.agencies(ctx.campaign.id)
        if kinds.get(a.code) == "so" and a.id != exclude
    ]


def _rows(choices: list[Choice], width: int = 2) -> list[list[Choice]]:
    return [choices[k : k + width] for k in range(0, len(choices), width)]


# -- the menu ----------------------------------------------------------------------------------


async def show(ctx: Ctx, *, edit: bool = False) -> None:
    """The person's proposals: filed by their agency, to be answered by it; for consolidators,
    those waiting to be routed."""
    if ctx.campaign is None:
        ctx.say(_("No campaign is open at the moment."))
        return
    lines: list[str] = []
    rows: list[list[Choice]] = []
    today = ctx.today
    if ctx.is_consolidator:
        more, buttons = consolidator_lines(await ctx.tx.proposals.listing(ctx.campaign.id), today)
        lines += more
        rows += buttons
    agency = None
    if ctx.focal_agencies():
        agency = _agency(ctx)
        if agency is None:
            return
    if agency is not None:
        await ctx.go("idle", agency_id=agency.id, proposal_id=None, period=None)
        mine = await ctx.tx.proposals.of_agency(ctx.campaign.id, agency.id)
        to_answer = [p for p in mine if p.responsible_agency_id == agency.id]
        filed = [p for p in mine if p.from_agency_id == agency.id]
        if to_answer:
            open_ = [p for p in to_answer if p.state is State.ROUTED]
            lines.append(
                _("**To answer by {agency}:** {n} open of {total}").format(
                    agency=esc(agency.name), n=len(open_), total=len(to_answer)
                )
            )
            rows += [
                [Choice("✍️ " + label(p, today), act.OpenProposal(p.id))]
                for p in (open_ + [p for p in to_answer if p not in open_])[:LIST_MAX]
            ]
        if filed:
            lines.append(
                _("**Proposals filed by {agency}:** {n}").format(
                    agency=esc(agency.name), n=fmt_number(len(filed))
                )
            )
        else:
            lines.append(
                _("{agency} has not filed any proposal yet.").format(agency=esc(agency.name))
            )
        for p in filed[:LIST_MAX]:
            lines.append(f"• {number(p)} {esc(clip(p.field, 30))}: " + state_text(p, today))
            rows.append([Choice(label(p, today), act.OpenProposal(p.id))])
        drafts = await ctx.tx.proposals.drafts(ctx.campaign.id, agency.id)
        if drafts:
            lines.append(_("Drafts not sent yet: {n}").format(n=fmt_number(len(drafts))))
        for p in drafts[:LIST_MAX]:
            resume = (
                act.AskDepartment(p.id, p.asked_agency_id or NOBODY)
                if p.content
                else act.EditProposal(p.id, "c")
            )
            content = p.content or _("(no content yet)")
            text = f"📝 {clip(p.field, 24)} · {clip(content, 30)}"
            rows.append([Choice(text, resume)])
        rows.append([Choice(_("➕ New proposal"), act.NewProposal())])
    ctx.say("\n".join(lines), rows, edit=edit)


# -- filing ------------------------------------------------------------------------------------


async def ask_field(ctx: Ctx) -> None:
    """Asks the field of a new proposal."""
    if ctx.campaign is None or _agency(ctx) is None:
        return
    fields = ctx.campaign.definition.proposals.fields
    choices = [Choice(f, act.ProposalField(k)) for k, f in enumerate(fields)]
    ctx.say(
        _("**New proposal.** Which field is it about?"),
        [*_rows(choices), [back_button()]],
    )


async def choose_field(ctx: Ctx, index: int) -> None:
    """Stores a draft with its field and asks for the content."""
    agency = _agency(ctx)
    if ctx.campaign is None or agency is None:
        return
    fields = ctx.campaign.definition.proposals.fields
    if not 0 <= index < len(fields):
        await invalid_button(ctx)
        return
    pid = await ctx.tx.proposals.draft(
        ctx.campaign.id, agency.id, ctx.user.id, fields[index], ctx.conv.period, ctx.now
    )
    await ctx.audit("proposal.draft", "proposal", pid, field=fields[index])
    await ctx.go("k_content", proposal_id=pid, agency_id=agency.id)
    await prompt(ctx)


async def prompt(ctx: Ctx) -> None:
    """Asks the question of the proposal step the person is on (also after a pause)."""
    p = await ctx.tx.proposals.get(ctx.conv.proposal_id or 0)
    if p is None:
        return
    back = [[back_button()]]
    if ctx.conv.step == "k_content" and ctx.conv.pending == "review" and p.content:
        ctx.say(  # editing from the review: the content as it stands, kept with one choice
            _("Current content: {v}\nPlease type the new content.").format(v=esc(p.content)),
            [
                [Choice(_("↩️ Keep as is"), act.AskDepartment(p.id, p.asked_agency_id or NOBODY))],
                *back,
            ],
        )
    elif ctx.conv.step == "k_content":
        ctx.say(
            _("Field: {field}. Please type the proposal or obstacle (kiến nghị, đề xuất).").format(
                field=esc(p.field)
            ),
            back,
        )
    elif ctx.conv.step == "k_answer" and ctx.conv.answer:
        ctx.say(
            _("Proposal no. {n}: {answer}. Please type the answer.").format(
                n=p.number, answer=answer_name(ctx.conv.answer.kind)
            ),
            back,
        )
    elif ctx.conv.step == "k_expected":
        ctx.say(
            _("When is it expected to be done? For example: {date}, {quarter}.").format(
                **views.examples(ctx.today)
            ),
            back,
        )


async def answer_text(ctx: Ctx, raw: str) -> None:
    """Stores the typed content or answer and moves on."""
    p = await ctx.tx.proposals.get(ctx.conv.proposal_id or 0)
    if p is None or ctx.campaign is None:
        await ctx.go("idle", proposal_id=None)
        await show(ctx)
        return
    try:
        if ctx.conv.step == "k_content":
            if p.state is not State.DRAFT:
                raise InputError(_("That proposal is already filed."))
            await ctx.tx.proposals.update(p.id, ctx.now, content=words(raw, CONTENT_MAX))
            if ctx.conv.pending == "review":  # edited from the review: back to it
                await show_review(ctx, p.id)
            else:
                await _ask_department(ctx, p)
            return
        draft = ctx.conv.answer
        if draft is None or draft.proposal_id != p.id:  # no answer begun: start from the buttons
            await ctx.go("idle", proposal_id=None)
            await open_proposal(ctx, p.id)
            return
        if not await _still_answerable(ctx, p, draft):
            return
        if ctx.conv.step == "k_answer":
            draft = draft.model_copy(update={"text": words(raw, OUTPUT_MAX)})
            if draft.kind is Answer.IN_PROGRESS:
                await ctx.go("k_expected", proposal_id=p.id, answer=draft)
                await prompt(ctx)
                return
            await _answered(ctx, p, draft)
            return
        text = clean(raw, TIMELINE_MAX)
        try:
            tl = parse_timeline(text, default_year=ctx.campaign.definition.year)
        except TimelineError as err:
            raise InputError(views.timeline_error(err.reason, ctx.today)) from None
        if tl.due is None or tl.due < ctx.today:
            raise InputError(
                _("Please give a date still ahead, e.g. {date} or {quarter}.").format(
                    **views.examples(ctx.today)
                )
            )
        await _answered(ctx, p, draft, expected_text=tl.text, expected=tl.due)
    except InputError as err:
        ctx.say(str(err))
        await prompt(ctx)  # the question again, with its choices


async def _still_answerable(ctx: Ctx, p: Proposal, draft: AnswerDraft) -> bool:
    """The answer being written still applies: the proposal is with the person's agency and has
    not changed since the answer was begun. Otherwise the person is told, and nothing kept."""
    mine = {a.id for a in ctx.focal_agencies()}
    if (
        p.responsible_agency_id == draft.agency_id
        and draft.agency_id in mine
        and p.revision == draft.revision
    ):
        return True
    await _stale_answer(ctx, p)
    return False


async def _stale_answer(ctx: Ctx, p: Proposal) -> None:
    await ctx.go("idle", proposal_id=None)
    mine = {a.id for a in ctx.focal_agencies()}
    if p.responsible_agency_id in mine:
        ctx.say(
            _(
                "Proposal no. {n} was answered or changed after you began your answer, so your "
                "answer was not saved. Here it is as it is now."
            ).format(n=p.number)
        )
        await open_proposal(ctx, p.id)
        return
    ctx.say(
        _(
            "Proposal no. {n} was routed to {dept} after you began your answer, so your answer "
            "was not saved: it is no longer for your agency to answer."
        ).format(n=p.number, dept=esc(p.responsible_name or "")),
        [[menu_button()]],
    )


async def _ask_department(ctx: Ctx, p: Proposal) -> None:
    await ctx.go("idle", proposal_id=p.id)
    choices = [
        Choice(a.name, act.AskDepartment(p.id, a.id))
        for a in await _departments(ctx, p.from_agency_id)
    ]
    ctx.say(
        _("Which department should answer it?"),
        [
            *_rows(choices),
            [
                Choice(
                    _("🤷 Not sure: the consolidating agency decides"),
                    act.AskDepartment(p.id, NOBODY),
                )
            ],
            [back_button()],
        ],
    )


async def _own_draft(ctx: Ctx, proposal_id: int) -> Proposal | None:
    """The person's agency's draft, or None (told why): a stale or forged button, or a
    proposal already sent."""
    p = await ctx.tx.proposals.get(proposal_id)
    mine = {a.id for a in ctx.focal_agencies()}
    if p is None or p.from_agency_id not in mine or ctx.campaign is None:
        await invalid_button(ctx)
        return None
    if p.state is not State.DRAFT:
        ctx.say(_("Proposal no. {n} is already filed.").format(n=p.number), [[menu_button()]])
        return None
    return p


async def choose_department(ctx: Ctx, proposal_id: int, agency_id: int) -> None:
    """Keeps the department asked (or none: the consolidating agency decides) and shows the
    draft to check before it is sent."""
    p = await _own_draft(ctx, proposal_id)
    if p is None:
        return
    if not p.content or (
        agency_id != NOBODY and agency_id not in {a.id for a in await _departments(ctx)}
    ):
        await invalid_button(ctx)
        return
    await ctx.tx.proposals.update(p.id, ctx.now, asked_agency_id=agency_id or None)
    await show_review(ctx, p.id)


async def show_review(ctx: Ctx, proposal_id: int) -> None:
    """The draft as it will be sent; the person sends it, edits it, or leaves it as a draft."""
    p = await ctx.tx.proposals.get(proposal_id)
    assert p is not None
    await ctx.go("idle", proposal_id=p.id, pending="review")
    ctx.say(*review(p))


async def edit_draft(ctx: Ctx, proposal_id: int, what: str) -> None:
    """From the review: the content typed again, or another department chosen."""
    p = await _own_draft(ctx, proposal_id)
    if p is None:
        return
    if what == "d":
        await _ask_department(ctx, p)
        return
    # a draft with content goes back to its review once edited; one without asks the department
    await ctx.go("k_content", proposal_id=p.id, pending="review" if p.content else None)
    await prompt(ctx)


async def file(ctx: Ctx, proposal_id: int) -> None:
    """Files the checked draft, asking the department chosen (or nobody), and tells the
    consolidators."""
    p = await _own_draft(ctx, proposal_id)
    if p is None:
        return
    if not p.content:
        await invalid_button(ctx)
        return
    number = await ctx.tx.proposals.file(p.id, ctx.now)
    await ctx.audit("proposal.file", "proposal", p.id, number=number, asked=p.asked_agency_id)
    await ctx.go("idle", proposal_id=None)
    filed = await ctx.tx.proposals.get(p.id)
    assert filed is not None
    ctx.say(
        _(
            "✅ Proposal no. {n} filed. The consolidating agency routes it to the department that "
            "answers; you will be told of the answer here."
        ).format(n=number),
        [[menu_button()]],
    )
    ctx.tell(
        await _consolidators(ctx),
        lambda: "📨 " + details(filed, ctx.today),
        lambda: route_rows(filed),
        sender_too=True,
    )


async def _consolidators(ctx: Ctx) -> list[User]:
    assert ctx.campaign is not None
    return [
        u
        for u in await ctx.tx.users.with_role(Role.CONSOLIDATOR, ctx.campaign.consolidator.id)
        if u.blocked_at is None
    ]


async def _focal(ctx: Ctx, agency_id: int) -> list[User]:
    people = await ctx.tx.users.people_by_agency(Role.FOCAL, (agency_id,))
    return [u for u in people.get(agency_id, []) if u.blocked_at is None]


# -- viewing, routing, answering ---------------------------------------------------------------


async def _visible(ctx: Ctx, proposal_id: int) -> Proposal | None:
    p = await ctx.tx.proposals.get(proposal_id)
    mine = {a.id for a in ctx.focal_agencies()}
    if (
        p is None
        or ctx.campaign is None
        or p.campaign_id != ctx.campaign.id
        or p.state is State.DRAFT
        or not (ctx.is_consolidator or p.from_agency_id in mine or p.responsible_agency_id in mine)
    ):
        await invalid_button(ctx)
        return None
    return p


async def open_proposal(ctx: Ctx, proposal_id: int) -> None:
    """Shows one proposal with what this person may do with it."""
    p = await _visible(ctx, proposal_id)
    if p is None:
        return
    rows: list[list[Choice]] = []
    if ctx.is_consolidator and p.state in (State.FILED, State.ROUTED):
        rows += route_rows(p)
    if p.responsible_agency_id in {a.id for a in ctx.focal_agencies()}:
        rows += answer_rows(p)
    rows.append([back_button()])
    ctx.say(details(p, ctx.today), rows)


async def reassign(ctx: Ctx, proposal_id: int) -> None:
    """Offers every department to route the proposal to."""
    p = await _visible(ctx, proposal_id)
    if p is None:
        return
    if not ctx.is_consolidator or p.state is State.ANSWERED:
        await invalid_button(ctx)
        return
    choices = [
        Choice(a.name, act.RouteProposal(p.id, a.id))
        for a in await _departments(ctx, p.from_agency_id)
    ]
    ctx.say(
        _("Route proposal no. {n} to which department?").format(n=p.number),
        [*_rows(choices), [back_button()]],
    )


async def route(ctx: Ctx, proposal_id: int, agency_id: int) -> None:
    """The consolidator confirms the department: it is told, with the deadline; so is the
    proposer."""
    p = await _visible(ctx, proposal_id)
    if p is None or ctx.campaign is None:
        return
    departments = {a.id: a for a in await _departments(ctx)}
    if not ctx.is_consolidator or agency_id not in departments:
        await invalid_button(ctx)
        return
    if p.state is State.ANSWERED:
        ctx.say(_("Proposal no. {n} is already answered.").format(n=p.number), [[menu_button()]])
        return
    if p.responsible_agency_id == agency_id:
        ctx.say(
            _("Proposal no. {n} is already with {dept}.").format(
                n=p.number, dept=esc(departments[agency_id].name)
            ),
            [[menu_button()]],
        )
        return
    due = rules.due_date(ctx.today, ctx.campaign.definition.proposals.answer_days)
    await ctx.tx.proposals.route(p.id, agency_id, due, ctx.now)
    await ctx.audit("proposal.route", "proposal", p.id, agency=agency_id, due=due.isoformat())
    routed = await ctx.tx.proposals.get(p.id)
    assert routed is not None
    dept = departments[agency_id]
    ctx.say(
        _("✅ Proposal no. {n} routed to {dept}; answer due {date}.").format(
            n=p.number, dept=esc(dept.name), date=fmt_date(due)
        ),
        [[menu_button()]],
    )
    ctx.tell(
        await _focal(ctx, agency_id),
        lambda: (
            _("📨 {dept} is asked to answer proposal no. {n} by {date}:").format(
                dept=esc(dept.name), n=p.number, date=fmt_date(due)
            )
            + "\n"
            + details(routed, ctx.today)
        ),
        lambda: answer_rows(routed),
        sender_too=True,
    )
    ctx.tell(
        await _focal(ctx, p.from_agency_id),
        lambda: _("📨 Your proposal no. {n} was routed to {dept}, to answer by {date}.").format(
            n=p.number, dept=esc(dept.name), date=fmt_date(due)
        ),
        sender_too=True,
    )


async def start_answer(ctx: Ctx, proposal_id: int, code: str) -> None:
    """The responsible department chooses the kind of answer and is asked for its content."""
    p = await _visible(ctx, proposal_id)
    if p is None:
        return
    if p.responsible_agency_id not in {a.id for a in ctx.focal_agencies()}:
        await invalid_button(ctx)
        return
    assert p.responsible_agency_id is not None
    draft = AnswerDraft(
        proposal_id=p.id,
        agency_id=p.responsible_agency_id,
        revision=p.revision,
        kind=_ANSWERS[code],
    )
    await ctx.go("k_answer", proposal_id=p.id, agency_id=p.responsible_agency_id, answer=draft)
    await prompt(ctx)


async def _answered(
    ctx: Ctx,
    before: Proposal,
    draft: AnswerDraft,
    *,
    expected_text: str | None = None,
    expected: dt.date | None = None,
) -> None:
    """The answer is complete: stored at once if the proposal is still as it was when the
    answer was begun (checked in the same statement), and the proposer and consolidators told
    once."""
    stored = await ctx.tx.proposals.answer(
        draft, ctx.user.id, ctx.now, expected_text=expected_text, expected=expected
    )
    p = await ctx.tx.proposals.get(before.id)
    assert p is not None
    if not stored:
        await _stale_answer(ctx, p)
        return
    assert p.answer is not None
    await ctx.audit("proposal.answer", "proposal", p.id, answer=p.answer.value)
    await ctx.go("idle", proposal_id=None)
    said = _("✅ Answer to proposal no. {n} saved and sent.").format(n=p.number)
    if expected is not None:  # #21.10: the date a typed timeline means, shown back
        said += "\n" + _("Expected to be settled by: {date}").format(date=fmt_date(expected))
    ctx.say(said, [[menu_button()]])
    ctx.tell(
        [*await _focal(ctx, p.from_agency_id), *await _consolidators(ctx)],
        lambda: (
            _("📬 {dept} answered proposal no. {n}:").format(
                dept=esc(p.responsible_name or ""), n=p.number
            )
            + "\n"
            + details(p, ctx.today)
        ),
        lambda: [[menu_button()]],
    )


# -- buttons -----------------------------------------------------------------------------------


async def on_button(ctx: Ctx, action: act.Action) -> None:
    match action:
        case act.ProposalsMenu():
            await show(ctx)
        case act.NewProposal():
            await ask_field(ctx)
        case act.ProposalField(field=index):
            await choose_field(ctx, index)
        case act.AskDepartment(proposal=pid, agency=agency_id):
            await choose_department(ctx, pid, agency_id)
        case act.EditProposal(proposal=pid, what=what):
            await edit_draft(ctx, pid, what)
        case act.SendProposal(proposal=pid):
            await file(ctx, pid)
        case act.ProposalGroup(group=group, page=page):
            await show_group(ctx, group, page)
        case act.OpenProposal(proposal=pid):
            await open_proposal(ctx, pid)
        case act.ReassignProposal(proposal=pid):
            await reassign(ctx, pid)
        case act.RouteProposal(proposal=pid, agency=agency_id):
            await route(ctx, pid, agency_id)
        case act.AnswerProposal(proposal=pid, answer=code):
            await start_answer(ctx, pid, code)
        case _:
            await invalid_button(ctx)


async def show_group(ctx: Ctx, group: str, page: int) -> None:
    """A consolidator's list of the proposals in one state."""
    if ctx.campaign is None or not ctx.is_consolidator:
        await invalid_button(ctx)
        return
    proposals = await ctx.tx.proposals.listing(ctx.campaign.id)
    ctx.say(*group_page(proposals, group, page, ctx.today), edit=True)
