"""What the chat says about a file a person sent, whatever table it holds."""

from __future__ import annotations

from collections.abc import Sequence

from domain.plan_table import Problem
from handlers import buttons as act
from handlers import views
from handlers.context import Ctx
from handlers.markup import esc
from handlers.types import Choice
from locales import _

SHOWN_PROBLEMS = 25  # listed in the chat; the rest counted


def problems_reply(ctx: Ctx, name: str, problems: Sequence[Problem], place: str) -> None:
    """Every problem of a file (the first ones listed); nothing was changed."""
    n = len(problems)
    lines = [
        _(
            "The file «{name}» was not saved: {n} things to fix ({place}). Nothing has changed."
        ).format(name=esc(name), n=n, place=esc(place))
    ]
    lines += [f"• {esc(p.line())}" for p in problems[:SHOWN_PROBLEMS]]
    if n > SHOWN_PROBLEMS:
        lines.append(_("… and {n} more.").format(n=n - SHOWN_PROBLEMS))
    lines.append(_("Please fix them in the file and send it again."))
    ctx.say("\n".join(lines), [[views.menu_button()]])


def save_or_cancel(upload_id: int) -> list[list[Choice]]:
    """The choices under what a file would change."""
    return [
        [
            Choice(_("✅ Save"), act.SaveUpload(upload_id)),
            Choice(_("❌ Cancel"), act.CancelUpload(upload_id)),
        ]
    ]
