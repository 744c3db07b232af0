"""Checking what a person typed before it is stored; every refusal says why in their language."""

from __future__ import annotations

import re

from domain.text import NAME_MAX, fold, meaningful, normalize
from locales import _, fmt_number


class InputError(ValueError):
    """The text cannot be stored; ``str(err)`` is the message for the user."""


def clean(raw: str, limit: int) -> str:
    """Normalized text (NFC, no control characters), refused when empty or over ``limit``."""
    text = normalize(raw)
    if not text.strip():
        raise InputError(_("The message is empty. Please type the content as text."))
    if len(text) > limit:
        raise InputError(
            _("The text is too long ({n} characters; at most {max}). Please shorten it.").format(
                n=fmt_number(len(text)), max=fmt_number(limit)
            )
        )
    return text


def words(raw: str, limit: int) -> str:
    """:func:`clean`, and refused when it has no letter or digit: an objective, a measure or a
    result of only emoji or punctuation would vanish from the documents."""
    text = clean(raw, limit)
    if not meaningful(text):
        raise InputError(
            _(
                "Please write it in words: an answer of only emoji or punctuation cannot be "
                "printed in the documents."
            )
        )
    return text


def names(raw: str) -> list[str]:
    """Several unit names typed at once: 'Sở Y tế; UBND các xã' → two names."""
    parts = [p.strip(" .") for p in re.split(r"[;\n]", raw)]
    return [clean(p, NAME_MAX) for p in parts if p.strip(" .")]


_COMMAND = re.compile(r"/(\w+)(?:@\w+)?(?:\s+(.*))?", re.DOTALL)


def command(text: str) -> tuple[str, str] | None:
    """'/trave SNV\\nlý do...' → ('trave', 'SNV\\nlý do...'): arguments after any whitespace,
    line breaks kept (a reason may span lines); '@botname' dropped; the name without diacritics
    ('/nộp' is '/nop'). None if not a command."""
    m = _COMMAND.fullmatch(text.strip())
    if m is None:
        return None
    return re.sub(r"[^a-z0-9_]", "", fold(m[1])), (m[2] or "").strip()
