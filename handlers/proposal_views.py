"""What a proposal looks like in the chat: its details, its label on a button, its state, the
buttons of each party, and the consolidators' lists by state. Plain functions of the data; the
conversation that uses them is ``handlers.proposals``."""

from __future__ import annotations

import datetime as dt

from domain import proposals as rules
from domain.documents.model import answer_label
from domain.proposals import Answer, Proposal, State
from handlers import buttons as act
from handlers.markup import clip, esc
from handlers.types import Choice
from locales import _, days_phrase, fmt_date, fmt_number

LIST_MAX = 20  # proposals per list page


def answer_name(answer: Answer) -> str:
    return answer_label(answer)  # one wording, in the chat and in the documents


def menu_button() -> Choice:
    """Opens the person's proposals (in notices, and after an action is done)."""
    return Choice(_("📨 Proposals"), act.ProposalsMenu())


def back_button() -> Choice:
    """One step back, to the proposals (in the middle of filing, routing or reading one)."""
    return Choice(_("⬅️ Back"), act.ProposalsMenu())


def state_text(p: Proposal, today: dt.date) -> str:
    if p.state is State.FILED:
        return _("waiting to be routed")
    if p.state is State.ROUTED and p.due_date:
        return _("with {dept}, answer due {date} ({left})").format(
            dept=esc(p.responsible_name or ""),
            date=fmt_date(p.due_date),
            left=days_phrase(p.due_date, today),
        )
    if p.state is State.ANSWERED and p.answer:
        return _("answered by {dept}: {answer}").format(
            dept=esc(p.responsible_name or ""), answer=answer_name(p.answer)
        )
    return _("draft")


def label(p: Proposal, today: dt.date) -> str:
    late = "⏰ " if rules.overdue_days(p, today) else ""
    return f"{late}{number(p)} · {clip(p.field, 24)} · {clip(p.content or '', 30)}"


def number(p: Proposal) -> str:
    return _("No. {n}").format(n=p.number)


def details(p: Proposal, today: dt.date) -> str:
    lines = [
        _("**Proposal no. {n}** — {agency}").format(n=p.number, agency=esc(p.from_name)),
        *_body(p),
        _("Status: {v}").format(v=state_text(p, today)),
    ]
    if p.answer_text:
        lines.append(_("Answer: {v}").format(v=esc(p.answer_text)))
    if p.expected:
        lines.append(
            _("Expected by: {v}").format(v=f"{esc(p.expected_text or '')} ({fmt_date(p.expected)})")
        )
    return "\n".join(lines)


def _body(p: Proposal) -> list[str]:
    return [
        _("Field: {v}").format(v=esc(p.field)),
        _("Content: {v}").format(v=esc(p.content or "")),
        _("Asked of: {v}").format(
            v=esc(p.asked_name) if p.asked_name else _("the consolidating agency decides")
        ),
    ]


def review(p: Proposal) -> tuple[str, list[list[Choice]]]:
    """The draft as it will be sent, before the filer sends it."""
    text = "\n".join(
        [
            "**" + _("Please check the proposal before sending it:") + "**",
            _("From: {v}").format(v=esc(p.from_name)),
            *_body(p),
        ]
    )
    rows = [
        [Choice(_("📨 Send the proposal"), act.SendProposal(p.id))],
        [
            Choice(_("✏️ Edit the content"), act.EditProposal(p.id, "c")),
            Choice(_("🏛 Change the department"), act.EditProposal(p.id, "d")),
        ],
        [Choice(_("✖️ Not now (kept as a draft)"), act.ProposalsMenu())],
    ]
    return text, rows


def route_rows(p: Proposal) -> list[list[Choice]]:
    """The consolidator's choices: the department the proposer asked, or another; a proposal
    filed as "not sure" is simply routed to a department."""
    if p.asked_agency_id and p.asked_name:
        return [
            [
                Choice(
                    _("✅ Route to {dept}").format(dept=clip(p.asked_name, 40)),
                    act.RouteProposal(p.id, p.asked_agency_id),
                )
            ],
            [Choice(_("🔁 Route to another department"), act.ReassignProposal(p.id))],
        ]
    return [[Choice(_("🏛 Route to a department"), act.ReassignProposal(p.id))]]


def answer_rows(p: Proposal) -> list[list[Choice]]:
    return [
        [Choice("✅ " + answer_name(Answer.RESOLVED), act.AnswerProposal(p.id, "r"))],
        [Choice("⏳ " + answer_name(Answer.IN_PROGRESS), act.AnswerProposal(p.id, "i"))],
        [Choice("✖️ " + answer_name(Answer.DECLINED), act.AnswerProposal(p.id, "x"))],
    ]


# -- the consolidators' lists ------------------------------------------------------------------


def group_of(p: Proposal, today: dt.date) -> str:
    """Which of the consolidators' lists a filed proposal is in (act.PROPOSAL_GROUPS)."""
    if p.state is State.FILED:
        return "f"
    if p.state is State.ROUTED:
        return "o" if rules.overdue_days(p, today) else "r"
    return "a"


def group_name(group: str) -> str:
    return {
        "f": _("Waiting to be routed"),
        "r": _("Routed, answer not yet due"),
        "o": _("Answer overdue"),
        "a": _("Answered"),
    }[group]


GROUP_ICONS = {"f": "📥", "r": "⏳", "o": "⏰", "a": "✅"}


def _in_group(proposals: list[Proposal], group: str, today: dt.date) -> list[Proposal]:
    chosen = [p for p in proposals if p.state is not State.DRAFT and group_of(p, today) == group]
    if group in ("r", "o"):  # the nearest deadline (the most overdue) first
        return sorted(chosen, key=lambda p: (p.due_date or today, p.number or 0))
    if group == "a":  # the latest answers first
        return sorted(chosen, key=lambda p: p.answered_at or dt.datetime.min, reverse=True)
    return sorted(chosen, key=lambda p: p.number or 0)


def consolidator_lines(
    proposals: list[Proposal], today: dt.date
) -> tuple[list[str], list[list[Choice]]]:
    """Every filed proposal, counted by state; those waiting to be routed listed (the work to do
    now), and a button to each state's list."""
    groups = {g: _in_group(proposals, g, today) for g in act.PROPOSAL_GROUPS}
    lines = [
        "**" + _("Proposals of every agency") + "**",
        *(
            f"{GROUP_ICONS[g]} {group_name(g)}: {fmt_number(len(groups[g]))}"
            for g in act.PROPOSAL_GROUPS
        ),
    ]
    rows = [[Choice(label(p, today), act.OpenProposal(p.id))] for p in groups["f"][:LIST_MAX]]
    if len(groups["f"]) > LIST_MAX:
        rows.append([Choice(_("All waiting to be routed"), act.ProposalGroup("f", 0))])
    shortcuts = [
        Choice(
            f"{GROUP_ICONS[g]} {group_name(g)} ({fmt_number(len(groups[g]))})",
            act.ProposalGroup(g, 0),
        )
        for g in ("o", "r", "a")
        if groups[g]
    ]
    rows += [[c] for c in shortcuts]
    return lines, rows


def group_page(
    proposals: list[Proposal], group: str, page: int, today: dt.date
) -> tuple[str, list[list[Choice]]]:
    """One state's list, a page at a time, each proposal openable."""
    chosen = _in_group(proposals, group, today)
    pages = max(1, -(-len(chosen) // LIST_MAX))
    page = min(max(page, 0), pages - 1)
    shown = chosen[page * LIST_MAX : (page + 1) * LIST_MAX]
    lines = [f"{GROUP_ICONS[group]} **{group_name(group)}**: {fmt_number(len(chosen))}"]
    if pages > 1:
        lines.append(_("Page {p}/{n}").format(p=page + 1, n=pages))
    lines += [
        f"• {number(p)} {esc(p.from_name)} — {esc(clip(p.field, 30))}: {state_text(p, today)}"
        for p in shown
    ]
    if not chosen:
        lines.append(_("None at the moment."))
    rows = [[Choice(label(p, today), act.OpenProposal(p.id))] for p in shown]
    nav = []
    if page > 0:
        nav.append(Choice("◀️", act.ProposalGroup(group, page - 1)))
    if page < pages - 1:
        nav.append(Choice("▶️", act.ProposalGroup(group, page + 1)))
    if nav:
        rows.append(nav)
    rows.append([back_button()])
    return "\n".join(lines), rows
