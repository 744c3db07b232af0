"""Linking a person to an agency with a one-time invite, and greeting them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from db.campaigns import ActiveCampaign
from db.repos import Repos
from domain.model import Agency, Role
from handlers import views
from handlers.context import Ctx
from handlers.markup import esc
from locales import _, days_phrase, fmt_date

CODE_BYTES = 16  # 22 URL-safe characters: fits a Telegram deep link, impossible to guess


def hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


async def issue_invite(
    tx: Repos,
    agency: Agency,
    role: Role,
    days: int,
    now: dt.datetime,
    created_by: int | None,
) -> str:
    """Create a single-use invite; the plain code is returned once and stored only hashed."""
    code = secrets.token_urlsafe(CODE_BYTES)
    await tx.users.create_invite(
        hash_code(code), agency.id, role, now, now + dt.timedelta(days=days), created_by
    )
    await tx.audit.record(
        now, created_by, "invite.create", "agency", agency.id, role=role.value, days=days
    )
    return code


def role_refusal(campaign: ActiveCampaign | None, agency: Agency, role: Role) -> str | None:
    """Why this role cannot be given in this agency: consolidator rights belong to the
    campaign's consolidating agency only (administrators have them anyway)."""
    if role is Role.CONSOLIDATOR and campaign and agency.id != campaign.consolidator.id:
        return _(
            "The consolidator role is only for {consolidator}, the consolidating agency of the "
            "campaign. To give someone else these rights, make them an administrator (quan-tri)."
        ).format(consolidator=esc(campaign.consolidator.name))
    return None


def role_name(role: Role) -> str:
    return {
        Role.FOCAL: _("focal person"),
        Role.CONSOLIDATOR: _("consolidator"),
        Role.ADMIN: _("administrator"),
    }[role]


async def start(ctx: Ctx) -> None:
    """/start [code]: redeems an invite if one is given, then greets the user."""
    code = (ctx.event.args.split() or [""])[0]
    if code:
        if not await _redeem(ctx, code):
            return
    elif not ctx.known:
        ctx.say(stranger_text())
        return
    await greet(ctx)


def removed_text(agencies: list[Agency]) -> str:
    """For a focal person whose agency was taken out of the campaign's list of agencies."""
    return _(
        "{agencies} is no longer in this campaign's list of agencies, so you cannot work on "
        "its plan for now. Everything entered so far is kept. Please contact the consolidating "
        "agency if this is a mistake."
    ).format(agencies=", ".join(esc(a.name) for a in agencies))


def _refused(ctx: Ctx, why: str) -> None:
    """A code that cannot be used: a stranger is told how to get one; a person already linked
    is told that nothing changed and what they are linked to."""
    if not ctx.known:
        ctx.say(why + "\n\n" + stranger_text())
        return
    linked = ", ".join(f"{role_name(m.role)} — {esc(m.agency.name)}" for m in ctx.memberships)
    ctx.say(
        why
        + "\n"
        + _("The code was not used; nothing changed. You are already linked: {linked}.").format(
            linked=linked
        ),
        [[views.menu_button()]],
    )


async def _redeem(ctx: Ctx, code: str) -> bool:
    invite = await ctx.tx.users.invite(hash_code(code)) if len(code) <= 64 else None
    if invite is None:
        await ctx.audit("invite.refused", "user", ctx.user.id, reason="unknown")
        _refused(ctx, _("This invitation code is not valid."))
        return False
    if invite.used_at is not None:
        await ctx.audit("invite.refused", "user", ctx.user.id, reason="used")
        _refused(ctx, _("This invitation has already been used."))
        return False
    if invite.expires_at <= ctx.now:
        await ctx.audit("invite.refused", "user", ctx.user.id, reason="expired")
        _refused(ctx, _("This invitation has expired."))
        return False
    await ctx.tx.users.use_invite(invite.id, ctx.user.id, ctx.now)
    await ctx.tx.users.grant(ctx.user.id, invite.agency.id, invite.role, ctx.now)
    await ctx.audit("user.link", "agency", invite.agency.id, role=invite.role.value)
    ctx.memberships = await ctx.tx.users.memberships(ctx.user.id)
    if invite.role is Role.FOCAL:
        await ctx.go("idle", agency_id=invite.agency.id, assignment_id=None, measure_id=None)
    ctx.say(
        _("✅ Linked: you are now {role} of {agency}.").format(
            role=role_name(invite.role), agency=esc(invite.agency.name)
        )
    )
    return True


def stranger_text() -> str:
    return _(
        "This bot collects remediation plans from the agencies of a directive. "
        "It works only for people invited by the consolidating agency.\n\n"
        "To get access, ask your agency's contact at the consolidating agency for an invitation "
        "link, then open it on this phone (or send /start followed by the code)."
    )


async def greet(ctx: Ctx) -> None:
    """Who the user is, which directive, the deadline, and what their agency must answer."""
    lines = []
    for m in ctx.memberships:
        lines.append(
            "• " + _("{role} of {agency}").format(role=role_name(m.role), agency=esc(m.agency.name))
        )
    if ctx.is_admin and not ctx.has(Role.ADMIN):
        lines.append("• " + role_name(Role.ADMIN))
    text = [_("Hello {name}!").format(name=esc(ctx.user.display_name)), *lines]
    if ctx.campaign is None:
        text += ["", _("No campaign is open at the moment.")]
        ctx.say("\n".join(text))
        return
    c = ctx.campaign.definition
    d = c.directive
    text += [
        "",
        _("Directive: {kind} of {issuer} {subject}").format(
            kind=esc(d.kind), issuer=esc(d.issuer), subject=esc(d.subject)
        ),
        _("Plans are due to {agency} on {date} ({left}).").format(
            agency=esc(ctx.campaign.consolidator.name),
            date=fmt_date(c.deadlines.plans_due),
            left=days_phrase(c.deadlines.plans_due, ctx.today),
        ),
    ]
    for agency in ctx.focal_agencies():
        plan = await ctx.tx.plans.plan(ctx.campaign.id, agency.id)
        if plan is None or not plan.shortcomings:
            continue
        text += ["", _("**{agency}** must answer:").format(agency=esc(agency.name))]
        text += [f"{i}. {esc(s.text)}" for i, s in enumerate(plan.shortcomings, start=1)]
    choices = []
    if ctx.focal_agencies():
        text += ["", _("Press the button below or send /kehoach to start entering the plan.")]
        choices.append([views.menu_button()])
    if ctx.is_consolidator:
        text += ["", _("Send /tonghop for the consolidated status.")]
    ctx.say("\n".join(text), choices)


async def invite_command(ctx: Ctx) -> None:
    """/moi AGENCY [role] [days]: an admin creates an invite link in chat."""
    if not ctx.is_admin:
        ctx.say(_("Only administrators can create invitations."))
        return
    parts = ctx.event.args.split()
    if not parts:
        ctx.say(_("Usage: /moi AGENCY_CODE [dau-moi|tong-hop|quan-tri] [days]"))
        return
    agency = await ctx.tx.campaigns.agency_by_code(parts[0].upper())
    if agency is None:
        ctx.say(_("Unknown agency code: {code}").format(code=esc(parts[0])))
        return
    try:
        role = Role(parts[1]) if len(parts) > 1 else Role.FOCAL
        days = int(parts[2]) if len(parts) > 2 else ctx.services.invite_days
        if not 1 <= days <= 365:
            raise ValueError
    except ValueError:
        ctx.say(_("Usage: /moi AGENCY_CODE [dau-moi|tong-hop|quan-tri] [days]"))
        return
    refusal = role_refusal(ctx.campaign, agency, role)
    if refusal:
        ctx.say(refusal)
        return
    code = await issue_invite(ctx.tx, agency, role, days, ctx.now, ctx.user.id)
    expires = (ctx.now + dt.timedelta(days=days)).astimezone(ctx.services.tz).date()
    ctx.say(
        _(
            "Invitation for {role} of {agency}, single use, valid until {date}:\n{link}\n\n"
            "Send it only to that person."
        ).format(
            role=role_name(role),
            agency=esc(agency.name),
            date=fmt_date(expires),
            link="\n".join(esc(line) for line in ctx.services.invite_lines(code)),
        )
    )
