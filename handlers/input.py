"""Checking what a person typed before it is stored."""

from __future__ import annotations

import re
import unicodedata

from locales import _, fmt_number

OBJECTIVE_MAX = 2000
CONTENT_MAX = 2000
NAME_MAX = 200
OUTPUT_MAX = 1000
REASON_MAX = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


class InputError(ValueError):
    """The text cannot be stored; ``str(err)`` is the message for the user."""


def clean(raw: str, limit: int) -> str:
    """Normalize (NFC), drop control and direction characters, trim; refuse empty or too long."""
    text = _CONTROL.sub("", unicodedata.normalize("NFC", raw))
    text = "\n".join(line.rstrip() for line in text.strip().splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text)
    if not text.strip():
        raise InputError(_("The message is empty. Please type the content as text."))
    if len(text) > limit:
        raise InputError(
            _("The text is too long ({n} characters; at most {max}). Please shorten it.").format(
                n=fmt_number(len(text)), max=fmt_number(limit)
            )
        )
    return text


def names(raw: str) -> list[str]:
    """Several unit names typed at once: 'Sở Y tế; UBND các xã' → two names."""
    parts = [p.strip(" .") for p in re.split(r"[;\n]", raw)]
    return [clean(p, NAME_MAX) for p in parts if p.strip(" .")]
