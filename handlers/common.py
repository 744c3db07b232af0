"""Help, cancel, language, and what to do with input that fits no step."""

from __future__ import annotations

from handlers import views
from handlers.context import Ctx
from handlers.markup import esc
from handlers.types import Kind, Reply
from locales import SUPPORTED, _, use_locale

FOCAL_COMMANDS = ("kehoach", "maubieu", "xem", "nop", "tiendo", "kiennghi", "huy", "trogiup")
CONSOLIDATOR_COMMANDS = ("tonghop", "trave", "travetiendo", "nhacnho")
ADMIN_COMMANDS = ("moi",)


def command_descriptions() -> dict[str, str]:
    """Every command with its description in the current locale (for the command menu)."""
    return {
        "kehoach": _("Plan menu: items, objectives, measures"),
        "maubieu": _("Excel template of the plan, to fill in at a computer and send back"),
        "xem": _("View the whole plan"),
        "nop": _("Submit the plan"),
        "tiendo": _("Progress report of the submitted plan, period by period"),
        "kiennghi": _("Proposals and obstacles: file, route, answer"),
        "huy": _("Leave the current step (saved data stays)"),
        "trogiup": _("Help"),
        "tonghop": _("Consolidated status (consolidators)"),
        "trave": _("Return a plan for revision (consolidators)"),
        "travetiendo": _("Return a progress report for revision (consolidators)"),
        "nhacnho": _("Remind agencies that have not submitted (consolidators)"),
        "moi": _("Create an invitation (administrators)"),
        "ngonngu": _("Language: vi or en"),
        "start": _("Start, or link with an invitation code"),
    }


async def help_text(ctx: Ctx) -> None:
    """Shows the commands this user may use."""
    desc = command_descriptions()
    focal = ["kehoach", "maubieu", "xem", "nop", "tiendo", "kiennghi", "huy"]
    names = focal if ctx.focal_agencies() else []
    if ctx.is_consolidator:
        names += [n for n in (*CONSOLIDATOR_COMMANDS, "kiennghi") if n not in names]
    if ctx.is_admin:
        names += list(ADMIN_COMMANDS)
    names += ["ngonngu", "trogiup"]
    lines = [_("**Commands**")] + [f"/{n} — {desc[n]}" for n in names]
    if ctx.focal_agencies():
        lines += [
            "",
            _(
                "How it works: open /kehoach, choose an item, enter its objective, then add "
                "measures one by one (content, lead unit, coordinating units, timeline, output). "
                "Every answer is saved at once. When all items are complete, send /nop."
            ),
            _(
                "At a computer, the whole plan can be written in Excel instead: /maubieu sends "
                "your agency's template; fill it in and send it back."
            ),
        ]
    ctx.say("\n".join(lines))


async def cancel(ctx: Ctx) -> None:
    """Leaves the current step; everything already saved stays."""
    if ctx.conv.step == "idle":
        ctx.say(_("There is nothing to cancel."), [[views.menu_button()]])
        return
    await ctx.go("idle", wizard=False)
    ctx.say(
        _("Left the current step. Everything you already entered is saved."),
        [[views.menu_button()]],
    )


async def language(ctx: Ctx) -> None:
    """Stores the user's language."""
    code = (ctx.event.args.split() or [""])[0].lower()
    if code not in SUPPORTED:
        ctx.say(_("Usage: /ngonngu vi or /ngonngu en"))
        return
    await ctx.tx.users.set_locale(ctx.user.id, code)
    with use_locale(code):
        ctx.say(_("Language set to English."))


async def campaign_changed(ctx: Ctx) -> None:
    """The open campaign changed while the person was answering: nothing goes to the wrong
    campaign; what they just typed is shown back so that it is not lost."""
    title = ctx.campaign.definition.title if ctx.campaign else ""
    lines = [
        _(
            "The open campaign has changed to «{title}». The step you were on belongs to the "
            "previous campaign, so this message was not saved."
        ).format(title=esc(title))
    ]
    typed = ctx.event.text if ctx.event.kind is Kind.TEXT else ""
    if typed.strip():
        lines += ["", _("What you sent (copy it if you need it):"), esc(typed)]
    await ctx.audit("campaign.changed", "user", ctx.user.id, old=ctx.conv.campaign_id)
    await ctx.go("idle", assignment_id=None, measure_id=None, wizard=False)
    ctx.say("\n".join(lines), [[views.menu_button()]])


def not_private() -> Reply:
    return Reply(
        text=_("Please message the bot in a private chat: plans are not entered in groups.")
    )


def edited_text() -> str:
    return _(
        "Edited messages are not applied. To change an answer, send it again or use the ✏️ buttons."
    )


def media_text() -> str:
    return _("I can only read text messages here. Please type your answer as text.")


def unknown_command_text() -> str:
    return _("Unknown command. Send /trogiup to see the commands.")


def idle_text_hint(ctx: Ctx) -> None:
    ctx.say(
        _("Please choose an action from the menu first."),
        [[views.menu_button()]],
    )
